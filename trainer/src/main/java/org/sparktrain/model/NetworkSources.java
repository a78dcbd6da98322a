package org.sparktrain.model;

import org.apache.hadoop.conf.Configuration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparktrain.data.FeaturePipelineModel;
import org.sparktrain.spec.JobSpec;
import org.sparktrain.spec.JobSpec.SourceSpec;

/**
 * The network a run starts from: built from model.layers, imported from a Keras definition, or
 * taken from a trained model (model.init_from); then the job's training settings and frozen layers
 * are applied.
 */
public final class NetworkSources {
  private static final Logger LOG = LoggerFactory.getLogger(NetworkSources.class);

  private NetworkSources() {}

  /** The feature pipeline of model.init_from's source, or null without one. */
  public static FeaturePipelineModel sourcePipeline(JobSpec spec, Configuration hadoop) {
    String from = spec.model().source().initFrom();
    return from == null ? null : TrainedSource.read(from, hadoop).pipeline();
  }

  /** The initial network for {@code pipeline}'s outputs and the example shape {@code dims}. */
  public static MultiLayerNetwork network(
      JobSpec spec, InputDims dims, FeaturePipelineModel pipeline, Configuration hadoop) {
    SourceSpec source = spec.model().source();
    int inputs = pipeline.numInputs();
    int outputs = pipeline.numOutputs();
    MultiLayerNetwork net;
    if (source.kerasConfig() != null) {
      net = KerasSource.network(spec, pipeline.labelKind(), inputs, outputs, hadoop);
    } else if (source.initFrom() != null) {
      TrainedSource.Read read = TrainedSource.read(source.initFrom(), hadoop);
      net = Transfer.network(spec, read, inputs, outputs);
    } else {
      net = NetworkFactory.network(spec, dims, outputs);
    }
    if (source.freezes()) {
      net = Freezing.freeze(net, source);
      LOG.info("Frozen layers: {}", Freezing.frozenNames(net));
    }
    return net;
  }
}
