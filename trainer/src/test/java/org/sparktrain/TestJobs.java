package org.sparktrain;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.sparktrain.spec.JobSpec;
import org.sparktrain.spec.JobSpecLoader;

/** Job specs and paths for tests. The test working directory is the trainer module. */
public final class TestJobs {
  private TestJobs() {}

  /** The repository root. */
  public static Path repoRoot() {
    Path here = Path.of("").toAbsolutePath();
    return Files.exists(here.resolve("jobs")) ? here : here.getParent();
  }

  /** A shared dataset from ../shared/datasets beside the repository. */
  public static Path sharedDataset(String name) {
    return repoRoot().resolve("../shared/datasets").resolve(name).normalize();
  }

  public static JobSpec parse(String yaml, String... overrides) {
    return JobSpecLoader.parse(yaml, "test.yaml", List.of(overrides));
  }

  /** A job from jobs/ with overrides. */
  public static JobSpec job(String name, String... overrides) {
    return JobSpecLoader.load(repoRoot().resolve("jobs").resolve(name), List.of(overrides));
  }
}
