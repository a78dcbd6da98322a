package org.sparktrain.checkpoint;

import org.sparktrain.files.RunLayout;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import java.io.IOException;
import java.math.BigInteger;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.sparktrain.files.Json;

/**
 * The parsed MANIFEST.json of one checkpoint. Written last, it commits the checkpoint; it holds the
 * caller's fields plus the format version, the step, the time and each file's size and SHA-256.
 */
record Manifest(
    Map<String, Object> fields,
    long step,
    Instant createdAt,
    int epoch,
    long iteration,
    Map<String, Object> metrics,
    Map<String, FileEntry> files) {

  static final String FORMAT_VERSION = "format_version";
  static final String STEP = "step";
  static final String CREATED_AT = "created_at";
  static final String FILES = "files";
  static final Set<String> RESERVED = Set.of(FORMAT_VERSION, STEP, CREATED_AT, FILES);

  private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
  private static final TypeReference<Map<String, Object>> OBJECT = new TypeReference<>() {};

  /** One file's recorded size and SHA-256 (lower-case hex). */
  record FileEntry(long size, String sha256) {}

  /** A manifest that cannot be used; the message names the field and what was wrong. */
  static final class Invalid extends Exception {
    private static final long serialVersionUID = 1L;

    Invalid(String message) {
      super(message);
    }
  }

  /** A manifest written by a trainer with a newer format than this one reads. */
  static final class TooNew extends Exception {
    private static final long serialVersionUID = 1L;

    TooNew(int version) {
      super(
          "written by a newer trainer (format "
              + version
              + ", this one reads up to "
              + CheckpointStore.FORMAT_VERSION
              + "); upgrade the trainer");
    }
  }

  long sizeBytes() {
    return files.values().stream().mapToLong(FileEntry::size).sum();
  }

  /** The manifest's JSON: format version, step and time first, the caller's fields, files last. */
  static byte[] toJson(
      Map<String, Object> callerFields,
      long step,
      Instant createdAt,
      Map<String, FileEntry> files) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put(FORMAT_VERSION, CheckpointStore.FORMAT_VERSION);
    m.put(STEP, step);
    m.put(CREATED_AT, createdAt.toString());
    m.putAll(callerFields);
    Map<String, Object> fileMap = new LinkedHashMap<>();
    files.forEach(
        (name, e) -> {
          Map<String, Object> entry = new LinkedHashMap<>();
          entry.put("size", e.size());
          entry.put("sha256", e.sha256());
          fileMap.put(name, entry);
        });
    m.put(FILES, fileMap);
    try {
      return Json.mapper().writeValueAsBytes(m);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(
          "manifest fields cannot be written as JSON ("
              + e.getOriginalMessage()
              + "); expected strings, numbers, booleans, lists and maps",
          e);
    }
  }

  /** Why {@code name} cannot be a checkpoint file's name, or null when it can. */
  static String fileNameProblem(String name) {
    if (name == null || name.isEmpty()) {
      return "a file name is empty";
    }
    if (name.contains("/") || name.contains("\\") || name.contains(":")) {
      return "file name '" + name + "' contains '/', '\\' or ':'; expected a plain file name";
    }
    if (name.startsWith(".")) {
      return "file name '" + name + "' starts with '.', which marks temporary files";
    }
    if (name.equals(RunLayout.Checkpoint.MANIFEST)) {
      return "file name '" + name + "' is the manifest's own name";
    }
    return null;
  }

  /** Parses a manifest read from the directory of {@code dirStep}. */
  static Manifest parse(byte[] json, long dirStep) throws Invalid, TooNew {
    Map<String, Object> m;
    try {
      m = Json.mapper().readValue(json, OBJECT);
    } catch (IOException e) {
      throw new Invalid(
          RunLayout.Checkpoint.MANIFEST
              + " is not a JSON object ("
              + firstLine(e.getMessage())
              + "); the file is damaged");
    }
    if (m == null) {
      throw new Invalid(RunLayout.Checkpoint.MANIFEST + " is empty (null); the file is damaged");
    }
    long version = integer(m, FORMAT_VERSION, FORMAT_VERSION, 1, Integer.MAX_VALUE, true);
    if (version > CheckpointStore.FORMAT_VERSION) {
      throw new TooNew((int) version);
    }
    long step = integer(m, STEP, STEP, 0, Long.MAX_VALUE, true);
    if (step != dirStep) {
      throw new Invalid(
          RunLayout.Checkpoint.MANIFEST
              + " says step "
              + step
              + " but lies in the directory of step "
              + dirStep
              + "; a checkpoint directory was renamed or copied to the wrong place");
    }
    Instant createdAt = instant(m);
    int epoch = (int) integer(m, "epoch", "epoch", -1, Integer.MAX_VALUE, false);
    long iteration = integer(m, "iteration", "iteration", -1, Long.MAX_VALUE, false);
    Map<String, Object> metrics = object(m, "metrics", false);
    Map<String, FileEntry> files = files(object(m, FILES, true));
    return new Manifest(
        Collections.unmodifiableMap(m),
        step,
        createdAt,
        epoch,
        iteration,
        metrics == null ? Map.of() : metrics,
        Collections.unmodifiableMap(files));
  }

  private static Map<String, FileEntry> files(Map<String, Object> raw) throws Invalid {
    Map<String, FileEntry> files = new LinkedHashMap<>();
    for (Map.Entry<String, Object> e : raw.entrySet()) {
      String name = e.getKey();
      String problem = fileNameProblem(name);
      if (problem != null) {
        throw new Invalid(RunLayout.Checkpoint.MANIFEST + " lists a bad file: " + problem);
      }
      String where = FILES + "." + name;
      if (!(e.getValue() instanceof Map<?, ?>)) {
        throw new Invalid(
            RunLayout.Checkpoint.MANIFEST
                + " field '"
                + where
                + "' must be an object with size and sha256");
      }
      @SuppressWarnings("unchecked")
      Map<String, Object> entry = (Map<String, Object>) e.getValue();
      long size = integer(entry, "size", where + ".size", 0, Long.MAX_VALUE, true);
      Object sha = entry.get("sha256");
      if (!(sha instanceof String s) || !SHA256.matcher(s).matches()) {
        throw new Invalid(
            RunLayout.Checkpoint.MANIFEST
                + " field '"
                + where
                + ".sha256' must be 64 lower-case hexadecimal digits, got "
                + describe(sha));
      }
      files.put(name, new FileEntry(size, (String) sha));
    }
    return files;
  }

  private static long integer(
      Map<String, Object> m, String key, String where, long min, long max, boolean required)
      throws Invalid {
    Object v = m.get(key);
    if (v == null) {
      if (required) {
        throw new Invalid(
            RunLayout.Checkpoint.MANIFEST
                + " has no '"
                + where
                + "'; expected a manifest written by this trainer");
      }
      return -1;
    }
    boolean integral =
        v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof BigInteger;
    if (!integral
        || (v instanceof BigInteger b && b.bitLength() > 63)
        || ((Number) v).longValue() < min
        || ((Number) v).longValue() > max) {
      throw new Invalid(
          RunLayout.Checkpoint.MANIFEST
              + " field '"
              + where
              + "' must be an integer in ["
              + min
              + ", "
              + max
              + "], got "
              + describe(v));
    }
    return ((Number) v).longValue();
  }

  private static Instant instant(Map<String, Object> m) throws Invalid {
    Object v = m.get(CREATED_AT);
    if (v instanceof String s) {
      try {
        return Instant.parse(s);
      } catch (DateTimeParseException e) {
        throw badInstant(v);
      }
    }
    throw badInstant(v);
  }

  private static Invalid badInstant(Object seen) {
    return new Invalid(
        RunLayout.Checkpoint.MANIFEST
            + " field '"
            + CREATED_AT
            + "' must be an ISO-8601 instant such as 2024-01-31T12:00:00Z, got "
            + describe(seen));
  }

  private static Map<String, Object> object(Map<String, Object> m, String key, boolean required)
      throws Invalid {
    Object v = m.get(key);
    if (v == null && !required) {
      return null;
    }
    if (!(v instanceof Map<?, ?>)) {
      throw new Invalid(
          RunLayout.Checkpoint.MANIFEST + " field '" + key + "' must be an object, got " + describe(v));
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> map = (Map<String, Object>) v;
    return Collections.unmodifiableMap(map);
  }

  private static String describe(Object v) {
    if (v == null) {
      return "nothing";
    }
    String text = v instanceof String ? "'" + v + "'" : String.valueOf(v);
    if (text.length() > 80) {
      text = text.substring(0, 77) + "...";
    }
    return text + " (" + v.getClass().getSimpleName() + ")";
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "no detail";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
