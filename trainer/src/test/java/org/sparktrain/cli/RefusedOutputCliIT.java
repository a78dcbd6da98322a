package org.sparktrain.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparktrain.RunFiles;
import org.sparktrain.TestJobs;
import org.sparktrain.TrainerProcess;

/**
 * Through {@code java -jar}: a resume that would overwrite a finished run, or retrain over an
 * unfinished one that has no checkpoint, and a run into a directory holding other files, are
 * refused with exit 2 and a message saying what to do, and every earlier file stays as it was
 * (content and modification time).
 */
class RefusedOutputCliIT {
  @TempDir static Path tmp;
  private static Path slice;
  /** Two epochs without checkpoints (checkpoint.every: 0), finished. */
  private static Path finished;

  private static List<String> train(Path output, String... extra) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "train", "jobs/churn.yaml", "--quiet",
                "--output", output.toString(),
                "--set", "data.path=" + slice.toUri(),
                "--set", "training.epochs=2",
                "--set", "checkpoint.every=0"));
    args.addAll(List.of(extra));
    return args;
  }

  private static TrainerProcess start(Path output, String... extra) throws Exception {
    return TrainerProcess.start(tmp.resolve("logs"), List.of("-XX:TieredStopAtLevel=1"), train(output, extra));
  }

  @BeforeAll
  static void finishedRun() throws Exception {
    slice = TestJobs.churnSlice(tmp, 600);
    finished = tmp.resolve("finished");
    TrainerProcess p = start(finished);
    assertEquals(0, p.waitFor(), p.stderr());
    assertFalse(Files.exists(finished.resolve("checkpoints")), "no checkpoints");
  }

  /** Runs the trainer, expects exit 2 with each of {@code parts}, and nothing in {@code dir} changed. */
  private static void assertRefused(Path dir, String[] args, String... parts) throws Exception {
    Map<String, String> before = RunFiles.snapshot(dir);
    TrainerProcess p = start(dir, args);
    assertEquals(2, p.waitFor(), p.stderr());
    for (String part : parts) {
      assertTrue(p.stderr().contains(part), "expected \"" + part + "\" in: " + p.stderr());
    }
    assertFalse(p.stderr().contains("\tat "), "no stack trace: " + p.stderr());
    assertEquals(before, RunFiles.snapshot(dir), "every file as it was");
  }

  private static Path copyOfFinished(String name, List<String> without) throws Exception {
    Path run = tmp.resolve(name);
    Files.createDirectories(run);
    try (var files = Files.list(finished)) {
      for (Path p : files.toList()) {
        if (!without.contains(p.getFileName().toString())) {
          Files.copy(p, run.resolve(p.getFileName().toString()), java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
        }
      }
    }
    return run;
  }

  @Test
  void resumeOfAFinishedRunIsRefused() throws Exception {
    String[] parts = {
      "the run in file:" + finished + " finished after epoch 2", "nothing to resume",
      "--set model.init_from=file:" + finished.resolve("model.zip")
    };
    assertRefused(finished, new String[] {"--resume"}, parts);
    assertRefused(finished, new String[] {"--resume", "--set", "seed=7"}, parts);
  }

  @Test
  void resumeWithoutACheckpointOfARunThatRecordedEpochsIsRefused() throws Exception {
    // As a run without checkpoints killed before its summary leaves it.
    Path run = copyOfFinished("unfinished", List.of("summary.json", "report.html"));
    assertRefused(
        run, new String[] {"--resume"},
        "has recorded 2 epoch(s) in metrics.jsonl but has no committed checkpoint",
        "checkpoint.every: 0", "Start a new run with another --output");
  }

  @Test
  void resumeOfARunStoppedBeforeItsFirstEpochRefusesAnotherJob() throws Exception {
    // Only the job file: a run killed while reading its data.
    Path run = tmp.resolve("job-only");
    Files.createDirectories(run);
    Files.copy(finished.resolve("job.yaml"), run.resolve("job.yaml"));
    assertRefused(run, new String[] {"--resume", "--set", "seed=7"}, "seed: the run's file:" + run.resolve("job.yaml") + " was written with 42, the job now says 7");
  }

  @Test
  void aDirectoryWithOtherFilesIsRefusedForNewRunsAndResumes() throws Exception {
    Path dir = tmp.resolve("notes");
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("notes.txt"), "earlier work");
    assertRefused(dir, new String[0], "holds files that are not a run's outputs (notes.txt)", "choose another --output");
    Path run = copyOfFinished("run-and-notes", List.of("summary.json"));
    Files.writeString(run.resolve("notes.txt"), "earlier work");
    assertRefused(run, new String[] {"--resume"}, "holds files that are not a run's outputs (notes.txt)");
  }
}
