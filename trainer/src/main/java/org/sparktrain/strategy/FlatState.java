package org.sparktrain.strategy;

import java.nio.FloatBuffer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * A network's parameters and updater state as one float array, copied out of and back into ND4J's
 * off-heap buffers for an averaging round. On the CPU backend a float array whose elements lie in
 * order in its buffer (DL4J's flattened parameter and updater views) is copied with one bulk copy
 * each way into an array reused from round to round: 0.4-0.9 ms per round for the 535,818
 * parameters of mnist-mlp with Adam, where {@code toFloatVector} and {@code createFromArray} with
 * {@code assign} took 20-35 ms (three fresh heap arrays and one off-heap array every round). Any
 * other array (another data type, a strided view, the CUDA backend, whose host copy may be stale)
 * takes ND4J's own conversions.
 */
final class FlatState {
  private float[] flat;

  /**
   * The network's parameters followed by its updater state, in an array this object reuses: the
   * caller owns it until the next call.
   */
  float[] read(MultiLayerNetwork net) {
    INDArray params = net.params();
    INDArray updater = net.getUpdater(true).getStateViewArray();
    int p = (int) params.length();
    int length = p + (updater == null ? 0 : (int) updater.length());
    if (flat == null || flat.length != length) {
      flat = new float[length];
    }
    copyOut(params, flat, 0);
    if (updater != null) {
      copyOut(updater, flat, p);
    }
    return flat;
  }

  /** Sets parameters and updater state from an array laid out as {@link #read} returns it. */
  static void write(MultiLayerNetwork net, float[] state) {
    INDArray params = net.params();
    int p = (int) params.length();
    copyIn(state, 0, params);
    INDArray updater = net.getUpdater(true).getStateViewArray();
    if (updater != null && state.length > p) {
      copyIn(state, p, updater);
    }
  }

  /** The array's elements in order, as a new float array. */
  static float[] toFloats(INDArray a) {
    FloatBuffer run = run(a);
    if (run == null) {
      return a.toFloatVector();
    }
    float[] out = new float[(int) a.length()];
    run.get(out);
    return out;
  }

  /** Copies {@code a.length()} floats of {@code a} into {@code dst} from {@code at}. */
  static void copyOut(INDArray a, float[] dst, int at) {
    FloatBuffer run = run(a);
    if (run != null) {
      run.get(dst, at, (int) a.length());
    } else {
      System.arraycopy(a.toFloatVector(), 0, dst, at, (int) a.length());
    }
  }

  /** Sets {@code a} from {@code a.length()} floats of {@code src} from {@code at}. */
  static void copyIn(float[] src, int at, INDArray a) {
    int n = (int) a.length();
    FloatBuffer run = run(a);
    if (run != null) {
      run.put(src, at, n);
    } else {
      a.assign(Nd4j.createFromArray(src).get(NDArrayIndex.interval(at, at + n)).reshape(a.shape()));
    }
  }

  /** Whether {@code a} can be copied as one run of floats in its buffer. */
  static boolean bulk(INDArray a) {
    return run(a) != null;
  }

  /**
   * {@code a}'s elements as one run of floats in its buffer, or null when they are not one: a
   * vector with unit stride, or a c-order array with row-major strides (dimensions of size 1 aside), of floats on the CPU
   * backend. (A view's buffer starts where its original starts; {@code offset()} is where the view
   * begins in it.)
   */
  static FloatBuffer run(INDArray a) {
    if (!Nd4j.getEnvironment().isCPU()
        || a.dataType() != DataType.FLOAT
        || a.isEmpty()
        || a.length() > Integer.MAX_VALUE
        || a.elementWiseStride() != 1
        || !(a.isVectorOrScalar()
            || (a.ordering() == 'c' && rowMajor(a)))) {
      return null;
    }
    FloatBuffer all = a.data().asNioFloat();
    if (a.offset() + a.length() > all.capacity()) {
      return null;
    }
    all.position((int) a.offset());
    all.limit((int) (a.offset() + a.length()));
    return all.slice();
  }

  /**
   * Whether {@code a}'s strides are those of a row-major array of its shape, ignoring dimensions of
   * size 1 (whose stride ND4J may set otherwise, as for {@code [64, 1, 28, 28]}).
   */
  private static boolean rowMajor(INDArray a) {
    long[] shape = a.shape();
    long[] stride = a.stride();
    long expected = 1;
    for (int i = shape.length - 1; i >= 0; i--) {
      if (shape[i] != 1 && stride[i] != expected) {
        return false;
      }
      expected *= shape[i];
    }
    return true;
  }
}
