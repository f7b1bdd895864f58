/**
 * Compaction: the universal/full picking rules, interval partitioning, upgrade-vs-rewrite,
 * and end to end (universal compaction with intermediate levels, compaction inside one
 * commit increment, full compaction) read back by Java, pypaimon and paimon-ts.
 */
import { openOracle, rowMultiset } from "@paimon-ts/oracle";
import { serializeBinaryRow } from "../src/data/binary-row.js";
import { RowKind, type InternalValue } from "../src/data/values.js";
import { FileSource, type DataFileMeta } from "../src/manifest/model.js";
import { rowComparator } from "../src/read/key-compare.js";
import { parseTypeString } from "../src/types/parse.js";
import { intervalPartition, KeyRanges, KeyValueWriter, Levels, pickFull, pickUniversal, runCompactUnit, type CompactRewriter } from "../src/write/index.js";
import { commitMessages, createTable, newCatalog, ourRows, tempWarehouse, type TableSpec } from "./write-helpers.js";

jest.setTimeout(300_000);

const INT = parseTypeString("INT NOT NULL");
const keys = new KeyRanges([INT], rowComparator([INT]));
let n = 0;
function file(level: number, min: number, max: number, size: number, opts: Partial<DataFileMeta> = {}): DataFileMeta {
  return {
    fileName: `f${n++}`,
    fileSize: BigInt(size),
    rowCount: 1n,
    minKey: serializeBinaryRow([INT], [min]),
    maxKey: serializeBinaryRow([INT], [max]),
    keyStats: { minValues: new Uint8Array(12), maxValues: new Uint8Array(12), nullCounts: [] },
    valueStats: { minValues: new Uint8Array(12), maxValues: new Uint8Array(12), nullCounts: [] },
    minSequenceNumber: BigInt(n),
    maxSequenceNumber: BigInt(n),
    schemaId: 0n,
    level,
    extraFiles: [],
    creationTime: 0n,
    deleteRowCount: 0n,
    embeddedIndex: null,
    fileSource: FileSource.APPEND,
    valueStatsCols: null,
    externalPath: null,
    firstRowId: null,
    writeCols: null,
    writeColsSequences: null,
    ...opts,
  };
}
const UNIVERSAL = { maxSizeAmplificationPercent: 200, sizeRatio: 1, numSortedRunCompactionTrigger: 5 };

describe("picking", () => {
  it("nothing below the trigger; size amplification compacts everything to the max level", () => {
    const l = new Levels(keys, [file(0, 1, 5, 10), file(0, 1, 5, 10), file(0, 1, 5, 10), file(5, 1, 9, 100)], 6);
    expect(pickUniversal(6, l.levelSortedRuns(), UNIVERSAL)).toBeNull();
    const m = new Levels(keys, [file(0, 1, 5, 60), file(0, 1, 5, 60), file(0, 1, 5, 60), file(0, 1, 5, 60), file(5, 1, 9, 100)], 6);
    const u = pickUniversal(6, m.levelSortedRuns(), UNIVERSAL)!;
    expect(u.outputLevel).toBe(5);
    expect(u.files.length).toBe(5);
  });

  it("size ratio merges the similar newest runs into the level above the next run", () => {
    const l = new Levels(keys, [file(0, 1, 5, 10), file(0, 1, 5, 10), file(0, 1, 5, 10), file(0, 1, 5, 10), file(5, 1, 9, 1000)], 6);
    const u = pickUniversal(6, l.levelSortedRuns(), UNIVERSAL)!;
    expect(u.outputLevel).toBe(4);
    expect(u.files.map((f) => f.level)).toEqual([0, 0, 0, 0]);
  });

  it("level 0 is never an output: the next non-zero run is taken in", () => {
    const small = () => [file(0, 1, 5, 10), file(0, 1, 5, 1000), file(0, 1, 5, 1000), file(0, 1, 5, 1000), file(0, 1, 5, 1000)];
    // too many runs: 6-5+1 = 2 candidates grow to the five level-0 runs; the next run is level 3 → output 2
    let u = pickUniversal(6, new Levels(keys, [...small(), file(3, 1, 9, 5000)], 6).levelSortedRuns(), UNIVERSAL)!;
    expect([u.outputLevel, u.files.length]).toEqual([2, 5]);
    // next run at level 1 → output would be 0: level 1 is taken in, and being the last run, output is the max level
    u = pickUniversal(6, new Levels(keys, [...small(), file(1, 1, 9, 5000)], 6).levelSortedRuns(), UNIVERSAL)!;
    expect([u.outputLevel, u.files.length]).toEqual([5, 6]);
    // … unless a higher run remains: then output is level 1
    u = pickUniversal(6, new Levels(keys, [...small(), file(1, 1, 9, 5000), file(5, 1, 9, 90000)], 6).levelSortedRuns(), UNIVERSAL)!;
    expect([u.outputLevel, u.files.length]).toEqual([1, 6]);
  });

  it("full compaction: nothing to do for a single max-level run", () => {
    expect(pickFull(6, new Levels(keys, [file(5, 1, 2, 10), file(5, 3, 4, 10)], 6).levelSortedRuns())).toBeNull();
    expect(pickFull(6, new Levels(keys, [file(5, 1, 2, 10), file(0, 3, 4, 10)], 6).levelSortedRuns())!.files.length).toBe(2);
  });

  it("levels keep level 0 newest first and refuse overlapping files above it", () => {
    const a = file(0, 1, 2, 1, { maxSequenceNumber: 5n });
    const b = file(0, 1, 2, 1, { maxSequenceNumber: 9n });
    const l = new Levels(keys, [a, b, file(2, 5, 9, 1), file(2, 1, 4, 1)], 6);
    expect(l.level0Files().map((f) => f.maxSequenceNumber)).toEqual([9n, 5n]);
    expect(l.runOfLevel(2).map((f) => keys.min(f)[0])).toEqual([1, 5]);
    expect(l.numberOfSortedRuns()).toBe(3);
    expect(l.nonEmptyHighestLevel()).toBe(2);
    l.update([], [file(2, 3, 6, 1)]);
    expect(() => l.checkNonOverlapping()).toThrow(/overlap/);
  });
});

