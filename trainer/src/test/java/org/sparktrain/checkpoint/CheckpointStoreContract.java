package org.sparktrain.checkpoint;

import org.sparktrain.files.RunLayout;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.sparktrain.files.Json;

/**
 * What every filesystem must give the checkpoint store: commit by manifest, round trips, checks
 * that catch damage, fallback, retention and failed saves that leave nothing committed. Each test
 * gets its own checkpoint directory under {@link #base()}.
 */
abstract class CheckpointStoreContract {
  /** Fast retries, so that tests of failing saves do not wait. */
  static final Retry FAST = new Retry(3, Duration.ofMillis(1));

  String dir;
  FileSystem fs;

  /** A directory URI under which each test makes its own checkpoint directory. */
  abstract String base();

  abstract Configuration conf();

  @BeforeEach
  void freshDirectory(TestInfo test) throws IOException {
    dir = base() + "/" + test.getTestMethod().orElseThrow().getName();
    fs = new Path(dir).getFileSystem(conf());
    fs.delete(new Path(dir), true);
  }

  CheckpointStore store() {
    return new CheckpointStore(dir, conf());
  }

  CheckpointStore store(Faults faults) {
    return new CheckpointStore(dir, conf(), FAST, faults);
  }

  static Map<String, Object> fields(int epoch) {
    Map<String, Object> f = new LinkedHashMap<>();
    f.put("epoch", epoch);
    f.put("iteration", 100L * epoch);
    f.put("metrics", Map.of("loss", 0.5 / (epoch + 1), "accuracy", 0.875));
    f.put("seed", 42);
    f.put("spark_version", "3.5.7");
    f.put("dl4j_version", "1.0.0-M2");
    return f;
  }

  static Map<String, byte[]> files(long step) {
    byte[] model = new byte[3000];
    for (int i = 0; i < model.length; i++) {
      model[i] = (byte) (i * 31 + step);
    }
    Map<String, byte[]> files = new LinkedHashMap<>();
    files.put("model.bin", model);
    files.put("state.json", ("{\"step\":" + step + "}").getBytes(StandardCharsets.UTF_8));
    return files;
  }

  CheckpointInfo save(CheckpointStore store, long step) {
    return store.save(step, fields((int) step), files(step));
  }

  Path stepDir(long step) {
    return new Path(dir, String.format("step-%010d", step));
  }

  byte[] read(Path p) throws IOException {
    try (InputStream in = fs.open(p)) {
      return in.readAllBytes();
    }
  }

  /** Replaces a file's contents through the filesystem, as a faulty writer or a person would. */
  void rewrite(Path p, byte[] bytes) throws IOException {
    try (OutputStream out = fs.create(p, true)) {
      out.write(bytes);
    }
  }

  static List<Long> steps(List<CheckpointInfo> infos) {
    return infos.stream().map(CheckpointInfo::step).toList();
  }

  @Test
  void saveListLoadRoundTrip() {
    CheckpointStore store = store();
    CheckpointInfo saved = save(store, 7);

    assertTrue(saved.committed());
    assertEquals(7, saved.step());
    assertEquals(7, saved.epoch());
    assertEquals(700, saved.iteration());
    assertEquals(0.875, saved.metrics().get("accuracy"));
    long size = files(7).values().stream().mapToLong(b -> b.length).sum();
    assertEquals(size, saved.sizeBytes());
    assertEquals(List.of(saved), store.list());

    CheckpointStore.Loaded loaded = store.load(7);
    assertEquals(saved, loaded.info());
    assertEquals(files(7).keySet(), loaded.files().keySet());
    files(7).forEach((name, bytes) -> assertArrayEquals(bytes, loaded.files().get(name), name));
    assertEquals(List.of(), store.verify(7));
  }

