package org.sparktrain.spec;

import java.util.List;

/**
 * One job-file field, declared once: its path, type, default, allowed values or range, and
 * meaning. Validation, defaults and the job-file reference (docs/job-reference.md) all read from
 * these declarations.
 *
 * @param path dotted YAML path; list items are written {@code model.layers[].units}
 * @param defaultValue the default, or null when the field is required or optional without default
 * @param required whether the field must be given (layer fields: see {@link JobFields})
 */
public record FieldDef(
    String path,
    Type type,
    Object defaultValue,
    boolean required,
    List<String> allowed,
    Double min,
    boolean minExclusive,
    Double max,
    boolean maxExclusive,
    String description) {

  /** Value types a field can have. */
  public enum Type {
    STRING,
    INT,
    LONG,
    DOUBLE,
    BOOL,
    STRING_LIST,
    ENUM,
    LIST_OF_MAPS
  }

  /** The allowed values or range as a short text, for messages and docs. */
  public String allowedText() {
    if (type == Type.ENUM) {
      return String.join(" | ", allowed);
    }
    if (min == null && max == null) {
      return "";
    }
    StringBuilder sb = new StringBuilder();
    if (min != null && max != null) {
      sb.append(minExclusive ? "(" : "[").append(fmt(min)).append(", ").append(fmt(max)).append(maxExclusive ? ")" : "]");
    } else if (min != null) {
      sb.append(minExclusive ? "> " : ">= ").append(fmt(min));
    } else {
      sb.append(maxExclusive ? "< " : "<= ").append(fmt(max));
    }
    return sb.toString();
  }

  /** The range or allowed-values violation for {@code value}, or null when it is fine. */
  String check(Object value) {
    if (value == null) {
      return null;
    }
    if (type == Type.ENUM && !allowed.contains(value)) {
      return "must be one of " + String.join(", ", allowed) + "; got '" + value + "'";
    }
    if (value instanceof Double d && (d.isNaN() || d.isInfinite())) {
      return "must be a finite number, got " + value;
    }
    if (value instanceof Number n) {
      double v = n.doubleValue();
      boolean low = min != null && (minExclusive ? v <= min : v < min);
      boolean high = max != null && (maxExclusive ? v >= max : v > max);
      if (low || high) {
        return "must be " + allowedText() + ", got " + value;
      }
    }
    return null;
  }

  private static String fmt(double d) {
    return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
  }
}
