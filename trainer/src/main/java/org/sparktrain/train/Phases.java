package org.sparktrain.train;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.spark.api.java.JavaSparkContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparktrain.files.PausePoints;

/**
 * A run as a list of named phases; each logs its duration once and is reported in the summary.
 * The Spark jobs of a phase carry its name and epoch as their description, so that the Spark UI
 * reads like the run; each phase's start is a pause point ("train@2", "save-model").
 */
final class Phases {
  private static final Logger LOG = LoggerFactory.getLogger(Phases.class);
  private final Map<String, Double> seconds = new LinkedHashMap<>();
  private final JavaSparkContext sc;
  private String epoch = "";
  private int epochNumber;

  Phases(JavaSparkContext sc) {
    this.sc = sc;
  }

  /** The epoch the following phases belong to (0: none). */
  void epoch(int epoch, int epochs) {
    this.epoch = epoch > 0 ? " (epoch " + epoch + "/" + epochs + ")" : "";
    this.epochNumber = epoch;
  }

  <T> T run(String name, Supplier<T> body) {
    PausePoints.reach(name.toLowerCase(Locale.ROOT).replace(' ', '-') + (epochNumber > 0 ? "@" + epochNumber : ""));
    long start = System.nanoTime();
    LOG.info("{} ...", name);
    sc.setJobDescription(name + epoch);
    T result;
    try {
      result = body.get();
    } finally {
      sc.setJobDescription(null);
    }
    double s = (System.nanoTime() - start) / 1e9;
    seconds.merge(name, s, Double::sum);
    LOG.info("{}: {} s", name, String.format("%.1f", s));
    return result;
  }

  /**
   * Counts {@code s} seconds of what ran as phase {@code from} as phase {@code to} instead (work a
   * strategy did for another phase inside its own, such as validation in the training stage).
   */
  void move(String from, String to, double s) {
    seconds.merge(from, -s, Double::sum);
    seconds.merge(to, s, Double::sum);
  }

  Map<String, Double> seconds() {
    return seconds;
  }
}
