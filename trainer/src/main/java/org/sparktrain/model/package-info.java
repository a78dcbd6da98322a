/**
 * Translates the job file's layer list into DL4J network configurations, imports Keras models and
 * reads trained ones (model.zip, and checkpoints through checkpoint.CheckpointStore's verified
 * reads) with the fitted feature pipeline of package data that their inputs were made with. It
 * knows nothing about Spark or data files: sizes that depend on the data are passed in. Package
 * data must not depend on it.
 */
package org.sparktrain.model;
