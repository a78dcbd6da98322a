package org.sparktrain.train;

import java.io.PrintStream;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.apache.spark.scheduler.AccumulableInfo;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerExecutorMetricsUpdate;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.scheduler.SparkListenerTaskStart;
import org.sparktrain.strategy.FedMinibatches;
import scala.Tuple4;
import scala.collection.JavaConverters;

/**
 * The live console line of an epoch: minibatches done of the expected total, samples/s and ETA.
 * Workers may live in other JVMs, so the count comes from the Spark accumulators with which the
 * workers report each fitted minibatch's loss: the values of finished tasks (task end) plus the
 * partial values of running tasks that executors send with their heartbeats. Gradient sharing keeps
 * its workers' listeners for the whole run, so its tasks count the minibatches they hand to DL4J's
 * training wrapper instead ({@link FedMinibatches}); where no task reports any
 * count, the line shows finished tasks and elapsed time.
 *
 * <p>On a terminal the line is rewritten in place every second; otherwise a plain line is printed
 * every 10% of the epoch or every 10 seconds, whichever comes first.
 */
final class Progress extends SparkListener implements AutoCloseable {
  /** The accumulators the workers' loss listener adds one to per fitted minibatch. */
  static final String[] MINIBATCH_ACCUMULATORS = {
    "sparktrain.train_loss_count", "sparktrain.train_loss_non_finite"
  };

  static final long PLAIN_EVERY_NANOS = 10_000_000_000L;

  private final PrintStream out;
  private final boolean terminal;
  private final LongSupplier clock;
  private final ScheduledExecutorService ticker;

  private boolean active;
  private int epoch;
  private int epochs;
  private long total;
  private int batchSize;
  private long startNanos;
  private long finished;
  private final Map<Long, Long> running = new HashMap<>();
  private long tasksStarted;
  private long tasksDone;
  private long lastPlainNanos;
  // the first count seen: the rate is measured from there, leaving out the epoch's set-up (the
  // first epoch exports the minibatches before any is fitted)
  private long firstCountNanos = -1;
  private long firstCount;
  private int lastPlainDecile;
  private int lastWidth;

  /**
   * @param terminal whether {@code out} is a terminal: rewrite one line with {@code \r}
   * @param clock nanoseconds, {@link System#nanoTime} outside tests
   */
  Progress(PrintStream out, boolean terminal, LongSupplier clock, boolean tick) {
    this.out = out;
    this.terminal = terminal;
    this.clock = clock;
    if (tick) {
      this.ticker =
          Executors.newSingleThreadScheduledExecutor(
              r -> {
                Thread t = new Thread(r, "sparktrain-progress");
                t.setDaemon(true);
                return t;
              });
      ticker.scheduleAtFixedRate(this::tick, 1, 1, TimeUnit.SECONDS);
    } else {
      this.ticker = null;
    }
  }

  /** Progress on stderr, in place when it is a terminal. */
  static Progress console() {
    return new Progress(System.err, System.console() != null, System::nanoTime, true);
  }

  /** Starts counting an epoch of about {@code minibatches} minibatches of {@code batchSize}. */
  synchronized void start(int epoch, int epochs, long minibatches, int batchSize) {
    this.epoch = epoch;
    this.epochs = epochs;
    this.total = minibatches;
    this.batchSize = batchSize;
    this.startNanos = clock.getAsLong();
    this.lastPlainNanos = startNanos;
    this.lastPlainDecile = 0;
    this.finished = 0;
    this.running.clear();
    this.tasksStarted = 0;
    this.tasksDone = 0;
    this.firstCountNanos = -1;
    this.firstCount = 0;
    this.active = true;
  }

  /** Ends the epoch's line; the epoch's summary line follows it. */
  synchronized void stop() {
    if (!active) {
      return;
    }
    active = false;
    if (terminal) {
      out.print("\r" + " ".repeat(lastWidth) + "\r");
      out.flush();
      lastWidth = 0;
    }
  }

  @Override
  public synchronized void onTaskStart(SparkListenerTaskStart taskStart) {
    if (active) {
      tasksStarted++;
    }
  }

  @Override
  public synchronized void onTaskEnd(SparkListenerTaskEnd taskEnd) {
    if (!active || taskEnd.taskInfo() == null) {
      return;
    }
    taskEnded(taskEnd.taskInfo().taskId(), minibatches(taskEnd.taskInfo().accumulables()));
  }

