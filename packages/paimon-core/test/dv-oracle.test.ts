/**
 * Deletion-vector (merge-on-write) primary-key tables against the real oracles. For each
 * bucket layout × merge engine, the same commits (inserts, -U/+U updates, deletes incl. a
 * missing key and delete-then-reinsert in one batch) are written by us into one
 * warehouse and by Java Paimon 1.4.2 into another. Then:
 * * Java, pypaimon and our reader read our table identically, equal to Java's table;
 * * Java's `describe` of our table shows the files and deletion vectors Java wrote itself
 *   (levels, row and delete counts, sequence ranges, one DV index file per bucket, the
 *   cardinality of each vector);
 * * Java keeps writing to our table and compacts it fully (its conflict checks pass); we
 *   write again on top of Java's files and vectors; Java writes again; everyone agrees;
 * * we keep writing to the table Java wrote;
 * * the DV index file we commit is byte-identical to Java's for the same commits.
 *
 * Java writes DV tables only when its writer has a temp directory for lookup files
 * (`TableWrite.withIOManager`); with an oracle that lacks it, the Java-write steps are
 * skipped with a warning and a model stands in for Java's table.
 */
import { openOracle, rowMultiset, type Description, type LiveFile, type RowKindShort } from "@paimon-ts/oracle";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { toHex } from "../src/manifest/bytes.js";
import { isRetract, type InternalValue, type RowKind } from "../src/data/values.js";
import { mergeFunctionFor, type KeyValueRecord } from "../src/read/merge.js";
import type { TableSchema } from "../src/schema/table-schema.js";
import { parseTypeString } from "../src/types/parse.js";
import type { FileStoreTable } from "../src/table/table.js";
import { KeyValueWriter } from "../src/write/index.js";
import { canonicalRows, commitMessages, createTable, io, newCatalog, ourRows, tempWarehouse, type TableSpec } from "./write-helpers.js";

jest.setTimeout(600_000);

const java = openOracle("java");
const py = openOracle("python");
const haveOracles = java !== undefined && py !== undefined;
let javaWritesDv = false;

beforeAll(async () => {
  if (!java) return;
  const wh = mkdtempSync(join(tmpdir(), "dv-probe-"));
  try {
    await java.write({
      warehouse: wh,
      table: "db.p",
      create: { fields: [{ name: "k", type: "INT NOT NULL" }], primaryKeys: ["k"], options: { bucket: "1", "deletion-vectors.enabled": "true" } },
      commits: [{ rows: [{ kind: "+I", row: { k: 1 } }] }],
    });
    javaWritesDv = true;
  } catch (e) {
    if (!/temp disk directory/.test(String((e as Error).message))) throw e;
    console.warn(
      "WARNING: the Java oracle cannot write deletion-vector tables (its TableWrite has no IOManager for lookup files); " +
        "the Java-write steps of dv-oracle.test.ts are skipped. Fix: in tools/oracle-java Commands.java, `builder.newWrite().withIOManager(IOManager.create(tmpDir))`.",
    );
  } finally {
    rmSync(wh, { recursive: true, force: true });
  }
});
afterAll(async () => {
  await java?.close();
  await py?.close();
});

type Engine = "deduplicate" | "partial-update" | "partial-update-delete" | "aggregation";
/** pypaimon 2.1.0 refuses partial-update.remove-record-on-delete. */
const pyReads = (e: Engine) => e !== "partial-update-delete";
type Layout = "bucket-1" | "bucket-3" | "dynamic" | "partitioned-dynamic";
const KINDS: RowKindShort[] = ["+I", "-U", "+U", "-D"];
const [I, UB, UA, D] = [0, 1, 2, 3];

