package org.sparktrain.strategy;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.sparktrain.TestJobs;
import org.sparktrain.TestSpark;
import org.sparktrain.model.NetworkFactory;
import org.sparktrain.spec.JobSpec;

/**
 * One worker averaging after every minibatch must follow exactly the path of plain single-machine
 * DL4J training. DL4J shuffles the order of minibatches across averaging rounds, so every
 * minibatch here is the same one: the comparison is then independent of order, and it also fails
 * when a single minibatch is skipped or fitted twice.
 */
class SingleWorkerEquivalenceIT {
  private static final String JOB =
      """
      name: equivalence
      seed: 7
      data: {format: csv, path: unused.csv, label: {column: y, kind: class_index}}
      model:
        layers:
          - {type: dense, units: 8, activation: tanh}
          - {type: output, units: 3, loss: categorical_crossentropy}
      training: {epochs: 3, batch_size: 16, updater: UPDATER, learning_rate: 0.05}
      strategy: {type: averaging, workers: 1, averaging_frequency: 1, approach: APPROACH}
      """;

  @ParameterizedTest
  @ValueSource(strings = {"adam/export", "nesterov/export", "adam/direct", "sgd/export"})
  void oneWorkerFrequencyOneEqualsSingleMachine(String setting) throws Exception {
    String[] parts = setting.split("/");
    JobSpec spec = TestJobs.parse(JOB.replace("UPDATER", parts[0]).replace("APPROACH", parts[1]));
    DataSet batch = batch(16, 5, 3);
    int batchesPerEpoch = 6;

    MultiLayerNetwork single = NetworkFactory.network(spec, 5, 3);
    MultiLayerNetwork start = single.clone();
    // The strategy trains `start` in place; keep the untouched initial parameters apart.
    var initial = single.params().dup();
    for (int e = 0; e < spec.training().epochs(); e++) {
      for (int i = 0; i < batchesPerEpoch; i++) {
        single.fit(batch);
      }
    }

    JavaSparkContext sc = JavaSparkContext.fromSparkContext(TestSpark.session().sparkContext());
    List<DataSet> copies = new ArrayList<>();
    for (int i = 0; i < batchesPerEpoch; i++) {
      copies.add(batch.copy());
    }
    JavaRDD<DataSet> rdd = sc.parallelize(copies, partitions(parts[1])).cache();
    String export = java.nio.file.Files.createTempDirectory("export").toUri().toString();
    try (TrainingStrategy strategy =
        TrainingStrategies.create(
            StrategyContext.builder().sparkContext(sc).spec(spec).network(start).exportDir(export).build())) {
      for (int e = 0; e < spec.training().epochs(); e++) {
        strategy.fitEpoch(rdd, e + 1);
      }
      double diff =
          strategy.network().params().sub(single.params()).amaxNumber().doubleValue();
      double moved = single.params().sub(initial).amaxNumber().doubleValue();
      assertTrue(moved > 1e-3, "training must move the parameters, moved " + moved);
      assertTrue(diff <= 1e-5, setting + ": max parameter difference " + diff);
    }
  }

  /**
   * Export spreads minibatches over two partitions to show that rounds stay full however the data
   * is partitioned. DL4J's direct approach assigns rounds per partition and can leave minibatches
   * out when there are several, so it is held to one.
   */
  private static int partitions(String approach) {
    return "export".equals(approach) ? 2 : 1;
  }

  private static DataSet batch(int n, int in, int classes) {
    Nd4j.getRandom().setSeed(11);
    var x = Nd4j.rand(DataType.FLOAT, n, in);
    var y = Nd4j.zeros(DataType.FLOAT, n, classes);
    for (int i = 0; i < n; i++) {
      y.putScalar(i, i % classes, 1f);
    }
    return new DataSet(x, y);
  }
}
