package org.sparktrain.strategy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.deeplearning4j.nn.conf.CacheMode;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.preprocessor.FeedForwardToCnnPreProcessor;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.sparktrain.dl4j.BroadcastNetwork;

/**
 * Networks kept in an executor JVM between averaging rounds, one per (run, partition), so that a
 * round only overwrites parameters and updater state instead of building a network. Only a cache:
 * a task that lands on another executor (or a restarted one) builds a fresh network, sets the
 * complete state from the broadcast and computes the same result. Each network carries the token
 * of the barrier stage that left it (0: unknown), so that a task can tell that its network already
 * holds the state the driver would broadcast and skip fetching and restoring it.
 */
final class WorkerNetworks {
  private static final Map<String, Kept> NETS = new ConcurrentHashMap<>();

  /** The most a worker network's forward-pass cache may hold (LeNet at 64 examples: 16 MB). */
  static final long CACHE_BUDGET_BYTES = 256L << 20;

  private static volatile String currentRun = "";

  private WorkerNetworks() {}

  /** A cached network and the token of the stage that left it (0: unknown). */
  record Kept(MultiLayerNetwork net, long token) {}

  /** Takes the network of a partition out of the cache, or builds one from the configuration. */
  static MultiLayerNetwork take(String run, int partition, String confJson) {
    return takeKept(run, partition, confJson).net();
  }

  /** As {@link #take}, with the token the network was given back with (0 for a new one). */
  static Kept takeKept(String run, int partition, String confJson) {
    forgetOtherRuns(run);
    Kept kept = NETS.remove(run + "/" + partition);
    if (kept == null) {
      MultiLayerNetwork net = build(confJson);
      net.init();
      kept = new Kept(net, 0);
    }
    return kept;
  }

  /**
   * A worker's network, not yet initialized, for {@code confJson}: DL4J's Adam and RMSProp computed
   * by {@link FusedUpdaters}, dense layers that keep z for the backward pass ({@link
   * WorkerDenseLayer}), convolution layers whose im2col is a Java loop ({@link
   * WorkerConvolutionLayer}), softmax cross-entropy computed in Java ({@link WorkerSoftmaxLoss}), and
   * DL4J's forward-pass cache for convolution layers where it fits ({@link #cacheForwardPass}).
   */
  static MultiLayerNetwork build(String confJson) {
    MultiLayerConfiguration conf = MultiLayerConfiguration.fromJson(confJson);
    return new WorkerNetwork(
        FusedUpdaters.install(WorkerSoftmaxLoss.install(WorkerConvolutionLayer.install(WorkerDenseLayer.install(conf)))));
  }

  /** A worker's network: at its first minibatch, turns on the forward-pass cache where it fits. */
  static final class WorkerNetwork extends MultiLayerNetwork {
    private static final long serialVersionUID = 1L;

    private transient boolean decided;

    /** The step for a plain dense network, or null: DL4J's {@code fit}. */
    private transient DenseStackFit dense;

    WorkerNetwork(MultiLayerConfiguration conf) {
      super(conf);
    }

    @Override
    public synchronized void fit(INDArray features, INDArray labels, INDArray featuresMask, INDArray labelsMask) {
      if (!decided) {
        decided = true;
        cacheForwardPass(this, features.size(0));
        dense = DenseStackFit.of(this);
      }
      if (dense != null && dense.fits(features, labels, featuresMask, labelsMask)) {
        dense.fit(features, labels);
        synchronizeIterEpochCounts();
        return;
      }
      super.fit(features, labels, featuresMask, labelsMask);
    }

    /** The dense step this network fits with, or null (for tests). */
    DenseStackFit dense() {
      return dense;
    }
  }

  /**
   * Turns on DL4J's forward-pass cache ({@code CacheMode.DEVICE}) in the 2-D convolution layers of
   * {@code net} when what it holds, at minibatches of {@code batch} examples, stays within {@link
   * #CACHE_BUDGET_BYTES}; returns those bytes (0: left off). With the cache a convolution layer keeps
   * its pre-activations and im2col matrix from the forward pass for the backward pass of the same
   * {@code fit}, which without it computes both again (LeNet: a third of a worker's minibatch); the
   * same arrays, so the same training. DL4J leaves it off because the cache holds every layer's
   * im2col matrix at once, where the forward pass alone needs one at a time: large images could
   * need gigabytes. The sizes come from the image shape of the network's input preprocessor; a
   * network without one (4-D input) is left as it is.
   */
  static long cacheForwardPass(MultiLayerNetwork net, long batch) {
    MultiLayerConfiguration conf = net.getLayerWiseConfigurations();
    if (!(conf.getInputPreProcess(0) instanceof FeedForwardToCnnPreProcessor image)) {
      return 0;
    }
    InputType in = InputType.convolutional(image.getInputHeight(), image.getInputWidth(), image.getNumChannels());
    long bytes = 0;
    List<Integer> convolutions = new ArrayList<>();
    for (int i = 0; i < conf.getConfs().size(); i++) {
      InputPreProcessor pre = conf.getInputPreProcess(i);
      if (i > 0 && pre != null) {
        in = pre.getOutputType(in);
      }
      Layer layer = conf.getConf(i).getLayer();
      InputType out = layer.getOutputType(i, in);
      boolean plain = layer.getClass() == ConvolutionLayer.class || layer.getClass() == WorkerConvolutionLayer.class;
      if (plain && out instanceof InputType.InputTypeConvolutional o) {
        ConvolutionLayer c = (ConvolutionLayer) layer;
        long columns = c.getNIn() * c.getKernelSize()[0] * c.getKernelSize()[1];
        bytes += (long) conf.getDataType().width() * batch * o.getHeight() * o.getWidth() * (columns + c.getNOut());
        convolutions.add(i);
      }
      in = out;
    }
    if (convolutions.isEmpty() || bytes > CACHE_BUDGET_BYTES) {
      return 0;
    }
    conf.setCacheMode(CacheMode.DEVICE); // gives the forward pass the cache's workspace
    for (int i : convolutions) {
      net.getLayer(i).setCacheMode(CacheMode.DEVICE);
    }
    return bytes;
  }

  /** A worker's network with the broadcast's configuration and parameters, as auto's probe times it. */
  static MultiLayerNetwork probe(BroadcastNetwork from) {
    float[] params = from.parameters();
    MultiLayerNetwork net = build(from.configurationJson());
    net.init(Nd4j.createFromArray(params).reshape(1, params.length), false);
    return net;
  }

  /** Puts a network back for the next round of the same run, its state of unknown origin. */
  static void give(String run, int partition, MultiLayerNetwork net) {
    give(run, partition, net, 0);
  }

  /**
   * Puts a network back holding the final state of the barrier stage {@code token} (the same on
   * every worker of that stage).
   */
  static void give(String run, int partition, MultiLayerNetwork net, long token) {
    if (run.equals(currentRun)) {
      NETS.put(run + "/" + partition, new Kept(net, token));
    }
  }

  /** Drops the networks of a finished run (in this JVM). */
  static void forget(String run) {
    NETS.keySet().removeIf(k -> k.startsWith(run + "/"));
  }

  /** One run at a time per JVM keeps networks: a new run drops those of earlier ones. */
  private static synchronized void forgetOtherRuns(String run) {
    if (!run.equals(currentRun)) {
      NETS.clear();
      currentRun = run;
    }
  }
}
