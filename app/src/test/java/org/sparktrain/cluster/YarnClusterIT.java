package org.sparktrain.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.yarn.api.records.ApplicationReport;
import org.apache.hadoop.yarn.api.records.FinalApplicationStatus;
import org.apache.hadoop.yarn.client.api.YarnClient;
import org.apache.hadoop.yarn.conf.YarnConfiguration;
import org.apache.hadoop.yarn.server.MiniYARNCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * jobs/churn.yaml submitted with deploy/submit.sh and cluster-configs/yarn.conf to a real YARN
 * (Hadoop's MiniYARNCluster: a ResourceManager and a NodeManager in this JVM). The NodeManager
 * launches the application master and two executors as containers, each its own JVM, from
 * spark-dist's Spark jars and the application jar; the driver runs in submit.sh's process (client
 * mode), as on a real cluster.
 */
class YarnClusterIT {
  @TempDir static Path tmp;
  static MiniYARNCluster yarn;
  static Path hadoopConf;

  @BeforeAll
  static void startYarn() throws Exception {
    YarnConfiguration conf = new YarnConfiguration();
    // This machine's disk may be fuller than YARN's default 90% for a healthy node.
    conf.set("yarn.nodemanager.disk-health-checker.max-disk-utilization-per-disk-percentage", "100.0");
    // ND4J's off-heap arrays and the JVMs' virtual memory are not what this test is about.
    conf.setBoolean(YarnConfiguration.NM_PMEM_CHECK_ENABLED, false);
    conf.setBoolean(YarnConfiguration.NM_VMEM_CHECK_ENABLED, false);
    // MiniYARNCluster gives its NodeManagers this figure (4 GB by default), not NM_PMEM_MB: the
    // application master (1 GB) and two executors (2 GB each) need more.
    conf.setInt(YarnConfiguration.YARN_MINICLUSTER_NM_PMEM_MB, 6144);
    conf.setInt(YarnConfiguration.NM_VCORES, 4);
    conf.setInt(YarnConfiguration.RM_SCHEDULER_MINIMUM_ALLOCATION_MB, 256);
    // The capacity scheduler needs its queues declared (no capacity-scheduler.xml here): one.
    conf.set("yarn.scheduler.capacity.root.queues", "default");
    conf.setInt("yarn.scheduler.capacity.root.default.capacity", 100);
    conf.setInt("yarn.scheduler.capacity.root.default.maximum-capacity", 100);
    conf.setFloat("yarn.scheduler.capacity.root.default.user-limit-factor", 1);
    conf.set("yarn.scheduler.capacity.root.default.state", "RUNNING");
    conf.set("yarn.scheduler.capacity.root.default.acl_submit_applications", "*");
    conf.set("yarn.scheduler.capacity.root.default.acl_administer_queue", "*");
    yarn = new MiniYARNCluster("sparktrain-yarn", 1, 1, 1);
    yarn.init(conf);
    yarn.start();
    Configuration started = yarn.getConfig();
    // The ResourceManager's address gets its real port shortly after start() returns.
    long deadline = System.currentTimeMillis() + 60_000;
    while (started.get(YarnConfiguration.RM_ADDRESS).endsWith(":0")) {
      assertTrue(System.currentTimeMillis() < deadline, "the ResourceManager got no port");
      Thread.sleep(100);
    }
    hadoopConf = Files.createDirectories(tmp.resolve("hadoop-conf"));
    try (OutputStream out = new FileOutputStream(hadoopConf.resolve("yarn-site.xml").toFile())) {
      started.writeXml(out);
    }
  }

  @AfterAll
  static void stopYarn() {
    if (yarn != null) {
      yarn.stop();
    }
  }

  @Test
  void averagingOnTwoYarnContainers() throws Exception {
    String javaHome = System.getProperty("java.home");
    Path sparkJars = LocalCluster.repoRoot().resolve("spark-dist/target/spark-home/jars");
    Submission run =
        Submission.churn(
            "cluster-configs/yarn.conf",
            Map.of("HADOOP_CONF_DIR", hadoopConf.toString()),
            tmp.resolve("yarn-averaging"),
            3,
            "--set", "strategy.type=averaging",
            // yarn.conf's executors (4 cores, 4 GB + 5 GB) sized down to this machine.
            "--conf", "spark.executor.instances=2",
            "--conf", "spark.executor.cores=1",
            "--conf", "spark.task.cpus=1",
            "--conf", "spark.executorEnv.OMP_NUM_THREADS=1",
            "--conf", "spark.executor.memory=1g",
            "--conf", "spark.executor.memoryOverhead=1g",
            "--conf", "spark.yarn.am.memory=512m",
            // The containers run on this machine: Spark's jars from where they are, no upload.
            "--conf", "spark.yarn.jars=local:" + sparkJars + "/*",
            "--conf", "spark.yarn.stagingDir=" + tmp.resolve("staging").toUri(),
            "--conf", "spark.yarn.appMasterEnv.JAVA_HOME=" + javaHome,
            "--conf", "spark.executorEnv.JAVA_HOME=" + javaHome,
            "--conf", "spark.driver.host=127.0.0.1",
            "--conf", "spark.driver.bindAddress=127.0.0.1");
    assertEquals(0, run.waitFor(10), run.log());
    assertTrue(run.fullLog().contains("averaging with 2 workers"), run.log());
    StandaloneClusterIT.assertCompleteRun(run, 3);

    // YARN ran the application to its end, and both executor containers ran tasks.
    YarnClient client = YarnClient.createYarnClient();
    client.init(yarn.getConfig());
    client.start();
    try {
      List<ApplicationReport> apps = client.getApplications();
      assertEquals(1, apps.size(), apps.toString());
      assertEquals(FinalApplicationStatus.SUCCEEDED, apps.get(0).getFinalApplicationStatus(), apps.toString());
    } finally {
      client.stop();
    }
    List<Path> executors = containerLogsWith("Running task");
    assertEquals(2, executors.size(), "executor containers that ran tasks: " + executors + "; " + nodes());
  }

  /** The NodeManagers as the ResourceManager sees them, for failure messages. */
  static String nodes() throws Exception {
    YarnClient client = YarnClient.createYarnClient();
    client.init(yarn.getConfig());
    client.start();
    try {
      return client.getNodeReports().stream()
          .map(n -> n.getNodeId() + " capability " + n.getCapability() + " used " + n.getUsed())
          .toList()
          .toString();
    } finally {
      client.stop();
    }
  }

  /** The stderr of each container whose log contains {@code text}. */
  static List<Path> containerLogsWith(String text) throws IOException {
    List<Path> found = new ArrayList<>();
    for (String dir : yarn.getNodeManager(0).getConfig().getTrimmedStrings(YarnConfiguration.NM_LOG_DIRS)) {
      Path logs = Path.of(dir.startsWith("file:") ? java.net.URI.create(dir).getPath() : dir);
      if (!Files.isDirectory(logs)) {
        continue;
      }
      try (var files = Files.walk(logs)) {
        for (Path p : files.filter(f -> f.getFileName().toString().equals("stderr")).toList()) {
          if (Files.readString(p).contains(text)) {
            found.add(p);
          }
        }
      }
    }
    return found;
  }
}
