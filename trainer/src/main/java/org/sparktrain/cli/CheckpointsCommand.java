package org.sparktrain.cli;

import java.math.BigDecimal;
import java.math.MathContext;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.apache.hadoop.conf.Configuration;
import org.sparktrain.checkpoint.CheckpointInfo;
import org.sparktrain.checkpoint.CheckpointStore;
import org.sparktrain.files.RunLayout;
import org.sparktrain.files.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** Lists and verifies the checkpoints of a run, on any Hadoop filesystem, without Spark. */
@Command(
    name = "checkpoints",
    mixinStandardHelpOptions = true,
    description = "List or verify the checkpoints in a checkpoint directory (any Hadoop URI).",
    subcommands = {CheckpointsCommand.ListCommand.class, CheckpointsCommand.VerifyCommand.class})
final class CheckpointsCommand implements Runnable {
  @Spec CommandSpec command;

  @Override
  public void run() {
    throw new ParameterException(
        command.commandLine(),
        "a subcommand is required: checkpoints list DIR or checkpoints verify DIR");
  }

  private static CheckpointStore open(String dir) {
    CheckpointStore store = new CheckpointStore(dir, new Configuration());
    store.requireDirectory();
    return store;
  }

  /** Prints every checkpoint directory, newest first. */
  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description =
          "Print every checkpoint, newest first: step, epoch, metrics, size, time, committed.")
  static final class ListCommand implements Callable<Integer> {
    @Spec CommandSpec command;
    @Mixin CommonOptions common;

    @Parameters(index = "0", paramLabel = "DIR", description = "The checkpoint directory.")
    String dir;

    @Option(names = "--json", description = "Print a JSON array instead of a table.")
    boolean json;

    @Override
    public Integer call() {
      common.applyLogging();
      CheckpointStore store = open(dir);
      List<CheckpointInfo> infos = store.list();
      var out = command.commandLine().getOut();
      if (json) {
        out.println(Json.write(infos.stream().map(ListCommand::toJson).toList()));
      } else if (infos.isEmpty()) {
        out.printf("no checkpoints in %s%n", store.dir());
      } else {
        out.printf(
            "%-12s %6s %-9s %10s %-20s %s%n",
            "STEP", "EPOCH", "COMMITTED", "SIZE", "TIME", "METRICS");
        for (CheckpointInfo i : infos) {
          out.printf(
              "%-12d %6s %-9s %10s %-20s %s%n",
              i.step(),
              i.epoch() < 0 ? "-" : Integer.toString(i.epoch()),
              i.committed() ? "yes" : "no",
              size(i.sizeBytes()),
              i.time().truncatedTo(ChronoUnit.SECONDS),
              metrics(i.metrics()) + (i.problem() == null ? "" : "  problem: " + i.problem()));
        }
      }
      out.flush();
      return ExitCodes.OK;
    }

    private static Map<String, Object> toJson(CheckpointInfo i) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("step", i.step());
      m.put("epoch", i.epoch());
      m.put("iteration", i.iteration());
      m.put("committed", i.committed());
      m.put("metrics", i.metrics());
      m.put("size_bytes", i.sizeBytes());
      m.put("time", i.time().toString());
      m.put("path", i.path());
      m.put("problem", i.problem());
      return m;
    }

    private static String metrics(Map<String, Object> metrics) {
      return metrics.entrySet().stream()
          .map(e -> e.getKey() + "=" + number(e.getValue()))
          .collect(Collectors.joining(" "));
    }

    private static String number(Object v) {
      if (v instanceof Double d && Double.isFinite(d)) {
        return new BigDecimal(d).round(new MathContext(4)).stripTrailingZeros().toPlainString();
      }
      return String.valueOf(v);
    }

    private static String size(long bytes) {
      if (bytes < 1024) {
        return bytes + " B";
      }
      String[] units = {"KiB", "MiB", "GiB", "TiB"};
      double v = bytes;
      int u = -1;
      while (v >= 1024 && u < units.length - 1) {
        v /= 1024;
        u++;
      }
      return String.format("%.1f %s", v, units[u]);
    }
  }

  /** Recomputes every checksum of every committed checkpoint. */
  @Command(
      name = "verify",
      mixinStandardHelpOptions = true,
      description = {
        "Recompute the checksums of every committed checkpoint against its manifest.",
        "Exit 0 when all are good, 1 when any file is missing, short or changed, 2 when DIR does"
            + " not exist."
      })
  static final class VerifyCommand implements Callable<Integer> {
    @Spec CommandSpec command;
    @Mixin CommonOptions common;

    @Parameters(index = "0", paramLabel = "DIR", description = "The checkpoint directory.")
    String dir;

    @Override
    public Integer call() {
      common.applyLogging();
      CheckpointStore store = open(dir);
      var out = command.commandLine().getOut();
      int checked = 0;
      List<Long> failed = new ArrayList<>();
      for (CheckpointInfo i : store.list()) {
        if (!i.committed() && i.problem() == null) {
          out.printf(
              "step %d: not committed (no %s), ignored%n", i.step(), RunLayout.Checkpoint.MANIFEST);
          continue;
        }
        checked++;
        List<String> problems = store.verify(i.step());
        if (problems.isEmpty()) {
          out.printf("step %d: ok%n", i.step());
        } else {
          failed.add(i.step());
          problems.forEach(out::println);
        }
      }
      if (checked == 0) {
        out.printf("no committed checkpoints in %s%n", store.dir());
      } else if (failed.isEmpty()) {
        out.printf("%d checkpoints verified, all good%n", checked);
      } else {
        out.printf(
            "%d checkpoints verified, %d failed (steps %s); training resumes from the newest good"
                + " one%n",
            checked, failed.size(), failed);
      }
      out.flush();
      return failed.isEmpty() ? ExitCodes.OK : ExitCodes.FAILURE;
    }
  }
}
