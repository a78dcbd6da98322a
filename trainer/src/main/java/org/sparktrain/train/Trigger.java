package org.sparktrain.train;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.LongSupplier;
import org.sparktrain.eval.EarlyStopping;
import org.sparktrain.spec.JobSpec;
import org.sparktrain.spec.JobSpec.CheckpointSpec;
import org.sparktrain.spec.JobSpec.EarlyStoppingSpec;

/**
 * The rules of the epoch loop, in one place: which epoch comes first, whether validation runs,
 * when an epoch has diverged, whether an epoch is checkpointed and which older checkpoints stay,
 * and when training stops. It holds the early-stopping watch and what {@code checkpoint.keep_best}
 * keeps; the loop asks it after each epoch and does what the {@link Decision} says.
 *
 * <p>After an epoch, in this order: the early-stopping watch takes the epoch's metrics line; the
 * epoch is checkpointed when {@code checkpoint.every} divides it, when {@code
 * checkpoint.every_minutes} have passed since the last checkpoint (or the start), or when early
 * stopping stops the run (so that the stopping epoch always has its checkpoint); a checkpointed
 * epoch that improved the monitored metric becomes the best checkpoint; training stops after the
 * last epoch ({@code training.epochs}) or when early stopping's patience ran out. The last epoch
 * is checkpointed only by those rules: a finished run needs no checkpoint to resume from.
 */
final class Trigger {
  private final int epochs;
  private final CheckpointSpec checkpoint;
  private final EarlyStoppingSpec earlyStopping;
  private final boolean validates;
  private final LongSupplier nanoTime;
  private final EarlyStopping stopping;
  private final int firstEpoch;
  private long bestCheckpoint;
  private long lastCheckpointNanos;

  /**
   * What the loop does after an epoch.
   *
   * @param newBest keep a copy of the network as the best one (early stopping is on and the epoch
   *     improved the monitored metric)
   * @param checkpoint write the epoch's checkpoint
   * @param alsoKeep the checkpoints retention keeps beyond checkpoint.keep
   * @param stop no epoch follows: this was the last one, or early stopping stops the run
   * @param earlyStop early stopping's patience ran out
   */
  record Decision(boolean newBest, boolean checkpoint, Set<Long> alsoKeep, boolean stop, boolean earlyStop) {}

  /**
   * @param validationExamples the size of the validation split (no validation when 0)
   * @param resumed the state of the checkpoint the run resumes from; empty for a new run
   * @param nanoTime the clock of checkpoint.every_minutes ({@code System::nanoTime})
   */
  Trigger(
      int epochs,
      CheckpointSpec checkpoint,
      EarlyStoppingSpec earlyStopping,
      long validationExamples,
      Optional<TrainingState> resumed,
      LongSupplier nanoTime) {
    this.epochs = epochs;
    this.checkpoint = checkpoint;
    this.earlyStopping = earlyStopping;
    this.validates = validationExamples > 0;
    this.nanoTime = nanoTime;
    this.stopping = new EarlyStopping(earlyStopping);
    resumed.ifPresent(this::restoreStopping);
    this.firstEpoch = resumed.map(s -> s.epoch() + 1).orElse(1);
    this.bestCheckpoint = resumed.map(TrainingState::bestCheckpoint).orElse(0L);
    this.lastCheckpointNanos = nanoTime.getAsLong();
  }

  /** The trigger of a run of {@code spec}, on the system clock. */
  static Trigger of(JobSpec spec, long validationExamples, Optional<TrainingState> resumed) {
    return new Trigger(
        spec.training().epochs(), spec.checkpoint(), spec.earlyStopping(), validationExamples, resumed, System::nanoTime);
  }

  /**
   * The saved early-stopping watch when it watched the same metric; otherwise (the job's monitor
   * changed on resume, or the checkpoint holds no watch) the saved history replayed.
   */
  private void restoreStopping(TrainingState resumed) {
    EarlyStopping.State saved = resumed.earlyStopping();
    if (saved != null && stopping.monitor().equals(saved.monitor())) {
      stopping.restore(saved);
    } else {
      for (Map<String, Object> line : resumed.history()) {
        stopping.update(((Number) line.get("epoch")).intValue(), line);
      }
    }
  }

