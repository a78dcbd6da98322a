package org.sparktrain.strategy;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

/**
 * Networks kept in an executor JVM between averaging rounds, one per (run, partition), so that a
 * round only overwrites parameters and updater state instead of building a network. Only a cache:
 * every round sets the complete state from the broadcast, so a task that lands on another
 * executor (or a restarted one) builds a fresh network and computes the same result.
 */
final class WorkerNetworks {
  private static final Map<String, MultiLayerNetwork> NETS = new ConcurrentHashMap<>();
  private static volatile String currentRun = "";

  private WorkerNetworks() {}

  /** Takes the network of a partition out of the cache, or builds one from the configuration. */
  static MultiLayerNetwork take(String run, int partition, String confJson) {
    forgetOtherRuns(run);
    MultiLayerNetwork net = NETS.remove(run + "/" + partition);
    if (net == null) {
      net = new MultiLayerNetwork(MultiLayerConfiguration.fromJson(confJson));
      net.init();
    }
    return net;
  }

  /** Puts a network back for the next round of the same run. */
  static void give(String run, int partition, MultiLayerNetwork net) {
    if (run.equals(currentRun)) {
      NETS.put(run + "/" + partition, net);
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
