/**
 * The files of a run, shared by every package that writes or reads them: {@link
 * org.sparktrain.files.RunLayout}, the one list of the names in a run directory and in a
 * checkpoint; {@link org.sparktrain.files.AtomicFiles}, whole-file replacement on any Hadoop
 * filesystem; {@link org.sparktrain.files.Json}, the project's JSON mapper; and the crash tests'
 * {@link org.sparktrain.files.PausePoints}. It is a package of its own so that checkpoint, model,
 * train, report, api and cli can all use it without depending on each other (which made package
 * cycles while these lived in checkpoint and model); it depends on no other package of the project
 * and never reads a checkpoint's files itself (checkpoint.CheckpointStore does, verified).
 */
package org.sparktrain.files;
