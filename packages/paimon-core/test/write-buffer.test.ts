/**
 * The primary-key write buffer: bounded by write-buffer-size (flushes sorted runs as
 * level-0 files), sorted by key with unique keys per file, merged with the table's merge
 * engine, `sequence.field` and `ignore-delete` respected.
 */
import { joinPath } from "@paimon-ts/fileio";
import { RowKind, type InternalValue } from "../src/data/values.js";
import { vectorGet } from "../src/data/vector.js";
import { readDataFile } from "../src/format/index.js";
import type { DataFileMeta } from "../src/manifest/model.js";
import { readTable, resultRows } from "../src/read/reader.js";
import { rowComparator } from "../src/read/key-compare.js";
import { keyValueFields } from "../src/read/system-fields.js";
import { trimmedPrimaryKeyFields } from "../src/schema/table-schema.js";
import type { FileStoreTable } from "../src/table/table.js";
import { KeyValueWriter } from "../src/write/index.js";
import { commitMessages, createTable, newCatalog, tempWarehouse, type TableSpec } from "./write-helpers.js";

async function table(spec: TableSpec) {
  return createTable(await newCatalog(tempWarehouse()), "db.t", spec);
}

async function readPhysical(t: FileStoreTable, dir: string, f: DataFileMeta) {
  const fields = keyValueFields(trimmedPrimaryKeyFields(t.schema), t.schema.fields);
  return readDataFile("parquet", await t.io.readFile(joinPath(dir, f.fileName)), fields);
}

async function rowsOf(t: FileStoreTable): Promise<InternalValue[][]> {
  return resultRows(await readTable(await t.refresh())).sort((a, b) => ((a[0] as number) < (b[0] as number) ? -1 : 1));
}

describe("write buffer bound", () => {
  it("a tiny write-buffer-size flushes several sorted level-0 runs with unique keys, never holding more than the budget", async () => {
    const t = await table({
      fields: [
        { name: "k", type: "INT" },
        { name: "v", type: "STRING" },
      ],
      primaryKeys: ["k"],
      options: { bucket: "2", "write-buffer-size": "32 kb", "write-only": "true" },
    });
    const w = await KeyValueWriter.create(t);
    const expected = new Map<number, string>();
    let seed = 7;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2147483648);
    for (let round = 0; round < 20; round++) {
      const rows: InternalValue[][] = [];
      for (let i = 0; i < 500; i++) {
        const k = rand() % 3000;
        const v = `v${round}-${i}`;
        rows.push([k, v]);
        expected.set(k, v);
      }
      await w.writeRows(rows);
      // a batch slice may overshoot by at most one slice before the flush
      expect(w.bufferedBytes).toBeLessThanOrEqual(32 * 1024);
    }
    const msgs = await w.prepareCommit();
    const files = msgs.flatMap((m) => m.newFiles.map((f) => ({ m, f })));
    expect(files.length).toBeGreaterThan(10);
    expect(msgs.every((m) => !m.compactBefore && !m.compactAfter)).toBe(true);
    const cmp = rowComparator(trimmedPrimaryKeyFields(t.schema).map((f) => f.type));
    for (const { m, f } of files) {
      expect(f.level).toBe(0);
      const b = await readPhysical(t, t.paths.bucketDir("", m.bucket), f);
      expect(BigInt(b.numRows)).toBe(f.rowCount);
      for (let r = 1; r < b.numRows; r++) expect(cmp([vectorGet(b.columns[0], r - 1)], [vectorGet(b.columns[0], r)])).toBeLessThan(0);
      let min = vectorGet(b.columns[1], 0) as bigint;
      let max = min;
      for (let r = 0; r < b.numRows; r++) {
        const s = vectorGet(b.columns[1], r) as bigint;
        if (s < min) min = s;
        if (s > max) max = s;
      }
      expect([f.minSequenceNumber, f.maxSequenceNumber]).toEqual([min, max]);
    }
    // per bucket, flushes have increasing sequence ranges
    for (const m of msgs) {
      for (let i = 1; i < m.newFiles.length; i++) expect(m.newFiles[i].minSequenceNumber).toBeGreaterThan(m.newFiles[i - 1].maxSequenceNumber);
    }
    await commitMessages(t, msgs);
    const got = await rowsOf(t);
    expect(got).toEqual([...expected.entries()].sort((a, b) => a[0] - b[0]).map(([k, v]) => [k, v]));
  });

  it("a single batch larger than the buffer is split between flushes", async () => {
    const t = await table({ fields: [{ name: "k", type: "INT" }, { name: "v", type: "STRING" }], primaryKeys: ["k"], options: { bucket: "1", "write-buffer-size": "64 kb", "write-only": "true" } });
    const w = await KeyValueWriter.create(t);
    await w.writeRows(Array.from({ length: 20000 }, (_, i) => [i, "x".repeat(20)]));
    expect(w.bufferedBytes).toBeLessThanOrEqual(64 * 1024);
    const msgs = await w.prepareCommit();
    expect(msgs[0].newFiles.length).toBeGreaterThan(20);
    await commitMessages(t, msgs);
    expect((await rowsOf(t)).length).toBe(20000);
  });
});

