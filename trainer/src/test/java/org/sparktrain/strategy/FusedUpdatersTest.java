package org.sparktrain.strategy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.RmsProp;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.nd4j.linalg.schedule.ScheduleType;
import org.nd4j.linalg.schedule.StepSchedule;

class FusedUpdatersTest {
  private static double maxDiff(INDArray a, INDArray b) {
    return a.castTo(DataType.DOUBLE).sub(b.castTo(DataType.DOUBLE)).amaxNumber().doubleValue();
  }

  /** Both updaters on the same gradients, over more than one chunk and a step schedule. */
  @Test
  void computesDl4jsAdamStepForStep() {
    int n = 3 * 8192 + 17;
    Adam config = new Adam(new StepSchedule(ScheduleType.ITERATION, 1e-2, 0.5, 10));
    config.setEpsilon(1e-7);
    INDArray viewDl4j = Nd4j.zeros(DataType.FLOAT, 1, 2L * n);
    INDArray viewFused = Nd4j.zeros(DataType.FLOAT, 1, 2L * n);
    GradientUpdater<?> dl4j = config.instantiate(viewDl4j, true);
    GradientUpdater<?> fused = new FusedUpdaters.FusedAdam(config).instantiate(viewFused, true);
    assertInstanceOf(FusedUpdaters.FusedAdam.Updater.class, fused);
    // the gradient is a view into a larger flattened array, as DL4J passes an updater block's part
    INDArray all = Nd4j.zeros(DataType.FLOAT, 1, n + 100);
    INDArray g = all.get(NDArrayIndex.point(0), NDArrayIndex.interval(50, 50 + n)).reshape(1, n);
    Nd4j.getRandom().setSeed(11);
    double worstUpdate = 0;
    for (int it = 0; it < 25; it++) {
      INDArray grad = Nd4j.randn(DataType.FLOAT, 1, n).muli(it % 3 == 0 ? 5 : 0.01);
      INDArray expected = grad.dup();
      dl4j.applyUpdater(expected, it, 0);
      g.assign(grad);
      fused.applyUpdater(g, it, 0);
      worstUpdate = Math.max(worstUpdate, maxDiff(expected, g) / expected.amaxNumber().doubleValue());
      assertEquals(0.0, all.get(NDArrayIndex.point(0), NDArrayIndex.interval(0, 50)).amaxNumber().doubleValue(),
          "nothing outside the block is written");
    }
    assertTrue(worstUpdate < 1e-5, "largest relative difference of an update: " + worstUpdate);
    assertTrue(maxDiff(viewDl4j, viewFused) <= 1e-6 * viewDl4j.amaxNumber().doubleValue(),
        "state: " + maxDiff(viewDl4j, viewFused));
    assertTrue(viewFused.amaxNumber().doubleValue() > 1, "the state moved");
  }

  @Test
  void computesDl4jsRmsPropStepForStep() {
    int n = 2 * 8192 + 5;
    RmsProp config = new RmsProp(new StepSchedule(ScheduleType.ITERATION, 1e-2, 0.5, 10));
    config.setRmsDecay(0.9);
    INDArray viewDl4j = Nd4j.zeros(DataType.FLOAT, 1, n);
    INDArray viewFused = Nd4j.zeros(DataType.FLOAT, 1, n);
    GradientUpdater<?> dl4j = config.instantiate(viewDl4j, true);
    GradientUpdater<?> fused = new FusedUpdaters.FusedRmsProp(config).instantiate(viewFused, true);
    assertInstanceOf(FusedUpdaters.FusedRmsProp.Updater.class, fused);
    assertEquals(viewDl4j.getDouble(0), viewFused.getDouble(0), "the state starts as DL4J's does");
    Nd4j.getRandom().setSeed(12);
    double worst = 0;
    for (int it = 0; it < 25; it++) {
      INDArray expected = Nd4j.randn(DataType.FLOAT, 1, n).muli(it % 3 == 0 ? 5 : 0.01);
      INDArray g = expected.dup();
      dl4j.applyUpdater(expected, it, 0);
      fused.applyUpdater(g, it, 0);
      worst = Math.max(worst, maxDiff(expected, g) / expected.amaxNumber().doubleValue());
    }
    assertTrue(worst < 1e-5, "largest relative difference of an update: " + worst);
    assertTrue(maxDiff(viewDl4j, viewFused) <= 1e-6 * viewDl4j.amaxNumber().doubleValue(), "state");
  }

