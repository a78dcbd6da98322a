package org.sparktrain.files;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.OptionalLong;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;

class RunLayoutTest {
  @Test
  void stepDirectoriesRoundTripAndOnlyTheirOwnNamesCount() {
    assertEquals("step-0000000007", RunLayout.Checkpoint.stepDirName(7));
    assertEquals(OptionalLong.of(7), RunLayout.Checkpoint.stepOf("step-0000000007"));
    assertEquals(OptionalLong.of(Long.MAX_VALUE), RunLayout.Checkpoint.stepOf(RunLayout.Checkpoint.stepDirName(Long.MAX_VALUE)));
    for (String other : new String[] {"step-7", "step-00000000007", "step-9999999999999999999", "checkpoints", "damaged-step-0000000007-1"}) {
      assertEquals(OptionalLong.empty(), RunLayout.Checkpoint.stepOf(other), other);
    }
  }

  @Test
  void temporaryAndChecksumFilesOfRunFilesAreRecognised() {
    assertEquals(new Path("/run/.model.zip.tmp"), RunLayout.temporary(new Path("/run/model.zip")));
    assertTrue(RunLayout.isTemporaryOrChecksumOfRunFile(".metrics.jsonl.crc"));
    assertTrue(RunLayout.isTemporaryOrChecksumOfRunFile("..summary.json.tmp.crc"));
    assertFalse(RunLayout.isTemporaryOrChecksumOfRunFile(".notes.txt.tmp"));
    assertFalse(RunLayout.isTemporaryOrChecksumOfRunFile("model.zip"));
  }

  @Test
  void evaluationGoesBesideTheModel() {
    assertEquals(new Path("hdfs://nn/runs/a/evaluation.json"), RunLayout.evaluationBeside(new Path("hdfs://nn/runs/a/model.zip")));
    assertTrue(RunLayout.RUN_FILES.containsAll(RunLayout.REPORT_INPUTS));
  }
}
