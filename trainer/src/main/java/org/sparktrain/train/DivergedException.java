package org.sparktrain.train;

/**
 * Training produced a NaN or infinite loss or parameters. The run stops before it checkpoints the
 * epoch, so the last checkpoint holds the last good state. Reported as bad input (exit 2): the
 * fix is in the job file or the data.
 */
public final class DivergedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public DivergedException(String message) {
    super(message);
  }
}
