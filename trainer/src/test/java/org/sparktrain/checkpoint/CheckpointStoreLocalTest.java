package org.sparktrain.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The checkpoint store on the local filesystem (file://), which needs no cluster. */
class CheckpointStoreLocalTest extends CheckpointStoreContract {
  @TempDir java.nio.file.Path temp;

  @Override
  String base() {
    return temp.toUri().toString().replaceAll("/$", "");
  }

  @Override
  Configuration conf() {
    return new Configuration();
  }

  @Test
  void damageBehindHadoopsBackIsAProblemNotAFailure() throws IOException {
    save(store(), 1);
    java.nio.file.Path model = java.nio.file.Path.of(new Path(stepDir(1), "model.bin").toUri());
    byte[] bytes = Files.readAllBytes(model);
    bytes[10] ^= 0x40;
    Files.write(model, bytes);

    List<String> problems = store().verify(1);

    assertEquals(1, problems.size(), problems::toString);
    assertTrue(problems.get(0).startsWith("step 1: model.bin "), problems.get(0));
  }

  @Test
  void unknownFilesystemIsBadInput() {
    CheckpointInputException e =
        assertThrows(
            CheckpointInputException.class, () -> new CheckpointStore("nosuchfs://x/ckpt", conf()));
    assertTrue(e.getMessage().contains("nosuchfs://x/ckpt"), e::getMessage);
  }

  @Test
  void plainPathsAreQualified() {
    CheckpointStore store = new CheckpointStore(temp.resolve("plain").toString(), conf());
    assertEquals("file:" + temp.resolve("plain"), store.dir());
  }
}
