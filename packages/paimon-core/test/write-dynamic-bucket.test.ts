/**
 * Dynamic-bucket assignment (bucket = -1) and its HASH index files, plus the tables the
 * writers refuse.
 */
import { readHashIndex, hashIndexKeyHash } from "../src/index/hash-index.js";
import { HASH_INDEX } from "../src/manifest/model.js";
import { readTable, resultRows } from "../src/read/reader.js";
import { parseTypeString } from "../src/types/parse.js";
import { AppendWriter, IntIntMap, KeyValueWriter, PartitionIndex, createTableWriter } from "../src/write/index.js";
import { commitMessages, createTable, newCatalog, tempWarehouse, type TableSpec } from "./write-helpers.js";

const INT = parseTypeString("INT NOT NULL");
const h = (k: number) => hashIndexKeyHash([INT], [k]);

async function table(spec: TableSpec) {
  return createTable(await newCatalog(tempWarehouse()), "db.t", spec);
}

const dyn: TableSpec = {
  fields: [
    { name: "k", type: "INT" },
    { name: "v", type: "STRING" },
  ],
  primaryKeys: ["k"],
  options: { bucket: "-1", "dynamic-bucket.target-row-num": "3" },
};

describe("dynamic buckets", () => {
  it("fills bucket 0 up to target-row-num, then the next bucket; writes complete HASH files", async () => {
    const t = await table(dyn);
    const w = await KeyValueWriter.create(t);
    await w.writeRows(Array.from({ length: 10 }, (_, i) => [i + 1, `v${i + 1}`]));
    const msgs = await w.prepareCommit();
    expect(msgs.map((m) => [m.bucket, m.totalBuckets, Number(m.newFiles[0].rowCount)]).sort()).toEqual([
      [0, -1, 3],
      [1, -1, 3],
      [2, -1, 3],
      [3, -1, 1],
    ]);
    for (const m of msgs) {
      expect(m.newIndexFiles).toHaveLength(1);
      const f = m.newIndexFiles![0];
      expect(f.indexType).toBe(HASH_INDEX);
      expect(f.fileName).toMatch(/^index-[0-9a-f-]{36}-\d+$/);
      const hashes = [...readHashIndex(await t.io.readFile(t.paths.index(f.fileName)))];
      const keys = m.bucket === 3 ? [10] : [1, 2, 3].map((x) => x + 3 * m.bucket);
      expect(hashes).toEqual(keys.map(h).sort((a, b) => a - b));
      expect(f.rowCount).toBe(BigInt(keys.length));
      expect(f.fileSize).toBe(BigInt(4 * keys.length));
      expect([f.dvRanges, f.externalPath, f.globalIndex]).toEqual([null, null, null]);
    }
    await commitMessages(t, msgs);

    // a new writer loads the index: known keys keep their bucket, new ones fill bucket 3
    const w2 = await KeyValueWriter.create(await t.refresh());
    await w2.writeRows([
      [1, "again"],
      [11, "new"],
      [12, "new"],
      [13, "new"],
    ]);
    const m2 = await w2.prepareCommit();
    const byBucket = new Map(m2.map((m) => [m.bucket, m]));
    expect([...byBucket.keys()].sort()).toEqual([0, 3, 4]);
    expect(byBucket.get(0)!.newIndexFiles).toBeUndefined(); // key 1 was known
    const b3 = byBucket.get(3)!.newIndexFiles![0];
    expect([...readHashIndex(await t.io.readFile(t.paths.index(b3.fileName)))]).toEqual([10, 11, 12].map(h).sort((a, b) => a - b));
    expect(byBucket.get(4)!.newIndexFiles![0].rowCount).toBe(1n);
    await commitMessages(t, m2);
    const idx = await (await t.refresh()).indexEntries((await t.snapshots.latest())!);
    expect(idx.map((e) => [e.bucket, Number(e.indexFile.rowCount)]).sort()).toEqual([
      [0, 3],
      [1, 3],
      [2, 3],
      [3, 3],
      [4, 1],
    ]);
    expect(resultRows(await readTable(await t.refresh())).length).toBe(13);
  });

  it("keeps working across its own commits, and refuses after another writer committed", async () => {
    const t = await table(dyn);
    const a = await KeyValueWriter.create(t);
    await a.writeRows([[1, "a"]]);
    await commitMessages(t, await a.prepareCommit());
    await a.writeRows([[2, "a"]]);
    await commitMessages(t, await a.prepareCommit()); // own commit in between: fine

    const b = await KeyValueWriter.create(await t.refresh());
    await b.writeRows([[3, "b"]]);
    await commitMessages(t, await b.prepareCommit());

    await a.writeRows([[4, "a"]]);
    await expect(a.prepareCommit()).rejects.toThrow(/HASH index assignment conflict.*snapshot 3/);
  });

  it("partitions have separate indexes", async () => {
    const t = await table({
      fields: [
        { name: "k", type: "INT" },
        { name: "p", type: "STRING" },
      ],
      primaryKeys: ["k", "p"],
      partitionKeys: ["p"],
      options: { bucket: "-1", "dynamic-bucket.target-row-num": "2" },
    });
    const w = await KeyValueWriter.create(t);
    await w.writeRows([
      [1, "x"],
      [2, "x"],
      [3, "x"],
      [1, "y"],
    ]);
    const msgs = await w.prepareCommit();
    expect(msgs.map((m) => [Buffer.from(m.partition).toString("hex").slice(-2), m.bucket]).length).toBe(3);
    await commitMessages(t, msgs);
    const idx = await (await t.refresh()).indexEntries((await t.snapshots.latest())!);
    expect(idx.length).toBe(3);
  });

  it("max-buckets caps new buckets: further keys go to an existing one", () => {
    const p = PartitionIndex.empty(1);
    expect(p.assign(101, 2, 0)).toBe(0);
    expect(p.assign(102, 2, 0)).toBe(1);
    const b = p.assign(103, 2, 1, () => 0.99);
    expect(b).toBe(1);
    expect(p.assign(103, 2, 1)).toBe(1); // remembered
    expect(p.takeChanged()).toEqual([0, 1]);
    const unlimited = PartitionIndex.empty(1);
    for (let i = 0; i < 50; i++) expect(unlimited.assign(i * 7919, -1, i)).toBe(i);
  });

  it("IntIntMap grows and keeps entries", () => {
    const m = new IntIntMap(4);
    for (let i = -5000; i < 5000; i++) m.set(i * 31, i & 0x7fff);
    expect(m.size).toBe(10000);
    for (let i = -5000; i < 5000; i++) expect(m.get(i * 31)).toBe(i & 0x7fff);
    expect(m.get(7)).toBe(-1);
  });
});

