package org.sparktrain.files;

import java.math.BigInteger;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.fs.Path;

/**
 * The one place that names the files of a run directory and of a checkpoint. Every package that
 * writes or reads them (train, report, api, cli, checkpoint, model) takes the names from here.
 *
 * <pre>
 * RUN/                         (train --output)
 *   job.yaml                   the resolved job, written first
 *   metrics.jsonl              one JSON object per epoch
 *   model.zip                  network, feature pipeline, job and provenance (ModelArchive)
 *   summary.json               test metrics and run facts, written last but for the report
 *   evaluation.json            the default output of evaluate, beside the model it evaluates
 *   report.html, *.png         report (RunReport)
 *   checkpoints/               the default checkpoint.dir
 *     step-0000000003/         one committed checkpoint (the step is the epoch)
 *       network.zip            the network with its updater state
 *       best-network.zip       with early stopping: the best network so far
 *       feature-pipeline.json  the fitted feature pipeline
 *       job.yaml               the resolved job
 *       state.json             epoch, seed, early-stopping state, metrics history
 *       MANIFEST.json          size and SHA-256 of each file, written last: it commits the checkpoint
 * </pre>
 *
 * A checkpoint's files are read only through {@code checkpoint.CheckpointStore}, which checks them
 * against the manifest.
 */
public final class RunLayout {
  /** The resolved job file. */
  public static final String JOB = "job.yaml";
  /** One JSON object per epoch. */
  public static final String METRICS = "metrics.jsonl";
  /** Final test metrics and run facts; written last but for the report, so it marks a finished run. */
  public static final String SUMMARY = "summary.json";
  /** The trained model with its feature pipeline, job and provenance. */
  public static final String MODEL = "model.zip";
  /** The default checkpoint directory's name inside the run directory. */
  public static final String CHECKPOINTS = "checkpoints";
  /** evaluate's default output, beside the model file. */
  public static final String EVALUATION = "evaluation.json";
  /** The report page. */
  public static final String REPORT = "report.html";
  public static final String LOSS_CHART = "loss.png";
  public static final String METRICS_CHART = "metrics.png";
  public static final String CONFUSION_CHART = "confusion.png";
  public static final String ROC_CHART = "roc.png";
  public static final String PREDICTED_CHART = "predicted-vs-actual.png";

  /** Every name a run, and the commands that read it, write into a run directory. */
  public static final Set<String> RUN_FILES =
      Set.of(
          JOB, METRICS, SUMMARY, MODEL, CHECKPOINTS, EVALUATION, REPORT, LOSS_CHART, METRICS_CHART,
          CONFUSION_CHART, ROC_CHART, PREDICTED_CHART);

  /** The files a finished run's report is drawn from. */
  public static final List<String> REPORT_INPUTS = List.of(METRICS, SUMMARY);

  private RunLayout() {}

  /** {@code name} in the run directory {@code dir}. */
  public static Path file(Path dir, String name) {
    return new Path(dir, name);
  }

  /** The default checkpoint directory of the run in {@code dir}. */
  public static Path checkpoints(Path dir) {
    return new Path(dir, CHECKPOINTS);
  }

  /** Where evaluate writes its metrics by default: beside {@code model}. */
  public static Path evaluationBeside(Path model) {
    return new Path(model.getParent(), EVALUATION);
  }

  /** The temporary name a file is written under before it is renamed over {@code target}. */
  public static Path temporary(Path target) {
    return new Path(target.getParent(), temporaryName(target.getName()));
  }

  /** {@code .NAME.tmp}: a file being written, not yet renamed to {@code name}. */
  public static String temporaryName(String name) {
    return "." + name + ".tmp";
  }

  /**
   * Whether {@code name} is the temporary or Hadoop checksum file ({@code .NAME.tmp}, {@code
   * .NAME.crc}) of one of a run's files.
   */
  public static boolean isTemporaryOrChecksumOfRunFile(String name) {
    if (!name.startsWith(".")) {
      return false;
    }
    String stem = name.replaceFirst("^\\.+", "");
    for (String suffix : List.of(".crc", ".tmp")) {
      if (stem.endsWith(suffix)) {
        stem = stem.substring(0, stem.length() - suffix.length());
      }
    }
    return RUN_FILES.contains(stem);
  }

  /** The files of one checkpoint, a {@code step-NNNNNNNNNN} directory of a checkpoint directory. */
  public static final class Checkpoint {
    /** Written last; lists every other file's size and SHA-256, and so commits the checkpoint. */
    public static final String MANIFEST = "MANIFEST.json";
    /** The network with its updater state. */
    public static final String NETWORK = "network.zip";
    /** With early stopping: the best network so far, without updater state. */
    public static final String BEST = "best-network.zip";
    /** The fitted feature pipeline. */
    public static final String PIPELINE = "feature-pipeline.json";
    /** The resolved job file. */
    public static final String JOB = "job.yaml";
    /** The training state: epoch, seed, early-stopping state, metrics history. */
    public static final String STATE = "state.json";

    private static final Pattern STEP_DIR = Pattern.compile("step-(\\d{10,19})");

    private Checkpoint() {}

    /** The directory name of checkpoint {@code step}: {@code step-} and the step in 10 digits or more. */
    public static String stepDirName(long step) {
      return String.format("step-%010d", step);
    }

    /** The step a directory is named after; only names {@link #stepDirName} writes count. */
    public static OptionalLong stepOf(String dirName) {
      Matcher m = STEP_DIR.matcher(dirName);
      if (!m.matches()) {
        return OptionalLong.empty();
      }
      BigInteger step = new BigInteger(m.group(1));
      if (step.bitLength() > 63 || !stepDirName(step.longValue()).equals(dirName)) {
        return OptionalLong.empty();
      }
      return OptionalLong.of(step.longValue());
    }
  }
}
