/**
 * Incremental reads against Java Paimon's streaming read. Tables are written by Java
 * (the oracle's `write`), then for every table the snapshots our streaming position
 * (`nextSnapshotWithChanges`) visits, and the changes `readSnapshotChanges` returns for
 * each, must equal what Java's streaming scan (`stream-read`, scan.mode=from-snapshot)
 * plans and reads: the same snapshot ids, per snapshot the same multiset of
 * (row kind, row), and per primary key the same sequence of records (Java's order within a
 * bucket is file order).
 */
import { openOracle, rowMultiset, type StreamReadResult, type WriteSpec } from "@paimon-ts/oracle";
import { FileSystemCatalog } from "../src/catalog/catalog.js";
import { canonicalEncode } from "../src/data/canonical.js";
import { vectorGet } from "../src/data/vector.js";
import { planScan } from "../src/read/scan.js";
import { nextSnapshotWithChanges, planSnapshotChanges, readChanges, readSnapshotChanges, SnapshotOutOfRangeError, type ChangesOptions } from "../src/read/changes.js";
import { compareStream, ourStream } from "./read-changes-helpers.js";
import { io, tempWarehouse } from "./write-helpers.js";

const compare = (wh: string, name: string, pk: string[], opts: ChangesOptions = {}, from = 1): Promise<StreamReadResult> => compareStream(java!, wh, name, pk, opts, from);

jest.setTimeout(300_000);

const java = openOracle("java");
const withJava = java ? describe : describe.skip;
afterAll(async () => {
  await java?.close();
});

const kindsOf = (r: StreamReadResult) => new Set(r.snapshots.flatMap((s) => s.rows.map((x) => x.kind)));
const ins = (id: number, v: string, n: number, dt = "a") => ({ kind: "+I" as const, row: { id: String(id), dt, v, n } });
const upd = (id: number, v: string, n: number, dt = "a") => ({ kind: "+U" as const, row: { id: String(id), dt, v, n } });
const ub = (id: number, v: string, n: number, dt = "a") => ({ kind: "-U" as const, row: { id: String(id), dt, v, n } });
const del = (id: number, v: string, n: number, dt = "a") => ({ kind: "-D" as const, row: { id: String(id), dt, v, n } });

const FIELDS = [
  { name: "id", type: "BIGINT NOT NULL" },
  { name: "dt", type: "STRING NOT NULL" },
  { name: "v", type: "STRING" },
  { name: "n", type: "INT" },
];

/** A CDC-ish history: inserts over several buckets and partitions, updates with and without -U, deletes, a key changed twice in one commit, compaction, more changes. */
function history(): WriteSpec["commits"] {
  const first = [];
  for (let i = 0; i < 12; i++) first.push(ins(i, `v${i}`, i, i % 2 === 0 ? "a" : "b"));
  return [
    { rows: first },
    { rows: [ub(1, "v1", 1, "b"), upd(1, "v1x", 10, "b"), upd(2, "v2x", 20), del(3, "v3", 3, "b"), ins(100, "new", 100, "b")] },
    { rows: [upd(4, "v4a", 41), upd(4, "v4b", 42), del(5, "v5", 5, "b"), ins(5, "back", 55, "b")], compact: "full" },
    { rows: [del(100, "new", 100, "b"), upd(6, "v6x", 60), ins(200, "late", 200)] },
  ];
}

