package org.sparktrain.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparktrain.TestSpark;
import org.sparktrain.spec.JobSpec;

/** Numeric values of encoded features and labels on tiny CSV files (every row in training). */
class TabularEncodingIT {
  private static final String HEADER = "rowid,name,a,b,color,y";
  private static final List<String> ROWS =
      List.of(
          "1,ann,1,10,red,yes", "2,bob,2,10,green,no", "3,cid,3,40,blue,yes", "4,dan,6,20,red,no");
  private static final double[] A = {1, 2, 3, 6};
  private static final double[] B = {10, 10, 40, 20};
  private static final float[][] ONE_HOT = {{0, 0, 1}, {0, 1, 0}, {1, 0, 0}, {0, 0, 1}};
  private static final float[] BINARY = {1, 0, 1, 0};

  private static SparkSession spark;

  @TempDir Path dir;

  @BeforeAll
  static void start() {
    spark = TestSpark.session();
  }

  private PreparedData prepare(
      List<String> rows, String header, String features, String label, String out)
      throws Exception {
    String uri = TestData.csv(dir.resolve("d.csv"), header, rows);
    JobSpec spec =
        TestData.job(
            """
            format: csv
            path: '%s'
            split: {train: 1.0, validation: 0.0, test: 0.0}
            features: %s
            label: %s
            """
                .formatted(uri, features, label),
            out);
    return Datasets.prepare(spark, spec, 3);
  }

  /** Training rows ordered by their first feature. */
  private static List<float[][]> sortedTrainRows(PreparedData d) {
    List<float[][]> rows = new ArrayList<>(TestData.rows(d.train()));
    rows.sort(Comparator.comparingDouble(r -> r[0][0]));
    return rows;
  }

  private void assertEncoding(String scaling, double[] aCs, double[] bCs) throws Exception {
    PreparedData d =
        prepare(
            ROWS,
            HEADER,
            "{drop: [rowid, name], categorical: [color], scaling: " + scaling + "}",
            "{column: y, kind: binary}",
            TestData.BINARY_OUT);
    FeaturePipelineModel m = d.pipeline();
    assertEquals(List.of("a", "b", "color=blue", "color=green", "color=red"), m.featureNames());
    assertEquals(5, m.numInputs());
    assertEquals(List.of("no", "yes"), m.classNames());
    assertEquals(aCs[0], m.params().center()[0], 1e-12);
    assertEquals(aCs[1], m.params().scale()[0], 1e-12);
    assertEquals(bCs[0], m.params().center()[1], 1e-12);
    assertEquals(bCs[1], m.params().scale()[1], 1e-12);

    List<float[][]> rows = sortedTrainRows(d);
    assertEquals(4, rows.size());
    for (int i = 0; i < 4; i++) {
      float[] x = rows.get(i)[0];
      assertEquals((A[i] - aCs[0]) / aCs[1], x[0], 1e-6, "a of row " + i);
      assertEquals((B[i] - bCs[0]) / bCs[1], x[1], 1e-6, "b of row " + i);
      assertArrayEquals(ONE_HOT[i], new float[] {x[2], x[3], x[4]}, "color of row " + i);
      assertArrayEquals(new float[] {BINARY[i]}, rows.get(i)[1], "label of row " + i);
    }
  }

  @Test
  void standardizeDropAndOneHot() throws Exception {
    assertEncoding(
        "standardize", new double[] {3, Math.sqrt(3.5)}, new double[] {20, Math.sqrt(150)});
  }

  @Test
  void minmaxDropAndOneHot() throws Exception {
    assertEncoding("minmax", new double[] {1, 5}, new double[] {10, 30});
  }

  @Test
  void noScalingKeepsRawValues() throws Exception {
    assertEncoding("none", new double[] {0, 1}, new double[] {0, 1});
  }

  @Test
  void numericCategoriesInDifferentSpellingsAreOneCategory() throws Exception {
    PreparedData d =
        prepare(
            List.of("1,1,0", "2,1.0,1", "3,2,0", "4,2.00,1"),
            "id,k,y",
            "{categorical: [k], scaling: none}",
            "{column: y, kind: binary}",
            TestData.BINARY_OUT);
    assertEquals(List.of(List.of("1", "2")), d.pipeline().params().categories());
    for (float[][] r : sortedTrainRows(d)) {
      float[] expected = r[0][0] <= 2 ? new float[] {1, 0} : new float[] {0, 1};
      assertArrayEquals(expected, new float[] {r[0][1], r[0][2]}, "row " + r[0][0]);
    }
  }

  @Test
  void binaryNumericLabelKeepsZeroAndOne() throws Exception {
    PreparedData d =
        prepare(
            List.of("1,1", "2,0", "3,0", "4,1"),
            "id,y",
            "{scaling: none}",
            "{column: y, kind: binary}",
            TestData.BINARY_OUT);
    assertEquals(List.of("0", "1"), d.pipeline().classNames());
    float[] expected = {1, 0, 0, 1};
    List<float[][]> rows = sortedTrainRows(d);
    for (int i = 0; i < 4; i++) {
      assertArrayEquals(new float[] {expected[i]}, rows.get(i)[1]);
    }
  }

