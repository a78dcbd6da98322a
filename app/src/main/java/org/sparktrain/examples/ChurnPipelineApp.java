package org.sparktrain.examples;

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
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.sparktrain.ml.NeuralNetClassificationModel;
import org.sparktrain.ml.NeuralNetClassifier;

/**
 * An example Spark application: the churn CSV through an MLlib Pipeline ending in a
 * NeuralNetClassifier, evaluated with MLlib's evaluators, saved as a PipelineModel and read back.
 *
 * <p>Arguments: {@code DATA_CSV OUTPUT_DIR [EPOCHS]}.
 */
public final class ChurnPipelineApp {
  private ChurnPipelineApp() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 2 || args.length > 3) {
      System.err.println("usage: ChurnPipelineApp DATA_CSV OUTPUT_DIR [EPOCHS]; e.g. data/churn/Churn_Modelling.csv runs/churn-app");
      System.exit(2);
    }
    int epochs = args.length == 3 ? Integer.parseInt(args[2]) : 12;
    SparkSession spark = SparkSession.builder().appName("churn pipeline example").getOrCreate();
    try {
      Dataset<Row> all = spark.read().option("header", true).option("inferSchema", true).csv(args[0]);
      Dataset<Row>[] parts = all.randomSplit(new double[] {0.8, 0.2}, 42);
      Dataset<Row> train = parts[0].cache();
      Dataset<Row> test = parts[1].cache();

      Pipeline pipeline =
          new Pipeline()
              .setStages(
                  new PipelineStage[] {
                    new StringIndexer()
                        .setInputCols(new String[] {"Geography", "Gender"})
                        .setOutputCols(new String[] {"geo_i", "gender_i"}),
                    new OneHotEncoder()
                        .setInputCols(new String[] {"geo_i", "gender_i"})
                        .setOutputCols(new String[] {"geo", "gender"}),
                    new VectorAssembler()
                        .setInputCols(new String[] {"CreditScore", "geo", "gender", "Age", "Tenure", "Balance",
                            "NumOfProducts", "HasCrCard", "IsActiveMember", "EstimatedSalary"})
                        .setOutputCol("raw"),
                    new StandardScaler().setInputCol("raw").setOutputCol("features").setWithMean(true),
                    new NeuralNetClassifier()
                        .setLabelCol("Exited")
                        .setLayers(6, 6)
                        .setEpochs(epochs)
                        .setBatchSize(32)
                        .setLearningRate(0.01)
                        .setStrategy("averaging")
                  });
      PipelineModel model = pipeline.fit(train);

      Dataset<Row> scored = model.transform(test).cache();
      double accuracy =
          new MulticlassClassificationEvaluator().setLabelCol("Exited").setMetricName("accuracy").evaluate(scored);
      double auc = new BinaryClassificationEvaluator().setLabelCol("Exited").evaluate(scored);
      NeuralNetClassificationModel network = (NeuralNetClassificationModel) model.stages()[4];
      System.out.printf("epochs %d, workers %s%n", network.trainedModel().history().size(),
          network.trainedModel().summary().get("workers"));
      System.out.printf("test accuracy %.4f%n", accuracy);
      System.out.printf("test AUC %.4f%n", auc);

      String saved = args[1] + "/churn-pipeline";
      model.write().overwrite().save(saved);
      PipelineModel loaded = PipelineModel.load(saved);
      List<Row> before = scored.select("RowNumber", "prediction", "probability").orderBy("RowNumber").collectAsList();
      List<Row> after =
          loaded.transform(test).select("RowNumber", "prediction", "probability").orderBy("RowNumber").collectAsList();
      System.out.printf("saved to %s; the reloaded model %s on %d test rows%n", saved,
          before.equals(after) ? "agrees" : "DISAGREES", after.size());
      if (!before.equals(after)) {
        System.exit(1);
      }
    } finally {
      spark.stop();
    }
  }
}
