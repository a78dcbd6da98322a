package org.sparktrain.data;

import java.util.Locale;
import java.util.Set;

/**
 * One unusable cell met while featurizing a row: its column and raw value, so that the task that
 * met it can add the file and line before the error leaves it.
 */
final class BadCell extends DataException {
  private static final long serialVersionUID = 1L;

  enum Kind {
    MISSING,
    NOT_A_NUMBER,
    NOT_FINITE
  }

  private final String column;
  private final String raw;
  private final Kind kind;
  private final String rest;

  /**
   * @param raw the cell as read (null for a missing one)
   * @param rest what was expected and how to fix it, after "; "
   */
  BadCell(String column, String raw, Kind kind, String rest) {
    this(column, raw, kind, rest, "");
  }

  private BadCell(String column, String raw, Kind kind, String rest, String where) {
    super(message(column, raw, kind, rest, where));
    this.column = column;
    this.raw = raw;
    this.kind = kind;
    this.rest = rest;
  }

  String column() {
    return column;
  }

  String raw() {
    return raw;
  }

  Kind kind() {
    return kind;
  }

  /** The same error with "at line N of FILE" (or another place) in its message. */
  BadCell at(String where) {
    BadCell located = new BadCell(column, raw, kind, rest, where);
    located.initCause(this);
    return located;
  }

  private static String message(String column, String raw, Kind kind, String rest, String where) {
    String at = where.isEmpty() ? "" : " " + where;
    String seen = switch (kind) {
      case MISSING -> "missing value" + at;
      case NOT_A_NUMBER -> "value \"" + raw + "\" is not a number" + at;
      case NOT_FINITE -> "value \"" + raw + "\" is not a finite number" + at;
    };
    return "column '" + column + "': " + seen + "; " + rest;
  }

  /** How the value that caused a NOT_A_NUMBER or NOT_FINITE error could be declared missing. */
  static String tokenHint(String raw) {
    return "if \"" + raw + "\" marks a missing value, declare it: data.missing.tokens: [" + yamlScalar(raw.trim()) + "]";
  }

  private static final Set<String> YAML_WORDS =
      Set.of("null", "true", "false", "yes", "no", "on", "off", "y", "n", "~");

  /** The text as a YAML flow-sequence item that reads back as that string. */
  static String yamlScalar(String s) {
    boolean plain = s.matches("[A-Za-z][A-Za-z0-9_/#.-]*") && !YAML_WORDS.contains(s.toLowerCase(Locale.ROOT));
    return plain ? s : "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  /** Spellings of infinity and NaN that Spark's cast from text to double accepts. */
  static boolean nonFiniteWord(String raw) {
    String t = raw.trim().toLowerCase(Locale.ROOT);
    if (t.startsWith("+") || t.startsWith("-")) {
      t = t.substring(1);
    }
    return t.equals("nan") || t.equals("inf") || t.equals("infinity");
  }
}