withJava("readSnapshotChanges equals Java's streaming read", () => {
  const cases: [string, Record<string, string>, string[]][] = [
    ["none, 2 buckets", { bucket: "2" }, []],
    ["none, deletion vectors", { bucket: "2", "deletion-vectors.enabled": "true" }, []],
    ["none, dynamic bucket", { bucket: "-1", "dynamic-bucket.target-row-num": "3" }, ["dt"]],
    ["input, partitioned", { bucket: "2", "changelog-producer": "input" }, ["dt"]],
    ["lookup", { bucket: "2", "changelog-producer": "lookup" }, []],
    ["lookup, partitioned, deletion vectors", { bucket: "2", "changelog-producer": "lookup", "deletion-vectors.enabled": "true" }, ["dt"]],
    ["lookup, dynamic bucket, partitioned", { bucket: "-1", "changelog-producer": "lookup", "dynamic-bucket.target-row-num": "3" }, ["dt"]],
    ["full-compaction", { bucket: "2", "changelog-producer": "full-compaction" }, []],
    ["lookup, avro files", { bucket: "1", "changelog-producer": "lookup", "file.format": "avro" }, []],
  ];
  it.each(cases)("primary-key table, changelog-producer %s", async (label, options, partitionKeys) => {
    const wh = tempWarehouse("changes-java-");
    const pk = partitionKeys.length > 0 ? ["id", "dt"] : ["id"];
    const producer = options["changelog-producer"] ?? "none";
    // full-compaction writes a changelog only when it compacts: compact once more at the end
    const commits = producer === "full-compaction" ? [...history(), { compactOnly: "full" as const }] : history();
    await java!.write({ warehouse: wh, table: "db.t", create: { fields: FIELDS, primaryKeys: pk, partitionKeys, options }, commits });
    const j = await compare(wh, "db.t", pk);
    expect(j.snapshots.length).toBeGreaterThanOrEqual(producer === "full-compaction" ? 2 : 4);
    if (producer === "lookup" || producer === "full-compaction") expect(j.snapshots.every((s) => s.commitKind === "COMPACT")).toBe(true);
    else expect(j.snapshots.every((s) => s.commitKind === "APPEND")).toBe(true);
    expect(kindsOf(j).has("-D")).toBe(true);
    if (producer !== "none") expect(kindsOf(j).has("-U")).toBe(true);
    // projection: Java's and ours agree, partition filter: only that partition's records
    await compare(wh, "db.t", pk, { projection: ["v", "id"] });
    if (partitionKeys.length > 0) {
      const table = await new FileSystemCatalog(io, wh).getTable("db.t");
      const snaps = (await ourStream(wh, "db.t")).map((s) => s.id);
      for (const id of snaps) {
        const all = await readSnapshotChanges(table, BigInt(id));
        const onlyA = await readSnapshotChanges(table, BigInt(id), { partitionFilter: (p) => p[0] === "a" });
        const count = (c: typeof all, dt?: string) => c.batches.filter((b) => dt === undefined || b.partitionValues[0] === dt).reduce((s, b) => s + b.numRows, 0);
        expect(count(onlyA)).toBe(count(all, "a"));
        expect(onlyA.batches.every((b) => b.partitionValues[0] === "a")).toBe(true);
      }
    }
    void label;
  });

  it("large change files are read a row group at a time", async () => {
    const wh = tempWarehouse("changes-java-chunks-");
    const many = (from: number, n: number, v: string) => Array.from({ length: n }, (_, i) => ins(from + i, `${v}${from + i}`.padEnd(40, "x"), from + i));
    for (const [name, options] of [
      ["db.lk", { bucket: "1", "changelog-producer": "lookup", "deletion-vectors.enabled": "true", "parquet.block.size": "4096" }],
      ["db.ap", { bucket: "-1", "parquet.block.size": "4096" }],
    ] as const) {
      const pk = name === "db.lk" ? ["id"] : [];
      await java!.write({
        warehouse: wh,
        table: name,
        create: { fields: FIELDS, primaryKeys: pk, options },
        commits: [{ rows: many(0, 3000, "a") }, { rows: [...many(1000, 1000, "b"), ...many(5000, 500, "c")] }],
      });
      const j = await compare(wh, name, pk);
      const last = j.snapshots[j.snapshots.length - 1];
      const table = await new FileSystemCatalog(io, wh).getTable(name);
      const plan = await planSnapshotChanges(table, BigInt(last.id));
      const files = plan.splits.reduce((n, x) => n + x.files.length, 0);
      let chunks = 0;
      let rows = 0;
      const positions = new Map<string, number>();
      for await (const b of readChanges(table, plan)) {
        chunks++;
        rows += b.numRows;
        // chunks of a file follow each other, positions counting on
        expect(b.firstRowPosition).toBe(positions.get(b.fileName) ?? 0);
        positions.set(b.fileName, b.firstRowPosition + b.numRows);
      }
      expect(rows).toBe(last.rows.length);
      expect(rows).toBeGreaterThanOrEqual(1500);
      expect(chunks).toBeGreaterThan(files);
    }
  });

  it("deletion vectors drop rows by their position in the file, across row groups", async () => {
    // streamed snapshots rarely carry vectors for the files they add, so read a snapshot's
    // compacted files with its vectors (planScan's splits) as a change plan: the rows left
    // must be the table as Java reads it
    const wh = tempWarehouse("changes-java-dv-");
    const many = (from: number, n: number, v: string) => Array.from({ length: n }, (_, i) => ins(from + i, `${v}${from + i}`.padEnd(40, "x"), from + i));
    await java!.write({
      warehouse: wh,
      table: "db.dv",
      create: { fields: FIELDS, primaryKeys: ["id"], options: { bucket: "1", "deletion-vectors.enabled": "true", "parquet.block.size": "4096" } },
      commits: [{ rows: many(0, 3000, "a") }, { rows: [...many(1000, 700, "b"), del(2500, "", 0)] }],
    });
    const table = await new FileSystemCatalog(io, wh).getTable("db.dv");
    const scan = await planScan(table);
    expect(scan.splits.some((x) => x.deletionFiles.size > 0)).toBe(true);
    const plan = { snapshot: scan.snapshot!, source: "delta" as const, schema: scan.schema, fields: scan.schema.fields, splits: scan.splits };
    const rows: Record<string, unknown>[] = [];
    let chunks = 0;
    for await (const b of readChanges(table, plan)) {
      chunks++;
      for (let i = 0; i < b.numRows; i++) rows.push(Object.fromEntries(plan.fields.map((f, c) => [f.name, canonicalEncode(f.type, vectorGet(b.columns[c], i))])));
    }
    expect(chunks).toBeGreaterThan(scan.splits.reduce((n, x) => n + x.files.length, 0));
    const j = await java!.readTable(wh, "db.dv");
    expect(rows.length).toBe(2999);
    expect(rowMultiset(rows)).toEqual(rowMultiset(j.rows));
  });

  it("append-only tables: unaware-bucket with compaction and a fixed-bucket one", async () => {
    const wh = tempWarehouse("changes-java-append-");
    const rows = (from: number, dt: string) => Array.from({ length: 5 }, (_, i) => ins(from + i, `r${from + i}`, from + i, dt));
    const commits: WriteSpec["commits"] = [{ rows: rows(0, "a") }, { rows: [...rows(10, "a"), ...rows(20, "b")], compact: "full" }, { rows: rows(30, "b") }];
    await java!.write({ warehouse: wh, table: "db.unaware", create: { fields: FIELDS, partitionKeys: ["dt"], options: { bucket: "-1" } }, commits });
    await java!.write({ warehouse: wh, table: "db.fixed", create: { fields: FIELDS, options: { bucket: "3", "bucket-key": "id" } }, commits });
    for (const name of ["db.unaware", "db.fixed"]) {
      const j = await compare(wh, name, []);
      expect(j.snapshots.map((s) => s.rows.length)).toEqual([5, 10, 5]);
      expect(kindsOf(j)).toEqual(new Set(["+I"]));
    }
  });

  it("schema evolution: files of other schemas are read by field id, with casts", async () => {
    const wh = tempWarehouse("changes-java-evo-");
    for (const producer of ["none", "lookup"]) {
      const name = `db.evo_${producer}`;
      await java!.write({
        warehouse: wh,
        table: name,
        create: { fields: FIELDS, primaryKeys: ["id"], options: { bucket: "2", "changelog-producer": producer } },
        commits: [
          { rows: [ins(1, "a", 1), ins(2, "b", 2), ins(3, "c", 3)] },
          { alter: [{ addColumn: { name: "extra", type: "STRING", after: "id" } }, { updateColumnType: { name: "n", type: "BIGINT" } }] },
          { rows: [{ kind: "+U", row: { id: "1", dt: "a", extra: "x", v: "a2", n: "1000" } }, del(2, "b", 2)] },
          { alter: [{ renameColumn: { from: "v", to: "v2" } }, { addColumn: { name: "z", type: "INT", first: true } }] },
          { rows: [{ kind: "+I", row: { id: "4", z: 7, dt: "a", extra: "y", v2: "d", n: "4" } }, { kind: "+U", row: { id: "3", dt: "a", extra: null, v2: "c2", n: "3" } }] },
        ],
      });
      const table = await new FileSystemCatalog(io, wh).getTable(name);
      const snaps = (await ourStream(wh, name)).map((s) => s.id);
      expect(snaps.length).toBe(3);
      // Java reads every snapshot as the schema of the snapshot its stream starts from
      for (const from of snaps) {
        const start = await table.snapshots.snapshot(BigInt(from));
        const j = await compare(wh, name, ["id"], { schema: await table.schemas.schema(start.schemaId) }, from);
        expect(j.snapshots[0].id).toBe(from);
      }
      const last = await java!.streamRead(wh, name, { fromSnapshot: snaps[2] });
      expect(last.columns.map((c) => c.name)).toEqual(["z", "id", "extra", "dt", "v2", "n"]);
      // by default: the table's (latest) schema, old files by field id
      const first = await readSnapshotChanges(table, BigInt(snaps[0]));
      expect(first.fields.map((f) => f.name)).toEqual(["z", "id", "extra", "dt", "v2", "n"]);
      const own = await readSnapshotChanges(table, BigInt(snaps[0]), { schema: "snapshot" });
      expect(own.fields.map((f) => f.name)).toEqual(["id", "dt", "v", "n"]);
      const values = (c: typeof first, col: number) => c.batches.flatMap((b) => Array.from({ length: b.numRows }, (_, i) => vectorGet(b.columns[col], i))).sort();
      expect(values(first, 4)).toEqual(["a", "b", "c"]);
      expect(values(first, 5)).toEqual([1n, 2n, 3n]); // INT data read as BIGINT
      expect(values(first, 0)).toEqual([null, null, null]);
    }
  });

  it("truncate and overwrite snapshots carry no changes for the stream; expired and future positions are typed errors", async () => {
    const wh = tempWarehouse("changes-java-ow-");
    const w = await java!.write({
      warehouse: wh,
      table: "db.t",
      create: { fields: FIELDS, primaryKeys: ["id", "dt"], partitionKeys: ["dt"], options: { bucket: "2" } },
      commits: [
        { rows: [ins(1, "a", 1), ins(2, "b", 2, "b")] },
        { rows: [ins(3, "c", 3)], overwrite: { dt: "a" } },
        { truncate: true },
        { rows: [ins(4, "d", 4, "b")] },
      ],
    });
    expect(w.snapshots).toEqual([1, 2, 3, 4]);
    const j = await compare(wh, "db.t", ["id", "dt"]);
    expect(j.snapshots.map((s) => s.id)).toEqual([1, 4]);
    const table = await new FileSystemCatalog(io, wh).getTable("db.t");
    // the overwrite's new rows, on request (not Java's streaming behaviour)
    const ow = await readSnapshotChanges(table, 2n, { overwriteAddedFiles: true });
    expect(ow.source).toBe("overwrite");
    expect(ow.batches.reduce((s, b) => s + b.numRows, 0)).toBe(1);
    expect((await readSnapshotChanges(table, 2n)).source).toBeNull();
    expect((await nextSnapshotWithChanges(table, 2n)).snapshot?.id).toBe(4n);
    expect((await nextSnapshotWithChanges(table, 2n, { toSnapshotId: 3n })).nextSnapshotId).toBe(4n);
    expect(await nextSnapshotWithChanges(table, 5n)).toEqual({ snapshot: null, source: null, nextSnapshotId: 5n });
    await expect(nextSnapshotWithChanges(table, 7n)).rejects.toThrow(SnapshotOutOfRangeError);
    // expire snapshots 1..2: reading from 1 is an error naming the earliest
    await io.delete(table.paths.snapshot(1n));
    await io.delete(table.paths.snapshot(2n));
    await io.overwrite(table.paths.hint("EARLIEST"), new TextEncoder().encode("3"));
    table.snapshots.invalidate();
    const err = await nextSnapshotWithChanges(table, 1n).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SnapshotOutOfRangeError);
    expect((err as SnapshotOutOfRangeError).reason).toBe("expired");
    expect((err as SnapshotOutOfRangeError).earliestSnapshotId).toBe(3n);
    await expect(readSnapshotChanges(table, 1n)).rejects.toThrow(/snapshot 1 has expired/);
    // Java starts an expired position at the earliest snapshot
    const j2 = await java!.streamRead(wh, "db.t", { fromSnapshot: 1 });
    expect(j2.snapshots.map((s) => s.id)).toEqual([4]);
  });
});
