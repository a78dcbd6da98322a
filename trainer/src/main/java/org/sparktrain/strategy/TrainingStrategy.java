package org.sparktrain.strategy;

import org.apache.spark.api.java.JavaRDD;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.dataset.DataSet;

/**
 * How workers train one network together over an RDD of minibatches. Implementations keep the
 * network between epochs; the caller passes the same (persisted) RDD every epoch.
 */
public interface TrainingStrategy extends AutoCloseable {
  /** A short name for logs and summaries, e.g. {@code averaging}. */
  String name();

  /**
   * One pass over {@code train}, the {@code epoch}-th of the run (from 1; a resumed run passes
   * the epochs it continues with, so that seeded choices repeat). Returns the mean loss over the minibatches the workers fitted, or
   * NaN when the strategy cannot gather it (the caller then measures the loss itself).
   */
  double fitEpoch(JavaRDD<DataSet> train, int epoch);

  /** Minibatches of the last epoch whose loss was NaN or infinite (0 when not counted). */
  default long nonFiniteLosses() {
    return 0;
  }

  /**
   * The largest change of a frozen parameter found (and undone) after an epoch so far; 0 when
   * frozen layers came through unchanged or there are none. See {@link org.sparktrain.dl4j.FrozenGuard}.
   */
  default double frozenDrift() {
    return 0;
  }

  /**
   * Settings the strategy chose for itself (auto: {@code workers}, {@code threads},
   * {@code averaging_frequency}), which a checkpoint saves so that a resumed run keeps them; empty
   * when it chose none (yet).
   */
  default java.util.Map<String, Integer> chosenSettings() {
    return java.util.Map.of();
  }

  /**
   * Asks the strategy to evaluate {@code batches} with each epoch's final network inside the
   * epoch's own work, where its workers already hold that network (no job and no copy of the
   * network for it). Called once, before the first epoch; a strategy that cannot do so ignores it,
   * and {@link #epochValidation} then stays empty.
   */
  default void validateAlong(JavaRDD<DataSet> batches, ValidationScorer scorer) {}

  /**
   * The metrics of {@link #validateAlong}'s minibatches after the last {@link #fitEpoch}, when
   * that epoch computed them; empty otherwise (the caller then evaluates them itself).
   */
  default java.util.Optional<EpochValidation> epochValidation() {
    return java.util.Optional.empty();
  }

  /**
   * Validation metrics an epoch computed along with its training.
   *
   * @param metrics as {@code MetricsAccumulator.metrics()} gives them
   * @param seconds of the epoch's wall time spent on them (the slowest worker's)
   */
  record EpochValidation(java.util.Map<String, Object> metrics, double seconds) {}

  /**
   * Where the last epoch's wall time went, as the strategy measured it, in seconds unless named
   * otherwise; empty when the strategy keeps no such figures. {@code synchronous} (and {@code auto}
   * running it) gives {@code wall}, {@code fitting} (per worker, reading included),
   * {@code minibatches_per_worker} (the most a worker had), {@code rounds}, {@code averaging} (the
   * rounds' all-reduces), {@code waiting} (per worker, for slower ones), {@code setup},
   * {@code validating} (see {@link #validateAlong}), {@code state_bytes} (parameters and updater
   * state) and {@code native_threads_per_worker}.
   */
  default java.util.Map<String, Double> epochBreakdown() {
    return java.util.Map.of();
  }

  /** The current network; its parameters are those after the last completed epoch. */
  MultiLayerNetwork network();

  /** Number of workers that train in parallel. */
  int workers();

  /** Releases temporary files and transports. */
  @Override
  void close();
}
