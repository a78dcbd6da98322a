/**
 * The library entry point for Spark applications: a {@link org.sparktrain.api.TrainingJob} built
 * from YAML or code, {@code fit} on the caller's DataFrame and SparkSession, and a
 * {@link org.sparktrain.api.TrainedModel} that saves, loads and scores. It never stops the caller's
 * session; the training itself is the CLI's {@code train}, unchanged.
 */
package org.sparktrain.api;
