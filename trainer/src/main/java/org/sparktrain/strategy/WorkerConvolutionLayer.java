package org.sparktrain.strategy;

import java.nio.FloatBuffer;
import java.util.Collection;
import java.util.Map;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.CacheMode;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.LayerValidation;
import org.deeplearning4j.nn.params.ConvolutionParamInitializer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.deeplearning4j.util.ConvolutionUtils;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.Shape;
import org.nd4j.linalg.factory.Nd4j;

/**
 * DL4J's 2-D convolution layer for the synchronous strategy's workers, with the im2col matrix of the
 * forward pass filled by a Java loop. libnd4j's {@code im2col} writes through a permuted six-dimensional
 * view: on LeNet (one thread, 64 images) it took 38% of a worker's minibatch, some 3 million floats
 * copied at about 45 million per second. The loop writes the same values (a copy, zeros where the
 * kernel reaches into the padding), so training is bit for bit DL4J's; everything after the im2col
 * matrix is DL4J's code path (the product, bias, layout and DL4J's forward-pass cache).
 *
 * <p>Channels-first float input (copied row-major first where it is a view) in DL4J's truncate or strict modes, without a cuDNN or oneDNN helper,
 * takes the loop; anything else computes as DL4J does. Only the workers' own networks switch ({@link
 * #install}); the driver's network and saved models keep DL4J's class.
 */
final class WorkerConvolutionLayer extends ConvolutionLayer {
  private static final long serialVersionUID = 1L;

  /** A copy of {@code from}: every field DL4J's configuration classes declare. */
  WorkerConvolutionLayer(ConvolutionLayer from) {
    WorkerDenseLayer.copyFields(ConvolutionLayer.class, from, this);
  }

  /** Switches every layer of {@code conf} that is exactly DL4J's convolution layer to this one, in place. */
  static MultiLayerConfiguration install(MultiLayerConfiguration conf) {
    for (NeuralNetConfiguration c : conf.getConfs()) {
      if (c.getLayer() != null && c.getLayer().getClass() == ConvolutionLayer.class) {
        c.setLayer(new WorkerConvolutionLayer((ConvolutionLayer) c.getLayer()));
      }
    }
    return conf;
  }

  /** As DL4J's {@code ConvolutionLayer.instantiate}, with the implementation below. */
  @Override
  public org.deeplearning4j.nn.api.Layer instantiate(
      NeuralNetConfiguration conf,
      Collection<TrainingListener> trainingListeners,
      int layerIndex,
      INDArray layerParamsView,
      boolean initializeParams,
      DataType networkDataType) {
    LayerValidation.assertNInNOutSet("ConvolutionLayer", getLayerName(), layerIndex, getNIn(), getNOut());
    Impl ret = new Impl(conf, networkDataType);
    ret.setListeners(trainingListeners);
    ret.setIndex(layerIndex);
    ret.setParamsViewArray(layerParamsView);
    Map<String, INDArray> paramTable = ConvolutionParamInitializer.getInstance().init(conf, layerParamsView, initializeParams);
    ret.setParamTable(paramTable);
    ret.setConf(conf);
    return ret;
  }

  /** The layer itself. */
  static final class Impl extends org.deeplearning4j.nn.layers.convolution.ConvolutionLayer {
    private static final long serialVersionUID = 1L;

    private transient float[] in = new float[0];

    private transient float[] columns = new float[0];

    /** Forward passes whose im2col matrix the loop filled. */
    private long filled;

    Impl(NeuralNetConfiguration conf, DataType dataType) {
      super(conf, dataType);
    }

