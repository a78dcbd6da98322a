/**
 * Spark ML wrappers of the training API: estimators and models with MLlib's params, output
 * columns and persistence, so Pipelines, evaluators and CrossValidator use them unchanged. They
 * train through {@link org.sparktrain.api.TrainingJob} and hold no training logic of their own.
 */
package org.sparktrain.ml;
