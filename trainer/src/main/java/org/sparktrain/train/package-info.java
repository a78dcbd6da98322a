/**
 * A training run from prepared data to saved outputs, as named phases: it wires data, model,
 * strategy and evaluation together and manages the run's output directory (laid out as {@link
 * org.sparktrain.files.RunLayout} names it). It holds no training algorithm of its own.
 */
package org.sparktrain.train;