    /**
     * As DL4J's {@code ConvolutionLayer.preOutput} without a helper, the im2col matrix filled by
     * {@link #im2col} where the layout allows it.
     */
    @Override
    protected Pair<INDArray, INDArray> preOutput(boolean training, boolean forBackprop, LayerWorkspaceMgr mgr) {
      if (helper != null
          || input == null
          || input.rank() != 4
          || dataType != DataType.FLOAT
          || layerConf().getCnn2dDataFormat() != CNN2DFormat.NCHW
          || (convolutionMode != ConvolutionMode.Truncate && convolutionMode != ConvolutionMode.Strict)
          || (preOutput != null && i2d != null && forBackprop)) {
        return super.preOutput(training, forBackprop, mgr);
      }
      assertInputSet(false);
      INDArray bias = getParamWithNoise("b", training, mgr);
      INDArray weights = getParamWithNoise("W", training, mgr);
      validateInputRank();
      INDArray x = input.castTo(dataType);
      long miniBatch = x.size(0);
      long outDepth = weights.size(0);
      long inDepth = weights.size(1);
      validateInputDepth(inDepth);
      long kH = weights.size(2);
      long kW = weights.size(3);
      int[] dilation = layerConf().getDilation();
      int[] kernel = layerConf().getKernelSize();
      int[] strides = layerConf().getStride();
      int[] pad = layerConf().getPadding();
      int[] outSize = ConvolutionUtils.getOutputSize(x, kernel, strides, pad, convolutionMode, dilation, CNN2DFormat.NCHW);
      int outH = outSize[0];
      int outW = outSize[1];
      INDArray col = Nd4j.createUninitialized(weights.dataType(), new long[] {miniBatch, outH, outW, inDepth, kH, kW}, 'c');
      if (!im2col(x, col, (int) kH, (int) kW, strides, pad, dilation, outH, outW)) {
        return super.preOutput(training, forBackprop, mgr);
      }
      filled++;
      INDArray im2col2d = Shape.newShapeNoCopy(col, new long[] {miniBatch * outH * outW, inDepth * kH * kW}, false);
      INDArray reshapedW = weights.permute(3, 2, 1, 0).reshape('f', kW * kH * inDepth, outDepth);
      INDArray z = mgr.createUninitialized(ArrayType.ACTIVATIONS, weights.dataType(), new long[] {im2col2d.size(0), reshapedW.size(1)}, 'f');
      im2col2d.mmuli(reshapedW, z);
      if (layerConf().hasBias()) {
        z.addiRowVector(bias);
      }
      z = Shape.newShapeNoCopy(z, new long[] {outW, outH, miniBatch, outDepth}, true);
      z = z.permute(2, 3, 1, 0);
      if (training && cacheMode != CacheMode.NONE && mgr.hasConfiguration(ArrayType.FF_CACHE) && mgr.isWorkspaceOpen(ArrayType.FF_CACHE)) {
        try (MemoryWorkspace ws = mgr.notifyScopeBorrowed(ArrayType.FF_CACHE)) {
          i2d = im2col2d.unsafeDuplication();
        }
      }
      return new Pair<>(z, forBackprop ? im2col2d : null);
    }

    /**
     * Fills {@code col} ({@code [batch, outH, outW, channels, kH, kW]}, row-major) from {@code x}
     * ({@code [batch, channels, H, W]}): element {@code [b, i, j, c, p, q]} is {@code x[b, c, i sH - pH
     * + p dH, j sW - pW + q dW]}, 0 outside the image. An input that is not one row-major run of floats
     * (a pooling layer's output can be a view) is copied into one first. False where {@code col} is not
     * one run of floats.
     */
    private boolean im2col(INDArray x, INDArray col, int kH, int kW, int[] s, int[] pad, int[] d, int outH, int outW) {
      FloatBuffer dst = FlatState.run(col);
      if (dst == null) {
        return false; // not the CPU backend's floats (CUDA): libnd4j's op
      }
      FloatBuffer src = FlatState.run(x);
      if (src == null) {
        src = FlatState.run(x.dup('c'));
      }
      if (src == null) {
        return false;
      }
      int batch = (int) x.size(0);
      int channels = (int) x.size(1);
      int h = (int) x.size(2);
      int w = (int) x.size(3);
      if (in.length < src.remaining()) {
        in = new float[src.remaining()];
      }
      if (columns.length < dst.remaining()) {
        columns = new float[dst.remaining()];
      }
      src.get(in, 0, src.remaining());
      float[] xs = in;
      float[] out = columns;
      int k = 0;
      for (int b = 0; b < batch; b++) {
        for (int i = 0; i < outH; i++) {
          for (int j = 0; j < outW; j++) {
            for (int c = 0; c < channels; c++) {
              int plane = (b * channels + c) * h;
              for (int p = 0; p < kH; p++) {
                int row = i * s[0] - pad[0] + p * d[0];
                if (row < 0 || row >= h) {
                  for (int q = 0; q < kW; q++) {
                    out[k++] = 0f;
                  }
                  continue;
                }
                int base = (plane + row) * w;
                for (int q = 0; q < kW; q++) {
                  int column = j * s[1] - pad[1] + q * d[1];
                  out[k++] = column >= 0 && column < w ? xs[base + column] : 0f;
                }
              }
            }
          }
        }
      }
      if (k != dst.remaining()) {
        throw new IllegalStateException("im2col filled " + k + " of " + dst.remaining() + " floats");
      }
      dst.put(out, 0, k);
      return true;
    }

    /** Forward passes whose im2col matrix the Java loop filled. */
    long filled() {
      return filled;
    }
  }
}
