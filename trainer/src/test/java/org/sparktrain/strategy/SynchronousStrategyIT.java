package org.sparktrain.strategy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.sparktrain.TestJobs;
import org.sparktrain.TestSpark;
import org.sparktrain.model.NetworkFactory;
import org.sparktrain.spec.JobSpec;

/**
 * The synchronous strategy: one worker averaging after every minibatch follows plain DL4J fit
 * exactly (over distinct minibatches, in the strategy's seeded order); two workers learn; and a
 * run continued from the network of an earlier epoch ends where the uninterrupted run ends.
 */
class SynchronousStrategyIT {
  private static final String JOB =
      """
      name: synchronous
      seed: 7
      data: {format: csv, path: unused.csv, label: {column: y, kind: class_index}}
      model:
        layers:
          - {type: dense, units: 8, activation: tanh}
          - {type: output, units: 3, loss: categorical_crossentropy}
      training: {epochs: 3, batch_size: 16, updater: UPDATER, learning_rate: 0.05}
      strategy: {type: synchronous, workers: WORKERS, averaging_frequency: FREQ}
      """;

  private static JobSpec spec(String updater, int workers, int frequency) {
    return TestJobs.parse(
        JOB.replace("UPDATER", updater)
            .replace("WORKERS", String.valueOf(workers))
            .replace("FREQ", String.valueOf(frequency)));
  }

  private static JavaSparkContext sc() {
    return JavaSparkContext.fromSparkContext(TestSpark.session().sparkContext());
  }

  private static java.util.Set<Object> cachedIds() {
    return new java.util.HashSet<>(scala.collection.JavaConverters.mapAsJavaMap(sc().sc().getPersistentRDDs()).keySet());
  }

  private static TrainingStrategy strategy(JobSpec spec, MultiLayerNetwork net) throws Exception {
    String export = java.nio.file.Files.createTempDirectory("export").toUri().toString();
    return TrainingStrategies.create(
        StrategyContext.builder().sparkContext(sc()).spec(spec).network(net).exportDir(export).build());
  }

  @Test
  void oneWorkerFrequencyOneEqualsSingleMachine() throws Exception {
    for (String updater : List.of("adam", "nesterov")) {
      JobSpec spec = spec(updater, 1, 1);
      List<DataSet> batches = batches(7, 16, 5, 3);
      MultiLayerNetwork single = NetworkFactory.network(spec, 5, 3);
      MultiLayerNetwork start = single.clone();
      INDArray initial = single.params().dup();
      for (int e = 1; e <= spec.training().epochs(); e++) {
        for (DataSet b : ShuffleBuffer.order(batches, SynchronousStrategy.SHUFFLE_BUFFER, ShuffleBuffer.seed(spec.seed(), e, 0))) {
          single.fit(b);
        }
      }
      JavaRDD<DataSet> rdd = sc().parallelize(copies(batches), 1).cache();
      try (TrainingStrategy strategy = strategy(spec, start)) {
        for (int e = 1; e <= spec.training().epochs(); e++) {
          double loss = strategy.fitEpoch(rdd, e);
          assertTrue(Double.isFinite(loss), "epoch loss " + loss);
        }
        double diff = strategy.network().params().sub(single.params()).amaxNumber().doubleValue();
        double moved = single.params().sub(initial).amaxNumber().doubleValue();
        assertTrue(moved > 1e-3, "training must move the parameters, moved " + moved);
        assertTrue(diff <= 1e-5, updater + ": max parameter difference " + diff);
        assertEquals(single.getIterationCount(), strategy.network().getIterationCount());
        double updaterDiff =
            strategy.network().getUpdater().getStateViewArray()
                .sub(single.getUpdater().getStateViewArray()).amaxNumber().doubleValue();
        assertTrue(updaterDiff <= 1e-5, updater + ": max updater-state difference " + updaterDiff);
      } finally {
        rdd.unpersist(false);
      }
    }
  }

