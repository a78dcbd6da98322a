package org.sparktrain.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparktrain.TestSpark;
import org.sparktrain.spec.JobSpec;

/**
 * Rows that do not fit: the wrong number of fields (named by file and line), missing values under
 * each data.missing policy, categories and labels not seen in training, and scoring data that
 * lacks columns.
 */
class BadRowsIT {
  private static final String HEADER = "id,a,c,y";
  private static SparkSession spark;

  @TempDir Path dir;

  @BeforeAll
  static void start() {
    spark = TestSpark.session();
  }

  private static JobSpec job(String path, String... more) {
    return TestData.job(
        """
        format: csv
        path: '%s'
        split: {train: 1.0, validation: 0.0, test: 0.0}
        features: {drop: [id], categorical: [c]}
        label: {column: y, kind: binary}
        """
            .formatted(path),
        TestData.BINARY_OUT,
        more);
  }

  private static void assertContains(String message, String... parts) {
    for (String part : parts) {
      assertTrue(message.contains(part), "expected \"" + part + "\" in: " + message);
    }
  }

  private static List<String> good(int n) {
    List<String> rows = new ArrayList<>();
    for (int i = 1; i <= n; i++) {
      rows.add(i + "," + (i * 0.5) + "," + (i % 2 == 0 ? "p" : "q") + "," + (i % 2));
    }
    return rows;
  }

  @Test
  void aRowWithTooFewFieldsIsNamedByFileAndLine() throws Exception {
    List<String> rows = good(6);
    rows.set(3, "4,2.0,p"); // line 5 of the file: the header is line 1
    String uri = TestData.csv(dir.resolve("short.csv"), HEADER, rows);
    DataException e = assertThrows(DataException.class, () -> Datasets.prepare(spark, job(uri), 4));
    assertContains(
        e.getMessage(),
        "data.path: a row at line 5 of ",
        "short.csv has 3 field(s), expected 4 (the header's columns: id, a, c, y)",
        "the line is: \"4,2.0,p\"",
        "fix or remove that line");
  }

  @Test
  void aRowWithTooManyFieldsIsNamedByFileAndLine() throws Exception {
    List<String> rows = good(6);
    rows.set(1, "2,1.0,Smith, John,0");
    String uri = TestData.csv(dir.resolve("long.csv"), HEADER, rows);
    DataException e = assertThrows(DataException.class, () -> Datasets.prepare(spark, job(uri), 4));
    assertContains(
        e.getMessage(),
        "a row at line 3 of ",
        "has 5 field(s), expected 4",
        "quote a value that contains the delimiter ','");
  }

  @Test
  void aQuotedDelimiterIsOneField() throws Exception {
    List<String> rows = good(6);
    rows.set(1, "2,1.0,\"p,q\",0");
    String uri = TestData.csv(dir.resolve("quoted.csv"), HEADER, rows);
    PreparedData data = Datasets.prepare(spark, job(uri), 4);
    assertEquals(6, data.trainCount());
    assertTrue(data.pipeline().params().categories().get(0).contains("p,q"));
  }

  @Test
  void aBadRowInTheScoredDataIsNamedToo() throws Exception {
    String train = TestData.csv(dir.resolve("train.csv"), HEADER, good(6));
    FeaturePipelineModel model = Datasets.prepare(spark, job(train), 4).pipeline();
    String score = TestData.csv(dir.resolve("score.csv"), HEADER, List.of("1,0.5,p,0", "2,1.0,p,1,9"));
    DataException e =
        assertThrows(
            DataException.class,
            () -> Datasets.featureRows(spark, job(score).data(), score, model, List.of("id")));
    assertContains(e.getMessage(), "DATA: a row at line 3 of ", "score.csv has 5 field(s)");
  }

  @Test
  void missingValuesFailByDefaultNamingTheLineAndThePolicies() throws Exception {
    List<String> rows = good(6);
    rows.set(2, "3,,q,1");
    String uri = TestData.csv(dir.resolve("gap.csv"), HEADER, rows);
    DataException e = assertThrows(DataException.class, () -> Datasets.prepare(spark, job(uri), 4));
    assertContains(
        e.getMessage(),
        "column 'a': 1 missing value(s) in data.path (the first at line 4 of ",
        "set data.missing.policy: skip or fill");
  }

  @Test
  void skipDropsAndCountsRowsWithMissingValuesAlsoWhenScoring() throws Exception {
    List<String> rows = good(8);
    rows.set(2, "3,,q,1");
    rows.set(5, "6,3.0,,0");
    rows.set(6, "7,3.5,q,");
    String uri = TestData.csv(dir.resolve("gaps.csv"), HEADER, rows);
    PreparedData data = Datasets.prepare(spark, job(uri, "data.missing.policy=skip"), 4);
    assertEquals(3, data.skippedRows());
    assertEquals(5, data.trainCount());
    assertEquals(5, TestData.examples(data.train()));
    // evaluate and predict skip the same rows
    assertEquals(5, TestData.examples(Datasets.labelledBatches(spark, job(uri).data(), uri, data.pipeline(), 4)));
    assertEquals(5, Datasets.featureRows(spark, job(uri).data(), uri, data.pipeline(), List.of("id")).count());
  }

