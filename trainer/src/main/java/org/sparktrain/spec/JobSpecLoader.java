package org.sparktrain.spec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Reads a job file: safe YAML, then {@code --set} overrides, then validation in two passes (each
 * field, then rules across fields), reporting every violation at once.
 */
public final class JobSpecLoader {
  private JobSpecLoader() {}

  public static JobSpec load(Path file, List<String> overrides) {
    String text;
    try {
      text = Files.readString(file);
    } catch (NoSuchFileException e) {
      throw new SpecException("job file", "no such file '" + file + "'; expected a YAML job file; check the path");
    } catch (IOException e) {
      throw new SpecException("job file", "cannot read '" + file + "': " + e.getMessage());
    }
    return parse(text, file.toString(), overrides);
  }

  public static JobSpec parse(String yamlText, String sourceName, List<String> overrides) {
    Map<String, Object> root = readYaml(yamlText, sourceName);
    List<Violation> violations = new ArrayList<>();
    Overrides.apply(root, overrides, violations);
    Resolved values = new Resolved();
    FieldChecks.check(root, values, violations);
    if (violations.isEmpty()) {
      CrossFieldRules.check(values, violations);
    }
    if (!violations.isEmpty()) {
      throw new SpecException(violations);
    }
    return values.toSpec();
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> readYaml(String text, String source) {
    Object doc;
    LoaderOptions options = new LoaderOptions();
    options.setAllowDuplicateKeys(false);
    try {
      doc = new Yaml(new SafeConstructor(options)).load(text);
    } catch (MarkedYAMLException e) {
      Mark m = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
      String where = m == null ? "" : " at line " + (m.getLine() + 1) + ", column " + (m.getColumn() + 1);
      throw new SpecException(
          source,
          "malformed YAML" + where + ": " + e.getProblem() + "; fix the YAML syntax there (indentation, ':' after keys, closed brackets and quotes)");
    } catch (YAMLException e) {
      throw new SpecException(source, "malformed YAML: " + e.getMessage());
    }
    if (doc == null) {
      return new LinkedHashMap<>();
    }
    if (!(doc instanceof Map)) {
      throw new SpecException(source, "expected a mapping with sections data, model, training, strategy, output; got " + describe(doc));
    }
    return (Map<String, Object>) doc;
  }

  static String describe(Object v) {
    if (v instanceof Map) {
      return "a mapping";
    }
    if (v instanceof List) {
      return "a list";
    }
    return v instanceof String ? "\"" + v + "\"" : String.valueOf(v);
  }
}
