package org.sparktrain.files;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Named points in a run where crash tests hold the process, so that they can kill it at exactly
 * that moment: with {@value #PROPERTY}{@code =<point>[:<n>]} set, the n-th arrival (default the
 * first) at that point prints {@code PAUSED <point>[:<n>]} (the property's value) to stderr and
 * blocks for good. Unset, a point
 * costs one comparison with null.
 */
public final class PausePoints {
  public static final String PROPERTY = "sparktrain.pause.at";

  private static final String VALUE = System.getProperty(PROPERTY);
  private static final String TARGET;
  private static final int OCCURRENCE;

  static {
    int colon = VALUE == null ? -1 : VALUE.lastIndexOf(':');
    TARGET = colon < 0 ? VALUE : VALUE.substring(0, colon);
    OCCURRENCE = colon < 0 ? 1 : Integer.parseInt(VALUE.substring(colon + 1));
  }

  private static final Map<String, Integer> ARRIVALS = new ConcurrentHashMap<>();

  private PausePoints() {}

  /** Arrives at {@code point}; blocks for good if it is the one {@value #PROPERTY} names. */
  public static void reach(String point) {
    if (TARGET == null || !TARGET.equals(point)) {
      return;
    }
    if (ARRIVALS.merge(point, 1, Integer::sum) != OCCURRENCE) {
      return;
    }
    System.err.println("PAUSED " + VALUE);
    System.err.flush();
    while (true) {
      try {
        Thread.sleep(60_000);
      } catch (InterruptedException e) {
        // Only a kill ends the pause: the test relies on nothing after this point happening.
        continue;
      }
    }
  }
}
