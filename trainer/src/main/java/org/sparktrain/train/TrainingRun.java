package org.sparktrain.train;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.dataset.DataSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparktrain.data.DataCache;
import org.sparktrain.data.Datasets;
import org.sparktrain.data.FeaturePipelineModel;
import org.sparktrain.eval.EarlyStopping;
import org.sparktrain.data.PreparedData;
import org.sparktrain.eval.DistributedEvaluator;
import org.sparktrain.model.InputDims;
import org.sparktrain.model.Json;
import org.sparktrain.model.ModelArchive;
import org.sparktrain.model.NetworkFactory;
import org.sparktrain.model.NetworkSources;
import org.sparktrain.spec.JobSpec;
import org.sparktrain.spec.JobSpecWriter;
import org.sparktrain.strategy.StrategyContext;
import org.sparktrain.strategy.TrainingStrategies;
import org.sparktrain.strategy.TrainingStrategy;

/**
 * One training run: read and prepare data, build the network, train epoch by epoch with
 * distributed validation, evaluate the test split, save the outputs.
 */
public final class TrainingRun {
  private static final Logger LOG = LoggerFactory.getLogger(TrainingRun.class);

  private final SparkSession spark;
  private final JobSpec spec;
  private final String outputDir;
  private final boolean resume;

  public TrainingRun(SparkSession spark, JobSpec spec, String outputDir) {
    this(spark, spec, outputDir, false);
  }

  /**
   * @param resume continue from the newest good checkpoint (from the start when there is none)
   */
  public TrainingRun(SparkSession spark, JobSpec spec, String outputDir, boolean resume) {
    this.spark = spark;
    this.spec = spec;
    this.outputDir = outputDir;
    this.resume = resume;
  }

  private List<String> restarts = List.of();

  /**
   * Why the run restarted itself before this attempt (a new Spark application each), oldest
   * first; written to summary.json.
   */
  public TrainingRun restarts(List<String> reasons) {
    this.restarts = List.copyOf(reasons);
    return this;
  }

  private Dataset<Row> input;

  /** Trains on these rows (a caller's DataFrame) instead of reading data.path. */
  public TrainingRun input(Dataset<Row> rows) {
    this.input = rows;
    return this;
  }

