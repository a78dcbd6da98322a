package org.sparktrain.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparktrain.TestSpark;
import org.sparktrain.spec.JobSpec;

/** Unusable data fails with a DataException naming what was seen and what was expected. */
class DataErrorsIT {
  private static final String HEADER = "id,a,c,y";
  private static final List<String> GOOD =
      List.of("1,0.5,p,0", "2,1.5,q,1", "3,2.5,p,0", "4,3.5,q,1");

  private static SparkSession spark;

  @TempDir static Path trainDir;
  private static FeaturePipelineModel fitted;

  @TempDir Path dir;

  @BeforeAll
  static void start() {
    spark = TestSpark.session();
  }

  private static JobSpec job(
      String path, String features, String label, String out, String... more) {
    return TestData.job(
        """
        format: csv
        path: '%s'
        split: {train: 1.0, validation: 0.0, test: 0.0}
        features: %s
        label: %s
        """
            .formatted(path, features, label),
        out,
        more);
  }

  private DataException prepareFails(List<String> rows, String features, String label, String out)
      throws Exception {
    String uri = TestData.csv(dir.resolve("d.csv"), HEADER, rows);
    JobSpec spec = job(uri, features, label, out);
    return assertThrows(DataException.class, () -> Datasets.prepare(spark, spec, 4));
  }

  private DataException prepareFails(List<String> rows, String features) throws Exception {
    return prepareFails(rows, features, "{column: y, kind: binary}", TestData.BINARY_OUT);
  }

  private static void assertContains(String message, String... parts) {
    for (String part : parts) {
      assertTrue(message.contains(part), "expected \"" + part + "\" in: " + message);
    }
  }

  @Test
  void missingPathIsNamed() {
    String missing = TestData.uri(dir.resolve("nope.csv"));
    JobSpec spec = job(missing, "{}", "{column: y, kind: binary}", TestData.BINARY_OUT);
    DataException e = assertThrows(DataException.class, () -> Datasets.prepare(spark, spec, 4));
    assertContains(
        e.getMessage(),
        "data.path: no such file or directory '" + missing + "'",
        "expected an existing csv file or directory");
  }

  @Test
  void missingTestPathIsNamed() throws Exception {
    String uri = TestData.csv(dir.resolve("d.csv"), HEADER, GOOD);
    String missing = dir.resolve("absent-test.csv").toString();
    JobSpec spec =
        job(
            uri,
            "{}",
            "{column: y, kind: binary}",
            TestData.BINARY_OUT,
            "data.test_path=" + missing);
    DataException e = assertThrows(DataException.class, () -> Datasets.prepare(spark, spec, 4));
    assertContains(e.getMessage(), "data.test_path: no such file or directory '" + missing + "'");
  }

  @Test
  void missingParquetDirectoryIsNamed() {
    String missing = TestData.uri(dir.resolve("rows.parquet"));
    JobSpec spec =
        job(missing, "{}", "{column: y, kind: binary}", TestData.BINARY_OUT, "data.format=parquet");
    DataException e = assertThrows(DataException.class, () -> Datasets.prepare(spark, spec, 4));
    assertContains(e.getMessage(), "'" + missing + "'", "expected an existing parquet file");
  }

  @Test
  void missingLabelColumnIsNamedWithTheColumnsPresent() throws Exception {
    DataException e =
        prepareFails(
            GOOD, "{categorical: [c]}", "{column: target, kind: binary}", TestData.BINARY_OUT);
    assertEquals(
        "data.label.column: column 'target' is not in the data; columns are: id, a, c, y",
        e.getMessage());
  }

  @Test
  void droppedColumnThatDoesNotExistIsNamed() throws Exception {
    DataException e = prepareFails(GOOD, "{drop: [Surname], categorical: [c]}");
    assertEquals(
        "column 'Surname' named in data.features is not in the data; columns are: id, a, c, y",
        e.getMessage());
  }

  @Test
  void categoricalColumnThatDoesNotExistIsNamed() throws Exception {
    DataException e = prepareFails(GOOD, "{categorical: [colour]}");
    assertContains(e.getMessage(), "column 'colour' named in data.features is not in the data");
  }

  @Test
  void nonNumericValueInNumericColumnIsNamed() throws Exception {
    DataException e =
        prepareFails(List.of("1,0.5,p,0", "2,abc,q,1", "3,2.5,p,0"), "{categorical: [c]}");
    assertContains(
        e.getMessage(),
        "column 'a': value \"abc\" is not a number (1 such rows in data.path; the first at line 3 of ",
        "expected numeric values",
        "data.features.categorical or data.features.drop");
  }

  @Test
  void textColumnLeftNumericIsNamed() throws Exception {
    DataException e = prepareFails(GOOD, "{}");
    assertContains(e.getMessage(), "column 'c': value \"", "is not a number (4 such rows in data.path; the first at line ");
  }

  @Test
  void missingValueInNumericColumnIsCounted() throws Exception {
    DataException e =
        prepareFails(List.of("1,0.5,p,0", "2,,q,1", "3,,p,0", "4,1,q,1"), "{categorical: [c]}");
    assertContains(
        e.getMessage(),
        "column 'a': 2 missing value(s) in data.path (the first at line 3 of ",
        "expected a number in every row");
  }

