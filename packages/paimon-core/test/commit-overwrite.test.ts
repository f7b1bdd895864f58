/**
 * INSERT OVERWRITE (dynamic and static), TRUNCATE TABLE and DROP PARTITION (§7.5):
 * what is deleted, when no snapshot is created, recomputation on retry, index files,
 * and the overwrite upgrade of PK files to the max level.
 */
import { join } from "node:path";
import { rowMultiset } from "@paimon-ts/oracle";
import { InvalidInputError, writeFile } from "@paimon-ts/fileio";
import { FileStoreCommit } from "../src/commit/file-store-commit.js";
import type { InternalValue } from "../src/data/values.js";
import { HASH_INDEX, FileSource, type IndexFileMeta } from "../src/manifest/model.js";
import { DataTypes as T } from "../src/types/datatype.js";
import { HookedIO, canonicalOf, canonicalRows, createTable, message, messagesOf, newWarehouse, onIO, writeDataFile, type TestWarehouse } from "./commit-helpers.js";

let wh: TestWarehouse;
beforeEach(async () => {
  wh = await newWarehouse();
});
afterEach(() => wh.cleanup());

async function twoLevelTable() {
  return createTable(wh, "p2", {
    columns: [
      { name: "a", type: T.INT() },
      { name: "b", type: T.STRING() },
      { name: "v", type: T.INT() },
    ],
    partitionKeys: ["a", "b"],
  });
}

type Table = Awaited<ReturnType<typeof twoLevelTable>>;

async function seed(t: Table, parts: [number | null, string | null][]): Promise<InternalValue[][]> {
  const rows: InternalValue[][] = [];
  const files = [];
  for (const [i, [a, b]] of parts.entries()) {
    const r = [[a, b, i]];
    rows.push(...r);
    files.push(await writeDataFile(t, r, { partition: [a, b] }));
  }
  await new FileStoreCommit(t).commit(messagesOf(t, files));
  return rows;
}

