package org.sparktrain.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** One deploy/submit.sh of jobs/churn.yaml to a local cluster, running in its own process. */
final class Submission {
  private static final ObjectMapper JSON = new ObjectMapper();

  final Path output;
  final Path log;
  private final Process process;

  private Submission(Path output, Path log, Process process) {
    this.output = output;
    this.log = log;
    this.process = process;
  }

  /**
   * Submits churn with a few epochs and (unless {@code extra} sets another) a learning rate of
   * 0.01, with which averaging reaches the tutorial's test accuracy (about 0.86) in 3 epochs,
   * presenting the cluster's secret from its file; {@code extra} are more submit.sh arguments.
   */
  static Submission churn(LocalCluster cluster, Path output, int epochs, String... extra) throws IOException {
    List<String> args =
        new ArrayList<>(
            List.of("--master", cluster.masterUrl(), "--secret-file", cluster.secretFile().toString()));
    args.addAll(List.of(extra));
    return churn("cluster-configs/standalone.conf", Map.of(), output, epochs, args.toArray(String[]::new));
  }

  /**
   * Submits churn as {@link #churn(LocalCluster, Path, int, String...)} does, with the cluster
   * config {@code conf} and more environment variables for submit.sh (HADOOP_CONF_DIR, say).
   */
  static Submission churn(String conf, Map<String, String> env, Path output, int epochs, String... extra)
      throws IOException {
    Path data = churnData();
    List<String> cmd =
        new ArrayList<>(
            List.of(
                "deploy/submit.sh",
                "--cluster", conf,
                "jobs/churn.yaml",
                "--output", output.toString(),
                "--set", "data.path=" + data.toUri(),
                "--set", "training.epochs=" + epochs,
                "--set", "checkpoint.keep=10",
                // Executors start from the test's small heap budget; the JVMs share two cores.
                "--conf", "spark.driver.memory=1g",
                "--conf", "spark.ui.enabled=false"));
    if (List.of(extra).stream().noneMatch(a -> a.startsWith("training.learning_rate="))) {
      cmd.addAll(List.of("--set", "training.learning_rate=0.01"));
    }
    cmd.addAll(List.of(extra));
    Path log = output.resolveSibling(output.getFileName() + ".log");
    return new Submission(output, log, LocalCluster.Run.start(log, cmd, env));
  }

  /** The churn dataset: data/churn (deploy/fetch-data.sh), else the shared copy beside the repository. */
  static Path churnData() {
    Path root = LocalCluster.repoRoot();
    for (Path p :
        List.of(
            root.resolve("data/churn/Churn_Modelling.csv"),
            root.resolve("../shared/datasets/Churn_Modelling.csv").normalize())) {
      if (Files.exists(p)) {
        return p;
      }
    }
    throw new AssertionError(
        "no churn dataset at data/churn/Churn_Modelling.csv or ../shared/datasets; run deploy/fetch-data.sh");
  }

  int waitFor(int minutes) throws Exception {
    if (!process.waitFor(minutes, TimeUnit.MINUTES)) {
      process.destroyForcibly().waitFor();
      throw new AssertionError("submit.sh did not finish within " + minutes + " minutes: " + log());
    }
    return process.exitValue();
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /** The end of submit.sh's output, for failure messages. */
  String log() throws IOException {
    return LocalCluster.Run.tail(log);
  }

  /** All of submit.sh's output. */
  String fullLog() throws IOException {
    return Files.readString(log);
  }

  JsonNode summary() throws IOException {
    return JSON.readTree(output.resolve("summary.json").toFile());
  }

  List<JsonNode> metrics() throws IOException {
    List<JsonNode> lines = new ArrayList<>();
    for (String line : Files.readAllLines(output.resolve("metrics.jsonl"))) {
      lines.add(JSON.readTree(line));
    }
    return lines;
  }

  Path manifest(int step) {
    return output.resolve("checkpoints").resolve(String.format("step-%010d", step)).resolve("MANIFEST.json");
  }

  /** {@code trainer checkpoints verify} in its own JVM: exit 0 when every checksum matches. */
  static LocalCluster.Run verifyCheckpoints(Path dir) throws Exception {
    Path jar = LocalCluster.repoRoot().resolve("trainer/target/trainer.jar");
    return LocalCluster.Run.of(
        dir.resolveSibling("verify.log"),
        List.of("java", "-Xmx512m", "-jar", jar.toString(), "checkpoints", "verify", "--quiet", dir.toString()),
        3);
  }
}
