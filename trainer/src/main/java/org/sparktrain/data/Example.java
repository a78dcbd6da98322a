package org.sparktrain.data;

import java.io.Serializable;

/** One featurized example inside a partition. */
record Example(float[] features, float[] label) implements Serializable {}
