package org.sparktrain.train;

import java.util.Map;
import java.util.function.Supplier;
import org.apache.spark.sql.SparkSession;
import org.sparktrain.runtime.SparkRuntime;
import org.sparktrain.spec.JobSpec;
import org.sparktrain.strategy.WorkerLostException;

/**
 * A training run that restarts itself in a new Spark application after losing an executor, as
 * its {@link RestartPolicy} allows.
 */
public final class RestartingRun {
  private RestartingRun() {}

  /**
   * Runs {@code spec} into {@code outputDir} in a session from {@code sessions}; after a lost
   * executor, stops that session and resumes in a new one while the policy allows. Every session
   * it started is stopped when it returns or throws.
   *
   * @param resume continue the run in {@code outputDir} from its newest good checkpoint
   * @return the summary written to summary.json
   */
  public static Map<String, Object> run(
      JobSpec spec, String outputDir, boolean resume, Supplier<SparkSession> sessions) {
    RestartPolicy policy = new RestartPolicy(spec.checkpoint().autoResume());
    SparkSession spark = sessions.get();
    try {
      while (true) {
        try {
          return new TrainingRun(spark, spec, outputDir, policy.resumes(resume)).restarts(policy.reasons()).run();
        } catch (WorkerLostException e) {
          policy.restartAfter(e);
          // A new application, so that no executor keeps the broken mesh's state.
          spark.stop();
          spark = sessions.get();
        } catch (IllegalStateException e) {
          throw spark.sparkContext().isStopped() ? SparkRuntime.stoppedUnder(spark, e) : e;
        }
      }
    } finally {
      spark.stop();
    }
  }
}
