package org.sparktrain.cluster;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A Spark standalone master and workers, separate JVMs on 127.0.0.1, started and stopped with
 * deploy/local-cluster.sh; its state (PID files, logs, work directories) lives in a test folder.
 */
final class LocalCluster implements AutoCloseable {
  final Path state;
  final int port;
  final int workers;

  private LocalCluster(Path state, int port, int workers) {
    this.state = state;
    this.port = port;
    this.workers = workers;
  }

  static Path repoRoot() {
    return Path.of(System.getProperty("repo.root", "..")).toAbsolutePath().normalize();
  }

  /**
   * Starts a master and {@code workers} workers of one core, requiring spark.authenticate with
   * {@code secret} (given in the environment, as users do), or with a secret the script makes when
   * it is null.
   */
  static LocalCluster start(Path state, int workers, String secret) throws Exception {
    int port = freePort();
    List<String> cmd =
        new ArrayList<>(
            List.of(
                "deploy/local-cluster.sh", "start",
                "--workers", Integer.toString(workers),
                "--cores", "1",
                "--memory", "1500m",
                "--port", Integer.toString(port),
                "--webui-port", Integer.toString(freePort()),
                "--state", state.toString()));
    LocalCluster cluster = new LocalCluster(state, port, workers);
    Run started =
        Run.of(
            state.getParent().resolve("local-cluster-start.log"),
            cmd,
            secret == null ? Map.of() : Map.of("SPARKTRAIN_SECRET", secret),
            3);
    if (started.rc() != 0) {
      cluster.close();
      throw new AssertionError("the cluster did not start: " + started.log());
    }
    return cluster;
  }

  private static final java.util.concurrent.atomic.AtomicInteger STARTED = new java.util.concurrent.atomic.AtomicInteger();

  /**
   * {@code current} while its master and workers all run; else (none yet, or a test killed a
   * worker) a new cluster of {@code workers} in a new directory under {@code parent}, the old one
   * stopped.
   */
  static LocalCluster alive(LocalCluster current, Path parent, int workers, String secret) throws Exception {
    if (current != null && current.allAlive()) {
      return current;
    }
    if (current != null) {
      current.close();
    }
    return start(parent.resolve("cluster-" + STARTED.incrementAndGet()), workers, secret);
  }

  String masterUrl() {
    return "spark://127.0.0.1:" + port;
  }

  /** The cluster's secret, where local-cluster.sh keeps it for submit.sh. */
  Path secretFile() {
    return state.resolve("secret");
  }

  long workerPid(int i) throws IOException {
    return Long.parseLong(Files.readString(state.resolve("worker-" + i + ".pid")).trim());
  }

  /** Whether the master and every worker JVM are running. */
  boolean allAlive() throws IOException {
    if (!alive(state.resolve("master.pid"))) {
      return false;
    }
    for (int i = 1; i <= workers; i++) {
      if (!alive(state.resolve("worker-" + i + ".pid"))) {
        return false;
      }
    }
    return true;
  }

  private static boolean alive(Path pidFile) throws IOException {
    return Files.exists(pidFile)
        && ProcessHandle.of(Long.parseLong(Files.readString(pidFile).trim())).map(ProcessHandle::isAlive).orElse(false);
  }

  /** The worker's JVM and the executor JVMs it launched (its descendants). */
  List<ProcessHandle> workerAndExecutors(int i) throws IOException {
    Optional<ProcessHandle> worker = ProcessHandle.of(workerPid(i));
    List<ProcessHandle> all = new ArrayList<>();
    worker.ifPresent(
        w -> {
          all.addAll(w.descendants().toList());
          all.add(w);
        });
    return all;
  }

  /** Executor logs (stderr) of every application this worker ran. */
  List<Path> executorLogs(int i) throws IOException {
    return executorLogs(state.resolve("work-" + i));
  }

  /** Executor logs (stderr) under a worker's work directory or one application's directory in it. */
  List<Path> executorLogs(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (var files = Files.walk(dir, 3)) {
      return files.filter(p -> p.getFileName().toString().equals("stderr")).toList();
    }
  }

  /**
   * The directory of the newest application worker {@code i} ran executors for (Spark names them
   * app-TIME-COUNTER, so they sort by age); null when none.
   */
  Path newestApplication(int i) throws IOException {
    Path work = state.resolve("work-" + i);
    if (!Files.isDirectory(work)) {
      return null;
    }
    try (var apps = Files.list(work)) {
      return apps.filter(p -> p.getFileName().toString().startsWith("app-")).max(Path::compareTo).orElse(null);
    }
  }

  @Override
  public void close() throws Exception {
    Run stopped =
        Run.of(
            state.getParent().resolve("local-cluster-stop.log"),
            List.of("deploy/local-cluster.sh", "stop", "--state", state.toString()),
            2);
    if (stopped.rc() != 0) {
      throw new AssertionError("the cluster did not stop: " + stopped.log());
    }
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /** A finished command of the repository's deploy/ scripts: exit code and its output. */
  record Run(int rc, String log) {
    static Run of(Path logFile, List<String> cmd, int minutes) throws Exception {
      return of(logFile, cmd, Map.of(), minutes);
    }

    static Run of(Path logFile, List<String> cmd, Map<String, String> env, int minutes) throws Exception {
      Process p = start(logFile, cmd, env);
      if (!p.waitFor(minutes, TimeUnit.MINUTES)) {
        p.destroyForcibly().waitFor();
        throw new AssertionError(cmd + " did not finish within " + minutes + " minutes: " + tail(logFile));
      }
      return new Run(p.exitValue(), tail(logFile));
    }

    static Process start(Path logFile, List<String> cmd) throws IOException {
      return start(logFile, cmd, Map.of());
    }

    /** Starts {@code cmd} in the repository root with {@code env} added to this JVM's environment. */
    static Process start(Path logFile, List<String> cmd, Map<String, String> env) throws IOException {
      Files.createDirectories(logFile.getParent());
      ProcessBuilder pb =
          new ProcessBuilder(cmd)
              .directory(repoRoot().toFile())
              .redirectErrorStream(true)
              .redirectOutput(logFile.toFile());
      pb.environment().putAll(env);
      return pb.start();
    }

    static String tail(Path logFile) throws IOException {
      String s = Files.exists(logFile) ? Files.readString(logFile) : "";
      return s.length() > 6000 ? "..." + s.substring(s.length() - 6000) : s;
    }
  }
}
