package org.sparktrain.strategy;

import org.nd4j.linalg.factory.Nd4j;

/**
 * Native threads of ND4J in this JVM: libnd4j's own loops (OpenMP) and the BLAS library. Small
 * minibatch products run faster on one thread each than on several threads contending, so each
 * worker uses its share of the cores.
 */
public final class NativeThreads {
  private NativeThreads() {}

  /**
   * The current setting, as BLAS reports it (libnd4j's environment of 1.0.0-M2 keeps reporting its
   * start-up value after a change).
   */
  public static int current() {
    return Nd4j.factory().blas().getMaxThreads();
  }

  /** Sets libnd4j's and BLAS's thread counts for this JVM; 0 or less leaves them unchanged. */
  public static void set(int threads) {
    if (threads <= 0) {
      return;
    }
    if (Nd4j.getEnvironment().maxThreads() != threads) {
      Nd4j.getEnvironment().setMaxThreads(threads);
      Nd4j.getEnvironment().setMaxMasterThreads(threads);
    }
    if (Nd4j.factory().blas().getMaxThreads() != threads) {
      Nd4j.factory().blas().setMaxThreads(threads);
    }
  }
}
