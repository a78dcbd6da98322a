package org.sparktrain.dl4j;

import org.nd4j.parameterserver.distributed.v2.ModelParameterServer;

/**
 * Ends the driver's side of a broken gradient-sharing mesh. Works around DL4J 1.0.0-M2's
 * ModelParameterServer, which cannot drop a lost member: the driver keeps a thread resending
 * updates to it and holds the controller's UDP port, so a new mesh in the same JVM (a new Spark
 * application resuming the run) could not bind. Closing its transport ends both.
 */
public final class ParameterServerShutdown {
  private ParameterServerShutdown() {}

  /** Shuts this JVM's parameter server down if it was started; returns whether it was. */
  public static boolean afterLostMember() {
    ModelParameterServer server = ModelParameterServer.getInstance();
    if (!server.isInitialized()) {
      return false;
    }
    server.shutdown();
    return true;
  }
}
