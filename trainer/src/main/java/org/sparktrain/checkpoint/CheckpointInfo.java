package org.sparktrain.checkpoint;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One checkpoint directory as listed.
 *
 * @param step the training step the directory is named after
 * @param path the directory's fully qualified URI
 * @param committed whether it holds a readable manifest (only committed checkpoints are read)
 * @param epoch the manifest's epoch, -1 when absent or not committed
 * @param iteration the manifest's iteration, -1 when absent or not committed
 * @param metrics the manifest's metrics, empty when absent or not committed
 * @param sizeBytes the sum of the checkpoint's file sizes (for an uncommitted one, of what is
 *     there)
 * @param time the manifest's created_at, or the directory's modification time when not committed
 * @param problem why the manifest cannot be used, or null
 */
public record CheckpointInfo(
    long step,
    String path,
    boolean committed,
    int epoch,
    long iteration,
    Map<String, Object> metrics,
    long sizeBytes,
    Instant time,
    String problem) {

  public CheckpointInfo {
    metrics = Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
  }
}
