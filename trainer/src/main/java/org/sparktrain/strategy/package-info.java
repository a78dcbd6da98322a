/**
 * Training strategies behind one interface: parameter averaging and gradient sharing over DL4J's
 * TrainingMasters, synchronous averaging on Spark primitives, and auto, which picks the latter's
 * knobs from a measured probe. A strategy trains; it does not read data, evaluate or write
 * checkpoints.
 */
package org.sparktrain.strategy;
