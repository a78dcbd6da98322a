package org.sparktrain.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparktrain.TestJobs;
import org.sparktrain.TrainerProcess;
import org.sparktrain.files.Json;

/**
 * The bench command in its own JVM on a small slice of MNIST, each system in a JVM of its own with
 * its own native thread setting: bench.json holds the contract fields for every system, and
 * bench.md the table. DL4J's masters (averaging, sharing) are left out to
 * keep it short; they run through the same code path as synchronous. Where data/mnist is absent, small IDX files of
 * learnable digits-like images are generated.
 */
class BenchIT {
  @TempDir Path tmp;

  @Test
  void benchWritesEverySystemsFigures() throws Exception {
    Path out = tmp.resolve("bench");
    List<String> args = new ArrayList<>(List.of(
        "bench", "--suite", "mnist-mlp", "--output", out.toString(), "--epochs", "2", "--limit", "300",
        "--systems", "single,synchronous,auto,mllib", "--mllib-seconds", "1", "--mllib-chunk", "1",
        "--synchronous-frequency", "2", "--target", "0.5", "--master", "local[2]"));
    if (!Files.exists(TestJobs.repoRoot().resolve("data/mnist/train-images-idx3-ubyte"))) {
      args.addAll(List.of("--set", "data.path=" + syntheticMnist(tmp.resolve("mnist")).toUri()));
    }
    // as a user starts it: OMP_NUM_THREADS unset, so each system's JVM chooses its own
    TrainerProcess p = TrainerProcess.start(tmp.resolve("logs"), List.of(), args, Map.of("OMP_NUM_THREADS", ""));
    int code = p.waitFor();
    assertEquals(0, code, p.stderr());

    JsonNode bench = Json.mapper().readTree(out.resolve("bench.json").toFile());
    assertTrue(bench.get("sgemm_gflops").asDouble() > 0.1, "sgemm " + bench.get("sgemm_gflops"));
    JsonNode systems = bench.get("systems");
    assertEquals(4, systems.size());
    for (JsonNode s : systems) {
      for (String field : List.of("name", "epoch_seconds", "samples_per_second", "test_accuracy",
          "ratio_to_single", "model_flops_fraction", "peak_heap_bytes", "peak_offheap_bytes",
          "broadcast_bytes", "shuffle_bytes", "time_to_target_seconds")) {
        assertTrue(s.has(field), s.get("name") + " lacks " + field);
      }
      assertTrue(s.get("epoch_seconds").asDouble() > 0, s.toString());
      assertTrue(s.get("samples_per_second").asDouble() > 0, s.toString());
      double acc = s.get("test_accuracy").asDouble();
      // MLlib's L-BFGS gets one iteration here: it must report an accuracy, not reach a good one.
      double least = s.get("name").asText().contains("mllib") ? 0.0 : 0.3;
      assertTrue(acc > least && acc <= 1.0, s.get("name") + " test accuracy " + acc);
      assertTrue(s.get("model_flops_fraction").asDouble() > 0, s.toString());
      assertTrue(s.get("peak_heap_bytes").asLong() > 0, s.toString());
    }
    // Each system ran in its own JVM: single with the default native threads, the others with
    // OMP_NUM_THREADS = cores / 2 workers in their environment, which their JVM's BLAS reports.
    int share = Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
    for (JsonNode s : systems) {
      assertTrue(s.get("native_threads").asInt() >= 1, s.toString());
      assertTrue(Files.exists(out.resolve(s.get("log").asText())), s.toString());
    }
    assertTrue(systems.get(0).get("omp_num_threads").isNull(), systems.get(0).toString());
    assertEquals(share, systems.get(1).get("omp_num_threads").asInt(), systems.get(1).toString());
    assertEquals(share, systems.get(1).get("native_threads").asInt(), systems.get(1).toString());
    // The strategy took its threads from the environment and said so.
    String syncLog = Files.readString(out.resolve(systems.get(1).get("log").asText()));
    assertTrue(syncLog.contains(share + " native threads each (from OMP_NUM_THREADS of this JVM)"), syncLog);
    assertTrue(systems.get(0).get("name").asText().contains("single"));
    assertEquals(1.0, systems.get(0).get("ratio_to_single").asDouble(), 1e-9);
    assertTrue(systems.get(3).get("name").asText().contains("mllib"));
    // The strategies broadcast parameters every round; the single machine broadcasts only for validation.
    JsonNode sync = systems.get(1);
    assertTrue(sync.get("broadcast_bytes").asLong() > systems.get(0).get("broadcast_bytes").asLong(), sync.toString());
    assertNotNull(systems.get(2).get("settings").get("chose"), "auto must say what it chose: " + systems.get(2));
    String md = Files.readString(out.resolve("bench.md"));
    assertTrue(md.contains("| system |") && md.contains("single") && md.contains("mllib"), md);
  }

