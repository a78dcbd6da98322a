package org.sparktrain.strategy;

import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.BarrierTaskContext;
import java.util.concurrent.TimeUnit;

/**
 * A weighted mean of float arrays among {@code P} peers (the tasks of one barrier stage) over plain
 * TCP, every peer connected to every other (for the 2-8 workers this strategy runs, P - 1
 * connections per peer are few). One call is a reduce-scatter followed by an all-gather: the array
 * is cut into P chunks, peer {@code c} owns chunk {@code c}, receives that chunk from every other
 * peer, sums it over the peers <em>in rank order</em> and sends the mean back to all. Each peer
 * sends and receives {@code 2 (P - 1) / P} of the array per call, as in a ring, in two steps
 * instead of {@code 2 (P - 1)}.
 *
 * <p>The sum of every element runs over ranks 0, 1, ..., P - 1 whatever the chunking, so the
 * result is bit for bit that of {@link #combine} over the whole arrays in one process: the
 * strategy's per-round fallback and its tests compute the same numbers.
 *
 * <p>Every operation has a deadline: connecting, waiting for peers to connect, and each exchange.
 * A peer that is dead (its connection closes) or silent past the time-out fails the call with an
 * {@link IOException} that names it, so a barrier stage fails instead of hanging. Connections
 * carry a token that the driver hands every task of the stage; a connection without it is dropped.
 */
final class AllReduce implements AutoCloseable {
  /** Phase headers: weight (double) and minibatches fitted (int); then the mean's total weight and most minibatches. */
  private static final int HEADER = 8 + 4;
  private static final int HELLO = 4 + 8;
  private static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;

  private final int rank;
  private final int peers;
  private final long timeoutNanos;
  private final SocketChannel[] channels;
  private final Selector selector;
  private final ByteBuffer[] out;
  private final ByteBuffer[] in;
  private float[][] chunks = new float[0][];
  private long exchanges;

  /** What one call agreed on: the total weight and the most minibatches any peer fitted. */
  record Round(double totalWeight, int maxFitted) {}

  private AllReduce(int rank, int peers, SocketChannel[] channels, long timeoutNanos) throws IOException {
    this.rank = rank;
    this.peers = peers;
    this.channels = channels;
    this.timeoutNanos = timeoutNanos;
    this.selector = Selector.open();
    this.out = new ByteBuffer[peers];
    this.in = new ByteBuffer[peers];
    for (int p = 0; p < peers; p++) {
      if (p != rank) {
        channels[p].configureBlocking(false);
        channels[p].register(selector, 0, p);
      }
    }
  }

  /** This peer's listening socket on {@code host}, at a port the system picks. */
  static ServerSocketChannel listen(String host) throws IOException {
    ServerSocketChannel server = ServerSocketChannel.open();
    server.bind(new InetSocketAddress(host, 0), 64);
    return server;
  }

  /** {@code host:port} of a listening socket, as other peers connect to it. */
  static String address(String host, ServerSocketChannel server) throws IOException {
    return host + ":" + ((InetSocketAddress) server.getLocalAddress()).getPort();
  }

  static InetSocketAddress parse(String address) {
    int colon = address.lastIndexOf(':');
    return new InetSocketAddress(address.substring(0, colon), Integer.parseInt(address.substring(colon + 1)));
  }

  /**
   * Joins the other tasks of a barrier stage: listens on {@code host} (this task's executor
   * address), exchanges addresses with {@link BarrierTaskContext#allGather} (through {@link BarrierGather}, without
   * Spark's one-second poll), then connects as
   * {@link #connect} does.
   */
  static AllReduce join(BarrierTaskContext tc, String host, long token, long timeoutMillis) throws IOException {
    ServerSocketChannel server = listen(host);
    String[] addresses;
    try {
      addresses = BarrierGather.allGather(tc, address(host, server));
    } catch (RuntimeException e) {
      server.close();
      throw e;
    }
    return connect(tc.partitionId(), List.of(addresses), server, token, timeoutMillis);
  }

