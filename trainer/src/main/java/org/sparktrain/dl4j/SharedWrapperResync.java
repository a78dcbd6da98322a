package org.sparktrain.dl4j;

import java.util.Iterator;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.broadcast.Broadcast;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sets a gradient-sharing worker's network to the driver's parameters before it trains an epoch.
 * Works around DL4J 1.0.0-M2's SharedTrainingWrapper: each worker JVM keeps training its own
 * replica across epochs (DL4J never reloads it from the driver), and a worker that finishes its
 * partition first ignores the updates the others send after that, while the driver applies them,
 * so replicas drift apart at every epoch boundary. DL4J offers no way in; this reaches the
 * wrapper's private {@code INSTANCE} and {@code originalModel} fields by reflection.
 */
public final class SharedWrapperResync {
  private static final Logger LOG = LoggerFactory.getLogger(SharedWrapperResync.class);
  private static final String WRAPPER = "org.deeplearning4j.spark.parameterserver.pw.SharedTrainingWrapper";

  private SharedWrapperResync() {}

  /**
   * {@code input} with each partition first setting this JVM's replica to {@code params}, before
   * its first element is read.
   */
  public static <T> JavaRDD<T> beforeEachPartition(JavaRDD<T> input, Broadcast<float[]> params) {
    return input.mapPartitions(
        it ->
            new Iterator<T>() {
              boolean synced;

              @Override
              public boolean hasNext() {
                if (!synced) {
                  synced = true;
                  resync(params.value());
                }
                return it.hasNext();
              }

              @Override
              public T next() {
                return it.next();
              }
            });
  }

  /** Sets this JVM's DL4J replica (if it has one from an earlier epoch) to {@code params}. */
  public static void resync(float[] params) {
    try {
      Class<?> c = Class.forName(WRAPPER);
      java.lang.reflect.Field instance = c.getDeclaredField("INSTANCE");
      instance.setAccessible(true);
      Object wrapper = instance.get(null);
      java.lang.reflect.Field model = c.getDeclaredField("originalModel");
      model.setAccessible(true);
      Object m = model.get(wrapper);
      // In the first epoch, or when the JVM's replica is a previous run's network (local mode runs
      // several in one JVM), DL4J builds a new replica from the broadcast anyway: nothing to set.
      if (m instanceof MultiLayerNetwork net && net.numParams() == params.length) {
        INDArray p = net.params();
        INDArray driver = Nd4j.create(params).reshape(p.shape());
        double drift = p.distance2(driver);
        p.assign(driver);
        LOG.info("sharing: replica set to the driver's parameters (it had drifted by {} in L2 norm)", drift);
      }
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(
          "cannot reach DL4J's SharedTrainingWrapper to resync the replica (" + e
              + "); the workaround was written for DL4J " + Dl4jVersion.WRITTEN_FOR + ", see docs/strategies.md",
          e);
    }
  }
}
