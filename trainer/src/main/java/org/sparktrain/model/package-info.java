/**
 * Translates the job file's layer list into DL4J network configurations. It knows nothing about
 * Spark or data files: sizes that depend on the data are passed in.
 */
package org.sparktrain.model;
