package org.sparktrain.data;

import org.apache.spark.api.java.JavaRDD;
import org.nd4j.linalg.dataset.DataSet;

/** Minibatches of each split and the pipeline fitted on the training split. Not persisted. */
public record PreparedData(
    FeaturePipelineModel pipeline,
    JavaRDD<DataSet> train,
    JavaRDD<DataSet> validation,
    JavaRDD<DataSet> test,
    long trainCount,
    long validationCount,
    long testCount,
    int vocabulary, // token ids of text data (vocabulary + padding + unknown); 0 otherwise
    long skippedRows) { // rows dropped by data.missing.policy skip

  /** Data without text and with no rows skipped for missing values. */
  public PreparedData(FeaturePipelineModel pipeline, JavaRDD<DataSet> train, JavaRDD<DataSet> validation,
      JavaRDD<DataSet> test, long trainCount, long validationCount, long testCount) {
    this(pipeline, train, validation, test, trainCount, validationCount, testCount, 0, 0);
  }
}
