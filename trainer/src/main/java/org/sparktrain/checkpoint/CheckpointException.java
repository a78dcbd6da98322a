package org.sparktrain.checkpoint;

/**
 * A checkpoint that cannot be written, read or trusted: what was seen, what was expected, how to
 * fix.
 */
public class CheckpointException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public CheckpointException(String message) {
    super(message);
  }

  public CheckpointException(String message, Throwable cause) {
    super(message, cause);
  }
}
