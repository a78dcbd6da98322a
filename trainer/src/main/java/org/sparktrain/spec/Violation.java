package org.sparktrain.spec;

/** One problem in a job file: the YAML path and what is wrong there. */
public record Violation(String path, String message) {
  @Override
  public String toString() {
    return path + ": " + message;
  }
}