  @Test
  void manifestHoldsCallerFieldsVersionStepTimeAndChecksums() throws IOException {
    Instant before = Instant.now().minusSeconds(1);
    save(store(), 3);

    Path manifest = new Path(stepDir(3), RunLayout.Checkpoint.MANIFEST);
    @SuppressWarnings("unchecked")
    Map<String, Object> m = Json.mapper().readValue(read(manifest), Map.class);
    assertEquals(CheckpointStore.FORMAT_VERSION, m.get("format_version"));
    assertEquals(3, ((Number) m.get("step")).intValue());
    Instant created = Instant.parse((String) m.get("created_at"));
    assertTrue(!created.isBefore(before) && !created.isAfter(Instant.now()), created::toString);
    for (String key :
        List.of("epoch", "iteration", "metrics", "seed", "spark_version", "dl4j_version")) {
      assertTrue(m.containsKey(key), () -> "manifest lacks " + key + ": " + m);
    }
    @SuppressWarnings("unchecked")
    Map<String, Map<String, Object>> listed = (Map<String, Map<String, Object>>) m.get("files");
    assertEquals(files(3).keySet(), listed.keySet());
    files(3)
        .forEach(
            (name, bytes) -> {
              assertEquals(bytes.length, ((Number) listed.get(name).get("size")).intValue());
              assertEquals(Sha256.of(bytes), listed.get(name).get("sha256"));
            });
    assertEquals(m, store().load(3).manifest());
  }

  @Test
  void leavesOnlyFinalNamesInTheStepDirectory() throws IOException {
    save(store(), 12);
    List<String> names =
        Arrays.stream(fs.listStatus(stepDir(12))).map(s -> s.getPath().getName()).sorted().toList();
    assertEquals(List.of(RunLayout.Checkpoint.MANIFEST, "model.bin", "state.json"), names);
  }

  @Test
  void uncommittedDirectoryIsListedButNeverLoaded() throws IOException {
    CheckpointStore store = store();
    save(store, 1);
    rewrite(new Path(stepDir(2), "model.bin"), new byte[] {1, 2, 3});

    List<CheckpointInfo> infos = store.list();
    assertEquals(List.of(2L, 1L), steps(infos));
    CheckpointInfo unfinished = infos.get(0);
    assertFalse(unfinished.committed());
    assertNull(unfinished.problem());
    assertEquals(3, unfinished.sizeBytes());
    assertEquals(-1, unfinished.epoch());

    List<String> problems = new ArrayList<>();
    assertEquals(1, store.latestGood(problems::add).orElseThrow().info().step());
    assertEquals(List.of(), problems);
    assertTrue(store.verify(2).get(0).contains("not committed"), store.verify(2)::toString);
    assertThrows(CheckpointException.class, () -> store.load(2));
  }

  @Test
  void retentionKeepsTheNewestAndTheStepsAskedFor() throws IOException {
    CheckpointStore store = store();
    for (long step : List.of(1L, 2L, 3L, 5L, 6L)) {
      save(store, step);
    }
    fs.mkdirs(stepDir(4));
    rewrite(new Path(stepDir(7), ".model.bin.tmp"), new byte[10]);

    List<Long> deleted = store.retain(2, Set.of(2L));

    assertEquals(List.of(4L, 3L, 1L), deleted);
    assertEquals(List.of(7L, 6L, 5L, 2L), steps(store.list()));
    assertFalse(fs.exists(stepDir(1)));
    assertFalse(fs.exists(stepDir(4)));
    assertEquals(List.of(), store.retain(2, Set.of(2L)));
    assertThrows(IllegalArgumentException.class, () -> store.retain(0, Set.of()));
  }

  @Test
  void verifyFindsATruncatedFile() throws IOException {
    CheckpointStore store = store();
    save(store, 4);
    Path model = new Path(stepDir(4), "model.bin");
    rewrite(model, Arrays.copyOf(files(4).get("model.bin"), 1000));

    List<String> problems = store.verify(4);

    assertEquals(1, problems.size(), problems::toString);
    assertTrue(
        problems.get(0).startsWith("step 4: model.bin is 1000 bytes, the manifest says 3000"),
        problems::toString);
    CheckpointException e = assertThrows(CheckpointException.class, () -> store.load(4));
    assertTrue(e.getMessage().contains("model.bin is 1000 bytes"), e::getMessage);
  }

