package org.sparktrain.strategy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The workers' seeded bounded shuffle: every item once, the same order for the same seed, bounded look-ahead. */
class ShuffleBufferTest {
  private static List<Integer> range(int n) {
    List<Integer> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(i);
    }
    return out;
  }

  @Test
  void everyItemOnceSameOrderForTheSameSeed() {
    List<Integer> items = range(1000);
    List<Integer> a = ShuffleBuffer.order(items, 64, ShuffleBuffer.seed(7, 2, 1));
    List<Integer> b = ShuffleBuffer.order(items, 64, ShuffleBuffer.seed(7, 2, 1));
    List<Integer> otherEpoch = ShuffleBuffer.order(items, 64, ShuffleBuffer.seed(7, 3, 1));
    List<Integer> otherPartition = ShuffleBuffer.order(items, 64, ShuffleBuffer.seed(7, 2, 0));
    assertEquals(a, b);
    assertNotEquals(a, otherEpoch);
    assertNotEquals(a, otherPartition);
    assertNotEquals(items, a);
    assertEquals(new TreeSet<>(items), new TreeSet<>(a));
    assertEquals(items.size(), a.size());
    assertEquals(List.of(), ShuffleBuffer.order(List.of(), 64, 1));
  }

  @Test
  void readsAtMostTheBufferAhead() {
    int capacity = 16;
    int[] read = {0};
    Iterator<Integer> source =
        new Iterator<>() {
          @Override
          public boolean hasNext() {
            return read[0] < 500;
          }

          @Override
          public Integer next() {
            return read[0]++;
          }
        };
    ShuffleBuffer<Integer> s = new ShuffleBuffer<>(source, capacity, 3);
    for (int emitted = 1; emitted <= 500; emitted++) {
      int item = s.next();
      assertTrue(read[0] - emitted <= capacity, "held " + (read[0] - emitted) + " items after " + emitted);
      assertTrue(item < read[0], "an item not read yet: " + item);
    }
    assertTrue(!s.hasNext());
  }
}
