/**
 * Deletion-vector (merge-on-write) writes of primary-key tables, without the oracles:
 * lookup compaction takes every level-0 file up before the commit returns, older rows of
 * updated or deleted keys get their positions set in their file's deletion vector, and
 * the bucket's one DELETION_VECTORS index file is replaced at each commit. The DV bytes
 * are checked against Java's vectors (BINARY.md §5.6).
 */
import { toHex } from "../src/manifest/bytes.js";
import { DELETION_VECTORS_INDEX, FileKind } from "../src/manifest/model.js";
import { readDeletionVectorIndexFile, BitmapDeletionVector, Bitmap64DeletionVector, writeDeletionVectorIndexFile } from "../src/index/deletion-vector.js";
import type { InternalValue } from "../src/data/values.js";
import type { FileStoreTable } from "../src/table/table.js";
import { KeyValueWriter } from "../src/write/index.js";
import { commitMessages, createTable, io, newCatalog, ourRows, tempWarehouse, type TableSpec } from "./write-helpers.js";

jest.setTimeout(120_000);

const spec = (options: Record<string, string> = {}): TableSpec => ({
  fields: [
    { name: "k", type: "INT" },
    { name: "v", type: "STRING" },
    { name: "n", type: "BIGINT" },
  ],
  primaryKeys: ["k"],
  options: { bucket: "1", "deletion-vectors.enabled": "true", ...options },
});

const I = 0;
const UB = 1;
const UA = 2;
const D = 3;
type Rec = [kind: number, k: number, v: string | null, n: bigint | null];

async function write(t: FileStoreTable, recs: Rec[], w?: KeyValueWriter): Promise<KeyValueWriter> {
  const writer = w ?? (await KeyValueWriter.create(await t.refresh()));
  await writer.writeRows(
    recs.map(([, k, v, n]) => [k, v, n]),
    recs.map((r) => r[0]),
  );
  await commitMessages(t, await writer.prepareCommit());
  return writer;
}

/** Deduplicate model: the last record of each key, retractions delete. */
function model(batches: Rec[][]): string[] {
  const m = new Map<number, InternalValue[]>();
  for (const b of batches) {
    for (const [kind, k, v, n] of b) {
      if (kind === UB || kind === D) m.delete(k);
      else m.set(k, [k, v, n]);
    }
  }
  return [...m.values()].map(([k, v, n]) => JSON.stringify({ k, v, n: n === null ? null : String(n) })).sort();
}

const rows = async (t: FileStoreTable) => (await ourRows(t)).map((r) => JSON.stringify(r)).sort();

async function liveFiles(t: FileStoreTable) {
  const fresh = await t.refresh();
  const s = await fresh.snapshots.latest();
  return s ? fresh.liveEntries(s) : [];
}

async function dvEntries(t: FileStoreTable) {
  const fresh = await t.refresh();
  const s = await fresh.snapshots.latest();
  return s ? (await fresh.indexEntries(s)).filter((e) => e.indexFile.indexType === DELETION_VECTORS_INDEX) : [];
}