  @Test
  void verifyFindsOneFlippedByte() throws IOException {
    CheckpointStore store = store();
    save(store, 4);
    Path model = new Path(stepDir(4), "model.bin");
    byte[] bytes = read(model);
    bytes[1234] ^= 0x01;
    rewrite(model, bytes);

    List<String> problems = store.verify(4);

    assertEquals(1, problems.size(), problems::toString);
    assertTrue(
        problems.get(0).startsWith("step 4: model.bin has SHA-256 " + Sha256.of(bytes)),
        problems::toString);
    assertTrue(
        problems.get(0).contains("the manifest says " + Sha256.of(files(4).get("model.bin"))));
  }

  @Test
  void verifyFindsAMissingFile() throws IOException {
    CheckpointStore store = store();
    save(store, 4);
    fs.delete(new Path(stepDir(4), "state.json"), false);
    assertEquals(
        List.of("step 4: state.json is missing (the manifest lists it with 10 bytes)"),
        store.verify(4));
  }

  @Test
  void latestGoodFallsBackToTheNewestCheckpointThatVerifies() throws IOException {
    CheckpointStore store = store();
    save(store, 1);
    save(store, 2);
    save(store, 3);
    rewrite(new Path(stepDir(3), "state.json"), "{\"step\":9}".getBytes(StandardCharsets.UTF_8));
    Path model2 = new Path(stepDir(2), "model.bin");
    rewrite(model2, new byte[5]);

    List<String> problems = new ArrayList<>();
    Optional<CheckpointStore.Loaded> good = store.latestGood(problems::add);

    assertEquals(1, good.orElseThrow().info().step());
    assertArrayEquals(files(1).get("model.bin"), good.get().files().get("model.bin"));
    assertEquals(2, problems.size(), problems::toString);
    assertTrue(
        problems.get(0).startsWith("skipping checkpoint step 3 at " + stepDir(3)), problems.get(0));
    assertTrue(problems.get(0).contains("state.json has SHA-256"), problems.get(0));
    assertTrue(
        problems.get(1).contains("step 2") && problems.get(1).contains("model.bin is 5 bytes"),
        problems.get(1));
  }

  @Test
  void latestGoodIsEmptyWithoutAGoodCheckpoint() throws IOException {
    CheckpointStore store = store();
    assertTrue(store.latestGood(p -> {}).isEmpty());
    save(store, 1);
    rewrite(new Path(stepDir(1), "model.bin"), new byte[0]);
    List<String> problems = new ArrayList<>();
    assertTrue(store.latestGood(problems::add).isEmpty());
    assertEquals(1, problems.size());
  }

  @Test
  void corruptManifestIsListedAsUncommittedWithItsProblemAndSkipped() throws IOException {
    CheckpointStore store = store();
    save(store, 1);
    save(store, 2);
    rewrite(
        new Path(stepDir(2), RunLayout.Checkpoint.MANIFEST),
        "{\"format_version\": 1, \"step\":".getBytes(StandardCharsets.UTF_8));

    CheckpointInfo broken = store.list().get(0);
    assertEquals(2, broken.step());
    assertFalse(broken.committed());
    assertTrue(broken.problem().startsWith("MANIFEST.json is not a JSON object"), broken::problem);

    List<String> problems = new ArrayList<>();
    assertEquals(1, store.latestGood(problems::add).orElseThrow().info().step());
    assertEquals(1, problems.size());
    assertTrue(
        problems.get(0).contains("step 2") && problems.get(0).contains("MANIFEST.json"),
        problems.get(0));
    assertEquals(1, store.verify(2).size());
  }

  @Test
  void manifestOfANewerFormatIsRefusedWithAnUpgradeMessage() throws IOException {
    CheckpointStore store = store();
    save(store, 1);
    save(store, 2);
    Path manifest = new Path(stepDir(2), RunLayout.Checkpoint.MANIFEST);
    String newer =
        new String(read(manifest), StandardCharsets.UTF_8)
            .replace("\"format_version\" : 1", "\"format_version\" : 2");
    rewrite(manifest, newer.getBytes(StandardCharsets.UTF_8));

    CheckpointException e =
        assertThrows(CheckpointException.class, () -> store.latestGood(p -> {}));
    assertInstanceOf(CheckpointInputException.class, e);
    assertTrue(
        e.getMessage()
            .contains(
                "written by a newer trainer (format 2, this one reads up to 1); upgrade the"
                    + " trainer"),
        e::getMessage);
    assertThrows(CheckpointInputException.class, () -> store.load(2));
    CheckpointInfo listed = store.list().get(0);
    assertTrue(listed.committed());
    assertTrue(listed.problem().contains("newer trainer"), listed::problem);
  }

