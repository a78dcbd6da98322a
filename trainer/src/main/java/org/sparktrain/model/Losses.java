package org.sparktrain.model;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.layers.BaseOutputLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.lossfunctions.ILossFunction;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;
import org.nd4j.linalg.lossfunctions.LossUtil;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.sparktrain.spec.JobSpec.LayerSpec;

/**
 * Output layers by loss name, including losses "from logits": the output layer is linear and the
 * loss applies the sigmoid or softmax inside, in a form that cannot overflow. DL4J's own
 * cross-entropies take probabilities, so those two are implemented here; they serialize in the
 * model file by class name like DL4J's losses.
 */
public final class Losses {
  private Losses() {}

  /** A loss that takes probabilities (not logits) by name, for output layers built elsewhere. */
  static LossFunction lossFunction(String name) {
    return switch (name) {
      case "binary_crossentropy" -> LossFunction.XENT;
      case "categorical_crossentropy", "sparse_categorical_crossentropy" -> LossFunction.MCXENT;
      case "mse" -> LossFunction.MSE;
      case "mae" -> LossFunction.MEAN_ABSOLUTE_ERROR;
      default -> throw new IllegalArgumentException("unknown loss " + name);
    };
  }

  static OutputLayer outputLayer(LayerSpec layer, IActivation activation) {
    OutputLayer.Builder b = new OutputLayer.Builder().name(layer.name()).nOut(layer.units());
    switch (layer.loss()) {
      case "binary_crossentropy" -> b.lossFunction(LossFunction.XENT).activation(activation);
      case "categorical_crossentropy", "sparse_categorical_crossentropy" ->
          b.lossFunction(LossFunction.MCXENT).activation(activation);
      case "binary_crossentropy_from_logits" -> b.lossFunction(new SigmoidXentFromLogits()).activation(new ActivationIdentity());
      case "categorical_crossentropy_from_logits" -> b.lossFunction(new SoftmaxXentFromLogits()).activation(new ActivationIdentity());
      case "mse" -> b.lossFunction(LossFunction.MSE).activation(activation);
      case "mae" -> b.lossFunction(LossFunction.MEAN_ABSOLUTE_ERROR).activation(activation);
      default -> throw new IllegalArgumentException("unknown loss " + layer.loss());
    }
    return b.build();
  }

  /**
   * The network's outputs as probabilities: a from-logits output layer gives logits, which are put
   * through the sigmoid or softmax its loss applies; other outputs are returned unchanged.
   */
  public static INDArray probabilities(MultiLayerNetwork net, INDArray out) {
    Layer output = net.getOutputLayer();
    if (output.conf().getLayer() instanceof BaseOutputLayer o) {
      if (o.getLossFn() instanceof SigmoidXentFromLogits) {
        return Transforms.sigmoid(out, true);
      }
      if (o.getLossFn() instanceof SoftmaxXentFromLogits) {
        return softmax(out);
      }
    }
    return out;
  }

  static INDArray softmax(INDArray z) {
    INDArray shifted = z.subColumnVector(z.max(1).reshape(z.size(0), 1));
    INDArray e = Transforms.exp(shifted, false);
    return e.diviColumnVector(e.sum(1).reshape(z.size(0), 1));
  }

  private static void mask(INDArray perOutput, INDArray mask) {
    if (mask != null) {
      LossUtil.applyMask(perOutput, mask);
    }
  }

  /** Shared plumbing: per-output scores and gradients with respect to the logits. */
  abstract static class FromLogits implements ILossFunction {
    private static final long serialVersionUID = 1L;

    abstract INDArray scores(INDArray labels, INDArray logits);

    abstract INDArray gradient(INDArray labels, INDArray logits);

    @Override
    public INDArray computeScoreArray(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
      INDArray logits = activationFn.getActivation(preOutput.dup(), true);
      INDArray s = scores(labels.castTo(logits.dataType()), logits);
      mask(s, mask);
      return s.sum(true, 1);
    }

    @Override
    public double computeScore(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask, boolean average) {
      double sum = computeScoreArray(labels, preOutput, activationFn, mask).sumNumber().doubleValue();
      return average ? sum / preOutput.size(0) : sum;
    }

    @Override
    public INDArray computeGradient(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
      INDArray logits = activationFn.getActivation(preOutput.dup(), true);
      INDArray g = gradient(labels.castTo(logits.dataType()), logits);
      INDArray back = activationFn.backprop(preOutput.dup(), g).getFirst();
      mask(back, mask);
      return back;
    }

    @Override
    public Pair<Double, INDArray> computeGradientAndScore(
        INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask, boolean average) {
      return new Pair<>(
          computeScore(labels, preOutput, activationFn, mask, average),
          computeGradient(labels, preOutput, activationFn, mask));
    }

    @Override
    public boolean equals(Object o) {
      return o != null && o.getClass() == getClass();
    }

    @Override
    public int hashCode() {
      return getClass().hashCode();
    }

    @Override
    public String toString() {
      return name() + "()";
    }
  }

  /** Sigmoid cross-entropy per output: max(z, 0) - z y + log(1 + exp(-|z|)); gradient sigmoid(z) - y. */
  public static final class SigmoidXentFromLogits extends FromLogits {
    private static final long serialVersionUID = 1L;

    @Override
    INDArray scores(INDArray y, INDArray z) {
      INDArray softplus = Transforms.log(Transforms.exp(Transforms.abs(z, true).negi(), false).addi(1.0), false);
      return Transforms.max(z, 0.0, true).subi(z.mul(y)).addi(softplus);
    }

    @Override
    INDArray gradient(INDArray y, INDArray z) {
      return Transforms.sigmoid(z, true).subi(y);
    }

    @Override
    public String name() {
      return "SigmoidXentFromLogits";
    }
  }

  /** Softmax cross-entropy: sum(y) logsumexp(z) - sum(y z); gradient softmax(z) sum(y) - y. */
  public static final class SoftmaxXentFromLogits extends FromLogits {
    private static final long serialVersionUID = 1L;

    @Override
    INDArray scores(INDArray y, INDArray z) {
      long n = z.size(0);
      INDArray max = z.max(1).reshape(n, 1);
      INDArray lse = Transforms.log(Transforms.exp(z.subColumnVector(max), false).sum(1).reshape(n, 1), false).addi(max);
      // Per output: y_i (lse - z_i); summed over outputs this is the cross-entropy.
      return y.mul(z.rsubColumnVector(lse));
    }

    @Override
    INDArray gradient(INDArray y, INDArray z) {
      long n = z.size(0);
      return softmax(z).muliColumnVector(y.sum(1).reshape(n, 1)).subi(y);
    }

    @Override
    public String name() {
      return "SoftmaxXentFromLogits";
    }
  }
}
