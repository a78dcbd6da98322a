package org.sparktrain.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparktrain.RunFiles;
import org.sparktrain.TestJobs;
import org.sparktrain.TrainerProcess;

/**
 * What a user sees, in a separate JVM: the progress lines and the report of a short run, and bad
 * input of every kind answered with exit 2, a message that says where and what, and every file
 * of the earlier run left as it was.
 */
class BadInputCliIT {
  @TempDir static Path tmp;
  private static Path data;
  private static Path run;
  private static Result training;

  record Result(int code, String out, String err) {}

  static Result run(String... args) throws Exception {
    TrainerProcess p = TrainerProcess.start(tmp.resolve("logs"), List.of(args));
    int code = p.waitFor();
    return new Result(code, p.stdout(), p.stderr());
  }

  /** Two epochs on 1,000 churn rows, without --quiet, checkpointing every epoch. */
  @BeforeAll
  static void train() throws Exception {
    Path slice = TestJobs.churnSlice(tmp, 1000);
    data = tmp.resolve("train.csv");
    Files.copy(slice, data);
    run = tmp.resolve("run");
    training =
        run(
            "train", "jobs/churn.yaml", "--output", run.toString(),
            "--set", "data.path=" + data.toUri(),
            "--set", "training.epochs=2",
            "--set", "training.batch_size=16",
            "--set", "strategy.averaging_frequency=2");
    assertEquals(0, training.code(), training.err());
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
  void trainingShowsProgressLinesPerEpoch() {
    // not a terminal: plain lines, no carriage returns
    assertTrue(training.err().contains("epoch 1/2  minibatch "), training.err());
    assertTrue(training.err().contains("epoch 2/2  minibatch "), training.err());
    assertTrue(training.err().matches("(?s).*minibatch \\d+/\\d+ \\(\\d+%\\)  [\\d,]+ samples/s  ETA \\d+:\\d\\d.*"), training.err());
    assertFalse(training.err().contains("\r"), "no carriage returns when stderr is not a terminal");
  }

  @Test
  void reportReferencesOnlyDrawnChartsIncludingTheRocCurve() throws IOException {
    String html = Files.readString(run.resolve("report.html"));
    List<String> images = new ArrayList<>();
    Matcher m = Pattern.compile("<img src=\"([^\"]+)\"").matcher(html);
    while (m.find()) {
      images.add(m.group(1));
    }
    assertEquals(List.of("loss.png", "metrics.png", "confusion.png", "roc.png"), images);
    for (String image : images) {
      BufferedImage png = ImageIO.read(run.resolve(image).toFile());
      assertTrue(png != null && png.getWidth() >= 400 && png.getHeight() >= 300, image);
      Set<Integer> colours = new HashSet<>();
      for (int y = 0; y < png.getHeight(); y += 2) {
        for (int x = 0; x < png.getWidth(); x += 2) {
          colours.add(png.getRGB(x, y));
        }
      }
      assertTrue(colours.size() > 10, image + " has " + colours.size() + " colours");
    }
    assertTrue(html.contains("<h2>Model</h2>") && html.contains("DenseLayer"), html);
  }

  @Test
  void aSecondRunIntoTheSameDirectoryIsRefusedAndTouchesNothing() throws Exception {
    Map<String, String> before = snapshot();
    Result r =
        run("train", "jobs/churn.yaml", "--quiet", "--output", run.toString(), "--set", "data.path=" + data.toUri());
    assertBadInput(r, "already holds a run", "--resume");
    assertEquals(before, snapshot());
  }

  @Test
  void resumeOnDataWithABadRowStopsBeforeTouchingTheRun() throws Exception {
    // The run as a kill before its summary leaves it: a finished run is never resumed.
    Path unfinished = tmp.resolve("unfinished");
    try (Stream<Path> all = Files.walk(run)) {
      for (Path p : all.toList()) {
        Files.copy(p, unfinished.resolve(run.relativize(p).toString()));
      }
    }
    Files.delete(unfinished.resolve("summary.json"));
    Map<String, String> before = RunFiles.snapshot(unfinished);
    assertTrue(before.keySet().stream().anyMatch(f -> f.endsWith("MANIFEST.json")), "checkpoints: " + before);
    byte[] good = Files.readAllBytes(data);
    List<String> lines = new ArrayList<>(Files.readAllLines(data));
    lines.set(10, lines.get(10) + ",extra");
    try {
      Files.write(data, lines);
      Result r =
          run("train", run.resolve("job.yaml").toString(), "--quiet", "--output", unfinished.toString(), "--resume");
      assertBadInput(r, "data.path: a row at line 11 of ", "has 15 field(s), expected 14");
    } finally {
      Files.write(data, good);
    }
    assertEquals(before, RunFiles.snapshot(unfinished), "the run's files, checkpoints included, are unchanged");
  }

  @Test
  void aRowOfTheWrongWidthIsNamedByFileAndLine() throws Exception {
    List<String> lines = new ArrayList<>(Files.readAllLines(data));
    lines.set(7, "8,15000008,Doe");
    Path file = tmp.resolve("short-row.csv");
    Files.write(file, lines);
    Path out = tmp.resolve("short-row-run");
    Result r =
        run("train", "jobs/churn.yaml", "--quiet", "--output", out.toString(), "--set", "data.path=" + file.toUri());
    assertBadInput(
        r,
        "error: data.path: a row at line 8 of file:" + file,
        "has 3 field(s), expected 14",
        "the line is: \"8,15000008,Doe\"");
    assertFalse(Files.exists(out.resolve("metrics.jsonl")));
  }

  @Test
  void predictOnDataLackingColumnsNamesThemAndWritesNothing() throws Exception {
    Path narrow = tmp.resolve("narrow.csv");
    List<String> rows = new ArrayList<>();
    for (String line : Files.readAllLines(data).subList(0, 20)) {
      String[] f = line.split(",");
      // drop Geography (4) and Age (6)
      rows.add(String.join(",", f[0], f[1], f[2], f[3], f[5], f[7], f[8], f[9], f[10], f[11], f[12]));
    }
    Files.write(narrow, rows);
    Path out = tmp.resolve("narrow-predictions");
    Result r =
        run("predict", run.resolve("model.zip").toString(), narrow.toUri().toString(), "--output", out.toString(), "--quiet");
    assertBadInput(r, "columns 'Age', 'Geography' are missing from the data", "columns present: RowNumber");
    assertFalse(Files.exists(out));
  }

  @Test
  void predictWithAnUnseenCategoryNamesItAndIntoAnExistingOutputIsRefused() throws Exception {
    List<String> lines = new ArrayList<>(Files.readAllLines(data).subList(0, 20));
    lines.set(5, lines.get(5).replace(",France,", ",Atlantis,").replace(",Spain,", ",Atlantis,").replace(",Germany,", ",Atlantis,"));
    Path file = tmp.resolve("atlantis.csv");
    Files.write(file, lines);
    Path out = tmp.resolve("atlantis-predictions");
    Result r =
        run("predict", run.resolve("model.zip").toString(), file.toUri().toString(), "--output", out.toString(), "--quiet");
    assertBadInput(r, "column 'Geography': category \"Atlantis\" was not seen in training", "data.features.unseen: ignore");

    Path existing = Files.createDirectories(tmp.resolve("existing-output"));
    Files.writeString(existing.resolve("keep.txt"), "earlier results");
    Result again =
        run("predict", run.resolve("model.zip").toString(), data.toUri().toString(), "--output", existing.toString(), "--quiet");
    assertBadInput(again, "--output", "already exists");
    assertEquals("earlier results", Files.readString(existing.resolve("keep.txt")));
  }

  @Test
  void evaluateWithALabelNotSeenInTrainingNamesIt() throws Exception {
    List<String> lines = new ArrayList<>(Files.readAllLines(data).subList(0, 20));
    String row = lines.get(3);
    lines.set(3, row.substring(0, row.lastIndexOf(',')) + ",2");
    Path file = tmp.resolve("label-2.csv");
    Files.write(file, lines);
    Result r = run("evaluate", run.resolve("model.zip").toString(), file.toUri().toString(), "--quiet");
    assertBadInput(r, "label column 'Exited': value \"2\" was not seen in training (classes: 0, 1)");
  }

  @Test
  void aMissingModelFileIsNamed() throws Exception {
    Path missing = tmp.resolve("no-such-model.zip");
    Result r = run("evaluate", missing.toString(), data.toUri().toString(), "--quiet");
    assertBadInput(r, "no-such-model.zip");
  }

  /**
   * A model file carrying an entry that DL4J decodes with Java deserialization (a serialized object
   * in {@code preprocessor.bin}) is refused by evaluate and predict before anything in it is decoded.
   */
  @Test
  void aModelFileWithAJavaSerializedEntryIsRefusedAndNothingIsWritten() throws Exception {
    Map<String, String> before = snapshot();
    Path crafted = tmp.resolve("crafted-model.zip");
    try (var in = new java.util.zip.ZipInputStream(Files.newInputStream(run.resolve("model.zip")));
        var out = new java.util.zip.ZipOutputStream(Files.newOutputStream(crafted))) {
      for (var e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
        out.putNextEntry(new java.util.zip.ZipEntry(e.getName()));
        in.transferTo(out);
        out.closeEntry();
      }
      out.putNextEntry(new java.util.zip.ZipEntry("preprocessor.bin"));
      var payload = new java.io.ByteArrayOutputStream();
      try (var oos = new java.io.ObjectOutputStream(payload)) {
        oos.writeObject(new java.util.HashMap<>(Map.of("any", "object")));
      }
      out.write(payload.toByteArray());
      out.closeEntry();
    }
    Result evaluate = run("evaluate", crafted.toString(), data.toUri().toString(), "--quiet");
    assertBadInput(evaluate, "crafted-model.zip holds the entry 'preprocessor.bin'", "Java deserialization", "zip -d");
    Path predictions = tmp.resolve("crafted-predictions");
    Result predict =
        run("predict", crafted.toString(), data.toUri().toString(), "--output", predictions.toString(), "--quiet");
    assertBadInput(predict, "crafted-model.zip holds the entry 'preprocessor.bin'");
    assertFalse(Files.exists(predictions), "predict wrote nothing");
    assertEquals(before, snapshot());
  }
}
