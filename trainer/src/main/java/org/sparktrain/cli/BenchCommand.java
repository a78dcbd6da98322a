package org.sparktrain.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import org.sparktrain.bench.Bench;
import org.sparktrain.bench.SeparateJvms;
import org.sparktrain.runtime.SparkRuntime;
import org.sparktrain.spec.JobSpec;
import org.sparktrain.spec.JobSpecLoader;
import org.sparktrain.spec.SpecException;
import org.sparktrain.spec.Violation;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** Trains one suite's model with every system side by side and writes bench.json and bench.md. */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = {
      "Train the same model on the same data with single-machine DL4J, each strategy and Spark MLlib,"
          + " one after another in this process, and compare them.",
      "Writes DIR/bench.json and DIR/bench.md."
    })
final class BenchCommand implements Callable<Integer> {
  /** Suites and the job files they run; a suite whose job file is missing says what it needs. */
  static final Map<String, String> SUITES =
      Map.of(
          "mnist-mlp", "jobs/mnist-mlp.yaml",
          "mnist-cnn", "jobs/mnist-lenet.yaml",
          "flights", "jobs/flights.yaml");

  private static final Map<String, String> MISSING =
      Map.of("flights", "fetch it with deploy/fetch-data.sh --flights (17 MB from npm)");

  @Spec CommandSpec command;
  @Mixin CommonOptions common;

  @Option(names = "--suite", required = true, paramLabel = "SUITE", description = "mnist-mlp (jobs/mnist-mlp.yaml), mnist-cnn (jobs/mnist-lenet.yaml) or flights (jobs/flights.yaml).")
  String suite;

  @Option(names = "--output", required = true, paramLabel = "DIR", description = "Directory for bench.json and bench.md (a local path).")
  Path output;

  @Option(names = "--epochs", paramLabel = "N", defaultValue = "3", description = "Epochs per system (default ${DEFAULT-VALUE}).")
  int epochs;

  @Option(names = "--limit", paramLabel = "ROWS", defaultValue = "0", description = "At most this many rows of each input file (data.limit); 0: all.")
  long limit;

  @Option(names = "--systems", split = ",", paramLabel = "NAME", description = "Systems to run, in order (default: single,synchronous,auto,averaging,mllib,sharing).")
  List<String> systems = new ArrayList<>(Bench.SYSTEMS);

  @Option(names = "--target", paramLabel = "VALUE", defaultValue = "0.97", description = "Validation accuracy (classification; R^2 for regression suites) for time-to-target (default ${DEFAULT-VALUE}).")
  double target;

  @Option(names = "--averaging-frequency", paramLabel = "K", defaultValue = "5", description = "averaging: minibatches between averagings (default ${DEFAULT-VALUE}).")
  int averagingFrequency;

  @Option(names = "--synchronous-frequency", paramLabel = "K", defaultValue = "50", description = "synchronous: minibatches between averagings (default ${DEFAULT-VALUE}).")
  int synchronousFrequency;

  @Option(names = "--workers", paramLabel = "N", defaultValue = "0", description = "Workers of the strategies; 0: Spark's default parallelism.")
  int workers;

  @Option(names = "--mllib-seconds", paramLabel = "S", defaultValue = "0", description = "MLlib's training budget in seconds; 0: as long as the slowest system before it trained.")
  double mllibSeconds;

  @Option(names = "--mllib-chunk", paramLabel = "N", defaultValue = "10", description = "MLlib: L-BFGS iterations between validations (default ${DEFAULT-VALUE}).")
  int mllibChunk;

  @Option(names = "--in-process", description = "Run every system in this JVM, with one native thread setting for all (by default each system runs in its own JVM: the single machine with the default native threads, each distributed system with OMP_NUM_THREADS = cores / workers).")
  boolean inProcess;

  @Option(names = "--set", paramLabel = "PATH=VALUE", description = "Override a field of the suite's job file. Repeatable.")
  List<String> overrides = new ArrayList<>();

  @Option(names = "--scaling", split = ",", paramLabel = "N",
      description = "In place of the systems: synchronous (every --synchronous-frequency minibatches; or auto with"
          + " --systems auto) with each of these worker counts, one after another in this application (e.g. 1,2,3"
          + " on a cluster master), and the cost model fitted to them and extrapolated to 8, 32 and 128 workers."
          + " The first count is the base of the efficiency.")
  List<Integer> scaling = new ArrayList<>();

  @Option(names = "--warm-up", paramLabel = "EPOCHS", defaultValue = "-1",
      description = "--scaling: epochs of each run left out of its means while the JVMs compile (default: half of --epochs).")
  int warmUp;