describe("carrying out a unit", () => {
  const rewriter = (): CompactRewriter & { calls: DataFileMeta[][][][] } => {
    const calls: DataFileMeta[][][][] = [];
    return {
      calls,
      rewrite: async (level, _drop, sections) => {
        calls.push(sections.map((s) => s.map((r) => [...r])));
        const files = sections.flat(2);
        return { before: files, after: [file(level, 0, 0, 1, { fileName: `out-${calls.length}` })] };
      },
    };
  };

  it("interval partition groups overlapping files into sections of sorted runs", () => {
    const a = file(0, 1, 5, 1);
    const b = file(0, 3, 8, 1);
    const c = file(0, 6, 7, 1);
    const d = file(0, 10, 12, 1);
    const parts = intervalPartition([d, c, b, a], keys);
    expect(parts.map((s) => s.map((r) => r.map((f) => f.fileName)))).toEqual([[[a.fileName, c.fileName], [b.fileName]], [[d.fileName]]]);
  });

  it("large non-overlapping files are upgraded, small or overlapping ones rewritten", async () => {
    const big1 = file(0, 1, 5, 1000);
    const small = file(0, 6, 7, 10);
    const ov1 = file(0, 10, 20, 1000);
    const ov2 = file(1, 15, 25, 1000);
    const big2 = file(1, 30, 40, 1000);
    const rw = rewriter();
    const r = await runCompactUnit({ outputLevel: 4, files: [big1, small, ov1, ov2, big2] }, false, 5, 500, keys, rw);
    // the small file and the overlapping section are rewritten together when the next large file comes
    expect(rw.calls.map((c) => c.map((s) => s.map((run) => run.map((f) => f.fileName))))).toEqual([[[[small.fileName]], [[ov1.fileName], [ov2.fileName]]]]);
    const upgraded = r.after.filter((f) => !f.fileName.startsWith("out-"));
    expect(upgraded.map((f) => [f.fileName, f.level])).toEqual([
      [big1.fileName, 4],
      [big2.fileName, 4],
    ]);
    expect(new Set(r.before.map((f) => f.fileName))).toEqual(new Set([big1, small, ov1, ov2, big2].map((f) => f.fileName)));
  });

  it("a file with retractions is rewritten, not upgraded, when it goes to the max level", async () => {
    const f = file(0, 1, 5, 1000, { deleteRowCount: 2n });
    const rw = rewriter();
    const r = await runCompactUnit({ outputLevel: 5, files: [f] }, true, 5, 500, keys, rw);
    expect(rw.calls.length).toBe(1);
    expect(r.after[0].fileName).toBe("out-1");
  });
});

// ---------------------------------------------------------------------------------------

const java = openOracle("java");
const py = openOracle("python");
afterAll(async () => {
  await java?.close();
  await py?.close();
});

const spec: TableSpec = {
  fields: [
    { name: "k", type: "INT" },
    { name: "v", type: "STRING" },
  ],
  primaryKeys: ["k"],
  options: { bucket: "1" },
};

