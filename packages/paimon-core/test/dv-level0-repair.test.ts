/**
 * Level-0 files left behind in tables that need lookup (deletion vectors, first-row,
 * `changelog-producer=lookup`): a writer that died between the APPEND and the COMPACT
 * snapshot of a commit (simulated by committing only the APPEND part of its messages),
 * or Java's `write-only` commits. Batch readers of deletion-vector and first-row tables
 * skip level 0, so those rows stay invisible until a commit compacts their bucket.
 * `KeyValueWriter.compactPendingLevel0()` schedules that compaction in a writer that does
 * not write those buckets (or writes nothing). Checked with Java Paimon 1.4.2: its read
 * of the table, its files and deletion vectors (`describe`), its streaming read of the
 * lookup changelog (equal to what Java's own full compaction of its write-only table
 * produces), and Java writing on afterwards. Concurrent writers: a lost race is a
 * CommitConflictError, never a doubled row.
 */
import { CommitConflictError } from "@paimon-ts/fileio";
import { openOracle, rowMultiset, type Description, type Oracle, type StreamReadResult } from "@paimon-ts/oracle";
import type { CommitMessage } from "../src/commit/message.js";
import { bucketOfKey } from "../src/data/bucket.js";
import type { InternalValue } from "../src/data/values.js";
import type { FileStoreTable } from "../src/table/table.js";
import { parseTypeString } from "../src/types/parse.js";
import { KeyValueWriter } from "../src/write/index.js";
import { canonicalRows, commitMessages, createTable, newCatalog, ourRows, tempWarehouse, type TableSpec } from "./write-helpers.js";

jest.setTimeout(600_000);

const java = openOracle("java");
afterAll(async () => {
  await java?.close();
});
const withJava = java ? describe : describe.skip;

type Variant = "dv" | "first-row" | "lookup-changelog" | "lookup-changelog-dv";
const BUCKETS = 2;

function spec(v: Variant): TableSpec {
  const options: Record<string, string> = { bucket: String(BUCKETS) };
  if (v === "dv" || v === "lookup-changelog-dv") options["deletion-vectors.enabled"] = "true";
  if (v === "first-row") options["merge-engine"] = "first-row";
  if (v === "lookup-changelog" || v === "lookup-changelog-dv") options["changelog-producer"] = "lookup";
  return {
    fields: [
      { name: "k", type: "INT NOT NULL" },
      { name: "v", type: "STRING" },
    ],
    primaryKeys: ["k"],
    options,
  };
}

const bucketOf = (k: number) => bucketOfKey([parseTypeString("INT NOT NULL")], [k], BUCKETS);
/** Keys 1..40 split by bucket. */
const KEYS = Array.from({ length: 40 }, (_, i) => i + 1);
const IN0 = KEYS.filter((k) => bucketOf(k) === 0);
const IN1 = KEYS.filter((k) => bucketOf(k) === 1);

type Row = [k: number, v: string];
/** Commit 1: every key. Commit 2 (the crashed one): updates of two keys of bucket 0 and a new key there. */
const C1: Row[] = KEYS.map((k) => [k, `v${k}`]);
const NEW0 = 1000 + IN0.length; // any key of bucket 0 not in KEYS
const newKey0 = (() => {
  for (let k = NEW0; ; k++) if (bucketOf(k) === 0) return k;
})();
const C2: Row[] = [
  [IN0[0], "crashed-update"],
  [IN0[1], "crashed-update"],
  [newKey0, "crashed-new"],
];
/** What the session after the crash writes: one key of bucket 1 only. */
const C3: Row[] = [[IN1[0], "next-session"]];

/** The table's rows after the commits (first-row: the first row of a key wins). */
function model(v: Variant, commits: Row[][]): Map<number, string> {
  const m = new Map<number, string>();
  for (const c of commits) for (const [k, val] of c) if (v !== "first-row" || !m.has(k)) m.set(k, val);
  return m;
}

function expectedRows(t: FileStoreTable, m: Map<number, string>): string[] {
  return rowMultiset(canonicalRows(t.schema.fields, [...m].map(([k, val]): InternalValue[] => [k, val])));
}

/** The lookup changelog a commit produces over the model before it. */
function changes(v: Variant, before: Map<number, string>, c: Row[]): string[] {
  const out: string[] = [];
  for (const [k, val] of c) {
    const old = before.get(k);
    if (old === undefined) out.push(`+I ${JSON.stringify({ k, v: val })}`);
    else if (v !== "first-row" && old !== val) out.push(`-U ${JSON.stringify({ k, v: old })}`, `+U ${JSON.stringify({ k, v: val })}`);
  }
  return out.sort();
}