  @Test
  void classIndexTextLabelsAreOneHotInSortedOrder() throws Exception {
    PreparedData d =
        prepare(
            List.of("1,emu", "2,cat", "3,dog", "4,cat"),
            "id,animal",
            "{scaling: none}",
            "{column: animal, kind: class_index}",
            TestData.classOut(3));
    assertEquals(List.of("cat", "dog", "emu"), d.pipeline().classNames());
    assertEquals(3, d.pipeline().numOutputs());
    float[][] expected = {{0, 0, 1}, {1, 0, 0}, {0, 1, 0}, {1, 0, 0}};
    List<float[][]> rows = sortedTrainRows(d);
    for (int i = 0; i < 4; i++) {
      assertArrayEquals(expected[i], rows.get(i)[1], "row " + i);
    }
  }

  @Test
  void classIndexIntegersUseDeclaredClassCount() throws Exception {
    PreparedData d =
        prepare(
            List.of("1,2", "2,0", "3,1"),
            "id,digit",
            "{scaling: none}",
            "{column: digit, kind: class_index, classes: 4}",
            TestData.classOut(4));
    assertEquals(List.of("0", "1", "2", "3"), d.pipeline().classNames());
    assertTrue(d.pipeline().params().integerClasses());
    float[][] expected = {{0, 0, 1, 0}, {1, 0, 0, 0}, {0, 1, 0, 0}};
    List<float[][]> rows = sortedTrainRows(d);
    for (int i = 0; i < 3; i++) {
      assertArrayEquals(expected[i], rows.get(i)[1], "row " + i);
    }
  }

  @Test
  void numericLabelIsStandardizedOnTrainingRows() throws Exception {
    double[] y = {10, 20, 30, 40};
    PreparedData d =
        prepare(
            List.of("1,10", "2,20", "3,30", "4,40"),
            "id,strength",
            "{scaling: none}",
            "{column: strength, kind: numeric, scaling: standardize}",
            TestData.NUMERIC_OUT);
    FeaturePipelineModel m = d.pipeline();
    assertEquals(25.0, m.params().labelCenter(), 1e-12);
    assertEquals(Math.sqrt(125), m.params().labelScale(), 1e-12);
    List<float[][]> rows = sortedTrainRows(d);
    for (int i = 0; i < 4; i++) {
      float scaled = rows.get(i)[1][0];
      assertEquals((y[i] - 25) / Math.sqrt(125), scaled, 1e-6);
      assertEquals(y[i], m.unscaleLabel(scaled), 1e-5);
    }
  }

  @Test
  void numericLabelWithoutScalingIsRaw() throws Exception {
    PreparedData d =
        prepare(
            List.of("1,-2.5", "2,7.25"),
            "id,t",
            "{scaling: none}",
            "{column: t, kind: numeric}",
            TestData.NUMERIC_OUT);
    List<float[][]> rows = sortedTrainRows(d);
    assertArrayEquals(new float[] {-2.5f}, rows.get(0)[1]);
    assertArrayEquals(new float[] {7.25f}, rows.get(1)[1]);
    assertEquals(7.25, d.pipeline().unscaleLabel(7.25));
  }

  @Test
  void numericLabelWithManyDistinctValuesFits() throws Exception {
    int n = 10_050;
    List<String> rows = new ArrayList<>();
    double sum = 0;
    for (int i = 0; i < n; i++) {
      rows.add(i + "," + (i * 0.5));
      sum += i * 0.5;
    }
    PreparedData d =
        prepare(
            rows,
            "id,t",
            "{scaling: none}",
            "{column: t, kind: numeric, scaling: standardize}",
            TestData.NUMERIC_OUT);
    assertEquals(n, d.trainCount());
    assertEquals(sum / n, d.pipeline().params().labelCenter(), 1e-9);
    assertEquals(n, TestData.examples(d.train()));
  }

  @Test
  void headerlessSemicolonFileUsesPositionalColumns() throws Exception {
    String uri = TestData.csv(dir.resolve("h.csv"), null, List.of("1;x;0", "2;y;1", "3;x;1"));
    JobSpec spec =
        TestData.job(
            """
            format: csv
            path: '%s'
            header: false
            delimiter: ';'
            split: {train: 1.0, validation: 0.0, test: 0.0}
            features: {categorical: [_c1], scaling: none}
            label: {column: _c2, kind: binary}
            """
                .formatted(uri),
            TestData.BINARY_OUT);
    PreparedData d = Datasets.prepare(spark, spec, 2);
    assertEquals(List.of("_c0", "_c1=x", "_c1=y"), d.pipeline().featureNames());
    List<float[][]> rows = sortedTrainRows(d);
    assertArrayEquals(new float[] {2, 0, 1}, rows.get(1)[0]);
    assertArrayEquals(new float[] {1}, rows.get(1)[1]);
  }

  @Test
  void limitCapsTheRowsRead() throws Exception {
    List<String> rows = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      rows.add(i + "," + (i % 2));
    }
    String uri = TestData.csv(dir.resolve("l.csv"), "id,y", rows);
    JobSpec spec =
        TestData.job(
            """
            format: csv
            path: '%s'
            limit: 7
            split: {train: 0.6, validation: 0.2, test: 0.2}
            features: {scaling: none}
            label: {column: y, kind: numeric}
            """
                .formatted(uri),
            TestData.NUMERIC_OUT);
    PreparedData d = Datasets.prepare(spark, spec, 2);
    assertEquals(7, d.trainCount() + d.validationCount() + d.testCount());
    List<Float> ids = new ArrayList<>();
    for (var split : List.of(d.train(), d.validation(), d.test())) {
      TestData.rows(split).forEach(r -> ids.add(r[0][0]));
    }
    ids.sort(null);
    assertEquals(List.of(0f, 1f, 2f, 3f, 4f, 5f, 6f), ids);
  }
}
