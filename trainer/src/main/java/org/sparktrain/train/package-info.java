/**
 * A training run from prepared data to saved outputs, as named phases: it wires data, model,
 * strategy and evaluation together and owns the run's output directory. It holds no training
 * algorithm of its own.
 */
package org.sparktrain.train;
