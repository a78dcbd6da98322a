package org.sparktrain.strategy;

import static org.bytedeco.openblas.global.openblas_nolapack.CblasColMajor;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasNoTrans;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasTrans;
import static org.bytedeco.openblas.global.openblas_nolapack.cblas_sgemm;

import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.deeplearning4j.nn.api.Updater;
import org.deeplearning4j.nn.conf.BackpropType;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.params.DefaultParamInitializer;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationLReLU;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.activations.impl.ActivationSigmoid;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.activations.impl.ActivationTanH;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.lossfunctions.ILossFunction;
import org.nd4j.linalg.lossfunctions.impl.LossBinaryXENT;
import org.nd4j.linalg.lossfunctions.impl.LossMCXENT;
import org.nd4j.linalg.lossfunctions.impl.LossMSE;

/**
 * One training step of a plain dense network for the synchronous strategy's workers, without
 * DL4J's per-layer arrays: the same forward pass, gradients, updater and step as {@code
 * MultiLayerNetwork.fit}, on buffers allocated once per minibatch size. DL4J's {@code fit} creates
 * about 90 ND4J arrays per minibatch of mnist-mlp even with the workers' own layers (each with its
 * shape information, a native op or two and a reference the garbage collector must trace and the
 * deallocator clear); here a minibatch is two or three matrix products per layer straight into
 * OpenBLAS (the library libnd4j calls), Java loops over the minibatch's activations for bias,
 * activation and loss, and DL4J's own updater (division by the minibatch size, gradient
 * normalization, regularization, the workers' fused Adam) and step on the network's flattened
 * gradient and parameter views. As in {@link WorkerDenseLayer}, the first layer's input gradient,
 * which {@code fit} drops, is not computed. The same forward pass serves evaluation ({@link
 * #forInference}: outputs and loss in Java arrays, where DL4J's {@code score} and {@code output}
 * create about 100 ND4J arrays per minibatch).
 *
 * <p>What it takes ({@link #of}): float parameters on the CPU backend; dense layers (DL4J's or
 * {@link WorkerDenseLayer}) with relu (plain), leaky relu, tanh, sigmoid or identity; a last {@link
 * OutputLayer} with softmax and categorical cross-entropy, sigmoid and binary cross-entropy, or
 * mean squared error after one of those activations, without class weights; no input
 * preprocessors, dropout, weight noise, constraints, layer normalization, listeners or truncated
 * backpropagation; DL4J's minibatch averaging on. Any other network trains with DL4J's {@code
 * fit}, and so does a minibatch this class does not take ({@link #fits}: masks, arrays that are
 * not float row-major matrices of the network's widths), on the same parameters and updater state.
 *
 * <p>Not bit for bit DL4J's: the products write row-major results directly (DL4J computes into a
 * column-major temporary and copies), exponentials round once from double, the bias gradient sums
 * rows in order; parameters after 40 minibatches agree with DL4J's to 1e-5 ({@code
 * DenseStackFitTest}).
 */
public final class DenseStackFit {
  private final MultiLayerNetwork net;
  private final int layers;
  /** Widths: {@code width[0]} the input's, {@code width[k + 1]} layer k's outputs. */
  private final int[] width;
  /** The most outputs of any layer: the per-row width of the heap scratch. */
  private final int widest;
  /** Where layer k's weights (column-major nIn x nOut) begin in the flattened parameters; its bias follows. */
  private final long[] offset;
  private final boolean[] bias;
  private final Kind[] kind;
  private final float[] leak;
  /** The output layer's loss, with its activation ({@code kind[layers - 1]}). */
  private final Loss loss;
  private final float clipEps;

  /**
   * Buffers for the last minibatch size: each layer's activations and deltas, [rows, width]
   * row-major (the arrays, which own the off-heap memory, and their floats as the products and loops
   * read them), and heap scratch.
   */
  private int rows = -1;
  private INDArray[] act;
  private INDArray[] delta;
  private FloatBuffer[] actRun;
  private FloatBuffer[] deltaRun;
  private float[] heapA = new float[0];
  private float[] heapB = new float[0];
  /** One float per output of the widest layer: a layer's bias, then its bias gradient. */
  private float[] perOutput = new float[0];

