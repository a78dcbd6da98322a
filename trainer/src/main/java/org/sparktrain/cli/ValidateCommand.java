package org.sparktrain.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.sparktrain.model.InputDims;
import org.sparktrain.model.NetworkFactory;
import org.sparktrain.model.Shapes;
import org.sparktrain.spec.JobFields;
import org.sparktrain.spec.SpecException;
import org.sparktrain.spec.JobSpec;
import org.sparktrain.spec.JobSpecLoader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** Checks a job file without running it. */
@Command(
    name = "validate",
    mixinStandardHelpOptions = true,
    description = "Check a job file: exit 0 when valid, 2 with one line per violation otherwise.")
final class ValidateCommand implements Callable<Integer> {
  @Spec CommandSpec command;
  @Mixin CommonOptions common;

  @Parameters(index = "0", arity = "0..1", paramLabel = "JOB", description = "The job file (YAML).")
  Path job;

  @Option(
      names = "--reference",
      description = "Print the reference of every job-file field (Markdown table) and exit.")
  boolean reference;

  @Option(names = "--set", paramLabel = "PATH=VALUE", description = "Override a field, e.g. training.epochs=2.")
  List<String> overrides = new ArrayList<>();

  @Override
  public Integer call() {
    common.applyLogging();
    if (reference) {
      command.commandLine().getOut().print(JobFields.markdownReference());
      command.commandLine().getOut().flush();
      return ExitCodes.OK;
    }
    if (job == null) {
      throw new ParameterException(command.commandLine(), "a job file is required, e.g. validate jobs/churn.yaml");
    }
    JobSpec spec = JobSpecLoader.load(job, overrides);
    var source = spec.model().source();
    String network =
        source.kerasConfig() != null
            ? "Keras model " + source.kerasConfig()
            : source.initFrom() != null
                ? "network from " + source.initFrom()
                    + (source.replaceOutput() ? " with a new head of " + spec.model().layers().size() + " layers" : "")
                : spec.model().layers().size() + " layers";
    // Shapes, as far as the job file alone fixes them; train checks again with the data's sizes.
    // A Keras model or a trained source brings its own layers, checked when train builds the network.
    InputDims dims = InputDims.declared(spec);
    List<String> summary = List.of();
    boolean ownLayers = !source.replacesLayers();
    if (ownLayers && dims.complete()) {
      summary = NetworkFactory.summary(spec, dims);
    } else if (ownLayers) {
      var shapes = Shapes.check(spec.model().layers(), dims);
      if (!shapes.violations().isEmpty()) {
        throw new SpecException(shapes.violations());
      }
    }
    command
        .commandLine()
        .getOut()
        .printf(
            "%s is valid: job '%s', %s, strategy %s, %d epochs%n",
            job, spec.name(), network, spec.strategy().type(), spec.training().epochs());
    if (ownLayers && summary.isEmpty()) {
      command.commandLine().getOut().printf("input: %s; layer shapes are checked when train reads the data%n", dims.kind());
    }
    summary.forEach(command.commandLine().getOut()::println);
    return ExitCodes.OK;
  }
}
