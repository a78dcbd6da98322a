package org.sparktrain.strategy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.sparktrain.TestJobs;
import org.sparktrain.TestSpark;
import org.sparktrain.dl4j.ParameterServerShutdown;
import org.sparktrain.model.NetworkFactory;
import org.sparktrain.runtime.SparkRuntime;
import org.sparktrain.spec.JobSpec;

/**
 * A finished gradient-sharing run leaves no thread of DL4J's transport polling in the JVM: the
 * Java API and Spark ML fit in a long-lived application, where each run used to leave one behind.
 */
class SharingCleanupIT {
  private static final String JOB =
      """
      name: sharing-cleanup
      seed: 7
      data: {format: csv, path: unused.csv, label: {column: y, kind: class_index}}
      model:
        layers:
          - {type: dense, units: 8, activation: tanh}
          - {type: output, units: 3, loss: categorical_crossentropy}
      training: {epochs: 2, batch_size: 16, updater: adam, learning_rate: 0.05}
      strategy: {type: sharing}
      """;

  @BeforeAll
  static void aeron() {
    SparkRuntime.configureAeron();
  }

  @Test
  void twoRunsLeaveNoPollingThread() throws Exception {
    JavaSparkContext sc = JavaSparkContext.fromSparkContext(TestSpark.session().sparkContext());
    JobSpec spec = TestJobs.parse(JOB);
    for (int run = 1; run <= 2; run++) {
      List<DataSet> batches = new ArrayList<>();
      Nd4j.getRandom().setSeed(11);
      for (int b = 0; b < 6; b++) {
        INDArray x = Nd4j.rand(DataType.FLOAT, 16, 5);
        INDArray y = Nd4j.zeros(DataType.FLOAT, 16, 3);
        for (int i = 0; i < 16; i++) {
          y.putScalar(i, i % 3, 1f);
        }
        batches.add(new DataSet(x, y));
      }
      JavaRDD<DataSet> rdd = sc.parallelize(batches, 1).cache();
      MultiLayerNetwork net = NetworkFactory.network(spec, 5, 3);
      String export = java.nio.file.Files.createTempDirectory("export").toUri().toString();
      INDArray before = net.params().dup();
      try (TrainingStrategy strategy = TrainingStrategies.create(
          StrategyContext.builder().sparkContext(sc).spec(spec).network(net).exportDir(export).build())) {
        for (int e = 1; e <= 2; e++) {
          strategy.fitEpoch(rdd, e);
        }
        assertTrue(strategy.network().params().sub(before).norm2Number().doubleValue() > 0, "run " + run + " trained");
      }
      rdd.unpersist(true);
      assertEquals(List.of(), pollers(5_000), "run " + run + ": DL4J transport pollers still running");
    }
  }

  /** Live threads polling a DL4J Aeron transport, after waiting up to {@code millis} for them to end. */
  static List<String> pollers(long millis) throws InterruptedException {
    long deadline = System.nanoTime() + millis * 1_000_000L;
    while (true) {
      List<String> found = new ArrayList<>();
      for (var e : Thread.getAllStackTraces().entrySet()) {
        if (e.getKey().isAlive() && Arrays.stream(e.getValue()).anyMatch(ParameterServerShutdown::isPollerFrame)) {
          found.add(e.getKey().getName());
        }
      }
      if (found.isEmpty() || System.nanoTime() > deadline) {
        return found;
      }
      Thread.sleep(50);
    }
  }
}