function spec(layout: Layout, engine: Engine, extra: Record<string, string> = {}): TableSpec {
  const partitioned = layout === "partitioned-dynamic";
  const options: Record<string, string> = { "merge-engine": engine.replace(/-delete$/, ""), "deletion-vectors.enabled": "true", ...extra };
  options.bucket = layout === "bucket-1" ? "1" : layout === "bucket-3" ? "3" : "-1";
  if (layout === "dynamic" || layout === "partitioned-dynamic") options["dynamic-bucket.target-row-num"] = "40";
  if (engine === "partial-update-delete") options["partial-update.remove-record-on-delete"] = "true";
  if (engine === "aggregation") options["fields.n.aggregate-function"] = "sum";
  return {
    fields: [
      { name: "k", type: "INT" },
      ...(partitioned ? [{ name: "p", type: "STRING" }] : []),
      { name: "v", type: "STRING" },
      { name: "n", type: "BIGINT" },
      { name: "d", type: "DOUBLE" },
    ],
    primaryKeys: partitioned ? ["k", "p"] : ["k"],
    partitionKeys: partitioned ? ["p"] : [],
    options,
  };
}

type Rec = [kind: number, k: number, v: string | null, n: bigint | null, d: number | null];

/** Inserts of 100 keys, then batches of updates and deletes (retractions as each engine accepts them). */
function commits(engine: Engine): Rec[][] {
  const c: Rec[][] = [
    Array.from({ length: 100 }, (_, i): Rec => [I, i + 1, `v${i + 1}`, BigInt(i + 1) * 9007199254740993n, i + 0.5]),
    [
      [UB, 1, "v1", 9007199254740993n, 0.5],
      [UA, 1, "v1b", 7n, 10.5],
      [UA, 2, null, 2n, null],
      [D, 4, "v4", 4n, 3.5],
      [D, 999, "missing", 1n, 1],
      [D, 3, "v3", 3n, 2.5],
      [I, 3, "v3-again", 33n, 33],
      [I, 113, "v113", 113n, -1],
      ...Array.from({ length: 20 }, (_, i): Rec => [UA, 10 + i * 4, `u${i}`, BigInt(i), i]),
    ],
    [
      [I, 114, "v114", -5n, 14],
      [UA, 5, "v5b", 50n, null],
      [UB, 6, "v6", 6n, 5.5],
      [UA, 6, "v6b", 60n, 60.25],
      [I, 115, null, null, null],
      ...Array.from({ length: 15 }, (_, i): Rec => [D, 50 + i * 3, null, null, null]),
    ],
    [
      [D, 5, "v5b", 50n, null],
      [I, 5, "v5c", 500n, 5],
      [D, 5, "v5c", 500n, 5],
      [UA, 7, "v7b", 70n, 70],
      [I, 116, "v116", 16n, 16],
      [UA, 10, "again", 1n, 1],
    ],
  ];
  // partial-update takes no retraction, or -D with remove-record-on-delete; aggregation (sum) retracts
  return retractions(engine, c);
}

function retractions(engine: Engine, c: Rec[][]): Rec[][] {
  if (engine === "partial-update") return c.map((b) => b.filter((r) => r[0] !== UB && r[0] !== D));
  if (engine === "partial-update-delete") return c.map((b) => b.filter((r) => r[0] !== UB));
  return c;
}

function toRows(layout: Layout, recs: Rec[]): InternalValue[][] {
  return recs.map(([, k, v, n, d]) => (layout === "partitioned-dynamic" ? [k, k % 2 === 0 ? "even" : "odd", v, n, d] : [k, v, n, d]));
}

function fileShape(files: LiveFile[]) {
  return files.map((f) => [JSON.stringify(f.partition), f.bucket, f.totalBuckets, f.level, f.rowCount, f.deleteRowCount, f.minSequenceNumber, f.maxSequenceNumber].join(" ")).sort();
}

/**
 * Per bucket: live rows (row counts minus deletion-vector cardinalities). Which runs a compaction merges depends on file sizes, which differ
 * slightly between Java's Parquet writer and ours, so the files themselves may differ.
 */
function bucketShape(d: Description) {
  const out = new Map<string, { rows: number }>();
  const at = (p: unknown, b: number) => {
    const k = `${JSON.stringify(p)} ${b}`;
    let v = out.get(k);
    if (!v) out.set(k, (v = { rows: 0 }));
    return v;
  };
  for (const f of d.liveFiles) at(f.partition, f.bucket).rows += Number(f.rowCount);
  for (const f of d.indexFiles) {
    if (f.indexType !== "DELETION_VECTORS") continue;
    const v = at(f.partition, f.bucket);
    for (const r of Object.values(f.dvRanges ?? {})) v.rows -= Number((r as { cardinality: number }).cardinality);
  }
  return [...out.entries()].map(([k, v]) => `${k} rows=${v.rows}`).sort();
}

