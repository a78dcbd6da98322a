package org.sparktrain.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.sparktrain.TestJobs;

/** The job-file reference in docs/job-reference.md is the one generated from {@link JobFields}. */
class JobReferenceDocTest {
  static final String START = "<!-- job-reference:start -->";
  static final String END = "<!-- job-reference:end -->";

  /** The page that holds the table, relative to the repository root. */
  static final String DOC = "docs/job-reference.md";

  /** Where the generated table is written for copying into the page. */
  static final Path GENERATED = Path.of("target", "job-reference.md");

  @Test
  void referencePageMatchesTheDeclarations() throws IOException {
    String expected = JobFields.markdownReference().trim();
    Files.createDirectories(GENERATED.toAbsolutePath().getParent());
    Files.writeString(GENERATED, expected + "\n");
    String howToFix =
        "Regenerate the table: replace the lines between "
            + START
            + " and "
            + END
            + " in "
            + DOC
            + " with the output of `validate --reference`, written by this test to "
            + GENERATED.toAbsolutePath()
            + ".";

    Path page = TestJobs.repoRoot().resolve(DOC);
    assertTrue(Files.isRegularFile(page), "no " + DOC + " at " + page + ". " + howToFix);
    List<String> lines = Files.readAllLines(page);
    int start = indexOf(lines, START, 0);
    int end = start < 0 ? -1 : indexOf(lines, END, start + 1);
    assertTrue(
        start >= 0 && end > start,
        DOC + " lacks the lines " + START + " and " + END + " (in that order). " + howToFix);

    String actual = String.join("\n", lines.subList(start + 1, end)).trim();
    assertEquals(
        expected, actual, "The job-file reference in " + DOC + " is out of date with JobFields. " + howToFix);
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
