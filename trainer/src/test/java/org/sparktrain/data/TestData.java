package org.sparktrain.data;

import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.sparktrain.TestJobs;
import org.sparktrain.spec.JobSpec;

/** Small generated inputs and job specs for the data package tests. */
final class TestData {
  static final String BINARY_OUT = "{type: output, units: 1, loss: binary_crossentropy}";
  static final String NUMERIC_OUT = "{type: output, units: 1, loss: mse}";

  private TestData() {}

  static String classOut(int units) {
    return "{type: output, units: " + units + ", loss: categorical_crossentropy}";
  }

  /** A job whose data section is {@code dataYaml} (block YAML, unindented) and one output layer. */
  static JobSpec job(String dataYaml, String outputLayer, String... overrides) {
    StringBuilder yaml = new StringBuilder("name: data-test\nseed: 42\ndata:\n");
    for (String line : dataYaml.strip().split("\n")) {
      yaml.append("  ").append(line).append('\n');
    }
    yaml.append("model:\n  layers:\n    - ").append(outputLayer).append('\n');
    return TestJobs.parse(yaml.toString(), overrides);
  }

  /** Writes a CSV file of a header line and rows; returns its file:// URI. */
  static String csv(Path file, String header, List<String> rows) throws IOException {
    List<String> lines = new ArrayList<>();
    if (header != null) {
      lines.add(header);
    }
    lines.addAll(rows);
    Files.write(file, lines);
    return uri(file);
  }

  static String uri(Path p) {
    return p.toUri().toString();
  }

  /** Every example of a minibatch RDD as {features, label}; for small test data only. */
  static List<float[][]> rows(JavaRDD<DataSet> batches) {
    return batches
        .flatMap(
            ds -> {
              INDArray x = ds.getFeatures();
              INDArray y = ds.getLabels();
              List<float[][]> out = new ArrayList<>();
              for (int i = 0; i < x.rows(); i++) {
                out.add(new float[][] {x.getRow(i).toFloatVector(), y.getRow(i).toFloatVector()});
              }
              return out.iterator();
            })
        .collect();
  }

  /** The number of examples in a minibatch RDD, counted on the executors. */
  static long examples(JavaRDD<DataSet> batches) {
    return batches.map(ds -> (long) ds.numExamples()).fold(0L, Long::sum);
  }

  /** Writes an MNIST-format image file (magic 0x00000803, big-endian dimensions). */
  static void idxImages(Path file, int rows, int cols, int[][] pixels) throws IOException {
    try (DataOutputStream out = new DataOutputStream(Files.newOutputStream(file))) {
      out.writeInt(0x00000803);
      out.writeInt(pixels.length);
      out.writeInt(rows);
      out.writeInt(cols);
      for (int[] image : pixels) {
        for (int p : image) {
          out.writeByte(p);
        }
      }
    }
  }

  /** Writes an MNIST-format label file (magic 0x00000801). */
  static void idxLabels(Path file, int[] labels) throws IOException {
    try (DataOutputStream out = new DataOutputStream(Files.newOutputStream(file))) {
      out.writeInt(0x00000801);
      out.writeInt(labels.length);
      for (int l : labels) {
        out.writeByte(l);
      }
    }
  }

  /** Writes raw bytes, for malformed files. */
  static void bytes(Path file, byte[] content) throws IOException {
    try (OutputStream out = Files.newOutputStream(file)) {
      out.write(content);
    }
  }

  /** The first {@link DataException} in a cause chain (Spark wraps task failures), or null. */
  static DataException dataCause(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof DataException d) {
        return d;
      }
    }
    return null;
  }

  static double mean(double[] v) {
    double s = 0;
    for (double x : v) {
      s += x;
    }
    return s / v.length;
  }

  static double popStd(double[] v) {
    double m = mean(v);
    double s = 0;
    for (double x : v) {
      s += (x - m) * (x - m);
    }
    return Math.sqrt(s / v.length);
  }
}
