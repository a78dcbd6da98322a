package org.sparktrain.strategy;

import java.nio.FloatBuffer;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.BaseOutputLayer;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.impl.LossMCXENT;

/**
 * DL4J's categorical cross-entropy after a softmax output, its score and gradient computed in one
 * Java pass over the minibatch's outputs, for the synchronous strategy's workers. libnd4j's softmax
 * op costs far more than its arithmetic on a few outputs per example: on mnist-mlp (64 x 10 outputs,
 * one thread) the two softmax ops DL4J runs per minibatch (one for the gradient, one for the score)
 * took 11% of a worker's minibatch, and clipping, logarithm, product and sum as many ops again.
 *
 * <p>The same formulas as {@link LossMCXENT}: the gradient {@code softmax(z) - y}; the score {@code
 * -sum(y log(clip(softmax(z))))} with DL4J's clipping to {@code [eps, 1 - eps]}. The softmax
 * subtracts each row's maximum, as libnd4j's does; its exponential rounds once from double, so a
 * probability may differ from libnd4j's in the last bit. Class weights, masks, other activations,
 * and arrays the bulk copy cannot reach (double precision, views) take DL4J's ops.
 */
final class WorkerSoftmaxLoss extends LossMCXENT {
  private static final long serialVersionUID = 1L;

  /** Gradients and scores computed here rather than by DL4J's ops (counts, for tests). */
  private transient long gradients;

  private transient long scores;

  WorkerSoftmaxLoss(LossMCXENT from) {
    super(from.getSoftmaxClipEps(), from.getWeights());
  }

  /**
   * Switches the loss of every output layer of {@code conf} that is exactly DL4J's {@link LossMCXENT}
   * to this one, in place. Returns {@code conf}.
   */
  static MultiLayerConfiguration install(MultiLayerConfiguration conf) {
    for (NeuralNetConfiguration c : conf.getConfs()) {
      if (c.getLayer() instanceof BaseOutputLayer out && out.getLossFn() != null
          && out.getLossFn().getClass() == LossMCXENT.class) {
        out.setLossFn(new WorkerSoftmaxLoss((LossMCXENT) out.getLossFn()));
      }
    }
    return conf;
  }

  @Override
  public INDArray computeGradient(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
    FloatBuffer[] in = runs(labels, preOutput, activationFn, mask);
    if (in == null) {
      return super.computeGradient(labels, preOutput, activationFn, mask);
    }
    int rows = (int) preOutput.size(0);
    int cols = (int) preOutput.size(1);
    float[] z = new float[rows * cols];
    float[] y = new float[rows * cols];
    in[1].get(z);
    in[0].get(y);
    softmax(z, rows, cols);
    for (int i = 0; i < z.length; i++) {
      z[i] -= y[i];
    }
    INDArray grad = Nd4j.createUninitialized(preOutput.dataType(), preOutput.shape(), 'c');
    FloatBuffer out = FlatState.run(grad);
    if (out == null) {
      return super.computeGradient(labels, preOutput, activationFn, mask);
    }
    out.put(z);
    gradients++;
    return grad;
  }

  @Override
  public double computeScore(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask, boolean average) {
    FloatBuffer[] in = runs(labels, preOutput, activationFn, mask);
    if (in == null) {
      return super.computeScore(labels, preOutput, activationFn, mask, average);
    }
    int rows = (int) preOutput.size(0);
    int cols = (int) preOutput.size(1);
    float[] z = new float[rows * cols];
    float[] y = new float[rows * cols];
    in[1].get(z);
    in[0].get(y);
    softmax(z, rows, cols);
    double sum = crossEntropy(z, y, z.length, (float) getSoftmaxClipEps());
    scores++;
    return average ? sum / rows : sum;
  }

  /**
   * {@code -sum(y log(clip(p)))} over the first {@code n} probabilities {@code p} and labels {@code
   * y}, clipped to {@code [eps, 1 - eps]} as DL4J clips them (none for {@code eps <= 0}).
   */
  static double crossEntropy(float[] p, float[] y, int n, float eps) {
    double sum = 0;
    for (int i = 0; i < n; i++) {
      if (y[i] != 0) {
        float clipped = eps > 0 ? Math.min(Math.max(p[i], eps), 1 - eps) : p[i];
        sum -= (float) Math.log(clipped) * y[i];
      }
    }
    return sum;
  }

  /**
   * The labels' and outputs' floats, or null where DL4J's computation must run: another activation,
   * class weights, a mask, or arrays that are not plain float matrices of the same shape.
   */
  private FloatBuffer[] runs(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
    if (activationFn == null || activationFn.getClass() != ActivationSoftmax.class || mask != null
        || getWeights() != null || preOutput.rank() != 2 || !labels.equalShapes(preOutput)
        || labels.dataType() != preOutput.dataType() || preOutput.length() > Integer.MAX_VALUE / 2) {
      return null;
    }
    FloatBuffer y = FlatState.run(labels);
    FloatBuffer z = FlatState.run(preOutput);
    return y == null || z == null ? null : new FloatBuffer[] {y, z};
  }

  /** Each row of the row-major {@code rows x cols} matrix {@code z} replaced by its softmax. */
  static void softmax(float[] z, int rows, int cols) {
    for (int r = 0; r < rows; r++) {
      int from = r * cols;
      int to = from + cols;
      float max = Float.NEGATIVE_INFINITY;
      for (int i = from; i < to; i++) {
        max = Math.max(max, z[i]);
      }
      float sum = 0;
      for (int i = from; i < to; i++) {
        float e = (float) Math.exp(z[i] - max);
        z[i] = e;
        sum += e;
      }
      for (int i = from; i < to; i++) {
        z[i] /= sum;
      }
    }
  }

  long gradients() {
    return gradients;
  }

  long scores() {
    return scores;
  }
}