describe("deletion-vector writes (deduplicate, fixed bucket)", () => {
  it("takes level 0 up at each commit and deletes older rows with deletion vectors", async () => {
    const t = await createTable(await newCatalog(tempWarehouse()), "db.t", spec());
    const b1: Rec[] = Array.from({ length: 10 }, (_, i): Rec => [I, i, `v${i}`, BigInt(i)]);
    await write(t, b1);
    expect((await liveFiles(t)).map((e) => e.file.level)).toEqual([5]);
    expect(await dvEntries(t)).toEqual([]);

    const b2: Rec[] = [
      [UB, 1, "v1", 1n],
      [UA, 1, "v1b", 11n],
      [D, 3, null, null],
      [I, 5, "v5b", 55n],
      [D, 42, null, null], // missing key
      [I, 20, "v20", 20n],
    ];
    const ids = await write(t, b2).then(async () => (await (await t.refresh()).snapshots.latest())!.id);
    const s = await (await t.refresh()).snapshots.snapshot(ids);
    expect(s.commitKind).toBe("COMPACT");
    expect((await (await t.refresh()).snapshots.snapshot(ids - 1n)).commitKind).toBe("APPEND");
    expect(await rows(t)).toEqual(model([b1, b2]));

    const files = await liveFiles(t);
    expect(files.every((e) => e.file.level > 0)).toBe(true);
    expect(files.every((e) => e.file.deleteRowCount === 0n)).toBe(true);
    const dv = await dvEntries(t);
    expect(dv).toHaveLength(1);
    const old = files.find((e) => e.file.level === 5)!;
    expect(dv[0].indexFile.dvRanges!.map((r) => [r.dataFileName, r.cardinality])).toEqual([[old.file.fileName, 3n]]);
    const bytes = await io.readFile(t.paths.index(dv[0].indexFile.fileName));
    const vectors = readDeletionVectorIndexFile(bytes, dv[0].indexFile.dvRanges!);
    const positions: number[] = [];
    vectors.get(old.file.fileName)!.forEachDeleted((p) => positions.push(p));
    expect(positions).toEqual([1, 3, 5]);
    // byte-identical to Java's v1 vector {1,3,5} (BINARY.md §5.6), as a one-vector index file
    expect(toHex(bytes)).toBe("01" + "0000001a5e43f2d03a300000010000000000020010000000010003000500f39291eb");
    expect(dv[0].indexFile.fileSize).toBe(35n);
    expect(dv[0].indexFile.rowCount).toBe(1n);
    expect(dv[0].indexFile.dvRanges![0]).toMatchObject({ offset: 1, length: 26 });
  });

  it("keeps one index file per bucket, replacing it at each commit; a full compaction folds the vectors away", async () => {
    const t = await createTable(await newCatalog(tempWarehouse()), "db.t", spec({ bucket: "2" }));
    const batches: Rec[][] = [Array.from({ length: 200 }, (_, i): Rec => [I, i, `v${i}`, BigInt(i)])];
    let w = await write(t, batches[0]);
    for (let c = 1; c <= 6; c++) {
      const b: Rec[] = [];
      for (let i = 0; i < 200; i += 7 + c) b.push(i % 3 === 0 ? [D, i, null, null] : [UA, i, `c${c}-${i}`, BigInt(c * 1000 + i)]);
      b.push([I, 1000 + c, `new${c}`, BigInt(c)]);
      batches.push(b);
      w = await write(t, b, c % 2 === 0 ? w : undefined); // alternate a long-lived and a fresh writer
      expect(await rows(t)).toEqual(model(batches));
      const dv = await dvEntries(t);
      expect(new Set(dv.map((e) => e.bucket)).size).toBe(dv.length);
      const live = new Set((await liveFiles(t)).map((e) => e.file.fileName));
      for (const e of dv) for (const r of e.indexFile.dvRanges!) expect(live.has(r.dataFileName)).toBe(true);
      expect((await liveFiles(t)).every((e) => e.file.level > 0)).toBe(true);
    }
    // every live row is one key: count = model size
    const total = (await liveFiles(t)).reduce((s, e) => s + Number(e.file.rowCount), 0);
    const deleted = (await dvEntries(t)).reduce((s, e) => s + e.indexFile.dvRanges!.reduce((a, r) => a + Number(r.cardinality), 0), 0);
    expect(total - deleted).toBe(model(batches).length);

    const fw = await KeyValueWriter.create(await t.refresh());
    await fw.compactFull();
    await commitMessages(t, await fw.prepareCommit());
    expect(await rows(t)).toEqual(model(batches));
    expect((await liveFiles(t)).every((e) => e.file.level === 5)).toBe(true);
    // the index files left are empty (they replaced the old ones)
    for (const e of await dvEntries(t)) {
      expect(e.indexFile.dvRanges).toEqual([]);
      expect(e.indexFile.fileSize).toBe(1n);
    }
  });

  it("writes v2 vectors with deletion-vectors.bitmap64", async () => {
    const t = await createTable(await newCatalog(tempWarehouse()), "db.t", spec({ "deletion-vectors.bitmap64": "true" }));
    const b1: Rec[] = Array.from({ length: 10 }, (_, i): Rec => [I, i, `v${i}`, BigInt(i)]);
    const b2: Rec[] = [
      [UA, 1, "x", 1n],
      [UA, 3, "x", 3n],
      [D, 5, null, null],
    ];
    await write(t, b1);
    await write(t, b2);
    expect(await rows(t)).toEqual(model([b1, b2]));
    const dv = await dvEntries(t);
    const bytes = await io.readFile(t.paths.index(dv[0].indexFile.fileName));
    // Java's v2 vector {1,3,5} (BINARY.md §5.6)
    expect(toHex(bytes)).toBe("01" + "00000026d1d339640100000000000000000000003a300000010000000000020010000000010003000500" + "5a9e5d39");
    expect(dv[0].indexFile.dvRanges![0]).toMatchObject({ offset: 1, length: 46, cardinality: 3n });
    expect(readDeletionVectorIndexFile(bytes, dv[0].indexFile.dvRanges!).values().next().value).toBeInstanceOf(Bitmap64DeletionVector);
  });

  it("index file bytes equal writeDeletionVectorIndexFile of the same vectors", async () => {
    const t = await createTable(await newCatalog(tempWarehouse()), "db.t", spec());
    const b1: Rec[] = Array.from({ length: 70_000 }, (_, i): Rec => [I, i, null, BigInt(i)]);
    await write(t, b1);
    // a run of deleted positions (run container after runOptimize) plus scattered ones in a second container
    const b2: Rec[] = [...Array.from({ length: 300 }, (_, i): Rec => [UA, 100 + i, "u", 0n]), [D, 65_540, null, null], [D, 69_999, null, null]];
    await write(t, b2);
    const dv = await dvEntries(t);
    const bytes = await io.readFile(t.paths.index(dv[0].indexFile.fileName));
    const expected = writeDeletionVectorIndexFile([[dv[0].indexFile.dvRanges![0].dataFileName, BitmapDeletionVector.of([...Array.from({ length: 300 }, (_, i) => 100 + i), 65_540, 69_999])]]);
    expect(toHex(bytes)).toBe(toHex(expected.bytes));
    expect(dv[0].indexFile.dvRanges).toEqual(expected.metas);
  });
});

