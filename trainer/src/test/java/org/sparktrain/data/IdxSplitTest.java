package org.sparktrain.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The per-image split assignment of IDX data. */
class IdxSplitTest {
  @Test
  void assignmentIsAFunctionOfSeedAndIndex() {
    for (long i = 0; i < 100; i++) {
      assertEquals(Idx.unit(42, i), Idx.unit(42, i));
    }
  }

  @Test
  void valuesLieInUnitIntervalAndAreRoughlyUniform() {
    int n = 20_000;
    int[] buckets = new int[10];
    for (long i = 0; i < n; i++) {
      double u = Idx.unit(7, i);
      assertTrue(u >= 0 && u < 1, "out of [0, 1): " + u);
      buckets[(int) (u * 10)]++;
    }
    for (int b : buckets) {
      assertTrue(Math.abs(b - n / 10) < n / 10 * 0.1, "bucket count " + b);
    }
  }

  @Test
  void differentSeedsAssignDifferentImages() {
    int differing = 0;
    for (long i = 0; i < 1000; i++) {
      if ((Idx.unit(1, i) < 0.9) != (Idx.unit(2, i) < 0.9)) {
        differing++;
      }
    }
    assertTrue(differing > 100, "only " + differing + " of 1000 images change split");
  }
}
