package org.sparktrain.data;

import java.io.Serializable;

/**
 * One row to score: its key columns as text and its features. A plain class, not a record: Spark's
 * Kryo cannot serialize records.
 */
public final class FeatureRow implements Serializable {
  private static final long serialVersionUID = 1L;
  private final String[] keys;
  private final SparseFeatures features;

  public FeatureRow(String[] keys, float[] features) {
    this(keys, SparseFeatures.of(features));
  }

  FeatureRow(String[] keys, SparseFeatures features) {
    this.keys = keys;
    this.features = features;
  }

  public String[] keys() {
    return keys;
  }

  /** The full input row (one-hot blocks expanded). */
  public float[] features() {
    return features.toArray();
  }

  /** The number of inputs. */
  public int width() {
    return features.width();
  }

  /** Writes the full input row into {@code row} from {@code offset}, which must hold zeros there already. */
  public void fill(float[] row, int offset) {
    features.fill(row, offset);
  }
}
