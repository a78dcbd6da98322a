package org.sparktrain.bench;

import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.SparkContext;
import org.apache.spark.executor.TaskMetrics;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerBlockUpdated;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.storage.BlockUpdatedInfo;

/**
 * Bytes moved by Spark while it is registered: shuffle bytes written (from task metrics) and
 * broadcast bytes created on the driver (the sizes of the broadcast pieces the driver stores, from
 * block-update events).
 */
final class Traffic extends SparkListener {
  private final AtomicLong shuffleWrite = new AtomicLong();
  private final AtomicLong shuffleRead = new AtomicLong();
  private final AtomicLong broadcast = new AtomicLong();
  private final AtomicLong tasks = new AtomicLong();

  @Override
  public void onTaskEnd(SparkListenerTaskEnd end) {
    TaskMetrics m = end.taskMetrics();
    tasks.incrementAndGet();
    if (m == null) {
      return;
    }
    shuffleWrite.addAndGet(m.shuffleWriteMetrics().bytesWritten());
    shuffleRead.addAndGet(m.shuffleReadMetrics().totalBytesRead());
  }

  @Override
  public void onBlockUpdated(SparkListenerBlockUpdated event) {
    BlockUpdatedInfo info = event.blockUpdatedInfo();
    if (info.blockId().isBroadcast()
        && info.blockId().name().contains("_piece")
        && info.storageLevel().isValid()
        && "driver".equals(info.blockManagerId().executorId())) {
      broadcast.addAndGet(info.memSize() + info.diskSize());
    }
  }

  /** Waits until Spark has delivered every event posted so far. */
  static void drain(SparkContext sc) {
    try {
      sc.listenerBus().waitUntilEmpty(60_000);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("Spark's listener bus did not drain within 60 s", e);
    }
  }

  void reset() {
    shuffleWrite.set(0);
    shuffleRead.set(0);
    broadcast.set(0);
    tasks.set(0);
  }

  long shuffleBytes() {
    return shuffleWrite.get();
  }

  long shuffleReadBytes() {
    return shuffleRead.get();
  }

  long broadcastBytes() {
    return broadcast.get();
  }

  long tasks() {
    return tasks.get();
  }
}
