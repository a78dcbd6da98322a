package org.sparktrain.checkpoint;

import java.io.IOException;
import org.apache.hadoop.fs.Path;

/** Points where a save can be made to fail, so that tests can show what a failure leaves behind. */
interface Faults {
  Faults NONE = new Faults() {};

  /** Called before {@code target} is written under its temporary name. */
  default void beforeWrite(Path target) throws IOException {}

  /** Called after the temporary file has been renamed to {@code target}. */
  default void afterRename(Path target) throws IOException {}
}
