package org.sparktrain.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.stream.IntStream;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.dataset.DataSet;
import org.sparktrain.TestSpark;
import org.sparktrain.spec.JobSpec;

/** Minibatches are formed inside partitions; every check runs as an RDD operation. */
class MinibatchesIT {
  private static SparkSession spark;
  private static JavaSparkContext sc;

  @TempDir Path dir;

  @BeforeAll
  static void start() {
    spark = TestSpark.session();
    sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
  }

  /** Examples whose first feature is the partition they were created in. */
  private static JavaRDD<Example> examples(int n, int partitions) {
    List<Integer> range = IntStream.range(0, n).boxed().toList();
    return sc.parallelize(range, partitions)
        .mapPartitionsWithIndex(
            (p, it) -> {
              List<Example> out = new ArrayList<>();
              while (it.hasNext()) {
                int i = it.next();
                out.add(new Example(new float[] {p, i}, new float[] {i % 2, 1 - i % 2}));
              }
              return out.iterator();
            },
            true);
  }

  private static long batchesPerPartitionExpected(JavaRDD<Example> examples, int batchSize) {
    return examples
        .mapPartitions(
            (Iterator<Example> it) -> {
              long n = 0;
              while (it.hasNext()) {
                it.next();
                n++;
              }
              return List.of((n + batchSize - 1) / batchSize).iterator();
            })
        .fold(0L, Long::sum);
  }

  @Test
  void batchesKeepEveryExampleAndTheBatchSizeLimit() {
    JavaRDD<Example> ex = examples(103, 4);
    JavaRDD<DataSet> batches = Minibatches.of(ex, 10);
    assertEquals(4, batches.getNumPartitions());
    assertEquals(103, TestData.examples(batches));
    int largest = batches.map(DataSet::numExamples).fold(0, Math::max);
    assertEquals(10, largest);
    assertEquals(batchesPerPartitionExpected(ex, 10), batches.count());
  }

  @Test
  void everyBatchHoldsExamplesOfItsOwnPartitionOnly() {
    JavaRDD<DataSet> batches = Minibatches.of(examples(103, 4), 10);
    long foreign =
        batches
            .mapPartitionsWithIndex(
                (p, it) -> {
                  long bad = 0;
                  while (it.hasNext()) {
                    DataSet ds = it.next();
                    for (int r = 0; r < ds.numExamples(); r++) {
                      if (ds.getFeatures().getFloat(r, 0) != p) {
                        bad++;
                      }
                    }
                  }
                  return List.of(bad).iterator();
                },
                true)
            .fold(0L, Long::sum);
    assertEquals(0, foreign);
  }

  @Test
  void onlyTheLastBatchOfAPartitionIsShort() {
    long shortBeforeLast =
        Minibatches.of(examples(103, 4), 10)
            .mapPartitions(
                (Iterator<DataSet> it) -> {
                  List<Integer> sizes = new ArrayList<>();
                  it.forEachRemaining(ds -> sizes.add(ds.numExamples()));
                  long bad = 0;
                  for (int i = 0; i < sizes.size() - 1; i++) {
                    if (sizes.get(i) != 10) {
                      bad++;
                    }
                  }
                  return List.of(bad).iterator();
                })
            .fold(0L, Long::sum);
    assertEquals(0, shortBeforeLast);
  }

  @Test
  void emptyPartitionsGiveNoBatches() {
    JavaRDD<DataSet> batches = Minibatches.of(examples(3, 6), 4);
    assertEquals(3, TestData.examples(batches));
    assertEquals(3, batches.count());
    assertEquals(0, batches.filter(ds -> ds.numExamples() == 0).count());
  }

  @Test
  void batchArraysHaveExampleRowsAndKeepValues() {
    JavaRDD<DataSet> batches = Minibatches.of(examples(7, 1), 5);
    List<long[]> shapes =
        batches
            .map(
                ds ->
                    new long[] {
                      ds.getFeatures().rows(), ds.getFeatures().columns(), ds.getLabels().columns()
                    })
            .collect();
    assertEquals(2, shapes.size());
    assertArrayEquals(new long[] {5, 2, 2}, shapes.get(0));
    assertArrayEquals(new long[] {2, 2, 2}, shapes.get(1));
    long mismatched =
        batches
            .map(
                ds -> {
                  long bad = 0;
                  for (int r = 0; r < ds.numExamples(); r++) {
                    int i = (int) ds.getFeatures().getFloat(r, 1);
                    if (ds.getLabels().getFloat(r, 0) != i % 2) {
                      bad++;
                    }
                  }
                  return bad;
                })
            .fold(0L, Long::sum);
    assertEquals(0, mismatched);
  }

  @Test
  void preparedTrainingBatchesFollowTheConfiguredPartitions() throws Exception {
    List<String> rows = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      rows.add(i + "," + (i * 0.1) + "," + (i % 2));
    }
    String uri = TestData.csv(dir.resolve("rows.csv"), "id,x,y", rows);
    JobSpec spec =
        TestData.job(
            """
            format: csv
            path: '%s'
            partitions: 3
            split: {train: 0.7, validation: 0.15, test: 0.15}
            label: {column: y, kind: binary}
            """
                .formatted(uri),
            TestData.BINARY_OUT);
    PreparedData d = Datasets.prepare(spark, spec, 16);
    assertEquals(3, d.train().getNumPartitions());
    assertEquals(200, d.trainCount() + d.validationCount() + d.testCount());
    for (JavaRDD<DataSet> split : List.of(d.train(), d.validation(), d.test())) {
      assertTrue(split.map(DataSet::numExamples).fold(0, Math::max) <= 16);
      assertEquals(0, split.filter(ds -> ds.getFeatures().columns() != 2).count());
    }
    assertEquals(d.trainCount(), TestData.examples(d.train()));
    assertEquals(d.validationCount(), TestData.examples(d.validation()));
    assertEquals(d.testCount(), TestData.examples(d.test()));
    long batches = d.train().count();
    assertTrue(
        batches <= (d.trainCount() + 15) / 16 + 2,
        batches + " training batches for " + d.trainCount() + " rows in 3 partitions");
  }
}
