/**
 * Training strategies behind one interface: parameter averaging and gradient sharing over DL4J's
 * TrainingMasters. A strategy trains; it does not read data, evaluate or write checkpoints.
 */
package org.sparktrain.strategy;
