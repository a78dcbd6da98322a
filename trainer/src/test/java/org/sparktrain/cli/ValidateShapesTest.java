package org.sparktrain.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparktrain.TestJobs;

/** validate prints the shapes of a network and rejects a shape mismatch with exit 2 at its layer. */
class ValidateShapesTest {
  @TempDir Path tmp;

  @Test
  void printsShapesPerLayer() {
    InProcess r = InProcess.run("validate", TestJobs.repoRoot().resolve("jobs/sequence-conv1d.yaml").toString(), "--quiet");
    assertEquals(0, r.exitCode(), r.err());
    assertTrue(r.out().contains("model.layers[1]  pool1d       32 x 32 (steps x features)"), r.out());
  }

  @Test
  void kernelTooLargeIsExit2NamingTheLayer() throws Exception {
    Path job = tmp.resolve("bad.yaml");
    Files.writeString(job, """
        data: {format: idx, path: data/mnist, split: {train: 0.9, validation: 0.1, test: 0.0}}
        model:
          layers:
            - {type: conv2d, filters: 20, kernel: 5}
            - {type: pool2d, kernel: 2}
            - {type: conv2d, filters: 50, kernel: 13}
            - {type: output, units: 10, loss: sparse_categorical_crossentropy}
        """);
    InProcess r = InProcess.run("validate", job.toString(), "--quiet");
    assertEquals(ExitCodes.BAD_INPUT, r.exitCode());
    assertTrue(r.err().contains("model.layers[2].kernel: kernel 13 is larger than the input height 12"), r.err());
  }
}
