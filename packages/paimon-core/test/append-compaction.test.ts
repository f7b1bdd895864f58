/**
 * Compaction of append-only tables (src/write/append-compaction.ts) against Java Paimon
 * 1.4.2 and pypaimon: the same small commits go to our table (our writer) and to a table
 * Java writes; the files left after auto and full compaction must be the ones Java leaves
 * (count and sequence ranges per bucket), Java, pypaimon and our reader must read the same
 * rows (ours in write order per fixed bucket), Java must keep appending to and compacting our
 * compacted table, and a second compaction of files another compaction already replaced
 * must fail with a conflict instead of adding the rows twice.
 */
import { CommitConflictError } from "@paimon-ts/fileio";
import { execSync } from "node:child_process";
import { openOracle, rowMultiset, type LiveFile } from "@paimon-ts/oracle";
import { FileStoreCommit } from "../src/commit/index.js";
import { FileSource, type DataFileMeta } from "../src/manifest/model.js";
import type { FileStoreTable } from "../src/table/table.js";
import {
  AppendWriter,
  compactAppendTable,
  discardAppendCompaction,
  pickAppendAutoCompaction,
  pickAppendFullCompaction,
  planUnawareCompaction,
  runAppendCompaction,
  sortBySequence,
  type AppendCompactionSettings,
} from "../src/write/index.js";
import { BucketDeletionVectors } from "../src/write/deletion-vectors.js";
import { MetadataFileNames } from "../src/manifest/naming.js";
import { EMPTY_ROW_SERIALIZED } from "../src/data/binary-row.js";
import { parseTypeString } from "../src/types/parse.js";
import { canonicalRows, commitMessages, createTable, newCatalog, ourRows, tempWarehouse, type TableSpec } from "./write-helpers.js";

jest.setTimeout(600_000);

const java = openOracle("java");
const py = openOracle("python");
const haveOracles = java !== undefined && py !== undefined;
afterAll(async () => {
  await java?.close();
  await py?.close();
});

const FIELDS = [
  { name: "id", type: "INT NOT NULL" },
  { name: "p", type: "STRING NOT NULL" },
  { name: "v", type: "STRING" },
];

/** Commit c: rows c*10 .. c*10+9 spread over the partitions. */
function batch(c: number, partitions: string[]): (string | number | null)[][] {
  const out: (string | number | null)[][] = [];
  for (let i = 0; i < 10; i++) {
    const id = c * 10 + i;
    out.push([id, partitions[id % partitions.length], i % 4 === 3 ? null : `v${id}`]);
  }
  return out;
}

async function writeOurs(table: FileStoreTable, commits: (string | number | null)[][][]): Promise<void> {
  for (const rows of commits) {
    const w = await AppendWriter.create(await table.refresh());
    await w.writeRows(rows);
    await commitMessages(table, await w.prepareCommit());
  }
}

function javaCommits(table: FileStoreTable, commits: (string | number | null)[][][]) {
  return commits.map((rows) => ({ rows: canonicalRows(table.schema.fields, rows).map((row) => ({ kind: "+I" as const, row })) }));
}

/** Per (partition, bucket): the live files' sequence ranges, sorted (names and sizes differ by writer). */
function layout(files: LiveFile[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const f of files) {
    const k = `${JSON.stringify(f.partition)}/${f.bucket}`;
    (out[k] ??= []).push(`${f.minSequenceNumber}-${f.maxSequenceNumber}:${f.rowCount}`);
  }
  for (const v of Object.values(out)) v.sort();
  return out;
}

/** Ids per partition in the order a reader returned them. */
function idsByPartition(rows: Record<string, unknown>[]): Record<string, unknown[]> {
  const out: Record<string, unknown[]> = {};
  for (const r of rows) (out[String(r.p)] ??= []).push(r.id);
  return out;
}

