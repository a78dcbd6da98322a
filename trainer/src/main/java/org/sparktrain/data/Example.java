package org.sparktrain.data;

import java.io.Serializable;

/** One featurized example inside a partition (a class: Spark's Kryo cannot serialize records). */
final class Example implements Serializable {
  private static final long serialVersionUID = 1L;
  private final SparseFeatures features;
  private final float[] label;

  Example(float[] features, float[] label) {
    this(SparseFeatures.of(features), label);
  }

  Example(SparseFeatures features, float[] label) {
    this.features = features;
    this.label = label;
  }

  /** The full input row. */
  float[] features() {
    return features.toArray();
  }

  /** The inputs as the pipeline made them (see {@link SparseFeatures}). */
  SparseFeatures sparse() {
    return features;
  }

  float[] label() {
    return label;
  }
}
