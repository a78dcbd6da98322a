package org.sparktrain.checkpoint;

import java.io.IOException;
import org.apache.hadoop.fs.ChecksumException;
import org.apache.hadoop.hdfs.BlockMissingException;

/** How filesystem failures are told apart and shown. */
final class IoErrors {
  private IoErrors() {}

  /** Failures that mean the stored bytes are corrupt or lost, rather than out of reach. */
  static boolean isDamage(IOException e) {
    return e instanceof ChecksumException || e instanceof BlockMissingException;
  }

  /**
   * The failure's type and the first line of its message. An exception unwrapped from an HDFS
   * remote call carries the NameNode's whole stack trace in its message; the cause keeps it.
   */
  static String describe(Throwable e) {
    String message = e.getMessage();
    if (message == null) {
      return e.getClass().getName();
    }
    int nl = message.indexOf('\n');
    return e.getClass().getName() + ": " + (nl < 0 ? message : message.substring(0, nl).strip());
  }
}
