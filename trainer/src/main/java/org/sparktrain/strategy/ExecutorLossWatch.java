package org.sparktrain.strategy;

import org.apache.spark.SparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerExecutorRemoved;

/**
 * Notices executors leaving the application once training has begun, and cancels a running
 * epoch's jobs at once. DL4J's gradient-sharing mesh cannot drop a member: the driver keeps
 * resending every update to the dead one (Aeron answers NOT_CONNECTED and DL4J retries forever),
 * applies no more, and the epoch hangs or ends with the driver's network unchanged. A loss between
 * epochs is only recorded: the evaluation jobs then running need no mesh, and Spark re-runs their
 * lost tasks.
 */
final class ExecutorLossWatch extends SparkListener {
  private final SparkContext sc;
  private volatile boolean armed;
  private volatile boolean inEpoch;
  private volatile String lost;

  ExecutorLossWatch(SparkContext sc) {
    this.sc = sc;
    sc.addSparkListener(this);
  }

  /**
   * An epoch's training jobs start: a removed executor was (or may have been) a member of the
   * mesh from now on.
   */
  void epochStarts() {
    armed = true;
    inEpoch = true;
  }

  void epochEnded() {
    inEpoch = false;
  }

  /** The first loss seen since training began, e.g. {@code executor 1 (worker lost)}; null if none. */
  String lost() {
    return lost;
  }

  @Override
  public void onExecutorRemoved(SparkListenerExecutorRemoved removed) {
    if (!armed || lost != null) {
      return;
    }
    lost = "executor " + removed.executorId() + " (" + removed.reason() + ")";
    if (inEpoch) {
      // Fails the running epoch at once; its tasks would wait for the lost member.
      sc.cancelAllJobs();
    }
  }

  void close() {
    sc.removeSparkListener(this);
  }
}
