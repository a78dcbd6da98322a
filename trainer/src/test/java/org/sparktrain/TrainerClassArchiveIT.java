package org.sparktrain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The trainer JVMs of the tests map their classes from the shared archive. */
class TrainerClassArchiveIT {
  @TempDir Path tmp;

  @Test
  void trainerJvmsMapTheArchive() throws Exception {
    Path jar = Path.of(System.getProperty("trainer.jar", "target/trainer.jar")).toAbsolutePath();
    List<String> options = TrainerClassArchive.options(jar, TestJobs.repoRoot());
    assertFalse(options.isEmpty(), "no archive was built: see the warning on stderr");
    assertTrue(options.get(0).startsWith("-XX:SharedArchiveFile="), options.toString());
    // -Xshare:on makes a JVM that cannot use the archive (another JVM, other jars) fail to start.
    TrainerProcess p = TrainerProcess.start(tmp.resolve("logs"), List.of("-Xshare:on"), List.of("--version"));
    assertEquals(0, p.waitFor(), p.stdout() + p.stderr());
    assertTrue(p.stdout().startsWith("trainer "), p.stdout());
  }
}