async function expectSameRows(warehouse: string, table: FileStoreTable, ordered: boolean): Promise<Record<string, unknown>[]> {
  const ours = await ourRows(table);
  const j = await java!.readTable(warehouse, "db.t");
  const p = await py!.readTable(warehouse, "db.t");
  expect(rowMultiset(j.rows)).toEqual(rowMultiset(ours));
  expect(rowMultiset(p.rows)).toEqual(rowMultiset(ours));
  // the oracles print rows sorted; the order is checked on our reader, the sequence numbers against Java's files
  if (ordered) {
    for (const ids of Object.values(idsByPartition(ours))) expect(ids).toEqual([...ids].sort((a, b) => Number(a) - Number(b)));
  }
  return ours;
}

describe("picking files (Java's rules)", () => {
  const file = (seq: number, size: number): DataFileMeta =>
    ({ fileName: `f${seq}`, fileSize: BigInt(size), rowCount: 10n, minSequenceNumber: BigInt(seq * 10), maxSequenceNumber: BigInt(seq * 10 + 9), creationTime: null }) as DataFileMeta;
  const s: AppendCompactionSettings = {
    minFileNum: 3,
    targetFileSize: 100,
    compactionFileSize: 70,
    forceRewriteAllFiles: false,
    openFileCost: 0,
    deleteRatioThreshold: 0.2,
    fileNumLimit: 100_000,
    deletionVectors: false,
  };

  test("auto: the oldest window of min.file-num files, sliding past a window of 2 × target", () => {
    expect(pickAppendAutoCompaction([file(1, 10), file(0, 10)], s)).toBeNull();
    expect(pickAppendAutoCompaction([file(2, 10), file(0, 10), file(1, 10), file(3, 10)], s)?.map((f) => f.fileName)).toEqual(["f0", "f1", "f2"]);
    // f0 alone fills 2 × target: the window moves on without it
    expect(pickAppendAutoCompaction([file(0, 250), file(1, 10), file(2, 10), file(3, 10)], s)?.map((f) => f.fileName)).toEqual(["f1", "f2", "f3"]);
  });

  test("full: leading big files stay; the rest when most are small and there are 3", () => {
    expect(pickAppendFullCompaction([file(0, 10), file(1, 10)], s)).toEqual([]);
    expect(pickAppendFullCompaction([file(0, 80), file(1, 10), file(2, 10), file(3, 10)], s).map((f) => f.fileName)).toEqual(["f1", "f2", "f3"]);
    expect(pickAppendFullCompaction([file(0, 10), file(1, 80), file(2, 80)], s)).toEqual([]);
    expect(pickAppendFullCompaction([file(0, 80), file(1, 80)], { ...s, forceRewriteAllFiles: true }).map((f) => f.fileName)).toEqual(["f0", "f1"]);
  });

  test("bucket-unaware: small files by size into bins of 2 × target; a last bin needs min.file-num files", () => {
    const files = [file(0, 60), file(1, 60), file(2, 60), file(3, 90), file(4, 10), file(5, 20)];
    // f3 is not small; by size: f4 10, f5 20, f0 60, f1 60 (150 < 200), f2 60 → 210: one bin of five
    expect(planUnawareCompaction(files, s).map((b) => b.map((f) => f.fileName))).toEqual([["f4", "f5", "f0", "f1", "f2"]]);
    expect(planUnawareCompaction([file(0, 10), file(1, 10)], s)).toEqual([]);
  });
});

