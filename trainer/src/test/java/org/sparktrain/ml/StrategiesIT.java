package org.sparktrain.ml;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.randn;
import static org.apache.spark.sql.functions.when;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.apache.spark.ml.evaluation.MulticlassClassificationEvaluator;
import org.apache.spark.ml.evaluation.RegressionEvaluator;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.sparktrain.TestSpark;

/**
 * Fitting under each strategy leaves the caller's session running and usable, and the model
 * learned; the regressor's predictions work with MLlib's RegressionEvaluator and survive save/load.
 */
class StrategiesIT {
  @TempDir static Path tmp;

  /** Rows with a 3-vector of standard normals, a class (x0 + x1 > 0) and a target (2 x0 - x1 + 3). */
  private static Dataset<Row> rows(long n, long seed) {
    Dataset<Row> raw =
        TestSpark.session().range(n)
            .withColumn("x0", randn(seed))
            .withColumn("x1", randn(seed + 1))
            .withColumn("x2", randn(seed + 2))
            .withColumn("label", when(col("x0").plus(col("x1")).gt(0), 1.0).otherwise(0.0))
            .withColumn("y", col("x0").multiply(2).minus(col("x1")).plus(3));
    return new VectorAssembler().setInputCols(new String[] {"x0", "x1", "x2"}).setOutputCol("features").transform(raw).cache();
  }

  @ParameterizedTest
  @ValueSource(strings = {"averaging", "synchronous", "sharing", "auto"})
  void fitLeavesTheSessionUsable(String strategy) {
    SparkSession spark = TestSpark.session();
    Dataset<Row> data = rows(800, 11);
    NeuralNetClassificationModel model =
        new NeuralNetClassifier().setStrategy(strategy).setLayers(8).setEpochs(2).setBatchSize(16).setLearningRate(0.02)
            .setJobSettings("strategy.averaging_frequency=2").fit(data);

    assertFalse(spark.sparkContext().isStopped(), strategy + " stopped the caller's session");
    assertEquals(1000, spark.range(1000).count());
    assertEquals(List.of(strategy), List.of(model.trainedModel().summary().get("strategy")));
    double accuracy = new MulticlassClassificationEvaluator().setMetricName("accuracy").evaluate(model.transform(rows(400, 99)));
    System.out.printf("%s: accuracy %.4f%n", strategy, accuracy);
    assertTrue(accuracy > 0.75, strategy + ": accuracy " + accuracy + " on a linear boundary");
  }

  @Test
  void theRegressorPredictsInTheLabelsUnitsAndSavesAndLoads() throws Exception {
    Dataset<Row> train = rows(1500, 21);
    Dataset<Row> test = rows(400, 77);
    NeuralNetRegressionModel model =
        new NeuralNetRegressor().setLabelCol("y").setLayers(16).setEpochs(6).setBatchSize(16).setLearningRate(0.01)
            .setJobSettings("data.label.scaling=standardize").fit(train);
    Dataset<Row> scored = model.transform(test);
    double rmse = new RegressionEvaluator().setLabelCol("y").evaluate(scored);
    System.out.printf("regressor: RMSE %.4f (the target's standard deviation is 2.24)%n", rmse);
    assertTrue(rmse < 0.5, "RMSE " + rmse);
    assertEquals(3, model.numFeatures());

    String dir = tmp.resolve("regressor").toString();
    model.save(dir);
    NeuralNetRegressionModel loaded = NeuralNetRegressionModel.load(dir);
    assertEquals("y", loaded.getLabelCol());
    assertEquals(scored.select("id", "prediction").orderBy("id").collectAsList(),
        loaded.transform(test).select("id", "prediction").orderBy("id").collectAsList());
    NeuralNetRegressor estimator = new NeuralNetRegressor().setLayers(4, 2).setEpochs(3).setJobSettings("model.l2=0.001");
    estimator.save(tmp.resolve("regressor-estimator").toString());
    NeuralNetRegressor read = NeuralNetRegressor.load(tmp.resolve("regressor-estimator").toString());
    assertEquals(List.of(4, 2), java.util.Arrays.stream(read.getLayers()).boxed().toList());
    assertEquals(List.of("model.l2=0.001"), List.of(read.getJobSettings()));
    assertEquals(estimator.uid(), read.uid());
  }
}
