package org.sparktrain.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import org.bytedeco.javacpp.Pointer;

/**
 * Peak memory of this JVM while a system trains, sampled every 50 ms: heap in use (JVM
 * MemoryMXBean), native memory ND4J allocated through JavaCPP ({@code Pointer.totalBytes()}) and
 * the process's resident memory ({@code Pointer.physicalBytes()}). In local mode this JVM is
 * both the driver and the executors.
 */
final class MemorySampler implements AutoCloseable {
  private final MemoryMXBean bean = ManagementFactory.getMemoryMXBean();
  private final Thread thread;
  private volatile boolean running = true;
  private volatile long peakHeap;
  private volatile long peakOffHeap;
  private volatile long peakPhysical;

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
    peakHeap = Math.max(peakHeap, bean.getHeapMemoryUsage().getUsed());
    peakOffHeap = Math.max(peakOffHeap, Pointer.totalBytes());
    peakPhysical = Math.max(peakPhysical, Pointer.physicalBytes());
  }

  long peakHeap() {
    return peakHeap;
  }

  long peakOffHeap() {
    return peakOffHeap;
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
