package org.sparktrain;

import java.io.IOException;
import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.hdfs.MiniDFSCluster;

/** A real in-process HDFS (one name node, one data node) for the HDFS tests. */
public final class TestHdfs {
  private TestHdfs() {}

  /**
   * Starts a cluster whose files live under {@code baseDir}, with the client's waits shortened:
   * its defaults suit a busy cluster (400 ms before polling whether a closed file is complete,
   * about 3 s before re-reading a block that failed its checksum).
   */
  public static MiniDFSCluster start(Path baseDir) throws IOException {
    Configuration conf = new Configuration();
    conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, baseDir.toString());
    conf.setInt("dfs.client.block.write.locateFollowingBlock.initial.delay.ms", 20);
    conf.setInt("dfs.client.retry.window.base", 20);
    MiniDFSCluster cluster = new MiniDFSCluster.Builder(conf).numDataNodes(1).build();
    cluster.waitActive();
    return cluster;
  }
}
