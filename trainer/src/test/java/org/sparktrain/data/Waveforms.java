package org.sparktrain.data;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Writes a labelled sequence dataset: noisy sine, square, sawtooth and triangle waves, one row per
 * time step ({@code id,step,value,label}). Each sequence draws its own length, frequency, phase,
 * amplitude and offset, so only the wave's shape tells the class: a fair test for sequence models
 * that no single statistic of the values solves. Deterministic for a seed. Depends on nothing but
 * the JDK, so that {@code java Waveforms.java} runs it from source before anything is built
 * ({@code deploy/fetch-data.sh}); it lives with the tests, which use it too, and is not in the
 * trainer jar.
 */
public final class Waveforms {
  public static final List<String> CLASSES = List.of("sine", "square", "sawtooth", "triangle");

  private Waveforms() {}

  /**
   * Usage: {@code Waveforms OUT.csv [SEQUENCES] [SEED]}, or {@code Waveforms --per-file DIR
   * [SEQUENCES] [SEED]} for one file per sequence; defaults 4000 sequences and seed 7.
   */
  public static void main(String[] args) throws IOException {
    boolean perFile = args.length > 0 && args[0].equals("--per-file");
    int a = perFile ? 1 : 0;
    if (args.length < a + 1) {
      System.err.println("usage: Waveforms OUT.csv [SEQUENCES] [SEED]  |  Waveforms --per-file DIR [SEQUENCES] [SEED]");
      System.exit(2);
    }
    int n = args.length > a + 1 ? Integer.parseInt(args[a + 1]) : 4000;
    long seed = args.length > a + 2 ? Long.parseLong(args[a + 2]) : 7L;
    if (perFile) {
      writeFiles(Path.of(args[a]), n, seed);
    } else {
      write(Path.of(args[a]), n, seed);
    }
  }

  /** Writes {@code sequences} sequences of 40 to 64 steps, one row per step; classes take turns. */
  public static void write(Path out, int sequences, long seed) throws IOException {
    if (out.getParent() != null) {
      Files.createDirectories(out.getParent());
    }
    Random rnd = new Random(seed);
    try (BufferedWriter w = Files.newBufferedWriter(out)) {
      w.write("id,step,value,label\n");
      for (int s = 0; s < sequences; s++) {
        double[] values = wave(rnd, s % CLASSES.size());
        for (int t = 0; t < values.length; t++) {
          w.write(String.format(Locale.ROOT, "w%05d,%d,%.4f,%s%n", s, t, values[t], CLASSES.get(s % CLASSES.size())));
        }
      }
    }
  }

  /**
   * The same sequences as {@link #write} for the same seed, one file each: {@code DIR/wNNNNN.csv}
   * with the columns {@code value,label} and the steps in order.
   */
  public static void writeFiles(Path dir, int sequences, long seed) throws IOException {
    Files.createDirectories(dir);
    Random rnd = new Random(seed);
    for (int s = 0; s < sequences; s++) {
      double[] values = wave(rnd, s % CLASSES.size());
      try (BufferedWriter w = Files.newBufferedWriter(dir.resolve(String.format(Locale.ROOT, "w%05d.csv", s)))) {
        w.write("value,label\n");
        for (double v : values) {
          w.write(String.format(Locale.ROOT, "%.4f,%s%n", v, CLASSES.get(s % CLASSES.size())));
        }
      }
    }
  }

  /** One noisy wave of class {@code cls}: its own length, frequency, phase, amplitude and offset. */
  private static double[] wave(Random rnd, int cls) {
    int length = 40 + rnd.nextInt(25);
    double cycles = 1.5 + 2.5 * rnd.nextDouble();
    double phase = rnd.nextDouble();
    double amplitude = 0.5 + rnd.nextDouble();
    double offset = rnd.nextGaussian() * 0.5;
    double[] values = new double[length];
    for (int t = 0; t < length; t++) {
      double x = (cycles * t / length + phase) % 1.0;
      double y = switch (cls) {
        case 0 -> Math.sin(2 * Math.PI * x);
        case 1 -> x < 0.5 ? 1.0 : -1.0;
        case 2 -> 2 * x - 1;
        default -> 1 - 4 * Math.abs(x - 0.5);
      };
      values[t] = offset + amplitude * y + 0.25 * rnd.nextGaussian();
    }
    return values;
  }
}
