package org.sparktrain.strategy;

import org.apache.spark.BarrierTaskContext;

/**
 * {@link BarrierTaskContext#allGather} without Spark's one-second poll. Spark 3.5's {@code
 * runBarrier} sends the request to the driver's barrier coordinator and then sleeps in steps of
 * 1,000 ms until the reply has arrived, so every call costs a second or more even when all tasks
 * arrive together: measured as most of the workers' 1.1-1.9 s set-up of a {@code synchronous}
 * epoch on the standalone cluster. That loop catches an interrupt of its sleep and looks at the
 * reply again. So while the task's thread sleeps there, a helper thread interrupts it every
 * {@link #WAKE_MILLIS} ms; nothing else in the task is interrupted (the helper checks that the
 * thread is in {@code Thread.sleep} called from {@code runBarrier}), and the interrupt status is
 * cleared before returning (a kill of the task by Spark is honoured right after). With {@code
 * -Dorg.sparktrain.barrier.wakeup=false} (on the executors) Spark's own call runs unchanged.
 */
final class BarrierGather {
  static final long WAKE_MILLIS = 2;
  static final boolean ENABLED = !"false".equals(System.getProperty("org.sparktrain.barrier.wakeup"));

  private BarrierGather() {}

  /** Every task's {@code message}, in partition order, as {@link BarrierTaskContext#allGather}. */
  static String[] allGather(BarrierTaskContext tc, String message) {
    if (!ENABLED) {
      return tc.allGather(message);
    }
    Thread task = Thread.currentThread();
    Waker waker = new Waker(task);
    Thread helper = new Thread(waker, "sparktrain-barrier-wakeup");
    helper.setDaemon(true);
    helper.start();
    try {
      return tc.allGather(message);
    } finally {
      waker.stop();
      // a wake-up that arrived after the reply must not reach the sockets this task opens next
      Thread.interrupted();
      tc.killTaskIfInterrupted();
    }
  }

  /** Whether {@code stack} is a thread sleeping in Spark's barrier poll. */
  static boolean inBarrierSleep(StackTraceElement[] stack) {
    if (stack.length == 0 || !"java.lang.Thread".equals(stack[0].getClassName())
        || !stack[0].getMethodName().startsWith("sleep")) {
      return false;
    }
    for (int i = 1; i < Math.min(stack.length, 8); i++) {
      if ("org.apache.spark.BarrierTaskContext".equals(stack[i].getClassName())
          && stack[i].getMethodName().equals("runBarrier")) {
        return true;
      }
    }
    return false;
  }

  /** Interrupts the task's thread whenever it sleeps in the barrier poll, until stopped. */
  private static final class Waker implements Runnable {
    private final Thread task;
    private boolean active = true;

    Waker(Thread task) {
      this.task = task;
    }

    synchronized void stop() {
      active = false;
    }

    @Override
    public void run() {
      while (true) {
        synchronized (this) {
          if (!active) {
            return;
          }
          if (task.getState() == Thread.State.TIMED_WAITING && inBarrierSleep(task.getStackTrace())) {
            task.interrupt();
          }
        }
        try {
          Thread.sleep(WAKE_MILLIS);
        } catch (InterruptedException e) {
          return;
        }
      }
    }
  }
}
