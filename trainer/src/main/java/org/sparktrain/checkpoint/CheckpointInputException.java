package org.sparktrain.checkpoint;

/**
 * A checkpoint directory the user has to change, not a failure of this run: it does not exist, its
 * filesystem is unknown, or a newer trainer wrote it.
 */
public class CheckpointInputException extends CheckpointException {
  private static final long serialVersionUID = 1L;

  public CheckpointInputException(String message) {
    super(message);
  }

  public CheckpointInputException(String message, Throwable cause) {
    super(message, cause);
  }
}
