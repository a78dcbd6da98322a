package org.sparktrain.train;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.sparktrain.files.AtomicFiles;
import org.sparktrain.files.RunLayout;
import org.sparktrain.files.Json;
import org.sparktrain.spec.JobSpec;
import org.sparktrain.spec.JobSpecLoader;
import org.sparktrain.spec.SpecException;
import org.sparktrain.spec.Violation;

/**
 * The run's output directory on any Hadoop filesystem, laid out as {@link RunLayout} names it.
 * Every file is replaced whole (temporary name, then one rename over the old file), so a reader
 * never sees half a file; a finished run, or a directory holding anything else, is never written
 * into.
 */
public final class RunOutputs {
  private final Path dir;
  private final FileSystem fs;
  private final List<String> metricLines = new ArrayList<>();
  private final List<Map<String, Object>> metrics = new ArrayList<>();

  private RunOutputs(Path dir, FileSystem fs) {
    this.dir = dir;
    this.fs = fs;
  }

  /**
   * Opens {@code dir} for a new run: refuses a directory that holds anything, so that nothing
   * there is overwritten or mixed with this run's files.
   */
  public static RunOutputs create(String dir, Configuration conf) {
    Path path = new Path(dir);
    try {
      FileSystem fs = path.getFileSystem(conf);
      Path qualified = fs.makeQualified(path);
      Contents contents = Contents.of(fs, qualified);
      if (!contents.others().isEmpty()) {
        throw refused(unrelated(qualified, contents.others()) + "; choose another --output, or move those files away");
      }
      if (!contents.runFiles().isEmpty()) {
        throw refused(
            "directory "
                + qualified
                + " already holds a run ("
                + String.join(", ", contents.runFiles())
                + "); expected a new or empty directory; choose another --output, delete that run, or pass --resume"
                + " to continue it");
      }
      fs.mkdirs(qualified);
      return new RunOutputs(qualified, fs);
    } catch (IOException e) {
      throw new UncheckedIOException("opening output directory " + dir, e);
    }
  }

  /**
   * Opens {@code dir} to continue a run (resume). Refuses a directory that holds anything but a
   * run's files, and a run that finished (its summary.json is written last but for the report):
   * resuming it would overwrite finished outputs. Nothing in it is changed here.
   */
  public static RunOutputs open(String dir, Configuration conf) {
    Path path = new Path(dir);
    try {
      FileSystem fs = path.getFileSystem(conf);
      Path qualified = fs.makeQualified(path);
      Contents contents = Contents.of(fs, qualified);
      if (!contents.others().isEmpty()) {
        throw refused(
            unrelated(qualified, contents.others())
                + "; --resume continues a run in the directory it wrote; check --output");
      }
      if (contents.runFiles().contains(RunLayout.SUMMARY)) {
        throw refused(
            "the run in "
                + qualified
                + " finished"
                + finishedAt(RunLayout.file(qualified, RunLayout.SUMMARY), fs)
                + " (it has a summary.json); there is nothing to resume, and resuming would overwrite its"
                + " model.zip and summary.json. To train longer, start a new run in another directory:"
                + " --output NEW --set training.epochs=N from the start, or continue from this run's model"
                + " with --set model.init_from="
                + RunLayout.file(qualified, RunLayout.MODEL)
                + " --set model.layers=null (its network and feature pipeline; the updater starts afresh)."
                + " A missing report is written again by `report "
                + qualified
                + "`");
      }
      fs.mkdirs(qualified);
      return new RunOutputs(qualified, fs);
    } catch (IOException e) {
      throw new UncheckedIOException("opening output directory " + dir, e);
    }
  }