  @Test
  void saveThatFailsMidwayCommitsNothing() {
    CheckpointStore store = store();
    save(store, 1);
    AtomicInteger attempts = new AtomicInteger();
    CheckpointStore failing =
        store(
            new Faults() {
              @Override
              public void beforeWrite(Path target) throws IOException {
                if (target.getName().equals("state.json")) {
                  attempts.incrementAndGet();
                  throw new IOException("disk quota exceeded (injected)");
                }
              }
            });

    CheckpointException e = assertThrows(CheckpointException.class, () -> save(failing, 2));

    assertEquals(3, attempts.get());
    assertTrue(e.getMessage().contains("could not save checkpoint step 2"), e::getMessage);
    assertTrue(e.getMessage().contains("disk quota exceeded (injected)"), e::getMessage);
    assertEquals(List.of(1L), steps(store.list()));
    assertEquals(1, store.latestGood(p -> {}).orElseThrow().info().step());
  }

  @Test
  void saveRetriesATransientFailure() {
    AtomicInteger failures = new AtomicInteger();
    CheckpointStore flaky =
        store(
            new Faults() {
              @Override
              public void beforeWrite(Path target) throws IOException {
                if (target.getName().equals("state.json") && failures.getAndIncrement() == 0) {
                  throw new IOException("connection reset (injected)");
                }
              }
            });

    save(flaky, 5);

    assertEquals(2, failures.get());
    assertEquals(List.of(), store().verify(5));
  }

  @Test
  void saveWhoseCommitSucceededButWhoseReplyWasLostSucceedsOnRetry() {
    AtomicInteger calls = new AtomicInteger();
    CheckpointStore lossy =
        store(
            new Faults() {
              @Override
              public void afterRename(Path target) throws IOException {
                if (target.getName().equals(RunLayout.Checkpoint.MANIFEST)
                    && calls.getAndIncrement() == 0) {
                  throw new IOException("timed out waiting for the reply (injected)");
                }
              }
            });

    assertTrue(save(lossy, 5).committed());
    assertEquals(List.of(), store().verify(5));
  }

  @Test
  void saveUnderAPlainFileFailsAndCommitsNothing() throws IOException {
    rewrite(new Path(dir), "not a directory".getBytes(StandardCharsets.UTF_8));
    CheckpointStore store = new CheckpointStore(dir, conf(), FAST, Faults.NONE);

    CheckpointException e = assertThrows(CheckpointException.class, () -> save(store, 1));

    assertTrue(e.getMessage().startsWith("could not save checkpoint step 1"), e::getMessage);
    assertTrue(fs.getFileStatus(new Path(dir)).isFile());
    CheckpointInputException notDir =
        assertThrows(CheckpointInputException.class, store::requireDirectory);
    assertTrue(notDir.getMessage().contains("is a file"), notDir::getMessage);
  }

  @Test
  void saveOverAPlainFileInPlaceOfTheStepDirectoryIsRefused() throws IOException {
    rewrite(stepDir(1), new byte[] {1});
    CheckpointException e = assertThrows(CheckpointException.class, () -> save(store(), 1));
    assertTrue(
        e.getMessage().contains("is a file; expected a checkpoint directory"), e::getMessage);
    assertTrue(fs.getFileStatus(stepDir(1)).isFile());
  }

  @Test
  void savingACommittedStepAgainIsRefused() throws IOException {
    CheckpointStore store = store();
    save(store, 3);
    byte[] manifest = read(new Path(stepDir(3), RunLayout.Checkpoint.MANIFEST));

    CheckpointException e =
        assertThrows(CheckpointException.class, () -> store.save(3, fields(9), files(9)));

    assertTrue(
        e.getMessage().contains("checkpoint step 3 already exists and is committed"),
        e::getMessage);
    assertArrayEquals(manifest, read(new Path(stepDir(3), RunLayout.Checkpoint.MANIFEST)));
    assertArrayEquals(files(3).get("model.bin"), store.load(3).files().get("model.bin"));
  }

