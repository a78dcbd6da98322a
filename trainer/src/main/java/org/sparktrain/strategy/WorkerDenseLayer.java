package org.sparktrain.strategy;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Collection;
import java.util.Map;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.LayerValidation;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.params.DefaultParamInitializer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * DL4J's dense layer for the synchronous strategy's workers, keeping its pre-activation {@code z =
 * x W + b} from the forward pass for the backward pass. DL4J's {@code BaseLayer.backpropGradient}
 * computes {@code z} again (the forward pass applies the activation to it in place): one more matrix
 * product per layer and minibatch, 13% of a minibatch of mnist-mlp. Here the forward pass copies
 * {@code z} before the activation overwrites it (into the activations workspace, which stays open
 * through the backward pass of the same {@code fit}) and the backward pass takes that copy: the same
 * array DL4J would compute again (same input, dropout already applied, same weights), so training is
 * bit for bit DL4J's.
 *
 * <p>The network's first layer (without an input preprocessor) also skips the gradient with respect
 * to its input: {@code fit} drops it (DL4J computes and discards it), and it is a matrix product as
 * large as the forward one, 25% of a minibatch's multiply-adds in mnist-mlp.
 *
 * <p>Only the workers' own networks switch ({@link #install}); the driver's network and saved models
 * keep DL4J's class. A copy is used only by the backward pass right after the forward pass that made
 * it, for the same input array; anything else (inference, layer normalization) computes as DL4J does.
 * Worker networks are only trained with {@code fit}, never asked for the input's gradient.
 */
final class WorkerDenseLayer extends DenseLayer {
  private static final long serialVersionUID = 1L;

  /** Whether nothing reads the gradient with respect to this layer's input (the first layer). */
  private transient boolean inputGradientUnused;

  /** A copy of {@code from}: every field DL4J's configuration classes declare. */
  WorkerDenseLayer(DenseLayer from) {
    copyFields(DenseLayer.class, from, this);
  }

  /** Copies every instance field that {@code type} and its superclasses declare from {@code from} to {@code to}. */
  static <T> void copyFields(Class<T> type, T from, T to) {
    for (Class<?> c = type; c != Object.class; c = c.getSuperclass()) {
      for (Field f : c.getDeclaredFields()) {
        if (Modifier.isStatic(f.getModifiers())) {
          continue;
        }
        try {
          f.setAccessible(true);
          f.set(to, f.get(from));
        } catch (IllegalAccessException | RuntimeException e) {
          throw new IllegalStateException("cannot copy DL4J's layer configuration field " + f, e);
        }
      }
    }
  }

  /**
   * Switches every layer of {@code conf} that is exactly DL4J's dense layer to this one, in place; the
   * first layer, if it is one and has no input preprocessor (which would be handed the gradient), skips
   * the gradient with respect to the network's input.
   */
  static MultiLayerConfiguration install(MultiLayerConfiguration conf) {
    return install(conf, true);
  }

  /** As {@link #install(MultiLayerConfiguration)}; without skipping the input's gradient if not {@code skip}. */
  static MultiLayerConfiguration install(MultiLayerConfiguration conf, boolean skip) {
    for (int i = 0; i < conf.getConfs().size(); i++) {
      NeuralNetConfiguration c = conf.getConf(i);
      if (c.getLayer() != null && c.getLayer().getClass() == DenseLayer.class) {
        WorkerDenseLayer layer = new WorkerDenseLayer((DenseLayer) c.getLayer());
        layer.inputGradientUnused = skip && i == 0 && conf.getInputPreProcess(0) == null;
        c.setLayer(layer);
      }
    }
    return conf;
  }

