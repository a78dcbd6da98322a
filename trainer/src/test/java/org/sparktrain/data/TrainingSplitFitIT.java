package org.sparktrain.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparktrain.TestSpark;
import org.sparktrain.spec.JobSpec;

/** The feature pipeline sees the training split and nothing else. */
class TrainingSplitFitIT {
  private static SparkSession spark;

  @TempDir Path dir;

  @BeforeAll
  static void start() {
    spark = TestSpark.session();
  }

  private static double[] trainX() {
    double[] x = new double[20];
    for (int i = 0; i < x.length; i++) {
      x[i] = 1 + 0.5 * i;
    }
    return x;
  }

  /** 20 modest training rows with categories a and b; a test file with huge values and z. */
  private PreparedData withSeparateTestFile(String scaling) throws Exception {
    List<String> test = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      test.add((100 + i) + "," + (1e6 * (i + 1)) + ",z," + (i % 2));
    }
    return withSeparateTestFile(scaling, test);
  }

  private PreparedData withSeparateTestFile(String scaling, List<String> test) throws Exception {
    double[] x = trainX();
    List<String> train = new ArrayList<>();
    for (int i = 0; i < x.length; i++) {
      train.add(i + "," + x[i] + "," + (i % 2 == 0 ? "a" : "b") + "," + (i % 2));
    }
    String trainUri = TestData.csv(dir.resolve("train.csv"), "id,x,cat,y", train);
    String testUri = TestData.csv(dir.resolve("test.csv"), "id,x,cat,y", test);
    JobSpec spec =
        TestData.job(
            """
            format: csv
            path: '%s'
            test_path: '%s'
            split: {train: 1.0, validation: 0.0, test: 0.0}
            features: {numeric: [x], categorical: [cat], scaling: %s}
            label: {column: y, kind: binary}
            """
                .formatted(trainUri, testUri, scaling),
            TestData.BINARY_OUT);
    return Datasets.prepare(spark, spec, 4);
  }

  @Test
  void standardizationUsesTrainingRowsOnly() throws Exception {
    PreparedData d = withSeparateTestFile("standardize");
    FeaturePipelineModel.Params p = d.pipeline().params();
    assertEquals(20, d.trainCount());
    assertEquals(0, d.validationCount());
    assertEquals(5, d.testCount());
    assertEquals(List.of("x"), p.numericColumns());
    assertEquals(TestData.mean(trainX()), p.center()[0], 1e-9);
    assertEquals(TestData.popStd(trainX()), p.scale()[0], 1e-9);
    assertEquals(List.of(List.of("a", "b")), p.categories());
  }

  @Test
  void minmaxUsesTrainingRowsOnly() throws Exception {
    PreparedData d = withSeparateTestFile("minmax");
    FeaturePipelineModel.Params p = d.pipeline().params();
    assertEquals(1.0, p.center()[0]);
    assertEquals(9.5, p.scale()[0]);
    for (float[][] row : TestData.rows(d.train())) {
      assertTrue(row[0][0] >= 0f && row[0][0] <= 1f, "train feature outside [0, 1]: " + row[0][0]);
    }
  }

  @Test
  void categorySeenOnlyOutsideTrainingIsRejectedWhenApplied() throws Exception {
    PreparedData d = withSeparateTestFile("standardize");
    assertEquals(3, d.pipeline().numInputs());
    assertEquals(20, TestData.examples(d.train()));
    Exception e = assertThrows(Exception.class, () -> TestData.examples(d.test()));
    DataException cause = TestData.dataCause(e);
    assertNotNull(cause, "expected a DataException in the cause chain of " + e);
    assertTrue(cause.getMessage().contains("column 'cat'"), cause.getMessage());
    assertTrue(
        cause.getMessage().contains("category \"z\" was not seen in training"), cause.getMessage());
    assertTrue(cause.getMessage().contains("known: a, b"), cause.getMessage());
  }

  @Test
  void randomSplitStatisticsComeFromTheTrainingRows() throws Exception {
    int n = 300;
    double[] x = new double[n];
    List<String> rows = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      x[i] = i % 3 == 0 ? 1e6 + i : i % 17;
      rows.add(i + "," + x[i] + "," + (i % 2));
    }
    String uri = TestData.csv(dir.resolve("data.csv"), "id,x,y", rows);
    JobSpec spec =
        TestData.job(
            """
            format: csv
            path: '%s'
            split: {train: 0.5, validation: 0.25, test: 0.25}
            features: {numeric: [id, x], scaling: standardize}
            label: {column: y, kind: binary}
            """
                .formatted(uri),
            TestData.BINARY_OUT);
    PreparedData d = Datasets.prepare(spark, spec, 16);
    FeaturePipelineModel.Params p = d.pipeline().params();

    Set<Integer> trainIds = ids(d.pipeline(), TestData.rows(d.train()));
    assertEquals(d.trainCount(), trainIds.size());
    double[] trainX = trainIds.stream().mapToDouble(i -> x[i]).toArray();
    assertEquals(TestData.mean(trainX), p.center()[1], 1e-6 * Math.abs(p.center()[1]));
    assertEquals(TestData.popStd(trainX), p.scale()[1], 1e-6 * p.scale()[1]);

    Set<Integer> heldOut = ids(d.pipeline(), TestData.rows(d.validation()));
    heldOut.addAll(ids(d.pipeline(), TestData.rows(d.test())));
    assertTrue(heldOut.stream().anyMatch(i -> i % 3 == 0), "no extreme row was held out");
    assertTrue(
        Math.abs(TestData.mean(x) - p.center()[1]) > 1.0,
        "the fitted centre equals the mean over all rows");
  }

  /** Row ids recovered from the first (standardized id) feature. */
  private static Set<Integer> ids(FeaturePipelineModel m, List<float[][]> rows) {
    Set<Integer> ids = new HashSet<>();
    for (float[][] r : rows) {
      ids.add((int) Math.round(r[0][0] * m.params().scale()[0] + m.params().center()[0]));
    }
    return ids;
  }

  @Test
  void separateTestFileDoesNotChangeTheFittedPipeline() throws Exception {
    PreparedData a = withSeparateTestFile("standardize");
    PreparedData b = withSeparateTestFile("standardize", List.of("1,-5e9,q,0", "2,7e9,r,1"));
    assertEquals(2, b.testCount());
    assertEquals(a.pipeline(), b.pipeline());
    assertArrayEquals(a.pipeline().params().center(), b.pipeline().params().center());
  }
}