describe("refused tables and bad input", () => {
  it("postpone buckets", async () => {
    const t = await table({ ...dyn, options: { bucket: "-2" } });
    await expect(KeyValueWriter.create(t)).rejects.toThrow(/table db\.t: postpone buckets \(bucket = -2\).*fixed bucket count.*dynamic buckets/);
  });

  it("cross-partition update", async () => {
    const t = await table({ fields: [{ name: "k", type: "INT" }, { name: "p", type: "STRING" }], primaryKeys: ["k"], partitionKeys: ["p"], options: { bucket: "-1" } });
    await expect(KeyValueWriter.create(t)).rejects.toThrow(/table db\.t: cross-partition update/);
  });

  it("avro and orc data files", async () => {
    for (const format of ["avro", "orc"]) {
      const t = await table({ fields: [{ name: "k", type: "INT" }], options: { "file.format": format } });
      await expect(AppendWriter.create(t)).rejects.toThrow(new RegExp(`table db\\.t: writing '${format}' data files is not supported`));
    }
  });

  it("deletion-vector first-row tables (Java refuses them too; other DV tables are writable, see dv-*.test.ts)", async () => {
    const t = await table({ ...dyn, options: { bucket: "1", "deletion-vectors.enabled": "true", "merge-engine": "first-row" } });
    await expect(createTableWriter(t)).rejects.toThrow(/deletion-vectors/);
  });

  it("NOT NULL violations name the table, the column and the row", async () => {
    const t = await table({ fields: [{ name: "k", type: "INT NOT NULL" }, { name: "v", type: "STRING" }] });
    const w = await AppendWriter.create(t);
    await expect(w.writeRows([[1, "a"], [null, "b"]])).rejects.toThrow("table db.t: column 'k' is NOT NULL but row 1 of the batch is null");
    const p = await table({ ...dyn, options: { bucket: "1" } });
    const kv = await KeyValueWriter.create(p);
    await expect(kv.writeRows([[null, "x"]])).rejects.toThrow("table db.t: column 'k' is NOT NULL but row 0 of the batch is null");
    await expect(kv.writeRows([[1, "x"]], [7])).rejects.toThrow(/row 0 has row kind 7/);
  });

  it("columns must come in table order", async () => {
    const t = await table({ fields: [{ name: "a", type: "INT" }, { name: "b", type: "INT" }] });
    const w = await AppendWriter.create(t);
    const col = { type: INT, length: 1, values: [1], nulls: null };
    await expect(w.write({ numRows: 1, names: ["b", "a"], columns: [col, col] })).rejects.toThrow(/batch column 0 is 'b', expected 'a'/);
  });
});
