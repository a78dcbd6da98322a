package org.sparktrain.strategy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.preprocessor.CnnToFeedForwardPreProcessor;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

class WorkerDenseLayerTest {
  private static MultiLayerConfiguration conf() {
    return new NeuralNetConfiguration.Builder().seed(9).updater(new Adam(5e-3)).l2(1e-4).list()
        .layer(new DenseLayer.Builder().nIn(12).nOut(32).activation(Activation.RELU).dropOut(0.8).build())
        .layer(new DenseLayer.Builder().nIn(32).nOut(16).activation(Activation.SWISH).build())
        .layer(new DenseLayer.Builder().nIn(16).nOut(16).activation(Activation.TANH).hasBias(false).build())
        .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(16).nOut(3).activation(Activation.SOFTMAX).build())
        .build();
  }

  private static List<DataSet> data() {
    Nd4j.getRandom().setSeed(17);
    List<DataSet> out = new ArrayList<>();
    for (int b = 0; b < 25; b++) {
      INDArray x = Nd4j.rand(DataType.FLOAT, 20, 12);
      INDArray y = Nd4j.zeros(DataType.FLOAT, 20, 3);
      for (int r = 0; r < 20; r++) {
        y.putScalar(r, (r + b) % 3, 1);
      }
      out.add(new DataSet(x, y));
    }
    return out;
  }

  private static MultiLayerNetwork train(MultiLayerConfiguration conf, List<DataSet> data) {
    MultiLayerNetwork net = new MultiLayerNetwork(conf);
    net.init();
    Nd4j.getRandom().setSeed(23); // the same dropout masks for both networks
    for (int epoch = 0; epoch < 2; epoch++) {
      for (DataSet d : data) {
        net.fit(d);
      }
    }
    return net;
  }

  @Test
  void trainsBitForBitAsDl4jDoesWithoutComputingZTwice() {
    List<DataSet> data = data();
    MultiLayerNetwork plain = train(conf(), data);
    MultiLayerConfiguration workerConf = WorkerDenseLayer.install(conf());
    assertSame(WorkerDenseLayer.class, workerConf.getConf(0).getLayer().getClass());
    assertSame(OutputLayer.class, workerConf.getConf(3).getLayer().getClass(), "other layers stay");
    DenseLayer copied = (DenseLayer) workerConf.getConf(0).getLayer();
    DenseLayer original = (DenseLayer) conf().getConf(0).getLayer();
    assertEquals(original.getIDropout(), copied.getIDropout(), "the configuration was copied");
    assertEquals(original.getActivationFn(), copied.getActivationFn());
    assertEquals(32, copied.getNOut());
    MultiLayerNetwork worker = train(workerConf, data);

    assertArrayEquals(plain.params().toFloatVector(), worker.params().toFloatVector(), "parameters");
    assertArrayEquals(plain.getUpdater().getStateViewArray().toFloatVector(),
        worker.getUpdater().getStateViewArray().toFloatVector(), "updater state");
    assertEquals(plain.score(), worker.score(), 0.0);
    WorkerDenseLayer.Impl first = assertInstanceOf(WorkerDenseLayer.Impl.class, worker.getLayer(0));
    WorkerDenseLayer.Impl second = (WorkerDenseLayer.Impl) worker.getLayer(1);
    WorkerDenseLayer.Impl noBias = (WorkerDenseLayer.Impl) worker.getLayer(2);
    assertEquals(50, first.reused(), "every backward pass took the kept z");
    assertEquals(50, second.reused());
    assertEquals(50, noBias.reused());
    assertEquals(50, first.inputGradientsSkipped(), "the first layer's input gradient is never computed");
    assertEquals(0, second.inputGradientsSkipped(), "later layers pass theirs on");
    assertEquals(0, noBias.inputGradientsSkipped());
    INDArray x = data.get(0).getFeatures();
    assertEquals(plain.output(x), worker.output(x), "inference");
    assertTrue(worker.params().sub(initial()).amaxNumber().doubleValue() > 1e-3, "training moved the parameters");
  }

  @Test
  void aFirstLayerBehindAnInputPreprocessorStillComputesItsInputGradient() {
    MultiLayerConfiguration conf = conf();
    conf.getInputPreProcessors().put(0, new CnnToFeedForwardPreProcessor(2, 2, 3));
    List<DataSet> data = new ArrayList<>();
    for (DataSet d : data()) {
      data.add(new DataSet(d.getFeatures().reshape('c', 20, 3, 2, 2), d.getLabels()));
    }
    MultiLayerNetwork plain = train(conf.clone(), data);
    MultiLayerNetwork worker = train(WorkerDenseLayer.install(conf), data);

    assertArrayEquals(plain.params().toFloatVector(), worker.params().toFloatVector(), "parameters");
    WorkerDenseLayer.Impl first = (WorkerDenseLayer.Impl) worker.getLayer(0);
    assertEquals(50, first.reused());
    assertEquals(0, first.inputGradientsSkipped(), "the preprocessor is handed the gradient");
  }

  private static INDArray initial() {
    MultiLayerNetwork net = new MultiLayerNetwork(conf());
    net.init();
    return net.params();
  }
}
