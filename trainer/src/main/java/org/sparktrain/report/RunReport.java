package org.sparktrain.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.sparktrain.files.AtomicFiles;
import org.sparktrain.files.Json;
import org.sparktrain.files.RunLayout;
import org.sparktrain.spec.SpecException;
import org.sparktrain.spec.Violation;

/**
 * Writes {@code report.html} and its PNG charts into a finished run's directory (any Hadoop URI),
 * from the run's {@code metrics.jsonl} and {@code summary.json}. Every file is written under a
 * temporary name and then renamed, so a reader never sees half a report.
 */
public final class RunReport {

  private static final TypeReference<LinkedHashMap<String, Object>> OBJECT =
      new TypeReference<>() {};
  private static final String EXPECTED =
      "expected the --output directory of a finished `trainer train` run, which holds both"
          + " metrics.jsonl and summary.json";

  private RunReport() {}

  /** An image in the report: its file name beside report.html and its alt text. */
  private record Image(String file, String alt) {}

  /**
   * Writes the report of the run in {@code runDir} and returns the path of {@code report.html}.
   *
   * @throws SpecException when {@code runDir} does not hold a finished run's metrics and summary,
   *     or they are not the JSON a run writes
   */
  public static Path write(String runDir, Configuration conf) {
    System.setProperty("java.awt.headless", "true");
    Path dir;
    FileSystem fs;
    try {
      fs = new Path(runDir).getFileSystem(conf);
      dir = fs.makeQualified(new Path(runDir));
      requireRun(dir, fs);
    } catch (IOException e) {
      throw new UncheckedIOException("opening run directory " + runDir, e);
    }
    Map<String, Object> summary = readSummary(new Path(dir, RunLayout.SUMMARY), fs);
    List<Map<String, Object>> epochs = readMetrics(new Path(dir, RunLayout.METRICS), fs);
    long[][] confusion = confusionMatrix(map(summary.get("test")), dir);

    List<Image> images = new ArrayList<>();
    draw(
        Charts.loss(epochs),
        dir,
        RunLayout.LOSS_CHART,
        "Training and validation loss per epoch",
        images,
        conf);
    draw(
        Charts.metrics(epochs, validationMetrics(epochs)),
        dir,
        RunLayout.METRICS_CHART,
        "Validation metrics per epoch",
        images,
        conf);
    if (confusion != null) {
      draw(
          Charts.confusion(confusion, "Confusion matrix, test split"),
          dir,
          RunLayout.CONFUSION_CHART,
          "Confusion matrix of the test split",
          images,
          conf);
    }
    Map<String, Object> test = map(summary.get("test"));
    List<List<Double>> roc = points(test.get("roc"));
    if (!roc.isEmpty()) {
      draw(
          Charts.roc(roc, "ROC curve, test split", test.get("auc") instanceof Number a ? a.doubleValue() : Double.NaN),
          dir,
          RunLayout.ROC_CHART,
          "ROC curve of the test split",
          images,
          conf);
    }
    List<List<Double>> pairs = points(test.get("predicted_vs_actual"));
    if (!pairs.isEmpty()) {
      Object examples = test.get("examples");
      draw(
          Charts.predictedVsActual(
              pairs,
              "Predicted versus actual, test split",
              pairs.size() + " of " + text(examples) + " examples, sampled uniformly"),
          dir,
          RunLayout.PREDICTED_CHART,
          "Predicted versus actual values of the test split",
          images,
          conf);
    }
    Path html = new Path(dir, RunLayout.REPORT);
    AtomicFiles.write(html, html(summary, epochs, images), conf);
    return html;
  }

  /** A list of numeric pairs from JSON; empty when absent or of another shape. */
  private static List<List<Double>> points(Object value) {
    List<List<Double>> points = new ArrayList<>();
    if (value instanceof List<?> list) {
      for (Object item : list) {
        if (item instanceof List<?> p && p.size() == 2 && p.get(0) instanceof Number x && p.get(1) instanceof Number y) {
          points.add(List.of(x.doubleValue(), y.doubleValue()));
        }
      }
    }
    return points;
  }