  @Override
  public Integer call() throws Exception {
    common.applyLogging();
    String job = SUITES.get(suite);
    if (job == null) {
      throw new ParameterException(command.commandLine(),
          "unknown suite '" + suite + "'; expected one of " + new java.util.TreeSet<>(SUITES.keySet()));
    }
    for (String s : systems) {
      if (!Bench.SYSTEMS.contains(s)) {
        throw new ParameterException(command.commandLine(),
            "unknown system '" + s + "' in --systems; expected some of " + Bench.SYSTEMS);
      }
    }
    if (epochs < 1 || limit < 0 || target <= 0 || target > 1 || averagingFrequency < 1 || synchronousFrequency < 1
        || workers < 0 || mllibSeconds < 0 || mllibChunk < 1) {
      throw new ParameterException(command.commandLine(),
          "expected --epochs >= 1, --limit >= 0, 0 < --target <= 1, frequencies >= 1, --workers >= 0,"
              + " --mllib-seconds >= 0 and --mllib-chunk >= 1");
    }
    if (!scaling.isEmpty()) {
      checkScaling();
    }
    Path jobFile = Path.of(job);
    if (!Files.exists(jobFile)) {
      throw new SpecException(List.of(new Violation("--suite",
          "suite " + suite + " runs " + job + ", which is not here; run the bench from the repository root")));
    }
    if (Files.exists(output.resolve("bench.json"))) {
      throw new ParameterException(command.commandLine(),
          output + " already holds a bench.json; pick a new --output directory so that nothing is overwritten");
    }
    List<String> sets = new ArrayList<>(overrides);
    sets.add("training.epochs=" + epochs);
    if (limit > 0) {
      sets.add("data.limit=" + limit);
    }
    JobSpec spec = JobSpecLoader.load(jobFile, sets);
    String fetch = MISSING.get(suite);
    if (fetch != null && !spec.data().path().contains(":") && !Files.exists(Path.of(spec.data().path()))) {
      throw new SpecException(List.of(new Violation("--suite",
          "suite " + suite + " reads " + spec.data().path() + ", which does not exist; " + fetch
              + ", or point --set data.path=... at a copy")));
    }
    if (!inProcess && scaling.isEmpty()) {
      return separateJvms(jobFile);
    }
    String line = "java -jar trainer/target/trainer.jar " + String.join(" ", command.commandLine().getParseResult().originalArgs());
    SparkSession spark = SparkRuntime.start("trainer bench: " + suite, common.master);
    try {
      new Bench(spark, spec,
              new Bench.Options(suite, epochs, List.copyOf(systems), target, mllibSeconds, mllibChunk,
                  averagingFrequency, synchronousFrequency, workers, line, List.copyOf(scaling),
                  warmUp >= 0 ? warmUp : epochs / 2))
          .run(output);
      command.commandLine().getOut().println(Files.readString(output.resolve("bench.md")));
      return ExitCodes.OK;
    } finally {
      spark.stop();
    }
  }

  /** --scaling runs one strategy (synchronous or auto) in this application, with its own worker counts. */
  private void checkScaling() {
    boolean systemsGiven = command.commandLine().getParseResult().hasMatchedOption("--systems");
    if (systemsGiven && !systems.equals(List.of("synchronous")) && !systems.equals(List.of("auto"))) {
      throw new ParameterException(command.commandLine(),
          "--scaling runs one strategy, synchronous (the default) or auto, at each worker count; got --systems "
              + String.join(",", systems));
    }
    if (!systemsGiven) {
      systems = new ArrayList<>(List.of("synchronous"));
    }
    if (workers > 0) {
      throw new ParameterException(command.commandLine(),
          "--scaling " + scaling + " gives the worker counts; drop --workers " + workers);
    }
    if (scaling.stream().anyMatch(n -> n == null || n < 1) || scaling.stream().distinct().count() != scaling.size()) {
      throw new ParameterException(command.commandLine(),
          "--scaling expects distinct worker counts of at least 1, e.g. 1,2,3; got " + scaling);
    }
    if (warmUp >= epochs) {
      throw new ParameterException(command.commandLine(),
          "--warm-up " + warmUp + " leaves none of the " + epochs + " epochs to measure; expected fewer than --epochs");
    }
  }

  /** Each system in its own JVM; the job file was checked above, so a child fails only at run time. */
  private int separateJvms(Path jobFile) throws Exception {
    String line = "java -jar trainer/target/trainer.jar " + String.join(" ", command.commandLine().getParseResult().originalArgs());
    List<String> failed =
        new SeparateJvms(common.master, workers, line, mllibSeconds)
            .run(output, systems, (system, mllibBudget) -> childArgs(mllibBudget));
    command.commandLine().getOut().println(Files.readString(output.resolve("bench.md")));
    if (!failed.isEmpty()) {
      command.commandLine().getErr().println(
          "bench: " + failed + " failed in their own JVMs; their logs are " + output.resolve("systems") + "/NAME.log");
      return ExitCodes.FAILURE;
    }
    return ExitCodes.OK;
  }

  /** This command's options for one system's JVM (it adds --in-process, --systems, --output, --master). */
  private List<String> childArgs(double mllibBudget) {
    List<String> a = new ArrayList<>(List.of("bench", "--suite", suite, "--epochs", Integer.toString(epochs),
        "--limit", Long.toString(limit), "--target", Double.toString(target),
        "--averaging-frequency", Integer.toString(averagingFrequency),
        "--synchronous-frequency", Integer.toString(synchronousFrequency),
        "--workers", Integer.toString(workers), "--mllib-seconds", Double.toString(mllibBudget),
        "--mllib-chunk", Integer.toString(mllibChunk)));
    if (common.verbose) {
      a.add("--verbose");
    }
    if (common.quiet) {
      a.add("--quiet");
    }
    for (String o : overrides) {
      a.addAll(List.of("--set", o));
    }
    return a;
  }
}