  @Test
  void twoWorkersLearnAndResumeExactly() throws Exception {
    JobSpec spec = spec("adam", 2, 3);
    List<DataSet> batches = batches(24, 16, 5, 3);
    JavaRDD<DataSet> rdd = sc().parallelize(copies(batches), 3).cache();
    MultiLayerNetwork net = NetworkFactory.network(spec, 5, 3);
    MultiLayerNetwork start = net.clone();
    double first;
    double last = Double.NaN;
    MultiLayerNetwork afterTwo;
    Object spread;
    // Ids, not counts: Spark's cleaner may drop other tests' RDDs from the shared session meanwhile.
    java.util.Set<Object> cachedBefore = cachedIds();
    try (TrainingStrategy strategy = strategy(spec, net)) {
      first = strategy.fitEpoch(rdd, 1);
      // 3 partitions for 2 workers: spread by a shuffle, whose result takes the data's place in the cache
      assertEquals(org.apache.spark.storage.StorageLevel.NONE(), rdd.getStorageLevel());
      java.util.Set<Object> added = cachedIds();
      added.removeAll(cachedBefore);
      assertEquals(1, added.size(), "one cached copy, the spread one: " + added);
      spread = added.iterator().next();
      strategy.fitEpoch(rdd, 2);
      afterTwo = strategy.network().clone();
      for (int e = 3; e <= 6; e++) {
        last = strategy.fitEpoch(rdd, e);
      }
      assertEquals(2, strategy.workers());
      assertTrue(last < first * 0.8, "the loss must fall: first epoch " + first + ", last " + last);
      assertTrue(score(strategy.network(), batches) < score(start, batches), "the network must fit better than at the start");

      // A second strategy continuing from the network after epoch 2 (as a resumed run does).
      try (TrainingStrategy resumed = strategy(spec, afterTwo)) {
        for (int e = 3; e <= 6; e++) {
          resumed.fitEpoch(rdd, e);
        }
        double diff = resumed.network().params().sub(strategy.network().params()).amaxNumber().doubleValue();
        assertTrue(diff == 0.0, "a resumed run must end with the same parameters; max difference " + diff);
        // Both kept each worker's network between epochs and skipped restoring the state it held
        // (epochs 2-6, and 4-6 of the resumed one, whose epoch 3 restored the broadcast state), and
        // still ended bit for bit alike.
        assertEquals(10, ((SynchronousStrategy) strategy).statesKept());
        assertEquals(6, ((SynchronousStrategy) resumed).statesKept());
      }
    } finally {
      rdd.unpersist(false);
    }
    assertFalse(cachedIds().contains(spread), "closed strategies drop their cached copies");
  }

  /**
   * The start state is broadcast only when a worker may lack it. When an executor no longer holds
   * its worker's network (as a new or restarted executor would not), the stage fails and runs again
   * with the broadcast, and the run ends where an uninterrupted one ends.
   */
  @Test
  void keptStatesAreNotBroadcastAndAWorkerThatLostItsNetworkTrainsAgainWithTheBroadcast() throws Exception {
    JobSpec spec = spec("adam", 2, 3);
    List<DataSet> batches = batches(24, 16, 5, 3);
    JavaRDD<DataSet> rdd = sc().parallelize(copies(batches), 2).cache();
    MultiLayerNetwork start = NetworkFactory.network(spec, 5, 3);
    try (TrainingStrategy plain = strategy(spec, start.clone()); TrainingStrategy lost = strategy(spec, start.clone())) {
      SynchronousStrategy p = (SynchronousStrategy) plain;
      SynchronousStrategy l = (SynchronousStrategy) lost;
      long stateBytes = 4L * (start.numParams() + start.getUpdater(true).getStateViewArray().length());
      // One run after the other: an executor keeps the networks of one run at a time.
      for (int e = 1; e <= 4; e++) {
        plain.fitEpoch(rdd, e);
      }
      for (int e = 1; e <= 4; e++) {
        if (e == 3) {
          WorkerNetworks.forget(l.runId()); // both workers' networks gone before epoch 3
        }
        lost.fitEpoch(rdd, e);
      }
      assertEquals(stateBytes, p.broadcastBytes(), "only epoch 1's start state was broadcast");
      assertEquals(6, p.statesKept());
      assertEquals(2 * stateBytes, l.broadcastBytes(), "epoch 1, and epoch 3 again after its workers lost their networks");
      assertEquals(4, l.statesKept(), "epochs 2 and 4");
      double diff = lost.network().params().sub(plain.network().params()).amaxNumber().doubleValue();
      assertTrue(diff == 0.0, "the same parameters after 4 epochs; max difference " + diff);
      assertEquals(plain.network().getIterationCount(), lost.network().getIterationCount());
    } finally {
      rdd.unpersist(false);
    }
  }

