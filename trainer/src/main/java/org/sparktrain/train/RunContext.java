package org.sparktrain.train;

import java.time.Instant;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaSparkContext;
import org.sparktrain.spec.JobSpec;

/**
 * What every phase of one training run works with.
 *
 * @param phases the run's named phases, timed for the summary
 * @param out the run's output directory
 * @param checkpoints the run's checkpoint directory
 * @param started when the run started
 */
record RunContext(
    JobSpec spec,
    JavaSparkContext sc,
    Configuration hadoop,
    Phases phases,
    RunOutputs out,
    RunCheckpoints checkpoints,
    Instant started) {}
