package org.sparktrain.model;

import java.util.List;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.preprocessor.FeedForwardToCnnPreProcessor;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.transferlearning.FineTuneConfiguration;
import org.deeplearning4j.nn.transferlearning.TransferLearning;
import org.sparktrain.spec.JobSpec;
import org.sparktrain.spec.JobSpec.LayerSpec;

/**
 * A network started from a trained one: its layers and weights, optionally with the output layer
 * replaced by the job's new head, trained with the job's own training settings.
 */
final class Transfer {
  private Transfer() {}

  /** The job's updater, learning rate, regularisation and seed for every layer of {@code net}. */
  static FineTuneConfiguration fineTune(JobSpec spec) {
    return new FineTuneConfiguration.Builder()
        .updater(NetworkFactory.updater(spec.training()))
        .l1(spec.model().l1())
        .l2(spec.model().l2())
        .seed(spec.seed())
        .build();
  }

  static MultiLayerNetwork network(JobSpec spec, TrainedSource.Read source, int inputs, int outputs) {
    MultiLayerNetwork from = source.network();
    requireInputs(from, inputs, "model.init_from (" + source.path() + ")");
    TransferLearning.Builder b = new TransferLearning.Builder(from).fineTuneConfiguration(fineTune(spec));
    if (spec.model().source().replaceOutput()) {
      b.removeOutputLayer();
      int n = from.getnLayers();
      long previous = nOutBefore(from, n - 1);
      List<LayerSpec> head = spec.model().layers();
      LayerSpec last = head.get(head.size() - 1);
      if (last.units() != outputs) {
        throw new ModelException(
            "model.layers[" + (head.size() - 1) + "].units: the data has " + outputs + " output(s) (label kind '"
                + spec.data().label().kind() + "'), but the new output layer has " + last.units() + " units; set units to " + outputs);
      }
      for (LayerSpec l : head) {
        Layer layer = NetworkFactory.layer(l);
        if (layer instanceof FeedForwardLayer ff) {
          ff.setNIn(previous);
          previous = ff.getNOut();
        }
        if (layer instanceof BaseLayer base) {
          base.setWeightInitFn(NetworkFactory.weightInit(spec.model().weightInit()).getWeightInitFunction());
        }
        b.addLayer(layer);
      }
    }
    MultiLayerNetwork net = b.build();
    requireOutputs(net, outputs, "model.init_from (" + source.path() + ")", spec);
    return net;
  }

  /** nOut of the last feed-forward layer before index {@code end}. */
  private static long nOutBefore(MultiLayerNetwork net, int end) {
    for (int i = end - 1; i >= 0; i--) {
      if (net.getLayer(i).conf().getLayer() instanceof FeedForwardLayer ff) {
        return ff.getNOut();
      }
    }
    return firstNIn(net);
  }

  static long firstNIn(MultiLayerNetwork net) {
    for (int i = 0; i < net.getnLayers(); i++) {
      if (net.getLayer(i).conf().getLayer() instanceof FeedForwardLayer ff) {
        return ff.getNIn();
      }
    }
    return -1;
  }

  /**
   * The values one example feeds the network: for an image network that takes flat rows (a
   * preprocessor before its first convolution), height x width x channels; else the first layer's
   * nIn (a feature vector, or the features per step of a sequence).
   */
  static long expectedInputs(MultiLayerNetwork net) {
    if (net.getLayerWiseConfigurations().getInputPreProcess(0) instanceof FeedForwardToCnnPreProcessor p) {
      return p.getInputHeight() * p.getInputWidth() * p.getNumChannels();
    }
    return firstNIn(net);
  }

  static void requireInputs(MultiLayerNetwork net, int inputs, String what) {
    long nIn = expectedInputs(net);
    if (nIn >= 0 && nIn != inputs) {
      throw new ModelException(
          what + " takes " + nIn + " inputs, but the job's data has " + inputs + " features after its pipeline;"
              + " use the same data.features (columns, categories) as the source model, or data with the same columns");
    }
  }

  static void requireOutputs(MultiLayerNetwork net, int outputs, String what, JobSpec spec) {
    Layer last = net.getLayer(net.getnLayers() - 1).conf().getLayer();
    if (last instanceof FeedForwardLayer ff && ff.getNOut() != outputs) {
      throw new ModelException(
          what + " has " + ff.getNOut() + " outputs, but the data has " + outputs + " (label kind '"
              + spec.data().label().kind() + "'); replace its output layer: model.replace_output: true with the new"
              + " output layer in model.layers");
    }
  }
}