/** A stream read as the non-empty change multisets, in snapshot order. */
function changesOf(s: StreamReadResult): string[][] {
  const fields = s.columns.map((c) => c.name);
  return s.snapshots.map((snap) => snap.rows.map((r) => `${r.kind} ${JSON.stringify(Object.fromEntries(fields.map((f) => [f, r.row[f]])))}`).sort()).filter((x) => x.length > 0);
}

async function write(t: FileStoreTable, rows: InternalValue[][], w?: KeyValueWriter): Promise<CommitMessage[]> {
  const writer = w ?? (await KeyValueWriter.create(await t.refresh()));
  await writer.writeRows(rows);
  return writer.prepareCommit();
}

/** A writer that dies after its APPEND snapshot: only the APPEND part of its messages is committed. */
async function crashedCommit(t: FileStoreTable, rows: InternalValue[][]): Promise<void> {
  const msgs = await write(t, rows);
  expect(msgs.some((m) => (m.compactAfter ?? []).length > 0)).toBe(true);
  const appendOnly = msgs.map(
    (m): CommitMessage => ({ partition: m.partition, bucket: m.bucket, totalBuckets: m.totalBuckets, newFiles: m.newFiles, changelogFiles: m.changelogFiles, newIndexFiles: m.newIndexFiles }),
  );
  const ids = await commitMessages(t, appendOnly);
  expect(ids).toHaveLength(1);
}

async function level0Buckets(t: FileStoreTable): Promise<number[]> {
  const fresh = await t.refresh();
  const s = await fresh.snapshots.latest();
  const entries = s ? await fresh.liveEntries(s) : [];
  return [...new Set(entries.filter((e) => e.file.level === 0).map((e) => e.bucket))].sort();
}

/** Per bucket, the rows Java counts live: row counts minus the cardinalities of the deletion vectors. */
function liveRowsPerBucket(d: Description): Map<number, number> {
  const out = new Map<number, number>();
  for (const f of d.liveFiles) out.set(f.bucket, (out.get(f.bucket) ?? 0) + Number(f.rowCount));
  const live = new Set(d.liveFiles.map((f) => f.fileName));
  for (const f of d.indexFiles) {
    if (f.indexType !== "DELETION_VECTORS") continue;
    for (const [file, r] of Object.entries(f.dvRanges ?? {})) {
      // a vector only for a live data file of the same bucket
      expect(live.has(file)).toBe(true);
      expect(d.liveFiles.find((l) => l.fileName === file)?.bucket).toBe(f.bucket);
      out.set(f.bucket, (out.get(f.bucket) ?? 0) - Number((r as { cardinality: number }).cardinality));
    }
  }
  return out;
}

function keysPerBucket(m: Map<number, string>): Map<number, number> {
  const out = new Map<number, number>();
  for (const k of m.keys()) out.set(bucketOf(k), (out.get(bucketOf(k)) ?? 0) + 1);
  return out;
}

async function checkRead(j: Oracle, wh: string, t: FileStoreTable, m: Map<number, string>): Promise<void> {
  const ref = expectedRows(t, m);
  expect(rowMultiset(await ourRows(t))).toEqual(ref);
  expect(rowMultiset((await j.readTable(wh, "db.t")).rows)).toEqual(ref);
}

