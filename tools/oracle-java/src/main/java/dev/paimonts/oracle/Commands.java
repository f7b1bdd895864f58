package dev.paimonts.oracle;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.apache.paimon.CoreOptions;
import org.apache.paimon.Snapshot;
import org.apache.paimon.append.AppendCompactTask;
import org.apache.paimon.catalog.Catalog;
import org.apache.paimon.catalog.CatalogContext;
import org.apache.paimon.catalog.CatalogFactory;
import org.apache.paimon.catalog.Identifier;
import org.apache.paimon.data.BinaryRow;
import org.apache.paimon.data.GenericRow;
import org.apache.paimon.data.InternalRow;
import org.apache.paimon.disk.IOManager;
import org.apache.paimon.index.BucketAssigner;
import org.apache.paimon.index.DeletionVectorMeta;
import org.apache.paimon.index.HashBucketAssigner;
import org.apache.paimon.index.SimpleHashBucketAssigner;
import org.apache.paimon.index.IndexFileMeta;
import org.apache.paimon.io.DataFileMeta;
import org.apache.paimon.manifest.IndexManifestEntry;
import org.apache.paimon.manifest.ManifestEntry;
import org.apache.paimon.operation.BaseAppendFileStoreWrite;
import org.apache.paimon.options.Options;
import org.apache.paimon.reader.RecordReader;
import org.apache.paimon.schema.Schema;
import org.apache.paimon.schema.SchemaChange;
import org.apache.paimon.schema.SchemaManager;
import org.apache.paimon.table.BucketMode;
import org.apache.paimon.table.FileStoreTable;
import org.apache.paimon.table.Table;
import org.apache.paimon.table.sink.BatchTableCommit;
import org.apache.paimon.table.sink.BatchTableWrite;
import org.apache.paimon.table.sink.BatchWriteBuilder;
import org.apache.paimon.table.sink.CommitMessage;
import org.apache.paimon.table.sink.RowKeyExtractor;
import org.apache.paimon.table.sink.SinkRecord;
import org.apache.paimon.table.sink.TableWriteImpl;
import org.apache.paimon.table.source.ReadBuilder;
import org.apache.paimon.table.source.SnapshotNotExistPlan;
import org.apache.paimon.table.source.Split;
import org.apache.paimon.table.source.StreamTableScan;
import org.apache.paimon.table.source.TableRead;
import org.apache.paimon.table.source.TableScan;
import org.apache.paimon.types.DataField;
import org.apache.paimon.types.RowKind;
import org.apache.paimon.types.RowType;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/** The oracle's commands. Each returns the JSON document it prints. */
final class Commands {

    static final String PAIMON_VERSION = "1.4.2";

    private static final JsonNodeFactory NODES = JsonNodeFactory.withExactBigDecimals(true);

    private Commands() {}

    // ------------------------------------------------------------------ catalog

    /**
     * A fresh filesystem catalog. Catalog caching is switched off so that every call sees the
     * snapshots on disk; extra options (e.g. {@code hadoop.fs.s3a.endpoint}) are passed through.
     */
    static Catalog catalog(String warehouse, Map<String, String> extraOptions) {
        Options options = new Options();
        options.set("warehouse", warehouse);
        options.set("metastore", "filesystem");
        options.set("cache-enabled", "false");
        if (extraOptions != null) {
            extraOptions.forEach(options::set);
        }
        return CatalogFactory.createCatalog(CatalogContext.create(options));
    }

    static FileStoreTable table(Catalog catalog, String name) throws Exception {
        Table table = catalog.getTable(Identifier.fromString(name));
        if (!(table instanceof FileStoreTable)) {
            throw new IllegalArgumentException(
                    name + " is not a file store table: " + table.getClass().getName());
        }
        return (FileStoreTable) table;
    }

    // ------------------------------------------------------------------ read-table

