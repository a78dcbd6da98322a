package org.sparktrain.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparktrain.TestSpark;
import org.sparktrain.spec.JobSpec;

/**
 * Values that are present but unusable: missing-value markers (data.missing.tokens), NaN and
 * infinities, blank cells met while scoring, and quoted values that span lines; each named by
 * column, value, file and line.
 */
class BadValuesIT {
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
        split: {train: 0.5, validation: 0.25, test: 0.25}
        features: {drop: [id], categorical: [c]}
        label: {column: y, kind: binary}
        """
            .formatted(path),
        TestData.BINARY_OUT,
        more);
  }

  private static List<String> good(int n) {
    List<String> rows = new ArrayList<>();
    for (int i = 1; i <= n; i++) {
      rows.add(i + "," + (i * 0.5) + "," + (i % 2 == 0 ? "p" : "q") + "," + (i % 2));
    }
    return rows;
  }

  private static void assertContains(String message, String... parts) {
    for (String part : parts) {
      assertTrue(message.contains(part), "expected \"" + part + "\" in: " + message);
    }
  }

  @Test
  void declaredTokensAreMissingValuesUnderEachPolicy() throws Exception {
    List<String> rows = good(40);
    rows.set(2, "3,NA,q,1");
    rows.set(5, "6, ? ,p,0");
    rows.set(7, "8,4.0,null,0");
    String uri = TestData.csv(dir.resolve("tokens.csv"), HEADER, rows);
    String tokens = "data.missing.tokens=[NA, \"?\", \"null\"]";

    PreparedData skipped = Datasets.prepare(spark, job(uri, tokens, "data.missing.policy=skip"), 4);
    assertEquals(3, skipped.skippedRows());
    assertEquals(37, skipped.trainCount() + skipped.validationCount() + skipped.testCount());

    DataException e = assertThrows(DataException.class, () -> Datasets.prepare(spark, job(uri, tokens), 4));
    assertContains(
        e.getMessage(),
        "column 'a': 2 missing value(s) in data.path (the first at line 4 of ",
        "column 'c': 1 missing value(s) in data.path (the first at line 9 of ",
        "data.missing.policy: skip or fill");

    PreparedData filled = Datasets.prepare(spark, job(uri, tokens, "data.missing.policy=fill"), 4);
    assertEquals(40, filled.trainCount() + filled.validationCount() + filled.testCount());
  }

  @Test
  void anUndeclaredTokenInANumericColumnSuggestsDeclaringIt() throws Exception {
    List<String> rows = good(8);
    rows.set(4, "5,NA,q,1");
    String uri = TestData.csv(dir.resolve("na.csv"), HEADER, rows);
    DataException e = assertThrows(DataException.class, () -> Datasets.prepare(spark, job(uri), 4));
    assertContains(
        e.getMessage(),
        "column 'a': value \"NA\" is not a number (1 such rows in data.path; the first at line 6 of ",
        "na.csv)",
        "if \"NA\" marks a missing value, declare it: data.missing.tokens: [NA]");
  }

  @Test
  void nanAndInfinitiesInAnySplitStopBeforeTrainingNamingEachColumn() throws Exception {
    for (String bad : new String[] {"NaN", "nan", "Infinity", "-Infinity", "inf", "-inf", "1e400"}) {
      List<String> rows = good(12);
      rows.set(9, "10," + bad + ",p,0");
      String uri = TestData.csv(dir.resolve("nonfinite.csv"), HEADER, rows);
      DataException e = assertThrows(DataException.class, () -> Datasets.prepare(spark, job(uri), 4), bad);
      assertContains(
          e.getMessage(),
          "column 'a': value \"" + bad + "\" is not a finite number (1 such rows in data.path; the first at line 11 of ",
          "expected a finite number",
          "clean the data",
          "data.missing.tokens: [");
    }
  }

  @Test
  void aNonFiniteNumericLabelAndSeveralBadColumnsAreAllNamed() throws Exception {
    List<String> rows = List.of("1,0.5,p,1.5", "2,Infinity,q,2.5", "3,1.5,p,NaN", "4,2.5,q,3.5");
    String uri = TestData.csv(dir.resolve("label.csv"), HEADER, rows);
    JobSpec spec =
        TestData.job(
            """
            format: csv
            path: '%s'
            split: {train: 1.0, validation: 0.0, test: 0.0}
            features: {drop: [id], categorical: [c]}
            label: {column: y, kind: numeric}
            """
                .formatted(uri),
            TestData.NUMERIC_OUT);
    DataException e = assertThrows(DataException.class, () -> Datasets.prepare(spark, spec, 4));
    assertContains(
        e.getMessage(),
        "column 'a': value \"Infinity\" is not a finite number (1 such rows in data.path; the first at line 3 of ",
        "\nlabel column 'y': value \"NaN\" is not a finite number (1 such rows in data.path; the first at line 4 of ");
  }

  @Test
  void nanInATypedParquetColumnIsRefused() throws Exception {
    StructType schema =
        new StructType()
            .add("a", DataTypes.DoubleType)
            .add("c", DataTypes.StringType)
            .add("y", DataTypes.IntegerType);
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      rows.add(RowFactory.create(i == 4 ? Double.NaN : i * 0.5, i == 1 ? "NA" : i % 2 == 0 ? "p" : "q", i % 2));
    }
    Dataset<Row> df = spark.createDataFrame(rows, schema);
    String path = dir.resolve("rows.parquet").toUri().toString();
    df.coalesce(1).write().parquet(path);
    JobSpec spec =
        TestData.job(
            """
            format: parquet
            path: '%s'
            split: {train: 1.0, validation: 0.0, test: 0.0}
            features: {categorical: [c]}
            label: {column: y, kind: binary}
            missing: {tokens: [NA], policy: skip}
            """
                .formatted(path),
            TestData.BINARY_OUT);
    DataException e = assertThrows(DataException.class, () -> Datasets.prepare(spark, spec, 4));
    assertContains(e.getMessage(), "column 'a': value \"NaN\" is not a finite number (1 such rows in data.path)");
    // the text column's NA is a missing value: its row is skipped
    rows.set(4, RowFactory.create(2.0, "p", 0));
    String fixed = dir.resolve("fixed.parquet").toUri().toString();
    spark.createDataFrame(rows, schema).coalesce(1).write().parquet(fixed);
    PreparedData d = Datasets.prepare(spark, TestData.job(
        """
        format: parquet
        path: '%s'
        split: {train: 1.0, validation: 0.0, test: 0.0}
        features: {categorical: [c]}
        label: {column: y, kind: binary}
        missing: {tokens: [NA], policy: skip}
        """
            .formatted(fixed),
        TestData.BINARY_OUT), 4);
    assertEquals(1, d.skippedRows());
    assertEquals(7, d.trainCount());
  }

  @Test
  void aBlankCellMetWhileScoringNamesItsFileAndLine() throws Exception {
    String train = TestData.csv(dir.resolve("train.csv"), HEADER, good(8));
    FeaturePipelineModel model = Datasets.prepare(spark, job(train), 4).pipeline();
    String score = TestData.csv(dir.resolve("score.csv"), HEADER, List.of("1,0.5,p,0", "2,1.0,q,1", "3,,p,0", "4,2.0,q,1"));
    Exception e =
        assertThrows(Exception.class, () -> Datasets.labelledBatches(spark, job(score).data(), score, model, 4).count());
    DataException cause = TestData.dataCause(e);
    assertNotNull(cause, "expected a DataException in the cause chain of " + e);
    assertContains(
        cause.getMessage(), "column 'a': missing value (the first at line 4 of ", "score.csv); expected a number");

    String inf = TestData.csv(dir.resolve("inf.csv"), HEADER, List.of("1,0.5,p,0", "4,Infinity,q,1"));
    Exception f =
        assertThrows(
            Exception.class,
            () -> Datasets.featureRows(spark, job(inf).data(), inf, model, List.of("id")).count());
    DataException infCause = TestData.dataCause(f);
    assertNotNull(infCause, "expected a DataException in the cause chain of " + f);
    assertContains(
        infCause.getMessage(),
        "column 'a': value \"Infinity\" is not a finite number (the first at line 3 of ",
        "inf.csv); expected a finite number");
  }

  @Test
  void aQuotedValueOverSeveralLinesIsRefusedUnlessMultilineAndThenLinesStillCount() throws Exception {
    Path file = dir.resolve("multi.csv");
    Files.writeString(
        file,
        "id,a,c,y\n1,0.5,\"p\nstill p\",0\n2,1.0,q,1\n3,1.5,\"q, two\nlines\",0\n4,oops,p,1\n");
    String uri = TestData.uri(file);
    DataException e = assertThrows(DataException.class, () -> Datasets.prepare(spark, job(uri), 4));
    assertContains(
        e.getMessage(),
        "data.path: a quoted value at line ",
        "is not closed on its line",
        "set data.multiline: true");

    DataException located =
        assertThrows(DataException.class, () -> Datasets.prepare(spark, job(uri, "data.multiline=true"), 4));
    // the bad row is the fourth record but the seventh line of the file
    assertContains(located.getMessage(), "column 'a': value \"oops\" is not a number (1 such rows in data.path; the first at line 7 of ");

    Files.writeString(file, Files.readString(file).replace("4,oops,p,1", "4,2.0,p,1"));
    PreparedData d =
        Datasets.prepare(
            spark, job(uri, "data.multiline=true", "data.split.train=1.0", "data.split.validation=0.0", "data.split.test=0.0"), 4);
    assertEquals(4, d.trainCount());
    assertEquals(List.of("p", "p\nstill p", "q", "q, two\nlines"), d.pipeline().params().categories().get(0));
  }
}
