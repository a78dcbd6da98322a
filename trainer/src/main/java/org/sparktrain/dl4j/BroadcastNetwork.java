package org.sparktrain.dl4j;

import java.io.Serializable;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A network sent to the executors once, as Spark broadcasts of its configuration JSON and its
 * parameters (a flat float vector), and rebuilt there: no Java serialization of DL4J objects, whose
 * arrays live off-heap. Capture this object (it is serializable: it holds only the two broadcast
 * handles) in a task, and call {@link #network()} in the executor.
 */
public final class BroadcastNetwork implements Serializable {
  private static final long serialVersionUID = 1L;

  private final Broadcast<String> conf;
  private final Broadcast<float[]> params;

  private BroadcastNetwork(Broadcast<String> conf, Broadcast<float[]> params) {
    this.conf = conf;
    this.params = params;
  }

  /** Broadcasts {@code net}'s configuration and current parameters to {@code sc}'s executors. */
  public static BroadcastNetwork of(JavaSparkContext sc, MultiLayerNetwork net) {
    return new BroadcastNetwork(
        sc.broadcast(net.getLayerWiseConfigurations().toJson()), sc.broadcast(net.params().toFloatVector()));
  }

  /**
   * A network built from the broadcast, in the executor. Each call builds a new one: a network is
   * not safe to share between the tasks an executor runs at once, so call it once per partition.
   */
  public MultiLayerNetwork network() {
    return rebuild(conf.value(), params.value());
  }

  /** The configuration JSON, for code that keeps its own networks between tasks. */
  public String configurationJson() {
    return conf.value();
  }

  /** The parameters, as a flat vector in DL4J's order. */
  public float[] parameters() {
    return params.value();
  }

  /** Removes both broadcasts from the driver and the executors; the object is unusable after. */
  public void destroy() {
    conf.destroy();
    params.destroy();
  }

  /** A network with the given configuration and parameters. */
  public static MultiLayerNetwork rebuild(String confJson, float[] params) {
    MultiLayerNetwork net = new MultiLayerNetwork(MultiLayerConfiguration.fromJson(confJson));
    net.init(Nd4j.createFromArray(params).reshape(1, params.length), false);
    return net;
  }
}