    static ObjectNode readTable(
            String warehouse, String tableName, Long snapshot, String tag,
            Map<String, String> catalogOptions, Map<String, String> tableOptions)
            throws Exception {
        try (Catalog catalog = catalog(warehouse, catalogOptions)) {
            FileStoreTable table = table(catalog, tableName);
            Map<String, String> dynamic = new HashMap<>(tableOptions);
            if (snapshot != null) {
                dynamic.put("scan.snapshot-id", Long.toString(snapshot));
            }
            if (tag != null) {
                dynamic.put("scan.tag-name", tag);
            }
            if (!dynamic.isEmpty()) {
                table = table.copy(dynamic);
            }
            RowType rowType = table.rowType();
            ReadBuilder readBuilder = table.newReadBuilder();
            List<Split> splits = readBuilder.newScan().plan().splits();
            List<ObjectNode> rows = new ArrayList<>();
            try (RecordReader<InternalRow> reader = readBuilder.newRead().createReader(splits)) {
                reader.forEachRemaining(row -> rows.add(Canonical.encodeRow(row, rowType)));
            }
            sortByCompactJson(rows);

            ObjectNode out = NODES.objectNode();
            out.set("columns", columns(rowType));
            out.putArray("rows").addAll(rows);
            return out;
        }
    }

    private static ArrayNode columns(RowType rowType) {
        ArrayNode columns = NODES.arrayNode();
        for (DataField f : rowType.getFields()) {
            columns.addObject().put("name", f.name()).put("type", f.type().asSQLString());
        }
        return columns;
    }

    private static <T extends JsonNode> void sortByCompactJson(List<T> nodes) {
        Map<JsonNode, byte[]> keys = new java.util.IdentityHashMap<>();
        for (JsonNode n : nodes) {
            keys.put(n, Canonical.compactUtf8(n));
        }
        nodes.sort((a, b) -> Arrays.compareUnsigned(keys.get(a), keys.get(b)));
    }

    // ------------------------------------------------------------------ stream-read

    /**
     * Java Paimon's own streaming read ({@code scan.mode=from-snapshot}): calls
     * {@code StreamTableScan.plan()} until no snapshot at or below {@code toSnapshot} is left,
     * and reads each plan's splits in the order the scan returns them. The snapshot a plan
     * belongs to is the scan's checkpoint (next snapshot id) minus one, because the scan skips
     * snapshots without changes before it plans one and then moves past it.
     */
    static ObjectNode streamRead(
            String warehouse, String tableName, long fromSnapshot, Long toSnapshot,
            List<String> projection, Map<String, String> catalogOptions,
            Map<String, String> tableOptions) throws Exception {
        if (fromSnapshot < 1) {
            throw new IllegalArgumentException("fromSnapshot must be >= 1, got " + fromSnapshot);
        }
        try (Catalog catalog = catalog(warehouse, catalogOptions)) {
            FileStoreTable table = table(catalog, tableName);
            Map<String, String> dynamic = new HashMap<>(tableOptions);
            dynamic.put("scan.mode", "from-snapshot");
            dynamic.put("scan.snapshot-id", Long.toString(fromSnapshot));
            table = table.copy(dynamic);
            Long latest = table.snapshotManager().latestSnapshotId();
            long last = toSnapshot != null ? toSnapshot : latest == null ? 0L : latest;

            ReadBuilder readBuilder = table.newReadBuilder();
            RowType rowType = table.rowType();
            if (projection != null) {
                int[] indexes = new int[projection.size()];
                for (int i = 0; i < indexes.length; i++) {
                    indexes[i] = rowType.getFieldIndex(projection.get(i));
                    if (indexes[i] < 0) {
                        throw new IllegalArgumentException(
                                tableName + ": projection field '" + projection.get(i) + "' does not exist");
                    }
                }
                readBuilder = readBuilder.withProjection(indexes);
                rowType = rowType.project(indexes);
            }
            StreamTableScan scan = readBuilder.newStreamScan();
            TableRead read = readBuilder.newRead();

            ArrayNode snapshots = NODES.arrayNode();
            while (true) {
                Long before = scan.checkpoint();
                if (before != null && before > last) {
                    break;
                }
                TableScan.Plan plan = scan.plan();
                Long after = scan.checkpoint();
                if (before == null) {
                    // the starting plan of from-snapshot only positions the scan
                    if (!plan.splits().isEmpty()) {
                        throw new IllegalStateException(
                                "the starting plan of a from-snapshot scan returned splits");
                    }
                    if (after == null) {
                        break; // no snapshot at all
                    }
                    continue;
                }
                if (plan instanceof SnapshotNotExistPlan) {
                    // every snapshot from `before` on was skipped (or none exists): the
                    // checkpoint may have moved past skipped snapshots, nothing was planned
                    break;
                }
                if (after == null || after.equals(before)) {
                    throw new IllegalStateException(
                            "the streaming scan returned a plan without moving past snapshot " + before);
                }
                long snapshotId = after - 1;
                if (snapshotId > last) {
                    break;
                }
                Snapshot snapshot = table.snapshotManager().snapshot(snapshotId);
                ObjectNode s = snapshots.addObject();
                s.put("id", snapshotId);
                s.put("commitKind", snapshot.commitKind().name());
                s.put("splits", plan.splits().size());
                ArrayNode rows = s.putArray("rows");
                RowType type = rowType;
                for (Split split : plan.splits()) {
                    try (RecordReader<InternalRow> reader = read.createReader(split)) {
                        reader.forEachRemaining(row -> {
                            ObjectNode r = rows.addObject();
                            r.put("kind", row.getRowKind().shortString());
                            r.set("row", Canonical.encodeRow(row, type));
                        });
                    }
                }
            }
            ObjectNode out = NODES.objectNode();
            out.set("columns", columns(rowType));
            out.set("snapshots", snapshots);
            Long next = scan.checkpoint();
            if (next == null) {
                out.putNull("nextSnapshot");
            } else {
                out.put("nextSnapshot", next);
            }
            return out;
        }
    }

