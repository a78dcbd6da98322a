package org.sparktrain.data;

import java.io.Serializable;

/**
 * One row to score: its key columns as text and its features. A plain class, not a record: Spark's
 * Kryo cannot serialize records.
 */
public final class FeatureRow implements Serializable {
  private static final long serialVersionUID = 1L;
  private final String[] keys;
  private final float[] features;

  public FeatureRow(String[] keys, float[] features) {
    this.keys = keys;
    this.features = features;
  }

  public String[] keys() {
    return keys;
  }

  public float[] features() {
    return features;
  }
}