  /** Runs the job and returns the summary written to summary.json. */
  public Map<String, Object> run() {
    Instant started = Instant.now();
    JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    Configuration hadoop = sc.hadoopConfiguration();
    Phases phases = new Phases(sc);
    RunOutputs out = resume ? RunOutputs.open(outputDir, hadoop) : RunOutputs.create(outputDir, hadoop);
    RunCheckpoints checkpoints = new RunCheckpoints(RunCheckpoints.dir(spec, out.dir()), hadoop);
    Optional<RunCheckpoints.Resumed> resumed =
        resume ? phases.run("Find checkpoint", () -> checkpoints.latest(spec)) : Optional.empty();
    if (resume && resumed.isEmpty()) {
      // A restart after a lost executor continues this process's own run; a user's --resume may
      // only start over where nothing was recorded yet.
      if (restarts.isEmpty()) {
        out.requireNothingRecorded(spec, checkpoints.dir());
      }
      LOG.warn("No checkpoint in {}; starting from epoch 1", checkpoints.dir());
    }
    resumed.ifPresent(r -> LOG.info("Resuming after epoch {} from {}", r.epoch(), checkpoints.dir()));
    int batch = StrategyContext.batchSizePerWorker(spec);

    FeaturePipelineModel savedPipeline = resumed.map(RunCheckpoints.Resumed::pipeline).orElse(null);
    FeaturePipelineModel sourcePipeline =
        savedPipeline == null ? NetworkSources.sourcePipeline(spec, hadoop) : null;
    PreparedData data =
        phases.run(
            "Read and prepare data",
            () -> Datasets.prepare(spark, spec, batch, savedPipeline, sourcePipeline, input));
    // Only now that the data was read without error: nothing of an earlier run is touched by a run
    // that stops on bad data.
    out.restartMetrics(resumed.map(RunCheckpoints.Resumed::history).orElse(List.of()));
    out.write(RunOutputs.JOB, JobSpecWriter.toYaml(spec));
    DataCache cache = DataCache.choose(spark.sparkContext(), spec, data, batch);
    JavaRDD<DataSet> train = cache.persist(data.train());
    JavaRDD<DataSet> validation = cache.persist(data.validation());
    LOG.info(
        "Data: {} training, {} validation, {} test examples; {} inputs, {} outputs",
        data.trainCount(),
        data.validationCount(),
        data.testCount(),
        data.pipeline().numInputs(),
        data.pipeline().numOutputs());

    int[] imageSize = Datasets.imageSize(spark, spec.data());
    InputDims dims =
        InputDims.fromData(spec, data.pipeline().numInputs(), imageSize[0], imageSize[1], data.vocabulary());
    MultiLayerNetwork initial =
        resumed.isPresent()
            ? resumed.get().network()
            : phases.run(
                "Build model",
                () -> NetworkSources.network(spec, dims, data.pipeline(), hadoop));
    if (LOG.isInfoEnabled() && !spec.model().source().replacesLayers()) {
      LOG.info("Model summary:\n{}", String.join("\n", NetworkFactory.summary(spec, dims)));
    }
    EarlyStopping stopping = new EarlyStopping(spec.earlyStopping());
    resumed.ifPresent(r -> restoreStopping(stopping, r));
    MultiLayerNetwork best = resumed.map(RunCheckpoints.Resumed::best).orElse(null);
    int firstEpoch = resumed.map(r -> r.epoch() + 1).orElse(1);
    long bestCheckpoint = resumed.map(r -> ((Number) r.state().getOrDefault("best_checkpoint", 0)).longValue()).orElse(0L);
    long lastCheckpointNanos = System.nanoTime();
    LOG.info("Model: {} parameters", initial.numParams());

    Map<String, Object> lastValidation = Map.of();
    MultiLayerNetwork trained;
    boolean stoppedEarly;
    int bestEpoch;
    int workers;
    Progress progress = progress(sc);
    try (TrainingStrategy strategy =
        TrainingStrategies.create(
            StrategyContext.builder()
                .sparkContext(sc)
                .spec(spec)
                .network(initial)
                .exportDir(exportDir(hadoop, sc))
                .build())) {
      workers = strategy.workers();
      LOG.info("Strategy: {} with {} workers, batch size {} per worker", strategy.name(), workers, batch);
      for (int epoch = firstEpoch; epoch <= spec.training().epochs(); epoch++) {
        final int e = epoch;
        phases.epoch(epoch, spec.training().epochs());
        long t0 = System.nanoTime();
        if (progress != null) {
          progress.start(epoch, spec.training().epochs(), (data.trainCount() + batch - 1) / batch, batch);
        }
        double fitted;
        try {
          fitted = phases.run("Train", () -> strategy.fitEpoch(train, e));
        } finally {
          if (progress != null) {
            progress.stop();
          }
        }
        double fitSeconds = (System.nanoTime() - t0) / 1e9;
        // Without a running mean from the workers, the loss over the training split after the epoch.
        // Before anything evaluates a network that may have diverged.
        requireFinite(strategy, 0.0, epoch, checkpoints.dir());
        double trainLoss =
            Double.isFinite(fitted)
                ? fitted
                : ((Number)
                        phases
                            .run(
                                "Training loss",
                                () ->
                                    DistributedEvaluator.evaluate(
                                        sc, strategy.network(), train, data.pipeline()))
                            .get("loss"))
                    .doubleValue();
        if (!Double.isFinite(fitted)) {
          // The loss measured just now by evaluation, rather than gathered from the workers.
          requireFinite(strategy, trainLoss, epoch, checkpoints.dir());
        }
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("epoch", epoch);
        // JSON has no NaN: a strategy that reports no loss writes null.
        line.put("train_loss", Double.isFinite(trainLoss) ? trainLoss : null);
        if (data.validationCount() > 0) {
          lastValidation =
              phases.run(
                  "Validate",
                  () ->
                      DistributedEvaluator.evaluate(
                          sc, strategy.network(), validation, data.pipeline()));
          requireFiniteValidation(strategy, lastValidation, epoch, checkpoints.dir());
          lastValidation.forEach(
              (k, v) -> {
                // per-epoch lines hold numbers only: no matrices, curves or samples
                if (!(v instanceof List) && !"examples".equals(k)) {
                  line.put("val_" + k, v);
                }
              });
        }
        line.put("epoch_seconds", fitSeconds);
        line.put("samples_per_second", data.trainCount() / fitSeconds);
        line.put("eval_seconds", (System.nanoTime() - t0) / 1e9 - fitSeconds);
        out.addMetrics(line);
        LOG.info(EpochLine.format(line, spec.training().epochs()));

        boolean improved = stopping.update(epoch, line);
        if (improved && spec.earlyStopping().enabled()) {
          best = strategy.network().clone();
        }
        boolean last = epoch == spec.training().epochs() || stopping.shouldStop();
        var cp = spec.checkpoint();
        boolean due =
            (cp.every() > 0 && epoch % cp.every() == 0)
                || (cp.everyMinutes() > 0
                    && (System.nanoTime() - lastCheckpointNanos) / 60e9 >= cp.everyMinutes())
                || (last && stopping.shouldStop());
        if (due) {
          if (improved) {
            bestCheckpoint = epoch;
          }
          Map<String, Object> state = new LinkedHashMap<>();
          state.put("epoch", epoch);
          state.put("iteration", strategy.network().getIterationCount());
          state.put("seed", spec.seed());
          state.put("early_stopping", stopping.state());
          state.put("best_checkpoint", bestCheckpoint);
          state.put("history", out.metrics());
          Set<Long> keep = cp.keepBest() && bestCheckpoint > 0 ? Set.of(bestCheckpoint) : Set.of();
          MultiLayerNetwork bestNow = spec.earlyStopping().enabled() ? best : null;
          phases.run(
              "Checkpoint",
              () -> {
                checkpoints.save(
                    e, strategy.network(), bestNow, data.pipeline(), spec, state, line,
                    Provenance.of(spec, spark, started), keep);
                return null;
              });
          lastCheckpointNanos = System.nanoTime();
        }
        // After the epoch's checkpoint: a line in metrics.jsonl then always has its checkpoint (when
        // one was due), so a run killed in between resumes instead of holding a recorded epoch that
        // no checkpoint continues, which --resume refuses to overwrite.
        out.writeMetrics();
        if (stopping.shouldStop()) {
          LOG.info(
              "Early stopping after epoch {}: {} has not improved for {} epochs; best {} at epoch {}",
              epoch, stopping.monitor(), spec.earlyStopping().patience(),
              String.format("%.4f", stopping.best()), stopping.bestEpoch());
          break;
        }
      }
      phases.epoch(0, 0);
      trained = spec.earlyStopping().enabled() && best != null ? best : strategy.network();
      stoppedEarly = stopping.shouldStop();
      bestEpoch = stopping.bestEpoch();
    } finally {
      if (progress != null) {
        sc.sc().removeSparkListener(progress);
        progress.close();
      }
      train.unpersist(false);
      validation.unpersist(false);
    }

    Map<String, Object> test =
        phases.run(
            "Evaluate test split",
            () -> DistributedEvaluator.evaluate(sc, trained, data.test(), data.pipeline()));
    Map<String, Object> summary = new LinkedHashMap<>();
    summary.put("job", spec.name());
    summary.put("strategy", spec.strategy().type());
    summary.put("workers", workers);
    summary.put("epochs", spec.training().epochs());
    summary.put("seed", spec.seed());
    summary.put("examples", Map.of(
        "train", data.trainCount(), "validation", data.validationCount(), "test", data.testCount()));
    summary.put("epochs_run", out.metrics().size());
    if (!restarts.isEmpty()) {
      summary.put("restarts", restarts);
    }
    if (spec.earlyStopping().enabled()) {
      summary.put(
          "early_stopping",
          Map.of("stopped", stoppedEarly, "best_epoch", bestEpoch, "monitor", spec.earlyStopping().monitor()));
    }
    summary.put("parameters", trained.numParams());
    summary.put("layers", LayerTable.of(trained));
    Map<String, Object> dataFacts = new LinkedHashMap<>();
    dataFacts.put("format", spec.data().format());
    dataFacts.put("path", spec.data().path());
    if (spec.data().testPath() != null) {
      dataFacts.put("test_path", spec.data().testPath());
    }
    dataFacts.put("inputs", data.pipeline().numInputs());
    dataFacts.put("outputs", data.pipeline().numOutputs());
    dataFacts.put(
        "label",
        (spec.data().label().column() != null ? spec.data().label().column() : "idx labels") + " (" + data.pipeline().labelKind() + ")");
    dataFacts.put("missing_values", spec.data().missing().policy());
    if ("skip".equals(spec.data().missing().policy())) {
      dataFacts.put("skipped_rows", data.skippedRows());
    }
    summary.put("data", dataFacts);
    summary.put("test", test);
    summary.put("validation", lastValidation);
    summary.put("provenance", Provenance.of(spec, spark, started));
    if (spec.output().saveModel()) {
      phases.run(
          "Save model",
          () -> {
            ModelArchive.save(
                out.path(RunOutputs.MODEL),
                hadoop,
                trained,
                data.pipeline(),
                spec,
                Provenance.of(spec, spark, started));
            return null;
          });
    }
    summary.put("phase_seconds", phases.seconds());
    summary.put("total_seconds", secondsSince(started));
    out.write(RunOutputs.SUMMARY, Json.write(summary));
    phases.run("Report", () -> org.sparktrain.report.RunReport.write(out.dir().toString(), hadoop));
    LOG.info("Test: {}", EpochLine.metrics(test));
    LOG.info("Outputs in {}", out.dir());
    return summary;
  }