  private static void draw(
      Charts.Drawing drawing,
      Path dir,
      String file,
      String alt,
      List<Image> images,
      Configuration conf) {
    if (drawing != null) {
      AtomicFiles.write(new Path(dir, file), drawing.png(), conf);
      images.add(new Image(file, alt));
    }
  }

  // Reading

  private static void requireRun(Path dir, FileSystem fs) throws IOException {
    if (!fs.exists(dir)) {
      throw badInput(dir + " does not exist; " + EXPECTED + "; pass that directory");
    }
    if (!fs.getFileStatus(dir).isDirectory()) {
      throw badInput(dir + " is a file, not a directory; " + EXPECTED + "; pass that directory");
    }
    List<String> missing = new ArrayList<>();
    for (String name : RunLayout.REPORT_INPUTS) {
      if (!fs.exists(new Path(dir, name))) {
        missing.add(name);
      }
    }
    if (!missing.isEmpty()) {
      throw badInput(
          dir
              + " has no "
              + String.join(" and no ", missing)
              + " (it holds: "
              + listing(dir, fs)
              + "); "
              + EXPECTED
              + "; pass that directory, or wait until the run has finished (summary.json is"
              + " written last)");
    }
  }

  private static String listing(Path dir, FileSystem fs) throws IOException {
    List<String> names = new ArrayList<>();
    for (FileStatus status : fs.listStatus(dir)) {
      String name = status.getPath().getName();
      if (!name.startsWith(".")) {
        names.add(status.isDirectory() ? name + "/" : name);
      }
    }
    if (names.isEmpty()) {
      return "nothing";
    }
    names.sort(null);
    int shown = 10;
    String list = String.join(", ", names.subList(0, Math.min(shown, names.size())));
    return names.size() > shown ? list + " and " + (names.size() - shown) + " more" : list;
  }

  private static Map<String, Object> readSummary(Path file, FileSystem fs) {
    try (InputStream in = fs.open(file)) {
      Map<String, Object> summary = Json.mapper().readValue(in, OBJECT);
      if (summary == null) {
        throw badInput(
            file + " is empty; expected the JSON object a train run writes; re-run training");
      }
      return summary;
    } catch (JsonProcessingException e) {
      throw badInput(
          file
              + " is not a JSON object ("
              + e.getOriginalMessage()
              + "); expected the summary a train run writes; re-run training or restore the file");
    } catch (IOException e) {
      throw new UncheckedIOException("reading " + file, e);
    }
  }

