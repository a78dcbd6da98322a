package org.sparktrain.data;

import java.io.Serializable;
import java.util.Arrays;

/**
 * One example's inputs as the pipeline makes them: the scaled numeric values first, then one-hot
 * blocks of which at most one position per categorical column holds 1. Kept this way (the numeric
 * values and the positions of the ones) until a minibatch's array is filled, so that a row of
 * flights (3 numbers, 2 codes of about 230) is a few dozen bytes instead of 447 floats. A class,
 * not a record: Spark's Kryo cannot serialize records.
 */
final class SparseFeatures implements Serializable {
  private static final long serialVersionUID = 1L;
  private final float[] dense; // positions 0 .. dense.length - 1
  private final int[] ones; // positions >= dense.length holding 1, ascending
  private final int width;

  SparseFeatures(float[] dense, int[] ones, int width) {
    this.dense = dense;
    this.ones = ones;
    this.width = width;
  }

  /** All positions given, no one-hot part. */
  static SparseFeatures of(float[] values) {
    return new SparseFeatures(values, new int[0], values.length);
  }

  int width() {
    return width;
  }

  /** Writes the full row into {@code row} from {@code offset} (which must hold zeros there already). */
  void fill(float[] row, int offset) {
    System.arraycopy(dense, 0, row, offset, dense.length);
    for (int k : ones) {
      row[offset + k] = 1f;
    }
  }

  /** The full row. */
  float[] toArray() {
    if (ones.length == 0 && dense.length == width) {
      return dense;
    }
    float[] row = new float[width];
    fill(row, 0);
    return row;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SparseFeatures f && width == f.width && Arrays.equals(toArray(), f.toArray());
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(toArray());
  }
}
