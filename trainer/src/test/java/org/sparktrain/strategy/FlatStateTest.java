package org.sparktrain.strategy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

class FlatStateTest {
  private static MultiLayerNetwork net(DataType type) {
    MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(3).dataType(type).updater(new Adam(1e-2)).list()
        .layer(new DenseLayer.Builder().nIn(5).nOut(7).activation(Activation.RELU).build())
        .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(7).nOut(3).activation(Activation.SOFTMAX).build())
        .build();
    MultiLayerNetwork n = new MultiLayerNetwork(conf);
    n.init();
    INDArray y = Nd4j.zeros(type, 4, 3);
    y.putScalar(0, 1, 1).putScalar(1, 0, 1).putScalar(2, 2, 1).putScalar(3, 1, 1);
    n.fit(Nd4j.rand(type, 4, 5), y); // non-zero updater state
    return n;
  }

  private static float[] expected(MultiLayerNetwork n) {
    float[] p = n.params().toFloatVector();
    float[] u = n.getUpdater(true).getStateViewArray().toFloatVector();
    float[] all = java.util.Arrays.copyOf(p, p.length + u.length);
    System.arraycopy(u, 0, all, p.length, u.length);
    return all;
  }

  @Test
  void readsAndWritesParametersThenUpdaterStateInOrder() {
    for (DataType type : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
      MultiLayerNetwork n = net(type);
      assertTrue(FlatState.bulk(n.params()) == (type == DataType.FLOAT), type.toString());
      FlatState state = new FlatState();
      float[] flat = state.read(n);
      assertArrayEquals(expected(n), flat, type.toString());
      assertSame(flat, state.read(n), "the array is reused from round to round");
      for (int i = 0; i < flat.length; i++) {
        flat[i] = i * 0.5f;
      }
      FlatState.write(n, flat);
      assertArrayEquals(flat, expected(n), type.toString());
    }
  }

  @Test
  void aStridedViewTakesNd4jsConversions() {
    INDArray m = Nd4j.arange(0, 12).castTo(DataType.FLOAT).reshape('c', 3, 4);
    INDArray column = m.get(NDArrayIndex.all(), NDArrayIndex.point(1));
    assertFalse(FlatState.bulk(column));
    assertArrayEquals(new float[] {1, 5, 9}, FlatState.toFloats(column));
    FlatState.copyIn(new float[] {0, -1, -2, -3}, 1, column);
    assertArrayEquals(new float[] {0, -1, 2, 3, 4, -2, 6, 7, 8, -3, 10, 11}, m.dup().reshape(12).toFloatVector());
    INDArray row = m.get(NDArrayIndex.point(2), NDArrayIndex.all());
    assertTrue(FlatState.bulk(row), "a row of a c-order matrix is one run of floats");
    assertArrayEquals(new float[] {8, -3, 10, 11}, FlatState.toFloats(row));
  }

  @Test
  void aRowMajorArrayWithDimensionsOfSizeOneIsOneRun() {
    INDArray images = Nd4j.arange(0, 2 * 9).castTo(DataType.FLOAT).reshape('c', 2, 1, 3, 3);
    assertTrue(FlatState.bulk(images), "[2, 1, 3, 3] " + java.util.Arrays.toString(images.stride()));
    assertArrayEquals(Nd4j.arange(0, 18).castTo(DataType.FLOAT).toFloatVector(), FlatState.toFloats(images));
    INDArray columns = Nd4j.createUninitialized(DataType.FLOAT, new long[] {2, 3, 3, 1, 2, 2}, 'c');
    assertTrue(FlatState.bulk(columns), java.util.Arrays.toString(columns.stride()));
    INDArray transposed = Nd4j.arange(0, 6).castTo(DataType.FLOAT).reshape('c', 1, 2, 3).permute(0, 2, 1);
    assertFalse(FlatState.bulk(transposed), "a permuted array is not");
  }
}
