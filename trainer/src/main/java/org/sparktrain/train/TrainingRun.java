package org.sparktrain.train;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
import org.sparktrain.data.PreparedData;
import org.sparktrain.eval.DistributedEvaluator;
import org.sparktrain.model.InputDims;
import org.sparktrain.files.Json;
import org.sparktrain.files.RunLayout;
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

  /**
   * Runs the job and returns the summary written to summary.json: opens the outputs, finds the
   * checkpoint to resume from, prepares the data, builds the model, trains the epochs, then
   * evaluates the test split and writes the outputs.
   */
  public Map<String, Object> run() {
    RunContext run = open(Instant.now());
    Optional<RunCheckpoints.Resumed> resumed = findCheckpoint(run);
    TrainingSplits splits = prepareData(run, resumed);
    EpochLoop.Result result;
    try {
      MultiLayerNetwork initial = buildModel(run, splits.data(), resumed);
      result = trainEpochs(run, splits, initial, resumed);
    } finally {
      splits.unpersist();
    }
    return finish(run, splits.data(), result);
  }

  /** The run's Spark context, phases, output directory (new, or the one resumed) and checkpoints. */
  private RunContext open(Instant started) {
    JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    Configuration hadoop = sc.hadoopConfiguration();
    Phases phases = new Phases(sc);
    RunOutputs out = resume ? RunOutputs.open(outputDir, hadoop) : RunOutputs.create(outputDir, hadoop);
    RunCheckpoints checkpoints =
        new RunCheckpoints(
            RunCheckpoints.dir(spec, out.dir()), hadoop, spec, Provenance.of(spec, spark, started));
    return new RunContext(spec, sc, hadoop, phases, out, checkpoints, started);
  }

  /** With resume, the newest good checkpoint; empty for a new run or when there is none yet. */
  private Optional<RunCheckpoints.Resumed> findCheckpoint(RunContext run) {
    if (!resume) {
      return Optional.empty();
    }
    RunCheckpoints checkpoints = run.checkpoints();
    Optional<RunCheckpoints.Resumed> resumed = run.phases().run("Find checkpoint", checkpoints::latest);
    if (resumed.isEmpty()) {
      // A restart after a lost executor continues this process's own run; a user's --resume may
      // only start over where nothing was recorded yet.
      if (restarts.isEmpty()) {
        run.out().requireNothingRecorded(spec, checkpoints.dir());
      }
      LOG.warn("No checkpoint in {}; starting from epoch 1", checkpoints.dir());
    }
    resumed.ifPresent(r -> LOG.info("Resuming after epoch {} from {}", r.epoch(), checkpoints.dir()));
    return resumed;
  }

  /**
   * Reads and prepares the data (with the feature pipeline of the checkpoint resumed from), and
   * only then starts metrics.jsonl over and writes job.yaml; caches the training and validation
   * minibatches for the epochs.
   */
  private TrainingSplits prepareData(RunContext run, Optional<RunCheckpoints.Resumed> resumed) {
    int batch = StrategyContext.batchSizePerWorker(spec);
    FeaturePipelineModel savedPipeline = resumed.map(RunCheckpoints.Resumed::pipeline).orElse(null);
    FeaturePipelineModel sourcePipeline =
        savedPipeline == null ? NetworkSources.sourcePipeline(spec, run.hadoop()) : null;
    PreparedData data =
        run.phases().run(
            "Read and prepare data",
            () -> Datasets.prepare(spark, spec, batch, savedPipeline, sourcePipeline, input));
    // Only now that the data was read without error: nothing of an earlier run is touched by a run
    // that stops on bad data.
    run.out().restartMetrics(resumed.map(RunCheckpoints.Resumed::history).orElse(List.of()));
    run.out().write(RunLayout.JOB, JobSpecWriter.toYaml(spec));
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
    return new TrainingSplits(data, train, validation);
  }

  /** The network to start from: the checkpoint's, or a new one built for the data. */
  private MultiLayerNetwork buildModel(
      RunContext run, PreparedData data, Optional<RunCheckpoints.Resumed> resumed) {
    int[] imageSize = Datasets.imageSize(spark, spec.data());
    InputDims dims =
        InputDims.fromData(spec, data.pipeline().numInputs(), imageSize[0], imageSize[1], data.vocabulary());
    MultiLayerNetwork initial =
        resumed.isPresent()
            ? resumed.get().network()
            : run.phases().run(
                "Build model",
                () -> NetworkSources.network(spec, dims, data.pipeline(), run.hadoop()));
    if (LOG.isInfoEnabled() && !spec.model().source().replacesLayers()) {
      LOG.info("Model summary:\n{}", String.join("\n", NetworkFactory.summary(spec, dims)));
    }
    LOG.info("Model: {} parameters", initial.numParams());
    return initial;
  }

  /** Builds the strategy around {@code initial} and trains the epochs the trigger allows. */
  private EpochLoop.Result trainEpochs(
      RunContext run, TrainingSplits splits, MultiLayerNetwork initial, Optional<RunCheckpoints.Resumed> resumed) {
    Trigger trigger = Trigger.of(spec, splits.data().validationCount(), resumed.map(RunCheckpoints.Resumed::state));
    MultiLayerNetwork best = resumed.map(RunCheckpoints.Resumed::best).orElse(null);
    JavaSparkContext sc = run.sc();
    Progress progress = progress(sc);
    try (TrainingStrategy strategy =
        TrainingStrategies.create(
            StrategyContext.builder()
                .sparkContext(sc)
                .spec(spec)
                .network(initial)
                .exportDir(exportDir(run.hadoop(), sc))
                .chosenSettings(
                    resumed.map(r -> r.state().strategyChoice()).orElse(java.util.Map.of()))
                .build())) {
      LOG.info(
          "Strategy: {} with {} workers, batch size {} per worker",
          strategy.name(), strategy.workers(), StrategyContext.batchSizePerWorker(spec));
      return new EpochLoop(run, trigger, splits, best, progress).run(strategy);
    } finally {
      if (progress != null) {
        sc.sc().removeSparkListener(progress);
        progress.close();
      }
    }
  }

  /** Evaluates the test split with the trained network; writes the model, summary and report. */
  private Map<String, Object> finish(RunContext run, PreparedData data, EpochLoop.Result result) {
    MultiLayerNetwork trained = result.trained();
    Phases phases = run.phases();
    Map<String, Object> test =
        phases.run(
            "Evaluate test split",
            () -> DistributedEvaluator.evaluate(run.sc(), trained, data.test(), data.pipeline()));
    Map<String, Object> summary = summary(run, data, result, test);
    if (spec.output().saveModel()) {
      phases.run(
          "Save model",
          () -> {
            ModelArchive.save(
                run.out().path(RunLayout.MODEL),
                run.hadoop(),
                trained,
                data.pipeline(),
                spec,
                Provenance.of(spec, spark, run.started()));
            return null;
          });
    }
    summary.put("phase_seconds", phases.seconds());
    summary.put("total_seconds", secondsSince(run.started()));
    run.out().write(RunLayout.SUMMARY, Json.write(summary));
    phases.run("Report", () -> org.sparktrain.report.RunReport.write(run.out().dir().toString(), run.hadoop()));
    LOG.info("Test: {}", EpochLine.metrics(test));
    LOG.info("Outputs in {}", run.out().dir());
    return summary;
  }

  /** summary.json up to the phase times: the job, the data, the network and its test metrics. */
  private Map<String, Object> summary(
      RunContext run, PreparedData data, EpochLoop.Result result, Map<String, Object> test) {
    Map<String, Object> summary = new LinkedHashMap<>();
    summary.put("job", spec.name());
    summary.put("strategy", spec.strategy().type());
    summary.put("workers", result.workers());
    summary.put("epochs", spec.training().epochs());
    summary.put("seed", spec.seed());
    summary.put("examples", Map.of(
        "train", data.trainCount(), "validation", data.validationCount(), "test", data.testCount()));
    summary.put("epochs_run", run.out().metrics().size());
    if (!restarts.isEmpty()) {
      summary.put("restarts", restarts);
    }
    if (spec.earlyStopping().enabled()) {
      summary.put(
          "early_stopping",
          Map.of("stopped", result.stoppedEarly(), "best_epoch", result.bestEpoch(), "monitor", spec.earlyStopping().monitor()));
    }
    summary.put("parameters", result.trained().numParams());
    summary.put("layers", LayerTable.of(result.trained()));
    summary.put("data", dataFacts(data));
    summary.put("test", test);
    summary.put("validation", result.lastValidation());
    summary.put("provenance", Provenance.of(spec, spark, run.started()));
    return summary;
  }

  /** The summary's facts about the data: format, paths, inputs, outputs, label, missing values. */
  private Map<String, Object> dataFacts(PreparedData data) {
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
    return dataFacts;
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
