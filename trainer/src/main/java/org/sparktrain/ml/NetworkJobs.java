package org.sparktrain.ml;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.ml.attribute.AttributeGroup;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.sparktrain.api.TrainingJob;
import org.sparktrain.data.DataException;

/**
 * From an estimator's Params and a DataFrame with a Vector features column to a {@link
 * TrainingJob} and the rows it trains on: one numeric column per vector entry, unscaled (scaling
 * belongs upstream, e.g. StandardScaler), and the label.
 */
final class NetworkJobs {
  static final String LABEL = "label";

  private NetworkJobs() {}

  static String feature(int i) {
    return "f" + i;
  }

  /** The vector size: from the column's ML attributes (VectorAssembler writes them), else the first row. */
  static int numFeatures(Dataset<?> rows, String featuresCol) {
    AttributeGroup group = AttributeGroup.fromStructField(rows.schema().apply(featuresCol));
    if (group.size() >= 0) {
      return group.size();
    }
    List<Row> first = rows.select(featuresCol).where(functions.col(featuresCol).isNotNull()).limit(1).collectAsList();
    if (first.isEmpty()) {
      throw new DataException("features column '" + featuresCol + "': no rows to train on; expected a non-empty DataFrame");
    }
    return ((Vector) first.get(0).get(0)).size();
  }

  /** {@code f0 .. f(n-1)} and {@code label}, computed in the executors. */
  static Dataset<Row> flatten(Dataset<?> rows, String featuresCol, String labelCol, int numFeatures) {
    Column array = org.apache.spark.ml.functions.vector_to_array(functions.col(featuresCol), "float64");
    Dataset<Row> arrays = rows.select(array.as("__features"), functions.col(labelCol).cast("double").as(LABEL));
    List<Column> columns = new ArrayList<>();
    for (int i = 0; i < numFeatures; i++) {
      columns.add(functions.col("__features").getItem(i).as(feature(i)));
    }
    columns.add(functions.col(LABEL));
    return arrays.select(columns.toArray(new Column[0]));
  }

  /**
   * The job for {@code p}: hidden dense layers, then the output layer for the task (classes: 2 is
   * one sigmoid unit, more a softmax; 0 is a regression, one linear unit).
   */
  static TrainingJob job(NetworkParams p, int numFeatures, int numClasses) {
    String[] numeric = new String[numFeatures];
    for (int i = 0; i < numFeatures; i++) {
      numeric[i] = feature(i);
    }
    double validation = p.getValidationFraction();
    TrainingJob.Builder b =
        TrainingJob.builder()
            .name(p.uid())
            .seed(p.getSeed())
            .numeric(numeric)
            .set("data.features.scaling", "none")
            .split(1 - validation, validation, 0)
            .epochs(p.getEpochs())
            .batchSize(p.getBatchSize())
            .updater(p.getUpdater())
            .learningRate(p.getLearningRate())
            .strategy(p.getStrategy())
            .set("strategy.workers", p.getWorkers());
    for (int units : p.getLayers()) {
      b.dense(units, p.getActivation());
    }
    if (numClasses == 0) {
      b.label(LABEL, "numeric").output(1, "identity", "mse");
    } else if (numClasses == 2) {
      b.label(LABEL, "binary").output(1, "sigmoid", "binary_crossentropy");
    } else {
      b.label(LABEL, "class_index").set("data.label.classes", numClasses).output(numClasses, "softmax", "categorical_crossentropy");
    }
    return b.build().withSettings(p.getJobSettings());
  }
}
