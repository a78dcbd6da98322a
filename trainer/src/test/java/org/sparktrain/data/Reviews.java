package org.sparktrain.data;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

/**
 * Writes short synthetic product reviews labelled positive or negative ({@code id,review,label}).
 * A review names a product part and gives one opinion, an adjective from a positive or a negative
 * list, negated ("not good", "not really bad") in {@link #NEGATED} of the reviews, among neutral
 * words; a second clause adds a neutral remark. The label is the opinion's polarity, flipped by
 * the negation. Sentiment words occur in both classes, and "not" occurs in both classes and also in
 * neutral remarks ("the box was not blue"), so a model that ignores word order (a bag of words)
 * cannot always tell whether "not" negates the opinion; to be right it must read "not" just before
 * the adjective (the order of the words). Deterministic for a
 * seed. Depends on nothing but the JDK, so that {@code java Reviews.java} runs it from source
 * ({@code deploy/fetch-data.sh}); it lives with the tests, which use it too, and is not in the
 * trainer jar.
 */
public final class Reviews {
  /** Fraction of reviews whose opinion is negated. */
  public static final double NEGATED = 0.3;

  static final List<String> POSITIVE =
      List.of("good", "great", "excellent", "fine", "solid", "reliable", "nice", "perfect", "superb", "decent");
  static final List<String> NEGATIVE =
      List.of("bad", "poor", "awful", "terrible", "flimsy", "useless", "broken", "cheap", "weak", "disappointing");
  static final List<String> PARTS =
      List.of("battery", "screen", "case", "charger", "keyboard", "speaker", "camera", "strap", "lid", "handle", "price", "manual");
  static final List<String> OPENERS =
      List.of("", "", "i think", "honestly", "overall", "after a week", "so far", "in my opinion");
  static final List<String> INTENSIFIERS = List.of("", "", "", "really", "very", "quite", "truly");
  static final List<String> REMARKS =
      List.of("", "", "it arrived on monday", "the box was blue", "i use it at work", "my sister has one too",
          "delivery took three days", "it came with a cable", "i bought it online", "the colour is grey",
          "the box was not blue", "it did not come with a cable", "i did not buy it online", "my sister does not have one");

  private Reviews() {}

  /** Usage: {@code Reviews OUT.csv [REVIEWS] [SEED]}; defaults 6000 reviews and seed 5. */
  public static void main(String[] args) throws IOException {
    if (args.length < 1) {
      System.err.println("usage: Reviews OUT.csv [REVIEWS] [SEED]");
      System.exit(2);
    }
    int n = args.length > 1 ? Integer.parseInt(args[1]) : 6000;
    long seed = args.length > 2 ? Long.parseLong(args[2]) : 5L;
    write(Path.of(args[0]), n, seed);
  }

  /** Writes {@code reviews} reviews; the two classes take turns. */
  public static void write(Path out, int reviews, long seed) throws IOException {
    if (out.getParent() != null) {
      Files.createDirectories(out.getParent());
    }
    Random rnd = new Random(seed);
    try (BufferedWriter w = Files.newBufferedWriter(out)) {
      w.write("id,review,label\n");
      for (int i = 0; i < reviews; i++) {
        boolean positive = i % 2 == 0;
        boolean negated = rnd.nextDouble() < NEGATED;
        boolean positiveWord = positive != negated;
        String adjective = pick(rnd, positiveWord ? POSITIVE : NEGATIVE);
        StringBuilder s = new StringBuilder();
        append(s, pick(rnd, OPENERS));
        append(s, "the " + pick(rnd, PARTS) + (rnd.nextBoolean() ? " is" : " was"));
        if (negated) {
          append(s, "not");
        }
        append(s, pick(rnd, INTENSIFIERS));
        append(s, adjective);
        String remark = pick(rnd, REMARKS);
        if (!remark.isEmpty()) {
          append(s, "and " + remark);
        }
        w.write("r" + String.format("%05d", i) + "," + s + "," + (positive ? "positive" : "negative") + "\n");
      }
    }
  }

  private static String pick(Random rnd, List<String> words) {
    return words.get(rnd.nextInt(words.size()));
  }

  private static void append(StringBuilder s, String words) {
    if (!words.isEmpty()) {
      if (s.length() > 0) {
        s.append(' ');
      }
      s.append(words);
    }
  }
}
