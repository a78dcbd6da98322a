package org.sparktrain.api;

import com.fasterxml.jackson.core.type.TypeReference;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.sparktrain.data.FeaturePipelineModel;
import org.sparktrain.eval.Predictions;
import org.sparktrain.files.AtomicFiles;
import org.sparktrain.files.Json;
import org.sparktrain.files.RunLayout;
import org.sparktrain.model.ModelArchive;
import org.sparktrain.model.ModelException;
import org.sparktrain.spec.JobSpec;

/**
 * A trained network with its fitted feature pipeline, its job, the test metrics and the per-epoch
 * history. Saved as a run directory (model.zip, summary.json, metrics.jsonl), so the CLI's
 * evaluate and predict read it too, and {@link #load} reads the directories {@code train} writes.
 */
public final class TrainedModel {
  private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};

  private final ModelArchive.Loaded archive;
  private final Map<String, Object> summary;
  private final List<Map<String, Object>> history;

  private TrainedModel(ModelArchive.Loaded archive, Map<String, Object> summary, List<Map<String, Object>> history) {
    this.archive = archive;
    this.summary = summary;
    this.history = history;
  }

  /** The outputs of a finished run in {@code dir}. */
  static TrainedModel readRun(Path dir, Configuration conf, Map<String, Object> summary) {
    ModelArchive.Loaded loaded = ModelArchive.load(new Path(dir, RunLayout.MODEL), conf);
    return new TrainedModel(loaded, summary, readHistory(new Path(dir, RunLayout.METRICS), conf));
  }

  /** The DL4J network. */
  public MultiLayerNetwork network() {
    return archive.network();
  }

  /** The feature pipeline fitted on the training split (columns, categories, scaling, label). */
  public FeaturePipelineModel pipeline() {
    return archive.pipeline();
  }

  /** The resolved job the model was trained with. */
  public JobSpec spec() {
    return archive.spec();
  }

  /**
   * The metrics on the test split (loss, accuracy, AUC, ... by task), as in summary.json; empty
   * when the run had no test split.
   */
  @SuppressWarnings("unchecked")
  public Map<String, Object> metrics() {
    Object test = summary.get("test");
    return test instanceof Map ? (Map<String, Object>) test : Map.of();
  }

  /** summary.json of the run: test and validation metrics, examples, workers, timings, provenance. */
  public Map<String, Object> summary() {
    return summary;
  }

  /** One map per epoch, as metrics.jsonl: epoch, train_loss, val_* metrics, epoch_seconds, ... */
  public List<Map<String, Object>> history() {
    return history;
  }

  /**
   * Scores rows in the executors with the saved feature pipeline: one row per input row, the key
   * columns (as text), {@code prediction} (class name or value) and, for classifiers, a {@code
   * probability_<class>} column per class. The columns the pipeline reads must be present; the
   * label is not needed.
   */
  public Dataset<Row> predict(Dataset<Row> rows, String... keyColumns) {
    return Predictions.score(rows.sparkSession(), archive, rows, List.of(keyColumns));
  }

  /**
   * Writes the model to a new directory {@code uri} (any Hadoop URI): model.zip, summary.json and
   * metrics.jsonl, each written under a temporary name and renamed.
   */
  public void save(String uri) {
    Configuration conf = hadoopConf();
    Path dir = new Path(uri);
    try {
      FileSystem fs = dir.getFileSystem(conf);
      if (fs.exists(new Path(dir, RunLayout.MODEL))) {
        throw new ModelException(
            "'" + uri + "' already holds a model; expected a new directory; choose another path or delete that model");
      }
      fs.mkdirs(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("creating " + uri, e);
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> provenance =
        summary.get("provenance") instanceof Map ? (Map<String, Object>) summary.get("provenance") : Map.of();
    List<String> lines = new ArrayList<>();
    history.forEach(h -> lines.add(Json.line(h)));
    AtomicFiles.write(new Path(dir, RunLayout.METRICS), lines.isEmpty() ? "" : String.join("\n", lines) + "\n", conf);
    AtomicFiles.write(new Path(dir, RunLayout.SUMMARY), Json.write(summary), conf);
    // The archive last: a directory with model.zip is a complete model.
    ModelArchive.save(new Path(dir, RunLayout.MODEL), conf, network(), pipeline(), spec(), provenance);
  }

  /**
   * Reads a model written by {@link #save}, or a run directory written by {@code train}, or a
   * model.zip alone (its summary and history are then empty).
   */
  public static TrainedModel load(String uri) {
    Configuration conf = hadoopConf();
    Path path = new Path(uri);
    try {
      FileSystem fs = path.getFileSystem(conf);
      if (!fs.exists(path)) {
        throw new ModelException(
            "no model at '" + uri + "'; expected a directory written by TrainedModel.save or train --output, or a model.zip; check the path");
      }
      if (fs.getFileStatus(path).isFile()) {
        return new TrainedModel(ModelArchive.load(path, conf), Map.of(), List.of());
      }
      if (!fs.exists(new Path(path, RunLayout.MODEL))) {
        throw new ModelException(
            "'" + uri + "' holds no " + RunLayout.MODEL + "; expected a directory written by TrainedModel.save or train --output (with output.save_model)");
      }
      Path summaryPath = new Path(path, RunLayout.SUMMARY);
      Map<String, Object> summary =
          fs.exists(summaryPath) ? Json.mapper().readValue(readText(fs, summaryPath), MAP) : Map.of();
      return readRun(path, conf, summary);
    } catch (IOException e) {
      throw new UncheckedIOException("reading model " + uri, e);
    }
  }

  private static List<Map<String, Object>> readHistory(Path file, Configuration conf) {
    try {
      FileSystem fs = file.getFileSystem(conf);
      if (!fs.exists(file)) {
        return List.of();
      }
      List<Map<String, Object>> lines = new ArrayList<>();
      for (String line : readText(fs, file).split("\n")) {
        if (!line.isBlank()) {
          lines.add(new LinkedHashMap<>(Json.mapper().readValue(line, MAP)));
        }
      }
      return List.copyOf(lines);
    } catch (IOException e) {
      throw new UncheckedIOException("reading " + file, e);
    }
  }

  private static String readText(FileSystem fs, Path file) throws IOException {
    try (InputStream in = fs.open(file)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  /** The running session's Hadoop settings (filesystems, credentials), else the defaults. */
  static Configuration hadoopConf() {
    scala.Option<SparkSession> s = SparkSession.getActiveSession();
    if (s.isEmpty()) {
      s = SparkSession.getDefaultSession();
    }
    return s.isDefined() ? s.get().sparkContext().hadoopConfiguration() : new Configuration();
  }
}
