package org.sparktrain.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import org.bytedeco.javacpp.Pointer;

/**
 * Peak memory of this JVM while a system trains, sampled every 50 ms: heap in use (JVM
 * MemoryMXBean), the process's resident memory ({@code Pointer.physicalBytes()}), off-heap memory
 * as resident memory less the committed heap (ND4J's buffers, its workspaces, thread stacks and
 * the JVM's own native memory), and what JavaCPP counts itself ({@code Pointer.totalBytes()},
 * which misses most of ND4J's allocations). In local mode this JVM is both the driver and the
 * executors.
 */
final class MemorySampler implements AutoCloseable {
  private final MemoryMXBean bean = ManagementFactory.getMemoryMXBean();
  private final Thread thread;
  private volatile boolean running = true;
  private volatile long peakHeap;
  private volatile long peakOffHeap;
  private volatile long peakPhysical;
  private volatile long peakJavacpp;

  MemorySampler() {
    sample();
    thread = new Thread(this::loop, "bench-memory-sampler");
    thread.setDaemon(true);
    thread.start();
  }

  private void loop() {
    while (running) {
      sample();
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private void sample() {
    var heap = bean.getHeapMemoryUsage();
    long physical = Pointer.physicalBytes();
    peakHeap = Math.max(peakHeap, heap.getUsed());
    peakOffHeap = Math.max(peakOffHeap, physical - heap.getCommitted());
    peakPhysical = Math.max(peakPhysical, physical);
    peakJavacpp = Math.max(peakJavacpp, Pointer.totalBytes());
  }

  long peakHeap() {
    return peakHeap;
  }

  long peakOffHeap() {
    return peakOffHeap;
  }

  long peakJavacpp() {
    return peakJavacpp;
  }

  long peakPhysical() {
    return peakPhysical;
  }

  @Override
  public void close() {
    running = false;
    thread.interrupt();
    try {
      thread.join(1000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    sample();
  }
}
