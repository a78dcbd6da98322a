package org.sparktrain.strategy;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
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
   * WorkerDenseLayer}), softmax cross-entropy computed in Java ({@link WorkerSoftmaxLoss}).
   */
  static MultiLayerNetwork build(String confJson) {
    MultiLayerConfiguration conf = MultiLayerConfiguration.fromJson(confJson);
    return new MultiLayerNetwork(FusedUpdaters.install(WorkerSoftmaxLoss.install(WorkerDenseLayer.install(conf))));
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
