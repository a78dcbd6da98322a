package org.sparktrain.train;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.dataset.DataSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparktrain.data.PreparedData;
import org.sparktrain.eval.DistributedEvaluator;
import org.sparktrain.spec.JobSpec;
import org.sparktrain.strategy.StrategyContext;
import org.sparktrain.strategy.TrainingStrategy;

/**
 * The epochs of a run with one strategy: each epoch is fitted, checked for divergence, validated,
 * recorded as a metrics line, checkpointed when the {@link Trigger} says so, and then written to
 * metrics.jsonl; the trigger decides when the loop stops.
 */
final class EpochLoop {
  /** The run's log: the epoch lines read as the run's, as they always have. */
  private static final Logger LOG = LoggerFactory.getLogger(TrainingRun.class);

  private final JobSpec spec;
  private final JavaSparkContext sc;
  private final Phases phases;
  private final RunOutputs out;
  private final RunCheckpoints checkpoints;
  private final Trigger trigger;
  private final PreparedData data;
  private final JavaRDD<DataSet> train;
  private final JavaRDD<DataSet> validation;
  private final int batch;
  private final Progress progress;
  private MultiLayerNetwork best;
  private Map<String, Object> lastValidation = Map.of();

  /**
   * What the loop leaves.
   *
   * @param trained the network to test and save: with early stopping the best one, else the last
   * @param workers the strategy's workers
   * @param lastValidation the validation metrics of the last epoch (empty without validation)
   * @param stoppedEarly whether early stopping stopped the run
   * @param bestEpoch the epoch with the best value of early stopping's metric (0: none)
   */
  record Result(
      MultiLayerNetwork trained, int workers, Map<String, Object> lastValidation, boolean stoppedEarly, int bestEpoch) {}

  /**
   * @param best the best network of the checkpoint resumed from; null for none
   * @param progress the live epoch line; null for none
   */
  EpochLoop(RunContext run, Trigger trigger, TrainingSplits splits, MultiLayerNetwork best, Progress progress) {
    this.spec = run.spec();
    this.sc = run.sc();
    this.phases = run.phases();
    this.out = run.out();
    this.checkpoints = run.checkpoints();
    this.trigger = trigger;
    this.data = splits.data();
    this.train = splits.train();
    this.validation = splits.validation();
    this.batch = StrategyContext.batchSizePerWorker(spec);
    this.best = best;
    this.progress = progress;
  }

  /** Trains epoch after epoch until the trigger stops the run. */
  Result run(TrainingStrategy strategy) {
    // Before the first epoch: a strategy that chooses on its first epoch reports its workers then.
    int workers = strategy.workers();
    if (trigger.validates()) {
      // A strategy whose workers hold each epoch's final network may score validation there.
      strategy.validateAlong(validation, DistributedEvaluator.scorer(data.pipeline()));
    }
    for (int epoch = trigger.firstEpoch(); trigger.runs(epoch); epoch++) {
      if (epoch(strategy, epoch).stop()) {
        break;
      }
    }
    phases.epoch(0, 0);
    MultiLayerNetwork trained =
        spec.earlyStopping().enabled() && best != null ? best : strategy.network();
    return new Result(trained, workers, lastValidation, trigger.stoppedEarly(), trigger.bestEpoch());
  }

  private Trigger.Decision epoch(TrainingStrategy strategy, int epoch) {
    phases.epoch(epoch, spec.training().epochs());
    long t0 = System.nanoTime();
    double fitted = fit(strategy, epoch);
    Optional<TrainingStrategy.EpochValidation> along = strategy.epochValidation();
    // Validation done along with the epoch's training counts as evaluation, not training.
    double alongSeconds = along.map(TrainingStrategy.EpochValidation::seconds).orElse(0.0);
    double fitSeconds = (System.nanoTime() - t0) / 1e9 - alongSeconds;
    if (along.isPresent()) {
      phases.move("Train", "Validate", alongSeconds);
    }
    double trainLoss = trainLoss(strategy, epoch, fitted);
    Map<String, Object> line = new LinkedHashMap<>();
    line.put("epoch", epoch);
    // JSON has no NaN: a strategy that reports no loss writes null.
    line.put("train_loss", Double.isFinite(trainLoss) ? trainLoss : null);
    if (trigger.validates()) {
      validate(strategy, epoch, line, along);
    }
    line.put("epoch_seconds", fitSeconds);
    line.put("samples_per_second", data.trainCount() / fitSeconds);
    line.put("eval_seconds", (System.nanoTime() - t0) / 1e9 - fitSeconds);
    out.addMetrics(line);
    LOG.info(EpochLine.format(line, spec.training().epochs()));

    Trigger.Decision next = trigger.afterEpoch(epoch, line);
    if (next.newBest()) {
      best = strategy.network().clone();
    }
    if (next.checkpoint()) {
      checkpoint(strategy, epoch, line, next);
    }
    // After the epoch's checkpoint: a line in metrics.jsonl then always has its checkpoint (when
    // one was due), so a run killed in between resumes instead of holding a recorded epoch that
    // no checkpoint continues, which --resume refuses to overwrite.
    out.writeMetrics();
    if (next.earlyStop()) {
      LOG.info(trigger.earlyStopLine(epoch));
    }
    return next;
  }