  @Test
  void missingCategoryValueIsReported() throws Exception {
    DataException e =
        prepareFails(List.of("1,0.5,p,0", "2,1.5,,1", "3,2.5,q,0"), "{categorical: [c]}");
    assertContains(e.getMessage(), "column 'c': 1 missing value(s) in data.path (the first at line 3 of ");
  }

  @Test
  void binaryLabelWithThreeValuesIsReported() throws Exception {
    DataException e =
        prepareFails(List.of("1,0.5,p,0", "2,1.5,q,1", "3,2.5,p,2"), "{categorical: [c]}");
    assertContains(e.getMessage(), "label column 'y'", "found 3 (0, 1, 2)");
  }

  @Test
  void nonNumericRegressionTargetIsNamed() throws Exception {
    DataException e =
        prepareFails(
            List.of("1,0.5,p,3.5", "2,1.5,q,n/a", "3,2.5,p,7"),
            "{categorical: [c]}",
            "{column: y, kind: numeric, scaling: standardize}",
            TestData.NUMERIC_OUT);
    assertContains(
        e.getMessage(),
        "label column 'y': value \"n/a\" is not a number",
        "data.label.kind numeric");
  }

  @Test
  void missingRegressionTargetIsCounted() throws Exception {
    DataException e =
        prepareFails(
            List.of("1,0.5,p,3.5", "2,1.5,q,", "3,2.5,p,7"),
            "{categorical: [c]}",
            "{column: y, kind: numeric}",
            TestData.NUMERIC_OUT);
    assertContains(e.getMessage(), "label column 'y': 1 missing value(s) in data.path (the first at line 3 of ");
  }

  /** A pipeline fitted once on good rows, for the tests that apply it to later data. */
  private static synchronized FeaturePipelineModel fitted() throws Exception {
    if (fitted == null) {
      String uri = TestData.csv(trainDir.resolve("train.csv"), HEADER, GOOD);
      fitted =
          Datasets.prepare(
                  spark,
                  job(
                      uri,
                      "{drop: [id], categorical: [c]}",
                      "{column: y, kind: binary}",
                      TestData.BINARY_OUT),
                  4)
              .pipeline();
    }
    return fitted;
  }


  @Test
  void nonNumericValueInLaterDataFailsWhenApplied() throws Exception {
    FeaturePipelineModel model = fitted();
    String other =
        TestData.csv(dir.resolve("eval.csv"), HEADER, List.of("9,1.0,p,0", "10,oops,q,1"));
    JobSpec spec =
        job(
            other,
            "{drop: [id], categorical: [c]}",
            "{column: y, kind: binary}",
            TestData.BINARY_OUT);
    var batches = Datasets.labelledBatches(spark, spec.data(), other, model, 4);
    Exception e = assertThrows(Exception.class, batches::count);
    DataException cause = TestData.dataCause(e);
    assertNotNull(cause, "expected a DataException in the cause chain of " + e);
    assertContains(cause.getMessage(), "column 'a': value \"oops\" is not a number");
  }

  @Test
  void unseenLabelInLaterDataFailsWhenApplied() throws Exception {
    FeaturePipelineModel model = fitted();
    String other = TestData.csv(dir.resolve("eval.csv"), HEADER, List.of("9,1.0,p,5"));
    JobSpec spec =
        job(
            other,
            "{drop: [id], categorical: [c]}",
            "{column: y, kind: binary}",
            TestData.BINARY_OUT);
    var batches = Datasets.labelledBatches(spark, spec.data(), other, model, 4);
    Exception e = assertThrows(Exception.class, batches::count);
    DataException cause = TestData.dataCause(e);
    assertNotNull(cause, "expected a DataException in the cause chain of " + e);
    assertContains(
        cause.getMessage(),
        "label column 'y': value \"5\" was not seen in training",
        "classes: 0, 1");
  }

  @Test
  void scoringDataWithoutATrainedColumnIsNamed() throws Exception {
    FeaturePipelineModel model = fitted();
    String other = TestData.csv(dir.resolve("score.csv"), "id,c", List.of("9,p"));
    JobSpec spec =
        job(
            other,
            "{drop: [id], categorical: [c]}",
            "{column: y, kind: binary}",
            TestData.BINARY_OUT);
    DataException e =
        assertThrows(
            DataException.class,
            () -> Datasets.featureRows(spark, spec.data(), other, model, List.of("id")));
    assertEquals(
        "column 'a' is missing from the data; the model was trained with it; columns present: id,"
            + " c",
        e.getMessage());
  }

  @Test
  void missingScoringFileIsNamed() throws Exception {
    FeaturePipelineModel model = fitted();
    String missing = TestData.uri(dir.resolve("gone.csv"));
    JobSpec spec = job(missing, "{}", "{column: y, kind: binary}", TestData.BINARY_OUT);
    DataException e =
        assertThrows(
            DataException.class,
            () -> Datasets.featureRows(spark, spec.data(), missing, model, List.of("id")));
    assertContains(e.getMessage(), "no such file or directory '" + missing + "'");
  }
}
