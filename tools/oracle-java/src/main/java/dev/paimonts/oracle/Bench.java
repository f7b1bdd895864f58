package dev.paimonts.oracle;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.apache.paimon.Snapshot;
import org.apache.paimon.catalog.Catalog;
import org.apache.paimon.catalog.Identifier;
import org.apache.paimon.data.BinaryString;
import org.apache.paimon.data.Decimal;
import org.apache.paimon.data.GenericRow;
import org.apache.paimon.data.InternalRow;
import org.apache.paimon.data.Timestamp;
import org.apache.paimon.io.DataFileMeta;
import org.apache.paimon.manifest.ManifestEntry;
import org.apache.paimon.reader.RecordReader;
import org.apache.paimon.schema.Schema;
import org.apache.paimon.table.FileStoreTable;
import org.apache.paimon.table.sink.CommitMessage;
import org.apache.paimon.table.sink.StreamTableCommit;
import org.apache.paimon.table.sink.StreamTableWrite;
import org.apache.paimon.table.sink.StreamWriteBuilder;
import org.apache.paimon.table.source.ReadBuilder;
import org.apache.paimon.table.source.Split;
import org.apache.paimon.types.DataTypes;
import org.apache.paimon.types.RowKind;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The Java side of the write benchmark (tools/bench/README.md): the same generated CDC
 * stream as tools/bench/src/generator.ts and tools/oracle-py/bench.py, written with Paimon's
 * Java write API, plus the generator digests and the final-table check.
 *
 * <pre>
 * oracle bench-write --warehouse WH [--rows N] [--batch N]   write bench.cdc, print timings
 * oracle bench-write --digest [--rows N]                     generator digests only
 * oracle bench-write --verify --warehouse WH [--rows N]      read bench.cdc back, compare with the model
 * </pre>
 *
 * <p>Writing uses one {@link StreamTableWrite} and one {@link StreamTableCommit} for the whole
 * run (one writer thread; Paimon's compaction runs on its own executor thread but
 * {@code prepareCommit(true, id)} waits for it), one {@code prepareCommit} + {@code commit}
 * per batch with commit identifier = batch number (from 1).
 */
final class Bench {

    static final String TABLE = "bench.cdc";
    static final long SEED = 42L;
    static final long GAMMA = 0x9E3779B97F4A7C15L;
    static final long UPDATED_AT_BASE_MICROS = 1_700_000_000_000_000L;
    static final byte INSERT = 0;
    static final byte UPDATE = 2;
    static final byte DELETE = 3;
    static final String[] KIND_NAMES = {"+I", "-U", "+U", "-D"};

    private static final JsonNodeFactory NODES = JsonNodeFactory.withExactBigDecimals(true);

    private Bench() {}

