/**
 * Data sources (CSV, Parquet, IDX over any Hadoop filesystem), the feature pipeline fitted on the
 * training split, and minibatch RDDs built inside partitions. It never collects a dataset to the
 * driver: only pipeline statistics and distinct category values come back.
 */
package org.sparktrain.data;
