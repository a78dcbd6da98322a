package org.sparktrain.strategy;

import java.io.Serializable;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.dataset.DataSet;

/**
 * How a strategy that validates along with its epochs ({@link TrainingStrategy#validateAlong})
 * scores a worker's share of the validation minibatches where they are, and turns the workers'
 * counters into the epoch's metrics on the driver.
 */
public interface ValidationScorer extends Serializable {
  /** A worker's counters over {@code batches} (possibly none); leaves {@code net}'s parameters alone. */
  Serializable score(Iterator<DataSet> batches, MultiLayerNetwork net);

  /** The metrics of all workers' counters, in the workers' order. */
  Map<String, Object> metrics(List<Serializable> counters);
}