  /** A worker without minibatches joins the round with weight 0 (one partition spread over two workers). */
  @Test
  void moreWorkersThanMinibatches() throws Exception {
    JobSpec spec = spec("adam", 2, 2);
    List<DataSet> batches = batches(1, 16, 5, 3);
    JavaRDD<DataSet> rdd = sc().parallelize(copies(batches), 1).cache();
    try (TrainingStrategy strategy = strategy(spec, NetworkFactory.network(spec, 5, 3))) {
      double loss = strategy.fitEpoch(rdd, 1);
      assertTrue(Double.isFinite(loss), "loss " + loss);
      assertEquals(2, strategy.workers());
      assertEquals(1, strategy.network().getIterationCount(), "one round of one minibatch");
    } finally {
      rdd.unpersist(false);
    }
  }

  /** More workers than the two local slots: refused before any training, saying what to change. */
  @Test
  void moreWorkersThanTaskSlotsIsRefused() throws Exception {
    JobSpec spec = spec("adam", 4, 2);
    JavaRDD<DataSet> rdd = sc().parallelize(copies(batches(4, 16, 5, 3)), 2);
    MultiLayerNetwork net = NetworkFactory.network(spec, 5, 3);
    INDArray before = net.params().dup();
    try (TrainingStrategy strategy = strategy(spec, net)) {
      org.sparktrain.spec.SpecException e =
          org.junit.jupiter.api.Assertions.assertThrows(org.sparktrain.spec.SpecException.class, () -> strategy.fitEpoch(rdd, 1));
      String m = e.getMessage();
      assertTrue(m.startsWith("strategy.workers"), m);
      assertTrue(m.contains("4 workers as one barrier stage") && m.contains("offers 2") && m.contains("at most 2"), m);
      assertEquals(before, strategy.network().params(), "nothing trained");
    }
  }

  private static double score(MultiLayerNetwork net, List<DataSet> batches) {
    return net.score(DataSet.merge(batches), false);
  }

  private static List<DataSet> copies(List<DataSet> batches) {
    List<DataSet> out = new ArrayList<>();
    for (DataSet b : batches) {
      out.add(b.copy());
    }
    return out;
  }

  /** Minibatches of a learnable problem: the class is the largest of the first three inputs. */
  private static List<DataSet> batches(int count, int n, int in, int classes) {
    Nd4j.getRandom().setSeed(11);
    List<DataSet> out = new ArrayList<>();
    for (int b = 0; b < count; b++) {
      INDArray x = Nd4j.rand(DataType.FLOAT, n, in);
      INDArray y = Nd4j.zeros(DataType.FLOAT, n, classes);
      for (int i = 0; i < n; i++) {
        int best = 0;
        for (int c = 1; c < classes; c++) {
          if (x.getFloat(i, c) > x.getFloat(i, best)) {
            best = c;
          }
        }
        y.putScalar(i, best, 1f);
      }
      out.add(new DataSet(x, y));
    }
    return out;
  }
}