describe("deletion-vector commits and other writers", () => {
  it("two writers compacting one bucket: the second commit conflicts, and a fresh writer picks up its level-0 files", async () => {
    const t = await createTable(await newCatalog(tempWarehouse()), "db.t", spec());
    const b0: Rec[] = Array.from({ length: 20_000 }, (_, i): Rec => [I, i, `v${i}`, BigInt(i)]);
    await write(t, b0);
    const wa = await KeyValueWriter.create(await t.refresh());
    const wb = await KeyValueWriter.create(await t.refresh());
    await wa.writeRows([[2, "a", 2n]]);
    await wb.writeRows([[3, "b", 3n]]);
    const ma = await wa.prepareCommit();
    const mb = await wb.prepareCommit();
    // both took their own level-0 file up without touching the big file: only the deletion vectors collide
    expect(ma[0].compactBefore).toHaveLength(1);
    expect(mb[0].compactBefore).toHaveLength(1);
    await commitMessages(t, ma);
    const err = await commitMessages(t, mb).catch((e) => e);
    expect(err).toBeInstanceOf(Error);
    expect(String(err.message)).toMatch(/deletion-vector conflict .*another writer compacted the bucket/);
    // b's APPEND part landed; its level-0 file waits, invisible to batch reads
    expect((await liveFiles(t)).some((e) => e.file.level === 0)).toBe(true);
    expect(await rows(t)).toEqual(model([b0, [[I, 2, "a", 2n]]]));
    // a fresh writer's next commit takes it up
    const b2: Rec[] = [[I, 4, "c", 4n]];
    await write(t, b2);
    expect((await liveFiles(t)).every((e) => e.file.level > 0)).toBe(true);
    expect(await rows(t)).toEqual(model([b0, [[I, 2, "a", 2n]], [[I, 3, "b", 3n]], b2]));
  });

  it("the writer whose compaction commit lost reloads the bucket at its next commit and takes its level-0 file up", async () => {
    const t = await createTable(await newCatalog(tempWarehouse()), "db.t", spec());
    const b0: Rec[] = Array.from({ length: 20_000 }, (_, i): Rec => [I, i, `v${i}`, BigInt(i)]);
    await write(t, b0);
    const wa = await KeyValueWriter.create(await t.refresh());
    const wb = await KeyValueWriter.create(await t.refresh());
    await wa.writeRows([[2, "a", 2n]]);
    await wb.writeRows([[3, "b", 3n]]);
    const ma = await wa.prepareCommit();
    const mb = await wb.prepareCommit();
    await commitMessages(t, ma);
    await expect(commitMessages(t, mb)).rejects.toThrow(/deletion-vector conflict/);
    // the same writer goes on: it sees its compaction did not land and another writer changed the bucket
    const b2: Rec[] = [[UA, 3, "b2", 33n], [I, 5, "e", 5n]];
    await write(t, b2, wb);
    expect((await liveFiles(t)).every((e) => e.file.level > 0)).toBe(true);
    expect(await rows(t)).toEqual(model([b0, [[I, 2, "a", 2n]], [[I, 3, "b", 3n]], b2]));
    const deleted = (await dvEntries(t)).reduce((s, e) => s + e.indexFile.dvRanges!.reduce((a, r) => a + Number(r.cardinality), 0), 0);
    const total = (await liveFiles(t)).reduce((s, e) => s + Number(e.file.rowCount), 0);
    expect(total - deleted).toBe(20_000);
  });

  it("messages that were never committed are forgotten at the writer's next commit", async () => {
    const t = await createTable(await newCatalog(tempWarehouse()), "db.t", spec());
    const b0: Rec[] = Array.from({ length: 100 }, (_, i): Rec => [I, i, `v${i}`, BigInt(i)]);
    const w = await write(t, b0);
    await w.writeRows([[1, "dropped", 1n]]);
    await w.prepareCommit(); // not committed
    const b2: Rec[] = [[UA, 2, "kept", 2n]];
    await write(t, b2, w);
    expect(await rows(t)).toEqual(model([b0, b2]));
    expect((await liveFiles(t)).every((e) => e.file.level > 0)).toBe(true);
  });

  it("two writers rewriting the same files: the second compaction conflicts on the deleted files", async () => {
    const t = await createTable(await newCatalog(tempWarehouse()), "db.t", spec());
    await write(t, Array.from({ length: 10 }, (_, i): Rec => [I, i, `v${i}`, BigInt(i)]));
    await write(t, [[UA, 1, "first", 1n]]);
    const wa = await KeyValueWriter.create(await t.refresh());
    const wb = await KeyValueWriter.create(await t.refresh());
    await wa.writeRows([[2, "a", 2n]]);
    await wb.writeRows([[3, "b", 3n]]);
    const ma = await wa.prepareCommit();
    const mb = await wb.prepareCommit();
    await commitMessages(t, ma);
    const err = await commitMessages(t, mb).catch((e) => e);
    expect(String(err?.message)).toMatch(/conflict/);
    await write(t, [[I, 4, "c", 4n]]);
    expect((await rows(t)).filter((r) => /"v":"(first|a|b|c)"/.test(r))).toHaveLength(4);
    expect(await rows(t)).toHaveLength(10);
  });

  it("a long-lived writer reloads a bucket another writer changed", async () => {
    const t = await createTable(await newCatalog(tempWarehouse()), "db.t", spec());
    const b0: Rec[] = Array.from({ length: 10 }, (_, i): Rec => [I, i, `v${i}`, BigInt(i)]);
    const w = await write(t, b0);
    const other: Rec[] = [[UA, 2, "other", 22n]];
    await write(t, other); // a different writer
    const mine: Rec[] = [
      [UA, 2, "mine", 222n],
      [UA, 7, "mine", 7n],
    ];
    await write(t, mine, w);
    expect(await rows(t)).toEqual(model([b0, other, mine]));
    const dv = await dvEntries(t);
    const deleted = dv.reduce((s, e) => s + e.indexFile.dvRanges!.reduce((a, r) => a + Number(r.cardinality), 0), 0);
    const total = (await liveFiles(t)).reduce((s, e) => s + Number(e.file.rowCount), 0);
    expect(total - deleted).toBe(10);
    expect((await liveFiles(t)).filter((e) => e.kind === FileKind.ADD).every((e) => e.file.level > 0)).toBe(true);
  });
});