  /** The gradient DL4J's updater is handed, with the per-layer views its gradient normalization reads. */
  private INDArray gradientOf;
  private Gradient gradient;

  /** Minibatches fitted here (for tests). */
  private long fitted;

  private enum Kind { RELU, LEAKY, TANH, SIGMOID, IDENTITY }

  /**
   * The output layers taken: softmax with categorical cross-entropy, sigmoid with binary
   * cross-entropy, mean squared error after any activation of {@link Kind}.
   */
  private enum Loss { SOFTMAX_MCXENT, SIGMOID_XENT, MSE }

  private DenseStackFit(MultiLayerNetwork net, List<FeedForwardLayer> confs, Kind[] kind, float[] leak, Loss loss,
      float clipEps) {
    this.net = net;
    this.layers = confs.size();
    this.width = new int[layers + 1];
    this.offset = new long[layers];
    this.bias = new boolean[layers];
    this.kind = kind;
    this.leak = leak;
    this.loss = loss;
    this.clipEps = clipEps;
    width[0] = (int) confs.get(0).getNIn();
    long at = 0;
    int most = 0;
    for (int k = 0; k < layers; k++) {
      FeedForwardLayer c = confs.get(k);
      width[k + 1] = (int) c.getNOut();
      most = Math.max(most, width[k + 1]);
      offset[k] = at;
      bias[k] = hasBias(c);
      at += c.getNIn() * c.getNOut() + (bias[k] ? c.getNOut() : 0);
    }
    this.widest = most;
  }

  /** The step for {@code net} (initialized), or null when its configuration is not one this class takes. */
  static DenseStackFit of(MultiLayerNetwork net) {
    if (net.getGradientsViewArray() == null && net.params() != null) {
      net.initGradientsView(); // as DL4J's first backward pass does
    }
    if (net.getGradientsViewArray() == null || FlatState.run(net.getGradientsViewArray()) == null) {
      return null;
    }
    return take(net);
  }

  /**
   * The forward pass of {@code net} (initialized) for evaluation and prediction ({@link #output},
   * {@link #lossSum}), or null when its configuration is not one this class takes. The network's
   * parameters are read at each call; {@link #fit} is not to be called on it.
   */
  public static DenseStackFit forInference(MultiLayerNetwork net) {
    return take(net);
  }

