/**
 * Side-by-side benchmarks: the same model and data trained by single-machine DL4J, each training
 * strategy and Spark MLlib in one invocation, with speed, accuracy, memory and traffic figures.
 * It measures; it does not change how training works.
 */
package org.sparktrain.bench;
