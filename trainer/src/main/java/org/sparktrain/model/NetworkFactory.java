package org.sparktrain.model;

import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.Convolution1DLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.EmbeddingSequenceLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.Subsampling1DLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.layers.recurrent.Bidirectional;
import org.deeplearning4j.nn.conf.layers.recurrent.LastTimeStep;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationLReLU;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.AdaGrad;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.learning.config.RmsProp;
import org.nd4j.linalg.learning.config.Sgd;
import org.sparktrain.spec.JobSpec;
import org.sparktrain.spec.JobSpec.LayerSpec;
import org.sparktrain.spec.JobSpec.ModelSpec;
import org.sparktrain.spec.JobSpec.TrainingSpec;
import org.sparktrain.spec.SpecException;
import org.sparktrain.spec.Violation;

/** Turns the job file's layer list into a DL4J network, once the data has fixed its input and output sizes. */
public final class NetworkFactory {
  private NetworkFactory() {}

  /** The configuration for {@code numInputs} features (or pixels) and {@code numOutputs} outputs. */
  public static MultiLayerConfiguration configuration(JobSpec spec, int numInputs, int numOutputs) {
    return configuration(spec, InputDims.fromData(spec, numInputs, 0, 0, 0), numOutputs);
  }

  /**
   * The configuration for examples of shape {@code in} and {@code numOutputs} outputs (0: not
   * known yet). Shape errors are spec errors naming the layer.
   */
  public static MultiLayerConfiguration configuration(JobSpec spec, InputDims in, int numOutputs) {
    ModelSpec model = spec.model();
    List<LayerSpec> layers = model.layers();
    List<Violation> problems = new ArrayList<>(Shapes.check(layers, in).violations());
    LayerSpec last = layers.get(layers.size() - 1);
    if (numOutputs > 0 && last.units() != numOutputs) {
      problems.add(
              new Violation(
                  "model.layers[" + (layers.size() - 1) + "].units",
                  "the data has "
                      + numOutputs
                      + " output(s) (label kind '"
                      + spec.data().label().kind()
                      + "'), but the output layer has "
                      + last.units()
                      + " units; set units to "
                      + numOutputs));
    }
    if (!problems.isEmpty()) {
      throw new SpecException(problems);
    }
    NeuralNetConfiguration.Builder builder = new NeuralNetConfiguration.Builder();
    if (layers.stream().anyMatch(l -> "lstm".equals(l.type()) && !l.returnSequences())) {
      // DL4J's LastTimeStep hands the next layer an array outside the training workspace, which
      // fails workspace validation during fit ("array is defined in incorrect workspace").
      builder.trainingWorkspaceMode(WorkspaceMode.NONE).inferenceWorkspaceMode(WorkspaceMode.NONE);
    }
    NeuralNetConfiguration.ListBuilder list =
        builder
            .seed(spec.seed())
            .dataType(DataType.FLOAT)
            .weightInit(weightInit(model.weightInit()))
            .updater(updater(spec.training()))
            .l1(model.l1())
            .l2(model.l2())
            .list();
    int index = 0;
    for (LayerSpec layer : layers) {
      list.layer(index++, layer(layer, in));
    }
    try {
      MultiLayerConfiguration conf = list.setInputType(in.inputType()).build();
      // DL4J's setInputType overrides an embedding's nIn with the input's size per step (1 token id);
      // the number of token ids is the vocabulary.
      for (int i = 0; i < layers.size(); i++) {
        if (conf.getConf(i).getLayer() instanceof EmbeddingSequenceLayer e) {
          LayerSpec l = layers.get(i);
          e.setNIn(l.vocabulary() > 0 ? l.vocabulary() : in.vocabulary());
        }
      }
      return conf;
    } catch (RuntimeException e) {
      throw new SpecException(List.of(new Violation(layerPath(e.getMessage(), layers.size()),
          "DL4J rejects the network for input " + in.describe() + ": " + e.getMessage()
              + "; check the kernel, stride and padding sizes against the input shape")));
    }
  }

