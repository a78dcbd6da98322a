package org.sparktrain.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.ILossFunction;
import org.sparktrain.TestJobs;
import org.sparktrain.spec.JobSpec;

/** The from-logits losses: values, gradients, extreme logits, and the model file. */
class LossesTest {
  private static final ActivationIdentity ID = new ActivationIdentity();

  private static INDArray m(double[][] v) {
    return Nd4j.createFromArray(v).castTo(DataType.DOUBLE);
  }

  @Test
  void sigmoidFromLogitsMatchesCrossEntropyOfTheSigmoid() {
    INDArray z = m(new double[][] {{0.3}, {-2.0}});
    INDArray y = m(new double[][] {{1}, {0}});
    double expected = (-Math.log(1 / (1 + Math.exp(-0.3))) - Math.log(1 - 1 / (1 + Math.exp(2.0)))) / 2;
    assertEquals(expected, new Losses.SigmoidXentFromLogits().computeScore(y, z, ID, null, true), 1e-9);
    INDArray g = new Losses.SigmoidXentFromLogits().computeGradient(y, z, ID, null);
    assertEquals(1 / (1 + Math.exp(-0.3)) - 1, g.getDouble(0, 0), 1e-9);
  }

  @Test
  void softmaxFromLogitsMatchesNumericalGradient() {
    ILossFunction loss = new Losses.SoftmaxXentFromLogits();
    INDArray z = m(new double[][] {{1.0, -0.5, 2.0}, {0.1, 0.2, 0.3}});
    INDArray y = m(new double[][] {{0, 0, 1}, {1, 0, 0}});
    double lse = Math.log(Math.exp(1.0) + Math.exp(-0.5) + Math.exp(2.0));
    assertEquals(lse - 2.0, loss.computeScoreArray(y, z, ID, null).getDouble(0), 1e-9);
    INDArray g = loss.computeGradient(y, z, ID, null);
    for (int i = 0; i < 2; i++) {
      for (int j = 0; j < 3; j++) {
        INDArray up = z.dup();
        up.putScalar(i, j, z.getDouble(i, j) + 1e-6);
        INDArray down = z.dup();
        down.putScalar(i, j, z.getDouble(i, j) - 1e-6);
        double numerical = (loss.computeScore(y, up, ID, null, false) - loss.computeScore(y, down, ID, null, false)) / 2e-6;
        assertEquals(numerical, g.getDouble(i, j), 1e-5);
      }
    }
  }

  @Test
  void extremeLogitsStayFinite() {
    INDArray z = m(new double[][] {{1000.0, -1000.0}});
    INDArray y = m(new double[][] {{0, 1}});
    double s = new Losses.SoftmaxXentFromLogits().computeScore(y, z, ID, null, true);
    assertEquals(2000.0, s, 1e-6);
    double b = new Losses.SigmoidXentFromLogits().computeScore(m(new double[][] {{0}}), m(new double[][] {{800}}), ID, null, true);
    assertEquals(800.0, b, 1e-6);
  }

  @Test
  void fromLogitsNetworksSerializeAndReportProbabilities() {
    JobSpec spec = TestJobs.job("sequence-lstm.yaml");
    MultiLayerNetwork net = NetworkFactory.network(spec, InputDims.declared(spec), 4);
    MultiLayerConfiguration back = MultiLayerConfiguration.fromJson(net.getLayerWiseConfigurations().toJson());
    assertEquals(net.getLayerWiseConfigurations(), back);
    INDArray p = Losses.probabilities(net, net.output(Nd4j.rand(DataType.FLOAT, 3, 1, 64)));
    for (int i = 0; i < 3; i++) {
      assertEquals(1.0, p.getRow(i).sumNumber().doubleValue(), 1e-5);
      assertTrue(p.getRow(i).minNumber().doubleValue() >= 0);
    }
  }
}