  /** A task finished after fitting {@code minibatches}. */
  synchronized void taskEnded(long taskId, long minibatches) {
    running.remove(taskId);
    tasksDone++;
    finished += minibatches;
    counted();
    tick();
  }

  /** A running task reported (with an executor heartbeat) that it has fitted {@code minibatches}. */
  synchronized void taskRunning(long taskId, long minibatches) {
    if (active && minibatches > 0) {
      running.put(taskId, minibatches);
      counted();
    }
  }

  @Override
  public synchronized void onExecutorMetricsUpdate(SparkListenerExecutorMetricsUpdate update) {
    if (!active) {
      return;
    }
    for (Tuple4<Object, Object, Object, scala.collection.Seq<AccumulableInfo>> task :
        JavaConverters.seqAsJavaList(update.accumUpdates())) {
      taskRunning((Long) task._1(), minibatches(task._4()));
    }
    tick();
  }

  /**
   * A task's minibatches: those whose loss it reported, or those it handed to a training wrapper,
   * whichever is more (a task may report both; they count the same minibatches).
   */
  private static long minibatches(scala.collection.Seq<AccumulableInfo> infos) {
    long fitted = 0;
    long fed = 0;
    for (AccumulableInfo info : JavaConverters.seqAsJavaList(infos)) {
      if (info.name().isDefined() && info.update().isDefined() && info.update().get() instanceof Number v) {
        String name = info.name().get();
        for (String counted : MINIBATCH_ACCUMULATORS) {
          if (counted.equals(name)) {
            fitted += v.longValue();
          }
        }
        if (FedMinibatches.ACCUMULATOR.equals(name)) {
          fed += v.longValue();
        }
      }
    }
    return Math.max(fitted, fed);
  }

  private void counted() {
    if (firstCountNanos < 0 && done() > 0) {
      firstCountNanos = clock.getAsLong();
      firstCount = done();
    }
  }

  /** Minibatches done so far in the epoch: finished tasks plus running ones' last heartbeat. */
  synchronized long done() {
    long n = finished;
    for (long r : running.values()) {
      n += r;
    }
    return n;
  }

  /** Prints the line when due: every call on a terminal, every 10% or 10 s otherwise. */
  synchronized void tick() {
    if (!active) {
      return;
    }
    long now = clock.getAsLong();
    String line = line(now);
    if (terminal) {
      int pad = Math.max(0, lastWidth - line.length());
      out.print("\r" + line + " ".repeat(pad));
      out.flush();
      lastWidth = line.length();
      return;
    }
    long done = done();
    int decile = total > 0 ? (int) Math.min(10, done * 10 / total) : 0;
    if (decile > lastPlainDecile || now - lastPlainNanos >= PLAIN_EVERY_NANOS) {
      lastPlainDecile = Math.max(lastPlainDecile, decile);
      lastPlainNanos = now;
      out.println(line);
      out.flush();
    }
  }

  synchronized String line(long now) {
    double elapsed = Math.max(1e-9, (now - startNanos) / 1e9);
    long done = done();
    StringBuilder sb = new StringBuilder();
    sb.append("epoch ").append(epoch).append('/').append(epochs);
    if (done > 0) {
      long shownTotal = Math.max(total, done);
      double since = (now - firstCountNanos) / 1e9;
      double rate = firstCountNanos >= 0 && since >= 1 && done > firstCount ? (done - firstCount) / since : done / elapsed;
      sb.append(String.format("  minibatch %d/%d (%d%%)", done, shownTotal, done * 100 / shownTotal));
      sb.append(String.format("  %,.0f samples/s", rate * batchSize));
      sb.append("  ETA ").append(clockTime((shownTotal - done) / rate));
    } else {
      sb.append(String.format("  tasks %d/%d", tasksDone, Math.max(tasksDone, tasksStarted)));
    }
    sb.append("  elapsed ").append(clockTime(elapsed));
    return sb.toString();
  }

  static String clockTime(double seconds) {
    long s = Math.round(Math.max(0, seconds));
    return s >= 3600
        ? String.format("%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
        : String.format("%d:%02d", s / 60, s % 60);
  }

  @Override
  public void close() {
    stop();
    if (ticker != null) {
      ticker.shutdownNow();
    }
  }
}
