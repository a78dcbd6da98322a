package org.sparktrain.dl4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ExecutorPortSupplierTest {
  @Test
  void theDriverKeepsTheControllerPort() {
    assertEquals(40123, ExecutorPortSupplier.port(40123, "driver"));
    assertEquals(40123, ExecutorPortSupplier.port(40123, null));
    assertEquals(40123, ExecutorPortSupplier.port(40123, ""));
  }

  @Test
  void eachExecutorGetsItsOwnPortAboveTheController() {
    assertEquals(40124, ExecutorPortSupplier.port(40123, "0"));
    assertEquals(40125, ExecutorPortSupplier.port(40123, "1"));
    assertNotEquals(ExecutorPortSupplier.port(40123, "7"), ExecutorPortSupplier.port(40123, "8"));
  }

  @Test
  void portsStayInRangeNearTheTop() {
    for (int id = 0; id < 100; id++) {
      int p = ExecutorPortSupplier.port(65_500, Integer.toString(id));
      assertTrue(p > 65_500 && p <= 65_535, "port " + p + " for executor " + id);
    }
    assertEquals(65_535, ExecutorPortSupplier.port(65_535, "3"));
  }
}
