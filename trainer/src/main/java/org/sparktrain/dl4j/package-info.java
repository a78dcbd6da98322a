/**
 * DL4J 1.0.0-M2 on Spark: every work-around of a DL4J behaviour, one class each, whose javadoc names
 * the behaviour ({@code docs/strategies.md}, section "DL4J workarounds", lists them), the check that
 * the DL4J on the class path is the version they were written for ({@link
 * org.sparktrain.dl4j.Dl4jVersion}), and {@link org.sparktrain.dl4j.BroadcastNetwork}, the one way
 * a network is sent to the executors. It holds no training strategy: package strategy uses it.
 */
package org.sparktrain.dl4j;
