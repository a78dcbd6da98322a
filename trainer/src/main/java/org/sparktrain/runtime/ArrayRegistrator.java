package org.sparktrain.runtime;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.apache.spark.SparkConf;
import org.apache.spark.serializer.KryoRegistrator;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.Shape;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Kryo registrator, listed after ND4J's ({@code spark.kryo.registrator
 * org.nd4j.kryo.Nd4jRegistrator,org.sparktrain.runtime.ArrayRegistrator}): serializes ND4J arrays by
 * copying their bytes in bulk. ND4J's own serializer goes through {@code Nd4j.write}, which writes
 * every element with its own {@code DataOutputStream.writeFloat}: a minibatch of 64 MNIST images
 * took 0.38-1.19 ms to write and 0.35-1.27 ms to read, against 0.02-0.05 and 0.06-0.10 ms here
 * ({@code WorkerFitProfile} in the tests). Every cached
 * (serialized) minibatch is read once per epoch, so that was a tenth of a synchronous worker's
 * epoch on mnist-mlp.
 *
 * <p>Format: a byte, 1 for this layout (data type, shape, then the elements in c order,
 * little-endian), 0 for ND4J's own (kept for what the bulk copy does not cover: string or
 * compressed arrays, the CUDA backend, a big-endian machine). Both sides of a Spark application run
 * the same code, so the data type is written by its ordinal.
 */
public final class ArrayRegistrator implements KryoRegistrator {
  /** ND4J's registrator, which must run first (it registers the array class and others). */
  public static final String ND4J = "org.nd4j.kryo.Nd4jRegistrator";

  @Override
  public void registerClasses(Kryo kryo) {
    kryo.register(Nd4j.getBackend().getNDArrayClass(), new ArraySerializer());
  }

  /**
   * Sets {@code spark.kryo.registrator} to ND4J's followed by this one when unset, and appends this
   * one where ND4J's is listed without it (the cluster configurations list ND4J's). A list without
   * ND4J's is the user's choice and stays.
   */
  static void configure(SparkConf conf) {
    String ours = ArrayRegistrator.class.getName();
    String set = conf.get("spark.kryo.registrator", "").trim();
    if (set.isEmpty()) {
      conf.set("spark.kryo.registrator", ND4J + "," + ours);
    } else if (set.contains(ND4J) && !set.contains(ours)) {
      conf.set("spark.kryo.registrator", set + "," + ours);
    }
  }

  /** The serializer; Kryo instances (and so their serializers) are used by one thread at a time. */
  static final class ArraySerializer extends Serializer<INDArray> {
    private static final byte ND4J_FORMAT = 0;
    private static final byte BULK_FORMAT = 1;
    private static final int CHUNK = 1 << 16;

    private final byte[] chunk = new byte[CHUNK];

    @Override
    public void write(Kryo kryo, Output output, INDArray array) {
      if (!bulk(array)) {
        output.writeByte(ND4J_FORMAT);
        try {
          DataOutputStream out = new DataOutputStream(output);
          Nd4j.write(array, out);
          out.flush();
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
        return;
      }
      INDArray a = array.isEmpty() || contiguous(array) ? array : array.dup('c');
      output.writeByte(BULK_FORMAT);
      output.writeVarInt(a.dataType().ordinal(), true);
      long[] shape = a.shape();
      output.writeVarInt(shape.length, true);
      for (long d : shape) {
        output.writeVarLong(d, true);
      }
      long bytes = a.isEmpty() ? 0 : a.length() * a.dataType().width();
      output.writeVarLong(bytes, true);
      if (bytes == 0) {
        return;
      }
      ByteBuffer from = a.data().asNio().order(ByteOrder.LITTLE_ENDIAN);
      from.position((int) (a.offset() * a.dataType().width()));
      for (long done = 0; done < bytes; ) {
        int n = (int) Math.min(CHUNK, bytes - done);
        from.get(chunk, 0, n);
        output.writeBytes(chunk, 0, n);
        done += n;
      }
    }

    @Override
    public INDArray read(Kryo kryo, Input input, Class<INDArray> type) {
      byte format = input.readByte();
      if (format == ND4J_FORMAT) {
        return Nd4j.read(new DataInputStream(input));
      }
      if (format != BULK_FORMAT) {
        throw new IllegalStateException("unknown array format " + format + " in Kryo input (expected 0 or 1)");
      }
      DataType dataType = DataType.values()[input.readVarInt(true)];
      long[] shape = new long[input.readVarInt(true)];
      for (int i = 0; i < shape.length; i++) {
        shape[i] = input.readVarLong(true);
      }
      long bytes = input.readVarLong(true);
      if (bytes == 0) { // empty: with no shape, or one with a zero in it
        return shape.length == 0 ? Nd4j.empty(dataType) : Nd4j.create(dataType, shape);
      }
      INDArray a;
      try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
        a = Nd4j.createUninitialized(dataType, shape, 'c');
      }
      ByteBuffer to = a.data().asNio().order(ByteOrder.LITTLE_ENDIAN);
      to.position(0);
      for (long done = 0; done < bytes; ) {
        int n = (int) Math.min(CHUNK, bytes - done);
        input.readBytes(chunk, 0, n);
        to.put(chunk, 0, n);
        done += n;
      }
      return a;
    }

    /** Whether the array's elements can be copied as bytes (else ND4J's format). */
    static boolean bulk(INDArray a) {
      if (!Nd4j.getEnvironment().isCPU()
          || ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN
          || a.isCompressed()
          || a.isS()) {
        return false;
      }
      DataType t = a.dataType();
      return t != DataType.UTF8 && t != DataType.COMPRESSED && t != DataType.UNKNOWN && t.width() > 0
          && a.length() * t.width() < Integer.MAX_VALUE;
    }

    /** Whether the array's elements lie in c order, one after another, in its buffer. */
    private static boolean contiguous(INDArray a) {
      return a.ordering() == 'c'
          && Shape.hasDefaultStridesForShape(a)
          && a.offset() + a.length() <= a.data().length()
          && (a.offset() + a.length()) * a.dataType().width() < Integer.MAX_VALUE;
    }
  }
}
