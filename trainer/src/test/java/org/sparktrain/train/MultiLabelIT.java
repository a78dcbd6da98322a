package org.sparktrain.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparktrain.TestJobs;
import org.sparktrain.TestSpark;
import org.sparktrain.eval.Predictions;
import org.sparktrain.model.ModelArchive;
import org.sparktrain.spec.JobSpec;

/**
 * jobs/multilabel.yaml on the concrete strength classes (derived from the shared concrete data as
 * deploy/make-multilabel-data.py does): every label's test accuracy clearly beats always
 * predicting that label's majority value, and predict writes one probability per label.
 */
class MultiLabelIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int[] THRESHOLDS = {25, 40, 55};
  @TempDir Path tmp;

  @Test
  void eachLabelBeatsItsMajorityRate() throws Exception {
    Path concrete = TestJobs.sharedDataset("concrete.csv");
    assumeTrue(Files.exists(concrete), "needs " + concrete);
    Path csv = strengthClasses(concrete, tmp.resolve("concrete-strength-classes.csv"));
    SparkSession spark = TestSpark.session();
    Path out = tmp.resolve("run");
    JobSpec spec = TestJobs.job("multilabel.yaml",
        "data.path=" + csv.toUri(), "training.epochs=12", "training.learning_rate=0.01", "checkpoint.every=0",
        "strategy.approach=direct", "strategy.averaging_frequency=10");
    new TrainingRun(spark, spec, out.toString()).run();

    JsonNode test = JSON.readTree(out.resolve("summary.json").toFile()).get("test");
    for (int j = 0; j < THRESHOLDS.length; j++) {
      double positives = test.get("positive_rate_" + j).asDouble();
      double majority = Math.max(positives, 1 - positives);
      double accuracy = test.get("accuracy_" + j).asDouble();
      assertTrue(accuracy >= majority + 0.04,
          "over_" + THRESHOLDS[j] + ": accuracy " + accuracy + " should clearly beat the majority rate " + majority + "; " + test);
      assertTrue(test.get("auc_" + j).asDouble() > 0.8, test.toString());
    }
    assertTrue(test.get("macro_f1").asDouble() > 0.6, test.toString());
    assertTrue(test.get("micro_f1").asDouble() >= test.get("macro_f1").asDouble() - 0.2, test.toString());

    ModelArchive.Loaded model =
        ModelArchive.load(new org.apache.hadoop.fs.Path(out.resolve("model.zip").toString()), new Configuration());
    Dataset<Row> scored = Predictions.score(spark, model, csv.toUri().toString(), List.of("age"));
    assertEquals(
        List.of("age", "prediction", "probability_over_25", "probability_over_40", "probability_over_55"),
        List.of(scored.columns()));
    // The classes nest: a mixture that reaches 55 MPa reaches 40 and 25; the network learns that.
    long inconsistent = scored.filter("probability_over_55 > 0.5 and probability_over_25 < 0.5").count();
    assertTrue(inconsistent <= 5, inconsistent + " rows predicted C55 but not C25");
  }

  /** The concrete data with 0/1 labels for reaching 25, 40 and 55 MPa instead of the strength. */
  static Path strengthClasses(Path concrete, Path target) throws java.io.IOException {
    List<String> lines = Files.readAllLines(concrete);
    List<String> header = new ArrayList<>(List.of(lines.get(0).replace("\"", "").split(",")));
    int strength = header.indexOf("compressive_strength");
    List<String> out = new ArrayList<>();
    header.remove(strength);
    out.add(String.join(",", header) + ",over_25,over_40,over_55");
    for (String line : lines.subList(1, lines.size())) {
      List<String> cells = new ArrayList<>(List.of(line.split(",")));
      double s = Double.parseDouble(cells.remove(strength));
      StringBuilder row = new StringBuilder(String.join(",", cells));
      for (int t : THRESHOLDS) {
        row.append(',').append(s >= t ? 1 : 0);
      }
      out.add(row.toString());
    }
    Files.write(target, out);
    return target;
  }
}