withJava("a crashed commit's level-0 files are compacted by the next writer", () => {
  const variants: Variant[] = ["dv", "first-row", "lookup-changelog", "lookup-changelog-dv"];
  const cases = variants.flatMap((v) => [
    [`${v}, the next writer writes only the other bucket`, v, true],
    [`${v}, the next writer writes nothing`, v, false],
  ]) as [string, Variant, boolean][];

  it.each(cases)("%s", async (_n, v, writesOther) => {
    const j = java as Oracle;
    const wh = tempWarehouse("l0-repair-");
    const t = await createTable(await newCatalog(wh), "db.t", spec(v));
    expect(await commitMessages(t, await write(t, C1))).toEqual([1n, 2n]);
    await crashedCommit(t, C2);
    expect(await level0Buckets(t)).toEqual([0]);
    const m1 = model(v, [C1]);
    if (v !== "lookup-changelog") {
      // the gap: readers skip level 0 (merge-on-read lookup tables still see it)
      await checkRead(j, wh, t, m1);
    }

    const writer = await KeyValueWriter.create(await t.refresh());
    expect(await writer.compactPendingLevel0()).toBe(1);
    const msgs = writesOther ? await write(t, C3, writer) : await writer.prepareCommit();
    const ids = await commitMessages(t, msgs);
    const kinds = await Promise.all(ids.map(async (id) => (await t.snapshots.snapshot(id)).commitKind));
    expect(kinds).toEqual(writesOther ? ["APPEND", "COMPACT"] : ["COMPACT"]);
    expect(await level0Buckets(t)).toEqual([]);
    const m = model(v, writesOther ? [C1, C2, C3] : [C1, C2]);
    await checkRead(j, wh, t, m);

    const d = await j.describe(wh, "db.t");
    expect(d.liveFiles.filter((f) => f.level === 0)).toEqual([]);
    const dv = v === "dv" || v === "lookup-changelog-dv";
    const dvFiles = d.indexFiles.filter((f) => f.indexType === "DELETION_VECTORS");
    if (dv) {
      expect(liveRowsPerBucket(d)).toEqual(keysPerBucket(m));
      // one vector file per bucket at most; the crashed updates are deleted in bucket 0
      expect(new Set(dvFiles.map((f) => f.bucket)).size).toBe(dvFiles.length);
      expect(dvFiles.some((f) => f.bucket === 0)).toBe(true);
    } else {
      expect(dvFiles).toEqual([]);
    }

    if (v === "lookup-changelog" || v === "lookup-changelog-dv") {
      // the repaired commit's changes come with the COMPACT snapshot of the repair
      const expected = [changes(v, new Map(), C1), [...changes(v, m1, C2), ...(writesOther ? changes(v, model(v, [C1, C2]), C3) : [])].sort()];
      const ours = changesOf(await j.streamRead(wh, "db.t", { fromSnapshot: 1 }));
      expect(ours).toEqual(expected);
      if (!writesOther) {
        // Java itself: the same commits, the second one write-only, then a full compaction
        const whJ = tempWarehouse("l0-repair-java-");
        const asJava = (rows: Row[]) => ({ rows: rows.map(([k, val]) => ({ kind: "+I" as const, row: { k, v: val } })) });
        await j.write({ warehouse: whJ, table: "db.t", create: spec(v), commits: [asJava(C1)] });
        await j.write({ warehouse: whJ, table: "db.t", tableOptions: { "write-only": "true" }, commits: [asJava(C2)] });
        await j.write({ warehouse: whJ, table: "db.t", commits: [{ compactOnly: "full" }] });
        expect(changesOf(await j.streamRead(whJ, "db.t", { fromSnapshot: 1 }))).toEqual(ours);
      }
    }

    // Java writes on top (its conflict checks accept our files and vectors), then we do
    const c4: Row[] = [
      [IN0[0], "java-after"],
      [IN1[1], "java-after"],
    ];
    await j.write({ warehouse: wh, table: "db.t", commits: [{ rows: c4.map(([k, val]) => ({ kind: "+I", row: { k, v: val } })) }] });
    const c5: Row[] = [[IN0[2], "ours-after"]];
    await commitMessages(t, await write(t, c5));
    const all = writesOther ? [C1, C2, C3, c4, c5] : [C1, C2, c4, c5];
    await checkRead(j, wh, t, model(v, all));
    expect(await level0Buckets(t)).toEqual([]);
  });
});

withJava("level-0 files of Java's write-only commits", () => {
  it.each(["dv", "first-row", "lookup-changelog-dv"] as Variant[])("%s: lifted by our repair; Java reads and writes on", async (v) => {
    const j = java as Oracle;
    const wh = tempWarehouse("l0-java-wo-");
    const s = spec(v);
    const asJava = (rows: Row[]) => ({ rows: rows.map(([k, val]) => ({ kind: "+I" as const, row: { k, v: val } })) });
    const c2: Row[] = [
      [IN0[0], "wo"],
      [IN1[0], "wo"],
      [newKey0, "wo-new"],
    ];
    await j.write({ warehouse: wh, table: "db.t", create: s, commits: [asJava(C1)] });
    await j.write({ warehouse: wh, table: "db.t", tableOptions: { "write-only": "true" }, commits: [asJava(c2)] });
    const t = await (await newCatalog(wh)).getTable("db.t");
    expect(await level0Buckets(t)).toEqual([0, 1]);
    await checkRead(j, wh, t, model(v, [C1]));

    const writer = await KeyValueWriter.create(await t.refresh());
    expect(await writer.compactPendingLevel0()).toBe(2);
    const ids = await commitMessages(t, await writer.prepareCommit());
    expect((await t.snapshots.snapshot(ids[0])).commitKind).toBe("COMPACT");
    expect(ids).toHaveLength(1);
    expect(await level0Buckets(t)).toEqual([]);
    const m = model(v, [C1, c2]);
    await checkRead(j, wh, t, m);
    if (v !== "first-row") expect(liveRowsPerBucket(await j.describe(wh, "db.t"))).toEqual(keysPerBucket(m));

    const c3: Row[] = [
      [IN0[0], "java-again"],
      [IN1[2], "java-again"],
    ];
    await j.write({ warehouse: wh, table: "db.t", commits: [asJava(c3)] });
    await checkRead(j, wh, t, model(v, [C1, c2, c3]));
    expect(await level0Buckets(t)).toEqual([]);
  });
});

