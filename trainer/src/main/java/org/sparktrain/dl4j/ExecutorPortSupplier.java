package org.sparktrain.dl4j;

import org.apache.spark.SparkEnv;
import org.nd4j.parameterserver.distributed.v2.transport.PortSupplier;

/**
 * Works around DL4J 1.0.0-M2's gradient sharing giving every worker the same UDP port (its default
 * PortSupplier). The UDP port of one gradient-sharing worker: the controller's port plus one plus the Spark
 * executor's number. DL4J's default gives every worker the same port, so two executors on one host
 * (a local standalone cluster, or several executors per node) fail to bind; this gives each its
 * own. The driver (local mode) keeps the controller's port.
 */
public final class ExecutorPortSupplier implements PortSupplier {
  private static final long serialVersionUID = 1L;
  private static final int MAX_PORT = 65_535;

  private final int controllerPort;

  public ExecutorPortSupplier(int controllerPort) {
    this.controllerPort = controllerPort;
  }

  @Override
  public int getPort() {
    SparkEnv env = SparkEnv.get();
    return port(controllerPort, env == null ? null : env.executorId());
  }

  /** The port for an executor id ("driver", or a number on a cluster). */
  static int port(int controllerPort, String executorId) {
    if (executorId == null || !executorId.chars().allMatch(Character::isDigit) || executorId.isEmpty()) {
      return controllerPort;
    }
    int span = MAX_PORT - controllerPort;
    if (span < 2) {
      return controllerPort;
    }
    // Executors replaced after a failure get new, higher numbers; wrap within the range above.
    long n = Long.parseLong(executorId) % (span - 1);
    return controllerPort + 1 + (int) n;
  }
}