describe("the lookup of deletion-vector compaction", () => {
  it("reads only the blocks its keys land in, caches them across commits, and stays within lookup.cache-max-memory-size", async () => {
    // one block of 100k INT keys is ~400 KB: the budget holds one block, not three
    const t = await createTable(await newCatalog(tempWarehouse()), "db.t", spec({ "lookup.cache-max-memory-size": "600 kb" }));
    const b0: Rec[] = Array.from({ length: 250_000 }, (_, i): Rec => [I, i, null, BigInt(i)]);
    const w = await write(t, b0);
    const cache = w.lookupCache!;
    const batches: Rec[][] = [b0];
    const commit = async (keys: number[]) => {
      const b: Rec[] = keys.map((k): Rec => [UA, k, `u${k}`, BigInt(-k)]);
      batches.push(b);
      const before = cache.stats.rowsLoaded;
      await write(t, b, w);
      // rows read from the big file (the few-row files of earlier commits aside)
      return Math.floor((cache.stats.rowsLoaded - before) / 1000) * 1000;
    };
    // keys in the first block only: the binary search reads the middle block, then the first
    expect(await commit([5, 17, 99_999])).toBe(200_000);
    // the same block again: cached
    expect(await commit([6, 18])).toBe(0);
    // the last block: read once; the middle one's fences are known
    expect(await commit([240_000, 249_999])).toBe(50_000);
    expect(cache.stats.bytes).toBeLessThanOrEqual(600 * 1024);
    expect(cache.stats.blockEvictions).toBeGreaterThan(0);
    // the middle block again (evicted after the first commit): the first block goes
    expect(await commit([150_000])).toBe(100_000);
    expect(await commit([7])).toBe(100_000);
    expect(cache.stats.peakBytes).toBeLessThanOrEqual(600 * 1024 + 450 * 1024); // the budget plus the block being read
    expect(await rows(t)).toEqual(model(batches));
  });
});
