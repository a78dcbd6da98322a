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
 */
public final class ContentionProfile {
  private ContentionProfile() {}

  public static void main(String[] args) throws Exception {
    String which = args[0];
    double seconds = Double.parseDouble(args[1]);
    Path go = Path.of(args[2]);
    boolean mlp = which.equals("mlp");
    MultiLayerNetwork net = WorkerNetworks.build((mlp ? WorkerFitProfile.mlp() : WorkerFitProfile.lenet()).toJson());
    net.init();
    DataSet[] data = WorkerFitProfile.minibatches();
    for (int i = 0; i < (mlp ? 300 : 40); i++) {
      net.fit(data[i % data.length]);
    }
    while (!Files.exists(go)) {
      Thread.sleep(5);
    }
    long t0 = System.nanoTime();
    long end = t0 + (long) (seconds * 1e9);
    int n = 0;
    while (System.nanoTime() < end) {
      net.fit(data[n++ % data.length]);
    }
    System.out.printf("RESULT %s %.3f ms per minibatch over %d%n", which, (System.nanoTime() - t0) / 1e6 / n, n);
  }
}
