package org.sparktrain.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sparktrain.spec.SpecFixtures.BASE;
import static org.sparktrain.spec.SpecFixtures.assertViolation;
import static org.sparktrain.spec.SpecFixtures.paths;
import static org.sparktrain.spec.SpecFixtures.violations;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.sparktrain.TestJobs;

/** Reading job files: files, YAML syntax, safe loading, the document's shape. */
class JobSpecLoaderTest {

  private static Violation single(String yaml) {
    List<Violation> v = violations(yaml);
    assertEquals(1, v.size(), () -> "expected one violation, got " + v);
    return v.get(0);
  }

  @Test
  void loadsAJobFile(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("job.yaml");
    Files.writeString(file, BASE);
    assertEquals(TestJobs.parse(BASE), JobSpecLoader.load(file, List.of()));
  }

  @Test
  void loadAppliesOverrides(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("job.yaml");
    Files.writeString(file, BASE);
    assertEquals(2, JobSpecLoader.load(file, List.of("training.epochs=2")).training().epochs());
  }

  @Test
  void missingFileIsReportedWithItsPath(@TempDir Path dir) {
    Path file = dir.resolve("absent.yaml");
    SpecException e = assertThrows(SpecException.class, () -> JobSpecLoader.load(file, List.of()));
    assertEquals(List.of("job file"), paths(e.violations()));
    assertViolation(e.violations(), "job file", "no such file '" + file + "'");
  }

  @Test
  void unreadableFileIsReported(@TempDir Path dir) {
    SpecException e = assertThrows(SpecException.class, () -> JobSpecLoader.load(dir, List.of()));
    assertViolation(e.violations(), "job file", "cannot read '" + dir + "'");
  }

  @Test
  void violationsInAFileAreReportedWithFieldPaths(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("job.yaml");
    Files.writeString(file, BASE.replace("name: base", "name: base\nseed: many"));
    SpecException e = assertThrows(SpecException.class, () -> JobSpecLoader.load(file, List.of()));
    assertEquals(List.of("seed"), paths(e.violations()));
  }

  // YAML syntax

  @Test
  void badIndentationReportsLineAndColumn() {
    Violation v = single("name: x\ndata:\n  path: a\n format: csv\n");
    assertEquals("test.yaml", v.path());
    assertTrue(v.message().startsWith("malformed YAML at line 4, column 2: "), v.message());
    assertTrue(v.message().contains("fix the YAML syntax there"), v.message());
  }

  @Test
  void unclosedBracketReportsLineAndColumn() {
    Violation v = single("name: x\ndata: {path: a, format: [csv\nmodel: 1\n");
    assertTrue(v.message().startsWith("malformed YAML at line 3, column 6: "), v.message());
  }

  @Test
  void tabIndentationReportsLineAndColumn() {
    Violation v = single("name: x\ndata:\n\tpath: a\n");
    assertTrue(v.message().startsWith("malformed YAML at line 3, column 1: "), v.message());
  }

  @Test
  void duplicateKeyIsRejectedRatherThanSilentlyOverwritten() {
    Violation v = single(BASE + "training:\n  epochs: 2\ntraining:\n  epochs: 30\n");
    assertTrue(v.message().startsWith("malformed YAML at line"), v.message());
    assertTrue(v.message().contains("duplicate key training"), v.message());
  }

  @Test
  void duplicateKeyInASectionIsRejected() {
    Violation v = single(BASE + "training: {epochs: 2, epochs: 30}\n");
    assertTrue(v.message().contains("duplicate key epochs"), v.message());
  }

  // Safe loading

  @ParameterizedTest
  @ValueSource(
      strings = {
        "name: !!javax.script.ScriptEngineManager [!!java.net.URLClassLoader [[!!java.net.URL"
            + " [\"http://localhost/\"]]]]\n",
        "name: !!java.net.URL [\"http://localhost/\"]\n",
        "!<tag:yaml.org,2002:java.lang.ProcessBuilder> [[echo, hi]]\n",
        "data: !!org.sparktrain.spec.Violation [a, b]\n"
      })
  void javaTypeTagsAreRefused(String yaml) {
    Violation v = single(yaml);
    assertEquals("test.yaml", v.path());
    assertTrue(v.message().contains("tag"), v.message());
  }

  @Test
  void javaTypeTagConstructsNothing(@TempDir Path dir) {
    Path target = dir.resolve("created-by-yaml");
    single("name: !!java.io.FileOutputStream [\"" + target + "\"]\n");
    assertFalse(Files.exists(target));
  }

  @Test
  void localTagIsRefused() {
    Violation v = single("name: !custom value\n");
    assertTrue(
        v.message().contains("could not determine a constructor for the tag !custom"), v.message());
  }

  @Test
  void standardTagsAreAllowed() {
    assertEquals("5", TestJobs.parse(BASE.replace("name: base", "name: !!str 5")).name());
  }

  @Test
  void aliasExpansionIsBounded() {
    StringBuilder yaml = new StringBuilder("a: &a [1, 1, 1, 1, 1, 1, 1, 1, 1]\n");
    String previous = "a";
    for (char c = 'b'; c <= 'i'; c++) {
      String alias = "*" + previous;
      yaml.append(c).append(": &").append(c).append(" [");
      yaml.append(String.join(", ", java.util.Collections.nCopies(9, alias))).append("]\n");
      previous = String.valueOf(c);
    }
    Violation v = single(yaml.toString());
    assertTrue(v.message().contains("aliases"), v.message());
  }

  // The document's shape

  @Test
  void documentThatIsAListIsRejected() {
    Violation v = single("- data\n- model\n");
    assertEquals("test.yaml", v.path());
    assertEquals(
        "expected a mapping with sections data, model, training, strategy, output; got a list",
        v.message());
  }

  @Test
  void documentThatIsAScalarIsRejected() {
    Violation v = single("just text\n");
    assertTrue(v.message().endsWith("got \"just text\""), v.message());
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "# only a comment\n", "---\n"})
  void emptyDocumentIsMissingTheRequiredFields(String yaml) {
    assertEquals(List.of("data.path", "model.layers"), paths(violations(yaml)));
  }

  @Test
  void nonStringKeyIsAnUnknownField() {
    assertViolation(violations(BASE + "1: one\n"), "1", "unknown field at the top level");
  }

  @Test
  void syntaxErrorIsReportedAgainstTheSourceName() {
    SpecException e =
        assertThrows(
            SpecException.class, () -> JobSpecLoader.parse("a: [", "jobs/broken.yaml", List.of()));
    assertEquals(List.of("jobs/broken.yaml"), paths(e.violations()));
  }
}
