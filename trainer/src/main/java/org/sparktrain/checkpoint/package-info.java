/**
 * Checkpoints on any Hadoop filesystem: one directory per step, files committed by a manifest of
 * checksums written last, verification, retention and finding the newest good checkpoint to resume
 * from. Every read of a checkpoint's files goes through {@link
 * org.sparktrain.checkpoint.CheckpointStore}, which checks them against the manifest; the names are
 * {@link org.sparktrain.files.RunLayout}'s. It stores bytes and metadata only; it must not know how
 * a network or a training state is serialized, and it must never treat a failed write as success.
 */
package org.sparktrain.checkpoint;
