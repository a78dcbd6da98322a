package org.sparktrain.checkpoint;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** SHA-256 digests as lower-case hex, the form the manifest records. */
final class Sha256 {
  private Sha256() {}

  static MessageDigest digest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime provides SHA-256", e);
    }
  }

  /** The digest of {@code data}. */
  static String of(byte[] data) {
    return HexFormat.of().formatHex(digest().digest(data));
  }

  /** The digest of everything fed to {@code digest}, which is reset. */
  static String finish(MessageDigest digest) {
    return HexFormat.of().formatHex(digest.digest());
  }
}
