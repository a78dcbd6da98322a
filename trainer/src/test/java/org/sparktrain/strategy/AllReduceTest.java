package org.sparktrain.strategy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.EOFException;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.channels.ServerSocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The all-reduce of the synchronous strategy between peers on threads of one JVM, over real
 * loopback sockets: unequal weights give the weighted mean, summed in rank order, on every peer
 * bit for bit; a peer that never connects or dies fails the others with its rank named, in time.
 */
class AllReduceTest {
  private final ExecutorService pool = Executors.newCachedThreadPool();

  @AfterEach
  void stop() {
    pool.shutdownNow();
  }

  /** Listening sockets of {@code n} peers on the loopback address, and their addresses. */
  private static List<ServerSocketChannel> servers(int n, List<String> addresses) throws IOException {
    List<ServerSocketChannel> servers = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      ServerSocketChannel s = AllReduce.listen("127.0.0.1");
      servers.add(s);
      addresses.add(AllReduce.address("127.0.0.1", s));
    }
    return servers;
  }

  /** The weighted mean as one process computes it: sum over ranks in order, then the scale. */
  private static float[] expected(float[][] data, double[] weights) {
    double total = 0;
    for (double w : weights) {
      total += w;
    }
    float[] out = new float[data[0].length];
    for (int i = 0; i < out.length; i++) {
      float acc = 0f;
      for (int k = 0; k < data.length; k++) {
        if (weights[k] != 0) {
          acc += (float) weights[k] * data[k][i];
        }
      }
      out[i] = acc * (float) (1.0 / total);
    }
    return out;
  }

  @Test
  void threePeersUnequalWeightsAgreeOnTheWeightedMean() throws Exception {
    double[] weights = {1, 2, 0};
    int[] fitted = {3, 5, 0};
    // 11 elements: chunks of 3, 4 and 4; then 2 elements: peer 0's chunk is empty.
    for (int n : new int[] {11, 2, 100_003}) {
      List<String> addresses = new ArrayList<>();
      List<ServerSocketChannel> servers = servers(3, addresses);
      Random random = new Random(n);
      float[][] first = new float[3][n];
      float[][] second = new float[3][n];
      for (int k = 0; k < 3; k++) {
        for (int i = 0; i < n; i++) {
          first[k][i] = random.nextFloat() * 2 - 1;
          second[k][i] = random.nextFloat() * 2 - 1;
        }
      }
      float[] want1 = expected(first, weights);
      float[] want2 = expected(second, weights);
      List<Future<AllReduce.Round[]>> peers = new ArrayList<>();
      for (int k = 0; k < 3; k++) {
        int rank = k;
        peers.add(pool.submit(() -> {
          try (AllReduce r = AllReduce.connect(rank, addresses, servers.get(rank), 42L, 10_000)) {
            // Two calls on the same connections.
            return new AllReduce.Round[] {
              r.average(first[rank], weights[rank], fitted[rank]), r.average(second[rank], weights[rank], fitted[rank])
            };
          }
        }));
      }
      for (int k = 0; k < 3; k++) {
        AllReduce.Round[] rounds = peers.get(k).get(30, TimeUnit.SECONDS);
        for (AllReduce.Round round : rounds) {
          assertEquals(3.0, round.totalWeight(), "peer " + k);
          assertEquals(5, round.maxFitted(), "peer " + k);
        }
        assertArrayEquals(want1, first[k], "peer " + k + ", n " + n + ": the rank-order weighted mean, bit for bit");
        assertArrayEquals(want2, second[k], "peer " + k + ", n " + n + ", second call");
      }
      // And close to the exact mean (1 a + 2 b) / 3 computed in double (the inputs are gone: recompute).
      Random again = new Random(n);
      float[][] inputs = new float[3][n];
      for (int k = 0; k < 3; k++) {
        for (int i = 0; i < n; i++) {
          inputs[k][i] = again.nextFloat() * 2 - 1;
          again.nextFloat();
        }
      }
      for (int i = 0; i < n; i++) {
        assertEquals((inputs[0][i] + 2.0 * inputs[1][i]) / 3, first[0][i], 1e-6, "element " + i);
      }
    }
  }

  @Test
  void weightedMeanIsTheMeanInDoubleWithinFloatTolerance() {
    Random random = new Random(3);
    float[][] data = new float[3][1000];
    for (float[] d : data) {
      for (int i = 0; i < d.length; i++) {
        d[i] = random.nextFloat() * 10 - 5;
      }
    }
    double[] weights = {1, 2, 0.5};
    float[] out = new float[1000];
    AllReduce.combine(data, new int[3], weights, out, 0, out.length);
    for (int i = 0; i < out.length; i++) {
      double exact = (data[0][i] + 2.0 * data[1][i] + 0.5 * data[2][i]) / 3.5;
      assertEquals(exact, out[i], 1e-5, "element " + i);
    }
  }

  @Test
  void aPeerThatNeverConnectsTimesTheOthersOut() throws Exception {
    List<String> addresses = new ArrayList<>();
    List<ServerSocketChannel> servers = servers(3, addresses);
    long t0 = System.nanoTime();
    List<Future<AllReduce.Round>> peers = new ArrayList<>();
    // Peer 2 listens (its address is known) but never runs.
    for (int k = 0; k < 2; k++) {
      int rank = k;
      peers.add(pool.submit(() -> {
        try (AllReduce r = AllReduce.connect(rank, addresses, servers.get(rank), 7L, 1_500)) {
          return r.average(new float[10], 1, 1);
        }
      }));
    }
    for (int k = 0; k < 2; k++) {
      ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(
          ExecutionException.class, peers.get(k)::get);
      assertInstanceOf(SocketTimeoutException.class, e.getCause(), "peer " + k + ": " + e.getCause());
      assertTrue(e.getCause().getMessage().contains("[2] did not connect within 1500 ms"), e.getCause().getMessage());
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    assertTrue(seconds < 10, "the time-out must end the wait: " + seconds + " s");
    servers.get(2).close();
  }

  @Test
  void aPeerThatDiesFailsTheOthersAndOneFromAnotherStageIsDropped() throws Exception {
    List<String> addresses = new ArrayList<>();
    List<ServerSocketChannel> servers = servers(3, addresses);
    List<Future<AllReduce.Round>> peers = new ArrayList<>();
    for (int k = 0; k < 2; k++) {
      int rank = k;
      peers.add(pool.submit(() -> {
        try (AllReduce r = AllReduce.connect(rank, addresses, servers.get(rank), 9L, 10_000)) {
          return r.average(new float[1000], 1, 1);
        }
      }));
    }
    // A connection with the wrong token is dropped: it cannot pose as peer 2.
    assertThrows(IOException.class, () -> {
      try (AllReduce r = AllReduce.connect(2, addresses, AllReduce.listen("127.0.0.1"), 8L, 2_000)) {
        r.average(new float[1000], 1, 1);
      }
    }, "peers 0 and 1 drop a stranger's connection");
    // Peer 2 joins, then dies before averaging.
    AllReduce dying = AllReduce.connect(2, addresses, servers.get(2), 9L, 10_000);
    dying.close();
    // Each survivor fails on a closed connection: peer 2's, or (when the other survivor saw it
    // first and closed its own connections) that survivor's. At least one names peer 2.
    int namingPeer2 = 0;
    for (int k = 0; k < 2; k++) {
      Future<AllReduce.Round> peer = peers.get(k);
      ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(
          ExecutionException.class, () -> peer.get(30, TimeUnit.SECONDS));
      assertInstanceOf(EOFException.class, e.getCause(), "peer " + k + ": " + e.getCause());
      String message = e.getCause().getMessage();
      assertTrue(message.matches("(?s).*peer [0-2] closed its connection.*"), message);
      if (message.contains("peer 2 closed its connection")) {
        namingPeer2++;
      }
    }
    assertTrue(namingPeer2 >= 1, "the first survivor to notice names the dead peer 2");
  }

  private static void assertThrows(Class<? extends Throwable> type, org.junit.jupiter.api.function.Executable run, String what) {
    org.junit.jupiter.api.Assertions.assertThrows(type, run, what);
  }
}