  private static DenseStackFit take(MultiLayerNetwork net) {
    MultiLayerConfiguration conf = net.getLayerWiseConfigurations();
    if (!Nd4j.getEnvironment().isCPU() || conf.getDataType() != DataType.FLOAT
        || conf.getBackpropType() != BackpropType.Standard || !net.getListeners().isEmpty()
        || net.params() == null || FlatState.run(net.params()) == null) {
      return null;
    }
    int n = conf.getConfs().size();
    Kind[] kinds = new Kind[n];
    float[] leaks = new float[n];
    List<FeedForwardLayer> confs = new ArrayList<>();
    long widthIn = -1;
    long total = 0;
    float clip = 0;
    Loss loss = null;
    for (int k = 0; k < n; k++) {
      NeuralNetConfiguration c = conf.getConf(k);
      Layer layer = c.getLayer();
      boolean last = k == n - 1;
      if (conf.getInputPreProcess(k) != null || !c.isMiniBatch() || !plain(layer)) {
        return null;
      }
      FeedForwardLayer ff = (FeedForwardLayer) layer;
      if ((widthIn >= 0 && ff.getNIn() != widthIn) || ff.getNIn() * ff.getNOut() > Integer.MAX_VALUE) {
        return null;
      }
      widthIn = ff.getNOut();
      total += ff.getNIn() * ff.getNOut() + (hasBias(ff) ? ff.getNOut() : 0);
      if (last ? layer.getClass() != OutputLayer.class
          : layer.getClass() != DenseLayer.class && layer.getClass() != WorkerDenseLayer.class) {
        return null;
      }
      if (!last && ((DenseLayer) layer).hasLayerNorm()) {
        return null;
      }
      IActivation a = ff.getActivationFn();
      if (last && a.getClass() == ActivationSoftmax.class) {
        kinds[k] = null;
      } else if (a.getClass() == ActivationReLU.class) {
        ActivationReLU r = (ActivationReLU) a;
        if (r.getMax() != null || r.getThreshold() != null || r.getNegativeSlope() != null) {
          return null;
        }
        kinds[k] = Kind.RELU;
      } else if (a.getClass() == ActivationLReLU.class) {
        kinds[k] = Kind.LEAKY;
        leaks[k] = (float) ((ActivationLReLU) a).getAlpha();
      } else if (a.getClass() == ActivationTanH.class) {
        kinds[k] = Kind.TANH;
      } else if (a.getClass() == ActivationSigmoid.class) {
        kinds[k] = Kind.SIGMOID;
      } else if (a.getClass() == ActivationIdentity.class) {
        kinds[k] = Kind.IDENTITY;
      } else {
        return null;
      }
      if (last) {
        ILossFunction fn = ((OutputLayer) layer).getLossFn();
        if (fn != null && (fn.getClass() == LossMCXENT.class || fn.getClass() == WorkerSoftmaxLoss.class)
            && ((LossMCXENT) fn).getWeights() == null && kinds[k] == null) {
          loss = Loss.SOFTMAX_MCXENT;
          clip = (float) ((LossMCXENT) fn).getSoftmaxClipEps();
        } else if (fn != null && fn.getClass() == LossBinaryXENT.class && ((LossBinaryXENT) fn).getWeights() == null
            && kinds[k] == Kind.SIGMOID) {
          loss = Loss.SIGMOID_XENT;
          clip = (float) ((LossBinaryXENT) fn).getClipEps();
        } else if (fn != null && fn.getClass() == LossMSE.class && ((LossMSE) fn).getWeights() == null
            && kinds[k] != null) {
          loss = Loss.MSE;
        } else {
          return null;
        }
      }
      confs.add(ff);
    }
    if (n == 0 || total != net.numParams()) {
      return null;
    }
    return new DenseStackFit(net, confs, kinds, leaks, loss, clip);
  }

  /** A layer with nothing this class leaves out: dropout, weight noise, constraints. */
  private static boolean plain(Layer layer) {
    if (!(layer instanceof BaseLayer base) || !(layer instanceof FeedForwardLayer)) {
      return false;
    }
    return base.getIDropout() == null && base.getWeightNoise() == null
        && (base.getConstraints() == null || base.getConstraints().isEmpty());
  }

  private static boolean hasBias(FeedForwardLayer layer) {
    return layer instanceof DenseLayer d ? d.hasBias() : !(layer instanceof OutputLayer o) || o.hasBias();
  }

  /** Whether this class fits the minibatch: float row-major matrices of the network's widths, no masks. */
  public boolean fits(INDArray features, INDArray labels, INDArray featuresMask, INDArray labelsMask) {
    return featuresMask == null && labelsMask == null && takes(features) && labels != null
        && labels.rank() == 2 && labels.size(1) == width[layers] && features.size(0) == labels.size(0)
        && labels.dataType() == DataType.FLOAT && FlatState.run(labels) != null;
  }

  /** Whether {@link #output} takes these features: a float row-major matrix of the input's width. */
  public boolean takes(INDArray features) {
    return features != null && features.rank() == 2 && features.size(1) == width[0] && features.size(0) > 0
        && features.size(0) * Math.max(width[0], widest) <= Integer.MAX_VALUE
        && features.dataType() == DataType.FLOAT && FlatState.run(features) != null;
  }

  /** The number of outputs per example. */
  public int outputs() {
    return width[layers];
  }