  /** As DL4J's {@code DenseLayer.instantiate}, with the implementation below. */
  @Override
  public org.deeplearning4j.nn.api.Layer instantiate(
      NeuralNetConfiguration conf,
      Collection<TrainingListener> trainingListeners,
      int layerIndex,
      INDArray layerParamsView,
      boolean initializeParams,
      DataType networkDataType) {
    LayerValidation.assertNInNOutSet("DenseLayer", getLayerName(), layerIndex, getNIn(), getNOut());
    Impl ret = new Impl(conf, networkDataType, inputGradientUnused);
    ret.setListeners(trainingListeners);
    ret.setIndex(layerIndex);
    ret.setParamsViewArray(layerParamsView);
    Map<String, INDArray> paramTable = initializer().init(conf, layerParamsView, initializeParams);
    ret.setParamTable(paramTable);
    ret.setConf(conf);
    return ret;
  }

  @Override
  public WorkerDenseLayer clone() {
    WorkerDenseLayer copy = new WorkerDenseLayer(this);
    copy.inputGradientUnused = inputGradientUnused;
    return copy;
  }

  /** The layer itself. */
  static final class Impl extends org.deeplearning4j.nn.layers.feedforward.dense.DenseLayer {
    private static final long serialVersionUID = 1L;

    /** z from the last training forward pass, for the input it was computed from; or null. */
    private INDArray keptZ;

    private INDArray keptFor;

    /** Backward passes that took the forward pass's copy. */
    private long reused;

    private final boolean inputGradientUnused;

    /** Backward passes that left out the gradient with respect to the input. */
    private long inputGradientsSkipped;

    Impl(NeuralNetConfiguration conf, DataType dataType, boolean inputGradientUnused) {
      super(conf, dataType);
      this.inputGradientUnused = inputGradientUnused;
    }

    /**
     * As DL4J's {@code BaseLayer.backpropGradient}, without the gradient with respect to the input
     * (returned as null, which {@code fit} drops anyway) when nothing reads it: the same weight and
     * bias gradients, in the same order.
     */
    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr mgr) {
      if (!inputGradientUnused || hasLayerNorm()) {
        return super.backpropGradient(epsilon, mgr);
      }
      assertInputSet(true);
      INDArray z = preOutputWithPreNorm(true, true, mgr).getFirst();
      INDArray delta = layerConf().getActivationFn().backprop(z, epsilon).getFirst();
      if (maskArray != null) {
        applyMask(delta);
      }
      Gradient ret = new DefaultGradient();
      if (hasBias()) {
        INDArray biasGrad = gradientViews.get(DefaultParamInitializer.BIAS_KEY);
        delta.sum(biasGrad, 0);
        ret.gradientForVariable().put(DefaultParamInitializer.BIAS_KEY, biasGrad);
      }
      INDArray weightGrad = gradientViews.get(DefaultParamInitializer.WEIGHT_KEY);
      Nd4j.gemm(input.castTo(weightGrad.dataType()), delta, weightGrad, true, false, 1.0, 0.0);
      ret.gradientForVariable().put(DefaultParamInitializer.WEIGHT_KEY, weightGrad);
      weightNoiseParams.clear();
      inputGradientsSkipped++;
      return new Pair<>(ret, null);
    }

    @Override
    protected Pair<INDArray, INDArray> preOutputWithPreNorm(boolean training, boolean forBackprop, LayerWorkspaceMgr mgr) {
      INDArray z = keptZ;
      INDArray zFor = keptFor;
      keptZ = null;
      keptFor = null;
      if (forBackprop && training && z != null && zFor == input && !hasLayerNorm()) {
        reused++;
        return new Pair<>(z, z);
      }
      Pair<INDArray, INDArray> out = super.preOutputWithPreNorm(training, forBackprop, mgr);
      if (training && !forBackprop && !hasLayerNorm()) {
        keptZ = mgr.dup(ArrayType.ACTIVATIONS, out.getFirst());
        keptFor = input;
      }
      return out;
    }

    /** Backward passes that took the forward pass's copy of z instead of computing it again. */
    long reused() {
      return reused;
    }

    /** Backward passes that left out the gradient with respect to the input. */
    long inputGradientsSkipped() {
      return inputGradientsSkipped;
    }
  }
}