  /** The first epoch to train: 1, or the one after the checkpoint resumed from. */
  int firstEpoch() {
    return firstEpoch;
  }

  /**
   * Whether {@code epoch} is trained at all: a run resumed after its last epoch, or after the
   * epoch whose checkpoint early stopping wrote before stopping, trains none (unless the resumed
   * job gives more epochs or more patience).
   */
  boolean runs(int epoch) {
    return epoch <= epochs && !stopping.shouldStop();
  }

  /** Whether each epoch is validated: when the validation split holds examples. */
  boolean validates() {
    return validates;
  }

  /**
   * Why an epoch diverged, judged by what the strategy gathered and the training loss (0 before
   * one is measured); empty when it did not.
   */
  Optional<String> divergence(long nonFiniteMinibatches, boolean nonFiniteParameters, double trainLoss) {
    if (nonFiniteMinibatches == 0 && !nonFiniteParameters && !Double.isNaN(trainLoss) && !Double.isInfinite(trainLoss)) {
      return Optional.empty();
    }
    return Optional.of(
        (nonFiniteMinibatches > 0
                ? nonFiniteMinibatches + " minibatches had a NaN or infinite loss"
                : "the loss is " + trainLoss)
            + (nonFiniteParameters ? ", and the parameters hold NaN or infinite values" : ""));
  }

  /** Why an epoch diverged, judged by its validation metrics; empty when it did not. */
  Optional<String> validationDivergence(Map<String, Object> validation) {
    Object loss = validation.get("loss");
    if (loss instanceof Number n && !Double.isFinite(n.doubleValue())) {
      return Optional.of("the validation loss is " + n);
    }
    return Optional.empty();
  }

  /** Takes the metrics line of {@code epoch} (recorded, not yet written) and decides what follows. */
  Decision afterEpoch(int epoch, Map<String, Object> line) {
    boolean improved = stopping.update(epoch, line);
    boolean earlyStop = stopping.shouldStop();
    boolean due =
        (checkpoint.every() > 0 && epoch % checkpoint.every() == 0)
            || (checkpoint.everyMinutes() > 0
                && (nanoTime.getAsLong() - lastCheckpointNanos) / 60e9 >= checkpoint.everyMinutes())
            || earlyStop;
    if (due && improved) {
      bestCheckpoint = epoch;
    }
    Set<Long> alsoKeep = checkpoint.keepBest() && bestCheckpoint > 0 ? Set.of(bestCheckpoint) : Set.of();
    return new Decision(
        improved && earlyStopping.enabled(), due, alsoKeep, earlyStop || epoch >= epochs, earlyStop);
  }

  /** The checkpoint a decision asked for is written: checkpoint.every_minutes counts from now. */
  void checkpointed() {
    lastCheckpointNanos = nanoTime.getAsLong();
  }

  /** The early-stopping watch, for the epoch's checkpoint. */
  EarlyStopping.State stopping() {
    return stopping.state();
  }

  /** The best checkpoint so far (0: none), for the epoch's checkpoint. */
  long bestCheckpoint() {
    return bestCheckpoint;
  }

  /** Whether early stopping stopped the run. */
  boolean stoppedEarly() {
    return stopping.shouldStop();
  }

  /** The epoch with the best value of the monitored metric (0: none yet). */
  int bestEpoch() {
    return stopping.bestEpoch();
  }

  /** The log line of an early stop after {@code epoch}. */
  String earlyStopLine(int epoch) {
    return "Early stopping after epoch " + epoch + ": " + stopping.monitor() + " has not improved for "
        + earlyStopping.patience() + " epochs; best " + String.format("%.4f", stopping.best())
        + " at epoch " + stopping.bestEpoch();
  }
}
