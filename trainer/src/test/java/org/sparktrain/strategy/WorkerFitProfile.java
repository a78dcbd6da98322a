package org.sparktrain.strategy;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import java.util.List;
import org.apache.spark.SparkConf;
import org.apache.spark.serializer.KryoSerializer;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.config.AMSGrad;
import org.nd4j.linalg.learning.config.AdaGrad;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.learning.config.RmsProp;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.sparktrain.runtime.ArrayRegistrator;

/**
 * What the workers' own pieces buy on mnist-mlp (784-512-256-10, batch 64), printed side by side in
 * one JVM (docs/results/2026-12-fused-updaters-kryo.md): one update of 535,818 parameters by each of
 * DL4J's updaters and by the fused ones; {@code fit} per minibatch of DL4J's network, with the fused
 * updater, with the fused updater and dense layers keeping z, with the first layer also leaving
 * out its input's gradient, and with the softmax loss in Java as well; {@code fit} per LeNet minibatch of
 * DL4J's network and of the workers' without and with DL4J's forward-pass cache and the Java im2col;
 * ND4J data buffers created per minibatch of each; a Kryo round trip of a minibatch with ND4J's
 * serializer and with {@link ArrayRegistrator}. Run with one native thread and the JVM
 * options Spark's Kryo needs on Java 17:
 *
 * <pre>
 * mvn -o -B -q -pl trainer package -DskipTests &amp;&amp; mvn -o -B -q -pl trainer test-compile
 * OMP_NUM_THREADS=1 java $(grep -v '^#' trainer/src/main/resources/sparktrain/java-options.txt) \
 *   -cp trainer/target/trainer.jar:trainer/target/test-classes org.sparktrain.strategy.WorkerFitProfile
 * </pre>
 */
public final class WorkerFitProfile {
  private WorkerFitProfile() {}

