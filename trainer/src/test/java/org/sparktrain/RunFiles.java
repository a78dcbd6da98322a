package org.sparktrain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.ZipFile;
import javax.imageio.ImageIO;
import org.apache.hadoop.conf.Configuration;
import org.sparktrain.checkpoint.CheckpointInfo;
import org.sparktrain.checkpoint.CheckpointStore;
import org.sparktrain.spec.JobSpecLoader;

/** What tests check in a run directory: a snapshot of its files, and that every file is whole. */
public final class RunFiles {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Per-epoch fields that measure time, and so differ between two runs of the same job. */
  private static final List<String> TIMINGS = List.of("epoch_seconds", "samples_per_second", "eval_seconds");

  private RunFiles() {}

  /** Every file under {@code dir}, hidden ones included, with its SHA-256 and modification time. */
  public static Map<String, String> snapshot(Path dir) throws IOException {
    Map<String, String> files = new TreeMap<>();
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path p : all.filter(Files::isRegularFile).toList()) {
        files.put(
            dir.relativize(p).toString(),
            sha256(Files.readAllBytes(p)) + " " + Files.getLastModifiedTime(p).toMillis());
      }
    }
    return files;
  }

  public static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The epochs of metrics.jsonl without their timings (none when there is no file). */
  public static List<Map<String, Object>> epochs(Path dir) throws IOException {
    List<Map<String, Object>> epochs = new ArrayList<>();
    Path file = dir.resolve("metrics.jsonl");
    if (!Files.exists(file)) {
      return epochs;
    }
    String text = Files.readString(file);
    assertTrue(text.isEmpty() || text.endsWith("\n"), "metrics.jsonl ends with a whole line: " + text);
    for (String line : text.lines().toList()) {
      @SuppressWarnings("unchecked")
      Map<String, Object> epoch = new LinkedHashMap<>(JSON.readValue(line, Map.class));
      TIMINGS.forEach(epoch::remove);
      epochs.add(epoch);
    }
    for (int i = 0; i < epochs.size(); i++) {
      assertEquals(i + 1, epochs.get(i).get("epoch"), "epochs in order: " + text);
    }
    return epochs;
  }

  /** The network's parameters and updater state as model.zip holds them, byte for byte. */
  public static String parameters(Path modelZip) throws IOException {
    try (ZipFile zip = new ZipFile(modelZip.toFile())) {
      StringBuilder digest = new StringBuilder();
      for (String entry : List.of("coefficients.bin", "updaterState.bin")) {
        assertNotNull(zip.getEntry(entry), modelZip + " has " + entry);
        digest.append(entry).append('=').append(sha256(zip.getInputStream(zip.getEntry(entry)).readAllBytes())).append(' ');
      }
      return digest.toString().trim();
    }
  }

  /**
   * Asserts that every file a reader would take for a run's output is whole: JSON parses,
   * metrics.jsonl holds whole lines of consecutive epochs, model.zip opens with its entries, the
   * job file loads, images decode, the report is complete, and every committed checkpoint
   * verifies. Temporary files (".name.tmp") and uncommitted checkpoints are what readers ignore.
   */
  public static void assertWhole(Path dir, String when) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> top = Files.list(dir)) {
      for (Path p : top.toList()) {
        String name = p.getFileName().toString();
        String what = name + " " + when;
        if (name.startsWith(".") || Files.isDirectory(p)) {
          continue;
        }
        switch (name) {
          case "metrics.jsonl" -> epochs(dir);
          case "summary.json" -> {
            JsonNode summary = JSON.readTree(p.toFile());
            assertTrue(summary.has("test") && summary.has("provenance"), what + ": " + summary);
          }
          case "model.zip" -> {
            parameters(p);
            try (ZipFile zip = new ZipFile(p.toFile())) {
              for (String entry : List.of("configuration.json", "feature-pipeline.json", "job.yaml", "provenance.json")) {
                assertNotNull(zip.getEntry(entry), what + " has " + entry);
              }
            }
          }
          case "job.yaml" -> JobSpecLoader.parse(Files.readString(p), p.toString(), List.of());
          case "report.html" -> assertTrue(Files.readString(p).trim().endsWith("</html>"), what);
          default -> {
            assertTrue(name.endsWith(".png"), "unexpected file " + what);
            assertNotNull(ImageIO.read(p.toFile()), what);
          }
        }
      }
    }
    Path checkpoints = dir.resolve("checkpoints");
    if (Files.exists(checkpoints)) {
      CheckpointStore store = new CheckpointStore(checkpoints.toString(), new Configuration());
      for (CheckpointInfo info : store.list()) {
        if (info.committed()) {
          assertEquals(List.of(), store.verify(info.step()), "checkpoint " + info.step() + " " + when);
        }
      }
    }
  }

  /** Names of temporary files left anywhere under {@code dir}. */
  public static List<String> temporaryFiles(Path dir) throws IOException {
    try (Stream<Path> all = Files.walk(dir)) {
      return all.map(p -> dir.relativize(p).toString()).filter(n -> n.endsWith(".tmp")).toList();
    }
  }
}
