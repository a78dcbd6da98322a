package org.sparktrain.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `report RUN_DIR` on a fixture run and on a directory without one. */
class ReportCommandTest {
  @TempDir Path temp;

  private Path churnRun() throws IOException {
    Path dir = temp.resolve("churn");
    Files.createDirectories(dir);
    for (String name : List.of("metrics.jsonl", "summary.json")) {
      try (InputStream in = getClass().getResourceAsStream("/report/churn/" + name)) {
        Files.copy(in, dir.resolve(name));
      }
    }
    return dir;
  }

  @Test
  void writesTheReportAndPrintsItsPath() throws IOException {
    Path dir = churnRun();

    assertEquals(0, Main.execute("report", dir.toString()));

    InProcess r = InProcess.run("report", dir.toString());
    assertEquals(0, r.exitCode(), r.err());
    assertTrue(r.out().trim().endsWith(dir.resolve("report.html").toString()), r.out());
    assertTrue(Files.isRegularFile(dir.resolve("report.html")));
    assertTrue(Files.isRegularFile(dir.resolve("confusion.png")));
  }

  @Test
  void anEmptyDirectoryIsBadInput() throws IOException {
    Path dir = temp.resolve("empty");
    Files.createDirectories(dir);

    assertEquals(2, Main.execute("report", dir.toString()));

    InProcess r = InProcess.run("report", dir.toString());
    assertEquals(2, r.exitCode());
    assertTrue(r.err().startsWith("error: RUN_DIR: "), r.err());
    assertTrue(r.err().contains("has no metrics.jsonl and no summary.json"), r.err());
    assertTrue(r.err().contains("it holds: nothing"), r.err());
  }

  @Test
  void aMissingDirectoryIsBadInput() {
    InProcess r = InProcess.run("report", temp.resolve("absent").toString());
    assertEquals(2, r.exitCode());
    assertTrue(r.err().contains("does not exist"), r.err());
  }
}
