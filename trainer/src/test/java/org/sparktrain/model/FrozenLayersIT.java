package org.sparktrain.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.sparktrain.TestJobs;
import org.sparktrain.TestSpark;
import org.sparktrain.spec.JobSpec;
import org.sparktrain.strategy.StrategyContext;
import org.sparktrain.strategy.TrainingStrategies;
import org.sparktrain.strategy.TrainingStrategy;

/**
 * Frozen layers keep their parameters bit for bit through distributed training with either
 * strategy, with L2 regularisation on and with 2 or 3 workers: parameter averaging averages
 * identical copies of them (up to float rounding, which the strategy undoes), and gradient
 * sharing's encoded updates carry nothing for them; the other layers do move.
 */
class FrozenLayersIT {
  private static final String JOB =
      """
      name: frozen
      seed: 5
      data: {format: csv, path: unused.csv, label: {column: y, kind: class_index}}
      model:
        freeze_layers: [FROZEN]
        layers:
          - {type: dense, name: first, units: 12, activation: tanh}
          - {type: dense, name: second, units: 8, activation: relu}
          - {type: output, name: out, units: 3, loss: categorical_crossentropy}
      training: {epochs: 2, batch_size: 16, updater: adam, learning_rate: 0.01}
      strategy: {type: STRATEGY, workers: WORKERS, averaging_frequency: 2, approach: APPROACH}
      """;

  @ParameterizedTest
  @ValueSource(strings = {"averaging/2/first/export/0.001", "averaging/3/second/direct/0", "sharing/2/first/export/0.001"})
  void frozenParametersStayIdenticalAndTheRestTrains(String setting) throws Exception {
    String[] s = setting.split("/");
    JobSpec spec = TestJobs.parse(
        JOB.replace("STRATEGY", s[0]).replace("WORKERS", s[1]).replace("FROZEN", s[2]).replace("APPROACH", s[3]),
        "model.l2=" + s[4]);
    MultiLayerNetwork net = Freezing.freeze(NetworkFactory.network(spec, 6, 3), spec.model().source());
    assertEquals(List.of(s[2]), Freezing.frozenNames(net));
    int frozenIndex = "first".equals(s[2]) ? 0 : 1;
    float[] frozenBefore = net.getLayer(frozenIndex).params().toFloatVector();
    List<float[]> trainableBefore = new ArrayList<>();
    for (int i = 0; i < net.getnLayers(); i++) {
      trainableBefore.add(net.getLayer(i).params().toFloatVector());
    }

    org.sparktrain.runtime.SparkRuntime.configureAeron();
    JavaSparkContext sc = JavaSparkContext.fromSparkContext(TestSpark.session().sparkContext());
    JavaRDD<DataSet> rdd = sc.parallelize(batches(24, 16), 2).cache();
    String export = java.nio.file.Files.createTempDirectory("export").toUri().toString();
    try (TrainingStrategy strategy =
        TrainingStrategies.create(
            StrategyContext.builder().sparkContext(sc).spec(spec).network(net).exportDir(export).build())) {
      for (int e = 1; e <= spec.training().epochs(); e++) {
        strategy.fitEpoch(rdd, e);
      }
      MultiLayerNetwork trained = strategy.network();
      // What the strategy had to undo is rounding at most, never an update.
      assertTrue(strategy.frozenDrift() < 1e-6, setting + ": frozen parameters moved by " + strategy.frozenDrift());
      assertArrayEquals(frozenBefore, trained.getLayer(frozenIndex).params().toFloatVector(),
          setting + ": the frozen layer's parameters changed");
      for (int i = 0; i < trained.getnLayers(); i++) {
        if (i != frozenIndex) {
          INDArray after = trained.getLayer(i).params();
          double moved = after.sub(Nd4j.createFromArray(trainableBefore.get(i)).reshape(after.shape())).amaxNumber().doubleValue();
          assertTrue(moved > 1e-3, setting + ": layer " + i + " should train, moved " + moved);
        }
      }
    } finally {
      rdd.unpersist();
    }
  }

  /** Minibatches of a learnable 3-class rule on 6 inputs. */
  private static List<DataSet> batches(int count, int size) {
    Nd4j.getRandom().setSeed(9);
    List<DataSet> out = new ArrayList<>();
    for (int b = 0; b < count; b++) {
      INDArray x = Nd4j.randn(DataType.FLOAT, size, 6);
      INDArray y = Nd4j.zeros(DataType.FLOAT, size, 3);
      for (int i = 0; i < size; i++) {
        double v = x.getDouble(i, 0) + x.getDouble(i, 1);
        y.putScalar(i, v < -0.5 ? 0 : v < 0.5 ? 1 : 2, 1f);
      }
      out.add(new DataSet(x, y));
    }
    return out;
  }
}