withJava("partitioned tables", () => {
  it.each(["2", "-1"])("bucket %s: the crashed commit's buckets in two partitions are compacted by a writer that writes nothing", async (bucket) => {
    const j = java as Oracle;
    const wh = tempWarehouse("l0-part-");
    const s: TableSpec = {
      fields: [
        { name: "k", type: "INT NOT NULL" },
        { name: "p", type: "STRING NOT NULL" },
        { name: "v", type: "STRING" },
      ],
      primaryKeys: ["k", "p"],
      partitionKeys: ["p"],
      options: { bucket, "deletion-vectors.enabled": "true", "dynamic-bucket.target-row-num": "10" },
    };
    const t = await createTable(await newCatalog(wh), "db.t", s);
    const live = new Map<string, InternalValue[]>();
    const put = (rows: InternalValue[][]) => {
      for (const r of rows) live.set(`${r[0]}/${r[1]}`, r);
      return rows;
    };
    await commitMessages(t, await write(t, put(KEYS.flatMap((k) => [[k, "x", `x${k}`], [k, "y", `y${k}`]]))));
    // updates and new keys in both partitions, in several buckets
    await crashedCommit(t, put([...[1, 2, 3, 25].map((k) => [k, "x", `crashed${k}`]), ...[4, 30, 41].map((k) => [k, "y", `crashed${k}`])]));
    const before = await t.refresh();
    const l0 = (await before.liveEntries((await before.snapshots.latest())!)).filter((e) => e.file.level === 0);
    const l0Buckets = new Set(l0.map((e) => `${Buffer.from(e.partition).toString("hex")}/${e.bucket}`));
    expect(l0Buckets.size).toBeGreaterThan(1);

    const writer = await KeyValueWriter.create(await t.refresh());
    expect(await writer.compactPendingLevel0()).toBe(l0Buckets.size);
    const ids = await commitMessages(t, await writer.prepareCommit());
    expect(ids).toHaveLength(1);
    expect(await level0Buckets(t)).toEqual([]);
    const ref = rowMultiset(canonicalRows(t.schema.fields, [...live.values()]));
    expect(rowMultiset(await ourRows(t))).toEqual(ref);
    expect(rowMultiset((await j.readTable(wh, "db.t")).rows)).toEqual(ref);
    // Java writes on (dynamic buckets: its HASH index is ours)
    await j.write({ warehouse: wh, table: "db.t", commits: [{ rows: [{ kind: "+I", row: { k: 2, p: "x", v: "java" } }, { kind: "+I", row: { k: 99, p: "y", v: "java" } }] }] });
    put([
      [2, "x", "java"],
      [99, "y", "java"],
    ]);
    const ref2 = rowMultiset(canonicalRows(t.schema.fields, [...live.values()]));
    expect(rowMultiset((await j.readTable(wh, "db.t")).rows)).toEqual(ref2);
    expect(rowMultiset(await ourRows(t))).toEqual(ref2);
  });
});

