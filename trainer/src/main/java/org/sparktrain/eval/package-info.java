/**
 * Metrics computed where the data lives (counters merged on the driver), and run summaries. It
 * never collects predictions or rows to the driver.
 */
package org.sparktrain.eval;
