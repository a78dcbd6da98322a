package org.sparktrain.spec;

import java.util.List;
import java.util.stream.Collectors;

/** A job file that cannot be run; carries every violation found, one line each. */
public class SpecException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final List<Violation> violations;

  public SpecException(List<Violation> violations) {
    super(violations.stream().map(Violation::toString).collect(Collectors.joining("\n")));
    this.violations = List.copyOf(violations);
  }

  public SpecException(String path, String message) {
    this(List.of(new Violation(path, message)));
  }

  public List<Violation> violations() {
    return violations;
  }
}