describe("overwrite", () => {
  it("dynamic: replaces only the partitions that receive rows; without rows nothing happens", async () => {
    const t = await twoLevelTable();
    const rows = await seed(t, [
      [1, "x"],
      [1, "y"],
      [2, "x"],
    ]);
    const c = new FileStoreCommit(t);
    const n = [[1, "x", 100]];
    expect(await c.overwrite(messagesOf(t, [await writeDataFile(t, n, { partition: [1, "x"] })]))).toEqual([2n]);
    const s = await t.snapshots.snapshot(2n);
    expect(s).toMatchObject({ commitKind: "OVERWRITE", deltaRecordCount: 0n, totalRecordCount: 3n, operation: null });
    expect(rowMultiset(await canonicalRows(t))).toEqual(rowMultiset(canonicalOf(t, [...n, rows[1], rows[2]])));
    // no new rows: no snapshot, even with a static spec (Java and pypaimon ignore it in dynamic mode)
    expect(await c.overwrite([])).toEqual([]);
    expect(await c.overwrite([], { partition: { a: 2 } })).toEqual([]);
    expect(await t.snapshots.latestId()).toBe(2n);
  });

  it("static: the given spec (partial specs match every sub-partition); new files must lie inside it", async () => {
    const t = await twoLevelTable();
    const rows = await seed(t, [
      [1, "x"],
      [1, "y"],
      [2, "x"],
      [null, "x"],
    ]);
    const c = new FileStoreCommit(t);
    const n = [[1, "z", 7]];
    expect(await c.overwrite(messagesOf(t, [await writeDataFile(t, n, { partition: [1, "z"] })]), { partition: { a: 1 }, dynamic: false })).toEqual([2n]);
    expect(rowMultiset(await canonicalRows(t))).toEqual(rowMultiset(canonicalOf(t, [...n, rows[2], rows[3]])));
    // null selects the default partition
    expect(await c.overwrite([], { partition: { a: null }, dynamic: false })).toEqual([3n]);
    expect(rowMultiset(await canonicalRows(t))).toEqual(rowMultiset(canonicalOf(t, [...n, rows[2]])));
    const outside = await writeDataFile(t, [[3, "x", 1]], { partition: [3, "x"] });
    await expect(c.overwrite(messagesOf(t, [outside]), { partition: { a: 2 }, dynamic: false })).rejects.toThrow(/does not belong to it/);
    await expect(c.overwrite([], { partition: { nope: 1 }, dynamic: false })).rejects.toBeInstanceOf(InvalidInputError);
    // whole table
    const w = [[9, "w", 9]];
    expect(await c.overwrite(messagesOf(t, [await writeDataFile(t, w, { partition: [9, "w"] })]), { dynamic: false })).toEqual([4n]);
    expect(rowMultiset(await canonicalRows(t))).toEqual(rowMultiset(canonicalOf(t, w)));
  });

  it("unpartitioned: an overwrite always replaces the whole table, also with no rows", async () => {
    const t = await createTable(wh, "u", { columns: [{ name: "v", type: T.INT() }] });
    const c = new FileStoreCommit(t);
    await c.commit(messagesOf(t, [await writeDataFile(t, [[1], [2]])]));
    expect(await c.overwrite(messagesOf(t, [await writeDataFile(t, [[3]])]))).toEqual([2n]);
    expect(rowMultiset(await canonicalRows(t))).toEqual(rowMultiset(canonicalOf(t, [[3]])));
    expect(await c.overwrite([])).toEqual([3n]);
    expect(await canonicalRows(t)).toEqual([]);
    expect((await t.snapshots.snapshot(3n)).totalRecordCount).toBe(0n);
  });

  it("the deleted set is recomputed when the overwrite loses the race to an append", async () => {
    const t = await twoLevelTable();
    await seed(t, [[1, "x"]]);
    const io = new HookedIO(wh.io);
    const late = [[1, "x", 55]];
    const lateFile = await writeDataFile(t, late, { partition: [1, "x"] });
    let first = true;
    io.onCreateIfAbsent = async (path, _d, real) => {
      if (/snapshot-\d+$/.test(path) && first) {
        first = false;
        // an append to the same partition lands first
        await new FileStoreCommit(t, { commitUser: "appender" }).commit(messagesOf(t, [lateFile]));
      }
      return real();
    };
    const n = [[1, "x", 1000]];
    const c = new FileStoreCommit(onIO(t, io), { sleep: async () => undefined });
    expect(await c.overwrite(messagesOf(t, [await writeDataFile(t, n, { partition: [1, "x"] })]))).toEqual([3n]);
    expect((await t.snapshots.snapshot(2n)).commitUser).toBe("appender");
    expect(rowMultiset(await canonicalRows(t))).toEqual(rowMultiset(canonicalOf(t, n)));
  });

  it("compaction results in an overwrite commit follow as a COMPACT snapshot", async () => {
    const t = await createTable(wh, "u", { columns: [{ name: "v", type: T.INT() }] });
    const c = new FileStoreCommit(t);
    const old = await writeDataFile(t, [[1]]);
    await c.commit(messagesOf(t, [old]));
    const n1 = await writeDataFile(t, [[2]]);
    const n2 = await writeDataFile(t, [[3]]);
    const n12 = await writeDataFile(t, [[2], [3]], { fileSource: FileSource.COMPACT });
    const ids = await c.overwrite([message(t, old.partition, 0, { newFiles: [n1.meta, n2.meta] }), message(t, old.partition, 0, { compactBefore: [n1.meta, n2.meta], compactAfter: [n12.meta] })]);
    expect(ids).toEqual([2n, 3n]);
    expect((await t.snapshots.snapshot(2n)).commitKind).toBe("OVERWRITE");
    expect((await t.snapshots.snapshot(3n)).commitKind).toBe("COMPACT");
    expect(rowMultiset(await canonicalRows(t))).toEqual(rowMultiset(canonicalOf(t, [[2], [3]])));
  });
});