  /** The layer a DL4J configuration message names ("layer index: 3", "layer 3"), else the layer list. */
  static String layerPath(String message, int layers) {
    if (message != null) {
      java.util.regex.Matcher m = java.util.regex.Pattern.compile("layer (?:index:? ?)?(\\d+)", java.util.regex.Pattern.CASE_INSENSITIVE).matcher(message);
      if (m.find()) {
        int i = Integer.parseInt(m.group(1));
        if (i < layers) {
          return "model.layers[" + i + "]";
        }
      }
    }
    return "model.layers";
  }

  /** A freshly initialised network. */
  public static MultiLayerNetwork network(JobSpec spec, int numInputs, int numOutputs) {
    return network(spec, InputDims.fromData(spec, numInputs, 0, 0, 0), numOutputs);
  }

  /** A freshly initialised network for examples of shape {@code in}. */
  public static MultiLayerNetwork network(JobSpec spec, InputDims in, int numOutputs) {
    MultiLayerNetwork net = new MultiLayerNetwork(configuration(spec, in, numOutputs));
    net.init();
    return net;
  }

  /**
   * One line per layer: its YAML path, type, output shape and parameter count; for validate and the
   * training log. Needs a complete input shape.
   */
  public static List<String> summary(JobSpec spec, InputDims in) {
    MultiLayerConfiguration conf = configuration(spec, in, 0);
    List<LayerSpec> layers = spec.model().layers();
    List<String> shapes = Shapes.check(layers, in).shapes();
    List<String> lines = new ArrayList<>();
    lines.add(String.format("%-16s %-12s %-40s %12s", "layer", "type", "output shape", "parameters"));
    lines.add(String.format("%-16s %-12s %-40s %12s", "input", "", in.describe(), ""));
    long total = 0;
    for (int i = 0; i < layers.size(); i++) {
      var layerConf = conf.getConf(i);
      long params = layerConf.getLayer().initializer().numParams(layerConf);
      total += params;
      String type = layers.get(i).type() + (layers.get(i).bidirectional() ? " (bi)" : "");
      lines.add(String.format("%-16s %-12s %-40s %12d", "model.layers[" + i + "]", type, shapes.get(i), params));
    }
    lines.add(String.format("%-16s %-12s %-40s %12d", "total", "", "", total));
    return lines;
  }

  /** One layer of the job file as DL4J's configuration, for a head appended to another network (nIn left to DL4J or the caller). */
  static org.deeplearning4j.nn.conf.layers.Layer layer(LayerSpec layer) {
    return layer(layer, null);
  }