    // ------------------------------------------------------------------ describe

    static ObjectNode describe(
            String warehouse, String tableName, Map<String, String> catalogOptions,
            Map<String, String> tableOptions) throws Exception {
        try (Catalog catalog = catalog(warehouse, catalogOptions)) {
            FileStoreTable table = table(catalog, tableName);
            if (!tableOptions.isEmpty()) {
                table = table.copy(tableOptions);
            }
            ObjectNode out = NODES.objectNode();

            long schemaId = table.schema().id();
            SchemaManager schemaManager = new SchemaManager(table.fileIO(), table.location());
            String schemaText = table.fileIO().readFileUtf8(schemaManager.toSchemaPath(schemaId));
            out.set("schema", Canonical.MAPPER.readTree(schemaText));
            out.put("schemaId", schemaId);

            ArrayNode snapshots = out.putArray("snapshots");
            List<Snapshot> all = new ArrayList<>();
            Iterator<Snapshot> it = table.snapshotManager().snapshots();
            it.forEachRemaining(all::add);
            all.sort(Comparator.comparingLong(Snapshot::id));
            for (Snapshot s : all) {
                snapshots.addObject()
                        .put("id", s.id())
                        .put("commitKind", s.commitKind().name())
                        .put("schemaId", s.schemaId())
                        .put("totalRecordCount", s.totalRecordCount())
                        .put("deltaRecordCount", s.deltaRecordCount())
                        .put("commitUser", s.commitUser())
                        .put("commitIdentifier", Long.toString(s.commitIdentifier()));
            }

            Snapshot latest = table.snapshotManager().latestSnapshot();
            RowType partitionType = table.schema().logicalPartitionType();
            ArrayNode liveFiles = out.putArray("liveFiles");
            ArrayNode indexFiles = out.putArray("indexFiles");
            if (latest != null) {
                List<ObjectNode> files = new ArrayList<>();
                for (ManifestEntry e : table.store().newScan().withSnapshot(latest).plan().files()) {
                    DataFileMeta f = e.file();
                    ObjectNode n = NODES.objectNode();
                    n.set("partition", Canonical.encodeRow(e.partition(), partitionType));
                    n.put("bucket", e.bucket())
                            .put("totalBuckets", e.totalBuckets())
                            .put("level", f.level())
                            .put("rowCount", f.rowCount())
                            .put("deleteRowCount", f.deleteRowCount().orElse(0L))
                            .put("minSequenceNumber", f.minSequenceNumber())
                            .put("maxSequenceNumber", f.maxSequenceNumber())
                            .put("schemaId", f.schemaId());
                    if (f.firstRowId() == null) {
                        n.putNull("firstRowId");
                    } else {
                        n.put("firstRowId", f.firstRowId());
                    }
                    n.put("fileName", f.fileName());
                    files.add(n);
                }
                sortByCompactJson(files);
                liveFiles.addAll(files);

                List<ObjectNode> indexes = new ArrayList<>();
                List<IndexManifestEntry> entries =
                        table.store().newIndexFileHandler().scan(latest, e -> true);
                for (IndexManifestEntry e : entries) {
                    IndexFileMeta meta = e.indexFile();
                    ObjectNode n = NODES.objectNode();
                    n.put("kind", e.kind().name());
                    n.set("partition", Canonical.encodeRow(e.partition(), partitionType));
                    n.put("bucket", e.bucket())
                            .put("indexType", meta.indexType())
                            .put("fileName", meta.fileName())
                            .put("fileSize", meta.fileSize())
                            .put("rowCount", meta.rowCount());
                    LinkedHashMap<String, DeletionVectorMeta> dvRanges = meta.dvRanges();
                    if (dvRanges != null) {
                        ObjectNode ranges = n.putObject("dvRanges");
                        for (DeletionVectorMeta dv : dvRanges.values()) {
                            ObjectNode r = ranges.putObject(dv.dataFileName());
                            r.put("offset", dv.offset()).put("length", dv.length());
                            if (dv.cardinality() == null) {
                                r.putNull("cardinality");
                            } else {
                                r.put("cardinality", dv.cardinality());
                            }
                        }
                    }
                    indexes.add(n);
                }
                sortByCompactJson(indexes);
                indexFiles.addAll(indexes);
            }
            return out;
        }
    }