async function readAll(wh: string, engine: Engine) {
  const t = await (await newCatalog(wh)).getTable("db.t");
  return {
    java: rowMultiset((await java!.readTable(wh, "db.t")).rows),
    py: pyReads(engine) ? rowMultiset((await py!.readTable(wh, "db.t")).rows) : ("skipped" as const),
    ours: rowMultiset(await ourRows(t)),
  };
}

function expectAll(got: { java: string[]; py: string[] | "skipped"; ours: string[] }, ref: string[]) {
  expect(got.ours).toEqual(ref);
  expect(got.java).toEqual(ref);
  if (got.py !== "skipped") expect(got.py).toEqual(ref);
}

async function ourCommit(t: FileStoreTable, layout: Layout, recs: Rec[], w?: KeyValueWriter): Promise<KeyValueWriter> {
  const writer = w ?? (await KeyValueWriter.create(await t.refresh()));
  await writer.writeRows(
    toRows(layout, recs),
    recs.map((r) => r[0]),
  );
  await commitMessages(t, await writer.prepareCommit());
  return writer;
}

/**
 * The table's content after the commits, in memory (the reference when Java cannot write).
 * Per commit, as the writer does it: the batch's records of a key are merged first (one
 * record stays as is), then lookup compaction merges that with the key's live row; unlike
 * merge-on-read it calls the merge function even for a single record (Java's
 * `LookupMergeFunction`), except for deduplicate.
 */
function model(layout: Layout, engine: Engine, batches: Rec[][], s: TableSpec): string[] {
  const schema = { fields: s.fields.map((f, i) => ({ id: i, name: f.name, type: parseTypeString(f.type) })), primaryKeys: s.primaryKeys ?? [], partitionKeys: s.partitionKeys ?? [], options: s.options ?? {} };
  const merge = mergeFunctionFor(schema as unknown as TableSchema, "model");
  const live = new Map<string, KeyValueRecord>();
  let seq = 0n;
  for (const recs of batches) {
    const rows = toRows(layout, recs);
    const byKey = new Map<string, KeyValueRecord[]>();
    recs.forEach((r, i) => {
      const key = JSON.stringify(layout === "partitioned-dynamic" ? [rows[i][0], rows[i][1]] : [rows[i][0]]);
      let list = byKey.get(key);
      if (!list) byKey.set(key, (list = []));
      list.push({ seq: seq++, kind: r[0] as RowKind, row: rows[i] });
    });
    for (const [key, list] of byKey) {
      const buffered = list.length === 1 ? list[0] : merge(list);
      const old = live.get(key);
      let r: KeyValueRecord | null;
      if (buffered === null) r = null;
      else if (engine === "deduplicate") r = buffered;
      else r = merge(old ? [old, buffered] : [buffered]);
      if (r === null || isRetract(r.kind)) live.delete(key);
      else live.set(key, r);
    }
  }
  return rowMultiset(canonicalRows(schema.fields, [...live.values()].map((r) => r.row)));
}

const layouts: Layout[] = ["bucket-1", "bucket-3", "dynamic", "partitioned-dynamic"];
const engines: Engine[] = ["deduplicate", "partial-update", "aggregation"];
const cases = [...layouts.flatMap((l) => engines.map((e) => [l, e] as [Layout, Engine])), ["bucket-3", "partial-update-delete"] as [Layout, Engine]];

