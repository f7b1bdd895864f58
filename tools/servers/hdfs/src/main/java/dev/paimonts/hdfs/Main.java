package dev.paimonts.hdfs;

import java.io.File;
import java.net.HttpURLConnection;
import java.net.URL;
import java.util.concurrent.CountDownLatch;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.hdfs.MiniDFSCluster;

/**
 * Starts a MiniDFSCluster (one NameNode, one DataNode) on 127.0.0.1 with WebHDFS for the
 * @paimon-ts/fileio-hdfs tests, prints one ready line to stdout and runs until killed.
 *
 * <p>Usage: {@code Main [--rpc-port 9000] [--http-port 9870] [--data DIR] [--keep]}. The data
 * directory is formatted on every start unless {@code --keep} is given.
 */
public final class Main {
  // java.util.logging holds loggers weakly: keep the configured ones alive.
  private static final Logger JERSEY = Logger.getLogger("com.sun.jersey");
  private static final Logger WADL = Logger.getLogger("com.sun.jersey.server.impl.wadl");

  public static void main(String[] args) {
    // Jersey's start-up chatter, and its SEVERE note that WADL is off (no JAXB
    // implementation on the class path, on purpose), are noise in the log.
    JERSEY.setLevel(Level.SEVERE);
    WADL.setLevel(Level.OFF);
    try {
      run(args);
    } catch (Throwable t) {
      // the cluster's own threads would keep a half-started JVM alive
      t.printStackTrace();
      System.err.println("hdfs-test-server: failed to start: " + t);
      System.exit(1);
    }
  }

  private static void run(String[] args) throws Exception {
    int rpcPort = 9000;
    int httpPort = 9870;
    String data = "tools/servers/.run/hdfs/cluster";
    boolean keep = false;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--rpc-port": rpcPort = Integer.parseInt(args[++i]); break;
        case "--http-port": httpPort = Integer.parseInt(args[++i]); break;
        case "--data": data = args[++i]; break;
        case "--keep": keep = true; break;
        default:
          System.err.println("unknown argument: " + args[i]);
          System.exit(2);
      }
    }
    File base = new File(data).getAbsoluteFile();
    if (!base.isDirectory() && !base.mkdirs()) throw new IllegalStateException("cannot create " + base);

    long t0 = System.nanoTime();
    Configuration conf = new Configuration();
    // Tests act as any user (user.name=hadoop by default): no permission checks.
    conf.setBoolean("dfs.permissions.enabled", false);
    conf.setBoolean("dfs.webhdfs.enabled", true);
    conf.setInt("dfs.replication", 1);
    // Leave safe mode as soon as the one DataNode has reported.
    conf.setInt("dfs.namenode.safemode.extension", 0);
    conf.setLong("dfs.heartbeat.interval", 1);
    // Small blocks so multi-megabyte test files span several blocks.
    conf.setLong("dfs.blocksize", 1024 * 1024);
    conf.setInt("dfs.bytes-per-checksum", 512);
    // Redirects name the DataNode by IP, never by a host name that may resolve to ::1.
    conf.set("dfs.datanode.hostname", "127.0.0.1");
    conf.set("hadoop.http.staticuser.user", "hadoop");
    // The DataNode's WebHDFS writes close their file through a DFSClient, which polls the
    // NameNode until the last block is reported complete, first after 400 ms. On loopback
    // the report comes within milliseconds: poll sooner (same semantics, less waiting).
    conf.setInt("dfs.client.block.write.locateFollowingBlock.initial.delay.ms", 20);
    conf.setInt("dfs.namenode.handler.count", 20);
    // Listings come in pages of 100 entries (default 1,000), so LISTSTATUS_BATCH
    // pagination is exercised by modest test directories.
    conf.setInt("dfs.ls.limit", 100);
    conf.set("dfs.namenode.fs-limits.min-block-size", "4096");

    MiniDFSCluster cluster = new MiniDFSCluster.Builder(conf, base)
        .nameNodePort(rpcPort)
        .nameNodeHttpPort(httpPort)
        .numDataNodes(1)
        .format(!keep)
        .manageNameDfsDirs(true)
        .manageDataDfsDirs(true)
        .waitSafeMode(true)
        .build();
    cluster.waitActive();

    String webhdfs = "http://127.0.0.1:" + cluster.getNameNode().getHttpAddress().getPort();
    // Ready only when WebHDFS itself answers.
    URL probe = new URL(webhdfs + "/webhdfs/v1/?op=GETFILESTATUS&user.name=hadoop");
    HttpURLConnection c = (HttpURLConnection) probe.openConnection();
    int code = c.getResponseCode();
    c.disconnect();
    if (code != 200) throw new IllegalStateException("WebHDFS answered " + code);

    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      System.out.println("hdfs-test-server: shutting down");
      cluster.shutdown();
    }, "shutdown"));
    System.out.printf("HDFS READY rpc=hdfs://127.0.0.1:%d webhdfs=%s datanode-http=%s started-in=%dms%n",
        cluster.getNameNodePort(), webhdfs,
        "127.0.0.1:" + cluster.getDataNodes().get(0).getInfoPort(),
        (System.nanoTime() - t0) / 1_000_000);
    System.out.flush();
    new CountDownLatch(1).await();
  }
}
