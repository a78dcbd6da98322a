package org.sparktrain.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** bench --scaling's arguments that cannot work are refused before Spark starts: exit 2, the reason, nothing written. */
class BenchScalingArgumentsTest {
  @TempDir Path tmp;

  private void assertRefused(String expected, String... extra) {
    Path out = tmp.resolve("bench");
    String[] args = new String[6 + extra.length];
    System.arraycopy(new String[] {"bench", "--suite", "mnist-mlp", "--output", out.toString(), "--quiet"}, 0, args, 0, 6);
    System.arraycopy(extra, 0, args, 6, extra.length);
    InProcess r = InProcess.run(args);
    assertEquals(2, r.exitCode(), r.err());
    assertTrue(r.err().contains(expected), "expected \"" + expected + "\" in: " + r.err());
    assertFalse(Files.exists(out), "nothing written to " + out);
  }

  @Test
  void workerCountsMustBeDistinctAndPositive() {
    assertRefused("distinct worker counts of at least 1, e.g. 1,2,3; got [0, 2]", "--scaling", "0,2");
    assertRefused("got [2, 2]", "--scaling", "2,2");
  }

  @Test
  void scalingRunsSynchronousAloneWithItsOwnWorkers() {
    assertRefused("synchronous (the default) or auto, at each worker count; got --systems single,auto",
        "--scaling", "1,2", "--systems", "single,auto");
    assertRefused("drop --workers 4", "--scaling", "1,2", "--workers", "4");
  }

  @Test
  void theWarmUpLeavesAnEpochToMeasure() {
    assertRefused("--warm-up 3 leaves none of the 3 epochs", "--scaling", "1,2", "--epochs", "3", "--warm-up", "3");
  }
}