  /**
   * Connects peer {@code rank} to every other: it dials each lower rank and accepts each higher
   * one on {@code server} (which it closes). {@code addresses} are every peer's, in rank order.
   */
  static AllReduce connect(int rank, List<String> addresses, ServerSocketChannel server, long token, long timeoutMillis)
      throws IOException {
    int peers = addresses.size();
    long timeoutNanos = TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    long deadline = System.nanoTime() + timeoutNanos;
    SocketChannel[] channels = new SocketChannel[peers];
    boolean done = false;
    try {
      for (int p = 0; p < rank; p++) {
        SocketChannel ch = SocketChannel.open();
        channels[p] = ch;
        int left = (int) Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
        try {
          ch.socket().connect(parse(addresses.get(p)), left);
        } catch (IOException e) {
          throw new IOException("peer " + rank + " could not connect to peer " + p + " at " + addresses.get(p) + ": " + e, e);
        }
        tune(ch);
        ByteBuffer hello = ByteBuffer.allocate(HELLO).order(ORDER).putInt(rank).putLong(token);
        hello.flip();
        while (hello.hasRemaining()) {
          ch.write(hello);
        }
      }
      acceptHigher(rank, peers, server, token, channels, deadline, timeoutMillis);
      AllReduce r = new AllReduce(rank, peers, channels, timeoutNanos);
      done = true;
      return r;
    } finally {
      server.close();
      if (!done) {
        for (SocketChannel ch : channels) {
          if (ch != null) {
            ch.close();
          }
        }
      }
    }
  }

