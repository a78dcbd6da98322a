package org.sparktrain.spec;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.sparktrain.TestJobs;

/** Every job file shipped in jobs/, found by listing the directory. */
class JobFilesTest {

  static Stream<Path> jobFiles() throws IOException {
    try (Stream<Path> files = Files.list(TestJobs.repoRoot().resolve("jobs"))) {
      return files
          .filter(p -> p.getFileName().toString().matches(".*\\.ya?ml"))
          .sorted()
          .toList()
          .stream();
    }
  }

  @Test
  void jobsDirectoryHoldsJobFiles() throws IOException {
    assertFalse(
        jobFiles().toList().isEmpty(), "no *.yaml under " + TestJobs.repoRoot().resolve("jobs"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("jobFiles")
  void jobFileValidates(Path file) {
    JobSpec spec =
        assertDoesNotThrow(
            () -> JobSpecLoader.load(file, List.of()), () -> file + " should validate");
    // A Keras definition or a trained model supplies the layers where the job lists none.
    var source = spec.model().source();
    assertFalse(spec.model().layers().isEmpty() && source.kerasConfig() == null && source.initFrom() == null);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("jobFiles")
  void jobFileSurvivesTheWriter(Path file) {
    JobSpec spec = JobSpecLoader.load(file, List.of());
    String yaml = JobSpecWriter.toYaml(spec);
    assertEquals(
        spec, JobSpecLoader.parse(yaml, "resolved " + file.getFileName(), List.of()), yaml);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("jobFiles")
  void jobFileTakesOverrides(Path file) {
    JobSpec spec = JobSpecLoader.load(file, List.of("training.epochs=1", "data.limit=100"));
    assertEquals(1, spec.training().epochs());
    assertEquals(100, spec.data().limit());
  }
}
