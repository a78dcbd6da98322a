package org.sparktrain.ml;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.sparktrain.spec.JobSpec;
import org.sparktrain.spec.SpecException;

/** The estimators' Params become job fields; the output layer follows from the task. */
class NetworkJobsTest {
  private static List<String> layers(JobSpec spec) {
    return spec.model().layers().stream().map(l -> l.type() + ":" + l.units() + ":" + l.activation() + ":" + l.loss()).toList();
  }

  @Test
  void paramsMapOntoTheJobFields() {
    NeuralNetClassifier c =
        new NeuralNetClassifier().setLayers(8, 4).setActivation("tanh").setEpochs(3).setBatchSize(20).setUpdater("sgd")
            .setLearningRate(0.05).setStrategy("synchronous").setWorkers(2).setSeed(7).setValidationFraction(0.25)
            .setJobSettings("model.l2=0.001", "strategy.averaging_frequency=3");
    JobSpec spec = NetworkJobs.job(c, 5, 2).spec();
    assertEquals(List.of("dense:8:tanh:null", "dense:4:tanh:null", "output:1:sigmoid:binary_crossentropy"), layers(spec));
    assertEquals(List.of("f0", "f1", "f2", "f3", "f4"), spec.data().features().numeric());
    assertEquals("none", spec.data().features().scaling());
    assertEquals("binary", spec.data().label().kind());
    assertEquals(new JobSpec.SplitSpec(0.75, 0.25, 0), spec.data().split());
    assertEquals(new JobSpec.TrainingSpec(3, 20, "sgd", 0.05, 0.9, 0.95), spec.training());
    assertEquals("synchronous", spec.strategy().type());
    assertEquals(2, spec.strategy().workers());
    assertEquals(3, spec.strategy().averagingFrequency());
    assertEquals(7, spec.seed());
    assertEquals(0.001, spec.model().l2());
  }

  @Test
  void moreClassesAreASoftmaxAndARegressionOneLinearUnit() {
    JobSpec three = NetworkJobs.job(new NeuralNetClassifier(), 2, 3).spec();
    assertEquals(List.of("dense:16:relu:null", "output:3:softmax:categorical_crossentropy"), layers(three));
    assertEquals(3, three.data().label().classes());
    JobSpec regression = NetworkJobs.job(new NeuralNetRegressor().setLayers(), 2, 0).spec();
    assertEquals(List.of("output:1:identity:mse"), layers(regression));
    assertEquals("numeric", regression.data().label().kind());
  }

  @Test
  void badValuesAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> new NeuralNetClassifier().setEpochs(0));
    assertThrows(IllegalArgumentException.class, () -> new NeuralNetClassifier().setStrategy("gossip"));
    SpecException e =
        assertThrows(SpecException.class, () -> NetworkJobs.job(new NeuralNetClassifier().setJobSettings("training.momentum=2"), 2, 2));
    assertEquals("training.momentum", e.violations().get(0).path());
  }

  @Test
  void copiesKeepTheUidAndTheParams() {
    NeuralNetClassifier c = new NeuralNetClassifier().setLayers(3).setLearningRate(0.1);
    NeuralNetClassifier copy = c.copy(new org.apache.spark.ml.param.ParamMap().put(c.epochs(), 4));
    assertEquals(c.uid(), copy.uid());
    assertArrayEquals(new int[] {3}, copy.getLayers());
    assertEquals(0.1, copy.getLearningRate());
    assertEquals(4, copy.getEpochs());
    assertEquals(10, c.getEpochs());
    assertEquals(c.uid(), c.featuresCol().parent(), "MLlib's own Params belong to the estimator's uid");
  }

  @Test
  void probabilitiesAndPredictionsFollowMllib() {
    assertArrayEquals(new double[] {0.75, 0.25}, VectorScoring.probabilities(new float[] {0.25f}), 1e-7);
    assertEquals(0, VectorScoring.predict(new double[] {0.75, 0.25}, null));
    assertEquals(1, VectorScoring.predict(new double[] {0.75, 0.25}, new double[] {0.9, 0.1}));
    assertEquals(2, VectorScoring.predict(new double[] {0.2, 0.3, 0.5}, null));
  }
}
