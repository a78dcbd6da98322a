package org.sparktrain.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.hdfs.DFSTestUtil;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The checkpoint store on a real HDFS: one in-process NameNode and DataNode for the class. */
class CheckpointStoreHdfsIT extends CheckpointStoreContract {
  @TempDir static java.nio.file.Path clusterDir;
  private static MiniDFSCluster cluster;
  private static Configuration conf;

  @BeforeAll
  static void startHdfs() throws IOException {
    conf = new Configuration();
    conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, clusterDir.toString());
    // The client's defaults suit a busy cluster: it waits 400 ms before polling whether a file it
    // closed is complete, and about 3 s before re-reading a block that failed its checksum.
    conf.setInt("dfs.client.block.write.locateFollowingBlock.initial.delay.ms", 20);
    conf.setInt("dfs.client.retry.window.base", 20);
    cluster = new MiniDFSCluster.Builder(conf).numDataNodes(1).build();
    cluster.waitActive();
  }

  @AfterAll
  static void stopHdfs() {
    if (cluster != null) {
      cluster.shutdown();
    }
  }

  @Override
  String base() {
    return cluster.getURI() + "/checkpoints";
  }

  @Override
  Configuration conf() {
    return conf;
  }

  @Test
  void storeWorksOnHdfs() {
    CheckpointStore store = store();
    assertTrue(store.dir().startsWith("hdfs://"), store.dir());
  }

  @Test
  void corruptBlockOnTheDataNodeIsReportedAsDamage() throws IOException {
    CheckpointStore store = store();
    save(store, 1);
    save(store, 2);
    Path model = new Path(stepDir(2), "model.bin");
    assertEquals(1, cluster.corruptBlockOnDataNodes(DFSTestUtil.getFirstBlock(fs, model)));

    List<String> problems = store.verify(2);

    assertEquals(1, problems.size(), problems::toString);
    assertTrue(problems.get(0).startsWith("step 2: model.bin is damaged: "), problems.get(0));
    List<String> skipped = new ArrayList<>();
    assertEquals(1, store.latestGood(skipped::add).orElseThrow().info().step());
    assertEquals(1, skipped.size(), skipped::toString);
  }
}