  private static void acceptHigher(
      int rank, int peers, ServerSocketChannel server, long token, SocketChannel[] channels, long deadline, long timeoutMillis)
      throws IOException {
    int expected = peers - 1 - rank;
    if (expected == 0) {
      return;
    }
    server.configureBlocking(false);
    try (Selector sel = Selector.open()) {
      server.register(sel, SelectionKey.OP_ACCEPT);
      int joined = 0;
      while (joined < expected) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          List<Integer> missing = new ArrayList<>();
          for (int p = rank + 1; p < peers; p++) {
            if (channels[p] == null) {
              missing.add(p);
            }
          }
          throw new SocketTimeoutException(
              "peer " + rank + ": peers " + missing + " did not connect within " + timeoutMillis + " ms");
        }
        sel.select(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
        if (Thread.currentThread().isInterrupted()) {
          throw new java.io.InterruptedIOException("peer " + rank + ": interrupted while waiting for peers to connect");
        }
        Iterator<SelectionKey> keys = sel.selectedKeys().iterator();
        while (keys.hasNext()) {
          SelectionKey key = keys.next();
          keys.remove();
          if (key.isAcceptable()) {
            SocketChannel ch = server.accept();
            if (ch != null) {
              ch.configureBlocking(false);
              ch.register(sel, SelectionKey.OP_READ, ByteBuffer.allocate(HELLO).order(ORDER));
            }
          } else if (key.isReadable()) {
            SocketChannel ch = (SocketChannel) key.channel();
            ByteBuffer hello = (ByteBuffer) key.attachment();
            if (ch.read(hello) < 0) {
              key.cancel();
              ch.close();
              continue;
            }
            if (!hello.hasRemaining()) {
              key.cancel();
              hello.flip();
              int from = hello.getInt();
              long theirs = hello.getLong();
              if (theirs != token || from <= rank || from >= peers || channels[from] != null) {
                // Not a peer of this stage (or a duplicate): drop it and keep waiting.
                ch.close();
                continue;
              }
              tune(ch);
              channels[from] = ch;
              joined++;
            }
          }
        }
      }
    }
  }

  private static void tune(SocketChannel ch) throws IOException {
    ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
    ch.setOption(StandardSocketOptions.SO_SNDBUF, 4 << 20);
    ch.setOption(StandardSocketOptions.SO_RCVBUF, 4 << 20);
  }

  private static int lo(int n, int peers, int c) {
    return (int) ((long) n * c / peers);
  }

  /**
   * Replaces {@code data} on every peer by the weighted mean of all peers' {@code data} (the same
   * length everywhere): sum over ranks in order of {@code weight * data}, times {@code 1 / total
   * weight}. A weight of 0 leaves a peer's values out (it fitted nothing this round). Returns the
   * total weight and the most minibatches fitted ({@code fitted}) by any peer.
   */
  Round average(float[] data, double weight, int fitted) throws IOException {
    int n = data.length;
    if (peers == 1) {
      float[][] one = {data};
      combine(one, new int[] {0}, new double[] {weight}, data, 0, n);
      return new Round(weight, fitted);
    }
    int maxChunk = n / peers + 1;
    ensureBuffers(maxChunk);
    int myLo = lo(n, peers, rank);
    int myLen = lo(n, peers, rank + 1) - myLo;
    // Reduce-scatter: chunk c to its owner c; chunk `rank` from everyone.
    for (int p = 0; p < peers; p++) {
      if (p == rank) {
        continue;
      }
      int plo = lo(n, peers, p);
      stage(p, weight, fitted, data, plo, lo(n, peers, p + 1) - plo, myLen);
    }
    exchange("reduce-scatter");
    double[] weights = new double[peers];
    int[] offsets = new int[peers];
    int maxFitted = fitted;
    for (int p = 0; p < peers; p++) {
      if (p == rank) {
        weights[p] = weight;
        chunks[p] = data;
        offsets[p] = myLo;
        continue;
      }
      ByteBuffer b = in[p];
      b.flip();
      weights[p] = b.getDouble();
      maxFitted = Math.max(maxFitted, b.getInt());
      if (chunks[p] == null || chunks[p].length < maxChunk) {
        chunks[p] = new float[maxChunk];
      }
      b.asFloatBuffer().get(chunks[p], 0, myLen);
      offsets[p] = 0;
    }
    combine(chunks, offsets, weights, data, myLo, myLen);
    double total = 0;
    for (double w : weights) {
      total += w;
    }
    // All-gather: my mean chunk to everyone; chunk c from its owner c.
    for (int p = 0; p < peers; p++) {
      if (p == rank) {
        continue;
      }
      stage(p, total, maxFitted, data, myLo, myLen, lo(n, peers, p + 1) - lo(n, peers, p));
    }
    exchange("all-gather");
    for (int p = 0; p < peers; p++) {
      if (p == rank) {
        continue;
      }
      int plo = lo(n, peers, p);
      int plen = lo(n, peers, p + 1) - plo;
      ByteBuffer b = in[p];
      b.flip();
      b.getDouble();
      maxFitted = Math.max(maxFitted, b.getInt());
      b.asFloatBuffer().get(data, plo, plen);
    }
    chunks[rank] = null;
    return new Round(total, maxFitted);
  }

  private void ensureBuffers(int maxChunk) {
    int bytes = HEADER + 4 * maxChunk;
    if (chunks.length != peers) {
      chunks = new float[peers][];
    }
    for (int p = 0; p < peers; p++) {
      if (p != rank && (out[p] == null || out[p].capacity() < bytes)) {
        out[p] = ByteBuffer.allocateDirect(bytes).order(ORDER);
        in[p] = ByteBuffer.allocateDirect(bytes).order(ORDER);
      }
    }
  }

  /**
   * Readies the exchange with peer {@code p}: sends the header ({@code head}, {@code count}) and
   * {@code len} floats of {@code data} from {@code from}; receives a header and {@code expect} floats.
   */
  private void stage(int p, double head, int count, float[] data, int from, int len, int expect) {
    ByteBuffer b = out[p];
    b.clear();
    b.putDouble(head).putInt(count);
    b.asFloatBuffer().put(data, from, len);
    b.position(HEADER + 4 * len);
    b.flip();
    in[p].clear();
    in[p].limit(HEADER + 4 * expect);
  }

  /** Sends every {@code out[p]} and fills every {@code in[p]} at once, within the time-out. */
  private void exchange(String step) throws IOException {
    exchanges++;
    long deadline = System.nanoTime() + timeoutNanos;
    int open = 0;
    for (int p = 0; p < peers; p++) {
      if (p == rank) {
        continue;
      }
      int ops = (out[p].hasRemaining() ? SelectionKey.OP_WRITE : 0) | (in[p].hasRemaining() ? SelectionKey.OP_READ : 0);
      channels[p].keyFor(selector).interestOps(ops);
      if (ops != 0) {
        open++;
      }
    }
    while (open > 0) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        List<Integer> waiting = new ArrayList<>();
        for (int p = 0; p < peers; p++) {
          if (p != rank && channels[p].keyFor(selector).interestOps() != 0) {
            waiting.add(p);
          }
        }
        throw new SocketTimeoutException(
            "peer " + rank + ", " + step + " " + exchanges + ": no complete exchange with peers " + waiting + " within "
                + TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + " ms");
      }
      selector.select(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
      interrupted(step);
      Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
      while (keys.hasNext()) {
        SelectionKey key = keys.next();
        keys.remove();
        int p = (Integer) key.attachment();
        if (key.isWritable()) {
          channels[p].write(out[p]);
          if (!out[p].hasRemaining()) {
            key.interestOps(key.interestOps() & ~SelectionKey.OP_WRITE);
          }
        }
        if (key.isReadable()) {
          if (channels[p].read(in[p]) < 0) {
            throw new EOFException(
                "peer " + rank + ", " + step + " " + exchanges + ": peer " + p + " closed its connection (its task failed or its executor was lost)");
          }
          if (!in[p].hasRemaining()) {
            key.interestOps(key.interestOps() & ~SelectionKey.OP_READ);
          }
        }
        if (key.interestOps() == 0) {
          open--;
        }
      }
    }
  }

  /** A cancelled task's thread is interrupted: a select then returns at once, so stop instead of spinning. */
  private void interrupted(String step) throws java.io.InterruptedIOException {
    if (Thread.currentThread().isInterrupted()) {
      throw new java.io.InterruptedIOException("peer " + rank + ", " + step + " " + exchanges + ": interrupted (the task was cancelled)");
    }
  }

  /**
   * The weighted mean of {@code len} elements of each source (source {@code k} from {@code
   * offsets[k]}) into {@code out} from {@code outOffset}: for every element, {@code sum_k w_k x_k}
   * summed over k = 0, 1, ... in order (sources of weight 0 left out), times {@code (float) (1 /
   * sum_k w_k)}. With no weight at all, {@code out} is left as it is.
   */
  static void combine(float[][] sources, int[] offsets, double[] weights, float[] out, int outOffset, int len) {
    double total = 0;
    for (double w : weights) {
      total += w;
    }
    if (total <= 0) {
      return;
    }
    float[] acc = new float[len];
    for (int k = 0; k < sources.length; k++) {
      if (weights[k] == 0) {
        continue;
      }
      float w = (float) weights[k];
      float[] src = sources[k];
      int off = offsets[k];
      for (int i = 0; i < len; i++) {
        acc[i] += w * src[off + i];
      }
    }
    float scale = (float) (1.0 / total);
    for (int i = 0; i < len; i++) {
      out[outOffset + i] = acc[i] * scale;
    }
  }

  @Override
  public void close() throws IOException {
    IOException first = null;
    for (SocketChannel ch : channels) {
      if (ch != null) {
        try {
          ch.close();
        } catch (IOException e) {
          if (first == null) {
            first = e;
          } else {
            first.addSuppressed(e);
          }
        }
      }
    }
    selector.close();
    if (first != null) {
      throw first;
    }
  }
}