    // ------------------------------------------------------------------ write

    static ObjectNode write(JsonNode spec) throws Exception {
        String warehouse = requiredText(spec, "warehouse");
        String tableName = requiredText(spec, "table");
        Identifier identifier = Identifier.fromString(tableName);
        ArrayNode snapshotIds = NODES.arrayNode();
        Map<String, String> tableOptions = stringMap(spec.get("tableOptions"));
        try (Catalog catalog = catalog(warehouse, stringMap(spec.get("catalogOptions")))) {
            JsonNode create = spec.get("create");
            if (create != null && !create.isNull()) {
                catalog.createDatabase(identifier.getDatabaseName(), true);
                catalog.createTable(identifier, schema(create), true);
            }
            JsonNode commits = spec.get("commits");
            if (commits != null && !commits.isNull()) {
                if (!commits.isArray()) {
                    throw new IllegalArgumentException("'commits' must be an array");
                }
                int index = 0;
                for (JsonNode commit : commits) {
                    try {
                        FileStoreTable table = table(catalog, tableName);
                        if (!tableOptions.isEmpty()) {
                            table = table.copy(tableOptions);
                        }
                        if (commit.has("alter")) {
                            catalog.alterTable(identifier, schemaChanges(commit.get("alter")), false);
                        } else {
                            runCommit(table, commit);
                        }
                    } catch (Exception e) {
                        throw new IllegalStateException("commit #" + index + " failed", e);
                    }
                    Long id = table(catalog, tableName).snapshotManager().latestSnapshotId();
                    snapshotIds.add(id == null ? NODES.nullNode() : NODES.numberNode(id));
                    index++;
                }
            }
            Long latest = table(catalog, tableName).snapshotManager().latestSnapshotId();
            ObjectNode out = NODES.objectNode();
            out.set("snapshots", snapshotIds);
            if (latest == null) {
                out.putNull("latestSnapshotId");
            } else {
                out.put("latestSnapshotId", latest);
            }
            return out;
        }
    }

    private static Schema schema(JsonNode create) {
        Schema.Builder builder = Schema.newBuilder();
        JsonNode fields = create.get("fields");
        if (fields == null || !fields.isArray() || fields.size() == 0) {
            throw new IllegalArgumentException("'create.fields' must be a non-empty array");
        }
        for (JsonNode f : fields) {
            JsonNode description = f.get("description");
            builder.column(
                    requiredText(f, "name"),
                    TypeParser.parse(requiredText(f, "type")),
                    description == null || description.isNull() ? null : description.asText());
        }
        builder.primaryKey(stringList(create.get("primaryKeys")));
        builder.partitionKeys(stringList(create.get("partitionKeys")));
        builder.options(stringMap(create.get("options")));
        JsonNode comment = create.get("comment");
        if (comment != null && !comment.isNull()) {
            builder.comment(comment.asText());
        }
        return builder.build();
    }

