package org.sparktrain;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The trainer as users start it, {@code java -jar trainer.jar ...}, in a separate JVM. */
public final class TrainerProcess {
  /** The java command and options of every trainer JVM the tests start (see {@link #start}). */
  static final List<String> JAVA = List.of("java", "-Xmx2g", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC");

  private final Process process;
  private final Path out;
  private final Path err;
  private final long started = System.nanoTime();

  private TrainerProcess(Process process, Path out, Path err) {
    this.process = process;
    this.out = out;
    this.err = err;
  }

  /** Starts the trainer with {@code args} in the repository root; output goes to files in logDir. */
  public static TrainerProcess start(Path logDir, List<String> args) throws IOException {
    return start(logDir, List.of(), args);
  }

  /** As {@link #start(Path, List)}, with extra JVM options (system properties) before -jar. */
  public static TrainerProcess start(Path logDir, List<String> jvmOptions, List<String> args)
      throws IOException {
    return start(logDir, jvmOptions, args, java.util.Map.of());
  }

  /**
   * As {@link #start(Path, List, List)}, with changes to the environment: a variable mapped to
   * the empty string is removed, any other is set.
   */
  public static TrainerProcess start(
      Path logDir, List<String> jvmOptions, List<String> args, java.util.Map<String, String> env)
      throws IOException {
    Path jar = Path.of(System.getProperty("trainer.jar", "target/trainer.jar")).toAbsolutePath();
    // Short runs on small data: the client compiler, the serial collector and the classes mapped
    // from a shared archive start faster (about a fifth and then 4 s off a short run), and with
    // OMP_NUM_THREADS set the train command does not start a second JVM (a test of that relaunch
    // removes the variable).
    List<String> cmd = new ArrayList<>(JAVA);
    cmd.addAll(TrainerClassArchive.options(jar, TestJobs.repoRoot()));
    cmd.addAll(jvmOptions);
    cmd.addAll(List.of("-jar", jar.toString()));
    cmd.addAll(args);
    Files.createDirectories(logDir);
    Path out = Files.createTempFile(logDir, "out", ".txt");
    Path err = Files.createTempFile(logDir, "err", ".txt");
    ProcessBuilder pb =
        new ProcessBuilder(cmd)
            .directory(TestJobs.repoRoot().toFile())
            .redirectOutput(out.toFile())
            .redirectError(err.toFile());
    pb.environment().put("OMP_NUM_THREADS", "1");
    env.forEach((k, v) -> {
      if (v.isEmpty()) {
        pb.environment().remove(k);
      } else {
        pb.environment().put(k, v);
      }
    });
    Process p = pb.start();
    return new TrainerProcess(p, out, err);
  }

  /** Runs to the end (at most 10 minutes) and returns the exit code. */
  public int waitFor() throws InterruptedException {
    if (!process.waitFor(10, TimeUnit.MINUTES)) {
      process.destroyForcibly();
      throw new AssertionError("the trainer did not finish within 10 minutes: " + stderr());
    }
    return process.exitValue();
  }

  /** Waits until {@code file} exists (at most 10 minutes); false if the process ended first. */
  public boolean awaitFile(Path file) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
    while (System.nanoTime() < deadline) {
      if (Files.exists(file)) {
        return true;
      }
      if (!process.isAlive()) {
        return Files.exists(file);
      }
      Thread.sleep(20);
    }
    throw new AssertionError("timed out waiting for " + file);
  }

  /**
   * SIGKILL to the trainer and every process it started, as a crashed node or an OOM killer would;
   * returns the trainer's exit code.
   */
  public int kill() throws InterruptedException {
    List<ProcessHandle> children = process.descendants().toList();
    process.destroyForcibly();
    children.forEach(ProcessHandle::destroyForcibly);
    int code = process.waitFor();
    for (ProcessHandle child : children) {
      child.onExit().join();
    }
    return code;
  }

  /**
   * Waits until stderr holds {@code text} (at most 10 minutes); false if the process ended
   * without writing it.
   */
  public boolean awaitStderr(String text) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
    while (System.nanoTime() < deadline) {
      boolean alive = process.isAlive();
      if (stderr().contains(text)) {
        return true;
      }
      if (!alive) {
        return false;
      }
      Thread.sleep(20);
    }
    throw new AssertionError("timed out waiting for \"" + text + "\" on stderr");
  }

  /** Waits until {@code seconds} after the start; false if the process ended before. */
  public boolean aliveAt(double seconds) throws InterruptedException {
    long until = started + (long) (seconds * 1e9);
    while (System.nanoTime() < until && process.isAlive()) {
      Thread.sleep(20);
    }
    return process.isAlive();
  }

  /** Seconds since the process was started. */
  public double seconds() {
    return (System.nanoTime() - started) / 1e9;
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  public String stdout() {
    return read(out);
  }

  public String stderr() {
    return read(err);
  }

  private static String read(Path p) {
    try {
      return Files.readString(p);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