  /**
   * The network's outputs for {@code features} ({@link #takes}), row-major [rows, {@link #outputs}]:
   * what DL4J's {@code output(features, false)} returns (probabilities for softmax and sigmoid).
   */
  public float[] output(INDArray features) {
    int b = (int) features.size(0);
    buffers(b);
    forward(FlatState.run(net.params()), FlatState.run(features), b);
    int outputs = width[layers];
    float[] out = new float[b * outputs];
    actRun[layers - 1].get(0, out, 0, b * outputs);
    activateOutput(out, b, outputs);
    return out;
  }

  /**
   * The loss summed over the rows of {@code out} ({@link #output}'s) against {@code labels}
   * (row-major, as many floats), without regularization: DL4J's score for the minibatch is this
   * divided by the rows, plus {@code calcRegularizationScore(true)}.
   */
  public double lossSum(float[] out, float[] labels) {
    return lossSum(out, labels, out.length);
  }

  /** The loss summed over the first {@code n} floats of {@code out} and {@code labels}. */
  private double lossSum(float[] out, float[] labels, int n) {
    int cols = width[layers];
    switch (loss) {
      case SOFTMAX_MCXENT -> {
        return WorkerSoftmaxLoss.crossEntropy(out, labels, n, clipEps);
      }
      case SIGMOID_XENT -> {
        double sum = 0;
        for (int i = 0; i < n; i++) {
          float o = clipEps > 0 ? Math.min(Math.max(out[i], clipEps), 1 - clipEps) : out[i];
          sum -= (float) Math.log(o) * labels[i] + (float) Math.log(1 - o) * (1 - labels[i]);
        }
        return sum;
      }
      default -> {
        double sum = 0;
        for (int i = 0; i < n; i++) {
          float diff = out[i] - labels[i];
          sum += diff * diff / cols;
        }
        return sum;
      }
    }
  }

  /**
   * One step on the minibatch, as {@code MultiLayerNetwork.fit} takes it: forward, backward, DL4J's
   * updater, the step, the iteration count; returns the score (mean loss plus regularization), which
   * is also the network's {@code score()}.
   */
  double fit(INDArray features, INDArray labels) {
    int b = (int) features.size(0);
    buffers(b);
    INDArray params = net.params();
    INDArray grads = net.getGradientsViewArray();
    FloatBuffer p = FlatState.run(params);
    FloatBuffer g = FlatState.run(grads);
    FloatBuffer x = FlatState.run(features);
    FloatBuffer[] a = actRun;
    FloatBuffer[] d = deltaRun;
    forward(p, x, b);

    // Output: the loss's sum over the minibatch, and the output layer's delta (dL/dz).
    int outputs = width[layers];
    float[] z = heapA;
    float[] y = heapB;
    a[layers - 1].get(0, z, 0, b * outputs);
    FlatState.run(labels).get(0, y, 0, b * outputs);
    double sum = output(z, y, b, outputs);
    d[layers - 1].put(0, z, 0, b * outputs);

    // Backward: weight and bias gradients of each layer, the delta of the layer below.
    for (int k = layers - 1; k >= 0; k--) {
      int in = width[k];
      int out = width[k + 1];
      FloatBuffer input = k == 0 ? x : a[k - 1];
      cblas_sgemm(CblasColMajor, CblasNoTrans, CblasTrans, in, out, b, 1f, input, in, d[k], out, 0f,
          slice(g, offset[k], (long) in * out), in);
      if (bias[k]) {
        float[] dk = heapA;
        d[k].get(0, dk, 0, b * out);
        Arrays.fill(perOutput, 0, out, 0f);
        for (int r = 0; r < b; r++) {
          int row = r * out;
          for (int j = 0; j < out; j++) {
            perOutput[j] += dk[row + j];
          }
        }
        g.put((int) (offset[k] + (long) in * out), perOutput, 0, out);
      }
      if (k > 0) {
        cblas_sgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, in, b, out, 1f, slice(p, offset[k], (long) in * out), in,
            d[k], out, 0f, d[k - 1], in);
        float[] e = heapA;
        float[] below = heapB;
        d[k - 1].get(0, e, 0, b * in);
        a[k - 1].get(0, below, 0, b * in);
        derivative(kind[k - 1], leak[k - 1], below, e, b * in);
        d[k - 1].put(0, e, 0, b * in);
      }
    }