  /**
   * Stops the run when the epoch left NaN or infinite losses or parameters, before anything of
   * this epoch is written; the last checkpoint stays the last good state.
   */
  private void requireFinite(TrainingStrategy strategy, double trainLoss, int epoch, String checkpointDir) {
    long badMinibatches = strategy.nonFiniteLosses();
    boolean badParams = !Double.isFinite(strategy.network().params().sumNumber().doubleValue());
    if (badMinibatches == 0 && !badParams && !Double.isNaN(trainLoss) && !Double.isInfinite(trainLoss)) {
      return;
    }
    throw diverged(
        strategy,
        epoch,
        (badMinibatches > 0 ? badMinibatches + " minibatches had a NaN or infinite loss" : "the loss is " + trainLoss)
            + (badParams ? ", and the parameters hold NaN or infinite values" : ""),
        checkpointDir);
  }

  /**
   * Stops the run when the network after the epoch gives a NaN or infinite validation loss (its
   * parameters finite but its outputs overflowing), before the epoch is recorded or checkpointed.
   */
  private void requireFiniteValidation(
      TrainingStrategy strategy, Map<String, Object> validation, int epoch, String checkpointDir) {
    Object loss = validation.get("loss");
    if (loss instanceof Number n && !Double.isFinite(n.doubleValue())) {
      throw diverged(strategy, epoch, "the validation loss is " + n, checkpointDir);
    }
  }

