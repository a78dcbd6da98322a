package org.sparktrain.train;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.sparktrain.model.Json;
import org.sparktrain.spec.SpecException;
import org.sparktrain.spec.Violation;

/**
 * The run's output directory on any Hadoop filesystem. Every file is replaced whole (temporary name,
 * then rename), so a reader never sees half a file and an existing run is never overwritten.
 */
public final class RunOutputs {
  public static final String METRICS = "metrics.jsonl";
  public static final String SUMMARY = "summary.json";
  public static final String MODEL = "model.zip";
  public static final String JOB = "job.yaml";

  private final Path dir;
  private final FileSystem fs;
  private final List<String> metricLines = new ArrayList<>();
  private final List<Map<String, Object>> metrics = new ArrayList<>();

  private RunOutputs(Path dir, FileSystem fs) {
    this.dir = dir;
    this.fs = fs;
  }

  /** Opens {@code dir} for a new run; refuses one that already holds a run's metrics. */
  public static RunOutputs create(String dir, Configuration conf) {
    Path path = new Path(dir);
    try {
      FileSystem fs = path.getFileSystem(conf);
      Path qualified = fs.makeQualified(path);
      if (fs.exists(new Path(qualified, METRICS)) || fs.exists(new Path(qualified, MODEL))) {
        throw new SpecException(
            List.of(
                new Violation(
                    "--output",
                    "directory "
                        + qualified
                        + " already holds a run (metrics.jsonl or model.zip); expected a new or"
                        + " empty directory; choose another --output, delete that run, or pass --resume to continue it")));
      }
      fs.mkdirs(qualified);
      return new RunOutputs(qualified, fs);
    } catch (IOException e) {
      throw new UncheckedIOException("opening output directory " + dir, e);
    }
  }

  /**
   * Opens {@code dir} to continue a run (resume): an existing run is expected there, and nothing
   * in it is removed until the metrics are rewritten from the checkpoint's history.
   */
  public static RunOutputs open(String dir, Configuration conf) {
    Path path = new Path(dir);
    try {
      FileSystem fs = path.getFileSystem(conf);
      Path qualified = fs.makeQualified(path);
      fs.mkdirs(qualified);
      return new RunOutputs(qualified, fs);
    } catch (IOException e) {
      throw new UncheckedIOException("opening output directory " + dir, e);
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
      write(METRICS, String.join("\n", metricLines) + "\n");
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
    return new Path(dir, name);
  }

  /** Appends one epoch's object to metrics.jsonl (the whole file is rewritten atomically). */
  public void appendMetrics(Map<String, Object> epoch) {
    metricLines.add(Json.line(epoch));
    metrics.add(new java.util.LinkedHashMap<>(epoch));
    write(METRICS, String.join("\n", metricLines) + "\n");
  }

  public void write(String name, String text) {
    writeFile(new Path(dir, name), text, fs);
  }

  /** Replaces {@code target} with {@code text}: written under a temporary name, then renamed. */
  public static void writeFile(Path target, String text, Configuration conf) {
    writeFile(target, text.getBytes(StandardCharsets.UTF_8), conf);
  }

  /** Replaces {@code target} with {@code bytes}: written under a temporary name, then renamed. */
  public static void writeFile(Path target, byte[] bytes, Configuration conf) {
    try {
      writeFile(target, bytes, target.getFileSystem(conf));
    } catch (IOException e) {
      throw new UncheckedIOException("writing " + target, e);
    }
  }

  private static void writeFile(Path target, String text, FileSystem fs) {
    writeFile(target, text.getBytes(StandardCharsets.UTF_8), fs);
  }

  private static void writeFile(Path target, byte[] bytes, FileSystem fs) {
    Path tmp = new Path(target.getParent(), "." + target.getName() + ".tmp");
    try {
      try (OutputStream out = fs.create(tmp, true)) {
        out.write(bytes);
      }
      if (fs.exists(target) && !fs.delete(target, false)) {
        throw new IOException("could not replace " + target);
      }
      if (!fs.rename(tmp, target)) {
        throw new IOException("could not rename " + tmp + " to " + target);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("writing " + target, e);
    }
  }
}
