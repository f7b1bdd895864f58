import org.apache.paimon.catalog.Catalog;
import org.apache.paimon.catalog.CatalogContext;
import org.apache.paimon.catalog.CatalogFactory;
import org.apache.paimon.catalog.Identifier;
import org.apache.paimon.data.InternalRow;
import org.apache.paimon.options.Options;
import org.apache.paimon.reader.RecordReader;
import org.apache.paimon.table.Table;
import org.apache.paimon.table.source.DataSplit;
import org.apache.paimon.table.source.ReadBuilder;
import org.apache.paimon.table.source.Split;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;

/**
 * Timed full batch read of the bench-dv table by Java Paimon (tools/bench/dv/bench-dv.mjs runs
 * it against the oracle jar's class path). Prints one JSON line: rows, the sums of `id` and `ts`
 * (in a long, wrapping; checked by the caller against its model modulo 2^64, so a read that
 * skips or duplicates rows fails), the
 * splits and how many of them Java reads without merging, and the wall/CPU milliseconds of each
 * repeat (the first one includes class loading and JIT warm-up).
 *
 *   java -cp paimon-oracle.jar:CLASSES DvRead WAREHOUSE DB.TABLE REPEATS
 */
public final class DvRead {
    public static void main(String[] args) throws Exception {
        String warehouse = args[0];
        String name = args[1];
        int repeats = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        Options options = new Options();
        options.set("warehouse", warehouse);
        options.set("metastore", "filesystem");
        options.set("cache-enabled", "false");
        var threads = ManagementFactory.getThreadMXBean();
        List<String> runs = new ArrayList<>();
        long rows = 0, idSum = 0, tsSum = 0, nameBytes = 0;
        int splitCount = 0, rawSplits = 0;
        try (Catalog catalog = CatalogFactory.createCatalog(CatalogContext.create(options))) {
            for (int r = 0; r < repeats; r++) {
                long cpu0 = processCpuNanos();
                long t0 = System.nanoTime();
                Table table = catalog.getTable(Identifier.fromString(name));
                ReadBuilder rb = table.newReadBuilder();
                List<Split> splits = rb.newScan().plan().splits();
                long[] acc = new long[4];
                try (RecordReader<InternalRow> reader = rb.newRead().createReader(splits)) {
                    reader.forEachRemaining(
                            row -> {
                                acc[0]++;
                                acc[1] += row.getLong(0);
                                // touch a variable-length column too, as a real consumer would
                                if (!row.isNullAt(1)) acc[3] += row.getString(1).getSizeInBytes();
                                acc[2] += row.getLong(3);
                            });
                }
                long wall = System.nanoTime() - t0;
                long cpu = processCpuNanos() - cpu0;
                rows = acc[0];
                idSum = acc[1];
                tsSum = acc[2];
                nameBytes = acc[3];
                splitCount = splits.size();
                rawSplits = 0;
                for (Split s : splits) {
                    if (s instanceof DataSplit && ((DataSplit) s).rawConvertible()) rawSplits++;
                }
                runs.add(String.format("{\"wallMs\":%.1f,\"cpuMs\":%.1f}", wall / 1e6, cpu / 1e6));
            }
        }
        long heapMb = Runtime.getRuntime().totalMemory() / (1 << 20);
        System.out.printf(
                "{\"rows\":%d,\"idSum\":\"%d\",\"tsSum\":\"%d\",\"nameBytes\":%d,\"splits\":%d,\"rawSplits\":%d,\"heapCommittedMb\":%d,\"threads\":%d,\"runs\":[%s]}%n",
                rows, idSum, tsSum, nameBytes, splitCount, rawSplits, heapMb, threads.getThreadCount(), String.join(",", runs));
    }

    /** CPU time of the whole JVM (all threads, GC and JIT included). */
    private static long processCpuNanos() {
        var os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean) {
            return ((com.sun.management.OperatingSystemMXBean) os).getProcessCpuTime();
        }
        return 0;
    }
}
