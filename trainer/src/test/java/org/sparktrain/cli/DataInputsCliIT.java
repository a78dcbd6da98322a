package org.sparktrain.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.DataOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparktrain.TestJobs;
import org.sparktrain.TrainerProcess;

/**
 * Awkward inputs through {@code java -jar}: missing-value markers, a quoted value over two lines,
 * NaN and infinities, blank cells and gzipped IDX files. Each refused input exits 2 with its file
 * and line, before training, leaving every file of an earlier run as it was.
 */
class DataInputsCliIT {
  @TempDir static Path tmp;
  private static Path data;
  private static Path run;
  private static String tokens;

  record Result(int code, String out, String err) {}

  static Result run(String... args) throws Exception {
    TrainerProcess p = TrainerProcess.start(tmp.resolve("logs"), List.of(args));
    int code = p.waitFor();
    return new Result(code, p.stdout(), p.stderr());
  }

  private static void setField(List<String> lines, int row, int column, String value) {
    String[] f = lines.get(row).split(",", -1);
    f[column] = value;
    lines.set(row, String.join(",", f));
  }

  /**
   * 300 churn rows: the third customer's surname (a dropped column) spans two lines, two balances
   * are NA, an age is "?" and a tenure is blank. Trained one epoch with those markers declared and
   * data.missing.policy skip.
   */
  @BeforeAll
  static void train() throws Exception {
    List<String> lines = new ArrayList<>(Files.readAllLines(TestJobs.churnSlice(tmp, 300)));
    setField(lines, 10, 8, "NA"); // line 12 of the file, after the two-line row
    setField(lines, 20, 8, "NA");
    setField(lines, 30, 6, "?"); // line 32
    setField(lines, 40, 7, ""); // line 42
    setField(lines, 3, 2, "\"Smith\nJones\""); // lines 4 and 5
    data = tmp.resolve("inputs.csv");
    Files.write(data, lines);
    run = tmp.resolve("run");
    tokens = "data.missing.tokens=[NA, \"?\"]";
    Result r =
        run(
            "train", "jobs/churn.yaml", "--quiet", "--output", run.toString(),
            "--set", "data.path=" + data.toUri(),
            "--set", "data.multiline=true",
            "--set", tokens,
            "--set", "data.missing.policy=skip",
            "--set", "training.epochs=1");
    assertEquals(0, r.code(), r.err());
  }

  /** Every file of the run with its SHA-256 and modification time. */
  private static Map<String, String> snapshot() throws Exception {
    return org.sparktrain.RunFiles.snapshot(run);
  }

  private static void assertBadInput(Result r, String... parts) {
    assertEquals(2, r.code(), "exit code; stderr: " + r.err());
    for (String part : parts) {
      assertTrue(r.err().contains(part), "expected \"" + part + "\" in: " + r.err());
    }
    assertFalse(r.err().contains("\tat "), "no stack trace for bad input: " + r.err());
  }

  @Test
  void declaredMarkersAreSkippedAndTheTwoLineRowIsOneRow() throws Exception {
    JsonNode summary = new ObjectMapper().readTree(run.resolve("summary.json").toFile());
    assertEquals(4, summary.path("data").path("skipped_rows").asInt(), summary.toString());
    JsonNode n = summary.path("examples");
    assertEquals(296, n.path("train").asInt() + n.path("validation").asInt() + n.path("test").asInt(), n.toString());
  }

  @Test
  void nanAndInfinityOnResumeAreNamedAndTheRunIsUntouched() throws Exception {
    // The run as a kill before its summary leaves it: a finished run is never resumed.
    Path unfinished = tmp.resolve("unfinished");
    try (java.util.stream.Stream<Path> all = Files.walk(run)) {
      for (Path p : all.toList()) {
        Files.copy(p, unfinished.resolve(run.relativize(p).toString()));
      }
    }
    Files.delete(unfinished.resolve("summary.json"));
    Map<String, String> before = org.sparktrain.RunFiles.snapshot(unfinished);
    assertTrue(before.keySet().stream().anyMatch(f -> f.endsWith("MANIFEST.json")), "checkpoints: " + before);
    byte[] good = Files.readAllBytes(data);
    List<String> lines = new ArrayList<>(List.of(new String(good, java.nio.charset.StandardCharsets.UTF_8).split("\n", -1)));
    setField(lines, 51, 6, "NaN"); // line 52
    setField(lines, 61, 12, "-Infinity"); // line 62
    try {
      Files.writeString(data, String.join("\n", lines));
      Result r =
          run("train", run.resolve("job.yaml").toString(), "--quiet", "--output", unfinished.toString(), "--resume");
      assertBadInput(
          r,
          "error: column 'Age': value \"NaN\" is not a finite number (1 such rows in data.path; the first at line 52 of file:" + data,
          "column 'EstimatedSalary': value \"-Infinity\" is not a finite number (1 such rows in data.path; the first at line 62 of file:" + data,
          "expected a finite number",
          "data.missing.tokens: [NaN]");
    } finally {
      Files.write(data, good);
    }
    assertEquals(before, org.sparktrain.RunFiles.snapshot(unfinished), "the run's files, checkpoints included, are unchanged");
  }