  /**
   * A resume that found no checkpoint starts from epoch 1: allowed only when that loses nothing,
   * that is when the directory holds at most the job file of a run of the same job (a run stopped
   * before its first checkpoint and before it recorded an epoch).
   */
  void requireNothingRecorded(JobSpec spec, String checkpointDir) {
    try {
      Path metricsFile = path(RunLayout.METRICS);
      long epochs = 0;
      if (fs.exists(metricsFile)) {
        try (var in = fs.open(metricsFile)) {
          epochs =
              new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().filter(l -> !l.isBlank()).count();
        }
      }
      if (epochs > 0 || fs.exists(path(RunLayout.MODEL))) {
        throw refused(
            "the run in "
                + dir
                + " has recorded "
                + epochs
                + " epoch(s) in metrics.jsonl but has no committed checkpoint in "
                + checkpointDir
                + " (checkpoint.every: "
                + spec.checkpoint().every()
                + "); there is nothing to resume from, and starting again from epoch 1 would overwrite"
                + " what it recorded. Start a new run with another --output (with checkpoint.every >= 1 to"
                + " be able to resume), or delete "
                + dir
                + " to train it again from the start");
      }
      Path job = path(RunLayout.JOB);
      if (fs.exists(job)) {
        String yaml;
        try (var in = fs.open(job)) {
          yaml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        RunCheckpoints.requireCompatible(
            JobSpecLoader.parse(yaml, job.toString(), List.of()), spec, "the run's " + job);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("reading output directory " + dir, e);
    }
  }

  private static String finishedAt(Path summary, FileSystem fs) {
    try (java.io.InputStream in = fs.open(summary)) {
      Object epochs = Json.mapper().readValue(in, Map.class).get("epochs_run");
      return epochs == null ? "" : " after epoch " + epochs;
    } catch (IOException | RuntimeException e) {
      // Only the wording depends on it: the refusal stands whatever the file holds.
      return "";
    }
  }

  private static String unrelated(Path dir, List<String> others) {
    return "directory "
        + dir
        + " holds files that are not a run's outputs ("
        + String.join(", ", others.subList(0, Math.min(5, others.size())))
        + (others.size() > 5 ? ", and " + (others.size() - 5) + " more" : "")
        + "); expected a new or empty directory, or one a run of this job wrote";
  }

  private static SpecException refused(String message) {
    return new SpecException(List.of(new Violation("--output", message)));
  }

  /** A directory's entries, split into a run's files and the rest. */
  private record Contents(List<String> runFiles, List<String> others) {
    static Contents of(FileSystem fs, Path dir) throws IOException {
      List<String> run = new ArrayList<>();
      List<String> others = new ArrayList<>();
      FileStatus[] entries;
      try {
        entries = fs.listStatus(dir);
      } catch (FileNotFoundException e) {
        return new Contents(run, others);
      }
      for (FileStatus entry : entries) {
        String name = entry.getPath().getName();
        if (RunLayout.RUN_FILES.contains(name)) {
          run.add(name);
        } else if (!RunLayout.isTemporaryOrChecksumOfRunFile(name)) {
          others.add(name);
        }
      }
      java.util.Collections.sort(run);
      java.util.Collections.sort(others);
      return new Contents(run, others);
    }
  }

  /** Starts metrics.jsonl over with the epochs of a checkpoint (none for a new run). */
  public void restartMetrics(List<Map<String, Object>> history) {
    metricLines.clear();
    metrics.clear();
    for (Map<String, Object> line : history) {
      metricLines.add(Json.line(line));
      metrics.add(line);
    }
    if (!history.isEmpty()) {
      write(RunLayout.METRICS, String.join("\n", metricLines) + "\n");
    }
  }

  /** Every epoch's metrics so far. */
  public List<Map<String, Object>> metrics() {
    return List.copyOf(metrics);
  }

  public Path dir() {
    return dir;
  }

  public Path path(String name) {
    return RunLayout.file(dir, name);
  }

  /** Adds one epoch's object to the metrics; {@link #writeMetrics} puts it in metrics.jsonl. */
  public void addMetrics(Map<String, Object> epoch) {
    metricLines.add(Json.line(epoch));
    metrics.add(new java.util.LinkedHashMap<>(epoch));
  }

  /** Writes metrics.jsonl with every epoch so far (the whole file is replaced atomically). */
  public void writeMetrics() {
    write(RunLayout.METRICS, String.join("\n", metricLines) + "\n");
  }

  public void write(String name, String text) {
    AtomicFiles.write(new Path(dir, name), text, fs.getConf());
  }
}