(haveOracles ? describe : describe.skip)("fixed-bucket append tables compact as Java's writer and compaction job do", () => {
  const spec: TableSpec = { fields: FIELDS, partitionKeys: ["p"], options: { bucket: "1", "bucket-key": "id", "file.format": "parquet" } };
  const parts = ["a", "b"];
  const commits = Array.from({ length: 12 }, (_, c) => batch(c, parts));
  let whO: string;
  let whJ: string;
  let table: FileStoreTable;

  beforeAll(async () => {
    whO = tempWarehouse("append-compact-o-");
    whJ = tempWarehouse("append-compact-j-");
    table = await createTable(await newCatalog(whO), "db.t", spec);
    await writeOurs(table, commits);
    await java!.write({ warehouse: whJ, table: "db.t", create: { fields: FIELDS, partitionKeys: ["p"], options: spec.options }, commits: javaCommits(table, commits) });
  });

  test("auto compaction leaves the files Java's writer leaves", async () => {
    const ours = await java!.describe(whO, "db.t");
    const theirs = await java!.describe(whJ, "db.t");
    expect(layout(ours.liveFiles)).toEqual(layout(theirs.liveFiles));
    // 12 commits, min.file-num 5: compactions happened, fewer than 12 files per bucket
    for (const files of Object.values(layout(ours.liveFiles))) expect(files.length).toBeLessThan(12);
    expect(ours.snapshots.filter((s) => s.commitKind === "COMPACT").length).toBe(theirs.snapshots.filter((s) => s.commitKind === "COMPACT").length);
    await expectSameRows(whO, table, true);
  });

  test("one long-lived writer compacts as a writer per commit does", async () => {
    const wh = tempWarehouse("append-compact-l-");
    const t = await createTable(await newCatalog(wh), "db.t", spec);
    const w = await AppendWriter.create(t);
    for (const rows of commits) {
      await w.writeRows(rows);
      await commitMessages(t, await w.prepareCommit());
    }
    expect(layout((await java!.describe(wh, "db.t")).liveFiles)).toEqual(layout((await java!.describe(whJ, "db.t")).liveFiles));
    expect(rowMultiset(await ourRows(t))).toEqual(rowMultiset((await java!.readTable(wh, "db.t")).rows));
  });

  test("full compaction: one file per bucket, as Java's; rows and order unchanged", async () => {
    const before = await ourRows(table);
    const id = await runAppendCompaction(await table.refresh(), { full: true });
    expect(id).not.toBeNull();
    await java!.write({ warehouse: whJ, table: "db.t", commits: [{ compactOnly: "full" }] });
    const ours = await java!.describe(whO, "db.t");
    const theirs = await java!.describe(whJ, "db.t");
    expect(ours.snapshots[ours.snapshots.length - 1].commitKind).toBe("COMPACT");
    expect(layout(ours.liveFiles)).toEqual(layout(theirs.liveFiles));
    for (const files of Object.values(layout(ours.liveFiles))) expect(files).toHaveLength(1);
    const after = await expectSameRows(whO, table, true);
    expect(after).toEqual(before);
    // nothing left to do: no snapshot
    expect(await runAppendCompaction(await table.refresh(), { full: true })).toBeNull();
  });

  test("Java keeps appending to and compacting our compacted table; we keep writing", async () => {
    const more = [batch(20, parts), batch(21, parts), batch(22, parts)];
    await java!.write({ warehouse: whO, table: "db.t", commits: [...javaCommits(table, more), { compactOnly: "full" }] });
    await writeOurs(table, [batch(23, parts), batch(24, parts)]);
    const rows = await expectSameRows(whO, table, true);
    expect(rows).toHaveLength(170);
  });
});