(java && py ? describe : describe.skip)("compaction end to end", () => {
  async function check(wh: string, expected: Map<number, string>) {
    const t = await (await newCatalog(wh)).getTable("db.t");
    const want = rowMultiset([...expected].map(([k, v]) => ({ k, v })));
    expect(rowMultiset((await java!.readTable(wh, "db.t")).rows)).toEqual(want);
    expect(rowMultiset((await py!.readTable(wh, "db.t")).rows)).toEqual(want);
    expect(rowMultiset(await ourRows(t))).toEqual(want);
  }

  async function commit(wh: string, rows: InternalValue[][], kinds: number[], model: Map<number, string>, options?: Record<string, string>) {
    const t = await (await newCatalog(wh)).getTable("db.t");
    const w = await KeyValueWriter.create(t);
    await w.writeRows(rows, kinds);
    rows.forEach((r, i) => (kinds[i] === RowKind.DELETE ? model.delete(r[0] as number) : model.set(r[0] as number, r[1] as string)));
    const msgs = await w.prepareCommit();
    await commitMessages(t, msgs);
    void options;
    return msgs;
  }

  it("universal compaction: size amplification, then size ratio to an intermediate level with retractions kept", async () => {
    const wh = tempWarehouse();
    await createTable(await newCatalog(wh), "db.t", spec);
    const model = new Map<number, string>();
    // five similar commits: the fifth triggers a full merge (size amplification)
    for (let c = 0; c < 5; c++) {
      const rows = Array.from({ length: 2000 }, (_, i) => [i * 3 + c, `c${c}-${i}`]);
      const msgs = await commit(wh, rows, rows.map(() => RowKind.INSERT), model);
      const compacted = msgs.some((m) => m.compactBefore?.length);
      expect(compacted).toBe(c === 4);
      if (c === 4) {
        expect(msgs[0].compactBefore!.length).toBe(5);
        expect(msgs[0].compactAfter!.every((f) => f.level === 5 && f.fileSource === FileSource.COMPACT)).toBe(true);
      }
      await check(wh, model);
    }
    let d = await java!.describe(wh, "db.t");
    expect(d.liveFiles.map((f) => f.level)).toEqual([5]);
    // four small commits with deletes: size ratio merges them to level 4 (level 5 stays), keeping the -D rows
    for (let c = 0; c < 4; c++) {
      const msgs = await commit(wh, [[c * 3, `small${c}`], [c * 3 + 1, "x"]], [RowKind.UPDATE_AFTER, RowKind.DELETE], model);
      if (c === 3) {
        expect(msgs[0].compactAfter!.map((f) => f.level)).toEqual([4]);
        expect(msgs[0].compactAfter![0].deleteRowCount).toBe(4n);
      }
      await check(wh, model);
    }
    d = await java!.describe(wh, "db.t");
    expect(d.liveFiles.map((f) => f.level).sort()).toEqual([4, 5]);
    expect(d.snapshots.filter((s) => s.commitKind === "COMPACT").length).toBe(2);

    // Java compacts our two levels fully; we read it
    await java!.write({ warehouse: wh, table: "db.t", commits: [{ compactOnly: "full" }] });
    await check(wh, model);
    expect((await java!.describe(wh, "db.t")).liveFiles.every((f) => f.level === 5 && f.deleteRowCount === 0)).toBe(true);
  });

  it("several compactions inside one commit increment (stop trigger): intermediate files are dropped and deleted", async () => {
    const wh = tempWarehouse();
    await createTable(await newCatalog(wh), "db.t", { ...spec, options: { bucket: "1", "write-buffer-size": "8 kb", "num-sorted-run.compaction-trigger": "2", "num-sorted-run.stop-trigger": "2" } });
    const model = new Map<number, string>();
    const t = await (await newCatalog(wh)).getTable("db.t");
    const deletes = jest.spyOn(t.io, "delete");
    const w = await KeyValueWriter.create(t);
    for (let c = 0; c < 6; c++) {
      const rows = Array.from({ length: 200 }, (_, i) => [(i * 7 + c * 13) % 500, `r${c}-${i}`] as InternalValue[]);
      await w.writeRows(rows);
      rows.forEach((r) => model.set(r[0] as number, r[1] as string));
    }
    const msgs = await w.prepareCommit();
    const [m] = msgs;
    expect(m.newFiles.length).toBeGreaterThan(3);
    const dir = t.paths.bucketDir("", 0);
    for (const f of m.compactAfter ?? []) expect(await t.io.exists(`${dir}/${f.fileName}`)).toBe(true);
    // every compaction input is one of this commit's new files (the table was empty)
    const newNames = new Set(m.newFiles.map((f) => f.fileName));
    for (const f of m.compactBefore ?? []) expect(newNames.has(f.fileName)).toBe(true);
    // nothing is both added by compaction and deleted, unless it is an upgrade of the same file
    const before = new Map((m.compactBefore ?? []).map((f) => [f.fileName, f]));
    for (const f of m.compactAfter ?? []) if (before.has(f.fileName)) expect(before.get(f.fileName)!.level).not.toBe(f.level);
    const files = await (async () => {
      const out: string[] = [];
      for await (const s of t.io.listRecursive(dir)) out.push(s.path.slice(s.path.lastIndexOf("/") + 1));
      return out;
    })();
    const referenced = new Set([...m.newFiles, ...(m.compactAfter ?? [])].map((f) => f.fileName));
    expect(files.filter((f) => !referenced.has(f))).toEqual([]);
    // some compaction consumed the output of an earlier one: that intermediate file was deleted
    expect(deletes.mock.calls.filter(([p]) => p.startsWith(dir)).length).toBeGreaterThan(0);
    deletes.mockRestore();
    await commitMessages(t, msgs);
    await check(wh, model);
  });

  it("compaction across schema versions: old files evolve by field id (rename, added column)", async () => {
    const wh = tempWarehouse();
    const cat = await newCatalog(wh);
    await createTable(cat, "db.t", { ...spec, options: { bucket: "2" } });
    let t = await cat.getTable("db.t");
    let w = await KeyValueWriter.create(t);
    await w.writeRows([
      [1, "a"],
      [2, "b"],
      [3, "c"],
    ]);
    await commitMessages(t, await w.prepareCommit());
    await cat.alterTable("db.t", [
      { type: "renameColumn", path: ["v"], newName: "val" },
      { type: "addColumn", path: ["extra"], dataType: parseTypeString("BIGINT") },
    ]);
    t = await cat.getTable("db.t");
    w = await KeyValueWriter.create(t);
    await w.writeRows([
      [2, "b2", 20n],
      [4, "d", 40n],
    ]);
    await w.compactFull();
    const msgs = await w.prepareCommit();
    for (const m of msgs) {
      const upgraded = new Set((m.compactBefore ?? []).map((f) => f.fileName));
      for (const f of m.compactAfter ?? []) {
        expect(f.level).toBe(5);
        // rewritten files carry the new schema; upgraded ones keep theirs
        expect(f.schemaId).toBe(upgraded.has(f.fileName) ? 0n : 1n);
      }
    }
    await commitMessages(t, msgs);
    const want = rowMultiset([
      { k: 1, val: "a", extra: null },
      { k: 2, val: "b2", extra: "20" },
      { k: 3, val: "c", extra: null },
      { k: 4, val: "d", extra: "40" },
    ]);
    expect(rowMultiset((await java!.readTable(wh, "db.t")).rows)).toEqual(want);
    expect(rowMultiset(await ourRows(t))).toEqual(want);
    expect(rowMultiset((await py!.readTable(wh, "db.t")).rows)).toEqual(want);
  });

  it("first-row: write-only level-0 files stay invisible to batch reads until a full compaction; otherwise each commit compacts them", async () => {
    const wh = tempWarehouse();
    const cat = await newCatalog(wh);
    await createTable(cat, "db.t", { ...spec, options: { bucket: "2", "merge-engine": "first-row", "write-only": "true" } });
    let t = await cat.getTable("db.t");
    let w = await KeyValueWriter.create(t);
    await w.writeRows([
      [1, "first"],
      [2, "first"],
      [1, "second"],
    ]);
    await commitMessages(t, await w.prepareCommit());
    expect((await java!.describe(wh, "db.t")).liveFiles.every((f) => f.level === 0)).toBe(true);
    expect((await java!.readTable(wh, "db.t")).rows).toEqual([]);
    expect(await ourRows(t)).toEqual([]);
    w = await KeyValueWriter.create(await t.refresh());
    await w.writeRows([[2, "later"], [3, "third"]]);
    await w.compactFull();
    await commitMessages(t, await w.prepareCommit());
    const want = rowMultiset([
      { k: 1, v: "first" },
      { k: 2, v: "first" },
      { k: 3, v: "third" },
    ]);
    expect(rowMultiset((await java!.readTable(wh, "db.t")).rows)).toEqual(want);
    expect(rowMultiset((await py!.readTable(wh, "db.t")).rows)).toEqual(want);
    expect(rowMultiset(await ourRows(t))).toEqual(want);

    // without write-only, the writer compacts level 0 away at every commit (what Java's lookup compaction achieves)
    await cat.alterTable("db.t", [{ type: "removeOption", key: "write-only" }]);
    t = await cat.getTable("db.t");
    w = await KeyValueWriter.create(t);
    await w.writeRows([[4, "fourth"], [1, "ignored"]]);
    await commitMessages(t, await w.prepareCommit());
    expect((await java!.describe(wh, "db.t")).liveFiles.every((f) => f.level > 0)).toBe(true);
    expect(rowMultiset((await java!.readTable(wh, "db.t")).rows)).toEqual(rowMultiset([...want.map((x) => JSON.parse(x)), { k: 4, v: "fourth" }]));
  });
});
