package org.sparktrain.model;

import java.util.List;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
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
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;
import org.sparktrain.spec.JobSpec;
import org.sparktrain.spec.JobSpec.LayerSpec;
import org.sparktrain.spec.JobSpec.ModelSpec;
import org.sparktrain.spec.JobSpec.TrainingSpec;
import org.sparktrain.spec.SpecException;
import org.sparktrain.spec.Violation;

/** Turns the job file's layer list into a DL4J network, once the data has fixed its input and output sizes. */
public final class NetworkFactory {
  private NetworkFactory() {}

  /** The configuration for {@code numInputs} features and {@code numOutputs} outputs. */
  public static MultiLayerConfiguration configuration(JobSpec spec, int numInputs, int numOutputs) {
    ModelSpec model = spec.model();
    List<LayerSpec> layers = model.layers();
    LayerSpec last = layers.get(layers.size() - 1);
    if (last.units() != numOutputs) {
      throw new SpecException(
          List.of(
              new Violation(
                  "model.layers[" + (layers.size() - 1) + "].units",
                  "the data has "
                      + numOutputs
                      + " output(s) (label kind '"
                      + spec.data().label().kind()
                      + "'), but the output layer has "
                      + last.units()
                      + " units; set units to "
                      + numOutputs)));
    }
    NeuralNetConfiguration.ListBuilder list =
        new NeuralNetConfiguration.Builder()
            .seed(spec.seed())
            .dataType(DataType.FLOAT)
            .weightInit(weightInit(model.weightInit()))
            .updater(updater(spec.training()))
            .l1(model.l1())
            .l2(model.l2())
            .list();
    int index = 0;
    for (LayerSpec layer : layers) {
      list.layer(index++, layer(layer));
    }
    return list.setInputType(InputType.feedForward(numInputs)).build();
  }

  /** A freshly initialised network. */
  public static MultiLayerNetwork network(JobSpec spec, int numInputs, int numOutputs) {
    MultiLayerNetwork net = new MultiLayerNetwork(configuration(spec, numInputs, numOutputs));
    net.init();
    return net;
  }

  /** One layer of the job file as DL4J's configuration (nIn left for DL4J or the caller to set). */
  static org.deeplearning4j.nn.conf.layers.Layer layer(LayerSpec layer) {
    return switch (layer.type()) {
      case "dense" ->
          new DenseLayer.Builder()
              .name(layer.name())
              .nOut(layer.units())
              .activation(activation(layer.activation(), layer.alpha()))
              .build();
      // DL4J's dropout argument is the probability of keeping an input, Keras' rate is of dropping it.
      case "dropout" -> new DropoutLayer.Builder(1.0 - layer.rate()).name(layer.name()).build();
      case "output" ->
          new OutputLayer.Builder(loss(layer.loss()))
              .name(layer.name())
              .nOut(layer.units())
              .activation(activation(layer.activation(), layer.alpha()))
              .build();
      default -> throw new IllegalArgumentException("unknown layer type " + layer.type());
    };
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

  static LossFunction loss(String name) {
    return switch (name) {
      case "binary_crossentropy" -> LossFunction.XENT;
      case "categorical_crossentropy", "sparse_categorical_crossentropy" -> LossFunction.MCXENT;
      case "mse" -> LossFunction.MSE;
      case "mae" -> LossFunction.MEAN_ABSOLUTE_ERROR;
      default -> throw new IllegalArgumentException("unknown loss " + name);
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
