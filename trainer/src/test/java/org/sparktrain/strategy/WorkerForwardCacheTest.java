package org.sparktrain.strategy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Field;
import java.util.function.Supplier;
import org.deeplearning4j.nn.conf.CacheMode;
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

/** DL4J's forward-pass cache in the workers' convolution layers: the same training, without the second forward pass. */
class WorkerForwardCacheTest {
  private static MultiLayerConfiguration cnn() {
    return new NeuralNetConfiguration.Builder().seed(4).updater(new Adam(3e-3)).list()
        .layer(new ConvolutionLayer.Builder(3, 3).nOut(4).activation(Activation.RELU).build())
        .layer(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).kernelSize(2, 2).stride(2, 2).build())
        .layer(new ConvolutionLayer.Builder(2, 2).nOut(6).activation(Activation.IDENTITY).dropOut(0.9).build())
        .layer(new DenseLayer.Builder().nOut(12).activation(Activation.TANH).build())
        .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3).activation(Activation.SOFTMAX).build())
        .setInputType(InputType.convolutionalFlat(10, 10, 2))
        .build();
  }

  private static MultiLayerNetwork train(MultiLayerNetwork net, Supplier<DataSet> data) {
    net.init();
    Nd4j.getRandom().setSeed(31);
    DataSet[] batches = new DataSet[6];
    for (int i = 0; i < batches.length; i++) {
      batches[i] = data.get();
    }
    Nd4j.getRandom().setSeed(37); // the same dropout masks for both networks
    for (int i = 0; i < 24; i++) {
      net.fit(batches[i % batches.length]);
    }
    return net;
  }

  private static DataSet images() {
    INDArray y = Nd4j.zeros(DataType.FLOAT, 8, 3);
    for (int r = 0; r < 8; r++) {
      y.putScalar(r, r % 3, 1);
    }
    return new DataSet(Nd4j.rand(DataType.FLOAT, 8, 200), y);
  }

  @Test
  void convolutionLayersTrainBitForBitAsWithoutTheCacheAndKeepTheirIm2col() throws Exception {
    MultiLayerNetwork plain = train(new MultiLayerNetwork(cnn()), WorkerForwardCacheTest::images);
    MultiLayerNetwork cached = train(new WorkerNetworks.WorkerNetwork(cnn()), WorkerForwardCacheTest::images);

    assertArrayEquals(plain.params().toFloatVector(), cached.params().toFloatVector(), "parameters");
    assertArrayEquals(plain.getUpdater().getStateViewArray().toFloatVector(),
        cached.getUpdater().getStateViewArray().toFloatVector(), "updater state");
    assertEquals(plain.score(), cached.score(), 0.0);
    assertEquals(CacheMode.DEVICE, cacheMode(cached, 0));
    assertEquals(CacheMode.DEVICE, cacheMode(cached, 2));
    assertEquals(CacheMode.NONE, cacheMode(cached, 3), "dense layers keep z their own way");
    assertNotNull(im2col(cached, 0), "the first convolution kept its im2col matrix for the backward pass");
    assertNotNull(im2col(cached, 2));
    assertNull(im2col(plain, 0), "without the cache nothing is kept");
    MultiLayerNetwork initial = new MultiLayerNetwork(cnn());
    initial.init();
    assertTrue(cached.params().sub(initial.params()).amaxNumber().doubleValue() > 1e-3, "training moved the parameters");
  }

  @Test
  void theCacheStaysOffBeyondItsBudgetAndWithoutAnImageShape() {
    MultiLayerNetwork net = new MultiLayerNetwork(cnn());
    net.init();
    // conv 1: 8 x 8 outputs of 2 x 3 x 3 columns and 4 channels; conv 2 (after pooling): 3 x 3 of 4 x 2 x 2 and 6.
    long perExample = 4L * (8 * 8 * (18 + 4) + 3 * 3 * (16 + 6));
    assertEquals(8 * perExample, WorkerNetworks.cacheForwardPass(net, 8));
    long tooMany = WorkerNetworks.CACHE_BUDGET_BYTES / perExample + 1;
    MultiLayerNetwork big = new MultiLayerNetwork(cnn());
    big.init();
    assertEquals(0, WorkerNetworks.cacheForwardPass(big, tooMany));
    assertEquals(CacheMode.NONE, cacheMode(big, 0));

    MultiLayerConfiguration fourD = new NeuralNetConfiguration.Builder().list()
        .layer(new ConvolutionLayer.Builder(3, 3).nOut(4).build())
        .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3).activation(Activation.SOFTMAX).build())
        .setInputType(InputType.convolutional(10, 10, 2))
        .build();
    MultiLayerNetwork noShape = new MultiLayerNetwork(fourD);
    noShape.init();
    assertEquals(0, WorkerNetworks.cacheForwardPass(noShape, 8), "no input preprocessor gives the image shape");
    assertEquals(CacheMode.NONE, cacheMode(noShape, 0));
  }

  private static CacheMode cacheMode(MultiLayerNetwork net, int layer) {
    return ((org.deeplearning4j.nn.layers.AbstractLayer<?>) net.getLayer(layer)).getCacheMode();
  }

  private static Object im2col(MultiLayerNetwork net, int layer) throws Exception {
    Field f = org.deeplearning4j.nn.layers.convolution.ConvolutionLayer.class.getDeclaredField("i2d");
    f.setAccessible(true);
    return f.get(net.getLayer(layer));
  }
}
