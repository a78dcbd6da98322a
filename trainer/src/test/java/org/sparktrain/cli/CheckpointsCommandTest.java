package org.sparktrain.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparktrain.checkpoint.CheckpointStore;
import org.sparktrain.files.Json;

/** `checkpoints list` and `checkpoints verify` on a local checkpoint directory. */
class CheckpointsCommandTest {
  @TempDir Path temp;

  private String checkpoints(long... steps) {
    String dir = temp.resolve("ckpt").toString();
    CheckpointStore store = new CheckpointStore(dir, new Configuration());
    for (long step : steps) {
      store.save(
          step,
          Map.of("epoch", (int) step, "iteration", step * 10, "metrics", Map.of("loss", 0.25)),
          Map.of("model.bin", new byte[] {1, 2, 3, (byte) step}));
    }
    return dir;
  }

  private Path stepDir(long step) {
    return temp.resolve("ckpt").resolve(String.format("step-%010d", step));
  }

  @Test
  void listPrintsAJsonArrayNewestFirst() throws IOException {
    String dir = checkpoints(1, 2);
    Files.createDirectories(stepDir(3));

    InProcess r = InProcess.run("checkpoints", "list", dir, "--json");

    assertEquals(0, r.exitCode(), r.err());
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> rows = Json.mapper().readValue(r.out(), List.class);
    assertEquals(3, rows.size(), r.out());
    assertEquals(List.of(3, 2, 1), rows.stream().map(m -> m.get("step")).toList());
    assertEquals(List.of(false, true, true), rows.stream().map(m -> m.get("committed")).toList());
    Map<String, Object> two = rows.get(1);
    assertEquals(2, two.get("epoch"));
    assertEquals(Map.of("loss", 0.25), two.get("metrics"));
    assertEquals(4, two.get("size_bytes"));
    assertTrue(((String) two.get("path")).endsWith("step-0000000002"), two::toString);
    assertTrue(two.containsKey("time") && two.containsKey("problem"), two::toString);
    assertEquals(-1, rows.get(0).get("epoch"));
  }

  @Test
  void listPrintsATable() {
    String dir = checkpoints(5);
    InProcess r = InProcess.run("checkpoints", "list", dir);
    assertEquals(0, r.exitCode(), r.err());
    List<String> lines = r.out().lines().toList();
    assertEquals(2, lines.size(), r.out());
    assertTrue(lines.get(0).startsWith("STEP"), r.out());
    assertTrue(lines.get(1).matches("5 +5 +yes +4 B .* loss=0\\.25"), lines.get(1));
  }

  @Test
  void verifyExitsZeroWhenEveryCheckpointIsGood() {
    String dir = checkpoints(1, 2);
    InProcess r = InProcess.run("checkpoints", "verify", dir);
    assertEquals(0, r.exitCode(), r.out() + r.err());
    assertTrue(r.out().contains("step 2: ok") && r.out().contains("step 1: ok"), r.out());
  }

  @Test
  void verifyExitsOneAndNamesTheDamagedFile() throws IOException {
    String dir = checkpoints(1, 2);
    org.apache.hadoop.fs.Path model =
        new org.apache.hadoop.fs.Path(stepDir(2).toUri().toString(), "model.bin");
    try (var out = model.getFileSystem(new Configuration()).create(model, true)) {
      out.write("xyz".getBytes(StandardCharsets.UTF_8));
    }

    InProcess r = InProcess.run("checkpoints", "verify", dir);

    assertEquals(ExitCodes.FAILURE, r.exitCode(), r.out() + r.err());
    assertTrue(r.out().contains("step 1: ok"), r.out());
    assertTrue(r.out().contains("step 2: model.bin is 3 bytes, the manifest says 4"), r.out());
  }

  @Test
  void missingDirectoryIsBadInput() {
    String missing = temp.resolve("nothing-here").toString();
    for (String sub : List.of("verify", "list")) {
      InProcess r = InProcess.run("checkpoints", sub, missing);
      assertEquals(ExitCodes.BAD_INPUT, r.exitCode(), r.out() + r.err());
      assertTrue(r.err().contains("does not exist"), r.err());
    }
  }

  @Test
  void mainExecuteReturnsTheExitCode() {
    assertEquals(
        ExitCodes.BAD_INPUT, Main.execute("checkpoints", "verify", temp.resolve("x").toString()));
    assertEquals(ExitCodes.BAD_INPUT, Main.execute("checkpoints"));
  }
}
