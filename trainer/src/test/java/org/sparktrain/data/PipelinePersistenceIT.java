package org.sparktrain.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparktrain.TestSpark;
import org.sparktrain.spec.JobSpec;

/** A pipeline fitted by Spark, saved as JSON and loaded, featurizes rows identically. */
class PipelinePersistenceIT {
  private static SparkSession spark;
  private static JobSpec spec;
  private static String uri;
  private static FeaturePipelineModel fitted;
  private static FeaturePipelineModel loaded;

  @TempDir static Path dir;

  @BeforeAll
  static void fitSaveAndLoad() throws Exception {
    spark = TestSpark.session();
    List<String> rows = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      String region = i % 3 == 0 ? "north" : i % 3 == 1 ? "south" : "east";
      rows.add(i + "," + (i * 1.37 - 11) + "," + region + "," + (i % 4) + "," + 0.25 * i * i);
    }
    uri = TestData.csv(dir.resolve("rows.csv"), "id,x,region,k,target", rows);
    spec =
        TestData.job(
            """
            format: csv
            path: '%s'
            split: {train: 0.7, validation: 0.3, test: 0.0}
            features: {drop: [id], categorical: [region, k], scaling: standardize}
            label: {column: target, kind: numeric, scaling: standardize}
            """
                .formatted(uri),
            TestData.NUMERIC_OUT);
    fitted = Datasets.prepare(spark, spec, 8).pipeline();
    Path file = dir.resolve("pipeline.json");
    Files.writeString(file, fitted.toJson());
    loaded = FeaturePipelineModel.fromJson(Files.readString(file));
  }

  @Test
  void loadedModelEqualsFittedModel() {
    assertEquals(fitted, loaded);
    assertEquals(fitted.featureNames(), loaded.featureNames());
    assertEquals(
        List.of("x", "region=east", "region=north", "region=south", "k=0", "k=1", "k=2", "k=3"),
        loaded.featureNames());
    assertArrayEquals(fitted.params().center(), loaded.params().center());
    assertArrayEquals(fitted.params().scale(), loaded.params().scale());
    assertEquals(fitted.params().labelCenter(), loaded.params().labelCenter());
    assertEquals(fitted.params().labelScale(), loaded.params().labelScale());
  }

  @Test
  void labelledRowsAreIdentical() {
    List<float[][]> a = TestData.rows(Datasets.labelledBatches(spark, spec.data(), uri, fitted, 8));
    List<float[][]> b = TestData.rows(Datasets.labelledBatches(spark, spec.data(), uri, loaded, 8));
    assertEquals(40, a.size());
    assertEquals(a.size(), b.size());
    for (int i = 0; i < a.size(); i++) {
      assertArrayEquals(a.get(i)[0], b.get(i)[0], "features of row " + i);
      assertArrayEquals(a.get(i)[1], b.get(i)[1], "label of row " + i);
    }
  }

  @Test
  void scoringRowsKeepKeysAndAreIdentical() {
    List<FeatureRow> a =
        Datasets.featureRows(spark, spec.data(), uri, fitted, List.of("id")).collect();
    List<FeatureRow> b =
        Datasets.featureRows(spark, spec.data(), uri, loaded, List.of("id")).collect();
    assertEquals(40, a.size());
    for (int i = 0; i < a.size(); i++) {
      assertArrayEquals(a.get(i).keys(), b.get(i).keys());
      assertArrayEquals(a.get(i).features(), b.get(i).features(), "row " + a.get(i).keys()[0]);
      assertEquals(fitted.numInputs(), b.get(i).features().length);
    }
    assertEquals("0", a.get(0).keys()[0]);
  }
}
