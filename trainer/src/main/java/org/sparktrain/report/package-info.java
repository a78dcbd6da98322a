/**
 * A finished run's report: {@code report.html} and PNG charts written beside {@code
 * metrics.jsonl} and {@code summary.json} in the run directory. It reads those two files only, so
 * it needs neither Spark nor the model.
 */
package org.sparktrain.report;