  private static List<Map<String, Object>> readMetrics(Path file, FileSystem fs) {
    String text;
    try (InputStream in = fs.open(file)) {
      text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("reading " + file, e);
    }
    List<Map<String, Object>> epochs = new ArrayList<>();
    List<String> lines = text.lines().toList();
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).isBlank()) {
        continue;
      }
      try {
        Map<String, Object> epoch = Json.mapper().readValue(lines.get(i), OBJECT);
        if (epoch == null) {
          throw badInput(
              file + " line " + (i + 1) + " is null; expected one JSON object per epoch");
        }
        epochs.add(epoch);
      } catch (JsonProcessingException e) {
        throw badInput(
            file
                + " line "
                + (i + 1)
                + " is not a JSON object ("
                + e.getOriginalMessage()
                + "); expected one JSON object per epoch, as a train run writes; re-run training"
                + " or restore the file");
      }
    }
    return epochs;
  }

  /** Every val_* key but val_loss, in first-seen order. */
  private static List<String> validationMetrics(List<Map<String, Object>> epochs) {
    List<String> keys = new ArrayList<>();
    for (Map<String, Object> epoch : epochs) {
      for (String key : epoch.keySet()) {
        if (key.startsWith("val_") && !key.equals("val_loss") && !keys.contains(key)) {
          keys.add(key);
        }
      }
    }
    return keys;
  }

  /** The test split's confusion matrix, or null for regression (no matrix). */
  private static long[][] confusionMatrix(Map<String, Object> test, Path dir) {
    Object value = test.get("confusion_matrix");
    if (value == null) {
      return null;
    }
    String bad =
        RunLayout.SUMMARY
            + " in "
            + dir
            + ": test.confusion_matrix is not a square matrix of counts; expected a list of"
            + " rows (one per actual class) of non-negative integers; re-run training or restore"
            + " the file";
    if (!(value instanceof List<?> rows) || rows.isEmpty()) {
      throw badInput(bad);
    }
    int n = rows.size();
    long[][] matrix = new long[n][];
    for (int r = 0; r < n; r++) {
      if (!(rows.get(r) instanceof List<?> row) || row.size() != n) {
        throw badInput(bad);
      }
      matrix[r] = new long[n];
      for (int c = 0; c < n; c++) {
        if (!(row.get(c) instanceof Number count) || count.longValue() < 0) {
          throw badInput(bad);
        }
        matrix[r][c] = count.longValue();
      }
    }
    return matrix;
  }

  private static SpecException badInput(String message) {
    return new SpecException(List.of(new Violation("RUN_DIR", message)));
  }

  // HTML

  private static String html(
      Map<String, Object> summary, List<Map<String, Object>> epochs, List<Image> images) {
    String job = text(summary.get("job"));
    Map<String, Object> test = map(summary.get("test"));
    StringBuilder h = new StringBuilder();
    h.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
        .append("<title>Run report: ")
        .append(escape(job))
        .append("</title>\n<style>\n")
        .append("body { font-family: sans-serif; margin: 2em; color: #222; }\n")
        .append("table { border-collapse: collapse; margin-bottom: 1.5em; }\n")
        .append("th, td { border: 1px solid #ccc; padding: 0.3em 0.8em; text-align: left; }\n")
        .append("td.num { text-align: right; font-variant-numeric: tabular-nums; }\n")
        .append("th { background: #f3f3f3; }\n")
        .append("img { display: block; max-width: 100%; margin-bottom: 1.5em; }\n")
        .append(".charts { display: flex; flex-wrap: wrap; gap: 0 1.5em; align-items: flex-start; }\n")
        .append("</style>\n</head>\n<body>\n")
        .append("<h1>Run report: ")
        .append(escape(job))
        .append("</h1>\n");

    h.append("<h2>Run</h2>\n<table>\n");
    row(h, "Job", job, false);
    row(h, "Strategy", summary.get("strategy"));
    row(h, "Workers", summary.get("workers"));
    row(h, "Epochs configured", summary.get("epochs"));
    Object epochsRun = summary.get("epochs_run");
    row(h, "Epochs run", epochsRun != null ? epochsRun : epochs.size());
    row(h, "Seed", summary.get("seed"));
    row(h, "Examples", examples(map(summary.get("examples"))), false);
    row(h, "Parameters", summary.get("parameters"));
    Object total = summary.get("total_seconds");
    row(h, "Total seconds", seconds(total), total instanceof Number);
    h.append("</table>\n");

    Map<String, Object> data = map(summary.get("data"));
    if (!data.isEmpty()) {
      h.append("<h2>Data</h2>\n<table>\n");
      data.forEach((k, v) -> row(h, k, v));
      h.append("</table>\n");
    }

    if (summary.get("layers") instanceof List<?> layers && !layers.isEmpty()) {
      h.append("<h2>Model</h2>\n<table>\n<tr><th>layer</th><th>type</th><th>inputs</th><th>outputs</th>")
          .append("<th>activation</th><th>parameters</th></tr>\n");
      for (Object l : layers) {
        Map<String, Object> layer = map(l);
        h.append("<tr>");
        for (String key : List.of("index", "type", "inputs", "outputs", "activation", "parameters")) {
          Object v = layer.get(key);
          h.append(v instanceof Number ? "<td class=\"num\">" : "<td>").append(escape(v == null ? "" : text(v))).append("</td>");
        }
        h.append("</tr>\n");
      }
      h.append("</table>\n");
    }

    Map<String, Object> provenance = map(summary.get("provenance"));
    if (!provenance.isEmpty()) {
      h.append("<h2>Provenance</h2>\n<table>\n");
      provenance.forEach((k, v) -> row(h, k, v));
      h.append("</table>\n");
    }

    Map<String, Object> phases = map(summary.get("phase_seconds"));
    if (!phases.isEmpty()) {
      h.append("<h2>Seconds per phase</h2>\n<table>\n<tr><th>phase</th><th>seconds</th></tr>\n");
      phases.forEach((k, v) -> row(h, k, seconds(v), v instanceof Number));
      h.append("</table>\n");
    }

    h.append("<h2>Test metrics</h2>\n");
    metricsTable(h, test, "The summary holds no test metrics.");

    if (epochs.isEmpty()) {
      h.append("<h2>Validation metrics</h2>\n");
      metricsTable(h, map(summary.get("validation")), "The run has no validation metrics.");
    } else {
      Map<String, Object> last = epochs.get(epochs.size() - 1);
      Map<String, Object> validation = new LinkedHashMap<>();
      last.forEach(
          (k, v) -> {
            if (k.startsWith("val_")) {
              validation.put(k.substring("val_".length()), v);
            }
          });
      Object epoch = last.get("epoch");
      h.append("<h2>Validation metrics, last epoch (epoch ")
          .append(escape(epoch != null ? text(epoch) : Integer.toString(epochs.size())))
          .append(")</h2>\n");
      metricsTable(h, validation, "The run has no validation split.");
    }

    Map<String, Object> stopping = map(summary.get("early_stopping"));
    if (!stopping.isEmpty()) {
      h.append("<h2>Early stopping</h2>\n<table>\n");
      stopping.forEach((k, v) -> row(h, k, v));
      h.append("</table>\n");
    }

    h.append("<h2>Charts</h2>\n<div class=\"charts\">\n");
    for (Image image : images) {
      h.append("<img src=\"")
          .append(escape(image.file()))
          .append("\" alt=\"")
          .append(escape(image.alt()))
          .append("\">\n");
    }
    h.append("</div>\n");
    if (images.isEmpty()) {
      h.append("<p>No charts: metrics.jsonl holds no epoch with a loss or metric value.</p>\n");
    }
    h.append("</body>\n</html>\n");
    return h.toString();
  }

  private static void metricsTable(StringBuilder h, Map<String, Object> metrics, String none) {
    List<Map.Entry<String, Object>> shown =
        metrics.entrySet().stream().filter(e -> !(e.getValue() instanceof List)).toList();
    if (shown.isEmpty()) {
      h.append("<p>").append(escape(none)).append("</p>\n");
      return;
    }
    h.append("<table>\n<tr><th>metric</th><th>value</th></tr>\n");
    shown.forEach(e -> row(h, e.getKey(), e.getValue()));
    h.append("</table>\n");
  }

  /** A row of {@code value} as text; numbers are right-aligned. */
  private static void row(StringBuilder h, String name, Object value) {
    row(h, name, text(value), value instanceof Number);
  }

  private static void row(StringBuilder h, String name, String value, boolean numeric) {
    h.append("<tr><th>")
        .append(escape(name))
        .append("</th><td")
        .append(numeric ? " class=\"num\"" : "")
        .append(">")
        .append(escape(value))
        .append("</td></tr>\n");
  }

  private static String examples(Map<String, Object> examples) {
    if (examples.isEmpty()) {
      return "none recorded";
    }
    Map<String, Object> ordered = new LinkedHashMap<>();
    for (String split : List.of("train", "validation", "test")) {
      if (examples.containsKey(split)) {
        ordered.put(split, examples.get(split));
      }
    }
    ordered.putAll(examples);
    List<String> parts = new ArrayList<>();
    ordered.forEach((k, v) -> parts.add(k + " " + text(v)));
    return String.join(", ", parts);
  }

  /** A value as text: numbers to 6 significant digits, null as "none", containers as JSON. */
  static String text(Object value) {
    if (value == null) {
      return "none";
    }
    if (value instanceof Double || value instanceof Float) {
      double d = ((Number) value).doubleValue();
      if (!Double.isFinite(d)) {
        return Double.toString(d);
      }
      return new BigDecimal(d).round(new MathContext(6)).stripTrailingZeros().toPlainString();
    }
    if (value instanceof Map || value instanceof List) {
      return Json.line(value);
    }
    return value.toString();
  }

  private static String seconds(Object value) {
    return value instanceof Number n
        ? String.format(Locale.ROOT, "%.2f", n.doubleValue())
        : text(value);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Object value) {
    return value instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
  }

  static String escape(String s) {
    StringBuilder out = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '&' -> out.append("&amp;");
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&#39;");
        default -> out.append(c);
      }
    }
    return out.toString();
  }
}
