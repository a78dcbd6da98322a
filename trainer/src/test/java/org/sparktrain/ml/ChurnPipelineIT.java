package org.sparktrain.ml;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.evaluation.BinaryClassificationEvaluator;
import org.apache.spark.ml.evaluation.MulticlassClassificationEvaluator;
import org.apache.spark.ml.feature.OneHotEncoder;
import org.apache.spark.ml.feature.StandardScaler;
import org.apache.spark.ml.feature.StringIndexer;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.tuning.CrossValidator;
import org.apache.spark.ml.tuning.CrossValidatorModel;
import org.apache.spark.ml.tuning.ParamGridBuilder;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparktrain.TestJobs;
import org.sparktrain.TestSpark;

/**
 * The classifier in an MLlib Pipeline on the churn data: test accuracy of the published network,
 * MLlib's evaluators on its columns, PipelineModel persistence, and CrossValidator choosing a
 * learning rate by AUC (its model saved and loaded too).
 */
class ChurnPipelineIT {
  @TempDir static Path tmp;
  private static Dataset<Row> train;
  private static Dataset<Row> test;

  @BeforeAll
  static void readData() {
    Path csv = TestJobs.sharedDataset("Churn_Modelling.csv");
    assertTrue(Files.exists(csv), csv + " is missing; run deploy/fetch-data.sh");
    Dataset<Row> all = TestSpark.session().read().option("header", true).option("inferSchema", true).csv(csv.toString());
    Dataset<Row>[] parts = all.randomSplit(new double[] {0.8, 0.2}, 42);
    train = parts[0].cache();
    test = parts[1].cache();
  }

  /** Index and one-hot the two categorical columns (one dummy dropped: 11 features), assemble, scale. */
  private static Pipeline pipeline(NeuralNetClassifier network) {
    StringIndexer index =
        new StringIndexer().setInputCols(new String[] {"Geography", "Gender"}).setOutputCols(new String[] {"geo_i", "gender_i"});
    OneHotEncoder oneHot =
        new OneHotEncoder().setInputCols(new String[] {"geo_i", "gender_i"}).setOutputCols(new String[] {"geo", "gender"});
    VectorAssembler assemble =
        new VectorAssembler()
            .setInputCols(new String[] {"CreditScore", "geo", "gender", "Age", "Tenure", "Balance", "NumOfProducts",
                "HasCrCard", "IsActiveMember", "EstimatedSalary"})
            .setOutputCol("raw");
    StandardScaler scale = new StandardScaler().setInputCol("raw").setOutputCol("features").setWithMean(true).setWithStd(true);
    return new Pipeline().setStages(new PipelineStage[] {index, oneHot, assemble, scale, network});
  }

  @Test
  void reachesThePublishedAccuracyAndAReloadedPipelineModelPredictsIdentically() throws Exception {
    NeuralNetClassifier network =
        new NeuralNetClassifier()
            .setLabelCol("Exited")
            .setLayers(6, 6)
            .setEpochs(12)
            .setBatchSize(32)
            .setLearningRate(0.01);
    long t0 = System.nanoTime();
    PipelineModel model = pipeline(network).fit(train);
    System.out.printf("churn pipeline fit: %.1f s%n", (System.nanoTime() - t0) / 1e9);

    Dataset<Row> scored = model.transform(test).cache();
    double accuracy = new MulticlassClassificationEvaluator().setLabelCol("Exited").setMetricName("accuracy").evaluate(scored);
    double auc = new BinaryClassificationEvaluator().setLabelCol("Exited").evaluate(scored);
    System.out.printf("churn pipeline test accuracy %.4f, AUC %.4f%n", accuracy, auc);
    assertTrue(accuracy >= 0.85, "test accuracy " + accuracy);
    assertTrue(auc >= 0.80, "test AUC " + auc);

    assertEquals(DataTypes.DoubleType, scored.schema().apply("prediction").dataType());
    Row first = scored.select("rawPrediction", "probability", "prediction").first();
    Vector probability = (Vector) first.get(1);
    assertEquals(2, probability.size());
    assertEquals(2, ((Vector) first.get(0)).size());
    assertEquals(1.0, probability.apply(0) + probability.apply(1), 1e-6);
    assertEquals(probability.apply(1) > 0.5 ? 1.0 : 0.0, first.getDouble(2));
    NeuralNetClassificationModel stage = (NeuralNetClassificationModel) model.stages()[4];
    assertEquals(2, stage.numClasses());
    assertEquals(11, stage.numFeatures());
    assertEquals(12, stage.trainedModel().history().size());
    // MLlib's per-row path and the minibatched transform agree.
    Vector features = (Vector) scored.select("features").first().get(0);
    assertArrayEquals(probability.toArray(), stage.predictProbability(features).toArray(), 1e-6);

    String dir = tmp.resolve("churn-pipeline").toString();
    model.write().overwrite().save(dir);
    PipelineModel loaded = PipelineModel.load(dir);
    List<Row> before = scored.select("RowNumber", "prediction", "probability", "rawPrediction").orderBy("RowNumber").collectAsList();
    List<Row> after =
        loaded.transform(test).select("RowNumber", "prediction", "probability", "rawPrediction").orderBy("RowNumber").collectAsList();
    assertEquals(test.count(), after.size());
    assertEquals(before, after);
    NeuralNetClassificationModel loadedStage = (NeuralNetClassificationModel) loaded.stages()[4];
    assertEquals(stage.uid(), loadedStage.uid());
    assertEquals("Exited", loadedStage.getLabelCol());
    assertEquals(stage.trainedModel().history(), loadedStage.trainedModel().history());
  }

  @Test
  void crossValidatorChoosesTheLearningRateByAuc() throws Exception {
    NeuralNetClassifier network =
        new NeuralNetClassifier().setLabelCol("Exited").setLayers(6, 6).setEpochs(2).setBatchSize(64);
    ParamMap[] grid = new ParamGridBuilder().addGrid(network.learningRate(), new double[] {1e-5, 0.02}).build();
    CrossValidator cv =
        new CrossValidator()
            .setEstimator(pipeline(network))
            .setEstimatorParamMaps(grid)
            .setEvaluator(new BinaryClassificationEvaluator().setLabelCol("Exited").setMetricName("areaUnderROC"))
            .setNumFolds(2)
            .setSeed(7);
    long t0 = System.nanoTime();
    CrossValidatorModel model = cv.fit(train.where("RowNumber <= 3750"));
    double[] auc = model.avgMetrics();
    System.out.printf("cross-validation: AUC %.4f at 1e-5, %.4f at 0.02 (%.1f s)%n", auc[0], auc[1], (System.nanoTime() - t0) / 1e9);
    assertTrue(auc[1] > auc[0], "AUC by learning rate: " + auc[0] + ", " + auc[1]);
    PipelineModel best = (PipelineModel) model.bestModel();
    NeuralNetClassifier chosen = (NeuralNetClassifier) ((NeuralNetClassificationModel) best.stages()[4]).parent();
    assertEquals(0.02, chosen.getLearningRate());
    double testAuc = new BinaryClassificationEvaluator().setLabelCol("Exited").evaluate(model.transform(test));
    assertTrue(testAuc > 0.7, "test AUC of the chosen model " + testAuc);

    String dir = tmp.resolve("churn-cv").toString();
    model.write().save(dir);
    CrossValidatorModel loaded = CrossValidatorModel.load(dir);
    assertArrayEquals(auc, loaded.avgMetrics());
    assertEquals(testAuc, new BinaryClassificationEvaluator().setLabelCol("Exited").evaluate(loaded.transform(test)));
  }
}
