package org.sparktrain.strategy;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Collection;
import java.util.Map;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.LayerValidation;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

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
 * <p>Only the workers' own networks switch ({@link #install}); the driver's network and saved models
 * keep DL4J's class. A copy is used only by the backward pass right after the forward pass that made
 * it, for the same input array; anything else (inference, layer normalization) computes as DL4J does.
 */
final class WorkerDenseLayer extends DenseLayer {
  private static final long serialVersionUID = 1L;

  /** A copy of {@code from}: every field DL4J's configuration classes declare. */
  WorkerDenseLayer(DenseLayer from) {
    for (Class<?> c = DenseLayer.class; c != Object.class; c = c.getSuperclass()) {
      for (Field f : c.getDeclaredFields()) {
        if (Modifier.isStatic(f.getModifiers())) {
          continue;
        }
        try {
          f.setAccessible(true);
          f.set(this, f.get(from));
        } catch (IllegalAccessException | RuntimeException e) {
          throw new IllegalStateException("cannot copy DL4J's dense layer configuration field " + f, e);
        }
      }
    }
  }

  /** Switches every layer of {@code conf} that is exactly DL4J's dense layer to this one, in place. */
  static MultiLayerConfiguration install(MultiLayerConfiguration conf) {
    for (NeuralNetConfiguration c : conf.getConfs()) {
      if (c.getLayer() != null && c.getLayer().getClass() == DenseLayer.class) {
        c.setLayer(new WorkerDenseLayer((DenseLayer) c.getLayer()));
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
    Impl ret = new Impl(conf, networkDataType);
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
    return new WorkerDenseLayer(this);
  }

  /** The layer itself. */
  static final class Impl extends org.deeplearning4j.nn.layers.feedforward.dense.DenseLayer {
    private static final long serialVersionUID = 1L;

    /** z from the last training forward pass, for the input it was computed from; or null. */
    private INDArray keptZ;

    private INDArray keptFor;

    /** Backward passes that took the forward pass's copy. */
    private long reused;

    Impl(NeuralNetConfiguration conf, DataType dataType) {
      super(conf, dataType);
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
  }
}
