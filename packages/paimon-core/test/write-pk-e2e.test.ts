/**
 * Primary-key writes end to end, against the real oracles: for each bucket mode × merge
 * engine, the same commits (inserts, -U/+U updates, deletes incl. a missing key and
 * delete-then-reinsert in one batch) are written by us into one warehouse and by Java
 * Paimon 1.4.2 into another. Then:
 * * Java, pypaimon and our reader read our table identically, and equal to Java's table;
 * * Java's `describe` of our table shows the files Java itself wrote (bucket, level,
 *   row/delete counts, sequence ranges);
 * * Java keeps writing to our table (more rows, then a full compaction), we read the result,
 *   write again on top of Java's compacted files, and compact fully ourselves.
 */
import { openOracle, rowMultiset, type LiveFile, type RowKindShort } from "@paimon-ts/oracle";
import type { InternalValue } from "../src/data/values.js";
import { FileSource } from "../src/manifest/model.js";
import type { FileStoreTable } from "../src/table/table.js";
import { KeyValueWriter } from "../src/write/index.js";
import { parseTypeString } from "../src/types/parse.js";
import { canonicalRows, commitMessages, createTable, newCatalog, ourRows, tempWarehouse, type TableSpec } from "./write-helpers.js";

jest.setTimeout(300_000);

const java = openOracle("java");
const py = openOracle("python");
const haveOracles = java !== undefined && py !== undefined;
afterAll(async () => {
  await java?.close();
  await py?.close();
});

type Engine = "deduplicate" | "partial-update" | "partial-update-delete" | "first-row" | "aggregation" | "aggregation-retract";
/** Java's oracle cannot write first-row tables (lookup needs a temp disk directory it does not set up). */
const javaWrites = (e: Engine) => e !== "first-row";
/** pypaimon 2.1.0 refuses partial-update.remove-record-on-delete and retractions in aggregation tables. */
const pyReads = (e: Engine) => e !== "partial-update-delete" && e !== "aggregation-retract";
/** Engines whose test data has no retraction at all. */
const noRetract = (e: Engine) => e === "partial-update" || e === "aggregation";
type Layout = "bucket-1" | "bucket-4" | "dynamic" | "partitioned-dynamic";

const KINDS: RowKindShort[] = ["+I", "-U", "+U", "-D"];
const [I, UB, UA, D] = [0, 1, 2, 3];

