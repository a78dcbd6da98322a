package org.sparktrain.strategy;

/**
 * A strategy lost an executor it cannot train without. Nothing of the epoch it was in has been
 * recorded; the run can go on in a new Spark application from its newest checkpoint.
 */
public final class WorkerLostException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  WorkerLostException(String message, Throwable cause) {
    super(message, cause);
  }
}
