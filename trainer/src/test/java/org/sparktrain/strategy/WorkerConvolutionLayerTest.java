package org.sparktrain.strategy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

class WorkerConvolutionLayerTest {
  /** Padding, strides and dilation other than 1, a pooled second convolution with dropout. */
  private static MultiLayerConfiguration cnn(ConvolutionMode mode) {
    return new NeuralNetConfiguration.Builder().seed(8).updater(new Adam(3e-3)).convolutionMode(mode).list()
        .layer(new ConvolutionLayer.Builder(3, 2).stride(2, 1).padding(1, 2).dilation(1, 2).nOut(5).activation(Activation.RELU).build())
        .layer(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).kernelSize(2, 2).stride(1, 1).build())
        .layer(new ConvolutionLayer.Builder(2, 2).nOut(3).activation(Activation.IDENTITY).dropOut(0.85).build())
        .layer(new DenseLayer.Builder().nOut(10).activation(Activation.TANH).build())
        .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3).activation(Activation.SOFTMAX).build())
        .setInputType(InputType.convolutionalFlat(11, 9, 1)) // one channel, as MNIST: a dimension of size 1
        .build();
  }

  private static MultiLayerNetwork train(MultiLayerNetwork net) {
    net.init();
    Nd4j.getRandom().setSeed(41);
    DataSet[] batches = new DataSet[5];
    for (int i = 0; i < batches.length; i++) {
      INDArray y = Nd4j.zeros(DataType.FLOAT, 6, 3);
      for (int r = 0; r < 6; r++) {
        y.putScalar(r, (r + i) % 3, 1);
      }
      batches[i] = new DataSet(Nd4j.rand(DataType.FLOAT, 6, 11 * 9), y);
    }
    Nd4j.getRandom().setSeed(43); // the same dropout masks for every network
    for (int i = 0; i < 20; i++) {
      net.fit(batches[i % batches.length]);
    }
    return net;
  }

  private static void assertSameTraining(MultiLayerNetwork expected, MultiLayerNetwork actual) {
    assertArrayEquals(expected.params().toFloatVector(), actual.params().toFloatVector(), "parameters");
    assertArrayEquals(expected.getUpdater().getStateViewArray().toFloatVector(),
        actual.getUpdater().getStateViewArray().toFloatVector(), "updater state");
    assertEquals(expected.score(), actual.score(), 0.0);
  }

  @Test
  void trainsBitForBitAsDl4jWithAndWithoutTheForwardPassCache() {
    MultiLayerNetwork plain = train(new MultiLayerNetwork(cnn(ConvolutionMode.Truncate)));
    MultiLayerConfiguration conf = WorkerConvolutionLayer.install(cnn(ConvolutionMode.Truncate));
    assertSame(WorkerConvolutionLayer.class, conf.getConf(0).getLayer().getClass());
    assertSame(SubsamplingLayer.class, conf.getConf(1).getLayer().getClass(), "other layers stay");
    ConvolutionLayer copied = (ConvolutionLayer) conf.getConf(0).getLayer();
    assertArrayEquals(new int[] {1, 2}, copied.getDilation(), "the configuration was copied");
    assertArrayEquals(new int[] {1, 2}, copied.getPadding());
    MultiLayerNetwork loop = train(new MultiLayerNetwork(conf));
    assertSameTraining(plain, loop);
    // 20 minibatches: a forward pass, and the backward pass's own (no cache here), per layer.
    assertEquals(40, ((WorkerConvolutionLayer.Impl) loop.getLayer(0)).filled());
    assertEquals(40, ((WorkerConvolutionLayer.Impl) loop.getLayer(2)).filled());

    MultiLayerNetwork cached = train(new WorkerNetworks.WorkerNetwork(WorkerConvolutionLayer.install(cnn(ConvolutionMode.Truncate))));
    assertSameTraining(plain, cached);
    assertEquals(20, ((WorkerConvolutionLayer.Impl) cached.getLayer(0)).filled(), "the backward pass took the cached im2col");

    MultiLayerNetwork initial = new MultiLayerNetwork(cnn(ConvolutionMode.Truncate));
    initial.init();
    assertTrue(loop.params().sub(initial.params()).amaxNumber().doubleValue() > 1e-3, "training moved the parameters");
  }

  @Test
  void sameModeTakesDl4jsIm2col() {
    MultiLayerNetwork plain = train(new MultiLayerNetwork(cnn(ConvolutionMode.Same)));
    MultiLayerNetwork worker = train(new MultiLayerNetwork(WorkerConvolutionLayer.install(cnn(ConvolutionMode.Same))));
    assertSameTraining(plain, worker);
    assertEquals(0, ((WorkerConvolutionLayer.Impl) worker.getLayer(0)).filled());
  }
}
