package org.sparktrain.ml;

import org.apache.spark.ml.util.Identifiable$;

/**
 * Hands a uid to a Java subclass of an MLlib class before the superclass constructor runs: MLlib's
 * traits create their Params (featuresCol, ...) in that constructor and ask for {@code uid()},
 * which a Java field cannot answer yet (Scala assigns constructor vals before calling super).
 */
final class Uids {
  private static final ThreadLocal<String> PENDING = new ThreadLocal<>();

  private Uids() {}

  /** Marks that the constructor about to run takes {@code uid} (null: a random one). */
  enum Pending {
    INSTANCE
  }

  static Pending pending(String uid) {
    PENDING.set(uid);
    return Pending.INSTANCE;
  }

  /** The pending uid, or a new random one with {@code prefix}. */
  static String take(String prefix) {
    String uid = PENDING.get();
    PENDING.remove();
    return uid != null ? uid : Identifiable$.MODULE$.randomUID(prefix);
  }
}
