package org.sparktrain.train;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.dataset.DataSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparktrain.data.Datasets;
import org.sparktrain.data.PreparedData;
import org.sparktrain.eval.DistributedEvaluator;
import org.sparktrain.model.Json;
import org.sparktrain.model.ModelArchive;
import org.sparktrain.model.NetworkFactory;
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

  public TrainingRun(SparkSession spark, JobSpec spec, String outputDir) {
    this.spark = spark;
    this.spec = spec;
    this.outputDir = outputDir;
  }

  /** Runs the job and returns the summary written to summary.json. */
  public Map<String, Object> run() {
    Instant started = Instant.now();
    JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    Configuration hadoop = sc.hadoopConfiguration();
    Phases phases = new Phases();
    RunOutputs out = RunOutputs.create(outputDir, hadoop);
    out.write(RunOutputs.JOB, JobSpecWriter.toYaml(spec));
    int batch = StrategyContext.batchSizePerWorker(spec);

    PreparedData data =
        phases.run("Read and prepare data", () -> Datasets.prepare(spark, spec, batch));
    JavaRDD<DataSet> train = data.train().persist(StorageLevel.MEMORY_AND_DISK_SER());
    JavaRDD<DataSet> validation = data.validation().persist(StorageLevel.MEMORY_AND_DISK_SER());
    LOG.info(
        "Data: {} training, {} validation, {} test examples; {} inputs, {} outputs",
        data.trainCount(),
        data.validationCount(),
        data.testCount(),
        data.pipeline().numInputs(),
        data.pipeline().numOutputs());

    MultiLayerNetwork initial =
        phases.run(
            "Build model",
            () ->
                NetworkFactory.network(
                    spec, data.pipeline().numInputs(), data.pipeline().numOutputs()));
    LOG.info("Model: {} parameters", initial.numParams());

    Map<String, Object> lastValidation = Map.of();
    MultiLayerNetwork trained;
    int workers;
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
      for (int epoch = 1; epoch <= spec.training().epochs(); epoch++) {
        long t0 = System.nanoTime();
        double fitted = phases.run("Train", () -> strategy.fitEpoch(train));
        double fitSeconds = (System.nanoTime() - t0) / 1e9;
        // Without a running mean from the workers, the loss over the training split after the epoch.
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
          lastValidation.forEach(
              (k, v) -> {
                if (!"confusion_matrix".equals(k) && !"examples".equals(k)) {
                  line.put("val_" + k, v);
                }
              });
        }
        line.put("epoch_seconds", fitSeconds);
        line.put("samples_per_second", data.trainCount() / fitSeconds);
        line.put("eval_seconds", (System.nanoTime() - t0) / 1e9 - fitSeconds);
        out.appendMetrics(line);
        LOG.info(EpochLine.format(line, spec.training().epochs()));
      }
      trained = strategy.network();
    } finally {
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
    summary.put("parameters", trained.numParams());
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
    LOG.info("Test: {}", EpochLine.metrics(test));
    LOG.info("Outputs in {}", out.dir());
    return summary;
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
