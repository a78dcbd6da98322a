package org.sparktrain.ml;

import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntArrayParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.param.Params;
import org.apache.spark.ml.param.StringArrayParam;
import org.sparktrain.spec.JobFields;

/**
 * The training Params both estimators share, each mapped onto one job-file field (see {@link
 * NetworkJobs}); {@link #jobSettings()} reaches every other field.
 */
interface NetworkParams extends Params {
  IntArrayParam layers();

  Param<String> activation();

  IntParam epochs();

  IntParam batchSize();

  Param<String> updater();

  DoubleParam learningRate();

  Param<String> strategy();

  IntParam workers();

  LongParam seed();

  DoubleParam validationFraction();

  StringArrayParam jobSettings();

  default int[] getLayers() {
    return getOrDefault(layers());
  }

  default String getActivation() {
    return getOrDefault(activation());
  }

  default int getEpochs() {
    return (Integer) getOrDefault(epochs());
  }

  default int getBatchSize() {
    return (Integer) getOrDefault(batchSize());
  }

  default String getUpdater() {
    return getOrDefault(updater());
  }

  default double getLearningRate() {
    return (Double) getOrDefault(learningRate());
  }

  default String getStrategy() {
    return getOrDefault(strategy());
  }

  default int getWorkers() {
    return (Integer) getOrDefault(workers());
  }

  default long getSeed() {
    return (Long) getOrDefault(seed());
  }

  default double getValidationFraction() {
    return (Double) getOrDefault(validationFraction());
  }

  default String[] getJobSettings() {
    return getOrDefault(jobSettings());
  }

  /** The Params of one estimator, created once its uid is known. */
  record Defs(
      IntArrayParam layers,
      Param<String> activation,
      IntParam epochs,
      IntParam batchSize,
      Param<String> updater,
      DoubleParam learningRate,
      Param<String> strategy,
      IntParam workers,
      LongParam seed,
      DoubleParam validationFraction,
      StringArrayParam jobSettings) {

    static Defs of(Params uid) {
      return new Defs(
          new IntArrayParam(uid, "layers", "Units of each hidden dense layer, first to last (model.layers); the output layer follows from the task."),
          new Param<>(uid, "activation", "Activation of the hidden layers: one of " + JobFields.ACTIVATIONS + ".",
              ParamValidators.inArray(JobFields.ACTIVATIONS.toArray(new String[0]))),
          new IntParam(uid, "epochs", "Passes over the training data (training.epochs).", ParamValidators.gtEq(1)),
          new IntParam(uid, "batchSize", "Examples per minibatch (training.batch_size).", ParamValidators.gtEq(1)),
          new Param<>(uid, "updater", "Optimiser (training.updater): sgd, nesterov, momentum, adam, rmsprop, adagrad.",
              ParamValidators.inArray(new String[] {"sgd", "nesterov", "momentum", "adam", "rmsprop", "adagrad"})),
          new DoubleParam(uid, "learningRate", "Learning rate (training.learning_rate).", ParamValidators.gt(0)),
          new Param<>(uid, "strategy", "How workers combine their updates (strategy.type): averaging, synchronous, sharing, auto.",
              ParamValidators.inArray(new String[] {"averaging", "synchronous", "sharing", "auto"})),
          new IntParam(uid, "workers", "Workers training in parallel (strategy.workers); 0: Spark's default parallelism.", ParamValidators.gtEq(0)),
          new LongParam(uid, "seed", "Seed for weight initialisation, splits and the strategies (seed)."),
          new DoubleParam(uid, "validationFraction",
              "Fraction of the rows held out for per-epoch validation metrics (data.split.validation); 0: train on all rows.",
              ParamValidators.inRange(0, 1, true, false)),
          new StringArrayParam(uid, "jobSettings",
              "Further job-file fields as path=value, as train --set takes them, e.g. strategy.averaging_frequency=2; applied last."));
    }
  }
}