describe("overwrite upgrade (PK, fixed buckets)", () => {
  async function pkTable(options: Record<string, string> = {}) {
    return createTable(wh, "pk", {
      columns: [
        { name: "k", type: T.INT(false) },
        { name: "v", type: T.STRING() },
      ],
      primaryKeys: ["k"],
      options: { bucket: "2", ...options },
    });
  }

  it("non-overlapping level-0 files go to the max level; overlapping ones stay", async () => {
    const t = await pkTable();
    const c = new FileStoreCommit(t);
    const a = await writeDataFile(
      t,
      [
        [1, "a"],
        [2, "b"],
      ],
      { bucket: 0 },
    );
    const b = await writeDataFile(t, [[3, "c"]], { bucket: 0 });
    const x = await writeDataFile(
      t,
      [
        [10, "x"],
        [20, "y"],
      ],
      { bucket: 1 },
    );
    const y = await writeDataFile(t, [[15, "z"]], { bucket: 1, seqStart: 2n });
    await c.overwrite(messagesOf(t, [a, b, x, y]));
    const live = await t.liveEntries((await t.snapshots.latest())!);
    const levels = Object.fromEntries(live.map((e) => [e.file.fileName, e.file.level]));
    expect(levels).toEqual({ [a.meta.fileName]: 5, [b.meta.fileName]: 5, [x.meta.fileName]: 0, [y.meta.fileName]: 0 });
    expect(rowMultiset(await canonicalRows(t))).toEqual(
      rowMultiset(
        canonicalOf(t, [
          [1, "a"],
          [2, "b"],
          [3, "c"],
          [10, "x"],
          [20, "y"],
          [15, "z"],
        ]),
      ),
    );
  });

  it("overwrite-upgrade=false keeps level 0; num-levels sets the max level", async () => {
    const off = await pkTable({ "overwrite-upgrade": "false" });
    const f = await writeDataFile(off, [[1, "a"]]);
    await new FileStoreCommit(off).overwrite(messagesOf(off, [f]));
    expect((await off.liveEntries((await off.snapshots.latest())!))[0].file.level).toBe(0);
    const t2 = await createTable(wh, "pk3", {
      columns: [
        { name: "k", type: T.INT(false) },
        { name: "v", type: T.STRING() },
      ],
      primaryKeys: ["k"],
      options: { bucket: "1", "num-levels": "3" },
    });
    const g = await writeDataFile(t2, [[1, "a"]]);
    await new FileStoreCommit(t2).overwrite(messagesOf(t2, [g]));
    expect((await t2.liveEntries((await t2.snapshots.latest())!))[0].file.level).toBe(2);
  });
});

describe("truncate and drop partitions", () => {
  it("truncateTable deletes every data and index file (operation TRUNCATE)", async () => {
    const t = await createTable(wh, "pk", {
      columns: [
        { name: "k", type: T.INT(false) },
        { name: "v", type: T.STRING() },
      ],
      primaryKeys: ["k"],
    });
    const c = new FileStoreCommit(t);
    await writeFile(wh.io, join(t.path, "index", "index-h-0"), new Uint8Array(4));
    const hash: IndexFileMeta = { indexType: HASH_INDEX, fileName: "index-h-0", fileSize: 4n, rowCount: 1n, dvRanges: null, externalPath: null, globalIndex: null };
    const f = await writeDataFile(t, [[1, "a"]]);
    await c.commit([message(t, f.partition, 0, { newFiles: [f.meta], newIndexFiles: [hash] })]);
    expect(await c.truncateTable({ commitUser: "admin" })).toBe(2n);
    const s = await t.snapshots.snapshot(2n);
    expect(s).toMatchObject({ commitKind: "OVERWRITE", operation: "TRUNCATE", commitUser: "admin", totalRecordCount: 0n, deltaRecordCount: -1n, commitIdentifier: 9223372036854775807n });
    expect(await t.indexEntries(s)).toEqual([]);
    expect(await canonicalRows(t)).toEqual([]);
    // truncating an empty table still records the operation
    expect(await c.truncateTable()).toBe(3n);
  });

  it("dropPartitions deletes the files of every matching partition", async () => {
    const t = await twoLevelTable();
    const rows = await seed(t, [
      [1, "x"],
      [1, "y"],
      [2, "x"],
      [null, null],
    ]);
    const c = new FileStoreCommit(t);
    expect(await c.dropPartitions([{ a: 1, b: "y" }, { a: null }])).toBe(2n);
    expect((await t.snapshots.snapshot(2n)).operation).toBe("TRUNCATE");
    expect(rowMultiset(await canonicalRows(t))).toEqual(rowMultiset(canonicalOf(t, [rows[0], rows[2]])));
    await expect(c.dropPartitions([])).rejects.toBeInstanceOf(InvalidInputError);
    await expect(c.dropPartitions([{}])).rejects.toBeInstanceOf(InvalidInputError);
    await expect(c.dropPartitions([{ v: 1 }])).rejects.toThrow(/not a partition key/);
    const u = await createTable(wh, "u", { columns: [{ name: "v", type: T.INT() }] });
    await expect(new FileStoreCommit(u).dropPartitions([{ v: 1 }])).rejects.toThrow(/not partitioned/);
  });
});
