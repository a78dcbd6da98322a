package org.sparktrain.strategy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.Function;
import org.deeplearning4j.nn.conf.GradientNormalization;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.learning.config.RmsProp;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

class DenseStackFitTest {
  private static final int IN = 12;
  private static final int CLASSES = 5;

  private static NeuralNetConfiguration.ListBuilder base(IUpdater updater) {
    return new NeuralNetConfiguration.Builder().seed(7).updater(updater).list();
  }

  private static MultiLayerConfiguration mlp(IUpdater updater, Activation hidden, Activation second) {
    return base(updater)
        .layer(new DenseLayer.Builder().nIn(IN).nOut(24).activation(hidden).build())
        .layer(new DenseLayer.Builder().nIn(24).nOut(16).activation(second).build())
        .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(16).nOut(CLASSES)
            .activation(Activation.SOFTMAX).build())
        .build();
  }

  private static INDArray oneHot(int rows, long seed) {
    INDArray y = Nd4j.zeros(DataType.FLOAT, rows, CLASSES);
    for (int r = 0; r < rows; r++) {
      y.putScalar(r, (int) ((r * 7 + seed) % CLASSES), 1);
    }
    return y;
  }

  /** 40 minibatches of 32 and, every fourth, one of 9 (a partition's last). */
  private static DataSet[] minibatches() {
    Nd4j.getRandom().setSeed(3);
    DataSet[] out = new DataSet[40];
    for (int i = 0; i < out.length; i++) {
      int rows = i % 4 == 3 ? 9 : 32;
      out[i] = new DataSet(Nd4j.rand(DataType.FLOAT, rows, IN).subi(0.3).muli(2), oneHot(rows, i));
    }
    return out;
  }

  /** Trains DL4J's network and the workers' on the same minibatches; asserts they end in step. */
  private static WorkerNetworks.WorkerNetwork trainsAsDl4j(MultiLayerConfiguration conf, double tolerance) {
    MultiLayerNetwork dl4j = new MultiLayerNetwork(conf.clone());
    dl4j.init();
    WorkerNetworks.WorkerNetwork worker = (WorkerNetworks.WorkerNetwork) WorkerNetworks.build(conf.toJson());
    worker.init();
    assertEquals(0, dl4j.params().sub(worker.params()).amaxNumber().doubleValue(), "same initial parameters");
    DataSet[] data = minibatches();
    for (DataSet d : data) {
      dl4j.fit(d);
      worker.fit(d);
      assertEquals(dl4j.score(), worker.score(), tolerance * Math.max(1, Math.abs(dl4j.score())), "score");
    }
    assertEquals(0, dl4j.params().sub(worker.params()).amaxNumber().doubleValue(), tolerance, "parameters");
    INDArray u1 = dl4j.getUpdater().getStateViewArray();
    INDArray u2 = worker.getUpdater().getStateViewArray();
    if (u1 != null) {
      assertEquals(0, u1.sub(u2).amaxNumber().doubleValue(), tolerance, "updater state");
    }
    assertEquals(dl4j.getIterationCount(), worker.getIterationCount(), "iterations");
    assertTrue(dl4j.params().sub(initial(conf)).amaxNumber().doubleValue() > 1e-3, "training moved the parameters");
    return worker;
  }

  private static INDArray initial(MultiLayerConfiguration conf) {
    MultiLayerNetwork net = new MultiLayerNetwork(conf.clone());
    net.init();
    return net.params();
  }

  @Test
  void reluMlpWithAdamTrainsAsDl4j() {
    WorkerNetworks.WorkerNetwork w = trainsAsDl4j(mlp(new Adam(1e-2), Activation.RELU, Activation.RELU), 1e-5);
    assertNotNull(w.dense(), "the dense step took the network");
    assertEquals(40, w.dense().fitted(), "every minibatch, the short ones too");
  }

  @Test
  void otherActivationsAndUpdatersTrainAsDl4j() {
    for (Activation[] a : new Activation[][] {{Activation.TANH, Activation.SIGMOID}, {Activation.LEAKYRELU, Activation.IDENTITY}}) {
      for (IUpdater u : new IUpdater[] {new Sgd(0.1), new Nesterovs(0.05, 0.9), new RmsProp(1e-2)}) {
        WorkerNetworks.WorkerNetwork w = trainsAsDl4j(mlp(u, a[0], a[1]), 1e-5);
        assertEquals(40, w.dense().fitted(), a[0] + "/" + a[1] + " " + u);
      }
    }
  }

  @Test
  void binaryCrossEntropyAndSquaredErrorOutputsTrainAsDl4j() {
    Object[][] outputs = {
        {LossFunctions.LossFunction.XENT, Activation.SIGMOID},
        {LossFunctions.LossFunction.MSE, Activation.IDENTITY},
        {LossFunctions.LossFunction.MSE, Activation.SIGMOID},
        {LossFunctions.LossFunction.MSE, Activation.TANH}};
    for (Object[] o : outputs) {
      MultiLayerConfiguration conf = base(new Adam(1e-2))
          .layer(new DenseLayer.Builder().nIn(IN).nOut(24).activation(Activation.RELU).build())
          .layer(new OutputLayer.Builder((LossFunctions.LossFunction) o[0]).nIn(24).nOut(CLASSES)
              .activation((Activation) o[1]).build())
          .build();
      WorkerNetworks.WorkerNetwork w = trainsAsDl4j(conf, 1e-5);
      assertEquals(40, w.dense().fitted(), o[0] + " after " + o[1]);
    }
  }

  @Test
  void regularizationAndGradientNormalizationGoThroughDl4jsUpdater() {
    MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(7).updater(new Adam(1e-2)).l2(1e-3).l1(1e-4)
        .gradientNormalization(GradientNormalization.ClipL2PerLayer).gradientNormalizationThreshold(0.5).list()
        .layer(new DenseLayer.Builder().nIn(IN).nOut(24).activation(Activation.RELU).build())
        .layer(new DenseLayer.Builder().nIn(24).nOut(16).activation(Activation.RELU).hasBias(false).build())
        .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(16).nOut(CLASSES)
            .activation(Activation.SOFTMAX).build())
        .build();
    WorkerNetworks.WorkerNetwork w = trainsAsDl4j(conf, 1e-5);
    assertEquals(40, w.dense().fitted());
  }

  @Test
  void whatItDoesNotTakeTrainsThroughDl4jsFit() {
    Function<NeuralNetConfiguration.ListBuilder, MultiLayerConfiguration> out = b -> b
        .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(16).nOut(CLASSES)
            .activation(Activation.SOFTMAX).build())
        .build();
    MultiLayerConfiguration[] others = {
        out.apply(base(new Adam(1e-2)).layer(new DenseLayer.Builder().nIn(IN).nOut(16).activation(Activation.ELU).build())),
        out.apply(base(new Adam(1e-2)).layer(new DenseLayer.Builder().nIn(IN).nOut(16).dropOut(0.8).build())),
        base(new Adam(1e-2)).layer(new DenseLayer.Builder().nIn(IN).nOut(16).build())
            .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MEAN_ABSOLUTE_ERROR).nIn(16).nOut(CLASSES)
                .activation(Activation.IDENTITY).build())
            .build(),
        base(new Adam(1e-2)).layer(new DenseLayer.Builder().nOut(16).build())
            .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(CLASSES).activation(Activation.SOFTMAX).build())
            .setInputType(InputType.convolutional(3, 4, 1)).build()};
    for (MultiLayerConfiguration conf : others) {
      WorkerNetworks.WorkerNetwork w = (WorkerNetworks.WorkerNetwork) WorkerNetworks.build(conf.toJson());
      w.init();
      DataSet d = minibatches()[0];
      if (conf.getInputPreProcess(0) != null) {
        d = new DataSet(d.getFeatures().reshape(32, 1, 3, 4), d.getLabels());
      }
      w.fit(d);
      assertNull(w.dense(), conf.toJson());
      assertTrue(Double.isFinite(w.score()));
    }
  }

  @Test
  void aMaskedMinibatchTakesDl4jsFitOnTheSameState() {
    MultiLayerConfiguration conf = mlp(new Adam(1e-2), Activation.RELU, Activation.RELU);
    MultiLayerNetwork dl4j = new MultiLayerNetwork(conf.clone());
    dl4j.init();
    WorkerNetworks.WorkerNetwork worker = (WorkerNetworks.WorkerNetwork) WorkerNetworks.build(conf.toJson());
    worker.init();
    DataSet[] data = minibatches();
    for (int i = 0; i < 12; i++) {
      DataSet d = data[i];
      if (i % 3 == 1) {
        d = new DataSet(d.getFeatures(), d.getLabels(), null, Nd4j.ones(DataType.FLOAT, d.getLabels().size(0), 1));
      }
      dl4j.fit(d);
      worker.fit(d);
    }
    assertEquals(8, worker.dense().fitted(), "the masked ones went through DL4J");
    assertEquals(0, dl4j.params().sub(worker.params()).amaxNumber().doubleValue(), 1e-5);
    assertEquals(dl4j.getIterationCount(), worker.getIterationCount());
  }

  @Test
  void inferenceGivesDl4jsOutputsAndScore() {
    Object[][] outputs = {
        {LossFunctions.LossFunction.MCXENT, Activation.SOFTMAX},
        {LossFunctions.LossFunction.XENT, Activation.SIGMOID},
        {LossFunctions.LossFunction.MSE, Activation.IDENTITY},
        {LossFunctions.LossFunction.MSE, Activation.TANH}};
    for (Object[] o : outputs) {
      MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(7).updater(new Adam(1e-2)).l2(1e-3)
          .list()
          .layer(new DenseLayer.Builder().nIn(IN).nOut(24).activation(Activation.LEAKYRELU).build())
          .layer(new DenseLayer.Builder().nIn(24).nOut(16).activation(Activation.TANH).build())
          .layer(new OutputLayer.Builder((LossFunctions.LossFunction) o[0]).nIn(16).nOut(CLASSES)
              .activation((Activation) o[1]).build())
          .build();
      MultiLayerNetwork net = new MultiLayerNetwork(conf);
      net.init();
      for (DataSet d : minibatches()) {
        net.fit(d); // parameters away from their initial values
      }
      DenseStackFit dense = DenseStackFit.forInference(net);
      assertNotNull(dense, o[0] + " after " + o[1]);
      // Rows 8-40 of a larger matrix: a view that starts inside its buffer.
      DataSet all = minibatches()[0];
      INDArray x = Nd4j.vstack(all.getFeatures(), all.getFeatures()).get(
          org.nd4j.linalg.indexing.NDArrayIndex.interval(8, 40), org.nd4j.linalg.indexing.NDArrayIndex.all());
      INDArray y = Nd4j.vstack(all.getLabels(), all.getLabels()).get(
          org.nd4j.linalg.indexing.NDArrayIndex.interval(8, 40), org.nd4j.linalg.indexing.NDArrayIndex.all());
      assertTrue(dense.fits(x, y, null, null));
      float[] out = dense.output(x);
      float[] expected = net.output(x, false).dup('c').data().asFloat();
      assertEquals(expected.length, out.length);
      for (int i = 0; i < out.length; i++) {
        assertEquals(expected[i], out[i], 1e-5, o[0] + " output " + i);
      }
      double score = dense.lossSum(out, y.dup('c').data().asFloat()) / 32 + net.calcRegularizationScore(true);
      assertEquals(net.score(new DataSet(x, y), false), score, 1e-5, o[0] + " after " + o[1]);
    }
  }
}