  @Test
  void undeclaredMarkersAndABlankCellAreNamedByFileAndLine() throws Exception {
    Map<String, String> before = snapshot();
    Path out = tmp.resolve("undeclared");
    Result r =
        run(
            "train", "jobs/churn.yaml", "--quiet", "--output", out.toString(),
            "--set", "data.path=" + data.toUri(),
            "--set", "data.multiline=true");
    assertBadInput(
        r,
        "column 'Age': value \"?\" is not a number (1 such rows in data.path; the first at line 32 of file:" + data,
        "declare it: data.missing.tokens: [\"?\"]",
        "column 'Tenure': 1 missing value(s) in data.path (the first at line 42 of file:" + data,
        "column 'Balance': value \"NA\" is not a number (2 such rows in data.path; the first at line 12 of file:" + data,
        "declare it: data.missing.tokens: [NA]");
    assertFalse(Files.exists(out.resolve("metrics.jsonl")));
    assertEquals(before, snapshot());
  }

  @Test
  void aQuotedValueOverTwoLinesAsksForMultiline() throws Exception {
    Path out = tmp.resolve("one-line");
    Result r =
        run(
            "train", "jobs/churn.yaml", "--quiet", "--output", out.toString(),
            "--set", "data.path=" + data.toUri(),
            "--set", tokens);
    assertBadInput(r, "data.path: a quoted value at line ", "is not closed on its line", "set data.multiline: true");
    assertFalse(Files.exists(out.resolve("metrics.jsonl")));
  }

  private static void idx(Path file, int magic, int count, int[] dims, byte[] body) throws Exception {
    try (DataOutputStream out = new DataOutputStream(new GZIPOutputStream(Files.newOutputStream(file)))) {
      out.writeInt(magic);
      out.writeInt(count);
      for (int d : dims) {
        out.writeInt(d);
      }
      out.write(body);
    }
  }

  @Test
  void gzippedIdxFilesTrain() throws Exception {
    Path mnist = Files.createDirectories(tmp.resolve("mnist-gz"));
    for (String[] part : new String[][] {{"train", "60"}, {"t10k", "20"}}) {
      int n = Integer.parseInt(part[1]);
      byte[] pixels = new byte[n * 16];
      byte[] labels = new byte[n];
      for (int i = 0; i < n; i++) {
        labels[i] = (byte) (i % 10);
        for (int j = 0; j < 16; j++) {
          pixels[i * 16 + j] = (byte) ((i * 7 + j * (i % 10)) % 256);
        }
      }
      idx(mnist.resolve(part[0] + "-images-idx3-ubyte.gz"), 2051, n, new int[] {4, 4}, pixels);
      idx(mnist.resolve(part[0] + "-labels-idx1-ubyte.gz"), 2049, n, new int[0], labels);
    }
    Path out = tmp.resolve("mnist-run");
    Result r =
        run(
            "train", "jobs/mnist-mlp.yaml", "--quiet", "--output", out.toString(),
            "--set", "data.path=" + mnist.toUri(),
            "--set", "training.epochs=1",
            "--set", "model.layers[0].units=8",
            "--set", "model.layers[1].units=8");
    assertEquals(0, r.code(), r.err());
    JsonNode n = new ObjectMapper().readTree(out.resolve("summary.json").toFile()).path("examples");
    assertEquals(60, n.path("train").asInt() + n.path("validation").asInt(), n.toString());
    assertEquals(20, n.path("test").asInt(), n.toString());
  }
}
