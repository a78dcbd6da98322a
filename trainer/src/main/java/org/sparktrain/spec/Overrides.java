package org.sparktrain.spec;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/** {@code --set path=value}: sets one field in the raw YAML tree before validation. */
final class Overrides {
  private Overrides() {}

  static void apply(Map<String, Object> root, List<String> overrides, List<Violation> violations) {
    for (String o : overrides) {
      int eq = o.indexOf('=');
      if (eq <= 0) {
        violations.add(new Violation("--set " + o, "expected PATH=VALUE, e.g. --set training.epochs=2"));
        continue;
      }
      String path = o.substring(0, eq).trim();
      String error = set(root, path, value(o.substring(eq + 1)));
      if (error != null) {
        violations.add(new Violation(path, error + " (from --set " + o + ")"));
      }
    }
  }

  /** The value as a YAML scalar or flow collection; plain text (a URI, say) stays a string. */
  static Object value(String text) {
    try {
      Object v = new Yaml(new SafeConstructor(new LoaderOptions())).load(text);
      return v instanceof Map ? text : v == null && !text.isBlank() && !text.equals("null") ? text : v;
    } catch (YAMLException e) {
      return text;
    }
  }

  @SuppressWarnings("unchecked")
  private static String set(Map<String, Object> root, String path, Object value) {
    String[] parts = path.split("\\.");
    Object node = root;
    for (int i = 0; i < parts.length; i++) {
      String part = parts[i];
      Integer index = null;
      int br = part.indexOf('[');
      if (br >= 0) {
        if (!part.endsWith("]")) {
          return "malformed list index in '" + part + "'";
        }
        try {
          index = Integer.parseInt(part.substring(br + 1, part.length() - 1));
        } catch (NumberFormatException e) {
          return "malformed list index in '" + part + "'";
        }
        part = part.substring(0, br);
      }
      if (!(node instanceof Map)) {
        return "cannot set a field inside a value that is not a mapping";
      }
      Map<String, Object> map = (Map<String, Object>) node;
      boolean last = i == parts.length - 1;
      if (index == null) {
        if (last) {
          map.put(part, value);
          return null;
        }
        node = map.computeIfAbsent(part, k -> new LinkedHashMap<String, Object>());
      } else {
        Object list = map.get(part);
        if (!(list instanceof List) || index < 0 || index >= ((List<Object>) list).size()) {
          int size = list instanceof List ? ((List<Object>) list).size() : 0;
          return "index " + index + " is out of range; the list has " + size + " item(s)";
        }
        if (last) {
          ((List<Object>) list).set(index, value);
          return null;
        }
        node = ((List<Object>) list).get(index);
      }
    }
    return null;
  }

  static List<String> none() {
    return new ArrayList<>();
  }
}
