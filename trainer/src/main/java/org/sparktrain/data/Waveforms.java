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
 * the JDK, so that {@code java Waveforms.java} runs it from source before anything is built.
 */
public final class Waveforms {
  public static final List<String> CLASSES = List.of("sine", "square", "sawtooth", "triangle");

  private Waveforms() {}

  /**
   * Usage: {@code Waveforms OUT.csv [SEQUENCES] [SEED]}; defaults 4000 sequences and seed 7.
   */
  public static void main(String[] args) throws IOException {
    if (args.length < 1) {
      System.err.println("usage: Waveforms OUT.csv [SEQUENCES] [SEED]");
      System.exit(2);
    }
    int n = args.length > 1 ? Integer.parseInt(args[1]) : 4000;
    long seed = args.length > 2 ? Long.parseLong(args[2]) : 7L;
    write(Path.of(args[0]), n, seed);
  }

  /** Writes {@code sequences} sequences of 40 to 64 steps; classes take turns. */
  public static void write(Path out, int sequences, long seed) throws IOException {
    if (out.getParent() != null) {
      Files.createDirectories(out.getParent());
    }
    Random rnd = new Random(seed);
    try (BufferedWriter w = Files.newBufferedWriter(out)) {
      w.write("id,step,value,label\n");
      for (int s = 0; s < sequences; s++) {
        int cls = s % CLASSES.size();
        int length = 40 + rnd.nextInt(25);
        double cycles = 1.5 + 2.5 * rnd.nextDouble();
        double phase = rnd.nextDouble();
        double amplitude = 0.5 + rnd.nextDouble();
        double offset = rnd.nextGaussian() * 0.5;
        for (int t = 0; t < length; t++) {
          double x = (cycles * t / length + phase) % 1.0;
          double y = switch (cls) {
            case 0 -> Math.sin(2 * Math.PI * x);
            case 1 -> x < 0.5 ? 1.0 : -1.0;
            case 2 -> 2 * x - 1;
            default -> 1 - 4 * Math.abs(x - 0.5);
          };
          double value = offset + amplitude * y + 0.25 * rnd.nextGaussian();
          w.write(String.format(Locale.ROOT, "w%05d,%d,%.4f,%s%n", s, t, value, CLASSES.get(cls)));
        }
      }
    }
  }
}
