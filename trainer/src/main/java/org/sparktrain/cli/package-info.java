/**
 * The command line: train, validate, evaluate, predict, checkpoints. Commands parse options and call the other
 * packages; {@link org.sparktrain.cli.Main} is the only place that exits, and {@link
 * org.sparktrain.cli.ExitCodes} the only place that chooses an exit code.
 */
package org.sparktrain.cli;
