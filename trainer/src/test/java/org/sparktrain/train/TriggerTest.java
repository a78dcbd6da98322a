package org.sparktrain.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.sparktrain.eval.EarlyStopping;
import org.sparktrain.spec.JobSpec.CheckpointSpec;
import org.sparktrain.spec.JobSpec.EarlyStoppingSpec;

/** The epoch loop's rules, without Spark: epochs, validation, divergence, checkpoints, stopping. */
class TriggerTest {
  private static final EarlyStoppingSpec OFF = new EarlyStoppingSpec("val_loss", "auto", 0, 0.0);
  private static final long MINUTE = 60_000_000_000L;

  /** A clock the test moves. */
  private static final class Clock {
    long nanos = 1_000;
  }

  private static CheckpointSpec every(int epochs) {
    return new CheckpointSpec(null, epochs, 0, 3, false, 3);
  }

  private static EarlyStoppingSpec patience(int patience, double minDelta) {
    return new EarlyStoppingSpec("val_loss", "auto", patience, minDelta);
  }

  private static Trigger trigger(int epochs, CheckpointSpec cp, EarlyStoppingSpec es) {
    return new Trigger(epochs, cp, es, 100, Optional.empty(), () -> 0L);
  }

  private static Map<String, Object> line(int epoch, double valLoss) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("epoch", epoch);
    m.put("train_loss", 0.5);
    m.put("val_loss", valLoss);
    return m;
  }

  /** Runs epochs with these validation losses as the loop would; returns each decision. */
  private static List<Trigger.Decision> epochs(Trigger t, double... valLosses) {
    List<Trigger.Decision> decisions = new ArrayList<>();
    for (int epoch = t.firstEpoch(); t.runs(epoch); epoch++) {
      Trigger.Decision d = t.afterEpoch(epoch, line(epoch, valLosses[epoch - 1]));
      decisions.add(d);
      if (d.checkpoint()) {
        t.checkpointed();
      }
      if (d.stop()) {
        break;
      }
    }
    return decisions;
  }

  private static List<Integer> checkpointed(List<Trigger.Decision> decisions, int firstEpoch) {
    List<Integer> epochs = new ArrayList<>();
    for (int i = 0; i < decisions.size(); i++) {
      if (decisions.get(i).checkpoint()) {
        epochs.add(firstEpoch + i);
      }
    }
    return epochs;
  }

  @Test
  void everyNEpochsCheckpointsTheirMultiplesAndTheLastEpochOnlyWhenItIsOne() {
    List<Trigger.Decision> d = epochs(trigger(5, every(2), OFF), 5, 4, 3, 2, 1);
    assertEquals(5, d.size(), "all epochs run");
    assertEquals(List.of(2, 4), checkpointed(d, 1));
    assertTrue(d.get(4).stop(), "the last epoch stops the run");
    assertFalse(d.get(4).earlyStop());
    for (int i = 0; i < 4; i++) {
      assertFalse(d.get(i).stop(), "epoch " + (i + 1));
    }
    assertEquals(List.of(1, 2, 3, 4, 5, 6), checkpointed(epochs(trigger(6, every(1), OFF), 6, 5, 4, 3, 2, 1), 1));
  }

  @Test
  void everyMinutesCountsFromTheStartAndThenFromTheLastCheckpoint() {
    Clock clock = new Clock();
    Trigger t = new Trigger(10, new CheckpointSpec(null, 0, 1.5, 3, false, 3), OFF, 100, Optional.empty(), () -> clock.nanos);
    clock.nanos += MINUTE;
    assertFalse(t.afterEpoch(1, line(1, 1)).checkpoint(), "1 of 1.5 minutes");
    clock.nanos += MINUTE;
    assertTrue(t.afterEpoch(2, line(2, 1)).checkpoint(), "2 minutes since the start");
    clock.nanos += MINUTE;
    // Not yet written: the clock still counts from the start.
    assertTrue(t.afterEpoch(3, line(3, 1)).checkpoint(), "3 minutes, the last checkpoint not yet written");
    t.checkpointed();
    clock.nanos += MINUTE;
    assertFalse(t.afterEpoch(4, line(4, 1)).checkpoint(), "1 minute since the checkpoint");
    clock.nanos += MINUTE / 2;
    assertTrue(t.afterEpoch(5, line(5, 1)).checkpoint(), "exactly 1.5 minutes");
  }

  @Test
  void everyAndMinutesBothCount() {
    Clock clock = new Clock();
    Trigger t = new Trigger(10, new CheckpointSpec(null, 3, 1, 3, false, 3), OFF, 100, Optional.empty(), () -> clock.nanos);
    assertFalse(t.afterEpoch(1, line(1, 1)).checkpoint());
    clock.nanos += MINUTE;
    assertTrue(t.afterEpoch(2, line(2, 1)).checkpoint(), "by time");
    t.checkpointed();
    assertTrue(t.afterEpoch(3, line(3, 1)).checkpoint(), "by every");
  }

  @Test
  void earlyStoppingCheckpointsTheStoppingEpochAndThenStops() {
    // Losses rise after epoch 1: patience 2 runs out after epoch 3; no checkpoint is due by every.
    List<Trigger.Decision> d = epochs(trigger(10, every(0), patience(2, 0)), 1.0, 1.1, 1.2, 1.3, 1.4);
    assertEquals(3, d.size(), "stops after epoch 3");
    assertEquals(List.of(3), checkpointed(d, 1), "the stopping epoch is checkpointed");
    assertTrue(d.get(2).stop());
    assertTrue(d.get(2).earlyStop());
    assertTrue(d.get(0).newBest(), "the first value is the best so far");
    assertFalse(d.get(1).newBest());
    assertFalse(d.get(2).newBest());
  }

  @Test
  void earlyStoppingOnTheSameEpochAsEveryGivesOneCheckpointAndStops() {
    Trigger t = trigger(10, every(3), patience(2, 0));
    List<Trigger.Decision> d = epochs(t, 1.0, 1.1, 1.2, 1.3);
    assertEquals(List.of(3), checkpointed(d, 1));
    assertTrue(d.get(2).earlyStop());
    assertTrue(t.stoppedEarly());
    assertEquals(1, t.bestEpoch());
    assertEquals(
        "Early stopping after epoch 3: val_loss has not improved for 2 epochs; best " + String.format("%.4f", 1.0)
            + " at epoch 1",
        t.earlyStopLine(3));
  }

  @Test
  void minDeltaCountsOnlyLargerImprovements() {
    // 0.95 and 0.92 improve on 1.0 by less than 0.1: no improvement, patience 2 runs out at epoch 3.
    Trigger t = trigger(10, every(0), patience(2, 0.1));
    List<Trigger.Decision> d = epochs(t, 1.0, 0.95, 0.92, 0.5);
    assertEquals(3, d.size());
    assertTrue(t.stoppedEarly());
    // Without min_delta the same losses improve every epoch.
    Trigger plain = trigger(4, every(0), patience(2, 0));
    List<Trigger.Decision> all = epochs(plain, 1.0, 0.95, 0.92, 0.5);
    assertEquals(4, all.size());
    assertFalse(plain.stoppedEarly());
    assertEquals(4, plain.bestEpoch());
    assertTrue(all.get(3).stop(), "the last epoch");
    assertFalse(all.get(3).earlyStop());
  }

  @Test
  void anImprovementResetsPatience() {
    Trigger t = trigger(10, every(0), patience(2, 0));
    List<Trigger.Decision> d = epochs(t, 1.0, 1.1, 0.9, 1.0, 1.0, 1.0);
    assertEquals(5, d.size(), "epoch 3 improved; patience runs out after epoch 5");
    assertEquals(3, t.bestEpoch());
  }

  @Test
  void aMaximizedMetricImprovesUpwards() {
    Trigger t = new Trigger(10, every(0), new EarlyStoppingSpec("val_accuracy", "auto", 1, 0), 100, Optional.empty(), () -> 0);
    Map<String, Object> first = Map.of("epoch", 1, "val_accuracy", 0.8);
    Map<String, Object> higher = Map.of("epoch", 2, "val_accuracy", 0.9);
    Map<String, Object> lower = Map.of("epoch", 3, "val_accuracy", 0.85);
    assertTrue(t.afterEpoch(1, first).newBest());
    assertTrue(t.afterEpoch(2, higher).newBest());
    Trigger.Decision d = t.afterEpoch(3, lower);
    assertTrue(d.earlyStop());
    assertEquals(2, t.bestEpoch());
  }

  @Test
  void aLineWithoutTheMonitoredMetricNeitherImprovesNorStops() {
    Trigger t = trigger(4, every(0), patience(1, 0));
    for (int epoch = 1; epoch <= 4; epoch++) {
      Trigger.Decision d = t.afterEpoch(epoch, Map.of("epoch", epoch, "train_loss", 1.0));
      assertFalse(d.newBest());
      assertFalse(d.earlyStop());
      assertFalse(d.checkpoint());
      assertEquals(epoch == 4, d.stop());
    }
  }

  @Test
  void withoutEarlyStoppingNoBestNetworkIsKept() {
    List<Trigger.Decision> d = epochs(trigger(3, every(1), OFF), 1.0, 0.5, 0.2);
    for (Trigger.Decision x : d) {
      assertFalse(x.newBest());
      assertFalse(x.earlyStop());
    }
  }

  @Test
  void keepBestKeepsTheNewestCheckpointOfAnImprovingEpoch() {
    CheckpointSpec cp = new CheckpointSpec(null, 2, 0, 1, true, 3);
    Trigger t = trigger(8, cp, patience(5, 0));
    // Epoch 1 improves but is not checkpointed: nothing to keep yet.
    assertEquals(Set.of(), t.afterEpoch(1, line(1, 1.0)).alsoKeep());
    assertEquals(0, t.bestCheckpoint());
    // Epoch 2 improves and is checkpointed.
    assertEquals(Set.of(2L), t.afterEpoch(2, line(2, 0.9)).alsoKeep());
    // Epoch 3 improves, not checkpointed: checkpoint 2 stays the best.
    assertEquals(Set.of(2L), t.afterEpoch(3, line(3, 0.8)).alsoKeep());
    // Epoch 4 is worse and checkpointed.
    assertEquals(Set.of(2L), t.afterEpoch(4, line(4, 0.85)).alsoKeep());
    // Epoch 6 improves and is checkpointed.
    t.afterEpoch(5, line(5, 0.85));
    assertEquals(Set.of(6L), t.afterEpoch(6, line(6, 0.7)).alsoKeep());
    assertEquals(6, t.bestCheckpoint());
    // Without keep_best nothing more is kept, yet the best checkpoint is still tracked for the state.
    Trigger plain = trigger(8, every(2), patience(5, 0));
    plain.afterEpoch(1, line(1, 1.0));
    assertEquals(Set.of(), plain.afterEpoch(2, line(2, 0.9)).alsoKeep());
    assertEquals(2, plain.bestCheckpoint());
  }

  @Test
  void validationRunsWhenTheSplitHoldsExamples() {
    assertTrue(trigger(3, every(1), OFF).validates());
    assertFalse(new Trigger(3, every(1), OFF, 0, Optional.empty(), () -> 0).validates());
  }

  @Test
  void divergence() {
    Trigger t = trigger(3, every(1), OFF);
    assertEquals(Optional.empty(), t.divergence(0, false, 0.0));
    assertEquals(Optional.empty(), t.divergence(0, false, 0.7));
    assertEquals(Optional.of("3 minibatches had a NaN or infinite loss"), t.divergence(3, false, 0.0));
    assertEquals(
        Optional.of("2 minibatches had a NaN or infinite loss, and the parameters hold NaN or infinite values"),
        t.divergence(2, true, 0.0));
    assertEquals(
        Optional.of("the loss is 0.0, and the parameters hold NaN or infinite values"), t.divergence(0, true, 0.0));
    assertEquals(Optional.of("the loss is NaN"), t.divergence(0, false, Double.NaN));
    assertEquals(Optional.of("the loss is Infinity"), t.divergence(0, false, Double.POSITIVE_INFINITY));
    assertEquals(Optional.empty(), t.validationDivergence(Map.of("loss", 0.3, "accuracy", 0.9)));
    assertEquals(Optional.empty(), t.validationDivergence(Map.of("accuracy", 0.9)));
    assertEquals(Optional.of("the validation loss is NaN"), t.validationDivergence(Map.of("loss", Double.NaN)));
    assertEquals(
        Optional.of("the validation loss is -Infinity"), t.validationDivergence(Map.of("loss", Double.NEGATIVE_INFINITY)));
  }

  @Test
  void aResumedRunContinuesAfterItsCheckpointWithTheSavedWatch() {
    // Uninterrupted: losses 1.0, 1.1, 1.2 with patience 3; stops after epoch 4.
    double[] losses = {1.0, 1.1, 1.2, 1.3, 1.4};
    Trigger uninterrupted = trigger(10, every(1), patience(3, 0));
    List<Trigger.Decision> all = epochs(uninterrupted, losses);
    assertEquals(4, all.size());

    // Resumed after epoch 2 from the state a checkpoint of epoch 2 holds.
    Trigger first = trigger(10, every(1), patience(3, 0));
    first.afterEpoch(1, line(1, 1.0));
    first.afterEpoch(2, line(2, 1.1));
    TrainingState saved =
        new TrainingState(2, 20, 7, first.stopping(), first.bestCheckpoint(), List.of(line(1, 1.0), line(2, 1.1)));
    Trigger resumed = new Trigger(10, every(1), patience(3, 0), 100, Optional.of(saved), () -> 0);
    assertEquals(3, resumed.firstEpoch());
    assertEquals(1, resumed.bestCheckpoint());
    List<Trigger.Decision> rest = epochs(resumed, losses);
    assertEquals(2, rest.size(), "epochs 3 and 4, then early stopping as uninterrupted");
    assertTrue(rest.get(1).earlyStop());
    assertEquals(uninterrupted.stopping(), resumed.stopping());
    assertEquals(uninterrupted.bestEpoch(), resumed.bestEpoch());
  }

  @Test
  void aResumeWithAnotherMonitorReplaysTheHistory() {
    List<Map<String, Object>> history = new ArrayList<>();
    for (int epoch = 1; epoch <= 3; epoch++) {
      Map<String, Object> l = line(epoch, 1.0);
      l.put("val_accuracy", new double[] {0.7, 0.9, 0.8}[epoch - 1]);
      history.add(l);
    }
    TrainingState saved =
        new TrainingState(3, 30, 7, new EarlyStopping.State("val_loss", 1.0, 1, 2), 3, history);
    Trigger t =
        new Trigger(10, every(1), new EarlyStoppingSpec("val_accuracy", "auto", 2, 0), 100, Optional.of(saved), () -> 0);
    assertEquals(new EarlyStopping.State("val_accuracy", 0.9, 2, 1), t.stopping());
    // The same monitor takes the saved watch as it is, not the history.
    Trigger same = new Trigger(10, every(1), patience(5, 0), 100, Optional.of(saved), () -> 0);
    assertEquals(new EarlyStopping.State("val_loss", 1.0, 1, 2), same.stopping());
    // A checkpoint without a watch replays the history too.
    TrainingState none = new TrainingState(3, 30, 7, null, 0, history);
    Trigger replayed = new Trigger(10, every(1), patience(5, 0), 100, Optional.of(none), () -> 0);
    assertEquals(new EarlyStopping.State("val_loss", 1.0, 1, 2), replayed.stopping());
  }

  @Test
  void aRunResumedAfterEarlyStoppingStoppedItTrainsNoneUnlessGivenMorePatience() {
    Trigger first = trigger(10, every(1), patience(2, 0));
    List<Trigger.Decision> ran = epochs(first, 1.0, 1.1, 1.2, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5);
    assertEquals(3, ran.size());
    assertTrue(ran.get(2).earlyStop() && ran.get(2).checkpoint());
    // killed after that checkpoint, before the run's summary: the resume trains no further epoch
    TrainingState saved =
        new TrainingState(3, 30, 7, first.stopping(), first.bestCheckpoint(), List.of(line(1, 1.0), line(2, 1.1), line(3, 1.2)));
    Trigger resumed = new Trigger(10, every(1), patience(2, 0), 100, Optional.of(saved), () -> 0);
    assertFalse(resumed.runs(resumed.firstEpoch()));
    Trigger morePatience = new Trigger(10, every(1), patience(4, 0), 100, Optional.of(saved), () -> 0);
    assertTrue(morePatience.runs(morePatience.firstEpoch()));
  }

  @Test
  void aRunResumedAfterItsLastEpochTrainsNone() {
    TrainingState saved = new TrainingState(5, 50, 7, null, 0, List.of());
    Trigger t = new Trigger(5, every(1), OFF, 100, Optional.of(saved), () -> 0);
    assertEquals(6, t.firstEpoch());
    assertFalse(t.runs(t.firstEpoch()));
    assertTrue(epochs(t).isEmpty());
  }
}
