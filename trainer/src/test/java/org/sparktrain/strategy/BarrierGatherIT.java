package org.sparktrain.strategy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.BarrierTaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;
import org.sparktrain.TestSpark;

/**
 * The allGather of a real barrier stage through {@link BarrierGather}: every task gets every
 * message in partition order, call after call, and no task is left with its interrupt status set.
 */
class BarrierGatherIT {
  @Test
  void everyTaskGetsEveryMessageInOrderAndIsNotLeftInterrupted() {
    JavaSparkContext sc = JavaSparkContext.fromSparkContext(TestSpark.session().sparkContext());
    List<Integer> parts = List.of(0, 1);
    JavaRDD<String> out =
        new JavaRDD<>(
            sc.parallelize(parts, 2).rdd().barrier().mapPartitions(
                new ThreeGathers(),
                false,
                scala.reflect.ClassTag$.MODULE$.apply(String.class)),
            scala.reflect.ClassTag$.MODULE$.apply(String.class));
    List<String> lines = out.collect();
    System.out.println("BarrierGatherIT: " + lines);
    assertEquals(8, lines.size(), lines.toString());
    for (int task = 0; task < 2; task++) {
      for (int call = 0; call < 3; call++) {
        assertEquals("call " + call + " from 0,call " + call + " from 1", lines.get(task * 4 + call), lines.toString());
      }
      assertTrue(lines.get(task * 4 + 3).endsWith("ms for 3 calls"), lines.toString());
    }
    assertFalse(lines.toString().contains("INTERRUPTED"), lines.toString());
  }

  /** Three allGathers in a row in each task; what each returned, and the seconds they took. */
  static final class ThreeGathers
      extends scala.runtime.AbstractFunction1<scala.collection.Iterator<Integer>, scala.collection.Iterator<String>>
      implements java.io.Serializable {
    private static final long serialVersionUID = 1L;

    @Override
    public scala.collection.Iterator<String> apply(scala.collection.Iterator<Integer> it) {
      BarrierTaskContext tc = BarrierTaskContext.get();
      List<String> seen = new ArrayList<>();
      long t0 = System.nanoTime();
      for (int call = 0; call < 3; call++) {
        String[] all = BarrierGather.allGather(tc, "call " + call + " from " + tc.partitionId());
        seen.add(String.join(",", all) + (Thread.currentThread().isInterrupted() ? " INTERRUPTED" : ""));
      }
      seen.add(String.format("%.0f ms for 3 calls", (System.nanoTime() - t0) / 1e6));
      return scala.collection.JavaConverters.asScalaIterator(seen.iterator());
    }
  }

  @Test
  void onlyASleepInsideSparksBarrierPollIsWokenUp() {
    StackTraceElement sleep = new StackTraceElement("java.lang.Thread", "sleep", null, -2);
    StackTraceElement poll = new StackTraceElement("org.apache.spark.BarrierTaskContext", "runBarrier", "BarrierTaskContext.scala", 113);
    StackTraceElement other = new StackTraceElement("org.sparktrain.strategy.AllReduce", "connect", "AllReduce.java", 120);
    assertTrue(BarrierGather.inBarrierSleep(new StackTraceElement[] {sleep, poll}));
    assertFalse(BarrierGather.inBarrierSleep(new StackTraceElement[] {sleep, other}), "a sleep elsewhere");
    assertFalse(BarrierGather.inBarrierSleep(new StackTraceElement[] {other, poll}), "not sleeping");
    assertFalse(BarrierGather.inBarrierSleep(new StackTraceElement[0]));
  }
}