  /**
   * --scaling: synchronous at 1 and 2 workers in one application, each epoch split by the strategy,
   * the cost model fitted to them and its predictions, in bench.json and bench.md.
   */
  @Test
  void scalingRunsEachWorkerCountAndFitsTheModel() throws Exception {
    Path out = tmp.resolve("scaling");
    List<String> args = new ArrayList<>(List.of(
        "bench", "--suite", "mnist-mlp", "--output", out.toString(), "--epochs", "3", "--limit", "300",
        "--scaling", "1,2", "--synchronous-frequency", "2", "--target", "0.5", "--master", "local[2]"));
    if (!Files.exists(TestJobs.repoRoot().resolve("data/mnist/train-images-idx3-ubyte"))) {
      args.addAll(List.of("--set", "data.path=" + syntheticMnist(tmp.resolve("mnist")).toUri()));
    }
    TrainerProcess p = TrainerProcess.start(tmp.resolve("logs"), List.of(), args, Map.of());
    assertEquals(0, p.waitFor(), p.stderr());

    JsonNode bench = Json.mapper().readTree(out.resolve("bench.json").toFile());
    JsonNode systems = bench.get("systems");
    assertEquals(2, systems.size(), systems.toString());
    assertEquals("synchronous, 1 workers", systems.get(0).get("name").asText());
    assertEquals("synchronous, 2 workers", systems.get(1).get("name").asText());
    for (JsonNode s : systems) {
      assertEquals(3, s.get("epoch_breakdown_each").size(), s.toString());
      assertTrue(s.get("test_accuracy").asDouble() > 0.3, s.toString());
    }
    JsonNode scaling = bench.get("scaling");
    assertEquals(1, scaling.get("warm_up_epochs").asInt(), "half of 3 epochs");
    JsonNode runs = scaling.get("runs");
    assertEquals(2, runs.size());
    assertEquals("2-3", runs.get(0).get("epochs_averaged").asText());
    assertEquals(1.0, runs.get(0).get("efficiency").asDouble(), 1e-12);
    JsonNode two = runs.get(1);
    long perWorker = two.get("minibatches_per_worker").asLong();
    long all = bench.get("minibatches_per_epoch").asLong();
    assertEquals((all + 1) / 2, perWorker, two.toString());
    assertEquals((perWorker + 1) / 2, two.get("rounds").asLong(), "averaging every 2: " + two);
    assertTrue(two.get("round_seconds").asDouble() > 0, two.toString());
    assertTrue(two.get("efficiency").asDouble() > 0 && two.get("efficiency").asDouble() < 2, two.toString());
    assertTrue(two.get("seconds_per_minibatch").asDouble() > 0, two.toString());
    JsonNode model = scaling.get("model");
    assertTrue(model.get("state_bytes").asDouble() > 4 * bench.get("parameters").asDouble(), "parameters and Adam's state: " + model);
    assertEquals(6, model.get("predictions").size(), model.toString());
    String md = Files.readString(out.resolve("bench.md"));
    assertTrue(md.contains("## Scaling: synchronous at 2 worker counts") && md.contains("| 10x | 128 |"), md);
  }

  /** IDX files of 600 training and 600 test images: each class a bright block in its own place. */
  static Path syntheticMnist(Path dir) throws IOException {
    Files.createDirectories(dir);
    Random r = new Random(3);
    for (String set : List.of("train", "t10k")) {
      int n = 600;
      byte[] pixels = new byte[n * 784];
      byte[] labels = new byte[n];
      for (int i = 0; i < n; i++) {
        int c = r.nextInt(10);
        labels[i] = (byte) c;
        for (int p = 0; p < 784; p++) {
          int row = p / 28;
          int col = p % 28;
          boolean on = row / 7 == c / 4 && col / 7 == c % 4;
          pixels[i * 784 + p] = (byte) (on ? 200 + r.nextInt(55) : r.nextInt(60));
        }
      }
      write(dir.resolve(set + "-images-idx3-ubyte"), 2051, n, new int[] {28, 28}, pixels);
      write(dir.resolve(set + "-labels-idx1-ubyte"), 2049, n, new int[0], labels);
    }
    return dir;
  }

  private static void write(Path file, int magic, int n, int[] dims, byte[] body) throws IOException {
    try (OutputStream os = Files.newOutputStream(file);
        DataOutputStream out = new DataOutputStream(os)) {
      out.writeInt(magic);
      out.writeInt(n);
      for (int d : dims) {
        out.writeInt(d);
      }
      out.write(body);
    }
  }
}