(haveOracles ? describe : describe.skip)("deletion-vector tables read identically in Java, pypaimon and paimon-ts, and Java keeps writing them", () => {
  it.each(cases)("%s × %s", async (layout, engine) => {
    const s = spec(layout, engine);
    const whT = tempWarehouse("dv-ours-");
    const whJ = tempWarehouse("dv-java-");
    const t = await createTable(await newCatalog(whT), "db.t", s);
    const fields = t.schema.fields;
    const all = commits(engine);
    const history = [...all];
    const asJava = (recs: Rec[]) => ({ rows: canonicalRows(fields, toRows(layout, recs)).map((row, i) => ({ kind: KINDS[recs[i][0]], row })) });
    // one Java write (a fresh writer) per commit, and the same here
    if (javaWritesDv) for (const [i, recs] of all.entries()) await java!.write({ warehouse: whJ, table: "db.t", create: i === 0 ? s : undefined, commits: [asJava(recs)] });
    for (const recs of all) await ourCommit(t, layout, recs);
    const reference = async () => (javaWritesDv ? rowMultiset((await java!.readTable(whJ, "db.t")).rows) : model(layout, engine, history, s));

    // 1. three readers agree on our table, and with Java's own table
    const ref1 = await reference();
    expect(ref1).toEqual(model(layout, engine, history, s));
    expectAll(await readAll(whT, engine), ref1);

    // 2. Java sees what it writes itself: files, levels, counts, vectors
    const dT = await java!.describe(whT, "db.t");
    expect(dT.liveFiles.every((f) => f.level > 0 && f.deleteRowCount === 0)).toBe(true);
    const dvFiles = dT.indexFiles.filter((f) => f.indexType === "DELETION_VECTORS");
    expect(new Set(dvFiles.map((f) => `${JSON.stringify(f.partition)}/${f.bucket}`)).size).toBe(dvFiles.length);
    expect(dvFiles.length).toBeGreaterThan(0);
    if (javaWritesDv) {
      const dJ = await java!.describe(whJ, "db.t");
      expect(bucketShape(dT)).toEqual(bucketShape(dJ));
      // the same compactions (levels, counts, sequence ranges) where file sizes do not tip a size-ratio decision
      if (layout === "bucket-1") expect(fileShape(dT.liveFiles)).toEqual(fileShape(dJ.liveFiles));
    }

    // 3. Java keeps writing to our table (its conflict checks pass), and compacts it fully
    const [more] = retractions(engine, [[[I, 120, "java120", 20n, 20], [UA, 1, "java1", 1n, 1], [D, 2, "v2", 2n, 0], ...Array.from({ length: 10 }, (_, i): Rec => [UA, 30 + i, `j${i}`, 3n, 3])]]);
    history.push(more);
    if (javaWritesDv) {
      for (const wh of [whT, whJ]) await java!.write({ warehouse: wh, table: "db.t", commits: [asJava(more)] });
      expectAll(await readAll(whT, engine), await reference());
      for (const wh of [whT, whJ]) await java!.write({ warehouse: wh, table: "db.t", commits: [{ compactOnly: "full" }] });
      expectAll(await readAll(whT, engine), await reference());
    } else {
      await ourCommit(t, layout, more);
    }

    // 4. we write on top of Java's files and vectors (one writer for two commits: its lookup cache carries over); then Java again
    const [last, last2] = retractions(engine, [
      [[UA, 120, "ts120", 2n, 2], [I, 121, "ts121", 21n, 21], [D, 7, "v7b", 70n, 70], ...Array.from({ length: 10 }, (_, i): Rec => [UA, 31 + i * 2, `t${i}`, 4n, 4])],
      [[UA, 121, "ts121b", 1n, 1], [D, 9, null, null, null], ...Array.from({ length: 10 }, (_, i): Rec => [UA, 60 + i, `t2${i}`, 5n, 5])],
    ]);
    const lw = await ourCommit(t, layout, last);
    await ourCommit(t, layout, last2, lw);
    history.push(last, last2);
    if (javaWritesDv) for (const b of [last, last2]) await java!.write({ warehouse: whJ, table: "db.t", commits: [asJava(b)] });
    expectAll(await readAll(whT, engine), await reference());
    if (javaWritesDv) {
      const [again] = retractions(engine, [[[UA, 121, "java-again", 1n, 1], [I, 122, "j122", 1n, 1]]]);
      history.push(again);
      for (const wh of [whT, whJ]) await java!.write({ warehouse: wh, table: "db.t", commits: [asJava(again)] });
      expectAll(await readAll(whT, engine), await reference());

      // 5. we keep writing to the table Java wrote
      const tj = await (await newCatalog(whJ)).getTable("db.t");
      const [ours] = retractions(engine, [[[UA, 122, "ts-on-java", 5n, 5], [D, 8, null, null, null], [I, 130, "ts130", 1n, 1]]]);
      await ourCommit(tj, layout, ours);
      history.push(ours);
      expectAll(await readAll(whJ, engine), model(layout, engine, history, s));
    }
  });
});

