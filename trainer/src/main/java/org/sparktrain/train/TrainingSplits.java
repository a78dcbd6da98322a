package org.sparktrain.train;

import org.apache.spark.api.java.JavaRDD;
import org.nd4j.linalg.dataset.DataSet;
import org.sparktrain.data.PreparedData;

/**
 * The prepared data of a run, with its training and validation minibatches cached for the epochs.
 *
 * @param train {@code data.train()}, persisted
 * @param validation {@code data.validation()}, persisted
 */
record TrainingSplits(PreparedData data, JavaRDD<DataSet> train, JavaRDD<DataSet> validation) {
  /** Drops the cached minibatches once the epochs are over. */
  void unpersist() {
    train.unpersist(false);
    validation.unpersist(false);
  }
}
