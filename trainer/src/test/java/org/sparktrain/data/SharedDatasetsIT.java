package org.sparktrain.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.sparktrain.TestJobs;
import org.sparktrain.TestSpark;

/** The bundled jobs prepare the real datasets they are written for. */
class SharedDatasetsIT {
  private static SparkSession spark;

  @BeforeAll
  static void start() {
    spark = TestSpark.session();
  }

  private static String dataset(String name) {
    Path p = TestJobs.sharedDataset(name);
    assumeTrue(Files.exists(p), "shared dataset not present: " + p);
    return p.toUri().toString();
  }

  @Test
  void churnJobEncodesTheBankDataset() {
    String uri = dataset("Churn_Modelling.csv");
    PreparedData d = Datasets.prepare(spark, TestJobs.job("churn.yaml", "data.path=" + uri), 64);
    FeaturePipelineModel m = d.pipeline();
    assertEquals(
        List.of(
            "CreditScore",
            "Age",
            "Tenure",
            "Balance",
            "NumOfProducts",
            "HasCrCard",
            "IsActiveMember",
            "EstimatedSalary",
            "Geography=France",
            "Geography=Germany",
            "Geography=Spain",
            "Gender=Female",
            "Gender=Male"),
        m.featureNames());
    assertEquals(List.of("0", "1"), m.classNames());
    long total = d.trainCount() + d.validationCount() + d.testCount();
    assertEquals(10_000, total);
    assertEquals(0.72, d.trainCount() / (double) total, 0.02);
    assertEquals(0.08, d.validationCount() / (double) total, 0.02);
    assertEquals(0.2, d.testCount() / (double) total, 0.02);
    assertEquals(d.testCount(), TestData.examples(d.test()));
    assertTrue(d.test().map(ds -> ds.numExamples()).fold(0, Math::max) <= 64);
  }

  @Test
  void concreteJobStandardizesTheRegressionTarget() {
    String uri = dataset("concrete.csv");
    PreparedData d = Datasets.prepare(spark, TestJobs.job("concrete.yaml", "data.path=" + uri), 32);
    FeaturePipelineModel m = d.pipeline();
    assertEquals(8, m.numInputs());
    assertEquals(1, m.numOutputs());
    assertEquals("numeric", m.labelKind());
    assertEquals(1030, d.trainCount() + d.validationCount() + d.testCount());
    // Compressive strength is roughly 2 to 83 MPa with a mean near 36.
    assertEquals(36, m.params().labelCenter(), 3);
    assertEquals(16.7, m.params().labelScale(), 2);
    assertEquals(d.validationCount(), TestData.examples(d.validation()));
  }
}
