/**
 * A finished run's report: {@code report.html} and PNG charts written beside {@code
 * metrics.jsonl} and {@code summary.json} in the run directory (names from {@link
 * org.sparktrain.files.RunLayout}). It reads those two files only, so it needs neither Spark, the
 * model nor the training run.
 */
package org.sparktrain.report;
