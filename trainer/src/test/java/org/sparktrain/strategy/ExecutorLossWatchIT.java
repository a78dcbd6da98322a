package org.sparktrain.strategy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.spark.SparkContext;
import org.apache.spark.SparkException;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.scheduler.SparkListenerExecutorRemoved;
import org.junit.jupiter.api.Test;
import org.sparktrain.TestSpark;

/**
 * The listener behind gradient sharing's recovery, on the shared local session: a loss before
 * training is ignored, one during an epoch cancels the running job at once, one between epochs is
 * only recorded.
 */
class ExecutorLossWatchIT {
  private static SparkContext sc() {
    return TestSpark.session().sparkContext();
  }

  private static SparkListenerExecutorRemoved removed(String id) {
    return new SparkListenerExecutorRemoved(System.currentTimeMillis(), id, "worker lost: test");
  }

  @Test
  void aLossBeforeTrainingIsIgnored() {
    ExecutorLossWatch watch = new ExecutorLossWatch(sc());
    try {
      watch.onExecutorRemoved(removed("7"));
      assertNull(watch.lost());
    } finally {
      watch.close();
    }
  }

  /** Counted down by the task below once it runs (local mode: the task runs in this JVM). */
  static final CountDownLatch TASK_RUNS = new CountDownLatch(1);

  @Test
  void aLossDuringAnEpochCancelsItsRunningJob() throws Exception {
    ExecutorLossWatch watch = new ExecutorLossWatch(sc());
    try {
      watch.epochStarts();
      Thread loss =
          new Thread(
              () -> {
                try {
                  // Once the task runs, as an epoch's training tasks would.
                  if (TASK_RUNS.await(60, TimeUnit.SECONDS)) {
                    watch.onExecutorRemoved(removed("1"));
                  }
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              });
      loss.start();
      long t0 = System.nanoTime();
      SparkException e =
          assertThrows(
              SparkException.class,
              () ->
                  JavaSparkContext.fromSparkContext(sc())
                      .parallelize(List.of(1), 1)
                      .map(
                          x -> {
                            TASK_RUNS.countDown();
                            // A task that would outlast the test, unless Spark kills it.
                            long end = System.nanoTime() + 60_000_000_000L;
                            while (!TaskContext.get().isInterrupted() && System.nanoTime() < end) {
                              Thread.sleep(20);
                            }
                            return x;
                          })
                      .collect());
      loss.join();
      assertTrue(String.valueOf(e.getMessage()).contains("cancelled"), e.toString());
      assertTrue((System.nanoTime() - t0) / 1e9 < 30, "the job was cancelled at once");
      assertEquals("executor 1 (worker lost: test)", watch.lost());
      // Only the first loss is reported.
      watch.onExecutorRemoved(removed("2"));
      assertEquals("executor 1 (worker lost: test)", watch.lost());
    } finally {
      watch.close();
    }
  }

  @Test
  void aLossBetweenEpochsIsRecordedAndCancelsNothing() {
    ExecutorLossWatch watch = new ExecutorLossWatch(sc());
    try {
      watch.epochStarts();
      watch.epochEnded();
      watch.onExecutorRemoved(removed("3"));
      assertEquals("executor 3 (worker lost: test)", watch.lost());
      // Evaluation jobs still run.
      assertEquals(3L, JavaSparkContext.fromSparkContext(sc()).parallelize(List.of(1, 2, 3), 2).count());
    } finally {
      watch.close();
    }
  }
}