  /** One pass over the training split; the mean loss the workers gathered, or NaN. */
  private double fit(TrainingStrategy strategy, int epoch) {
    if (progress != null) {
      progress.start(epoch, spec.training().epochs(), (data.trainCount() + batch - 1) / batch, batch);
    }
    try {
      return phases.run("Train", () -> strategy.fitEpoch(train, epoch));
    } finally {
      if (progress != null) {
        progress.stop();
      }
    }
  }

  /**
   * The epoch's training loss: the workers' running mean, or without one the loss over the
   * training split after the epoch. Divergence is checked before anything evaluates a network that
   * may have diverged, and again on a loss measured by evaluation.
   */
  private double trainLoss(TrainingStrategy strategy, int epoch, double fitted) {
    requireFinite(strategy, 0.0, epoch);
    if (Double.isFinite(fitted)) {
      return fitted;
    }
    double evaluated =
        ((Number)
                phases
                    .run(
                        "Training loss",
                        () -> DistributedEvaluator.evaluate(sc, strategy.network(), train, data.pipeline()))
                    .get("loss"))
            .doubleValue();
    requireFinite(strategy, evaluated, epoch);
    return evaluated;
  }

  /**
   * Evaluates the validation split (unless the strategy did along with the epoch) and adds its
   * numbers to the epoch's line as {@code val_*}.
   */
  private void validate(
      TrainingStrategy strategy, int epoch, Map<String, Object> line, Optional<TrainingStrategy.EpochValidation> along) {
    lastValidation =
        phases.run(
            "Validate",
            () ->
                along.isPresent()
                    ? along.get().metrics()
                    : DistributedEvaluator.evaluate(sc, strategy.network(), validation, data.pipeline()));
    Optional<String> diverged = trigger.validationDivergence(lastValidation);
    if (diverged.isPresent()) {
      throw diverged(strategy, epoch, diverged.get());
    }
    lastValidation.forEach(
        (k, v) -> {
          // per-epoch lines hold numbers only: no matrices, curves or samples
          if (!(v instanceof List) && !"examples".equals(k)) {
            line.put("val_" + k, v);
          }
        });
  }

  private void checkpoint(TrainingStrategy strategy, int epoch, Map<String, Object> line, Trigger.Decision next) {
    TrainingState state =
        new TrainingState(
            epoch,
            strategy.network().getIterationCount(),
            spec.seed(),
            trigger.stopping(),
            trigger.bestCheckpoint(),
            out.metrics(),
            strategy.chosenSettings());
    MultiLayerNetwork bestNow = spec.earlyStopping().enabled() ? best : null;
    RunCheckpoints.Checkpoint checkpoint =
        new RunCheckpoints.Checkpoint(state, strategy.network(), bestNow, data.pipeline(), line, next.alsoKeep());
    phases.run(
        "Checkpoint",
        () -> {
          checkpoints.save(checkpoint);
          return null;
        });
    trigger.checkpointed();
  }

  /**
   * Stops the run when the epoch left NaN or infinite losses or parameters, before anything of
   * this epoch is written; the last checkpoint stays the last good state.
   */
  private void requireFinite(TrainingStrategy strategy, double trainLoss, int epoch) {
    long badMinibatches = strategy.nonFiniteLosses();
    boolean badParams = !Double.isFinite(strategy.network().params().sumNumber().doubleValue());
    Optional<String> diverged = trigger.divergence(badMinibatches, badParams, trainLoss);
    if (diverged.isPresent()) {
      throw diverged(strategy, epoch, diverged.get());
    }
  }

  private DivergedException diverged(TrainingStrategy strategy, int epoch, String what) {
    return new DivergedException(
        "training diverged in epoch " + epoch + " (by iteration " + strategy.network().getIterationCount() + "): "
            + what
            + "; expected finite losses. Lower training.learning_rate (now " + spec.training().learningRate()
            + "), scale the features (data.features.scaling), or look for extreme values in the data;"
            + " nothing of this epoch was saved, and the newest checkpoint in " + checkpoints.dir()
            + " holds the last good state. Resume allows changing only training.epochs and"
            + " early_stopping, so fix the job and start a new run");
  }
}
