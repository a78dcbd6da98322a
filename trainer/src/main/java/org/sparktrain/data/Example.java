package org.sparktrain.data;

import java.io.Serializable;

/** One featurized example inside a partition (a class: Spark's Kryo cannot serialize records). */
final class Example implements Serializable {
  private static final long serialVersionUID = 1L;
  private final float[] features;
  private final float[] label;

  Example(float[] features, float[] label) {
    this.features = features;
    this.label = label;
  }

  float[] features() {
    return features;
  }

  float[] label() {
    return label;
  }
}