    // DL4J's score adds the regularization of the parameters the minibatch was fitted from.
    double score = sum / b + net.calcRegularizationScore(true);

    // DL4J's updater (minibatch division, normalization, regularization, the updater itself) and step.
    Updater updater = net.getUpdater();
    updater.update(net, gradient(grads), net.getIterationCount(), net.getEpochCount(), b,
        LayerWorkspaceMgr.noWorkspaces());
    Nd4j.getBlasWrapper().level1().axpy(params.length(), -1.0, grads, params);
    net.setScore(score);
    net.getLayerWiseConfigurations().setIterationCount(net.getIterationCount() + 1);
    fitted++;
    return score;
  }

  /**
   * Forward: z = x W + b, in place activated, each layer's output row-major [b, nOut] in {@link
   * #actRun}, from the parameters {@code p}; the output layer's is left as pre-activations.
   */
  private void forward(FloatBuffer p, FloatBuffer x, int b) {
    FloatBuffer[] a = actRun;
    for (int k = 0; k < layers; k++) {
      int in = width[k];
      int out = width[k + 1];
      FloatBuffer input = k == 0 ? x : a[k - 1];
      cblas_sgemm(CblasColMajor, CblasTrans, CblasNoTrans, out, b, in, 1f, slice(p, offset[k], (long) in * out), in,
          input, in, 0f, a[k], out);
      float[] z = heapA;
      a[k].get(0, z, 0, b * out);
      if (bias[k]) {
        p.get((int) (offset[k] + (long) in * out), perOutput, 0, out);
        for (int r = 0; r < b; r++) {
          int row = r * out;
          for (int j = 0; j < out; j++) {
            z[row + j] += perOutput[j];
          }
        }
      }
      if (k < layers - 1) {
        activate(kind[k], leak[k], z, b * out);
      }
      a[k].put(0, z, 0, b * out);
    }
  }

  /**
   * The loss summed over the minibatch, from the output layer's pre-activations {@code z} and labels
   * {@code y} (row-major {@code rows x cols}); {@code z} is replaced by dL/dz, as DL4J's loss and
   * activation compute them (before the division by the minibatch size).
   */
  private double output(float[] z, float[] y, int rows, int cols) {
    int n = rows * cols;
    activateOutput(z, rows, cols);
    double sum = lossSum(z, y, n);
    switch (loss) {
      case SOFTMAX_MCXENT -> {
        // -sum(y log(clip(softmax(z)))); dL/dz = softmax(z) - y.
        for (int i = 0; i < n; i++) {
          z[i] -= y[i];
        }
      }
      case SIGMOID_XENT -> {
        // o = clip(sigmoid(z)); -sum(y log(o) + (1 - y) log(1 - o)); dL/dz = (o - y) / (o (1 - o)) s (1 - s).
        for (int i = 0; i < n; i++) {
          float s = z[i];
          float o = clipEps > 0 ? Math.min(Math.max(s, clipEps), 1 - clipEps) : s;
          z[i] = (o - y[i]) / (o * (1 - o)) * (s * (1 - s));
        }
      }
      case MSE -> {
        // a = f(z); sum((y - a)^2) / cols; dL/dz = 2 (a - y) / cols f'(z).
        for (int i = 0; i < n; i++) {
          y[i] = (z[i] - y[i]) * 2 / cols; // y is a copy of the labels
        }
        derivative(kind[layers - 1], leak[layers - 1], z, y, n);
        System.arraycopy(y, 0, z, 0, n);
      }
    }
    return sum;
  }

  /** The output layer's activation, in place on its pre-activations {@code z} (row-major {@code rows x cols}). */
  private void activateOutput(float[] z, int rows, int cols) {
    if (loss == Loss.SOFTMAX_MCXENT) {
      WorkerSoftmaxLoss.softmax(z, rows, cols);
    } else {
      activate(kind[layers - 1], leak[layers - 1], z, rows * cols);
    }
  }

  /**
   * The gradient DL4J's updater is handed: the flattened view, with each layer's weight and bias
   * views for its gradient normalization; made again only when the network's gradient view changes.
   */
  private Gradient gradient(INDArray grads) {
    if (gradient == null || gradientOf != grads) {
      Gradient out = new DefaultGradient(grads);
      for (int k = 0; k < layers; k++) {
        long weights = (long) width[k] * width[k + 1];
        out.setGradientFor(k + "_" + DefaultParamInitializer.WEIGHT_KEY,
            grads.get(NDArrayIndex.interval(0, 0, true), NDArrayIndex.interval(offset[k], offset[k] + weights))
                .reshape('f', width[k], width[k + 1]));
        if (bias[k]) {
          out.setGradientFor(k + "_" + DefaultParamInitializer.BIAS_KEY,
              grads.get(NDArrayIndex.interval(0, 0, true),
                  NDArrayIndex.interval(offset[k] + weights, offset[k] + weights + width[k + 1])));
        }
      }
      gradient = out;
      gradientOf = grads;
    }
    return gradient;
  }

  private static FloatBuffer slice(FloatBuffer all, long from, long length) {
    FloatBuffer s = all.duplicate();
    s.position((int) from);
    s.limit((int) (from + length));
    return s.slice();
  }

  private void buffers(int b) {
    if (b == rows) {
      return;
    }
    act = new INDArray[layers];
    delta = new INDArray[layers];
    actRun = new FloatBuffer[layers];
    deltaRun = new FloatBuffer[layers];
    try (MemoryWorkspace ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
      for (int k = 0; k < layers; k++) {
        act[k] = Nd4j.createUninitialized(DataType.FLOAT, new long[] {b, width[k + 1]}, 'c');
        delta[k] = Nd4j.createUninitialized(DataType.FLOAT, new long[] {b, width[k + 1]}, 'c');
        actRun[k] = FlatState.run(act[k]);
        deltaRun[k] = FlatState.run(delta[k]);
      }
    }
    heapA = new float[b * widest];
    heapB = new float[b * widest];
    perOutput = new float[widest];
    rows = b;
  }

  private static void activate(Kind kind, float leak, float[] z, int n) {
    switch (kind) {
      case RELU -> {
        for (int i = 0; i < n; i++) {
          z[i] = z[i] > 0 ? z[i] : 0f;
        }
      }
      case LEAKY -> {
        for (int i = 0; i < n; i++) {
          z[i] = z[i] < 0 ? z[i] * leak : z[i];
        }
      }
      case TANH -> {
        for (int i = 0; i < n; i++) {
          z[i] = (float) Math.tanh(z[i]);
        }
      }
      case SIGMOID -> {
        for (int i = 0; i < n; i++) {
          z[i] = (float) (1.0 / (1.0 + Math.exp(-z[i])));
        }
      }
      case IDENTITY -> { }
    }
  }

  /** {@code e *= f'(z)}, from the activations {@code a = f(z)}. */
  private static void derivative(Kind kind, float leak, float[] a, float[] e, int n) {
    switch (kind) {
      case RELU -> {
        for (int i = 0; i < n; i++) {
          e[i] = a[i] > 0 ? e[i] : 0f;
        }
      }
      case LEAKY -> {
        for (int i = 0; i < n; i++) {
          e[i] = a[i] < 0 ? e[i] * leak : e[i];
        }
      }
      case TANH -> {
        for (int i = 0; i < n; i++) {
          e[i] *= 1f - a[i] * a[i];
        }
      }
      case SIGMOID -> {
        for (int i = 0; i < n; i++) {
          e[i] *= a[i] * (1f - a[i]);
        }
      }
      case IDENTITY -> { }
    }
  }

  long fitted() {
    return fitted;
  }
}
