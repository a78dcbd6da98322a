package org.sparktrain.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.sparktrain.TestJobs;
import org.sparktrain.spec.JobSpec;

/**
 * The Keras model definition in jobs/keras, imported with its HDF5 weights, computes what numpy
 * computed from the same weights (jobs/keras/churn-mlp.expected.json, written by
 * deploy/make-keras-churn-mlp.py), and trains with the job's updater.
 */
class KerasImportTest {
  private static final Path KERAS = TestJobs.repoRoot().resolve("jobs/keras");

  private static JobSpec job(String... more) {
    String[] base = {
      "model.keras.config=" + KERAS.resolve("churn-mlp.json"),
      "model.keras.weights=" + KERAS.resolve("churn-mlp.h5")
    };
    String[] all = new String[base.length + more.length];
    System.arraycopy(base, 0, all, 0, base.length);
    System.arraycopy(more, 0, all, base.length, more.length);
    return TestJobs.job("keras-import.yaml", all);
  }

  @Test
  void importedOutputsMatchNumpyFromTheSameWeights() throws Exception {
    @SuppressWarnings("unchecked")
    Map<String, List<List<Double>>> expected =
        new ObjectMapper().readValue(KERAS.resolve("churn-mlp.expected.json").toFile(), Map.class);
    MultiLayerNetwork net = KerasSource.network(job(), "binary", 13, 1, new Configuration());
    assertTrue(net.getLayerWiseConfigurations().getConf(net.getnLayers() - 1).getLayer() instanceof OutputLayer);
    List<List<Double>> inputs = expected.get("inputs");
    float[][] x = new float[inputs.size()][];
    for (int i = 0; i < x.length; i++) {
      x[i] = new float[inputs.get(i).size()];
      for (int j = 0; j < x[i].length; j++) {
        x[i][j] = inputs.get(i).get(j).floatValue();
      }
    }
    INDArray out = net.output(Nd4j.create(x), false);
    List<List<Double>> want = expected.get("outputs");
    double worst = 0;
    for (int i = 0; i < x.length; i++) {
      worst = Math.max(worst, Math.abs(out.getDouble(i, 0) - want.get(i).get(0)));
    }
    assertTrue(worst < 1e-5, "largest difference from the numpy reference: " + worst);
    // The outputs differ from one another, so the comparison is not trivially met by a constant.
    assertTrue(Math.abs(want.get(0).get(0) - want.get(1).get(0)) > 1e-3);
  }

  @Test
  void trainingSettingsComeFromTheJobAndTheNetworkLearns() {
    MultiLayerNetwork net = KerasSource.network(job("training.learning_rate=0.02"), "binary", 13, 1, new Configuration());
    var updater = ((org.deeplearning4j.nn.conf.layers.BaseLayer) net.getLayerWiseConfigurations().getConf(0).getLayer()).getIUpdater();
    assertTrue(updater instanceof Adam, "updater " + updater);
    assertEquals(0.02, ((Adam) updater).getLearningRate(), 1e-12);
    // A rule the network can learn from its 13 inputs: positive when the first two sum above 0.
    Nd4j.getRandom().setSeed(3);
    INDArray x = Nd4j.randn(DataType.FLOAT, 256, 13);
    INDArray y = x.getColumn(0).add(x.getColumn(1)).gt(0).castTo(DataType.FLOAT).reshape(256, 1);
    DataSet ds = new DataSet(x, y);
    double before = net.score(ds, false);
    for (int i = 0; i < 60; i++) {
      net.fit(ds);
    }
    double after = net.score(ds, false);
    assertTrue(after < 0.6 * before, "loss " + before + " -> " + after);
  }

  @Test
  void wrongInputSizeIsBadInput() {
    ModelException e =
        assertThrows(ModelException.class, () -> KerasSource.network(job(), "binary", 12, 1, new Configuration()));
    assertTrue(e.getMessage().contains("takes 13 inputs") && e.getMessage().contains("12 features"), e.getMessage());
  }

  @Test
  void missingDefinitionIsBadInput() {
    JobSpec spec = TestJobs.job("keras-import.yaml", "model.keras.config=" + KERAS.resolve("nope.json"),
        "model.keras.weights=" + KERAS.resolve("churn-mlp.h5"));
    ModelException e =
        assertThrows(ModelException.class, () -> KerasSource.network(spec, "binary", 13, 1, new Configuration()));
    assertTrue(e.getMessage().contains("model.keras.config: no such file"), e.getMessage());
  }
}