(haveOracles ? describe : describe.skip)("bucket-unaware append tables compact as Java's compaction job does", () => {
  const spec: TableSpec = { fields: FIELDS, partitionKeys: ["p"], options: { bucket: "-1", "file.format": "parquet" } };
  let whO: string;
  let whJ: string;
  let table: FileStoreTable;
  // partition "c" gets rows in only 3 commits: fewer than min.file-num small files, left alone
  const commits = Array.from({ length: 9 }, (_, c) => batch(c, ["a", "b"]).concat(c < 3 ? [[1000 + c, "c", "x"]] : []));

  beforeAll(async () => {
    whO = tempWarehouse("append-compact-uo-");
    whJ = tempWarehouse("append-compact-uj-");
    table = await createTable(await newCatalog(whO), "db.t", spec);
    await writeOurs(table, commits);
    await java!.write({ warehouse: whJ, table: "db.t", create: { fields: FIELDS, partitionKeys: ["p"], options: spec.options }, commits: javaCommits(table, commits) });
  });

  const countPerPartition = (files: LiveFile[]) => {
    const out: Record<string, number> = {};
    for (const f of files) out[JSON.stringify(f.partition)] = (out[JSON.stringify(f.partition)] ?? 0) + 1;
    return out;
  };

  test("writers do not compact; the compaction packs each partition's small files as Java's does", async () => {
    expect(countPerPartition((await java!.describe(whO, "db.t")).liveFiles)).toEqual({ '{"p":"a"}': 9, '{"p":"b"}': 9, '{"p":"c"}': 3 });
    const before = await ourRows(table);
    const messages = await compactAppendTable(await table.refresh());
    expect(messages).toHaveLength(2);
    for (const m of messages) {
      expect(m.compactBefore).toHaveLength(9);
      expect(m.compactAfter?.every((f) => f.fileSource === FileSource.COMPACT && f.level === 0)).toBe(true);
    }
    await new FileStoreCommit(await table.refresh()).commit(messages);
    await java!.write({ warehouse: whJ, table: "db.t", commits: [{ compactOnly: "full" }] });
    const ours = await java!.describe(whO, "db.t");
    const theirs = await java!.describe(whJ, "db.t");
    // the oracle's compactOnly rewrites every partition with more than one file (it does not run the
    // coordinator), so only the partitions the coordinator compacts compare
    const javaCounts = countPerPartition(theirs.liveFiles);
    expect(javaCounts['{"p":"a"}']).toBe(1);
    expect(javaCounts['{"p":"b"}']).toBe(1);
    expect(countPerPartition(ours.liveFiles)).toEqual({ '{"p":"a"}': 1, '{"p":"b"}': 1, '{"p":"c"}': 3 });
    const after = await expectSameRows(whO, table, false);
    expect(rowMultiset(after)).toEqual(rowMultiset(before));
    // in one task the rows keep the order they were written in
    expect(idsByPartition(after).a).toEqual(idsByPartition(before).a);
  });

  test("Java keeps appending to and compacting our table", async () => {
    await java!.write({ warehouse: whO, table: "db.t", commits: [...javaCommits(table, Array.from({ length: 5 }, (_, c) => batch(40 + c, ["a", "c"]))), { compactOnly: "full" }] });
    await writeOurs(table, [batch(50, ["a"])]);
    const rows = await expectSameRows(whO, table, false);
    expect(rows).toHaveLength(93 + 50 + 10);
    expect(await runAppendCompaction(await table.refresh())).toBeNull();
  });
});

describe("concurrent compactions", () => {
  test("a second compaction of the files another one replaced fails with a conflict; rows stay single", async () => {
    const wh = tempWarehouse("append-compact-c-");
    // write-only: the writer leaves the files to the compactions under test
    const table = await createTable(await newCatalog(wh), "db.t", { fields: FIELDS, partitionKeys: ["p"], options: { bucket: "2", "bucket-key": "id", "write-only": "true", "file.format": "parquet" } });
    await writeOurs(
      table,
      Array.from({ length: 4 }, (_, c) => batch(c, ["a", "b"])),
    );
    const before = await ourRows(table);
    const fresh = await table.refresh();
    const first = await compactAppendTable(fresh, { full: true });
    const second = await compactAppendTable(fresh, { full: true });
    expect(first.length).toBe(4);
    await new FileStoreCommit(fresh, { commitUser: "compactor-1" }).commit(first);
    const err = await new FileStoreCommit(fresh, { commitUser: "compactor-2" }).commit(second).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CommitConflictError);
    expect((err as Error).message).toMatch(/db\.t/);
    const after = await ourRows(table);
    expect(after).toHaveLength(40);
    expect(rowMultiset(after)).toEqual(rowMultiset(before));
    // the loser's files are deleted (runAppendCompaction does this itself on a conflict)
    const lost = second.flatMap((m) => m.compactAfter ?? []).map((f) => f.fileName);
    await discardAppendCompaction(fresh, second);
    const left = execSync(`find ${wh} -name '*.parquet'`).toString();
    for (const name of lost) expect(left).not.toContain(name);
    expect(await compactAppendTable(await table.refresh(), { full: true })).toEqual([]);
    if (java) expect(rowMultiset((await java.readTable(wh, "db.t")).rows)).toEqual(rowMultiset(before));
  });
});