  @Test
  void saveClearsWhatAnEarlierFailedSaveLeft() throws IOException {
    rewrite(new Path(stepDir(4), "leftover.bin"), new byte[100]);
    rewrite(new Path(stepDir(4), ".model.bin.tmp"), new byte[100]);

    save(store(), 4);

    List<String> names =
        Arrays.stream(fs.listStatus(stepDir(4)))
            .map(FileStatus::getPath)
            .map(Path::getName)
            .sorted()
            .toList();
    assertEquals(List.of(RunLayout.Checkpoint.MANIFEST, "model.bin", "state.json"), names);
  }

  @Test
  void listIgnoresNamesTheStoreDoesNotWrite() throws IOException {
    CheckpointStore store = store();
    save(store, 1);
    for (String name : List.of("step-1", "step-00000000002", "step-9999999999999999999", "notes")) {
      fs.mkdirs(new Path(dir, name));
    }
    rewrite(stepDir(3), new byte[] {1});

    assertEquals(List.of(1L), steps(store.list()));
  }

  @Test
  void missingDirectoryListsNothingAndIsNotADirectory() {
    CheckpointStore store = store();
    assertEquals(List.of(), store.list());
    assertTrue(store.latestGood(p -> {}).isEmpty());
    CheckpointInputException e =
        assertThrows(CheckpointInputException.class, store::requireDirectory);
    assertTrue(e.getMessage().contains("does not exist"), e::getMessage);
  }

  @Test
  void callerMayNotSetTheStoresOwnFieldsOrBadFileNames() {
    CheckpointStore store = store();
    Map<String, Object> withStep = new LinkedHashMap<>(fields(1));
    withStep.put("step", 1);
    assertThrows(IllegalArgumentException.class, () -> store.save(1, withStep, files(1)));
    for (String bad : List.of("", "a/b", ".hidden", RunLayout.Checkpoint.MANIFEST)) {
      assertThrows(
          IllegalArgumentException.class,
          () -> store.save(1, fields(1), Map.of(bad, new byte[1])),
          bad);
    }
    Map<String, Object> badEpoch = new LinkedHashMap<>(fields(1));
    badEpoch.put("epoch", "first");
    assertThrows(IllegalArgumentException.class, () -> store.save(1, badEpoch, files(1)));
    assertEquals(List.of(), store.list());
  }

  @Test
  void aStepDirectoryGivenAsInputIsReadOnlyWhenItVerifies() throws IOException {
    CheckpointStore store = store();
    save(store, 2);
    save(store, 3);
    CheckpointStore.Loaded good = CheckpointStore.loadStepDirectory(stepDir(2).toString(), conf());
    assertEquals(2, good.info().step());
    assertArrayEquals(files(2).get("model.bin"), good.files().get("model.bin"));

    byte[] changed = files(3).get("model.bin");
    changed[1500] ^= 0x01;
    rewrite(new Path(stepDir(3), "model.bin"), changed);
    CheckpointInputException damaged =
        assertThrows(CheckpointInputException.class, () -> CheckpointStore.loadStepDirectory(stepDir(3).toString(), conf()));
    assertTrue(damaged.getMessage().contains("model.bin has SHA-256"), damaged::getMessage);

    fs.delete(new Path(stepDir(2), RunLayout.Checkpoint.MANIFEST), false);
    CheckpointInputException uncommitted =
        assertThrows(CheckpointInputException.class, () -> CheckpointStore.loadStepDirectory(stepDir(2).toString(), conf()));
    assertTrue(uncommitted.getMessage().contains("not committed"), uncommitted::getMessage);

    CheckpointInputException notAStep =
        assertThrows(CheckpointInputException.class, () -> CheckpointStore.loadStepDirectory(dir, conf()));
    assertTrue(notAStep.getMessage().contains("is not a checkpoint step directory"), notAStep::getMessage);
  }
}
