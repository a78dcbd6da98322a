package org.sparktrain.strategy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
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
 * The synchronous strategy's epoch as one barrier stage on local[2] with two workers: exactly one
 * Spark job per epoch, the parameters and updater state of a plain one-process computation of the
 * same averaging schedule (each worker's shuffled stream, rounds of K minibatches from the common
 * state, the mean in rank order), and the same bytes in two runs.
 */
class SynchronousBarrierIT {
  private static final int K = 3;

  private static JobSpec spec() {
    return TestJobs.parse(
        """
        name: barrier
        seed: 5
        data: {format: csv, path: unused.csv, label: {column: y, kind: class_index}}
        model:
          layers:
            - {type: dense, units: 8, activation: tanh}
            - {type: output, units: 3, loss: categorical_crossentropy}
        training: {epochs: 2, batch_size: 16, updater: adam, learning_rate: 0.05}
        strategy: {type: synchronous, workers: 2, averaging_frequency: 3}
        """);
  }

  private static JavaSparkContext sc() {
    return JavaSparkContext.fromSparkContext(TestSpark.session().sparkContext());
  }

  private static TrainingStrategy strategy(JobSpec spec, MultiLayerNetwork net) throws Exception {
    String export = java.nio.file.Files.createTempDirectory("export").toUri().toString();
    return TrainingStrategies.create(
        StrategyContext.builder().sparkContext(sc()).spec(spec).network(net).exportDir(export).build());
  }

  /** Jobs started while {@code run} runs. */
  private static int jobsDuring(Runnable run) throws Exception {
    AtomicInteger jobs = new AtomicInteger();
    SparkListener listener =
        new SparkListener() {
          @Override
          public void onJobStart(SparkListenerJobStart start) {
            jobs.incrementAndGet();
          }
        };
    sc().sc().listenerBus().waitUntilEmpty(30_000);
    sc().sc().addSparkListener(listener);
    try {
      run.run();
      sc().sc().listenerBus().waitUntilEmpty(30_000);
    } finally {
      sc().sc().removeSparkListener(listener);
    }
    return jobs.get();
  }

  /** Two epochs; returns the parameters then updater state, and checks each epoch after the first is one job. */
  private static float[][] train(JobSpec spec, MultiLayerNetwork start, JavaRDD<DataSet> rdd) throws Exception {
    try (TrainingStrategy strategy = strategy(spec, start.clone())) {
      strategy.fitEpoch(rdd, 1); // counts the partitions once, then trains
      int jobs = jobsDuring(() -> strategy.fitEpoch(rdd, 2));
      assertEquals(1, jobs, "epoch 2 must run as exactly one Spark job");
      MultiLayerNetwork net = strategy.network();
      return new float[][] {
        net.params().toFloatVector(), net.getUpdater().getStateViewArray().toFloatVector(), {net.getIterationCount()}
      };
    }
  }

  @Test
  void oneJobPerEpochEqualToOneProcessAndDeterministic() throws Exception {
    JobSpec spec = spec();
    // 5 and 7 minibatches: worker 0 sits out the last round with weight 0.
    // parallelize cuts 13 into 6 and 7; the first of partition 0 is dropped.
    List<DataSet> all = batches(13, 1);
    List<DataSet> part0 = all.subList(1, 6);
    List<DataSet> part1 = all.subList(6, 13);
    MultiLayerNetwork start = NetworkFactory.network(spec, 5, 3);
    start.getUpdater(true);
    JavaRDD<DataSet> rdd =
        sc().parallelize(copies(all), 2)
            .mapPartitionsWithIndex((Integer p, java.util.Iterator<DataSet> it) -> {
              if (p == 0) {
                it.next();
              }
              return it;
            }, true)
            .cache();
    assertEquals(2, rdd.getNumPartitions());
    try {
      float[][] first = train(spec, start, rdd);
      float[][] second = train(spec, start, rdd);
      assertArrayEquals(first[0], second[0], "parameters of two runs, bit for bit");
      assertArrayEquals(first[1], second[1], "updater state of two runs, bit for bit");

      float[][] expected = oneProcess(spec, start, List.of(part0, part1), 2);
      float maxDiff = 0;
      for (int i = 0; i < expected[0].length; i++) {
        maxDiff = Math.max(maxDiff, Math.abs(expected[0][i] - first[0][i]));
      }
      float maxUpdaterDiff = 0;
      for (int i = 0; i < expected[1].length; i++) {
        maxUpdaterDiff = Math.max(maxUpdaterDiff, Math.abs(expected[1][i] - first[1][i]));
      }
      assertTrue(maxDiff <= 1e-6, "parameters against the one-process schedule: max difference " + maxDiff);
      assertTrue(maxUpdaterDiff <= 1e-6, "updater state against the one-process schedule: max difference " + maxUpdaterDiff);
      assertEquals(expected[2][0], first[2][0], "iterations");
      assertEquals(14, (int) first[2][0], "2 epochs of 3 rounds: 3 + 3 + 1 minibatches each");
      float moved = 0;
      float[] initial = start.params().toFloatVector();
      for (int i = 0; i < initial.length; i++) {
        moved = Math.max(moved, Math.abs(initial[i] - first[0][i]));
      }
      assertTrue(moved > 1e-3, "training must move the parameters: " + moved);
    } finally {
      rdd.unpersist(false);
    }
  }

