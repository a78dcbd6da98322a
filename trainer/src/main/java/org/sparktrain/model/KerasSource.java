package org.sparktrain.model;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.BaseOutputLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.modelimport.keras.KerasModelImport;
import org.deeplearning4j.nn.modelimport.keras.exceptions.InvalidKerasConfigurationException;
import org.deeplearning4j.nn.modelimport.keras.exceptions.UnsupportedKerasConfigurationException;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.transferlearning.TransferLearning;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;
import org.sparktrain.spec.JobSpec;

/**
 * A Keras Sequential model definition (and optionally its HDF5 weights) as the network to train,
 * through DL4J's Keras import. A definition from {@code model.to_json()} carries no loss, so its
 * last Dense layer becomes an output layer with the loss that fits the label kind; the updater and
 * learning rate come from the job file.
 */
final class KerasSource {
  private KerasSource() {}

  static MultiLayerNetwork network(JobSpec spec, String labelKind, int inputs, int outputs, Configuration hadoop) {
    String config = spec.model().source().kerasConfig();
    String weights = spec.model().source().kerasWeights();
    java.nio.file.Path localConfig = null;
    java.nio.file.Path localWeights = null;
    try {
      localConfig = local(config, "model.keras.config", hadoop);
      MultiLayerNetwork imported;
      try {
        if (weights != null) {
          localWeights = local(weights, "model.keras.weights", hadoop);
          imported = KerasModelImport.importKerasSequentialModelAndWeights(
              localConfig.toString(), localWeights.toString(), false);
        } else {
          MultiLayerConfiguration conf =
              KerasModelImport.importKerasSequentialConfiguration(localConfig.toString(), false);
          imported = new MultiLayerNetwork(conf);
          imported.init();
        }
      } catch (InvalidKerasConfigurationException | UnsupportedKerasConfigurationException | RuntimeException e) {
        throw new ModelException(
            "model.keras: cannot import " + config + (weights != null ? " with weights " + weights : "") + ": " + e.getMessage()
                + "; expected a Keras Sequential model from model.to_json() (Dense, Dropout and similar layers DL4J"
                + " imports)" + (weights != null ? " and an HDF5 weights file from model.save_weights() for it" : ""),
            e);
      }
      MultiLayerNetwork net = withOutputLayer(imported, Losses.lossFunction(lossFor(labelKind)));
      Transfer.requireInputs(net, inputs, "the Keras model " + config);
      net = new TransferLearning.Builder(net).fineTuneConfiguration(Transfer.fineTune(spec)).build();
      Transfer.requireOutputs(net, outputs, "the Keras model " + config, spec);
      return net;
    } catch (IOException e) {
      throw new UncheckedIOException("reading the Keras model " + config, e);
    } finally {
      delete(localConfig);
      delete(localWeights);
    }
  }

  /** The loss for an imported network's output, from the label kind. */
  static String lossFor(String labelKind) {
    return switch (labelKind) {
      case "binary", "multi_label" -> "binary_crossentropy";
      case "class_index" -> "categorical_crossentropy";
      default -> "mse";
    };
  }

  /** The network with its last Dense layer turned into an output layer with {@code loss}, weights kept. */
  static MultiLayerNetwork withOutputLayer(MultiLayerNetwork net, LossFunction loss) {
    int last = net.getnLayers() - 1;
    MultiLayerConfiguration conf = net.getLayerWiseConfigurations().clone();
    NeuralNetConfiguration c = conf.getConf(last);
    if (c.getLayer() instanceof BaseOutputLayer) {
      return net;
    }
    if (!(c.getLayer() instanceof DenseLayer dense)) {
      throw new ModelException(
          "model.keras.config: the last layer is a " + c.getLayer().getClass().getSimpleName()
              + "; expected a Dense layer to serve as the output layer");
    }
    OutputLayer out =
        new OutputLayer.Builder(loss)
            .nIn(dense.getNIn())
            .nOut(dense.getNOut())
            .activation(dense.getActivationFn())
            .weightInit(dense.getWeightInitFn())
            .hasBias(dense.hasBias())
            .name(dense.getLayerName())
            .build();
    c.setLayer(out);
    conf.setDataType(DataType.FLOAT);
    MultiLayerNetwork result = new MultiLayerNetwork(conf);
    result.init(net.params().castTo(DataType.FLOAT).dup(), false);
    return result;
  }

  private static java.nio.file.Path local(String uri, String field, Configuration hadoop) throws IOException {
    Path path = new Path(uri);
    FileSystem fs = path.getFileSystem(hadoop);
    if (!fs.exists(path)) {
      throw new ModelException(field + ": no such file '" + uri + "'; expected "
          + ("model.keras.config".equals(field) ? "a Keras model definition (JSON from model.to_json())" : "Keras HDF5 weights (.h5)")
          + "; check the path");
    }
    java.nio.file.Path local = Files.createTempFile("keras-", "model.keras.config".equals(field) ? ".json" : ".h5");
    try (InputStream in = fs.open(path)) {
      Files.copy(in, local, StandardCopyOption.REPLACE_EXISTING);
    }
    return local;
  }

  private static void delete(java.nio.file.Path p) {
    if (p != null) {
      try {
        Files.deleteIfExists(p);
      } catch (IOException e) {
        // A leftover temporary copy is harmless.
        p.toFile().deleteOnExit();
      }
    }
  }
}