  @Test
  void fillUsesTrainingStatisticsSavedInThePipeline() throws Exception {
    // training a: 1, 2, 3, missing -> mean 2; c: p, p, q, missing -> mode p
    String uri =
        TestData.csv(dir.resolve("fill.csv"), HEADER, List.of("1,1,p,0", "2,2,p,1", "3,3,q,0", "4,,,1"));
    JobSpec spec = job(uri, "data.missing.policy=fill", "data.features.scaling=none");
    FeaturePipelineModel model = Datasets.prepare(spark, spec, 4).pipeline();
    assertArrayEquals(new double[] {2.0}, model.params().numericFill());
    assertEquals(List.of("p"), model.params().categoricalFill());

    FeaturePipelineModel reloaded = FeaturePipelineModel.fromJson(model.toJson());
    String score = TestData.csv(dir.resolve("score-gap.csv"), HEADER, List.of("9,,,0"));
    List<FeatureRow> rows =
        Datasets.featureRows(spark, spec.data(), score, reloaded, List.of("id")).collect();
    // a = 2 (unscaled), one-hot [p, q] = [1, 0]
    assertArrayEquals(new float[] {2f, 1f, 0f}, rows.get(0).features());
  }

  @Test
  void fillWithAConstantAddsItAsACategory() throws Exception {
    String uri =
        TestData.csv(dir.resolve("const.csv"), HEADER, List.of("1,1,p,0", "2,,q,1", "3,3,,0", "4,4,q,1"));
    JobSpec spec =
        job(uri, "data.missing.policy=fill", "data.missing.fill=constant", "data.missing.value=0", "data.features.scaling=none");
    FeaturePipelineModel model = Datasets.prepare(spark, spec, 4).pipeline();
    assertArrayEquals(new double[] {0.0}, model.params().numericFill());
    assertEquals(List.of("0", "p", "q"), model.params().categories().get(0));
  }

  @Test
  void fillWithATextConstantForANumericColumnIsRefused() throws Exception {
    String uri = TestData.csv(dir.resolve("const2.csv"), HEADER, good(4));
    JobSpec spec = job(uri, "data.missing.policy=fill", "data.missing.fill=constant", "data.missing.value=unknown");
    DataException e = assertThrows(DataException.class, () -> Datasets.prepare(spark, spec, 4));
    assertContains(e.getMessage(), "data.missing.value: \"unknown\" is not a number", "numeric column 'a'");
  }

  @Test
  void unseenCategoryFailsByDefaultOrEncodesAsZerosWhenIgnored() throws Exception {
    String train = TestData.csv(dir.resolve("cats.csv"), HEADER, good(6));
    String score = TestData.csv(dir.resolve("new-cat.csv"), HEADER, List.of("9,1.0,r,0"));
    FeaturePipelineModel strict = Datasets.prepare(spark, job(train), 4).pipeline();
    Exception e =
        assertThrows(
            Exception.class,
            () -> Datasets.featureRows(spark, job(score).data(), score, strict, List.of("id")).collect());
    DataException cause = TestData.dataCause(e);
    assertNotNull(cause, "a DataException in the cause chain of " + e);
    assertContains(
        cause.getMessage(),
        "column 'c': category \"r\" was not seen in training (known: p, q)",
        "data.features.unseen: ignore");

    FeaturePipelineModel lenient =
        Datasets.prepare(spark, job(train, "data.features.unseen=ignore"), 4).pipeline();
    FeatureRow row =
        Datasets.featureRows(spark, job(score).data(), score, lenient, List.of("id")).collect().get(0);
    float[] x = row.features();
    assertEquals(0f, x[1]);
    assertEquals(0f, x[2]);
  }

  @Test
  void aClassIndexBeyondTheDeclaredClassesIsRefused() throws Exception {
    String uri =
        TestData.csv(dir.resolve("classes.csv"), HEADER, List.of("1,1,p,0", "2,2,q,1", "3,3,p,4"));
    JobSpec spec =
        TestData.job(
            """
            format: csv
            path: '%s'
            split: {train: 1.0, validation: 0.0, test: 0.0}
            features: {drop: [id], categorical: [c]}
            label: {column: y, kind: class_index, classes: 3}
            """
                .formatted(uri),
            TestData.classOut(3));
    DataException e = assertThrows(DataException.class, () -> Datasets.prepare(spark, spec, 4));
    assertContains(e.getMessage(), "label column 'y': class index 4 is >= data.label.classes (3)");
  }

  @Test
  void scoringDataLackingSeveralColumnsNamesThemAll() throws Exception {
    String train = TestData.csv(dir.resolve("t.csv"), HEADER, good(6));
    FeaturePipelineModel model = Datasets.prepare(spark, job(train), 4).pipeline();
    String score = TestData.csv(dir.resolve("narrow.csv"), "id,y", List.of("9,0"));
    DataException e =
        assertThrows(
            DataException.class,
            () -> Datasets.featureRows(spark, job(score).data(), score, model, List.of("id")));
    assertEquals(
        "columns 'a', 'c' are missing from the data; the model was trained with them; columns present: id, y;"
            + " give data with the training data's columns (extra columns are ignored)",
        e.getMessage());
  }
}