describe("merging within the buffer", () => {
  async function writeOnce(spec: TableSpec, rows: InternalValue[][], kinds?: number[]) {
    const t = await table(spec);
    const w = await KeyValueWriter.create(t);
    await w.writeRows(rows, kinds);
    const msgs = await w.prepareCommit();
    const b = await readPhysical(t, t.paths.bucketDir("", 0), msgs[0].newFiles[0]);
    const physical: InternalValue[][] = [];
    for (let r = 0; r < b.numRows; r++) physical.push(b.columns.map((c) => vectorGet(c, r)));
    return physical;
  }
  const fields = [
    { name: "k", type: "INT" },
    { name: "a", type: "INT" },
    { name: "b", type: "STRING" },
  ];

  it("deduplicate keeps the last record, including a -D, with its own sequence number", async () => {
    const got = await writeOnce({ fields, primaryKeys: ["k"], options: { bucket: "1" } }, [
      [1, 1, "x"],
      [2, 1, "x"],
      [1, 2, "y"],
      [2, 1, "x"],
    ], [RowKind.INSERT, RowKind.INSERT, RowKind.UPDATE_AFTER, RowKind.DELETE]);
    // _KEY_k, _SEQUENCE_NUMBER, _VALUE_KIND, k, a, b
    expect(got).toEqual([
      [1, 2n, 2, 1, 2, "y"],
      [2, 3n, 3, 2, 1, "x"],
    ]);
  });

  it("partial-update overlays non-null fields; the merged record keeps the last sequence number", async () => {
    const got = await writeOnce({ fields, primaryKeys: ["k"], options: { bucket: "1", "merge-engine": "partial-update" } }, [
      [1, 1, null],
      [1, null, "b"],
      [2, 5, "z"],
    ]);
    expect(got).toEqual([
      [1, 1n, 0, 1, 1, "b"],
      [2, 2n, 0, 2, 5, "z"],
    ]);
  });

  it("aggregation sums, with retractions", async () => {
    const got = await writeOnce(
      { fields, primaryKeys: ["k"], options: { bucket: "1", "merge-engine": "aggregation", "fields.a.aggregate-function": "sum" } },
      [
        [1, 1, "p"],
        [1, 10, "q"],
        [1, 4, "q"],
      ],
      [RowKind.INSERT, RowKind.INSERT, RowKind.UPDATE_BEFORE],
    );
    // b's default last_non_null_value retracts to null on -U
    expect(got).toEqual([[1, 2n, 0, 1, 7, null]]);
  });

  it("first-row keeps the first record", async () => {
    const got = await writeOnce({ fields, primaryKeys: ["k"], options: { bucket: "1", "merge-engine": "first-row", "write-only": "true" } }, [
      [1, 1, "first"],
      [1, 2, "second"],
    ]);
    expect(got).toEqual([[1, 0n, 0, 1, 1, "first"]]);
  });

  it("sequence.field orders records before the sequence number", async () => {
    const got = await writeOnce({ fields, primaryKeys: ["k"], options: { bucket: "1", "sequence.field": "a" } }, [
      [1, 5, "newer by a"],
      [1, 3, "older by a, later arrival"],
    ]);
    expect(got).toEqual([[1, 0n, 0, 1, 5, "newer by a"]]);
  });

  it("ignore-delete drops retractions at the input", async () => {
    const got = await writeOnce({ fields, primaryKeys: ["k"], options: { bucket: "1", "ignore-delete": "true" } }, [
      [1, 1, "x"],
      [1, 1, "x"],
      [2, 2, "y"],
    ], [RowKind.INSERT, RowKind.DELETE, RowKind.DELETE]);
    expect(got).toEqual([[1, 0n, 0, 1, 1, "x"]]);
  });

  it("partial-update remove-record-on-delete writes a -D so the deletion reaches older files", async () => {
    const spec: TableSpec = { fields, primaryKeys: ["k"], options: { bucket: "1", "merge-engine": "partial-update", "partial-update.remove-record-on-delete": "true" } };
    const t = await table(spec);
    let w = await KeyValueWriter.create(t);
    await w.writeRows([[1, 1, "old"]]);
    await commitMessages(t, await w.prepareCommit());
    w = await KeyValueWriter.create(await t.refresh());
    await w.writeRows([[1, 2, "x"], [1, 2, "x"]], [RowKind.INSERT, RowKind.DELETE]);
    const msgs = await w.prepareCommit();
    expect(msgs[0].newFiles[0].deleteRowCount).toBe(1n);
    await commitMessages(t, msgs);
    expect(await rowsOf(t)).toEqual([]);
  });
});