  /**
   * The averaging schedule in this process: per epoch, each worker's minibatches in its shuffle
   * buffer's order; every round each worker that has minibatches left fits up to K of them from the
   * common state, and the state becomes their mean (summed in worker order); the iteration count
   * grows by the most minibatches fitted.
   */
  private static float[][] oneProcess(JobSpec spec, MultiLayerNetwork start, List<List<DataSet>> parts, int epochs) {
    float[] params = start.params().toFloatVector();
    float[] updater = start.getUpdater(true).getStateViewArray().toFloatVector();
    int iteration = start.getIterationCount();
    for (int e = 1; e <= epochs; e++) {
      List<List<DataSet>> orders = new ArrayList<>();
      int longest = 0;
      for (int p = 0; p < parts.size(); p++) {
        orders.add(ShuffleBuffer.order(parts.get(p), SynchronousStrategy.SHUFFLE_BUFFER, ShuffleBuffer.seed(spec.seed(), e, p)));
        longest = Math.max(longest, parts.get(p).size());
      }
      for (int from = 0; from < longest; from += K) {
        float[] sumP = new float[params.length];
        float[] sumU = new float[updater.length];
        int contributing = 0;
        int most = 0;
        for (List<DataSet> order : orders) {
          if (from >= order.size()) {
            continue;
          }
          MultiLayerNetwork w = start.clone();
          w.setParams(Nd4j.createFromArray(params).reshape(w.params().shape()));
          INDArray view = w.getUpdater(true).getStateViewArray();
          view.assign(Nd4j.createFromArray(updater).reshape(view.shape()));
          w.setIterationCount(iteration);
          int to = Math.min(order.size(), from + K);
          for (int i = from; i < to; i++) {
            w.fit(order.get(i));
          }
          most = Math.max(most, to - from);
          contributing++;
          float[] p = w.params().toFloatVector();
          float[] u = view.toFloatVector();
          for (int i = 0; i < p.length; i++) {
            sumP[i] += p[i];
          }
          for (int i = 0; i < u.length; i++) {
            sumU[i] += u[i];
          }
        }
        float scale = 1f / contributing;
        for (int i = 0; i < sumP.length; i++) {
          params[i] = sumP[i] * scale;
        }
        for (int i = 0; i < sumU.length; i++) {
          updater[i] = sumU[i] * scale;
        }
        iteration += most;
      }
    }
    return new float[][] {params, updater, {iteration}};
  }

  private static List<DataSet> copies(List<DataSet> batches) {
    List<DataSet> out = new ArrayList<>();
    for (DataSet b : batches) {
      out.add(b.copy());
    }
    return out;
  }

  /** Minibatches of a learnable problem: the class is the largest of the first three inputs. */
  private static List<DataSet> batches(int count, long seed) {
    Nd4j.getRandom().setSeed(seed);
    List<DataSet> out = new ArrayList<>();
    for (int b = 0; b < count; b++) {
      INDArray x = Nd4j.rand(DataType.FLOAT, 16, 5);
      INDArray y = Nd4j.zeros(DataType.FLOAT, 16, 3);
      for (int i = 0; i < 16; i++) {
        int best = 0;
        for (int c = 1; c < 3; c++) {
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
