package org.sparktrain.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.dataset.DataSet;
import org.sparktrain.TestSpark;

/** Train, validation and test rows are a function of the seed. */
class SplitIT {
  private static final int N = 1000;

  @TempDir static Path dir;
  private static SparkSession spark;
  private static String uri;
  private static PreparedData first;
  private static PreparedData again;
  private static PreparedData otherSeed;

  @BeforeAll
  static void prepare() throws Exception {
    spark = TestSpark.session();
    List<String> rows = new ArrayList<>();
    for (int i = 0; i < N; i++) {
      rows.add(i + "," + (i % 2));
    }
    uri = TestData.csv(dir.resolve("rows.csv"), "id,y", rows);
    first = prepare(42);
    again = prepare(42);
    otherSeed = prepare(43);
  }

  private static PreparedData prepare(long seed) {
    return Datasets.prepare(
        spark,
        TestData.job(
            """
            format: csv
            path: '%s'
            split: {train: 0.6, validation: 0.25, test: 0.15}
            features: {scaling: none}
            label: {column: y, kind: binary}
            """
                .formatted(uri),
            TestData.BINARY_OUT,
            "seed=" + seed),
        32);
  }

  /** The row ids of a split (the raw id is the only feature). */
  private static Set<Integer> ids(JavaRDD<DataSet> batches) {
    Set<Integer> ids = new HashSet<>();
    for (float[][] r : TestData.rows(batches)) {
      assertTrue(ids.add((int) r[0][0]), "row " + r[0][0] + " appears twice");
    }
    return ids;
  }

  @Test
  void sameSeedGivesSameRowsInEachSplit() {
    assertEquals(ids(first.train()), ids(again.train()));
    assertEquals(ids(first.validation()), ids(again.validation()));
    assertEquals(ids(first.test()), ids(again.test()));
  }

  @Test
  void splitsAreDisjointAndCoverEveryRow() {
    Set<Integer> all = new HashSet<>(ids(first.train()));
    Set<Integer> validation = ids(first.validation());
    Set<Integer> test = ids(first.test());
    int sizes = all.size() + validation.size() + test.size();
    all.addAll(validation);
    all.addAll(test);
    assertEquals(N, sizes);
    assertEquals(N, all.size());
  }

  @Test
  void differentSeedGivesDifferentRows() {
    assertNotEquals(ids(first.train()), ids(otherSeed.train()));
    assertNotEquals(ids(first.validation()), ids(otherSeed.validation()));
    assertEquals(N, otherSeed.trainCount() + otherSeed.validationCount() + otherSeed.testCount());
  }

  @Test
  void fractionsAreApproximatelyRespected() {
    for (PreparedData d : List.of(first, otherSeed)) {
      assertEquals(0.6, d.trainCount() / (double) N, 0.05);
      assertEquals(0.25, d.validationCount() / (double) N, 0.05);
      assertEquals(0.15, d.testCount() / (double) N, 0.05);
    }
  }

  @Test
  void reportedCountsMatchTheMinibatches() {
    assertEquals(first.trainCount(), TestData.examples(first.train()));
    assertEquals(first.validationCount(), TestData.examples(first.validation()));
    assertEquals(first.testCount(), TestData.examples(first.test()));
  }
}