    /**
     * The schema changes of an {@code "alter"} commit, applied in one
     * {@code Catalog.alterTable} call (so one new schema version, no snapshot):
     * {@code addColumn {name, type, after?, first?, description?}}, {@code renameColumn {from, to}},
     * {@code dropColumn "name"}, {@code updateColumnType {name, type}},
     * {@code setOption {key, value}}, {@code removeOption "key"}.
     */
    private static List<SchemaChange> schemaChanges(JsonNode alter) {
        if (alter == null || !alter.isArray()) {
            throw new IllegalArgumentException("'alter' must be an array of schema changes");
        }
        List<SchemaChange> changes = new ArrayList<>();
        for (JsonNode c : alter) {
            if (!c.isObject() || c.size() != 1) {
                throw new IllegalArgumentException("a schema change must be an object with one key, got " + c);
            }
            String kind = c.fieldNames().next();
            JsonNode arg = c.get(kind);
            switch (kind) {
                case "addColumn": {
                    String name = requiredText(arg, "name");
                    JsonNode description = arg.get("description");
                    SchemaChange.Move move = null;
                    if (arg.hasNonNull("after")) {
                        move = SchemaChange.Move.after(name, arg.get("after").asText());
                    } else if (arg.path("first").asBoolean(false)) {
                        move = SchemaChange.Move.first(name);
                    }
                    changes.add(SchemaChange.addColumn(
                            name,
                            TypeParser.parse(requiredText(arg, "type")),
                            description == null || description.isNull() ? null : description.asText(),
                            move));
                    break;
                }
                case "renameColumn":
                    changes.add(SchemaChange.renameColumn(requiredText(arg, "from"), requiredText(arg, "to")));
                    break;
                case "dropColumn":
                    changes.add(SchemaChange.dropColumn(arg.asText()));
                    break;
                case "updateColumnType":
                    changes.add(SchemaChange.updateColumnType(
                            requiredText(arg, "name"), TypeParser.parse(requiredText(arg, "type"))));
                    break;
                case "setOption":
                    changes.add(SchemaChange.setOption(requiredText(arg, "key"), requiredText(arg, "value")));
                    break;
                case "removeOption":
                    changes.add(SchemaChange.removeOption(arg.asText()));
                    break;
                default:
                    throw new IllegalArgumentException("unknown schema change '" + kind + "'");
            }
        }
        return changes;
    }

    /**
     * A scratch-disk manager for the write: lookup-based writers (deletion vectors,
     * first-row, changelog-producer=lookup) spill their lookup files there.
     */
    private static IOManager ioManager() {
        return IOManager.create(System.getProperty("java.io.tmpdir"));
    }

    private static BatchTableWrite newWrite(BatchWriteBuilder builder, IOManager ioManager) {
        return (BatchTableWrite) builder.newWrite().withIOManager(ioManager);
    }

