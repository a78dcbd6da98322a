package org.sparktrain.dl4j;

import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

/**
 * How many minibatches DL4J's workers may load ahead. Works around DL4J 1.0.0-M2's prefetching
 * iterator, which hands minibatches over inside its own workspace: a network that trains without
 * workspaces (an lstm returning its last step) refuses them ("array is defined in incorrect
 * workspace"), so such a network gets no prefetching.
 */
public final class WorkspacePrefetch {
  private WorkspacePrefetch() {}

  /** {@code requested}, or 0 for a network that trains without workspaces. */
  public static int prefetch(MultiLayerNetwork network, int requested) {
    boolean noWorkspaces =
        network.getLayerWiseConfigurations().getTrainingWorkspaceMode() == WorkspaceMode.NONE;
    return noWorkspaces ? 0 : requested;
  }
}
