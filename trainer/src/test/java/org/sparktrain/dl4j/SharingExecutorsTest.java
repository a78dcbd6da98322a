package org.sparktrain.dl4j;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.spark.SparkConf;
import org.junit.jupiter.api.Test;
import org.sparktrain.spec.SpecException;

class SharingExecutorsTest {
  private static SparkConf conf(String master, String cores, String taskCpus) {
    SparkConf c = new SparkConf(false).set("spark.master", master);
    if (cores != null) {
      c.set("spark.executor.cores", cores);
    }
    if (taskCpus != null) {
      c.set("spark.task.cpus", taskCpus);
    }
    return c;
  }

  @Test
  void anExecutorThatRunsTwoTasksAtOnceIsRefused() {
    SpecException e =
        assertThrows(
            SpecException.class,
            () -> SharingExecutors.refuseSharedExecutors(conf("spark://m:7077", "4", "1")));
    assertTrue(e.getMessage().contains("strategy.type"), e.getMessage());
    assertTrue(e.getMessage().contains("spark.task.cpus=4"), e.getMessage());
  }

  @Test
  void dynamicAllocationIsRefusedOnAClusterOnly() {
    SparkConf yarn = conf("yarn", "4", "4").set("spark.dynamicAllocation.enabled", "true");
    SpecException e = assertThrows(SpecException.class, () -> SharingExecutors.refuseSharedExecutors(yarn));
    assertTrue(e.getMessage().contains("spark.dynamicAllocation.enabled=false"), e.getMessage());
    SparkConf local = conf("local[2]", null, null).set("spark.dynamicAllocation.enabled", "true");
    assertDoesNotThrow(() -> SharingExecutors.refuseSharedExecutors(local));
    SparkConf off = conf("yarn", "4", "4").set("spark.dynamicAllocation.enabled", "false");
    assertDoesNotThrow(() -> SharingExecutors.refuseSharedExecutors(off));
  }

  @Test
  void oneTaskPerExecutorLocalModeOrUnknownCoresAreAccepted() {
    assertDoesNotThrow(() -> SharingExecutors.refuseSharedExecutors(conf("spark://m:7077", "4", "4")));
    assertDoesNotThrow(() -> SharingExecutors.refuseSharedExecutors(conf("spark://m:7077", "1", null)));
    assertDoesNotThrow(() -> SharingExecutors.refuseSharedExecutors(conf("yarn", null, null)));
    assertDoesNotThrow(() -> SharingExecutors.refuseSharedExecutors(conf("local[4]", "4", "1")));
  }
}
