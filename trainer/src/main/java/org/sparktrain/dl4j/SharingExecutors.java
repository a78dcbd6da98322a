package org.sparktrain.dl4j;

import org.apache.spark.SparkConf;
import org.sparktrain.spec.SpecException;

/**
 * Refuses a cluster set-up in which gradient sharing would hang. Works around DL4J 1.0.0-M2's
 * SharedTrainingWrapper, one per JVM: when two Spark tasks of an epoch meet in one executor, a task
 * that joins after the wrapper has drained its queue waits forever, and two training threads in one
 * wrapper deadlock (the first holds its network's lock while it waits for the second at the update
 * barrier, and the second needs that lock to copy the network). So each executor must run one
 * training task at a time ({@code spark.task.cpus} equal to {@code spark.executor.cores}), and the
 * set of executors must stay fixed (DL4J's mesh cannot drop a member).
 */
public final class SharingExecutors {
  private SharingExecutors() {}

  /**
   * On a cluster, an executor that can run two tasks at once can receive two training tasks of one
   * epoch, and DL4J's one wrapper per JVM then hangs (see the class comment): refuse that setup.
   */
  public static void refuseSharedExecutors(SparkConf conf) {
    String master = conf.get("spark.master", "local[*]");
    if (master.startsWith("local")) {
      return;
    }
    if (conf.getBoolean("spark.dynamicAllocation.enabled", false)) {
      throw new SpecException(
          "strategy.type",
          "sharing trains with a fixed set of executors, but spark.dynamicAllocation.enabled is"
              + " true: an executor removed for idling is a member lost to DL4J's mesh, and the"
              + " run would restart. Set --conf spark.dynamicAllocation.enabled=false, or use"
              + " strategy.type=averaging or synchronous");
    }
    if (!conf.contains("spark.executor.cores")) {
      return;
    }
    int cores = conf.getInt("spark.executor.cores", 1);
    int taskCpus = conf.getInt("spark.task.cpus", 1);
    if (taskCpus < cores) {
      throw new SpecException(
          "strategy.type",
          "sharing needs one training task per executor at a time, but spark.executor.cores is "
              + cores
              + " and spark.task.cpus "
              + taskCpus
              + " (up to "
              + (cores / taskCpus)
              + " tasks at once); DL4J's gradient sharing hangs with two in one JVM. Set"
              + " --conf spark.task.cpus="
              + cores
              + " (ND4J still uses the cores inside the one task), or use strategy.type=averaging");
    }
  }
}
