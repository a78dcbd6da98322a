/**
 * Training strategies behind one interface: parameter averaging and gradient sharing over DL4J's
 * TrainingMasters, synchronous averaging on Spark primitives, and auto, which picks the latter's
 * knobs from a measured probe. A strategy trains; it does not read data or write checkpoints,
 * and evaluates only where its workers hold each epoch's final network (synchronous: validation
 * along with the epoch's stage, scored by a {@link org.sparktrain.strategy.ValidationScorer} the
 * caller passes).
 */
package org.sparktrain.strategy;
