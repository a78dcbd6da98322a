package org.sparktrain.strategy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.impl.ActivationSigmoid;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.nd4j.linalg.lossfunctions.impl.LossMCXENT;
import org.nd4j.linalg.lossfunctions.impl.LossMSE;

class WorkerSoftmaxLossTest {
  private static INDArray oneHot(int rows, int cols, long seed) {
    INDArray y = Nd4j.zeros(DataType.FLOAT, rows, cols);
    for (int r = 0; r < rows; r++) {
      y.putScalar(r, (int) ((r * 7 + seed) % cols), 1);
    }
    return y;
  }

  @Test
  void scoreAndGradientMatchDl4jsOps() {
    Nd4j.getRandom().setSeed(3);
    LossMCXENT dl4j = new LossMCXENT();
    WorkerSoftmaxLoss ours = new WorkerSoftmaxLoss(dl4j);
    for (double scale : new double[] {0.1, 3, 40}) {
      INDArray z = Nd4j.randn(DataType.FLOAT, 64, 10).muli(scale);
      INDArray y = oneHot(64, 10, (long) scale);
      INDArray expected = dl4j.computeGradient(y, z, new ActivationSoftmax(), null);
      INDArray actual = ours.computeGradient(y, z, new ActivationSoftmax(), null);
      assertEquals(0, expected.sub(actual).amaxNumber().doubleValue(), 1e-6, "gradient at logit scale " + scale);
      double s = dl4j.computeScore(y, z, new ActivationSoftmax(), null, true);
      assertEquals(s, ours.computeScore(y, z, new ActivationSoftmax(), null, true), 1e-5 * Math.max(1, s), "score at scale " + scale);
      double sum = dl4j.computeScore(y, z, new ActivationSoftmax(), null, false);
      assertEquals(sum, ours.computeScore(y, z, new ActivationSoftmax(), null, false), 1e-5 * Math.max(1, sum));
    }
    assertEquals(3, ours.gradients());
    assertEquals(6, ours.scores());
    assertTrue(ours.computeScore(oneHot(4, 3, 0), Nd4j.create(new float[][] {{-200, 200, 0}, {0, 0, 0}, {1, 2, 3}, {5, 5, 5}}),
        new ActivationSoftmax(), null, true) > 5, "a confident wrong answer is clipped, not infinite");
  }

  @Test
  void whatItDoesNotCoverTakesDl4jsOps() {
    WorkerSoftmaxLoss ours = new WorkerSoftmaxLoss(new LossMCXENT());
    INDArray z = Nd4j.randn(DataType.FLOAT, 8, 4);
    INDArray y = oneHot(8, 4, 1);
    ours.computeGradient(y, z, new ActivationSigmoid(), null);
    ours.computeGradient(y, z, new ActivationSoftmax(), Nd4j.ones(DataType.FLOAT, 8, 1));
    ours.computeGradient(y.castTo(DataType.DOUBLE), z.castTo(DataType.DOUBLE), new ActivationSoftmax(), null);
    ours.computeGradient(y.transpose().dup('c').transpose(), z, new ActivationSoftmax(), null);
    INDArray weighted = new WorkerSoftmaxLoss(new LossMCXENT(Nd4j.createFromArray(1f, 2f, 1f, 1f)))
        .computeGradient(y, z, new ActivationSoftmax(), null);
    assertEquals(0, ours.gradients(), "sigmoid, mask, double, f-order labels: DL4J's ops");
    assertEquals(new LossMCXENT(Nd4j.createFromArray(1f, 2f, 1f, 1f)).computeGradient(y, z, new ActivationSoftmax(), null), weighted);
  }

  @Test
  void onlyDl4jsOwnCrossEntropyIsSwitched() {
    MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().list()
        .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(4).nOut(3).activation(Activation.SOFTMAX).build())
        .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nIn(3).nOut(3).activation(Activation.IDENTITY).build())
        .build();
    WorkerSoftmaxLoss.install(conf);
    assertSame(WorkerSoftmaxLoss.class, ((OutputLayer) conf.getConf(0).getLayer()).getLossFn().getClass());
    assertSame(LossMSE.class, ((OutputLayer) conf.getConf(1).getLayer()).getLossFn().getClass());
  }

  @Test
  void aNetworkTrainsAsWithDl4jsLoss() {
    MultiLayerNetwork plain = train(conf());
    MultiLayerNetwork ours = train(WorkerSoftmaxLoss.install(conf()));
    WorkerSoftmaxLoss loss = (WorkerSoftmaxLoss) ((OutputLayer) ours.getLayerWiseConfigurations().getConf(1).getLayer()).getLossFn();
    assertEquals(60, loss.gradients(), "every minibatch's gradient");
    assertTrue(loss.scores() >= 60, "and score");
    INDArray diff = plain.params().sub(ours.params());
    assertEquals(0, diff.amaxNumber().doubleValue(), 1e-5, "parameters after 60 minibatches");
    assertEquals(plain.score(), ours.score(), 1e-5);
    assertTrue(ours.params().sub(initial()).amaxNumber().doubleValue() > 1e-3, "training moved the parameters");
  }

  private static MultiLayerConfiguration conf() {
    return new NeuralNetConfiguration.Builder().seed(5).updater(new Adam(1e-2)).list()
        .layer(new DenseLayer.Builder().nIn(6).nOut(16).activation(Activation.RELU).build())
        .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(16).nOut(4).activation(Activation.SOFTMAX).build())
        .build();
  }

  private static INDArray initial() {
    MultiLayerNetwork net = new MultiLayerNetwork(conf());
    net.init();
    return net.params();
  }

  private static MultiLayerNetwork train(MultiLayerConfiguration conf) {
    MultiLayerNetwork net = new MultiLayerNetwork(conf);
    net.init();
    Nd4j.getRandom().setSeed(11);
    INDArray x = Nd4j.rand(DataType.FLOAT, 32, 6);
    INDArray y = oneHot(32, 4, 2);
    for (int i = 0; i < 60; i++) {
      net.fit(new DataSet(x, y));
    }
    return net;
  }
}
