package org.sparktrain.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.type.TypeReference;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.sparktrain.files.Json;
import org.sparktrain.spec.SpecException;

/** report.html and its charts for a binary, a ten-class and a regression run (test fixtures). */
class RunReportTest {
  private static final TypeReference<LinkedHashMap<String, Object>> OBJECT =
      new TypeReference<>() {};
  private static final Pattern IMG = Pattern.compile("<img src=\"([^\"]+)\"");

  @TempDir Path temp;

  /** Copies the fixture run {@code kind} (metrics.jsonl, summary.json) into a fresh directory. */
  private Path fixture(String kind) throws IOException {
    Path dir = temp.resolve(kind);
    Files.createDirectories(dir);
    for (String name : List.of("metrics.jsonl", "summary.json")) {
      try (InputStream in = getClass().getResourceAsStream("/report/" + kind + "/" + name)) {
        assertTrue(in != null, "fixture /report/" + kind + "/" + name + " is on the classpath");
        Files.copy(in, dir.resolve(name));
      }
    }
    return dir;
  }

  private static Path write(Path dir) {
    org.apache.hadoop.fs.Path html = RunReport.write(dir.toString(), new Configuration());
    return Path.of(html.toUri());
  }

  @ParameterizedTest
  @CsvSource({
    "churn, churn, 0.862104, true",
    "mnist, mnist-mlp, 0.9776, true",
    "concrete, concrete, 0.858318, false"
  })
  void writesTheReportAndItsCharts(String kind, String job, String headline, boolean classifier)
      throws IOException {
    Path dir = fixture(kind);
    addTestPredictions(dir);

    Path html = write(dir);

    assertEquals(dir.resolve("report.html"), html);
    String text = Files.readString(html, StandardCharsets.UTF_8);
    assertTrue(text.contains("<h1>Run report: " + job + "</h1>"), text);
    assertTrue(text.contains(">" + headline + "</td>"), text);

    List<String> images = new ArrayList<>();
    Matcher m = IMG.matcher(text);
    while (m.find()) {
      images.add(m.group(1));
    }
    List<String> expected = new ArrayList<>(List.of("loss.png", "metrics.png"));
    if (classifier) {
      expected.add("confusion.png");
    }
    if ("churn".equals(kind)) {
      expected.add("roc.png");
    }
    if (!classifier) {
      expected.add("predicted-vs-actual.png");
    }
    assertEquals(expected, images);
    for (String image : images) {
      assertDrawn(dir.resolve(image));
    }
    assertEquals(classifier, Files.exists(dir.resolve("confusion.png")));
    try (Stream<Path> files = Files.list(dir)) {
      List<String> pngs =
          files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".png")).sorted().toList();
      assertEquals(expected.stream().sorted().toList(), pngs, "every chart written is in the report");
    }
    try (Stream<Path> files = Files.list(dir)) {
      List<String> leftovers =
          files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".tmp")).toList();
      assertEquals(List.of(), leftovers);
    }
  }

  /**
   * What a run of this version adds to the test metrics: the ROC points of a binary classifier
   * and a sample of (actual, predicted) pairs of a regression.
   */
  private static void addTestPredictions(Path dir) throws IOException {
    Map<String, Object> summary = Json.mapper().readValue(dir.resolve("summary.json").toFile(), OBJECT);
    @SuppressWarnings("unchecked")
    Map<String, Object> test = (Map<String, Object>) summary.get("test");
    if (test.containsKey("auc")) {
      List<List<Double>> roc = new ArrayList<>();
      for (int i = 0; i <= 50; i++) {
        double x = i / 50.0;
        roc.add(List.of(x, Math.pow(x, 0.3)));
      }
      test.put("roc", roc);
    } else if (test.containsKey("r2")) {
      java.util.Random r = new java.util.Random(7);
      List<List<Double>> pairs = new ArrayList<>();
      for (int i = 0; i < 300; i++) {
        double actual = 5 + 75 * r.nextDouble();
        pairs.add(List.of(actual, actual + 6 * r.nextGaussian()));
      }
      test.put("predicted_vs_actual", pairs);
    }
    summary.put(
        "layers",
        List.of(
            Map.of("index", 0, "type", "DenseLayer", "inputs", 13, "outputs", 6, "activation", "relu", "parameters", 84),
            Map.of("index", 1, "type", "OutputLayer", "inputs", 6, "outputs", 1, "activation", "sigmoid", "parameters", 7)));
    summary.put("data", Map.of("format", "csv", "path", "data/x.csv"));
    Files.writeString(dir.resolve("summary.json"), Json.write(summary));
  }

  @Test
  void modelLayersAndDataAreListed() throws IOException {
    Path dir = fixture("churn");
    addTestPredictions(dir);
    String text = Files.readString(write(dir));
    assertTrue(text.contains("<h2>Model</h2>"), text);
    assertTrue(
        text.contains(
            "<tr><td class=\"num\">0</td><td>DenseLayer</td><td class=\"num\">13</td><td class=\"num\">6</td>"
                + "<td>relu</td><td class=\"num\">84</td></tr>"),
        text);
    assertTrue(text.contains("<h2>Data</h2>"), text);
    assertTrue(text.contains("<th>path</th><td>data/x.csv</td>"), text);
  }

  private static void assertDrawn(Path png) throws IOException {
    assertTrue(Files.isRegularFile(png), png + " exists");
    BufferedImage image = ImageIO.read(png.toFile());
    assertTrue(image != null, png + " decodes as an image");
    assertTrue(
        image.getWidth() >= 400 && image.getHeight() >= 300,
        png + " is " + image.getWidth() + "x" + image.getHeight());
    Set<Integer> colours = new HashSet<>();
    for (int y = 0; y < image.getHeight(); y++) {
      for (int x = 0; x < image.getWidth(); x++) {
        colours.add(image.getRGB(x, y));
      }
    }
    assertTrue(colours.size() > 10, png + " has " + colours.size() + " colours");
  }

  @Test
  void runFactsValidationAndProvenanceAreListed() throws IOException {
    String text = Files.readString(write(fixture("mnist")));
    for (String fact :
        List.of(
            "<th>Strategy</th><td>averaging</td>",
            "<th>Workers</th><td class=\"num\">2</td>",
            "<th>Epochs run</th><td class=\"num\">4</td>",
            "<th>Examples</th><td>train 53900, validation 6100, test 10000</td>",
            "<th>Parameters</th><td class=\"num\">535818</td>",
            "<th>dl4j_version</th><td>1.0.0-M2</td>",
            "<th>Total seconds</th><td class=\"num\">164.16</td>",
            "<th>Train</th><td class=\"num\">153.84</td>",
            "Validation metrics, last epoch (epoch 4)",
            "<th>macro_f1</th><td class=\"num\">0.978429</td>")) {
      assertTrue(text.contains(fact), fact + " in\n" + text);
    }
    assertFalse(text.contains("Early stopping"), text);
  }

  @Test
  void skipsMissingLossesEscapesValuesAndShowsEarlyStopping() throws IOException {
    Path dir = fixture("churn");
    List<Map<String, Object>> epochs = new ArrayList<>();
    for (String line : Files.readAllLines(dir.resolve("metrics.jsonl"))) {
      epochs.add(Json.mapper().readValue(line, OBJECT));
    }
    epochs.get(0).put("train_loss", null);
    epochs.get(1).put("train_loss", null);
    Files.writeString(
        dir.resolve("metrics.jsonl"),
        String.join("\n", epochs.stream().map(Json::line).toList()) + "\n");
    Map<String, Object> summary =
        Json.mapper()
            .readValue(
                dir.resolve("summary.json").toFile(),
                OBJECT);
    summary.put("job", "churn <b>\"&'");
    summary.put(
        "early_stopping", Map.of("stopped", true, "best_epoch", 21, "monitor", "val_loss"));
    Files.writeString(dir.resolve("summary.json"), Json.write(summary));

    String text = Files.readString(write(dir));

    assertTrue(text.contains("<h1>Run report: churn &lt;b&gt;&quot;&amp;&#39;</h1>"), text);
    assertFalse(text.contains("<b>"), text);
    assertTrue(text.contains("<h2>Early stopping</h2>"), text);
    assertTrue(text.contains("<th>best_epoch</th><td class=\"num\">21</td>"), text);
    assertDrawn(dir.resolve("loss.png"));
  }

  @Test
  void refusesADirectoryWithoutARun() throws IOException {
    Path dir = temp.resolve("half");
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("metrics.jsonl"), "");

    SpecException e =
        assertThrows(
            SpecException.class, () -> RunReport.write(dir.toString(), new Configuration()));

    assertEquals("RUN_DIR", e.violations().get(0).path());
    String message = e.getMessage();
    assertTrue(message.contains("has no summary.json"), message);
    assertTrue(message.contains("it holds: metrics.jsonl"), message);
    assertTrue(message.contains("expected the --output directory"), message);
    assertFalse(Files.exists(dir.resolve("report.html")));
  }

  @Test
  void refusesASummaryThatIsNotJson() throws IOException {
    Path dir = fixture("concrete");
    Files.writeString(dir.resolve("summary.json"), "{\"job\": ");

    SpecException e =
        assertThrows(
            SpecException.class, () -> RunReport.write(dir.toString(), new Configuration()));

    assertTrue(e.getMessage().contains("summary.json is not a JSON object"), e.getMessage());
  }
}
