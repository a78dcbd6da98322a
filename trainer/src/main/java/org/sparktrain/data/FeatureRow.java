package org.sparktrain.data;

import java.io.Serializable;

/** One row to score: its key columns as text and its features. */
public record FeatureRow(String[] keys, float[] features) implements Serializable {}
