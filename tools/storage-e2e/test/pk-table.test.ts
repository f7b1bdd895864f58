/**
 * Storage item 1: paimon-core writes a partitioned primary-key table on each remote
 * backend — inserts, updates, deletes over several commits, a full compaction, more
 * changes on top — and every reader sees the same table at every snapshot:
 * * S3 and HDFS: Java Paimon 1.4.2 (its own s3:// plugin / the HDFS client) from the same
 *   server, and paimon-core; Java then commits on top (rows + a full compaction) and
 *   paimon-core reads Java's files back; local disk goes through the same steps as the
 *   control (a difference only on a server would be the storage's);
 * * OSS (no Java OSS file system here): paimon-core.
 * The reference is a model of the deduplicate merge engine.
 */
import { FileSystemCatalog, type FileStoreTable } from "@paimon-ts/paimon-core";
import { openJava } from "../src/java.js";
import { ensureOssBucket, ensureS3Bucket, fileIO, newWarehouse, removeWarehouse, serverLive, type Backend } from "../src/servers.js";
import { ORDERS, applyChanges, createTable, multiset, orderCommits, order, ourRows, snapshotsOf, writeAndCommit, type Change, type Row } from "../src/workload.js";
import { describeWith } from "./live.js";

jest.setTimeout(240_000);

const java = openJava(); // also for the local control
if (serverLive("s3")) java?.warmUpS3();
afterAll(() => java?.close());

const TABLE = "db.orders";
const USER = "storage-e2e-writer";
const KEYS = ORDERS.primaryKeys!;

interface Written {
  warehouse: string;
  table: FileStoreTable;
  /** The model after each snapshot, by snapshot id. */
  states: Map<bigint, Row[]>;
  model: Map<string, Row>;
}

/** Four commits of changes with a full compaction after the third; checks what each commit returned. */
async function writeOrders(backend: Backend): Promise<Written> {
  if (backend === "s3") await ensureS3Bucket();
  if (backend === "oss") await ensureOssBucket();
  const warehouse = newWarehouse(backend, "pk");
  const io = await fileIO(warehouse);
  const table = await createTable(new FileSystemCatalog(io, warehouse), TABLE, ORDERS);
  const states = new Map<bigint, Row[]>();
  let model = new Map<string, Row>();
  const [c1, c2, c3, c4] = orderCommits();
  const steps: { changes: Change[]; compact?: boolean; kinds: string[] }[] = [
    { changes: c1, kinds: ["APPEND"] },
    { changes: c2, kinds: ["APPEND"] },
    { changes: c3, kinds: ["APPEND"] },
    { changes: [], compact: true, kinds: ["COMPACT"] },
    { changes: c4, kinds: ["APPEND"] },
  ];
  let identifier = 0n;
  for (const s of steps) {
    identifier++;
    const { ids } = await writeAndCommit(table, s.changes, { commitUser: USER, identifier, compactFull: s.compact });
    expect(ids).toHaveLength(s.kinds.length);
    model = applyChanges(model, s.changes, KEYS);
    for (const id of ids) states.set(id, [...model.values()]);
  }
  const snaps = await snapshotsOf(table);
  expect(snaps.map((s) => [Number(s.id), s.commitKind, s.commitUser, Number(s.commitIdentifier)])).toEqual(
    steps.map((s, i) => [i + 1, s.kinds[0], USER, i + 1]),
  );
  expect(snaps.at(-1)!.totalRecordCount).toBeGreaterThan(0n);
  return { warehouse, table, states, model };
}

async function expectOurReads(w: Written): Promise<void> {
  for (const [id, rows] of w.states) expect({ id, rows: multiset(await ourRows(w.table, id)) }).toEqual({ id, rows: multiset(rows) });
  expect(multiset(await ourRows(w.table))).toEqual(multiset([...w.model.values()]));
}

const cleanup: string[] = [];
afterAll(async () => {
  for (const w of cleanup) await removeWarehouse(w);
});

