package org.sparktrain.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.sparktrain.TestJobs;
import org.sparktrain.TestSpark;
import org.sparktrain.spec.JobSpec;

/** Rows grouped into padded, masked sequences; splits by sequence; one label per sequence. */
class SequencesIT {
  @TempDir Path tmp;

  private JobSpec job(Path csv, int length) {
    return TestJobs.job("sequence-conv1d.yaml", "data.path=" + csv.toUri(), "model.input.length=" + length);
  }

  @Test
  void sequencesArePaddedMaskedAndSplitById() throws Exception {
    Path csv = tmp.resolve("w.csv");
    Waveforms.write(csv, 200, 3);
    JobSpec spec = job(csv, 50);
    PreparedData d = Datasets.prepare(TestSpark.session(), spec, 8);
    assertEquals(200, d.trainCount() + d.validationCount() + d.testCount());
    assertEquals(1, d.pipeline().numInputs());
    assertEquals(4, d.pipeline().numOutputs());
    long examples = 0;
    boolean padded = false;
    for (DataSet b : d.train().collect()) {
      long n = b.numExamples();
      examples += n;
      assertArrayEquals(new long[] {n, 1, 50}, b.getFeatures().shape());
      assertArrayEquals(new long[] {n, 50}, b.getFeaturesMaskArray().shape());
      for (int i = 0; i < n; i++) {
        double steps = b.getFeaturesMaskArray().getRow(i).sumNumber().doubleValue();
        // Generated sequences have 40 to 64 steps, truncated to 50.
        assertTrue(steps >= 40 && steps <= 50, "steps " + steps);
        padded |= steps < 50;
        int last = (int) steps - 1;
        if (steps < 50) {
          assertEquals(0.0, b.getFeatures().getDouble(i, 0, last + 1));
        }
        assertEquals(1.0, b.getLabels().getRow(i).sumNumber().doubleValue(), 1e-6);
      }
    }
    assertEquals(d.trainCount(), examples);
    assertTrue(padded, "some sequences shorter than 50 steps are padded");

    Dataset<Row> rows = TestSpark.session().read().option("header", "true").csv(csv.toUri().toString());
    Dataset<Row>[] parts = Sequences.split(rows, Sequences.rowSpec(spec.data()), spec.seed());
    Set<String> seen = new HashSet<>();
    for (Dataset<Row> part : parts) {
      for (Row r : part.select("id").distinct().collectAsList()) {
        assertTrue(seen.add(r.getString(0)), "sequence " + r.getString(0) + " is in two splits");
      }
    }
    assertEquals(200, seen.size());
  }

  @Test
  void aSequenceWithTwoLabelsIsADataError() throws Exception {
    Path csv = tmp.resolve("bad.csv");
    List<String> lines = new ArrayList<>(List.of("id,step,value,label"));
    for (int s = 0; s < 20; s++) {
      for (int t = 0; t < 5; t++) {
        String label = s == 7 && t == 3 ? "square" : s % 2 == 0 ? "sine" : "sawtooth";
        lines.add("s" + s + "," + t + "," + (t * 0.1) + "," + label);
      }
    }
    Files.write(csv, lines);
    JobSpec spec = TestJobs.job("sequence-conv1d.yaml", "data.path=" + csv.toUri(), "model.input.length=5",
        "data.split.train=1.0", "data.split.validation=0.0", "data.split.test=0.0", "model.layers[5].units=3");
    Exception e = assertThrows(Exception.class, () -> Datasets.prepare(TestSpark.session(), spec, 4).train().count());
    Throwable t = e;
    while (t != null && !(t instanceof DataException)) {
      t = t.getCause();
    }
    String message = t != null ? t.getMessage() : String.valueOf(e.getMessage());
    assertTrue(message.contains("sequence 's7'") && message.contains("one label per sequence"), message);
  }

  /** The examples of a split as text (features, mask, label), sorted: equal as multisets. */
  private static List<String> examples(org.apache.spark.api.java.JavaRDD<DataSet> batches) {
    List<String> out = new ArrayList<>();
    for (DataSet b : batches.collect()) {
      for (int i = 0; i < b.numExamples(); i++) {
        // Rounded: the scaling statistics of the two reads may differ in the last bit (summing order).
        StringBuilder e = new StringBuilder();
        for (INDArray a : new INDArray[] {b.getFeatures().slice(i), b.getFeaturesMaskArray().getRow(i), b.getLabels().getRow(i)}) {
          for (float v : a.dup().data().asFloat()) {
            e.append(String.format(java.util.Locale.ROOT, "%.5f,", v));
          }
          e.append('|');
        }
        out.add(e.toString());
      }
    }
    java.util.Collections.sort(out);
    return out;
  }

  @Test
  void oneSequencePerFileGivesTheSameExamplesAsRowsGroupedById() throws Exception {
    Path csv = tmp.resolve("w.csv");
    Path dir = tmp.resolve("files");
    Waveforms.write(csv, 120, 5);
    Waveforms.writeFiles(dir, 120, 5);
    try (var files = Files.list(dir)) {
      assertEquals(120, files.count());
    }
    PreparedData rows = Datasets.prepare(TestSpark.session(), job(csv, 50), 8);
    PreparedData files = Datasets.prepare(TestSpark.session(),
        TestJobs.job("sequence-lstm.yaml", "data.path=" + dir.toUri(), "model.input.length=50"), 8);
    // A file's name without extension is its sequence's id, so the splits are the same sequences too.
    assertEquals(List.of(rows.trainCount(), rows.validationCount(), rows.testCount()),
        List.of(files.trainCount(), files.validationCount(), files.testCount()));
    assertEquals(rows.pipeline().featureNames(), files.pipeline().featureNames());
    assertArrayEquals(rows.pipeline().params().center(), files.pipeline().params().center(), 1e-9);
    List<String> a = examples(rows.train());
    assertEquals(rows.trainCount(), a.size());
    assertEquals(a, examples(files.train()));
    assertEquals(examples(rows.test()), examples(files.test()));
  }

  @Test
  void aFileSparkWouldReadInPiecesNeedsAStepColumn() throws Exception {
    Path dir = tmp.resolve("big");
    Waveforms.writeFiles(dir, 8, 5);
    var spark = TestSpark.session();
    String before = spark.conf().get("spark.sql.files.maxPartitionBytes");
    spark.conf().set("spark.sql.files.maxPartitionBytes", "200");
    try {
      DataException e = assertThrows(DataException.class,
          () -> Datasets.prepare(spark, TestJobs.job("sequence-lstm.yaml", "data.path=" + dir.toUri()), 8));
      assertTrue(e.getMessage().contains("data.path: file ") && e.getMessage().contains("w0000")
          && e.getMessage().contains("set data.sequence.step"), e.getMessage());
    } finally {
      spark.conf().set("spark.sql.files.maxPartitionBytes", before);
    }
  }
}
