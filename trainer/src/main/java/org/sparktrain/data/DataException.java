package org.sparktrain.data;

/** Data that cannot be used as declared: what was seen, what was expected, how to fix it. */
public class DataException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public DataException(String message) {
    super(message);
  }
}