(haveOracles ? describe : describe.skip)("the DV index file we commit is the one Java writes", () => {
  const s = spec("bucket-1", "deduplicate");
  const b1: Rec[] = Array.from({ length: 10 }, (_, i): Rec => [I, i, `v${i}`, BigInt(i), i]);

  async function indexFileBytes(wh: string, d: Description): Promise<string> {
    const f = d.indexFiles.find((x) => x.indexType === "DELETION_VECTORS")!;
    return toHex(await io.readFile(join(wh, "db.db", "t", "index", f.fileName)));
  }

  it.each([
    ["updates", [[UA, 1, "x", 1n, 1], [UA, 3, "x", 3n, 3], [UA, 5, "x", 5n, 5]] as Rec[]],
    ["deletes and a run", [...Array.from({ length: 6 }, (_, i): Rec => [D, i + 2, null, null, null]), [UA, 0, "z", 0n, 0]] as Rec[]],
  ])("%s", async (_name, b2) => {
    if (!javaWritesDv) return;
    const whT = tempWarehouse("dv-bytes-ours-");
    const whJ = tempWarehouse("dv-bytes-java-");
    const t = await createTable(await newCatalog(whT), "db.t", s);
    const fields = t.schema.fields;
    const asJava = (recs: Rec[]) => ({ rows: canonicalRows(fields, toRows("bucket-1", recs)).map((row, i) => ({ kind: KINDS[recs[i][0]], row })) });
    await java!.write({ warehouse: whJ, table: "db.t", create: s, commits: [asJava(b1)] });
    await java!.write({ warehouse: whJ, table: "db.t", commits: [asJava(b2)] });
    await ourCommit(t, "bucket-1", b1);
    await ourCommit(t, "bucket-1", b2);
    const dT = await java!.describe(whT, "db.t");
    const dJ = await java!.describe(whJ, "db.t");
    expect(await indexFileBytes(whT, dT)).toBe(await indexFileBytes(whJ, dJ));
    const meta = (d: Description) => {
      const f = d.indexFiles.find((x) => x.indexType === "DELETION_VECTORS")!;
      return [f.fileSize, f.rowCount, Object.values(f.dvRanges ?? {})];
    };
    expect(meta(dT)).toEqual(meta(dJ));
    expect(fileShape(dT.liveFiles)).toEqual(fileShape(dJ.liveFiles));
  });
});