  /** One layer of the job file as DL4J's configuration; {@code in} gives the text vocabulary (null: none). */
  static org.deeplearning4j.nn.conf.layers.Layer layer(LayerSpec layer, InputDims in) {
    ConvolutionMode mode = "same".equals(layer.padding()) ? ConvolutionMode.Same : ConvolutionMode.Truncate;
    return switch (layer.type()) {
      case "dense" ->
          new DenseLayer.Builder()
              .name(layer.name())
              .nOut(layer.units())
              .activation(activation(layer.activation(), layer.alpha()))
              .build();
      // DL4J's dropout argument is the probability of keeping an input, Keras' rate is of dropping it.
      case "dropout" -> new DropoutLayer.Builder(1.0 - layer.rate()).name(layer.name()).build();
      case "output" -> Losses.outputLayer(layer, activation(layer.activation(), layer.alpha()));
      case "conv2d" ->
          new ConvolutionLayer.Builder(layer.kernel(), layer.kernel())
              .name(layer.name())
              .stride(layer.stride(), layer.stride())
              .convolutionMode(mode)
              .nOut(layer.filters())
              .activation(activation(layer.activation(), layer.alpha()))
              .build();
      case "pool2d" ->
          new SubsamplingLayer.Builder(subsampling(layer.pooling()))
              .name(layer.name())
              .kernelSize(layer.kernel(), layer.kernel())
              .stride(layer.stride(), layer.stride())
              .convolutionMode(mode)
              .build();
      case "conv1d" ->
          new Convolution1DLayer.Builder(layer.kernel(), layer.stride())
              .name(layer.name())
              .convolutionMode(mode)
              .nOut(layer.filters())
              .activation(activation(layer.activation(), layer.alpha()))
              .build();
      case "pool1d" ->
          new Subsampling1DLayer.Builder(subsampling(layer.pooling()), layer.kernel(), layer.stride())
              .name(layer.name())
              .convolutionMode(mode)
              .build();
      case "global_pool" ->
          new GlobalPoolingLayer.Builder(poolingType(layer.pooling())).name(layer.name()).build();
      case "batch_norm" -> new BatchNormalization.Builder().name(layer.name()).build();
      case "lstm" -> {
        org.deeplearning4j.nn.conf.layers.Layer lstm =
            new LSTM.Builder()
                .name(layer.name())
                .nOut(layer.units())
                .activation(activation(layer.activation(), layer.alpha()))
                .build();
        if (layer.bidirectional()) {
          lstm = new Bidirectional(Bidirectional.Mode.CONCAT, lstm);
        }
        yield layer.returnSequences() ? lstm : new LastTimeStep(lstm);
      }
      case "embedding" ->
          new EmbeddingSequenceLayer.Builder()
              .name(layer.name())
              .nIn(layer.vocabulary() > 0 ? layer.vocabulary() : in.vocabulary())
              .nOut(layer.units())
              .build();
      default -> throw new IllegalArgumentException("unknown layer type " + layer.type());
    };
  }

  private static SubsamplingLayer.PoolingType subsampling(String name) {
    return "avg".equals(name) ? SubsamplingLayer.PoolingType.AVG : SubsamplingLayer.PoolingType.MAX;
  }

  private static PoolingType poolingType(String name) {
    return "avg".equals(name) ? PoolingType.AVG : PoolingType.MAX;
  }

  static IActivation activation(String name, double alpha) {
    return switch (name) {
      case "relu" -> Activation.RELU.getActivationFunction();
      case "leakyrelu" -> new ActivationLReLU(alpha);
      case "elu" -> Activation.ELU.getActivationFunction();
      case "selu" -> Activation.SELU.getActivationFunction();
      case "swish" -> Activation.SWISH.getActivationFunction();
      case "tanh" -> Activation.TANH.getActivationFunction();
      case "sigmoid" -> Activation.SIGMOID.getActivationFunction();
      case "softmax" -> Activation.SOFTMAX.getActivationFunction();
      case "identity" -> Activation.IDENTITY.getActivationFunction();
      default -> throw new IllegalArgumentException("unknown activation " + name);
    };
  }

  static WeightInit weightInit(String name) {
    return switch (name) {
      case "xavier" -> WeightInit.XAVIER;
      case "xavier_uniform" -> WeightInit.XAVIER_UNIFORM;
      case "relu" -> WeightInit.RELU;
      case "relu_uniform" -> WeightInit.RELU_UNIFORM;
      case "lecun_normal" -> WeightInit.LECUN_NORMAL;
      case "normal" -> WeightInit.NORMAL;
      case "uniform" -> WeightInit.UNIFORM;
      default -> throw new IllegalArgumentException("unknown weight init " + name);
    };
  }

  static IUpdater updater(TrainingSpec training) {
    double lr = training.learningRate();
    return switch (training.updater()) {
      case "sgd" -> new Sgd(lr);
      case "nesterov", "momentum" -> new Nesterovs(lr, training.momentum());
      case "adam" -> new Adam(lr);
      case "rmsprop" -> new RmsProp(lr, training.rmsDecay(), RmsProp.DEFAULT_RMSPROP_EPSILON);
      case "adagrad" -> new AdaGrad(lr);
      default -> throw new IllegalArgumentException("unknown updater " + training.updater());
    };
  }
}