  private static MultiLayerConfiguration conf(DataType type) {
    return new NeuralNetConfiguration.Builder().seed(5).dataType(type).updater(new Adam(3e-3)).list()
        .layer(new DenseLayer.Builder().nIn(12).nOut(40).activation(Activation.RELU).build())
        .layer(new DenseLayer.Builder().nIn(40).nOut(20).activation(Activation.TANH).updater(new Sgd(0.05)).build())
        .layer(new DenseLayer.Builder().nIn(20).nOut(20).activation(Activation.ELU).updater(new RmsProp(1e-3)).build())
        .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(20).nOut(4).activation(Activation.SOFTMAX)
            .biasUpdater(new Adam(1e-2)).build())
        .build();
  }

  private static MultiLayerNetwork fit(MultiLayerConfiguration conf, DataType type) {
    MultiLayerNetwork net = new MultiLayerNetwork(conf);
    net.init();
    Nd4j.getRandom().setSeed(21);
    for (int b = 0; b < 30; b++) {
      INDArray x = Nd4j.rand(type, 16, 12);
      INDArray y = Nd4j.zeros(type, 16, 4);
      for (int r = 0; r < 16; r++) {
        y.putScalar(r, (r * 7 + b) % 4, 1);
      }
      net.fit(new DataSet(x, y));
    }
    return net;
  }

  @Test
  void installSwitchesOnlyAdamAndRmsPropAndTrainsTheSameNetwork() {
    MultiLayerConfiguration fusedConf = FusedUpdaters.install(conf(DataType.FLOAT));
    BaseLayer first = (BaseLayer) fusedConf.getConf(0).getLayer();
    BaseLayer second = (BaseLayer) fusedConf.getConf(1).getLayer();
    BaseLayer third = (BaseLayer) fusedConf.getConf(2).getLayer();
    BaseLayer out = (BaseLayer) fusedConf.getConf(3).getLayer();
    assertInstanceOf(FusedUpdaters.FusedRmsProp.class, third.getIUpdater());
    assertInstanceOf(FusedUpdaters.FusedAdam.class, first.getIUpdater());
    assertEquals(null, first.getBiasUpdater(), "biases without their own updater use the layer's");
    assertSame(Sgd.class, second.getIUpdater().getClass(), "other updaters stay");
    assertInstanceOf(FusedUpdaters.FusedAdam.class, out.getBiasUpdater());
    assertEquals(1e-2, ((Adam) out.getBiasUpdater()).getLearningRate(), "the bias updater keeps its own rate");
    assertInstanceOf(FusedUpdaters.FusedAdam.class, ((BaseLayer) fusedConf.clone().getConf(0).getLayer()).getIUpdater(),
        "a cloned configuration keeps it");

    MultiLayerNetwork plain = fit(conf(DataType.FLOAT), DataType.FLOAT);
    MultiLayerNetwork fused = fit(fusedConf, DataType.FLOAT);
    double moved = maxDiff(plain.params(), initial());
    assertTrue(moved > 1e-2, "training moved the parameters by " + moved);
    double diff = maxDiff(plain.params(), fused.params());
    assertTrue(diff < 1e-5, "parameters differ by " + diff);
    assertTrue(maxDiff(plain.getUpdater().getStateViewArray(), fused.getUpdater().getStateViewArray()) < 1e-5,
        "the updater state has the same layout and values");
  }

  private static INDArray initial() {
    MultiLayerNetwork net = new MultiLayerNetwork(conf(DataType.FLOAT));
    net.init();
    return net.params();
  }

  @Test
  void doublePrecisionTakesDl4jsOpAndMatchesItExactly() {
    MultiLayerNetwork plain = fit(conf(DataType.DOUBLE), DataType.DOUBLE);
    MultiLayerNetwork fused = fit(FusedUpdaters.install(conf(DataType.DOUBLE)), DataType.DOUBLE);
    assertArrayEquals(plain.params().toDoubleVector(), fused.params().toDoubleVector());
  }
}
