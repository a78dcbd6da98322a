package org.sparktrain.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Job files that cannot be used, through the command line in this JVM (they fail before Spark
 * starts): exit 2, a message with the line and column or the closest valid name, and nothing
 * written.
 */
class BadJobFileTest {
  private static final String CHURN = org.sparktrain.TestJobs.repoRoot().resolve("jobs/churn.yaml").toString();

  @TempDir Path tmp;

  private static void assertBadInput(InProcess r, String... parts) {
    assertEquals(2, r.exitCode(), r.err());
    for (String part : parts) {
      assertTrue(r.err().contains(part), "expected \"" + part + "\" in: " + r.err());
    }
  }

  @Test
  void malformedYamlNamesLineAndColumnAndTrainWritesNothing() throws Exception {
    Path job = tmp.resolve("broken.yaml");
    Files.writeString(job, "name: broken\ndata:\n  path: [a.csv\n  format: csv\n");
    assertBadInput(InProcess.run("validate", job.toString()), job.toString(), "malformed YAML at line ", ", column ");

    Path out = Files.createDirectories(tmp.resolve("earlier-run"));
    Files.writeString(out.resolve("metrics.jsonl"), "{\"epoch\":1}\n");
    InProcess r = InProcess.run("train", job.toString(), "--quiet", "--output", out.toString());
    assertBadInput(r, "malformed YAML at line ");
    assertEquals("{\"epoch\":1}\n", Files.readString(out.resolve("metrics.jsonl")));
    try (var files = Files.list(out)) {
      assertEquals(1, files.count(), "nothing added to " + out);
    }
  }

  @Test
  void unknownFieldsGetTheClosestValidName() throws Exception {
    Path job = tmp.resolve("typo.yaml");
    Files.writeString(
        job,
        Files.readString(org.sparktrain.TestJobs.repoRoot().resolve("jobs/churn.yaml"))
            .replace("training:", "trainig:"));
    assertBadInput(InProcess.run("validate", job.toString()), "did you mean 'training'?");
    assertBadInput(
        InProcess.run("validate", CHURN, "--set", "data.missing.polcy=skip"),
        "data.missing.polcy",
        "did you mean 'data.missing.policy'?");
  }

  @Test
  void aMissingJobFileIsNamed() {
    InProcess r = InProcess.run("validate", tmp.resolve("absent.yaml").toString());
    assertBadInput(r, "no such file", "absent.yaml");
  }

  @Test
  void missingValuePolicyFieldsAreChecked() {
    assertBadInput(
        InProcess.run("validate", CHURN, "--set", "data.missing.policy=drop"),
        "data.missing.policy",
        "fail, skip, fill");
    assertBadInput(
        InProcess.run(
            "validate", CHURN, "--set", "data.missing.policy=fill", "--set", "data.missing.fill=constant"),
        "data.missing.value",
        "fill with constant needs the value");
    assertBadInput(
        InProcess.run("validate", CHURN, "--set", "data.missing.value=0"),
        "data.missing.value",
        "is used only with data.missing.policy: fill");
    InProcess ok =
        InProcess.run(
            "validate", CHURN, "--set", "data.missing.policy=skip", "--set", "data.features.unseen=ignore");
    assertEquals(0, ok.exitCode(), ok.err());
    assertFalse(ok.err().contains("error"), ok.err());
  }
}
