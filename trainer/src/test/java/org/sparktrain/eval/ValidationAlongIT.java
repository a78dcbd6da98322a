package org.sparktrain.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.sparktrain.TestJobs;
import org.sparktrain.TestSpark;
import org.sparktrain.data.FeaturePipelineModel;
import org.sparktrain.strategy.StrategyContext;
import org.sparktrain.strategy.TrainingStrategies;
import org.sparktrain.strategy.TrainingStrategy;

/**
 * Validation along with the synchronous strategy's epochs: the workers score the validation
 * minibatches with the epoch's final network inside the epoch's barrier stage, and the metrics are
 * those the driver's evaluation of the same network gives. A dense network (the workers' dense
 * forward pass), the same with label masks (DL4J's path through the workers' own layers), and a
 * small CNN; the validation RDD has another number of partitions than workers, so it is spread,
 * cached in its caller's place and dropped at the end.
 */
class ValidationAlongIT {
  private static final int SIDE = 6;
  private static final int IN = SIDE * SIDE;
  private static final int CLASSES = 3;

  private static final String JOB =
      """
      name: along
      seed: 9
      data: {format: csv, path: unused.csv, label: {column: y, kind: class_index}}
      model:
        layers:
          - {type: dense, units: 8, activation: relu}
          - {type: output, units: 3, loss: categorical_crossentropy}
      training: {epochs: 2, batch_size: 16, updater: adam, learning_rate: 0.01}
      strategy: {type: synchronous, workers: 2, averaging_frequency: 3}
      """;

  private static JavaSparkContext sc() {
    return JavaSparkContext.fromSparkContext(TestSpark.session().sparkContext());
  }

  private static FeaturePipelineModel pipeline() {
    List<String> columns = new ArrayList<>();
    for (int i = 0; i < IN; i++) {
      columns.add("x" + i);
    }
    double[] ones = new double[IN];
    java.util.Arrays.fill(ones, 1);
    return new FeaturePipelineModel(new FeaturePipelineModel.Params(
        "csv", columns, new double[IN], ones, List.of(), List.of(), "y", "class_index", List.of("a", "b", "c"), false,
        0.0, 1.0));
  }

