package org.sparktrain.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.sparktrain.eval.EarlyStopping;
import org.sparktrain.files.Json;

/** state.json as checkpoints have always written it, both ways. */
class TrainingStateTest {
  /** A state.json as a checkpoint of epoch 2 wrote it before the state was a record. */
  private static final String WRITTEN =
      """
      {
        "epoch" : 2,
        "iteration" : 64,
        "seed" : 42,
        "early_stopping" : {
          "monitor" : "val_loss",
          "best" : 0.5123,
          "best_epoch" : 1,
          "wait" : 1
        },
        "best_checkpoint" : 1,
        "history" : [ {
          "epoch" : 1,
          "train_loss" : 0.61,
          "val_loss" : 0.5123,
          "epoch_seconds" : 1.5
        }, {
          "epoch" : 2,
          "train_loss" : null,
          "val_loss" : 0.52,
          "epoch_seconds" : 1.25
        } ]
      }""";

  @SuppressWarnings("unchecked")
  private static Map<String, Object> parse(String json) throws Exception {
    return Json.mapper().readValue(json, Map.class);
  }

  @Test
  void readsWhatCheckpointsWroteAndWritesItBackByteForByte() throws Exception {
    TrainingState s = TrainingState.fromMap(parse(WRITTEN), "state.json");
    assertEquals(2, s.epoch());
    assertEquals(64, s.iteration());
    assertEquals(42, s.seed());
    assertEquals(new EarlyStopping.State("val_loss", 0.5123, 1, 1), s.earlyStopping());
    assertEquals(1, s.bestCheckpoint());
    assertEquals(2, s.history().size());
    assertNull(s.history().get(1).get("train_loss"));
    assertEquals(WRITTEN, Json.write(s.toMap()));
  }

  @Test
  void writesTheKeysInTheOrderCheckpointsAlwaysHad() {
    EarlyStopping.State none = new EarlyStopping.State("val_loss", Double.NaN, 0, 0);
    Map<String, Object> line = new LinkedHashMap<>();
    line.put("epoch", 1);
    line.put("train_loss", 0.7);
    TrainingState s = new TrainingState(1, 32, 7L, none, 0, List.of(line));
    // As the loop built it: a map of these keys in this order.
    Map<String, Object> before = new LinkedHashMap<>();
    before.put("epoch", 1);
    before.put("iteration", 32);
    before.put("seed", 7L);
    Map<String, Object> stopping = new LinkedHashMap<>();
    stopping.put("monitor", "val_loss");
    stopping.put("best", null);
    stopping.put("best_epoch", 0);
    stopping.put("wait", 0);
    before.put("early_stopping", stopping);
    before.put("best_checkpoint", 0L);
    before.put("history", List.of(line));
    assertEquals(Json.write(before), Json.write(s.toMap()));
    assertEquals(List.copyOf(before.keySet()), List.copyOf(s.toMap().keySet()));
  }

  @Test
  void roundTripsThroughJson() throws Exception {
    TrainingState s =
        new TrainingState(
            3, 96, -5L, new EarlyStopping.State("val_accuracy", 0.875, 2, 1), 2,
            List.of(Map.of("epoch", 1), Map.of("epoch", 2), Map.of("epoch", 3)));
    TrainingState back = TrainingState.fromMap(parse(Json.write(s.toMap())), "state.json");
    assertEquals(s, back);
    // No best value yet: NaN, written as null.
    TrainingState fresh =
        new TrainingState(1, 8, 1L, new EarlyStopping.State("val_loss", Double.NaN, 0, 1), 0, List.of(Map.of("epoch", 1)));
    assertEquals(fresh, TrainingState.fromMap(parse(Json.write(fresh.toMap())), "state.json"));
  }

  @Test
  void autosChoiceIsSavedAfterTheOtherKeysAndReadBack() throws Exception {
    Map<String, Integer> choice = Map.of("workers", 2, "threads", 1, "averaging_frequency", 20);
    TrainingState s = new TrainingState(2, 40, 7L, null, 0, List.of(Map.of("epoch", 1), Map.of("epoch", 2)), choice);
    Map<String, Object> written = s.toMap();
    assertEquals(
        List.of("epoch", "iteration", "seed", "early_stopping", "best_checkpoint", "history", "strategy_choice"),
        List.copyOf(written.keySet()));
    TrainingState back = TrainingState.fromMap(parse(Json.write(written)), "state.json");
    assertEquals(choice, back.strategyChoice());
    assertEquals(s, back);
    // a state without a choice writes no such key, as every checkpoint before it
    assertFalse(new TrainingState(2, 40, 7L, null, 0, List.of()).toMap().containsKey("strategy_choice"));
    assertTrue(TrainingState.fromMap(parse("{\"epoch\": 4, \"history\": []}"), "state.json").strategyChoice().isEmpty());
  }

  @Test
  void aStateWithoutTheOptionalKeysReadsWithTheirDefaults() throws Exception {
    TrainingState s = TrainingState.fromMap(parse("{\"epoch\": 4, \"history\": []}"), "state.json");
    assertEquals(4, s.epoch());
    assertEquals(0, s.bestCheckpoint());
    assertNull(s.earlyStopping());
    assertTrue(s.history().isEmpty());
  }

  @Test
  void aStateWithoutEpochOrHistoryIsRefusedWithWhereItWas() {
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () -> TrainingState.fromMap(parse("{\"epoch\": 4}"), "ckpt/step-4/state.json"));
    assertTrue(e.getMessage().contains("ckpt/step-4/state.json"), e.getMessage());
    assertTrue(e.getMessage().contains("[epoch]"), e.getMessage());
  }
}
