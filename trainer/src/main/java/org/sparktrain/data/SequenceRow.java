package org.sparktrain.data;

import java.io.Serializable;

/**
 * One sequence to score: its key columns as text and its steps (time x features), already
 * featurized and truncated to the model's input length. A plain class, not a record: Spark's Kryo
 * cannot serialize records.
 */
public final class SequenceRow implements Serializable {
  private static final long serialVersionUID = 1L;
  private final String[] keys;
  private final float[][] steps;

  public SequenceRow(String[] keys, float[][] steps) {
    this.keys = keys;
    this.steps = steps;
  }

  public String[] keys() {
    return keys;
  }

  public float[][] steps() {
    return steps;
  }
}
