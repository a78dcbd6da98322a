package org.sparktrain.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The epoch progress line: counts, rate, ETA, in place on a terminal and periodic otherwise. */
class ProgressTest {
  private static final long SECOND = 1_000_000_000L;
  private final AtomicLong now = new AtomicLong(0);
  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

  private String printed() {
    return bytes.toString(StandardCharsets.UTF_8);
  }

  @Test
  void countsFinishedAndRunningTasksAndEstimatesTheRest() {
    Progress p = new Progress(out, false, now::get, false);
    p.start(2, 5, 100, 32);
    p.taskRunning(7, 10);
    p.taskRunning(8, 15);
    now.set(5 * SECOND);
    p.taskEnded(7, 20); // the finished count replaces the heartbeat's partial one
    assertEquals(35, p.done());
    // 25 minibatches in the 5 s since the first count: 5/s, 160 samples/s, 65 left: 13 s
    assertEquals(
        "epoch 2/5  minibatch 35/100 (35%)  160 samples/s  ETA 0:13  elapsed 0:05",
        p.line(now.get()));
  }

  @Test
  void plainOutputPrintsEveryTenPercentOrTenSeconds() {
    Progress p = new Progress(out, false, now::get, false);
    p.start(1, 1, 100, 10);
    p.tick();
    assertEquals("", printed(), "nothing yet: no tenth done and no 10 s passed");
    p.taskEnded(1, 5);
    assertEquals("", printed());
    p.taskEnded(2, 6); // 11%
    assertEquals(1, printed().lines().count(), printed());
    p.taskEnded(3, 1);
    assertEquals(1, printed().lines().count(), "still the same tenth: " + printed());
    now.set(11 * SECOND);
    p.tick();
    assertEquals(2, printed().lines().count(), "10 s passed: " + printed());
    assertTrue(printed().lines().allMatch(l -> l.startsWith("epoch 1/1  minibatch ")), printed());
    assertTrue(!printed().contains("\r"), "no carriage returns when not a terminal");
  }

  @Test
  void terminalOutputRewritesOneLineAndClearsItAtTheEnd() {
    Progress p = new Progress(out, true, now::get, false);
    p.start(1, 3, 10, 4);
    now.set(2 * SECOND);
    p.taskEnded(1, 5);
    p.taskEnded(2, 2);
    p.stop();
    String s = printed();
    assertTrue(s.startsWith("\repoch 1/3  minibatch 5/10 (50%)"), s);
    assertTrue(s.contains("\repoch 1/3  minibatch 7/10 (70%)"), s);
    assertTrue(!s.contains("\n"), "one line rewritten in place: " + s);
    assertTrue(s.endsWith("\r"), "cleared for the epoch's summary line: " + s);
  }

  @Test
  void withoutMinibatchCountsItShowsTasks() {
    Progress p = new Progress(out, false, now::get, false);
    p.start(3, 3, 50, 8);
    p.taskEnded(1, 0);
    now.set(65 * SECOND);
    assertEquals("epoch 3/3  tasks 1/1  elapsed 1:05", p.line(now.get()));
  }

  @Test
  void clockTime() {
    assertEquals("0:00", Progress.clockTime(0.2));
    assertEquals("2:05", Progress.clockTime(125));
    assertEquals("1:01:01", Progress.clockTime(3661));
  }
}