    private static void runCommit(FileStoreTable table, JsonNode commit) throws Exception {
        if (commit.path("truncate").asBoolean(false)) {
            try (BatchTableCommit tableCommit = table.newBatchWriteBuilder().newCommit()) {
                tableCommit.truncateTable();
            }
            return;
        }
        JsonNode compactOnly = commit.get("compactOnly");
        if (compactOnly != null && !compactOnly.isNull()) {
            requireFull(compactOnly);
            BatchWriteBuilder builder = table.newBatchWriteBuilder();
            try (IOManager ioManager = ioManager();
                    BatchTableWrite write = newWrite(builder, ioManager);
                    BatchTableCommit tableCommit = builder.newCommit()) {
                List<CommitMessage> messages = new ArrayList<>();
                if (isUnawareAppend(table)) {
                    messages.addAll(compactUnawareAppend(table, (TableWriteImpl<?>) write));
                } else {
                    for (PartitionBucket pb : liveBuckets(table)) {
                        write.compact(pb.partition, pb.bucket, true);
                    }
                }
                messages.addAll(write.prepareCommit());
                tableCommit.commit(messages);
            }
            return;
        }

        BatchWriteBuilder builder = table.newBatchWriteBuilder();
        JsonNode overwrite = commit.get("overwrite");
        boolean overwriting = false;
        if (overwrite != null && overwrite.isObject()) {
            builder = builder.withOverwrite(stringMap(overwrite));
            overwriting = true;
        } else if (overwrite != null && overwrite.asBoolean(false)) {
            builder = builder.withOverwrite();
            overwriting = true;
        }
        JsonNode compact = commit.get("compact");
        boolean fullCompact = compact != null && !compact.isNull();
        if (fullCompact) {
            requireFull(compact);
        }

        RowType rowType = table.rowType();
        try (IOManager ioManager = ioManager();
                BatchTableWrite write = newWrite(builder, ioManager);
                BatchTableCommit tableCommit = builder.newCommit()) {
            TableWriteImpl<?> writeImpl = (TableWriteImpl<?>) write;
            BucketAssigner assigner = dynamicBucketAssigner(table, overwriting);
            RowKeyExtractor keyExtractor = assigner == null ? null : table.createRowKeyExtractor();
            Set<PartitionBucket> touched = new LinkedHashSet<>();
            JsonNode rows = commit.path("rows");
            int i = 0;
            for (JsonNode entry : rows) {
                GenericRow row;
                try {
                    row = toRow(entry, rowType);
                } catch (RuntimeException e) {
                    throw new IllegalArgumentException("rows[" + i + "]: " + e.getMessage(), e);
                }
                SinkRecord record;
                if (assigner == null) {
                    record = writeImpl.writeAndReturn(row);
                } else {
                    keyExtractor.setRecord(row);
                    int bucket =
                            assigner.assign(
                                    keyExtractor.partition(),
                                    keyExtractor.trimmedPrimaryKey().hashCode());
                    record = writeImpl.writeAndReturn(row, bucket);
                }
                if (record != null) {
                    touched.add(new PartitionBucket(record.partition().copy(), record.bucket()));
                }
                i++;
            }
            boolean unawareAppend = isUnawareAppend(table);
            if (fullCompact && !unawareAppend) {
                Set<PartitionBucket> buckets = new LinkedHashSet<>(touched);
                if (!overwriting) {
                    buckets.addAll(liveBuckets(table));
                }
                for (PartitionBucket pb : buckets) {
                    write.compact(pb.partition, pb.bucket, true);
                }
            }
            tableCommit.commit(write.prepareCommit());
            if (fullCompact && unawareAppend) {
                // Unaware-bucket append tables compact files that are already committed,
                // so the compaction is a second commit (snapshot) right after this one.
                runCommit(table.copyWithLatestSchema(), NODES.objectNode().put("compactOnly", "full"));
            }
        }
    }

    /**
     * Dynamic-bucket (bucket = -1) primary-key tables need the caller to pick the bucket, as
     * Paimon's Flink/Spark sinks do: a {@link HashBucketAssigner} that knows the existing HASH
     * index, or a fresh {@link SimpleHashBucketAssigner} when the data is overwritten.
     */
    private static BucketAssigner dynamicBucketAssigner(FileStoreTable table, boolean overwriting) {
        BucketMode mode = table.bucketMode();
        if (mode == BucketMode.KEY_DYNAMIC) {
            throw new UnsupportedOperationException(
                    "writing cross-partition-update dynamic-bucket tables (primary key without"
                            + " all partition keys) is not supported by the oracle");
        }
        if (mode != BucketMode.HASH_DYNAMIC) {
            return null;
        }
        CoreOptions options = table.coreOptions();
        long targetRows = options.dynamicBucketTargetRowNum();
        Integer max = options.dynamicBucketMaxBuckets();
        int maxBuckets = max == null ? -1 : max;
        if (overwriting) {
            return new SimpleHashBucketAssigner(1, 0, targetRows, maxBuckets);
        }
        return new HashBucketAssigner(
                table.snapshotManager(),
                "oracle-" + UUID.randomUUID(),
                table.store().newIndexFileHandler(),
                1,
                1,
                0,
                targetRows,
                maxBuckets);
    }

    private static GenericRow toRow(JsonNode entry, RowType rowType) {
        JsonNode values = entry;
        RowKind kind = RowKind.INSERT;
        if (entry.isObject() && entry.has("row")) {
            values = entry.get("row");
            JsonNode k = entry.get("kind");
            if (k != null && !k.isNull()) {
                kind = RowKind.fromShortString(k.asText());
            }
        }
        GenericRow row = Canonical.decodeRow(values, rowType);
        row.setRowKind(kind);
        return row;
    }

