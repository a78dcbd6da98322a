package org.sparktrain.cli;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparktrain.runtime.JavaOptions;
import org.sparktrain.spec.JobSpec;
import org.sparktrain.spec.JobSpecLoader;
import picocli.CommandLine;

/**
 * Starts {@code train} again in a child JVM whose {@code OMP_NUM_THREADS} is the cores divided by
 * the workers, when the run is in Spark's local mode with several workers and the variable is
 * unset. All local workers share one JVM, and ND4J 1.0.0-M2 reads the variable once at start-up:
 * without it each worker's native loops use every core and the workers slow each other down. A
 * user's own {@code OMP_NUM_THREADS} is kept; on a cluster the executors take theirs from the
 * cluster configuration ({@code spark.executorEnv.OMP_NUM_THREADS}).
 *
 * <p>The child is this JVM's command again (same options and class path, plus the Java 17 opens
 * and a marker property), with standard streams inherited; its exit code is the command's. A
 * parent stopped by a signal stops the child and waits for it to finish its shutdown.
 */
final class NativeThreadsRelaunch {
  private static final Logger LOG = LoggerFactory.getLogger(NativeThreadsRelaunch.class);
  /** Set in the child, so that it never starts another. */
  static final String MARKER = "sparktrain.native-threads.relaunched";

  private static final Pattern LOCAL_N = Pattern.compile("local\\[(\\d+|\\*)(?:,\\s*\\d+)?\\]");

  private NativeThreadsRelaunch() {}

  /**
   * Runs the command line in a child JVM when {@link #threadsFor} asks for it and returns the
   * child's exit code; empty when the command should run in this JVM.
   */
  static OptionalInt runIfNeeded(String[] args) {
    if (Boolean.getBoolean(MARKER)) {
      return OptionalInt.empty();
    }
    Integer threads = threadsFor(args, System.getenv("OMP_NUM_THREADS"),
        System.getProperty("spark.master"), Runtime.getRuntime().availableProcessors());
    if (threads == null) {
      return OptionalInt.empty();
    }
    try {
      return OptionalInt.of(runChild(args, threads));
    } catch (IOException e) {
      // The run itself is still possible in this JVM, only slower: say so and go on here.
      LOG.warn("Could not start a JVM with OMP_NUM_THREADS={} ({}); training in this JVM, where every"
          + " local worker's native loops use all cores", threads, e.toString());
      return OptionalInt.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return OptionalInt.of(ExitCodes.FAILURE);
    }
  }

  /**
   * The {@code OMP_NUM_THREADS} a {@code train} command line should start with, or null when it
   * runs here as it is: not {@code train}, a line or job that does not parse (the command then
   * reports it), the variable already set, a master that is not local, or one worker.
   */
  static Integer threadsFor(String[] args, String ompEnv, String submittedMaster, int cores) {
    if (ompEnv != null && !ompEnv.isBlank()) {
      return null;
    }
    TrainCommand train;
    try {
      CommandLine.ParseResult parsed = Main.commandLine().parseArgs(args);
      if (!parsed.hasSubcommand() || !(parsed.subcommand().commandSpec().userObject() instanceof TrainCommand t)) {
        return null;
      }
      if (parsed.subcommand().isUsageHelpRequested() || parsed.subcommand().isVersionHelpRequested()) {
        return null;
      }
      train = t;
      // --quiet and --verbose hold for this JVM's own lines too
      train.common.applyLogging();
    } catch (CommandLine.PicocliException e) {
      // a line that does not parse is reported by the command itself, in the usual way
      return null;
    }
    String master = train.common.master != null ? train.common.master
        : submittedMaster != null ? submittedMaster : "local[*]";
    int localCores = localCores(master, cores);
    if (localCores <= 0) {
      return null;
    }
    int workers;
    try {
      JobSpec spec = JobSpecLoader.load(train.job, train.overrides);
      workers = spec.strategy().workers() > 0 ? spec.strategy().workers() : localCores;
    } catch (RuntimeException e) {
      // A bad job file is reported by the command itself, in the usual way.
      return null;
    }
    if (workers <= 1) {
      return null;
    }
    int threads = Math.max(1, localCores / workers);
    LOG.info("Local mode with {} workers in one JVM: training in a JVM started with OMP_NUM_THREADS={}"
        + " ({} local cores / {} workers; set OMP_NUM_THREADS yourself to choose)", workers, threads,
        localCores, workers);
    return threads;
  }

  /** The cores of a local master ({@code local}, {@code local[N]}, {@code local[*]}); 0 when not local. */
  static int localCores(String master, int machineCores) {
    String m = master.trim();
    if (m.equals("local")) {
      return 1;
    }
    Matcher local = LOCAL_N.matcher(m);
    if (!local.matches()) {
      return 0;
    }
    return local.group(1).equals("*") ? machineCores : Integer.parseInt(local.group(1));
  }

  private static int runChild(String[] args, int threads) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(ProcessHandle.current().info().command()
        .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (!a.startsWith("-agentlib:jdwp") && !a.startsWith("-Xrunjdwp")) {
        cmd.add(a);
      }
    }
    // `java -jar` takes the opens from the jar's manifest, which a -cp start does not read.
    cmd.addAll(List.of(JavaOptions.OPENS.split(" ")));
    cmd.add("-D" + MARKER + "=true");
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(Main.class.getName());
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).inheritIO();
    pb.environment().put("OMP_NUM_THREADS", Integer.toString(threads));
    LOG.debug("Starting the run in a JVM with OMP_NUM_THREADS={}: {}", threads, cmd);
    Process child = pb.start();
    Thread stop =
        new Thread(
            () -> {
              child.destroy();
              try {
                child.waitFor(60, TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "sparktrain-child-stop");
    Runtime.getRuntime().addShutdownHook(stop);
    int code = child.waitFor();
    if (!stop.isAlive()) {
      // The child ended on its own; a signal to this JVM now has nothing to stop. (While this JVM
      // shuts down the hook is running, and removing it would be refused.)
      Runtime.getRuntime().removeShutdownHook(stop);
    }
    return code;
  }
}
