package org.sparktrain.model;

/** A model file that cannot be used: missing, not an archive of ours, or not matching the data. */
public class ModelException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public ModelException(String message) {
    super(message);
  }

  public ModelException(String message, Throwable cause) {
    super(message, cause);
  }
}