describe("compactPendingLevel0 without oracle", () => {
  async function crashedTable(v: Variant): Promise<FileStoreTable> {
    const t = await createTable(await newCatalog(tempWarehouse("l0-local-")), "db.t", spec(v));
    await commitMessages(t, await write(t, C1));
    await crashedCommit(t, C2);
    return t;
  }
  const rows = async (t: FileStoreTable) => rowMultiset(await ourRows(t));

  it("is a no-op when no bucket holds level-0 files, and for tables that do not need lookup", async () => {
    const t = await createTable(await newCatalog(tempWarehouse("l0-noop-")), "db.t", spec("dv"));
    const empty = await KeyValueWriter.create(t);
    expect(await empty.compactPendingLevel0()).toBe(0);
    await commitMessages(t, await write(t, C1));
    const w = await KeyValueWriter.create(await t.refresh());
    expect(await w.compactPendingLevel0()).toBe(0);
    expect(await w.prepareCommit()).toEqual([]);
    expect(await commitMessages(t, [])).toEqual([]);
    expect((await t.snapshots.latestId())).toBe(2n);

    // merge-on-read tables read level 0: nothing to repair
    const mor = await createTable(await newCatalog(tempWarehouse("l0-mor-")), "db.t", { ...spec("dv"), options: { bucket: "2", "write-only": "true" } });
    await commitMessages(mor, await write(mor, C1));
    expect((await level0Buckets(mor)).length).toBeGreaterThan(0);
    expect(await (await KeyValueWriter.create(await mor.refresh())).compactPendingLevel0()).toBe(0);
    // write-only lookup tables never compact
    const wo = await createTable(await newCatalog(tempWarehouse("l0-wo-")), "db.t", { ...spec("dv"), options: { ...spec("dv").options, "write-only": "true" } });
    await commitMessages(wo, await write(wo, C1));
    expect(await (await KeyValueWriter.create(await wo.refresh())).compactPendingLevel0()).toBe(0);
  });

  it("a writer restored before the crashed commit landed finds it in the latest snapshot", async () => {
    const t = await createTable(await newCatalog(tempWarehouse("l0-stale-")), "db.t", spec("dv"));
    await commitMessages(t, await write(t, C1));
    const early = await KeyValueWriter.create(await t.refresh());
    await crashedCommit(t, C2);
    expect(await early.compactPendingLevel0()).toBe(1);
    const ids = await commitMessages(t, await early.prepareCommit());
    expect(ids).toHaveLength(1);
    expect(await level0Buckets(t)).toEqual([]);
    expect(await rows(t)).toEqual(expectedRows(t, model("dv", [C1, C2])));
  });

  it("a lost race with a writer that compacted the bucket first is a CommitConflictError, not a doubled row", async () => {
    const t = await crashedTable("dv");
    const repair = await KeyValueWriter.create(await t.refresh());
    expect(await repair.compactPendingLevel0()).toBe(1);
    const repairMsgs = await repair.prepareCommit();
    // another writer writes into the crashed bucket: its lookup compaction lifts the crashed files too
    const c3: Row[] = [[IN0[3], "other"]];
    expect(await commitMessages(t, await write(t, c3))).toHaveLength(2);
    await expect(commitMessages(t, repairMsgs)).rejects.toThrow(CommitConflictError);
    await expect(commitMessages(t, repairMsgs)).rejects.toThrow(/no longer live|deletion vector/);
    expect(await level0Buckets(t)).toEqual([]);
    const ref = expectedRows(t, model("dv", [C1, C2, c3]));
    expect(await rows(t)).toEqual(ref);
    // nothing left to repair
    expect(await (await KeyValueWriter.create(await t.refresh())).compactPendingLevel0()).toBe(0);
  });

  it("a writer that loaded the bucket before the repair landed reloads it and commits on top", async () => {
    const t = await crashedTable("dv");
    const other = await KeyValueWriter.create(await t.refresh());
    const repair = await KeyValueWriter.create(await t.refresh());
    expect(await repair.compactPendingLevel0()).toBe(1);
    expect(await commitMessages(t, await repair.prepareCommit())).toHaveLength(1);
    const c3: Row[] = [
      [IN0[0], "other"],
      [newKey0, "other"],
    ];
    expect(await commitMessages(t, await write(t, c3, other))).toHaveLength(2);
    expect(await level0Buckets(t)).toEqual([]);
    expect(await rows(t)).toEqual(expectedRows(t, model("dv", [C1, C2, c3])));
  });

  it("compactFull of a writer restored before a bucket existed lifts that bucket's level-0 files too", async () => {
    const t = await createTable(await newCatalog(tempWarehouse("l0-full-stale-")), "db.t", spec("dv"));
    const c1: Row[] = IN1.map((k) => [k, `v${k}`]);
    await commitMessages(t, await write(t, c1));
    const early = await KeyValueWriter.create(await t.refresh());
    expect(early.bucketWriters()).toHaveLength(0);
    await crashedCommit(t, [[IN0[0], "new-bucket"]]);
    expect(await level0Buckets(t)).toEqual([0]);
    await early.compactFull();
    await commitMessages(t, await early.prepareCommit());
    expect(await level0Buckets(t)).toEqual([]);
    expect(await rows(t)).toEqual(expectedRows(t, model("dv", [c1, [[IN0[0], "new-bucket"]]])));
  });

  it("compactFull also lifts the level-0 files of buckets the writer does not write", async () => {
    const t = await crashedTable("first-row");
    const w = await KeyValueWriter.create(await t.refresh());
    await w.compactFull();
    await commitMessages(t, await w.prepareCommit());
    expect(await level0Buckets(t)).toEqual([]);
    expect(await rows(t)).toEqual(expectedRows(t, model("first-row", [C1, C2])));
  });
});