  static MultiLayerConfiguration mlp() {
    return new NeuralNetConfiguration.Builder().seed(1).updater(new Adam(1e-3)).weightInit(WeightInit.RELU).list()
        .layer(new DenseLayer.Builder().nIn(784).nOut(512).activation(Activation.RELU).build())
        .layer(new DenseLayer.Builder().nIn(512).nOut(256).activation(Activation.RELU).build())
        .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(256).nOut(10).activation(Activation.SOFTMAX).build())
        .build();
  }

  /** LeNet as jobs/mnist-lenet.yaml builds it: conv 5x5x20, max-pool 2, conv 5x5x50, max-pool 2, dense 500. */
  static MultiLayerConfiguration lenet() {
    return new NeuralNetConfiguration.Builder().seed(1).updater(new Adam(1e-3)).weightInit(WeightInit.RELU).list()
        .layer(new ConvolutionLayer.Builder(5, 5).nOut(20).activation(Activation.IDENTITY).build())
        .layer(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).kernelSize(2, 2).stride(2, 2).build())
        .layer(new ConvolutionLayer.Builder(5, 5).nOut(50).activation(Activation.IDENTITY).build())
        .layer(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).kernelSize(2, 2).stride(2, 2).build())
        .layer(new DenseLayer.Builder().nOut(500).activation(Activation.RELU).build())
        .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(10).activation(Activation.SOFTMAX).build())
        .setInputType(InputType.convolutionalFlat(28, 28, 1))
        .build();
  }

  /** Runs every part but dense, or those named as arguments (updaters, fit, lenet, buffers, kryo, dense). */
  public static void main(String[] args) {
    List<String> parts = args.length == 0 ? List.of("updaters", "fit", "lenet", "buffers", "kryo") : List.of(args);
    if (parts.contains("updaters")) {
      updaters();
    }
    if (parts.contains("fit")) {
      fit();
    }
    if (parts.contains("lenet")) {
      lenetFit();
    }
    if (parts.contains("buffers")) {
      buffers();
    }
    if (parts.contains("kryo")) {
      kryo();
    }
    if (parts.contains("dense")) {
      dense();
    }
  }

  /** The workers' mnist-mlp network alone, 6 x 2,000 minibatches after 200: for a profiler's recording. */
  private static void dense() {
    double[][] ms = alternate(new MultiLayerNetwork[] {WorkerNetworks.build(mlp().toJson())}, 200, 2000);
    for (double[] m : ms) {
      System.out.printf("RESULT dense step %.2f ms%n", m[0]);
    }
  }

  /**
   * ND4J data buffers created per fitted minibatch, DL4J's network and the workers': the id counter
   * of ND4J's deallocator service, which every buffer (workspace ones too) draws from, around 100
   * {@code fit} calls after 20 of warm-up.
   */
  private static void buffers() {
    for (String which : List.of("mlp", "lenet")) {
      MultiLayerConfiguration conf = which.equals("mlp") ? mlp() : lenet();
      MultiLayerNetwork dl4j = new MultiLayerNetwork(conf.clone());
      MultiLayerNetwork worker = WorkerNetworks.build(conf.toJson());
      DataSet[] data = minibatches();
      for (MultiLayerNetwork net : new MultiLayerNetwork[] {dl4j, worker}) {
        net.init();
        for (int i = 0; i < 20; i++) {
          net.fit(data[i % data.length]);
        }
        long c0 = Nd4j.getDeallocatorService().nextValue();
        for (int i = 0; i < 100; i++) {
          net.fit(data[i % data.length]);
        }
        long c1 = Nd4j.getDeallocatorService().nextValue();
        System.out.printf("RESULT buffers %s %s: %.1f per minibatch%n", which, net == dl4j ? "dl4j" : "worker", (c1 - c0 - 1) / 100.0);
      }
    }
  }

  /** Milliseconds per update, best of 5 x 200, the gradient restored by an assign (subtracted). */
  private static void updaters() {
    int n = 535_818;
    INDArray original = Nd4j.rand(DataType.FLOAT, 1, n).subi(0.5).muli(0.01);
    INDArray g = original.dup();
    IUpdater[] all = {new Adam(1e-3), new FusedUpdaters.FusedAdam(new Adam(1e-3)), new RmsProp(1e-3),
        new FusedUpdaters.FusedRmsProp(new RmsProp(1e-3)), new AdaGrad(1e-2), new AMSGrad(1e-3), new Nesterovs(1e-2, 0.9),
        new Sgd(1e-2)};
    for (IUpdater config : all) {
      long size = config.stateSize(n);
      GradientUpdater<?> u = config.instantiate(size == 0 ? null : Nd4j.zeros(DataType.FLOAT, 1, size), true);
      double best = Double.MAX_VALUE;
      for (int rep = 0; rep < 5; rep++) {
        long t0 = System.nanoTime();
        for (int i = 0; i < 200; i++) {
          u.applyUpdater(g, i, 0);
          g.assign(original);
        }
        long t1 = System.nanoTime();
        for (int i = 0; i < 200; i++) {
          g.assign(original);
        }
        long t2 = System.nanoTime();
        best = Math.min(best, ((t1 - t0) - (t2 - t1)) / 200e6);
      }
      System.out.printf("RESULT updater %s %.3f ms%n", config.getClass().getSimpleName(), best);
    }
  }

  /** fit per minibatch of five networks, alternating, 6 x 150 minibatches after 100 of warm-up. */
  private static void fit() {
    MultiLayerNetwork[] nets = {
        new MultiLayerNetwork(mlp()),
        new MultiLayerNetwork(FusedUpdaters.install(mlp())),
        new MultiLayerNetwork(FusedUpdaters.install(WorkerDenseLayer.install(mlp(), false))),
        new MultiLayerNetwork(FusedUpdaters.install(WorkerDenseLayer.install(mlp()))),
        new MultiLayerNetwork(FusedUpdaters.install(WorkerSoftmaxLoss.install(WorkerDenseLayer.install(mlp())))),
        WorkerNetworks.build(mlp().toJson())};
    for (double[] ms : alternate(nets, 100, 150)) {
      System.out.printf("RESULT fit dl4j %.2f ms, fused updater %.2f ms (%.2f), fused updater + kept z %.2f ms (%.2f),"
          + " + no input gradient %.2f ms (%.2f), + Java softmax loss %.2f ms (%.2f), dense step %.2f ms (%.2f)%n",
          ms[0], ms[1], ms[1] / ms[0], ms[2], ms[2] / ms[0], ms[3], ms[3] / ms[0], ms[4], ms[4] / ms[0], ms[5], ms[5] / ms[0]);
    }
  }

  /**
   * Initializes {@code nets}, fits each {@code warmUp} minibatches, then 6 times in turn {@code
   * timed} each: milliseconds per minibatch, one row per turn.
   */
  private static double[][] alternate(MultiLayerNetwork[] nets, int warmUp, int timed) {
    for (MultiLayerNetwork net : nets) {
      net.init();
    }
    DataSet[] data = minibatches();
    for (int i = 0; i < warmUp; i++) {
      for (MultiLayerNetwork net : nets) {
        net.fit(data[i % data.length]);
      }
    }
    double[][] out = new double[6][nets.length];
    for (double[] ms : out) {
      for (int k = 0; k < nets.length; k++) {
        long t0 = System.nanoTime();
        for (int i = 0; i < timed; i++) {
          nets[k].fit(data[i % data.length]);
        }
        ms[k] = (System.nanoTime() - t0) / (timed * 1e6);
      }
    }
    return out;
  }

  /**
   * fit per LeNet minibatch: DL4J's network; the workers' updaters, dense layers and loss; with
   * DL4J's forward-pass cache on as well ({@link WorkerNetworks#cacheForwardPass}); and with the
   * Java im2col ({@link WorkerConvolutionLayer}), as {@code WorkerNetworks.build} makes them.
   * Alternating, 6 x 40 minibatches after 30.
   */
  private static void lenetFit() {
    MultiLayerNetwork[] nets = {
        new MultiLayerNetwork(lenet()),
        new MultiLayerNetwork(FusedUpdaters.install(WorkerSoftmaxLoss.install(WorkerDenseLayer.install(lenet())))),
        new WorkerNetworks.WorkerNetwork(FusedUpdaters.install(WorkerSoftmaxLoss.install(WorkerDenseLayer.install(lenet())))),
        new WorkerNetworks.WorkerNetwork(
            FusedUpdaters.install(WorkerSoftmaxLoss.install(WorkerConvolutionLayer.install(WorkerDenseLayer.install(lenet())))))};
    for (double[] ms : alternate(nets, 30, 40)) {
      System.out.printf("RESULT lenet fit dl4j %.1f ms, workers' layers %.1f ms (%.2f), + forward-pass cache %.1f ms (%.2f),"
          + " + Java im2col %.1f ms (%.2f)%n", ms[0], ms[1], ms[1] / ms[0], ms[2], ms[2] / ms[0], ms[3], ms[3] / ms[0]);
    }
  }

  /**
   * A Kryo round trip of a minibatch with ND4J's serializer and with ours: the best of 8 means of
   * 300 (a read allocates the arrays off-heap, and JavaCPP's collections of them add noise).
   */
  private static void kryo() {
    DataSet ds = minibatches()[0];
    String[] registrators = {ArrayRegistrator.ND4J, ArrayRegistrator.ND4J + "," + ArrayRegistrator.class.getName()};
    for (String registrator : registrators) {
      Kryo kryo = new KryoSerializer(new SparkConf(false).set("spark.kryo.registrator", registrator)).newKryo();
      Output out = new Output(1 << 20, -1);
      double write = Double.MAX_VALUE;
      double read = Double.MAX_VALUE;
      byte[] bytes = null;
      for (int rep = 0; rep < 8; rep++) {
        long t0 = System.nanoTime();
        for (int i = 0; i < 300; i++) {
          out.setPosition(0);
          kryo.writeClassAndObject(out, ds);
          bytes = out.toBytes();
        }
        long t1 = System.nanoTime();
        for (int i = 0; i < 300; i++) {
          kryo.readClassAndObject(new Input(bytes));
        }
        long t2 = System.nanoTime();
        write = Math.min(write, (t1 - t0) / 300e6);
        read = Math.min(read, (t2 - t1) / 300e6);
      }
      System.out.printf("RESULT kryo %s: write %.3f ms, read %.3f ms, %d bytes%n", registrator, write, read, bytes.length);
    }
  }

  static DataSet[] minibatches() {
    DataSet[] data = new DataSet[16];
    for (int i = 0; i < data.length; i++) {
      INDArray x = Nd4j.rand(DataType.FLOAT, 64, 784);
      INDArray y = Nd4j.zeros(DataType.FLOAT, 64, 10);
      for (int r = 0; r < 64; r++) {
        y.putScalar(r, (r * 7 + i) % 10, 1f);
      }
      data[i] = new DataSet(x, y);
    }
    return data;
  }
}