  private DivergedException diverged(TrainingStrategy strategy, int epoch, String what, String checkpointDir) {
    return new DivergedException(
        "training diverged in epoch " + epoch + " (by iteration " + strategy.network().getIterationCount() + "): "
            + what
            + "; expected finite losses. Lower training.learning_rate (now " + spec.training().learningRate()
            + "), scale the features (data.features.scaling), or look for extreme values in the data;"
            + " nothing of this epoch was saved, and the newest checkpoint in " + checkpointDir
            + " holds the last good state. Resume allows changing only training.epochs and"
            + " early_stopping, so fix the job and start a new run");
  }

  /**
   * The live epoch line on stderr, registered with Spark; none when the console shows warnings
   * only ({@code --quiet}).
   */
  private static Progress progress(JavaSparkContext sc) {
    if (!LoggerFactory.getLogger(Progress.class).isInfoEnabled()) {
      return null;
    }
    Progress progress = Progress.console();
    sc.sc().addSparkListener(progress);
    return progress;
  }

  /** Early-stopping state from a checkpoint; replayed from the history when the metric changed. */
  private static void restoreStopping(EarlyStopping stopping, RunCheckpoints.Resumed r) {
    @SuppressWarnings("unchecked")
    Map<String, Object> saved = (Map<String, Object>) r.state().get("early_stopping");
    if (saved != null && stopping.monitor().equals(saved.get("monitor"))) {
      stopping.restore(saved);
    } else {
      for (Map<String, Object> line : r.history()) {
        stopping.update(((Number) line.get("epoch")).intValue(), line);
      }
    }
  }

  private static double secondsSince(Instant started) {
    return (Instant.now().toEpochMilli() - started.toEpochMilli()) / 1000.0;
  }

  /**
   * Where DL4J exports minibatches: under the default filesystem's temporary directory, which is
   * HDFS on a cluster and the local disk in local mode.
   */
  private String exportDir(Configuration hadoop, JavaSparkContext sc) {
    if (spec.strategy().exportDir() != null) {
      return spec.strategy().exportDir();
    }
    try {
      FileSystem fs = FileSystem.get(hadoop);
      return fs.makeQualified(new Path("/tmp/sparktrain-export/" + sc.sc().applicationId() + "/" + java.util.UUID.randomUUID()))
          .toString();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("resolving the default filesystem", e);
    }
  }
}