function spec(layout: Layout, engine: Engine): TableSpec {
  const partitioned = layout === "partitioned-dynamic";
  const options: Record<string, string> = { "merge-engine": engine.replace(/-(delete|retract)$/, "") };
  options.bucket = layout === "bucket-1" ? "1" : layout === "bucket-4" ? "4" : "-1";
  if (layout !== "bucket-1" && layout !== "bucket-4") options["dynamic-bucket.target-row-num"] = "5";
  if (engine === "first-row") options["ignore-delete"] = "true";
  if (engine === "partial-update-delete") options["partial-update.remove-record-on-delete"] = "true";
  if (engine.startsWith("aggregation")) options["fields.n.aggregate-function"] = "sum";
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

/** The commits every table gets. */
function commits(engine: Engine): Rec[][] {
  const c: Rec[][] = [
    Array.from({ length: 12 }, (_, i): Rec => [I, i + 1, `v${i + 1}`, BigInt(i + 1) * 9007199254740993n, i + 0.5]),
    [
      [UB, 1, "v1", 9007199254740993n, 0.5],
      [UA, 1, "v1b", 7n, 10.5],
      [UA, 2, null, 2n, null],
      [D, 4, "v4", 4n, 3.5],
      [D, 99, "missing", 1n, 1],
      [D, 3, "v3", 3n, 2.5],
      [I, 3, "v3-again", 33n, 33],
      [I, 13, "v13", 13n, -1],
    ],
    [
      [I, 14, "v14", -5n, 14],
      [UA, 5, "v5b", 50n, null],
      [UB, 6, "v6", 6n, 5.5],
      [UA, 6, "v6b", 60n, 60.25],
      [I, 15, null, null, null],
    ],
    [
      [D, 5, "v5b", 50n, null],
      [I, 5, "v5c", 500n, 5],
      [D, 5, "v5c", 500n, 5],
      [UA, 7, "v7b", 70n, 70],
      [I, 16, "v16", 16n, 16],
    ],
  ];
  // partial-update accepts no retraction, or -D only with remove-record-on-delete
  if (noRetract(engine)) return c.map((batch) => batch.filter((r) => r[0] !== UB && r[0] !== D));
  if (engine === "partial-update-delete") return c.map((batch) => batch.filter((r) => r[0] !== UB));
  return c;
}

function toRows(layout: Layout, recs: Rec[]): InternalValue[][] {
  return recs.map(([, k, v, n, d]) => (layout === "partitioned-dynamic" ? [k, k % 2 === 0 ? "even" : "odd", v, n, d] : [k, v, n, d]));
}

function fileShape(files: LiveFile[]) {
  return files
    .map((f) => [JSON.stringify(f.partition), f.bucket, f.totalBuckets, f.level, f.rowCount, f.deleteRowCount, f.minSequenceNumber, f.maxSequenceNumber].join(" "))
    .sort();
}

/** What each reader sees; pypaimon is left out where it does not support the table's options. */
async function readAll(wh: string, engine: Engine): Promise<{ java: string[]; py: string[] | "skipped"; ours: string[] }> {
  const t = await (await newCatalog(wh)).getTable("db.t");
  return {
    java: rowMultiset((await java!.readTable(wh, "db.t")).rows),
    py: pyReads(engine) ? rowMultiset((await py!.readTable(wh, "db.t")).rows) : "skipped",
    ours: rowMultiset(await ourRows(t)),
  };
}

function expectAll(got: { java: string[]; py: string[] | "skipped"; ours: string[] }, ref: string[], engine: Engine) {
  expect(got.java).toEqual(ref);
  if (pyReads(engine)) expect(got.py).toEqual(ref);
  expect(got.ours).toEqual(ref);
}

/** first-row with ignore-delete: the first added record of each key wins, retractions are ignored. */
function firstRowModel(layout: Layout, batches: Rec[][], fields: TableSpec["fields"]): string[] {
  const first = new Map<string, InternalValue[]>();
  for (const recs of batches) {
    const rows = toRows(layout, recs);
    recs.forEach((r, i) => {
      if (r[0] === UB || r[0] === D) return;
      const key = JSON.stringify(layout === "partitioned-dynamic" ? [rows[i][0], rows[i][1]] : [rows[i][0]]);
      if (!first.has(key)) first.set(key, rows[i]);
    });
  }
  const typed = fields.map((f) => ({ id: 0, name: f.name, type: parseTypeString(f.type) }));
  return rowMultiset(canonicalRows(typed, [...first.values()]));
}

async function ourCommit(t: FileStoreTable, layout: Layout, recs: Rec[]) {
  const w = await KeyValueWriter.create(await t.refresh());
  await w.writeRows(
    toRows(layout, recs),
    recs.map((r) => r[0]),
  );
  const msgs = await w.prepareCommit();
  await commitMessages(t, msgs);
  return msgs;
}

const layouts: Layout[] = ["bucket-1", "bucket-4", "dynamic", "partitioned-dynamic"];
const engines: Engine[] = ["deduplicate", "partial-update", "partial-update-delete", "first-row", "aggregation", "aggregation-retract"];
const cases = layouts.flatMap((l) => engines.map((e) => [l, e] as [Layout, Engine]));

(haveOracles ? describe : describe.skip)("primary-key writes read back identically in Java, pypaimon and paimon-ts", () => {
  it.each(cases)("%s × %s", async (layout, engine) => {
    const s = spec(layout, engine);
    const whT = tempWarehouse();
    const whJ = tempWarehouse();
    const t = await createTable(await newCatalog(whT), "db.t", s);
    const fields = t.schema.fields;
    const all = commits(engine);
    const asJava = (recs: Rec[]) => ({ rows: canonicalRows(fields, toRows(layout, recs)).map((row, i) => ({ kind: KINDS[recs[i][0]], row })) });
    if (javaWrites(engine)) await java!.write({ warehouse: whJ, table: "db.t", create: s, commits: all.map(asJava) });
    for (const recs of all) await ourCommit(t, layout, recs);
    const history = [...all];
    const reference = async () => (javaWrites(engine) ? rowMultiset((await java!.readTable(whJ, "db.t")).rows) : firstRowModel(layout, history, s.fields));

    // 1. three readers agree on our table, and with Java's own table
    const ref1 = await reference();
    expect(ref1.length).toBeGreaterThan(5);
    expectAll(await readAll(whT, engine), ref1, engine);

    // 2. Java sees the files it would have written (first-row: written here; lookup compaction takes level 0 up at each commit)
    const dT = await java!.describe(whT, "db.t");
    expect(dT.snapshots.length).toBeGreaterThanOrEqual(4);
    if (javaWrites(engine)) {
      const dJ = await java!.describe(whJ, "db.t");
      expect(fileShape(dT.liveFiles)).toEqual(fileShape(dJ.liveFiles));
      expect(dT.indexFiles.map((f) => [JSON.stringify(f.partition), f.bucket, f.indexType, f.rowCount]).sort()).toEqual(
        dJ.indexFiles.map((f) => [JSON.stringify(f.partition), f.bucket, f.indexType, f.rowCount]).sort(),
      );
    } else {
      expect(dT.liveFiles.every((f) => f.level > 0)).toBe(true);
    }

    // 3. Java keeps writing to our table (and to its own), including a full compaction
    const more: Rec[] = [
      [I, 20, "java20", 20n, 20],
      [UA, 1, "java1", 1n, 1],
      ...(noRetract(engine) ? [] : ([[D, 2, "v2", 2n, 0]] as Rec[])),
    ];
    if (javaWrites(engine)) {
      for (const wh of [whT, whJ]) await java!.write({ warehouse: wh, table: "db.t", commits: [asJava(more), { compactOnly: "full" }] });
      const ref2 = await reference();
      expectAll(await readAll(whT, engine), ref2, engine);
      expect((await java!.describe(whT, "db.t")).liveFiles.every((f) => f.level === 5)).toBe(true);
    } else {
      await ourCommit(t, layout, more);
      history.push(more);
      expectAll(await readAll(whT, engine), await reference(), engine);
    }

    // 4. we write on top of Java's compacted files, then compact fully
    const last: Rec[] = [
      [UA, 20, "ts20", 2n, 2],
      [I, 21, "ts21", 21n, 21],
      ...(noRetract(engine) ? [] : ([[D, 7, "v7b", 70n, 70]] as Rec[])),
    ];
    await ourCommit(t, layout, last);
    history.push(last);
    if (javaWrites(engine)) await java!.write({ warehouse: whJ, table: "db.t", commits: [asJava(last)] });
    const ref3 = await reference();
    expectAll(await readAll(whT, engine), ref3, engine);

    const w = await KeyValueWriter.create(await t.refresh());
    await w.compactFull();
    const msgs = await w.prepareCommit();
    // first-row buckets are already compacted to the max level at every commit
    if (engine !== "first-row") expect(msgs.some((m) => (m.compactBefore?.length ?? 0) > 0)).toBe(true);
    for (const m of msgs) {
      for (const f of m.compactAfter ?? []) {
        expect(f.level).toBe(5);
        if (!(m.compactBefore ?? []).some((b) => b.fileName === f.fileName)) expect(f.fileSource).toBe(FileSource.COMPACT);
        expect(f.deleteRowCount).toBe(0n);
      }
    }
    await commitMessages(t, msgs);
    expectAll(await readAll(whT, engine), ref3, engine);
    const dFinal = await java!.describe(whT, "db.t");
    expect(dFinal.liveFiles.every((f) => f.level === 5 && f.deleteRowCount === 0)).toBe(true);
    expect(dFinal.snapshots.at(-1)!.commitKind).toBe("COMPACT");
  });
});
