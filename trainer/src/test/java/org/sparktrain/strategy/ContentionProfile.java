package org.sparktrain.strategy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.dataset.DataSet;

/**
 * Milliseconds per minibatch of one worker network (mnist-mlp or LeNet, one native thread) fitting
 * for a number of seconds, without Spark: run alone, then two at once, to see what the machine's
 * cores cost each other before any cost of the framework. Each JVM warms up, then waits for a file
 * to appear, so that two start timing together:
 *
 * <pre>
 * mvn -o -B -q -pl trainer package -DskipTests &amp;&amp; mvn -o -B -q -pl trainer test-compile
 * run() { OMP_NUM_THREADS=1 java $(grep -v '^#' trainer/src/main/resources/sparktrain/java-options.txt) \
 *   -cp trainer/target/trainer.jar:trainer/target/test-classes org.sparktrain.strategy.ContentionProfile "$@"; }
 * rm -f go; run mlp 15 go &amp; sleep 25; touch go; wait                        # alone
 * rm -f go; run mlp 15 go &amp; run mlp 15 go &amp; sleep 40; touch go; wait       # two at once
 * </pre>
 *
 * <p>Besides {@code mlp} and {@code lenet}, three kinds of work that isolate what the two vCPUs
 * share: {@code spin} (arithmetic in registers, no memory: what the cores themselves give),
 * {@code sgemm} (1024^3 float products through ND4J's BLAS, cache-blocked: compute-bound) and
 * {@code stream} (64 MB read and 64 MB written per step: memory bandwidth). Each prints its rate.
 */
public final class ContentionProfile {
  private ContentionProfile() {}

  public static void main(String[] args) throws Exception {
    String which = args[0];
    double seconds = Double.parseDouble(args[1]);
    Path go = Path.of(args[2]);
    if (which.equals("spin") || which.equals("sgemm") || which.equals("stream")) {
      kernel(which, seconds, go);
      return;
    }
    boolean mlp = which.equals("mlp");
    MultiLayerNetwork net = WorkerNetworks.build((mlp ? WorkerFitProfile.mlp() : WorkerFitProfile.lenet()).toJson());
    net.init();
    DataSet[] data = WorkerFitProfile.minibatches();
    for (int i = 0; i < (mlp ? 300 : 40); i++) {
      net.fit(data[i % data.length]);
    }
    int[] i = {0};
    Timed t = timed(go, seconds, () -> net.fit(data[i[0]++ % data.length]));
    System.out.printf("RESULT %s %.3f ms per minibatch over %d%n", which, t.seconds * 1e3 / t.steps, t.steps);
  }

  /** Steps done and their seconds. */
  private record Timed(int steps, double seconds) {}

  /** Waits for {@code go} to appear, then repeats {@code step} for {@code seconds}. */
  private static Timed timed(Path go, double seconds, Runnable step) throws InterruptedException {
    while (!Files.exists(go)) {
      Thread.sleep(5);
    }
    long t0 = System.nanoTime();
    long end = t0 + (long) (seconds * 1e9);
    int n = 0;
    while (System.nanoTime() < end) {
      step.run();
      n++;
    }
    return new Timed(n, (System.nanoTime() - t0) / 1e9);
  }

  private static volatile double sink;

  /** Repeats one step of a kernel for {@code seconds} after a warm-up and prints its rate. */
  private static void kernel(String which, double seconds, Path go) throws Exception {
    org.nd4j.linalg.api.ndarray.INDArray a = null;
    org.nd4j.linalg.api.ndarray.INDArray b = null;
    org.nd4j.linalg.api.ndarray.INDArray c = null;
    float[] big = null;
    double unitsPerStep;
    String unit;
    switch (which) {
      case "sgemm" -> {
        a = org.nd4j.linalg.factory.Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, 1024, 1024);
        b = org.nd4j.linalg.factory.Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, 1024, 1024);
        c = org.nd4j.linalg.factory.Nd4j.create(org.nd4j.linalg.api.buffer.DataType.FLOAT, 1024, 1024);
        unitsPerStep = 2.0 * 1024 * 1024 * 1024 / 1e9;
        unit = "GFLOP/s";
      }
      case "stream" -> {
        big = new float[32 << 20];
        java.util.Arrays.fill(big, 1f);
        unitsPerStep = 4.0 * big.length / 1e9; // bytes read plus bytes written
        unit = "GB/s";
      }
      default -> {
        unitsPerStep = 4.0 * SPIN / 1e9;
        unit = "G multiply-adds/s";
      }
    }
    for (int i = 0; i < 20; i++) {
      step(which, a, b, c, big);
    }
    org.nd4j.linalg.api.ndarray.INDArray fa = a;
    org.nd4j.linalg.api.ndarray.INDArray fb = b;
    org.nd4j.linalg.api.ndarray.INDArray fc = c;
    float[] fbig = big;
    Timed t = timed(go, seconds, () -> step(which, fa, fb, fc, fbig));
    System.out.printf("RESULT %s %.2f %s over %d steps%n", which, t.steps * unitsPerStep / t.seconds, unit, t.steps);
  }

  private static final int SPIN = 50_000_000;

  private static void step(
      String which,
      org.nd4j.linalg.api.ndarray.INDArray a,
      org.nd4j.linalg.api.ndarray.INDArray b,
      org.nd4j.linalg.api.ndarray.INDArray c,
      float[] big) {
    switch (which) {
      case "sgemm" -> org.nd4j.linalg.factory.Nd4j.gemm(a, b, c, false, false, 1.0, 0.0);
      case "stream" -> {
        // Read one half, write the other: a loop the JIT vectorizes, bound by memory bandwidth.
        int half = big.length / 2;
        for (int i = 0; i < half; i++) {
          big[half + i] = big[i] * 1.0001f;
        }
      }
      default -> {
        // Four independent chains of multiply-adds in registers: no memory traffic at all.
        double x0 = 1;
        double x1 = 1.1;
        double x2 = 1.2;
        double x3 = 1.3;
        for (int i = 0; i < SPIN; i++) {
          x0 = x0 * 0.999999 + 1e-6;
          x1 = x1 * 0.999999 + 1e-6;
          x2 = x2 * 0.999999 + 1e-6;
          x3 = x3 * 0.999999 + 1e-6;
        }
        sink = x0 + x1 + x2 + x3;
      }
    }
  }
}
