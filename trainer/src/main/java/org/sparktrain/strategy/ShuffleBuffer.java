package org.sparktrain.strategy;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Random;

/**
 * A seeded, bounded shuffle of a stream: the first {@code capacity} items fill a buffer; every
 * later item takes the place of one drawn at random from it, which is emitted; at the end the
 * rest come out in random order. At most {@code capacity} items are held, so a worker streams its
 * partition instead of holding it; for the same input order and seed the output order is always
 * the same. A capacity of at least the partition's size is a full uniform shuffle.
 */
final class ShuffleBuffer<T> implements Iterator<T> {
  private final Iterator<T> in;
  private final int capacity;
  private final Random random;
  private final List<T> buffer;

  ShuffleBuffer(Iterator<T> in, int capacity, long seed) {
    this.in = in;
    this.capacity = Math.max(1, capacity);
    this.random = new Random(seed);
    this.buffer = new ArrayList<>(Math.min(this.capacity, 1024));
  }

  /**
   * The seed of a worker's order in an epoch, from the job's seed, the epoch and the partition
   * (as the order of the earlier list-based layout was drawn).
   */
  static long seed(long jobSeed, int epoch, int partition) {
    return Dl4jMasterStrategy.epochSeed(jobSeed, epoch) * 31 + partition;
  }

  /** The order {@code items} come out of a buffer of {@code capacity} with this seed (for tests). */
  static <T> List<T> order(List<T> items, int capacity, long seed) {
    List<T> out = new ArrayList<>(items.size());
    new ShuffleBuffer<>(items.iterator(), capacity, seed).forEachRemaining(out::add);
    return out;
  }

  @Override
  public boolean hasNext() {
    return !buffer.isEmpty() || in.hasNext();
  }

  @Override
  public T next() {
    while (buffer.size() < capacity && in.hasNext()) {
      buffer.add(in.next());
    }
    if (buffer.isEmpty()) {
      throw new NoSuchElementException();
    }
    int i = random.nextInt(buffer.size());
    T pick = buffer.get(i);
    if (in.hasNext()) {
      buffer.set(i, in.next());
    } else {
      int last = buffer.size() - 1;
      buffer.set(i, buffer.get(last));
      buffer.remove(last);
    }
    return pick;
  }
}