    private static boolean isUnawareAppend(FileStoreTable table) {
        return table.primaryKeys().isEmpty() && table.bucketMode() == BucketMode.BUCKET_UNAWARE;
    }

    /**
     * Full compaction of an unaware-bucket append table: every partition that has more than one
     * data file is rewritten by one {@link AppendCompactTask} holding all of its files.
     */
    private static List<CommitMessage> compactUnawareAppend(
            FileStoreTable table, TableWriteImpl<?> write) throws Exception {
        Snapshot latest = table.snapshotManager().latestSnapshot();
        List<CommitMessage> messages = new ArrayList<>();
        if (latest == null) {
            return messages;
        }
        Map<BinaryRow, List<DataFileMeta>> byPartition = new LinkedHashMap<>();
        for (ManifestEntry e : table.store().newScan().withSnapshot(latest).plan().files()) {
            byPartition.computeIfAbsent(e.partition().copy(), p -> new ArrayList<>()).add(e.file());
        }
        BaseAppendFileStoreWrite fileStoreWrite = (BaseAppendFileStoreWrite) write.getWrite();
        for (Map.Entry<BinaryRow, List<DataFileMeta>> e : byPartition.entrySet()) {
            if (e.getValue().size() > 1) {
                messages.add(new AppendCompactTask(e.getKey(), e.getValue()).doCompact(table, fileStoreWrite));
            }
        }
        return messages;
    }

    /** (partition, bucket) pairs holding live data files in the latest snapshot. */
    private static Set<PartitionBucket> liveBuckets(FileStoreTable table) {
        if (table.bucketMode() == BucketMode.POSTPONE_MODE) {
            throw new UnsupportedOperationException(
                    "full compaction of postpone-bucket (bucket = -2) tables is not supported"
                            + " by the oracle");
        }
        Set<PartitionBucket> result = new LinkedHashSet<>();
        Snapshot latest = table.snapshotManager().latestSnapshot();
        if (latest == null) {
            return result;
        }
        for (ManifestEntry e : table.store().newScan().withSnapshot(latest).plan().files()) {
            result.add(new PartitionBucket(e.partition().copy(), e.bucket()));
        }
        return result;
    }

    private static void requireFull(JsonNode node) {
        if (!"full".equals(node.asText())) {
            throw new IllegalArgumentException("only \"full\" compaction is supported, got " + node);
        }
    }

    // ------------------------------------------------------------------ version

    static ObjectNode version() {
        ObjectNode out = NODES.objectNode();
        out.put("paimon", PAIMON_VERSION);
        out.put("java", System.getProperty("java.version"));
        return out;
    }

    // ------------------------------------------------------------------ helpers

    static String requiredText(JsonNode node, String field) {
        JsonNode v = node == null ? null : node.get(field);
        if (v == null || !v.isTextual()) {
            throw new IllegalArgumentException("missing string field '" + field + "'");
        }
        return v.textValue();
    }

    static Map<String, String> stringMap(JsonNode node) {
        Map<String, String> map = new LinkedHashMap<>();
        if (node == null || node.isNull()) {
            return map;
        }
        if (!node.isObject()) {
            throw new IllegalArgumentException("expected a JSON object of strings, got " + node);
        }
        node.fields().forEachRemaining(e -> map.put(e.getKey(), e.getValue().asText()));
        return map;
    }

    private static List<String> stringList(JsonNode node) {
        List<String> list = new ArrayList<>();
        if (node != null && !node.isNull()) {
            node.forEach(n -> list.add(n.asText()));
        }
        return list;
    }

    private static final class PartitionBucket {
        final BinaryRow partition;
        final int bucket;

        PartitionBucket(BinaryRow partition, int bucket) {
            this.partition = partition;
            this.bucket = bucket;
        }

        @Override
        public boolean equals(Object o) {
            if (!(o instanceof PartitionBucket)) {
                return false;
            }
            PartitionBucket other = (PartitionBucket) o;
            return bucket == other.bucket && partition.equals(other.partition);
        }

        @Override
        public int hashCode() {
            return partition.hashCode() * 31 + bucket;
        }
    }
}
