package org.sparktrain.checkpoint;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bounded retries of filesystem calls with a doubling pause. A missing file or corrupt stored data
 * is an answer, not a transient failure, so it is never retried (HDFS's client has already tried
 * every replica by then).
 */
final class Retry {
  static final Retry DEFAULT = new Retry(3, Duration.ofMillis(200));
  private static final Logger LOG = LoggerFactory.getLogger(Retry.class);

  private final int attempts;
  private final Duration firstPause;

  Retry(int attempts, Duration firstPause) {
    if (attempts < 1) {
      throw new IllegalArgumentException("attempts must be >= 1, got " + attempts);
    }
    this.attempts = attempts;
    this.firstPause = firstPause;
  }

  /** A filesystem call. */
  @FunctionalInterface
  interface IoCall<T> {
    T call() throws IOException;
  }

  /** The call's result; the last failure, with earlier ones suppressed, once attempts run out. */
  <T> T run(String what, IoCall<T> call) throws IOException {
    IOException failure = null;
    long pause = firstPause.toMillis();
    for (int attempt = 1; ; attempt++) {
      try {
        return call.call();
      } catch (IOException e) {
        failure = chain(e, failure);
        if (attempt == attempts || e instanceof FileNotFoundException || IoErrors.isDamage(e)) {
          throw failure;
        }
        LOG.warn(
            "{}: attempt {} of {} failed, retrying in {} ms: {}",
            what,
            attempt,
            attempts,
            pause,
            IoErrors.describe(e));
      }
      try {
        Thread.sleep(pause);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        InterruptedIOException interrupted =
            new InterruptedIOException("interrupted while waiting to retry " + what);
        interrupted.addSuppressed(failure);
        throw interrupted;
      }
      pause *= 2;
    }
  }

  private static IOException chain(IOException latest, IOException earlier) {
    if (earlier != null && earlier != latest) {
      latest.addSuppressed(earlier);
    }
    return latest;
  }
}