  private static MultiLayerNetwork dense() {
    return network(new NeuralNetConfiguration.Builder().seed(5).updater(new Adam(1e-2)).l2(1e-3).list()
        .layer(new DenseLayer.Builder().nIn(IN).nOut(16).activation(Activation.RELU).build())
        .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(16).nOut(CLASSES)
            .activation(Activation.SOFTMAX).build())
        .build());
  }

  private static MultiLayerNetwork cnn() {
    return network(new NeuralNetConfiguration.Builder().seed(4).updater(new Adam(3e-3)).list()
        .layer(new ConvolutionLayer.Builder(3, 3).nOut(4).activation(Activation.RELU).build())
        .layer(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).kernelSize(2, 2).stride(2, 2).build())
        .layer(new DenseLayer.Builder().nOut(10).activation(Activation.TANH).dropOut(0.8).build())
        .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(CLASSES).activation(Activation.SOFTMAX).build())
        .setInputType(InputType.convolutionalFlat(SIDE, SIDE, 1))
        .build());
  }

  private static MultiLayerNetwork network(MultiLayerConfiguration conf) {
    MultiLayerNetwork net = new MultiLayerNetwork(conf);
    net.init();
    return net;
  }

  /** Learnable minibatches: the class is where the brightest of three image regions is. */
  private static List<DataSet> minibatches(int count, long seed, boolean masked) {
    Nd4j.getRandom().setSeed(seed);
    List<DataSet> out = new ArrayList<>();
    for (int b = 0; b < count; b++) {
      int rows = b == count - 1 ? 5 : 16;
      INDArray x = Nd4j.rand(DataType.FLOAT, rows, IN);
      INDArray y = Nd4j.zeros(DataType.FLOAT, rows, CLASSES);
      for (int r = 0; r < rows; r++) {
        int best = 0;
        for (int c = 1; c < CLASSES; c++) {
          if (x.getFloat(r, c * 7) > x.getFloat(r, best * 7)) {
            best = c;
          }
        }
        y.putScalar(r, best, 1);
      }
      out.add(masked ? new DataSet(x, y, null, Nd4j.ones(DataType.FLOAT, rows, 1)) : new DataSet(x, y));
    }
    return out;
  }

  private static Set<Integer> cachedIds() {
    Set<Integer> ids = new java.util.HashSet<>();
    scala.collection.JavaConverters.mapAsJavaMap(sc().sc().getPersistentRDDs()).keySet().forEach(k -> ids.add((Integer) k));
    return ids;
  }

  private static void sameAsTheDriversEvaluation(MultiLayerNetwork net, boolean masked) throws Exception {
    JavaSparkContext sc = sc();
    FeaturePipelineModel pipeline = pipeline();
    JavaRDD<DataSet> train = sc.parallelize(minibatches(20, 11, false), 2).cache();
    JavaRDD<DataSet> validation = sc.parallelize(minibatches(9, 13, masked), 3).cache();
    Set<Integer> before = cachedIds();
    String export = Files.createTempDirectory("export").toUri().toString();
    try (TrainingStrategy strategy = TrainingStrategies.create(StrategyContext.builder().sparkContext(sc)
        .spec(TestJobs.parse(JOB)).network(net).exportDir(export).build())) {
      strategy.validateAlong(validation, DistributedEvaluator.scorer(pipeline));
      List<Object> losses = new ArrayList<>();
      for (int epoch = 1; epoch <= 2; epoch++) {
        strategy.fitEpoch(train, epoch);
        TrainingStrategy.EpochValidation along =
            strategy.epochValidation().orElseThrow(() -> new AssertionError("no validation along with the epoch"));
        assertTrue(along.seconds() > 0 && along.seconds() < 60, "seconds " + along.seconds());
        assertFalse(cachedIds().contains(validation.id()), "the caller's copy is dropped once the spread one is filled");
        // The same network on the driver, the same minibatches, DistributedEvaluator's own job.
        Map<String, Object> driver = DistributedEvaluator.evaluate(sc, strategy.network(), validation, pipeline);
        Map<String, Object> workers = along.metrics();
        System.out.println("ValidationAlongIT epoch " + epoch + (masked ? " (masked)" : "") + ": workers " + workers
            + "\n  driver " + driver);
        assertEquals(133L, workers.get("examples"));
        losses.add(workers.get("loss"));
        assertEquals(driver.keySet(), workers.keySet());
        for (String k : driver.keySet()) {
          if (driver.get(k) instanceof Double v) {
            assertEquals(v, (Double) workers.get(k), 1e-5 * Math.max(1, Math.abs(v)), k);
          } else if (!"predicted_vs_actual".equals(k)) {
            assertEquals(driver.get(k).toString(), workers.get(k).toString(), k);
          }
        }
      }
      assertTrue(!losses.get(0).equals(losses.get(1)), "each epoch's own network: " + losses);
      assertEquals(before.size(), cachedIds().size(), "the spread copy took the caller's place in the cache");
    } finally {
      train.unpersist(false);
      validation.unpersist(false);
    }
    Set<Integer> left = cachedIds();
    left.removeAll(before);
    assertEquals(Set.of(), left, "closing the strategy drops its copy of the validation minibatches");
  }

  @Test
  void denseNetworkInTheWorkersGivesTheDriversMetrics() throws Exception {
    sameAsTheDriversEvaluation(dense(), false);
  }

  @Test
  void throughDl4jsPathInTheWorkersGivesTheDriversMetrics() throws Exception {
    sameAsTheDriversEvaluation(dense(), true);
  }

  @Test
  void cnnInTheWorkersGivesTheDriversMetrics() throws Exception {
    sameAsTheDriversEvaluation(cnn(), false);
  }
}
