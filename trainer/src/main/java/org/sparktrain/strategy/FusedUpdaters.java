package org.sparktrain.strategy;

import java.nio.FloatBuffer;
import java.util.Map;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.recurrent.Bidirectional;
import org.deeplearning4j.nn.conf.layers.wrapper.BaseWrapperLayer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.AdamUpdater;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.RmsPropUpdater;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.RmsProp;

/**
 * DL4J's Adam and RMSProp, computed in one Java loop each instead of libnd4j's {@code adam_updater}
 * and {@code rms_prop_updater} ops, for the networks the synchronous strategy's workers fit. Same
 * configuration, same state layout in the updater's state view, same formula in the same float
 * operations; only the loop differs. libnd4j's loops are not vectorized (a square root and a
 * division per element): on mnist-mlp (535,818 parameters, one thread) its Adam took 1.2-1.3 ms of
 * a 7.5 ms minibatch and its RMSProp 1.2 ms, where these take about 0.37 ms, copies included (the
 * JIT vectorizes loops over heap arrays; the off-heap arrays pass through them in cache-sized
 * chunks by bulk copies). Momentum (Nesterov, 0.44 ms) and SGD have no such cost and stay DL4J's.
 *
 * <p>Only the workers' own networks, built from the configuration JSON in the executor, are
 * switched over ({@link #install}); the driver's network, checkpoints and saved models keep DL4J's
 * classes, so they load in DL4J without this one. Arrays the bulk copy cannot reach (double
 * precision, strided views, the CUDA backend) take DL4J's op.
 */
final class FusedUpdaters {
  /** Floats per array per chunk: three chunks stay in a core's L2 cache. */
  private static final int CHUNK = 8192;

  private FusedUpdaters() {}

  /**
   * Switches every layer of {@code conf} whose updater is exactly DL4J's {@link Adam} or {@link
   * RmsProp} (weights or biases; also inside wrapper and bidirectional layers) to the fused one, in
   * place, before a network is built from it. Other updaters stay as they are. Returns {@code conf}.
   */
  static MultiLayerConfiguration install(MultiLayerConfiguration conf) {
    for (NeuralNetConfiguration c : conf.getConfs()) {
      install(c.getLayer());
    }
    return conf;
  }

  private static void install(Layer layer) {
    if (layer instanceof BaseLayer base) {
      base.setIUpdater(fused(base.getIUpdater()));
      base.setBiasUpdater(fused(base.getBiasUpdater()));
    } else if (layer instanceof BaseWrapperLayer wrapper) {
      install(wrapper.getUnderlying());
    } else if (layer instanceof Bidirectional bidirectional) {
      install(bidirectional.getFwd());
      install(bidirectional.getBwd());
    }
  }

  private static IUpdater fused(IUpdater u) {
    if (u != null && u.getClass() == Adam.class) {
      return new FusedAdam((Adam) u);
    }
    if (u != null && u.getClass() == RmsProp.class) {
      return new FusedRmsProp((RmsProp) u);
    }
    return u;
  }

  /** The arrays' elements as runs of floats of one length, or null when any is not one. */
  private static FloatBuffer[] runs(INDArray... arrays) {
    FloatBuffer[] out = new FloatBuffer[arrays.length];
    for (int i = 0; i < arrays.length; i++) {
      out[i] = arrays[i] == null ? null : FlatState.run(arrays[i]);
      if (out[i] == null || out[i].remaining() != out[0].remaining()) {
        return null;
      }
    }
    return out;
  }

  /** DL4J's Adam; its workers' updater computes the step here where the arrays allow it. */
  static final class FusedAdam extends Adam {
    private static final long serialVersionUID = 1L;

    FusedAdam(Adam from) {
      setLrAndSchedule(from.getLearningRate(), from.getLearningRateSchedule());
      setBeta1(from.getBeta1());
      setBeta2(from.getBeta2());
      setEpsilon(from.getEpsilon());
    }

    @Override
    public GradientUpdater instantiate(INDArray viewArray, boolean initializeViewArray) {
      Updater u = new Updater(this);
      long[] gradientShape = viewArray.shape().clone(); // a row vector: [1, 2 n] holds m and v for [1, n]
      gradientShape[1] /= 2;
      u.setStateViewArray(viewArray, gradientShape, viewArray.ordering(), initializeViewArray);
      return u;
    }

    @Override
    public GradientUpdater instantiate(Map<String, INDArray> arrays, boolean initializeStateArrays) {
      Updater u = new Updater(this);
      u.setState(arrays, initializeStateArrays);
      return u;
    }

    @Override
    public FusedAdam clone() {
      return new FusedAdam(this);
    }

    static final class Updater extends AdamUpdater {
      private final float[] g = new float[CHUNK];
      private final float[] m = new float[CHUNK];
      private final float[] v = new float[CHUNK];

      Updater(Adam config) {
        super(config);
      }

