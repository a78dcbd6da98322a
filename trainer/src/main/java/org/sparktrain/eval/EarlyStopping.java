package org.sparktrain.eval;

import java.util.LinkedHashMap;
import java.util.Map;
import org.sparktrain.spec.JobSpec.EarlyStoppingSpec;

/**
 * Watches one metric epoch by epoch: remembers the best value and its epoch, and counts the
 * epochs since the last improvement. Its state travels in checkpoints so that a resumed run
 * stops exactly where an uninterrupted one would.
 */
public final class EarlyStopping {
  private final EarlyStoppingSpec spec;
  private double best;
  private int bestEpoch;
  private int wait;

  public EarlyStopping(EarlyStoppingSpec spec) {
    this.spec = spec;
    this.best = Double.NaN;
    this.bestEpoch = 0;
    this.wait = 0;
  }

  /**
   * Takes an epoch's metrics line; returns whether the monitored metric improved (the first value
   * always does). A line without the metric changes nothing and returns false.
   */
  public boolean update(int epoch, Map<String, Object> line) {
    Object value = line.get(spec.monitor());
    if (!(value instanceof Number n) || !Double.isFinite(n.doubleValue())) {
      return false;
    }
    double v = n.doubleValue();
    boolean improved =
        Double.isNaN(best)
            || (spec.maximize() ? v > best + spec.minDelta() : v < best - spec.minDelta());
    if (improved) {
      best = v;
      bestEpoch = epoch;
      wait = 0;
    } else {
      wait++;
    }
    return improved;
  }

  /** Whether training should stop: early stopping is on and patience has run out. */
  public boolean shouldStop() {
    return spec.enabled() && wait >= spec.patience();
  }

  public double best() {
    return best;
  }

  public int bestEpoch() {
    return bestEpoch;
  }

  public String monitor() {
    return spec.monitor();
  }

  /**
   * What a checkpoint keeps of an early-stopping watch, under the keys {@code monitor}, {@code best}
   * (null before any value), {@code best_epoch} and {@code wait}.
   *
   * @param best the best value so far; NaN before any
   * @param epochsSinceBest the epochs since the last improvement ({@code wait})
   */
  public record State(String monitor, double best, int bestEpoch, int epochsSinceBest) {
    public Map<String, Object> toMap() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("monitor", monitor);
      m.put("best", Double.isNaN(best) ? null : best);
      m.put("best_epoch", bestEpoch);
      m.put("wait", epochsSinceBest);
      return m;
    }

    /** The state {@link #toMap} wrote; null for null. */
    public static State fromMap(Map<?, ?> m) {
      if (m == null) {
        return null;
      }
      Object b = m.get("best");
      return new State(
          (String) m.get("monitor"),
          b instanceof Number n ? n.doubleValue() : Double.NaN,
          ((Number) m.get("best_epoch")).intValue(),
          ((Number) m.get("wait")).intValue());
    }
  }

  /** State for a checkpoint. */
  public State state() {
    return new State(spec.monitor(), best, bestEpoch, wait);
  }

  /**
   * Restores state written by {@link #state()}; does nothing for null or for state of another
   * monitored metric.
   */
  public void restore(State state) {
    if (state == null || !spec.monitor().equals(state.monitor())) {
      return;
    }
    best = state.best();
    bestEpoch = state.bestEpoch();
    wait = state.epochsSinceBest();
  }
}
