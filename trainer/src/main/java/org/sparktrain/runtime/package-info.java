/**
 * SparkSession and JVM set-up: master defaults, Kryo with the ND4J registrator, Java 17 options,
 * Aeron timeouts, logging levels. It must only fill in settings the user or spark-submit left
 * unset, never override them.
 */
package org.sparktrain.runtime;
