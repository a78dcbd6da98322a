package org.sparktrain.spec;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Pass one: each field on its own — known name, type, range, presence. */
final class FieldChecks {
  private FieldChecks() {}

  static void check(Map<String, Object> root, Resolved out, List<Violation> violations) {
    walk(root, "", "", out.values, violations);
    for (FieldDef f : JobFields.all().values()) {
      if (f.path().contains("[]")) {
        continue;
      }
      if (!out.values.containsKey(f.path())) {
        if (f.required() && !("model.layers".equals(f.path()) && networkFromElsewhere(out.values))) {
          violations.add(new Violation(f.path(), "required: " + f.description()));
        } else {
          out.values.put(f.path(), f.defaultValue());
        }
      }
    }
    Object layers = out.values.get("model.layers");
    if (layers instanceof List<?> list) {
      for (int i = 0; i < list.size(); i++) {
        Object item = list.get(i);
        String at = "model.layers[" + i + "]";
        if (!(item instanceof Map)) {
          violations.add(new Violation(at, "expected a mapping like {type: dense, units: 64}, got " + JobSpecLoader.describe(item)));
          continue;
        }
        Map<String, Object> layer = new LinkedHashMap<>();
        walk(asMap(item), "model.layers[]", at, layer, violations);
        out.layers.add(layer);
      }
      if (list.isEmpty()) {
        violations.add(new Violation("model.layers", "needs at least one layer (the output layer)"));
      }
    }
  }

  /** A Keras definition or a trained model supplies the network, so model.layers may be absent. */
  private static boolean networkFromElsewhere(Map<String, Object> values) {
    return values.get("model.keras.config") != null || values.get("model.init_from") != null;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> asMap(Object o) {
    return (Map<String, Object>) o;
  }

  /**
   * Checks the mapping at declared prefix {@code decl} (shown to users as {@code shown}) and
   * stores leaf values by their declared path.
   */
  private static void walk(Map<String, Object> map, String decl, String shown, Map<String, Object> out, List<Violation> violations) {
    List<String> known = JobFields.childNames(decl);
    for (Map.Entry<String, Object> e : map.entrySet()) {
      String key = String.valueOf(e.getKey());
      String declPath = decl.isEmpty() ? key : decl + "." + key;
      String shownPath = shown.isEmpty() ? key : shown + "." + key;
      if (!known.contains(key)) {
        violations.add(new Violation(shownPath, unknown(key, decl)));
        continue;
      }
      FieldDef f = JobFields.get(declPath);
      if (f == null) {
        if (!(e.getValue() instanceof Map)) {
          violations.add(new Violation(shownPath, "expected a mapping (a section with fields " + String.join(", ", JobFields.childNames(declPath)) + "), got " + JobSpecLoader.describe(e.getValue())));
        } else {
          walk(asMap(e.getValue()), declPath, shownPath, out, violations);
        }
        continue;
      }
      Object value = coerce(f, e.getValue(), shownPath, violations);
      if (value != null) {
        out.put(declPath, value);
      }
    }
  }

  private static String unknown(String key, String decl) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String name : JobFields.childNames(decl)) {
      int d = distance(key, name);
      if (d < bestDistance) {
        bestDistance = d;
        best = name;
      }
    }
    String where = decl.isEmpty() ? "at the top level" : "in " + decl.replace("[]", "[i]");
    String msg = "unknown field " + where;
    if (best != null && bestDistance <= Math.max(2, key.length() / 3)) {
      String full = decl.isEmpty() ? best : decl.replace("[]", "[i]") + "." + best;
      return msg + "; did you mean '" + full + "'?";
    }
    return msg + "; valid fields are " + String.join(", ", JobFields.childNames(decl));
  }

  /** Levenshtein distance. */
  static int distance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }

  private static Object coerce(FieldDef f, Object raw, String path, List<Violation> violations) {
    if (raw == null) {
      return null;
    }
    if ("data.missing.tokens".equals(f.path()) && raw instanceof List<?> items && items.contains(null)) {
      // YAML reads a bare null or ~ as no value, not as the text a CSV file holds.
      violations.add(new Violation(path, "item " + (items.indexOf(null) + 1) + " is YAML's null, not text; quote it (\"null\") to mean the text null in a cell"));
      return null;
    }
    Object v = switch (f.type()) {
      case STRING, ENUM -> raw instanceof String || raw instanceof Number || raw instanceof Boolean ? String.valueOf(raw) : null;
      case INT -> raw instanceof Integer || (raw instanceof Long l && l == l.intValue()) ? ((Number) raw).intValue() : null;
      case LONG -> raw instanceof Integer || raw instanceof Long ? ((Number) raw).longValue() : null;
      case DOUBLE -> raw instanceof Number n ? n.doubleValue() : null;
      case BOOL -> raw instanceof Boolean ? raw : null;
      case STRING_LIST -> stringList(raw);
      case LIST_OF_MAPS -> raw instanceof List ? raw : null;
    };
    if (v == null) {
      violations.add(new Violation(path, "expected " + expected(f) + ", got " + JobSpecLoader.describe(raw)));
      return null;
    }
    if ("training.updater".equals(f.path()) && "momentum".equals(v)) {
      v = "nesterov";
    }
    String range = f.check(v);
    if (range != null) {
      violations.add(new Violation(path, range));
      return null;
    }
    if ("data.delimiter".equals(f.path()) && ((String) v).length() != 1) {
      violations.add(new Violation(path, "must be exactly one character, got \"" + v + "\""));
      return null;
    }
    return v;
  }

  private static List<String> stringList(Object raw) {
    if (!(raw instanceof List<?> list)) {
      return null;
    }
    List<String> out = new ArrayList<>();
    for (Object o : list) {
      if (o instanceof Map || o instanceof List || o == null) {
        return null;
      }
      out.add(String.valueOf(o));
    }
    return out;
  }

  private static String expected(FieldDef f) {
    return switch (f.type()) {
      case STRING -> "a string";
      case ENUM -> "one of " + String.join(", ", f.allowed());
      case INT, LONG -> "an integer";
      case DOUBLE -> "a number";
      case BOOL -> "true or false";
      case STRING_LIST -> "data.missing.tokens".equals(f.path()) ? "a list of cell values, e.g. [NA, \"?\"]" : "a list of column names, e.g. [a, b]";
      case LIST_OF_MAPS -> "a list of mappings";
    };
  }
}