// local disk first: the control (the same code without a network), then the two servers Java reads from
for (const backend of ["local", "s3", "hdfs"] as const) {
  describeWith([backend], `${backend}: paimon-core writes, Java Paimon and paimon-core read`, () => {
    it.concurrent("a partitioned primary-key table with updates, deletes and a compaction reads identically at every snapshot", async () => {
      const w = await writeOrders(backend);
      cleanup.push(w.warehouse);
      expect(w.model.size).toBeGreaterThan(20);

      await expectOurReads(w);
      // Java, from the same server, at every snapshot (on S3, where Java's S3A client is chatty and moto
      // slow, at the last one before the compaction and at the compaction) and at the latest
      for (const [id, rows] of w.states) {
        if (backend === "s3" && id !== 3n && id !== 4n) continue;
        const got = await java!.read(backend, w.warehouse, TABLE, id);
        expect({ id, rows: multiset(got.rows) }).toEqual({ id, rows: multiset(rows) });
      }
      const latest = await java!.read(backend, w.warehouse, TABLE);
      expect(latest.columns.map((c) => `${c.name} ${c.type}`)).toEqual([
        "dt STRING NOT NULL",
        "id INT NOT NULL",
        "name STRING",
        "qty BIGINT",
        "price DECIMAL(10, 2)",
        "ts TIMESTAMP(3)",
        "ok BOOLEAN",
        "score DOUBLE",
      ]);
      expect(multiset(latest.rows)).toEqual(multiset([...w.model.values()]));

      // Java's view of the metadata: the commits, and compacted plus newer level-0 files in every partition
      const d = await java!.describe(backend, w.warehouse, TABLE);
      expect(d.snapshots.map((s) => [s.id, s.commitKind, s.commitUser, s.commitIdentifier])).toEqual([
        [1, "APPEND", USER, "1"],
        [2, "APPEND", USER, "2"],
        [3, "APPEND", USER, "3"],
        [4, "COMPACT", USER, "4"],
        [5, "APPEND", USER, "5"],
      ]);
      expect(d.snapshots.at(-1)!.totalRecordCount).toBe(Number((await snapshotsOf(w.table)).at(-1)!.totalRecordCount));
      expect(new Set(d.liveFiles.map((f) => f.level))).toEqual(new Set([0, 5]));
      expect(new Set(d.liveFiles.map((f) => f.partition.dt))).toEqual(new Set(["2024-01-01", "2024-01-02", "2024-01-03"]));
      expect(d.liveFiles.every((f) => f.totalBuckets === 2)).toBe(true);

      // Java commits on top of our files (an update, a delete, an insert, and a full compaction: APPEND +
      // COMPACT); we read Java's files
      const more: Change[] = [
        { kind: "+U", row: order("2024-01-01", 1, 7) },
        { kind: "-D", row: order("2024-01-02", 5, 0) },
        { kind: "+I", row: order("2024-01-04", 1, 0) },
      ];
      const r = await java!.write(backend, w.warehouse, TABLE, [{ rows: more, compact: "full" }]);
      expect(r.latestSnapshotId).toBe(7);
      const model = [...applyChanges(w.model, more, KEYS).values()];
      expect(multiset(await ourRows(w.table))).toEqual(multiset(model));
      expect(multiset(await ourRows(w.table, 6))).toEqual(multiset(model));
      expect(multiset((await java!.read(backend, w.warehouse, TABLE)).rows)).toEqual(multiset(model));
      const after = await java!.describe(backend, w.warehouse, TABLE);
      expect(after.liveFiles.every((f) => f.level === 5)).toBe(true);
    });
  }, { ok: java !== undefined, why: "Java oracle with s3:// (bash tools/oracle-java/install.sh)" });
}

describeWith(["oss"], "oss: paimon-core writes and reads", () => {
  it.concurrent("a partitioned primary-key table with updates, deletes and a compaction reads back identically at every snapshot", async () => {
    const w = await writeOrders("oss");
    cleanup.push(w.warehouse);
    await expectOurReads(w);
    const files: string[] = [];
    for await (const f of w.table.io.listRecursive(w.table.path)) files.push(f.path.slice(w.table.path.length + 1));
    // the layout Java expects: partition directories with bucket directories, metadata beside them
    expect(files.some((p) => /^dt=2024-01-03\/bucket-[01]\/data-.*\.parquet$/.test(p))).toBe(true);
    expect(files.filter((p) => /^snapshot\/snapshot-\d+$/.test(p)).sort()).toEqual([1, 2, 3, 4, 5].map((i) => `snapshot/snapshot-${i}`));
    expect(files).toContain("snapshot/LATEST");
    expect(files.some((p) => /^manifest\/manifest-list-/.test(p))).toBe(true);
  });
});