    static int run(List<String> args, PrintStream out) throws Exception {
        Map<String, String> flags = new HashMap<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            switch (a) {
                case "--digest":
                case "--verify":
                    flags.put(a, "true");
                    break;
                case "--warehouse":
                case "--rows":
                case "--batch":
                    if (i + 1 >= args.size()) {
                        throw new IllegalArgumentException(a + " needs a value");
                    }
                    flags.put(a, args.get(++i));
                    break;
                default:
                    throw new IllegalArgumentException(
                            "bench-write: unknown argument '" + a + "' (expected --warehouse,"
                                    + " --rows, --batch, --digest, --verify)");
            }
        }
        int rows = Integer.parseInt(flags.getOrDefault("--rows", "1000000").replace("_", ""));
        int batch = Integer.parseInt(flags.getOrDefault("--batch", "10000").replace("_", ""));
        if (rows <= 0 || batch <= 0) {
            throw new IllegalArgumentException("--rows and --batch must be positive");
        }
        ObjectNode result;
        if (flags.containsKey("--digest")) {
            long t0 = System.nanoTime();
            result = digests(rows);
            result.put("ms", (System.nanoTime() - t0) / 1e6);
        } else {
            String warehouse = flags.get("--warehouse");
            if (warehouse == null) {
                throw new IllegalArgumentException("--warehouse WH is required");
            }
            result = flags.containsKey("--verify") ? verify(warehouse, rows) : write(warehouse, rows, batch);
        }
        byte[] bytes = Canonical.compactUtf8(result);
        OutputStream raw = out;
        raw.write(bytes);
        raw.write('\n');
        raw.flush();
        return 0;
    }

    // ------------------------------------------------------------------ generator

    /** One batch of events, columnar (see generator.ts EventBatch). */
    static final class EventBatch {
        final int start;
        final int size;
        final byte[] kinds;
        final long[] id;
        final int[] nameNum;
        final int[] age;
        final double[] score;
        final int[] amountCents;
        final int[] birthday;
        final long[] updatedAtMicros;
        final boolean[] active;
        final int[] category;
        final long[] qty;

        EventBatch(int start, int size) {
            this.start = start;
            this.size = size;
            kinds = new byte[size];
            id = new long[size];
            nameNum = new int[size];
            age = new int[size];
            score = new double[size];
            amountCents = new int[size];
            birthday = new int[size];
            updatedAtMicros = new long[size];
            active = new boolean[size];
            category = new int[size];
            qty = new long[size];
        }

        String name(int i) {
            return nameNum[i] < 0 ? null : "name-" + nameNum[i];
        }

        String category(int i) {
            return "cat-" + category[i];
        }

        String rowLine(int i) {
            String name = name(i);
            String bits = Long.toHexString(Double.doubleToRawLongBits(score[i]));
            return id[i] + "\t" + (name == null ? "\\N" : name) + "\t" + age[i] + "\t"
                    + "0000000000000000".substring(bits.length()) + bits + "\t" + amountCents[i]
                    + "\t" + birthday[i] + "\t" + updatedAtMicros[i] + "\t" + (active[i] ? 1 : 0)
                    + "\t" + category(i) + "\t" + qty[i];
        }

        GenericRow row(int i) {
            RowKind kind =
                    kinds[i] == INSERT
                            ? RowKind.INSERT
                            : kinds[i] == UPDATE ? RowKind.UPDATE_AFTER : RowKind.DELETE;
            String name = name(i);
            return GenericRow.ofKind(
                    kind,
                    id[i],
                    name == null ? null : BinaryString.fromString(name),
                    age[i],
                    score[i],
                    Decimal.fromUnscaledLong(amountCents[i], 18, 2),
                    birthday[i],
                    Timestamp.fromMicros(updatedAtMicros[i]),
                    active[i],
                    BinaryString.fromString(category(i)),
                    qty[i]);
        }
    }

    /** splitmix64 seeded 42, six draws per event, live keys with swap-remove. */
    static final class Generator {
        private long state = SEED;
        private long[] live = new long[1024];
        private int liveLen = 0;
        private long nextId = 1;
        private int event = 0;

        private long draw() {
            state += GAMMA;
            long z = state;
            z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
            z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
            return z ^ (z >>> 31);
        }

        EventBatch next(int size) {
            EventBatch b = new EventBatch(event, size);
            for (int k = 0; k < size; k++) {
                long i = event++;
                long d = draw();
                long hi = d >>> 32;
                long lo = d & 0xFFFFFFFFL;
                long u = hi % 100;
                long key;
                if (liveLen == 0 || u >= 25) {
                    key = nextId++;
                    if (liveLen == live.length) {
                        live = Arrays.copyOf(live, live.length * 2);
                    }
                    live[liveLen++] = key;
                    b.kinds[k] = INSERT;
                } else {
                    int p = (int) (lo % liveLen);
                    key = live[p];
                    if (u < 5) {
                        live[p] = live[--liveLen];
                        b.kinds[k] = DELETE;
                    } else {
                        b.kinds[k] = UPDATE;
                    }
                }
                b.id[k] = key;
                d = draw();
                hi = d >>> 32;
                lo = d & 0xFFFFFFFFL;
                int n = (int) (hi % 1_000_000);
                b.nameNum[k] = n % 50 == 0 ? -1 : n;
                b.age[k] = 18 + (int) (lo % 80);
                d = draw();
                hi = d >>> 32;
                lo = d & 0xFFFFFFFFL;
                b.score[k] = hi / 4294967296.0 * 1000.0;
                b.amountCents[k] = (int) (lo % 10_000_000) - 5_000_000;
                d = draw();
                hi = d >>> 32;
                lo = d & 0xFFFFFFFFL;
                b.birthday[k] = (int) (hi % 36_525) - 7_305;
                b.updatedAtMicros[k] = UPDATED_AT_BASE_MICROS + i * 1_000_000L + lo % 1_000_000;
                d = draw();
                hi = d >>> 32;
                lo = d & 0xFFFFFFFFL;
                b.active[k] = (hi & 1) == 1;
                b.category[k] = (int) (lo % 16);
                b.qty[k] = draw();
            }
            return b;
        }

        int liveKeys() {
            return liveLen;
        }
    }

    // ------------------------------------------------------------------ digests

    static long rowHash(MessageDigest sha, String line) {
        byte[] h = sha.digest(line.getBytes(StandardCharsets.UTF_8));
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (h[i] & 0xFF);
        }
        return v;
    }

    static String hex64(long v) {
        String s = Long.toHexString(v);
        return "0000000000000000".substring(s.length()) + s;
    }

    static String hex(byte[] bytes) {
        StringBuilder sb = new StringBuilder();
        for (byte x : bytes) {
            sb.append(String.format("%02x", x & 0xFF));
        }
        return sb.toString();
    }

    /** The generator's stream digest and the model of the final table. */
    static ObjectNode digests(int rows) throws NoSuchAlgorithmException {
        Generator gen = new Generator();
        MessageDigest stream = MessageDigest.getInstance("SHA-256");
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        // ids are 1..inserts: the latest row hash per id, and whether the id is live
        long[] hash = new long[1024];
        boolean[] alive = new boolean[1024];
        int done = 0;
        while (done < rows) {
            int n = Math.min(10_000, rows - done);
            EventBatch b = gen.next(n);
            for (int i = 0; i < n; i++) {
                String row = b.rowLine(i);
                stream.update((KIND_NAMES[b.kinds[i]] + "\t" + row + "\n").getBytes(StandardCharsets.UTF_8));
                int id = (int) b.id[i];
                if (id >= hash.length) {
                    hash = Arrays.copyOf(hash, Math.max(id + 1, hash.length * 2));
                    alive = Arrays.copyOf(alive, hash.length);
                }
                if (b.kinds[i] == DELETE) {
                    alive[id] = false;
                } else {
                    alive[id] = true;
                    hash[id] = rowHash(sha, row);
                }
            }
            done += n;
        }
        long sum = 0;
        int finalRows = 0;
        for (int id = 0; id < hash.length; id++) {
            if (alive[id]) {
                sum += hash[id];
                finalRows++;
            }
        }
        ObjectNode out = NODES.objectNode();
        out.put("impl", "java");
        out.put("events", rows);
        out.put("streamDigest", hex(stream.digest()));
        out.put("finalRows", finalRows);
        out.put("contentDigest", hex64(sum));
        out.put("liveKeys", gen.liveKeys());
        return out;
    }

    // ------------------------------------------------------------------ write

    static Schema schema() {
        return Schema.newBuilder()
                .column("id", DataTypes.BIGINT().notNull())
                .column("name", DataTypes.STRING())
                .column("age", DataTypes.INT())
                .column("score", DataTypes.DOUBLE())
                .column("amount", DataTypes.DECIMAL(18, 2))
                .column("birthday", DataTypes.DATE())
                .column("updated_at", DataTypes.TIMESTAMP(6))
                .column("active", DataTypes.BOOLEAN())
                .column("category", DataTypes.STRING())
                .column("qty", DataTypes.BIGINT())
                .primaryKey("id")
                .option("bucket", "4")
                .option("file.format", "parquet")
                .option("file.compression", "zstd")
                .build();
    }

    static ObjectNode write(String warehouse, int rows, int batch) throws Exception {
        try (Catalog catalog = Commands.catalog(warehouse, null)) {
            Identifier ident = Identifier.fromString(TABLE);
            catalog.createDatabase(ident.getDatabaseName(), true);
            catalog.createTable(ident, schema(), false);
            FileStoreTable table = Commands.table(catalog, TABLE);
            Generator gen = new Generator();
            StreamWriteBuilder builder = table.newStreamWriteBuilder().withCommitUser("bench-java");
            long genNs = 0;
            long writeNs = 0;
            long commitNs = 0;
            int batches = 0;
            long t0 = System.nanoTime();
            try (StreamTableWrite write = builder.newWrite();
                    StreamTableCommit commit = builder.newCommit()) {
                int done = 0;
                while (done < rows) {
                    int n = Math.min(batch, rows - done);
                    long a = System.nanoTime();
                    EventBatch b = gen.next(n);
                    GenericRow[] input = new GenericRow[n];
                    for (int i = 0; i < n; i++) {
                        input[i] = b.row(i);
                    }
                    long bt = System.nanoTime();
                    for (GenericRow r : input) {
                        write.write(r);
                    }
                    long id = batches + 1;
                    List<CommitMessage> messages = write.prepareCommit(true, id);
                    long c = System.nanoTime();
                    commit.commit(id, messages);
                    long d = System.nanoTime();
                    genNs += bt - a;
                    writeNs += c - bt;
                    commitNs += d - c;
                    batches++;
                    done += n;
                }
            }
            long loopNs = System.nanoTime() - t0;
            Long latest = table.snapshotManager().latestSnapshotId();
            ObjectNode out = NODES.objectNode();
            out.put("impl", "java");
            out.put("events", rows);
            out.put("batches", batches);
            out.put("snapshots", latest == null ? 0 : latest);
            out.put("genMs", genNs / 1e6);
            out.put("writeMs", writeNs / 1e6);
            out.put("commitMs", commitNs / 1e6);
            out.put("loopMs", loopNs / 1e6);
            return out;
        }
    }

    // ------------------------------------------------------------------ verify

    /**
     * Reads bench.cdc with Java's merge-on-read reader and compares its row count and content
     * digest with the generator's model; also reports the latest snapshot's live files.
     */
    static ObjectNode verify(String warehouse, int rows) throws Exception {
        ObjectNode out = digests(rows);
        out.put("impl", "java-verify");
        long t0 = System.nanoTime();
        try (Catalog catalog = Commands.catalog(warehouse, null)) {
            FileStoreTable table = Commands.table(catalog, TABLE);
            ReadBuilder rb = table.newReadBuilder();
            List<Split> splits = rb.newScan().plan().splits();
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            long[] sum = {0};
            long[] count = {0};
            long[] retracts = {0};
            StringBuilder sb = new StringBuilder();
            try (RecordReader<InternalRow> reader = rb.newRead().createReader(splits)) {
                reader.forEachRemaining(
                        row -> {
                            // the merge must have dropped every retraction (-D / -U)
                            if (row.getRowKind() == RowKind.DELETE
                                    || row.getRowKind() == RowKind.UPDATE_BEFORE) {
                                retracts[0]++;
                            }
                            sb.setLength(0);
                            String bits = Long.toHexString(Double.doubleToRawLongBits(row.getDouble(3)));
                            sb.append(row.getLong(0)).append('\t')
                                    .append(row.isNullAt(1) ? "\\N" : row.getString(1).toString()).append('\t')
                                    .append(row.getInt(2)).append('\t')
                                    .append("0000000000000000".substring(bits.length())).append(bits).append('\t')
                                    .append(row.getDecimal(4, 18, 2).toUnscaledLong()).append('\t')
                                    .append(row.getInt(5)).append('\t')
                                    .append(row.getTimestamp(6, 6).toMicros()).append('\t')
                                    .append(row.getBoolean(7) ? 1 : 0).append('\t')
                                    .append(row.getString(8).toString()).append('\t')
                                    .append(row.getLong(9));
                            sum[0] += rowHash(sha, sb.toString());
                            count[0]++;
                        });
            }
            out.put("tableRows", count[0]);
            out.put("tableDigest", hex64(sum[0]));
            out.put("retractRows", retracts[0]);
            out.put("match",
                    count[0] == out.get("finalRows").asLong()
                            && hex64(sum[0]).equals(out.get("contentDigest").asText())
                            && retracts[0] == 0);
            Snapshot latest = table.snapshotManager().latestSnapshot();
            out.put("latestSnapshotId", latest == null ? 0 : latest.id());
            long liveFiles = 0;
            long liveBytes = 0;
            TreeMap<Integer, Integer> levels = new TreeMap<>();
            if (latest != null) {
                for (ManifestEntry e : table.store().newScan().withSnapshot(latest).plan().files()) {
                    DataFileMeta f = e.file();
                    liveFiles++;
                    liveBytes += f.fileSize();
                    levels.merge(f.level(), 1, Integer::sum);
                }
            }
            out.put("liveFiles", liveFiles);
            out.put("liveFileBytes", liveBytes);
            ObjectNode lv = out.putObject("liveFilesByLevel");
            levels.forEach((k, v) -> lv.put(Integer.toString(k), v));
            out.put("readMs", (System.nanoTime() - t0) / 1e6);
        }
        return out;
    }
}