(haveOracles ? describe : describe.skip)("first-row tables on the same lookup compaction (no deletion vectors: old rows always win)", () => {
  const firstRowSpec = (layout: Layout): TableSpec => {
    const s = spec(layout, "deduplicate");
    const options: Record<string, string> = { ...s.options, "merge-engine": "first-row", "ignore-delete": "true" };
    delete options["deletion-vectors.enabled"];
    return { ...s, options };
  };
  /** The first added record of each key, retractions ignored. */
  const firstRowModel = (layout: Layout, batches: Rec[][], s: TableSpec) => {
    const first = new Map<string, InternalValue[]>();
    for (const recs of batches) {
      const rows = toRows(layout, recs);
      recs.forEach((r, i) => {
        if (r[0] === UB || r[0] === D) return;
        const key = JSON.stringify(layout === "partitioned-dynamic" ? [rows[i][0], rows[i][1]] : [rows[i][0]]);
        if (!first.has(key)) first.set(key, rows[i]);
      });
    }
    return rowMultiset(canonicalRows(s.fields.map((f, i) => ({ id: i, name: f.name, type: parseTypeString(f.type) })), [...first.values()]));
  };

  it.each(["bucket-1", "bucket-3", "partitioned-dynamic"] as Layout[])("%s", async (layout) => {
    const s = firstRowSpec(layout);
    const whT = tempWarehouse("fr-ours-");
    const whJ = tempWarehouse("fr-java-");
    const t = await createTable(await newCatalog(whT), "db.t", s);
    const fields = t.schema.fields;
    const asJava = (recs: Rec[]) => ({ rows: canonicalRows(fields, toRows(layout, recs)).map((row, i) => ({ kind: KINDS[recs[i][0]], row })) });
    const history = commits("deduplicate");
    for (const [i, recs] of history.entries()) {
      if (javaWritesDv) await java!.write({ warehouse: whJ, table: "db.t", create: i === 0 ? s : undefined, commits: [asJava(recs)] });
      await ourCommit(t, layout, recs);
    }
    const ref = firstRowModel(layout, history, s);
    const got = { java: rowMultiset((await java!.readTable(whT, "db.t")).rows), py: "skipped" as const, ours: rowMultiset(await ourRows(t)) };
    expectAll(got, ref);
    // pypaimon 2.1.0 reads first-row tables too
    expect(rowMultiset((await py!.readTable(whT, "db.t")).rows)).toEqual(ref);
    const dT = await java!.describe(whT, "db.t");
    expect(dT.liveFiles.every((f) => f.level > 0)).toBe(true);
    if (javaWritesDv) {
      expect(rowMultiset((await java!.readTable(whJ, "db.t")).rows)).toEqual(ref);
      expect((await java!.describe(whJ, "db.t")).liveFiles.every((f) => f.level > 0)).toBe(true);
      // Java keeps writing to our table, then we write on top of Java's files
      const more: Rec[] = [[I, 1, "java-loses", 1n, 1], [I, 200, "java200", 2n, 2]];
      await java!.write({ warehouse: whT, table: "db.t", commits: [asJava(more)] });
      history.push(more);
      const last: Rec[] = [[I, 200, "ts-loses", 3n, 3], [I, 201, "ts201", 4n, 4]];
      await ourCommit(t, layout, last);
      history.push(last);
      const ref2 = firstRowModel(layout, history, s);
      expect(rowMultiset((await java!.readTable(whT, "db.t")).rows)).toEqual(ref2);
      expect(rowMultiset((await py!.readTable(whT, "db.t")).rows)).toEqual(ref2);
      expect(rowMultiset(await ourRows(t))).toEqual(ref2);
    }
  });
});

(haveOracles ? describe : describe.skip)("deletion vectors with sequence.field (the old row may win: its row is looked up and rewritten)", () => {
  it("reads the same in Java, pypaimon and paimon-ts", async () => {
    if (!javaWritesDv) return;
    const s = spec("bucket-3", "deduplicate", { "sequence.field": "d" });
    const whT = tempWarehouse("dv-seq-ours-");
    const whJ = tempWarehouse("dv-seq-java-");
    const t = await createTable(await newCatalog(whT), "db.t", s);
    const fields = t.schema.fields;
    const asJava = (recs: Rec[]) => ({ rows: canonicalRows(fields, toRows("bucket-3", recs)).map((row, i) => ({ kind: KINDS[recs[i][0]], row })) });
    const batches: Rec[][] = [
      Array.from({ length: 60 }, (_, i): Rec => [I, i, `v${i}`, BigInt(i), 10]),
      [...Array.from({ length: 20 }, (_, i): Rec => [UA, i * 3, `newer${i}`, 1n, 20]), ...Array.from({ length: 10 }, (_, i): Rec => [UA, i * 3 + 1, `older${i}`, 2n, 5])],
      [[UA, 0, "older-again", 3n, 15], [UA, 1, "newest", 4n, 30], [I, 100, "new", 5n, 1]],
    ];
    for (const [i, recs] of batches.entries()) {
      await java!.write({ warehouse: whJ, table: "db.t", create: i === 0 ? s : undefined, commits: [asJava(recs)] });
      await ourCommit(t, "bucket-3", recs);
    }
    const ref = rowMultiset((await java!.readTable(whJ, "db.t")).rows);
    expect(ref.some((r) => r.includes("older"))).toBe(false);
    expectAll(await readAll(whT, "deduplicate"), ref);
    await java!.write({ warehouse: whT, table: "db.t", commits: [{ compactOnly: "full" }] });
    expectAll(await readAll(whT, "deduplicate"), ref);
  });
});
