package org.sparktrain.train;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.sparktrain.eval.EarlyStopping;

/**
 * What the epoch loop carries from one epoch to the next, as a checkpoint saves it in {@code
 * state.json} and a resume takes it back. The keys of that file ({@code epoch}, {@code iteration},
 * {@code seed}, {@code early_stopping}, {@code best_checkpoint}, {@code history}) and their order
 * are those of every checkpoint written so far.
 *
 * @param epoch the last epoch finished
 * @param iteration the network's iteration count after that epoch
 * @param seed the job's seed
 * @param earlyStopping the early-stopping watch; null when a checkpoint holds none
 * @param bestCheckpoint the newest checkpoint written in an epoch that improved the monitored
 *     metric (0: none), which checkpoint.keep_best keeps
 * @param history every epoch's metrics line so far, oldest first
 * @param strategyChoice what the strategy chose for itself (auto), under {@code strategy_choice}
 *     after the other keys; empty when it chose nothing
 */
record TrainingState(
    int epoch,
    int iteration,
    long seed,
    EarlyStopping.State earlyStopping,
    long bestCheckpoint,
    List<Map<String, Object>> history,
    Map<String, Integer> strategyChoice) {

  TrainingState {
    history = List.copyOf(history);
    strategyChoice = Map.copyOf(strategyChoice);
  }

  /** A state whose strategy chose nothing for itself. */
  TrainingState(
      int epoch,
      int iteration,
      long seed,
      EarlyStopping.State earlyStopping,
      long bestCheckpoint,
      List<Map<String, Object>> history) {
    this(epoch, iteration, seed, earlyStopping, bestCheckpoint, history, Map.of());
  }

  /** The object {@code state.json} holds. */
  Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("epoch", epoch);
    m.put("iteration", iteration);
    m.put("seed", seed);
    m.put("early_stopping", earlyStopping == null ? null : earlyStopping.toMap());
    m.put("best_checkpoint", bestCheckpoint);
    m.put("history", history);
    if (!strategyChoice.isEmpty()) {
      m.put("strategy_choice", new java.util.TreeMap<>(strategyChoice));
    }
    return m;
  }

  /**
   * The state a {@code state.json} at {@code where} holds. Only {@code epoch} and {@code history}
   * are required; a missing {@code best_checkpoint} reads as 0 and a missing {@code early_stopping}
   * as none (the watch is then replayed from the history).
   */
  @SuppressWarnings("unchecked")
  static TrainingState fromMap(Map<String, Object> m, String where) {
    Object epoch = m.get("epoch");
    Object history = m.get("history");
    if (!(epoch instanceof Number) || !(history instanceof List)) {
      throw new IllegalStateException(
          where + " holds no epoch number or no history list (keys: " + m.keySet()
              + "); expected the state a checkpoint writes. Resume from another checkpoint, or start a new run");
    }
    return new TrainingState(
        ((Number) epoch).intValue(),
        ((Number) m.getOrDefault("iteration", 0)).intValue(),
        ((Number) m.getOrDefault("seed", 0L)).longValue(),
        EarlyStopping.State.fromMap((Map<?, ?>) m.get("early_stopping")),
        ((Number) m.getOrDefault("best_checkpoint", 0)).longValue(),
        (List<Map<String, Object>>) history,
        choice(m.get("strategy_choice")));
  }

  /** The saved strategy choice: whole numbers by name; anything else is left out. */
  private static Map<String, Integer> choice(Object saved) {
    Map<String, Integer> out = new LinkedHashMap<>();
    if (saved instanceof Map<?, ?> m) {
      m.forEach((k, v) -> {
        if (k instanceof String name && v instanceof Number n) {
          out.put(name, n.intValue());
        }
      });
    }
    return out;
  }
}