/** Marks rows of data files deleted in one new DV index file of (partition, bucket) and commits it. */
async function commitDeletionVectors(table: FileStoreTable, bucket: number, totalBuckets: number, marks: { file: DataFileMeta; positions: number[] }[], partition: Uint8Array): Promise<void> {
  const names = new MetadataFileNames();
  const dvs = new BucketDeletionVectors({ io: table.io, indexPath: (f) => table.paths.index(f.fileName), newIndexFileName: () => names.newIndexFile() }, false, []);
  for (const m of marks) for (const p of m.positions) dvs.notifyNewDeletion(m.file.fileName, p);
  const written = await dvs.writeIndexFile();
  await new FileStoreCommit(await table.refresh()).commit([{ partition, bucket, totalBuckets, newFiles: [], newIndexFiles: [written!.file] }]);
}

async function liveFilesOf(table: FileStoreTable): Promise<DataFileMeta[]> {
  const t = await table.refresh();
  return sortBySequence((await t.liveEntries((await t.snapshots.latest())!)).map((e) => e.file));
}

(haveOracles ? describe : describe.skip)("deletion vectors of append tables are applied and the index files follow", () => {
  const UNPARTITIONED = EMPTY_ROW_SERIALIZED;

  test("fixed bucket: full compaction drops the marked rows and empties the bucket's index file", async () => {
    const wh = tempWarehouse("append-compact-dv-");
    const table = await createTable(await newCatalog(wh), "db.t", {
      fields: FIELDS,
      options: { bucket: "1", "bucket-key": "id", "deletion-vectors.enabled": "true", "write-only": "true", "file.format": "parquet" },
    });
    await writeOurs(
      table,
      Array.from({ length: 4 }, (_, c) => batch(c, ["a"])),
    );
    const files = await liveFilesOf(table);
    const partition = UNPARTITIONED;
    await commitDeletionVectors(table, 0, 1, [
      { file: files[0], positions: [0, 5] },
      { file: files[2], positions: [9] },
    ], partition);
    const want = await java!.readTable(wh, "db.t");
    expect(want.rows).toHaveLength(37);
    expect(rowMultiset(await ourRows(table))).toEqual(rowMultiset(want.rows));

    expect(await runAppendCompaction(await table.refresh(), { full: true })).not.toBeNull();
    const d = await java!.describe(wh, "db.t");
    expect(d.liveFiles).toHaveLength(1);
    expect(d.liveFiles[0].rowCount).toBe(37);
    // the bucket's index file is replaced by one without vectors
    expect(d.indexFiles.filter((f) => f.indexType === "DELETION_VECTORS").every((f) => Object.keys(f.dvRanges ?? {}).length === 0)).toBe(true);
    expect(rowMultiset((await java!.readTable(wh, "db.t")).rows)).toEqual(rowMultiset(want.rows));
    expect(rowMultiset((await py!.readTable(wh, "db.t")).rows)).toEqual(rowMultiset(want.rows));
    const ids = (await ourRows(table)).map((r) => Number(r.id));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    // Java appends and compacts on top
    // (Java's writers refuse a user compaction of a write-only table; its compaction job turns write-only off)
    await java!.write({ warehouse: wh, table: "db.t", tableOptions: { "write-only": "false" }, commits: [...javaCommits(table, [batch(9, ["a"])]), { compactOnly: "full" }] });
    expect(rowMultiset(await ourRows(table))).toEqual(rowMultiset((await java!.readTable(wh, "db.t")).rows));
  });

  test("bucket-unaware: a file with too many deleted rows is compacted alone; the index file keeps the other file's vector", async () => {
    const wh = tempWarehouse("append-compact-dv-");
    // every file counts as big (target 500 bytes: compaction file size 350): only the delete ratio makes one due
    const table = await createTable(await newCatalog(wh), "db.t", {
      fields: FIELDS,
      options: { bucket: "-1", "deletion-vectors.enabled": "true", "target-file-size": "500 b", "file.format": "parquet" },
    });
    await writeOurs(
      table,
      Array.from({ length: 3 }, (_, c) => batch(c, ["a"])),
    );
    const files = await liveFilesOf(table);
    expect(files.every((f) => f.fileSize >= 350n)).toBe(true);
    await commitDeletionVectors(table, 0, -1, [
      { file: files[0], positions: [1, 2, 3, 4, 5] },
      { file: files[1], positions: [7] },
    ], UNPARTITIONED);
    const want = await java!.readTable(wh, "db.t");
    expect(want.rows).toHaveLength(24);

    const messages = await compactAppendTable(await table.refresh());
    expect(messages).toHaveLength(1);
    expect(messages[0].compactBefore?.map((f) => f.fileName)).toEqual([files[0].fileName]);
    expect(messages[0].compactAfter?.[0].rowCount).toBe(5n);
    expect(messages[0].compactIndexFiles?.[0].dvRanges?.map((r) => r.dataFileName)).toEqual([files[1].fileName]);
    await new FileStoreCommit(await table.refresh()).commit(messages);

    const d = await java!.describe(wh, "db.t");
    expect(d.liveFiles).toHaveLength(3);
    const dvFiles = d.indexFiles.filter((f) => f.indexType === "DELETION_VECTORS");
    expect(dvFiles).toHaveLength(1);
    expect(Object.keys(dvFiles[0].dvRanges ?? {})).toEqual([files[1].fileName]);
    expect(rowMultiset((await java!.readTable(wh, "db.t")).rows)).toEqual(rowMultiset(want.rows));
    expect(rowMultiset((await py!.readTable(wh, "db.t")).rows)).toEqual(rowMultiset(want.rows));
    expect(rowMultiset(await ourRows(table))).toEqual(rowMultiset(want.rows));
    // the other file's ratio (0.1) is below the threshold: nothing more to do
    expect(await compactAppendTable(await table.refresh())).toEqual([]);
  });
});

