package org.sparktrain.eval;

import java.nio.FloatBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A matrix's rows as Java arrays, for the per-example work of evaluation and prediction. ND4J's
 * {@code toFloatMatrix} takes each row as a view: a new array, its shape information and a
 * registration with ND4J's deallocator per row, which the garbage collector then copies once
 * (evaluating mnist-mlp's 6,100 validation examples made tens of thousands, copied during the next
 * epoch's training). A float matrix whose elements lie in row-major or column-major order in its
 * buffer on the CPU backend is read with one bulk copy instead; any other array takes ND4J's
 * conversion.
 */
public final class ArrayRows {
  private ArrayRows() {}

  /** {@code a}'s rows (a 2-D array), as {@code toFloatMatrix} returns them. */
  public static float[][] of(INDArray a) {
    FloatBuffer all = bulk(a);
    if (all == null) {
      return a.toFloatMatrix();
    }
    int rows = (int) a.size(0);
    int cols = (int) a.size(1);
    float[] flat = new float[rows * cols];
    all.get(flat);
    if (rowMajor(a)) {
      return rows(flat, rows, cols);
    }
    float[][] out = new float[rows][cols];
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        out[r][c] = flat[c * rows + r];
      }
    }
    return out;
  }

  /** {@code a}'s elements (a 2-D array) in row-major order, with one bulk copy where its layout allows. */
  public static float[] flat(INDArray a) {
    FloatBuffer all = bulk(a);
    if (all == null || !rowMajor(a)) {
      float[][] rows = of(a);
      int cols = (int) a.size(1);
      float[] flat = new float[rows.length * cols];
      for (int r = 0; r < rows.length; r++) {
        System.arraycopy(rows[r], 0, flat, r * cols, cols);
      }
      return flat;
    }
    float[] flat = new float[(int) a.length()];
    all.get(flat);
    return flat;
  }

  /** The rows of a row-major {@code rows x cols} matrix in {@code flat}. */
  public static float[][] rows(float[] flat, int rows, int cols) {
    float[][] out = new float[rows][cols];
    for (int r = 0; r < rows; r++) {
      System.arraycopy(flat, r * cols, out[r], 0, cols);
    }
    return out;
  }

  /**
   * {@code a}'s buffer positioned where its elements begin, when they lie in row-major or
   * column-major order there (float, CPU backend); else null.
   */
  private static FloatBuffer bulk(INDArray a) {
    if (a.rank() != 2 || a.dataType() != DataType.FLOAT || !Nd4j.getEnvironment().isCPU() || a.isEmpty()
        || a.length() > Integer.MAX_VALUE) {
      return null;
    }
    int rows = (int) a.size(0);
    int cols = (int) a.size(1);
    boolean colMajor = (rows == 1 || a.stride(0) == 1) && (cols == 1 || a.stride(1) == rows);
    FloatBuffer all = a.data().asNioFloat();
    if (!(rowMajor(a) || colMajor) || a.offset() + a.length() > all.capacity()) {
      return null;
    }
    all.position((int) a.offset());
    return all;
  }

  private static boolean rowMajor(INDArray a) {
    long rows = a.size(0);
    long cols = a.size(1);
    return (rows == 1 || a.stride(0) == cols) && (cols == 1 || a.stride(1) == 1);
  }
}
