package org.sparktrain.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.dataset.DataSet;
import org.sparktrain.TestSpark;
import org.sparktrain.spec.JobSpec;

/** The same rows as CSV text and as typed Parquet give the same prepared data. */
class CsvParquetIT {
  private static final int N = 60;
  private static final String DATA =
      """
      format: %s
      path: '%s'
      split: {train: 0.6, validation: 0.2, test: 0.2}
      features: {categorical: [k, c], scaling: standardize}
      label: {column: y, kind: binary}
      """;

  private static SparkSession spark;

  @TempDir static Path dir;
  private static PreparedData csv;
  private static PreparedData parquet;

  @BeforeAll
  static void prepareBoth() throws Exception {
    spark = TestSpark.session();
    List<String> lines = new ArrayList<>();
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < N; i++) {
      int id = 100 + i;
      double x = i * 0.37 - 4.1;
      int k = i % 4;
      String c = i % 3 == 0 ? "p" : "q";
      int y = (i * 7) % 2;
      lines.add(id + "," + x + "," + k + "," + c + "," + y);
      rows.add(RowFactory.create(id, x, k, c, y));
    }
    String csvUri = TestData.csv(dir.resolve("rows.csv"), "id,x,k,c,y", lines);
    StructType schema =
        new StructType()
            .add("id", DataTypes.IntegerType)
            .add("x", DataTypes.DoubleType)
            .add("k", DataTypes.IntegerType)
            .add("c", DataTypes.StringType)
            .add("y", DataTypes.IntegerType);
    String parquetUri = TestData.uri(dir.resolve("rows.parquet"));
    spark.createDataFrame(rows, schema).coalesce(1).write().parquet(parquetUri);
    assertTrue(parquetUri.startsWith("file:/"));

    csv = Datasets.prepare(spark, job("csv", csvUri), 8);
    parquet = Datasets.prepare(spark, job("parquet", parquetUri), 8);
  }

  private static JobSpec job(String format, String uri) {
    return TestData.job(DATA.formatted(format, uri), TestData.BINARY_OUT);
  }

  @Test
  void countsAgree() {
    assertEquals(csv.trainCount(), parquet.trainCount());
    assertEquals(csv.validationCount(), parquet.validationCount());
    assertEquals(csv.testCount(), parquet.testCount());
    assertEquals(N, parquet.trainCount() + parquet.validationCount() + parquet.testCount());
  }

  @Test
  void fittedPipelinesAgree() {
    FeaturePipelineModel.Params a = csv.pipeline().params();
    FeaturePipelineModel.Params b = parquet.pipeline().params();
    assertEquals(List.of("id", "x"), b.numericColumns());
    assertEquals(a.numericColumns(), b.numericColumns());
    assertEquals(List.of(List.of("0", "1", "2", "3"), List.of("p", "q")), b.categories());
    assertEquals(a.categories(), b.categories());
    assertEquals(a.classNames(), b.classNames());
    assertEquals(List.of("0", "1"), b.classNames());
    for (int i = 0; i < a.center().length; i++) {
      assertEquals(a.center()[i], b.center()[i], 1e-9);
      assertEquals(a.scale()[i], b.scale()[i], 1e-9);
    }
  }

  @Test
  void everySplitHoldsTheSameExamples() {
    assertSameRows(csv.train(), parquet.train());
    assertSameRows(csv.validation(), parquet.validation());
    assertSameRows(csv.test(), parquet.test());
  }

  private static void assertSameRows(JavaRDD<DataSet> a, JavaRDD<DataSet> b) {
    List<float[][]> ra = sorted(TestData.rows(a));
    List<float[][]> rb = sorted(TestData.rows(b));
    assertEquals(ra.size(), rb.size());
    for (int i = 0; i < ra.size(); i++) {
      float[] fa = ra.get(i)[0];
      float[] fb = rb.get(i)[0];
      assertEquals(fa.length, fb.length);
      for (int j = 0; j < fa.length; j++) {
        assertEquals(fa[j], fb[j], 1e-5, "feature " + j + " of " + Arrays.toString(fa));
      }
      assertEquals(ra.get(i)[1][0], rb.get(i)[1][0]);
    }
  }

  private static List<float[][]> sorted(List<float[][]> rows) {
    List<float[][]> copy = new ArrayList<>(rows);
    copy.sort(Comparator.comparingDouble(r -> r[0][0]));
    return copy;
  }
}