      @Override
      public void applyUpdater(INDArray gradient, int iteration, int epoch) {
        FloatBuffer[] r = runs(gradient, getM(), getV());
        if (r == null) {
          super.applyUpdater(gradient, iteration, epoch);
          return;
        }
        Adam c = getConfig();
        update(r[0], r[1], r[2], c.getLearningRate(iteration, epoch), c.getBeta1(), c.getBeta2(), c.getEpsilon(), iteration);
      }

      /**
       * libnd4j's float Adam step, operation for operation: m = b1 m + g (1 - b1), v = b2 v + g g
       * (1 - b2), g = m epsT / (sqrt(v) + eps), with epsT = lr sqrt(1 - b2^t) / (1 - b1^t), t =
       * iteration + 1 (eps where epsT is not finite or zero).
       */
      private void update(FloatBuffer gb, FloatBuffer mb, FloatBuffer vb, double lr, double beta1, double beta2, double epsilon, int iteration) {
        float b1 = (float) beta1;
        float b2 = (float) beta2;
        float eps = (float) epsilon;
        float t = (float) iteration + 1;
        float b1t = (float) Math.pow(b1, t);
        float b2t = (float) Math.pow(b2, t);
        float epsT = (float) ((float) lr * (float) Math.sqrt((float) (1.0 - b2t)) / (1.0 - b1t));
        if (Float.isNaN(epsT) || epsT == 0 || Float.isInfinite(epsT)) {
          epsT = eps;
        }
        float c1 = 1 - b1;
        float c2 = 1 - b2;
        int n = gb.remaining();
        for (int at = 0; at < n; at += CHUNK) {
          int len = Math.min(CHUNK, n - at);
          gb.get(at, g, 0, len);
          mb.get(at, m, 0, len);
          vb.get(at, v, 0, len);
          for (int i = 0; i < len; i++) {
            float gi = g[i];
            float mi = b1 * m[i] + gi * c1;
            float vi = b2 * v[i] + gi * gi * c2;
            m[i] = mi;
            v[i] = vi;
            g[i] = (mi * epsT) / ((float) Math.sqrt(vi) + eps);
          }
          gb.put(at, g, 0, len);
          mb.put(at, m, 0, len);
          vb.put(at, v, 0, len);
        }
      }
    }
  }

  /** DL4J's RMSProp; its workers' updater computes the step here where the arrays allow it. */
  static final class FusedRmsProp extends RmsProp {
    private static final long serialVersionUID = 1L;

    FusedRmsProp(RmsProp from) {
      setLrAndSchedule(from.getLearningRate(), from.getLearningRateSchedule());
      setRmsDecay(from.getRmsDecay());
      setEpsilon(from.getEpsilon());
    }

    @Override
    public GradientUpdater instantiate(INDArray viewArray, boolean initializeViewArray) {
      Updater u = new Updater(this);
      u.setStateViewArray(viewArray, viewArray.shape(), viewArray.ordering(), initializeViewArray);
      return u;
    }

    @Override
    public GradientUpdater instantiate(Map<String, INDArray> arrays, boolean initializeStateArrays) {
      Updater u = new Updater(this);
      u.setState(arrays, initializeStateArrays);
      return u;
    }

    @Override
    public FusedRmsProp clone() {
      return new FusedRmsProp(this);
    }

    static final class Updater extends RmsPropUpdater {
      private final float[] g = new float[CHUNK];
      private final float[] s = new float[CHUNK];

      Updater(RmsProp config) {
        super(config);
      }

      @Override
      public void applyUpdater(INDArray gradient, int iteration, int epoch) {
        FloatBuffer[] r = runs(gradient, getLastGradient());
        if (r == null) {
          super.applyUpdater(gradient, iteration, epoch);
          return;
        }
        RmsProp c = getConfig();
        update(r[0], r[1], c.getLearningRate(iteration, epoch), c.getRmsDecay(), c.getEpsilon());
      }

      /** libnd4j's float RMSProp step: s = s d + g g (1 - d), g = lr g / (sqrt(s) + eps). */
      private void update(FloatBuffer gb, FloatBuffer sb, double learningRate, double rmsDecay, double epsilon) {
        float lr = (float) learningRate;
        float d = (float) rmsDecay;
        float cd = 1 - d;
        float eps = (float) epsilon;
        int n = gb.remaining();
        for (int at = 0; at < n; at += CHUNK) {
          int len = Math.min(CHUNK, n - at);
          gb.get(at, g, 0, len);
          sb.get(at, s, 0, len);
          for (int i = 0; i < len; i++) {
            float gi = g[i];
            float si = s[i] * d + gi * gi * cd;
            s[i] = si;
            g[i] = (lr * gi) / ((float) Math.sqrt(si) + eps);
          }
          gb.put(at, g, 0, len);
          sb.put(at, s, 0, len);
        }
      }
    }
  }
}