describe("partition filter and schema evolution", () => {
  test("only the chosen partitions compact; files of an older schema are rewritten in the latest", async () => {
    const wh = tempWarehouse("append-compact-f-");
    const catalog = await newCatalog(wh);
    const table = await createTable(catalog, "db.t", { fields: FIELDS, partitionKeys: ["p"], options: { bucket: "-1", "file.format": "parquet" } });
    await writeOurs(
      table,
      Array.from({ length: 3 }, (_, c) => batch(c, ["a", "b"])),
    );
    await catalog.alterTable("db.t", [{ type: "addColumn", path: "extra", dataType: parseTypeString("INT") }]);
    const evolved = await table.refresh();
    await writeOurs(
      evolved,
      Array.from({ length: 3 }, (_, c) => batch(10 + c, ["a", "b"]).map((r) => [...r, c])),
    );
    const before = await ourRows(evolved);
    // the old table object: compaction still writes the latest schema
    const messages = await compactAppendTable(table, { partitionFilter: (v) => v[0] === "a" });
    expect(messages).toHaveLength(1);
    expect(messages[0].compactBefore).toHaveLength(6);
    expect(messages[0].compactAfter?.every((f) => f.schemaId === evolved.schema.id)).toBe(true);
    await new FileStoreCommit(evolved).commit(messages);
    expect(rowMultiset(await ourRows(evolved))).toEqual(rowMultiset(before));
    if (java) expect(rowMultiset((await java.readTable(wh, "db.t")).rows)).toEqual(rowMultiset(before));
  });
});

describe("refusals", () => {
  test("row-tracking tables and primary-key tables are refused with the table's name", async () => {
    const wh = tempWarehouse("append-compact-r-");
    const catalog = await newCatalog(wh);
    const rt = await createTable(catalog, "db.rt", { fields: FIELDS, options: { "row-tracking.enabled": "true", "file.format": "parquet" } });
    await expect(compactAppendTable(rt)).rejects.toThrow(/db\.rt.*row tracking/);
    const pk = await createTable(catalog, "db.pk", { fields: FIELDS, primaryKeys: ["id"], options: { bucket: "1" } });
    await expect(compactAppendTable(pk)).rejects.toThrow(/db\.pk has a primary key/);
  });
});
