package org.sparktrain.train;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A run as a list of named phases; each logs its duration once and is reported in the summary. */
final class Phases {
  private static final Logger LOG = LoggerFactory.getLogger(Phases.class);
  private final Map<String, Double> seconds = new LinkedHashMap<>();

  <T> T run(String name, Supplier<T> body) {
    long start = System.nanoTime();
    LOG.info("{} ...", name);
    T result = body.get();
    double s = (System.nanoTime() - start) / 1e9;
    seconds.merge(name, s, Double::sum);
    LOG.info("{}: {} s", name, String.format("%.1f", s));
    return result;
  }

  Map<String, Double> seconds() {
    return seconds;
  }
}
