package org.sparktrain.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.sparktrain.TestJobs;

/** The job-file reference in README.md is the one generated from {@link JobFields}. */
class ReadmeReferenceTest {
  static final String START = "<!-- job-reference:start -->";
  static final String END = "<!-- job-reference:end -->";

  /** Where the generated table is written for copying into README.md. */
  static final Path GENERATED = Path.of("target", "job-reference.md");

  @Test
  void readmeReferenceMatchesTheDeclarations() throws IOException {
    String expected = JobFields.markdownReference().trim();
    Files.createDirectories(GENERATED.toAbsolutePath().getParent());
    Files.writeString(GENERATED, expected + "\n");
    String howToFix =
        "Regenerate the table: replace the lines between "
            + START
            + " and "
            + END
            + " in README.md with the output of JobFields.markdownReference(), written by this test"
            + " to "
            + GENERATED.toAbsolutePath()
            + ".";

    Path readme = TestJobs.repoRoot().resolve("README.md");
    assertTrue(Files.isRegularFile(readme), "no README.md at " + readme + ". " + howToFix);
    List<String> lines = Files.readAllLines(readme);
    int start = indexOf(lines, START, 0);
    int end = start < 0 ? -1 : indexOf(lines, END, start + 1);
    assertTrue(
        start >= 0 && end > start,
        "README.md lacks the lines " + START + " and " + END + " (in that order). " + howToFix);

    String actual = String.join("\n", lines.subList(start + 1, end)).trim();
    assertEquals(
        expected,
        actual,
        "The job-file reference in README.md is out of date with JobFields. " + howToFix);
  }

  private static int indexOf(List<String> lines, String marker, int from) {
    for (int i = from; i < lines.size(); i++) {
      if (lines.get(i).trim().equals(marker)) {
        return i;
      }
    }
    return -1;
  }
}
