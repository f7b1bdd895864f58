/**
 * Data-file metadata written by the writers, checked against the spec's vectors:
 * value stats (BINARY.md §2.4), dense stats columns, key stats, delete counts, sequence
 * ranges, file naming, rolling and creation time.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { deserializeBinaryRow } from "../src/data/binary-row.js";
import { canonicalDecode, type CanonicalJson } from "../src/data/canonical.js";
import { simpleStatsFromBinary } from "../src/data/stats.js";
import { RowKind, type InternalValue } from "../src/data/values.js";
import { toHex } from "../src/manifest/bytes.js";
import { FileSource, type DataFileMeta } from "../src/manifest/model.js";
import { planScan, readSplit } from "../src/read/index.js";
import { resultRows, readTable } from "../src/read/reader.js";
import { parseTypeString } from "../src/types/parse.js";
import { AppendWriter, KeyValueWriter, localDateTimeMillis, parquetFooterStats } from "../src/write/index.js";
import { parseMemorySize } from "../src/write/options.js";
import { commitMessages, createTable, newCatalog, tempWarehouse, type TableSpec } from "./write-helpers.js";

const SPEC = "/work/shared/paimon-spec";

async function table(spec: TableSpec, name = "db.t") {
  const cat = await newCatalog(tempWarehouse());
  return createTable(cat, name, spec);
}

async function appendFiles(spec: TableSpec, rows: InternalValue[][]): Promise<DataFileMeta[]> {
  const t = await table(spec);
  const w = await AppendWriter.create(t);
  await w.writeRows(rows);
  const msgs = await w.prepareCommit();
  return msgs.flatMap((m) => m.newFiles);
}

describe("append data files", () => {
  it("BINARY.md §2.4: (id INT, name STRING) stats vector", async () => {
    const [f] = await appendFiles({ fields: [{ name: "id", type: "INT" }, { name: "name", type: "STRING" }] }, [
      [1, "alice"],
      [2, "bob"],
      [3, null],
    ]);
    expect(toHex(f.valueStats.minValues)).toBe("00000002" + "0000000000000000" + "0100000000000000" + "616c696365000085");
    expect(toHex(f.valueStats.maxValues)).toBe("00000002" + "0000000000000000" + "0300000000000000" + "626f620000000083");
    expect(f.valueStats.nullCounts).toEqual([0n, 1n]);
    expect(f.valueStatsCols).toBeNull();
    expect(toHex(f.minKey)).toBe("000000000000000000000000");
    expect(toHex(f.maxKey)).toBe("000000000000000000000000");
    expect(f.keyStats).toEqual({ minValues: new Uint8Array(12), maxValues: new Uint8Array(12), nullCounts: [] });
    expect(f.deleteRowCount).toBe(0n);
    expect(f.level).toBe(0);
    expect(f.fileSource).toBe(FileSource.APPEND);
    expect(f.extraFiles).toEqual([]);
    expect([f.minSequenceNumber, f.maxSequenceNumber, f.rowCount]).toEqual([0n, 2n, 3n]);
    expect(f.fileName).toMatch(/^data-[0-9a-f-]{36}-0\.parquet$/);
    expect([f.embeddedIndex, f.externalPath, f.firstRowId, f.writeCols, f.writeColsSequences]).toEqual([null, null, null, null, null]);
  });

  it("BINARY.md §2.4: truncate(16) of {alphabet, 'abc', null}", async () => {
    const [f] = await appendFiles({ fields: [{ name: "s", type: "STRING" }] }, [["abcdefghijklmnopqrstuvwxyz"], ["abc"], [null]]);
    expect(toHex(f.valueStats.minValues)).toBe("00000001" + "0000000000000000" + "6162630000000083");
    expect(toHex(f.valueStats.maxValues)).toBe("00000001" + "0000000000000000" + "1000000010000000" + "6162636465666768696a6b6c6d6e6f71");
    expect(f.valueStats.nullCounts).toEqual([1n]);
  });

  it("truncate(16) of 'z'×20 is ['z'×16, 'z'×15 + '{']", async () => {
    const [f] = await appendFiles({ fields: [{ name: "s", type: "STRING" }] }, [["z".repeat(20)]]);
    const [st] = simpleStatsFromBinary([parseTypeString("STRING")], f.valueStats);
    expect(st).toEqual({ min: "z".repeat(16), max: "z".repeat(15) + "{", nullCount: 0n });
  });

  it("dense store: columns with mode none are left out and listed in _VALUE_STATS_COLS", async () => {
    const fields = [
      { name: "a", type: "INT" },
      { name: "b", type: "STRING" },
      { name: "c", type: "INT" },
    ];
    const [f] = await appendFiles({ fields, options: { "fields.b.stats-mode": "none" } }, [[1, "x", 5]]);
    expect(f.valueStatsCols).toEqual(["a", "c"]);
    expect(simpleStatsFromBinary([parseTypeString("INT"), parseTypeString("INT")], f.valueStats)).toEqual([
      { min: 1, max: 1, nullCount: 0n },
      { min: 5, max: 5, nullCount: 0n },
    ]);
    const [g] = await appendFiles({ fields, options: { "metadata.stats-mode": "none" } }, [[1, "x", 5]]);
    expect(g.valueStatsCols).toEqual([]);
    expect(g.valueStats).toEqual({ minValues: new Uint8Array(12), maxValues: new Uint8Array(12), nullCounts: [] });
    const [h] = await appendFiles({ fields, options: { "fields.b.stats-mode": "none", "metadata.stats-dense-store": "false" } }, [[1, "x", 5]]);
    expect(h.valueStatsCols).toBeNull();
    expect(h.valueStats.nullCounts).toEqual([0n, null, 0n]);
    const [k] = await appendFiles({ fields, options: { "metadata.stats-keep-first-n-columns": "1" } }, [[1, "x", 5]]);
    expect(k.valueStatsCols).toEqual(["a"]);
  });

  it("nested columns get no stats (left out in dense mode, as Java's Parquet extractor does)", async () => {
    const [f] = await appendFiles(
      {
        fields: [
          { name: "id", type: "INT" },
          { name: "arr", type: "ARRAY<STRING>" },
          { name: "m", type: "MAP<INT, INT>" },
        ],
      },
      [[1, ["x"], { keys: [1], values: [2] }]],
    );
    expect(f.valueStatsCols).toEqual(["id"]);
  });

  it("rolls at target-file-size and keeps sequence numbers contiguous across files and commits", async () => {
    const t = await table({ fields: [{ name: "id", type: "BIGINT" }, { name: "s", type: "STRING" }], options: { "target-file-size": "2 kb" } });
    const rows = Array.from({ length: 2000 }, (_, i) => [BigInt(i), `value-${i}-${"x".repeat(i % 13)}`]);
    let w = await AppendWriter.create(t);
    await w.writeRows(rows.slice(0, 1200));
    await w.writeRows(rows.slice(1200));
    const files = (await w.prepareCommit()).flatMap((m) => m.newFiles);
    expect(files.length).toBeGreaterThan(5);
    let next = 0n;
    for (const f of files) {
      expect(f.minSequenceNumber).toBe(next);
      expect(f.maxSequenceNumber).toBe(next + f.rowCount - 1n);
      next = f.maxSequenceNumber + 1n;
    }
    expect(next).toBe(2000n);
    expect(new Set(files.map((f) => f.fileName)).size).toBe(files.length);
    const uuid = files[0].fileName.slice(5, 41);
    expect(files.map((f) => f.fileName)).toEqual(files.map((_, i) => `data-${uuid}-${i}.parquet`));
    await commitMessages(t, [{ partition: new Uint8Array(12), bucket: 0, totalBuckets: -1, newFiles: files }]);
    // a new writer continues after the bucket's max sequence number
    w = await AppendWriter.create(await t.refresh());
    await w.writeRows([[5000n, "later"]]);
    const msgs = await w.prepareCommit();
    const [g] = msgs.flatMap((m) => m.newFiles);
    expect(g.minSequenceNumber).toBe(2000n);
    await commitMessages(t, msgs);
    const back = resultRows(await readTable(await t.refresh()));
    expect(back.length).toBe(2001);
  });

  it("typed-array and plain-string stats fast paths agree with the general (Java-order) path", () => {
    const cases: [string, number[]][] = [
      ["DOUBLE", [-0, 0, NaN, 1, -Infinity]],
      ["DOUBLE", [NaN, NaN]],
      ["DOUBLE", [0, -0]],
      ["DOUBLE", [-0]],
      ["DOUBLE", [Infinity, 2]],
      ["FLOAT", [1.5, -2.5, NaN]],
      ["INT", [5, -7, 2147483647]],
    ];
    for (const [type, xs] of cases) {
      const t = parseTypeString(type);
      for (const withNull of [false, true]) {
        const n = xs.length + (withNull ? 1 : 0);
        const typed = type === "DOUBLE" ? new Float64Array(n) : type === "FLOAT" ? new Float32Array(n) : new Int32Array(n);
        typed.set(xs);
        const nulls = withNull ? new Uint8Array(n).fill(1, xs.length) : null;
        const plain = [...xs, ...(withNull ? [null] : [])];
        expect(parquetFooterStats({ type: t, length: n, values: typed, nulls })).toEqual(parquetFooterStats({ type: t, length: n, values: Object.assign({}, plain, { length: n }) as ArrayLike<InternalValue>, nulls }));
      }
    }
    const s = parseTypeString("STRING");
    const strs = ["b", "a", "ｚ", "😀", null, "é"];
    // the generic path (astral/high units present) orders by code point: ｚ < 😀
    expect(parquetFooterStats({ type: s, length: strs.length, values: strs, nulls: null })).toEqual({ min: "a", max: "😀", nullCount: 1n });
    expect(parquetFooterStats({ type: s, length: 3, values: ["b", null, "a"], nulls: null })).toEqual({ min: "a", max: "b", nullCount: 1n });
  });

  it("many partitions at once: unfinished files share write-buffer-size, the largest is completed early", async () => {
    const t = await table({ fields: [{ name: "id", type: "INT" }, { name: "p", type: "INT" }, { name: "s", type: "STRING" }], partitionKeys: ["p"], options: { "write-buffer-size": "16 kb" } });
    const w = await AppendWriter.create(t);
    for (let b = 0; b < 20; b++) {
      await w.writeRows(Array.from({ length: 200 }, (_, i) => [b * 200 + i, i % 10, `row-${b}-${i}`]));
      expect(w.bufferedBytes).toBeLessThanOrEqual(16 * 1024);
    }
    const msgs = await w.prepareCommit();
    expect(msgs.length).toBe(10);
    expect(msgs.every((m) => m.newFiles.length > 1)).toBe(true);
    await commitMessages(t, msgs);
    expect(resultRows(await readTable(await t.refresh())).length).toBe(4000);
  });

  it("creation time is local wall-clock millis encoded as UTC", () => {
    const d = new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 6));
    expect(localDateTimeMillis(d)).toBe(BigInt(d.getTime() - d.getTimezoneOffset() * 60_000));
  });

  it("parses memory sizes like Java", () => {
    expect(parseMemorySize("128 mb")).toBe(128 * 1024 * 1024);
    expect(parseMemorySize("1kb")).toBe(1024);
    expect(parseMemorySize("4096")).toBe(4096);
    expect(parseMemorySize("2 GB")).toBe(2 * 1024 ** 3);
    expect(() => parseMemorySize("lots")).toThrow(/memory size/);
  });
});

describe("primary-key data files", () => {
  const spec: TableSpec = {
    fields: [
      { name: "k", type: "STRING" },
      { name: "v", type: "BIGINT" },
      { name: "dt", type: "STRING" },
    ],
    primaryKeys: ["k", "dt"],
    partitionKeys: ["dt"],
    options: { bucket: "1" },
  };

  it("layout, min/max key, key stats, delete count and sequence range", async () => {
    const t = await table(spec);
    const w = await KeyValueWriter.create(t);
    await w.writeRows(
      [
        ["b", 1n, "p"],
        ["a", 2n, "p"],
        ["c", 3n, "p"],
        ["b", 4n, "p"],
        ["d", null, "p"],
        ["e", 9n, "p"],
      ],
      [RowKind.INSERT, RowKind.INSERT, RowKind.INSERT, RowKind.UPDATE_AFTER, RowKind.DELETE, RowKind.UPDATE_BEFORE],
    );
    const [m] = await w.prepareCommit();
    expect(m.totalBuckets).toBe(1);
    expect(deserializeBinaryRow([parseTypeString("STRING")], m.partition)).toEqual(["p"]);
    const [f] = m.newFiles;
    expect(f.rowCount).toBe(5n); // a, b (merged), c, d (-D), e (-U)
    expect(f.deleteRowCount).toBe(2n);
    expect(deserializeBinaryRow([parseTypeString("STRING")], f.minKey)).toEqual(["a"]);
    expect(deserializeBinaryRow([parseTypeString("STRING")], f.maxKey)).toEqual(["e"]);
    expect(simpleStatsFromBinary([parseTypeString("STRING")], f.keyStats)).toEqual([{ min: "a", max: "e", nullCount: 0n }]);
    // b's surviving record keeps its own sequence number (3); a=1, c=2, d=4, e=5
    expect([f.minSequenceNumber, f.maxSequenceNumber]).toEqual([1n, 5n]);
    expect(f.valueStatsCols).toBeNull();
    expect(simpleStatsFromBinary(["STRING", "BIGINT", "STRING"].map(parseTypeString), f.valueStats)).toEqual([
      { min: "a", max: "e", nullCount: 0n },
      { min: 2n, max: 9n, nullCount: 1n },
      { min: "p", max: "p", nullCount: 0n },
    ]);
    expect(f.fileName).toMatch(/^data-[0-9a-f-]{36}-0\.parquet$/);
    expect(f.level).toBe(0);
    // the physical columns: _KEY_k, _SEQUENCE_NUMBER, _VALUE_KIND, k, v, dt
    await commitMessages(t, [m]);
    const plan = await planScan(await t.refresh());
    const [split] = plan.splits;
    expect(split.bucketPath.endsWith("/dt=p/bucket-0")).toBe(true);
    const rows = (await readSplit(await t.refresh(), split)).numRows;
    expect(rows).toBe(3); // a, b, c (d deleted, e retracted)
  });

  it("the Parquet schema carries Java's system field ids", async () => {
    const { readParquetMetadata } = await import("../src/format/index.js");
    const t = await table(spec);
    const w = await KeyValueWriter.create(t);
    await w.writeRows([["x", 1n, "p"]]);
    const [m] = await w.prepareCommit();
    const bytes = await t.io.readFile(join(t.paths.bucketDir("dt=p/", 0), m.newFiles[0].fileName));
    const meta = await readParquetMetadata(bytes);
    const schema = meta.schema.map((e: { name: string; field_id?: number; type?: string; repetition_type?: string }) => [e.name, e.field_id, e.type, e.repetition_type]);
    expect(schema).toEqual([
      ["paimon_schema", undefined, undefined, undefined],
      ["_KEY_k", 1073741823, "BYTE_ARRAY", "REQUIRED"],
      ["_SEQUENCE_NUMBER", 2147483646, "INT64", "REQUIRED"],
      ["_VALUE_KIND", 2147483645, "INT32", "REQUIRED"],
      ["k", 0, "BYTE_ARRAY", "REQUIRED"],
      ["v", 1, "INT64", "OPTIONAL"],
      ["dt", 2, "BYTE_ARRAY", "REQUIRED"],
    ]);
  });
});

describe("bucket placement (bucket-vectors.json)", () => {
  const file = JSON.parse(readFileSync(join(SPEC, "bucket-vectors.json"), "utf8")) as {
    vectors: { case: string; keyFields: { name: string; type: string }[]; key: CanonicalJson[]; numBuckets: number; bucket: number }[];
  };
  const groups = new Map<string, typeof file.vectors>();
  for (const v of file.vectors) {
    const g = `${v.keyFields.map((f) => f.type).join(",")}@${v.numBuckets}`;
    groups.set(g, [...(groups.get(g) ?? []), v]);
  }

  it.each([...groups.keys()].map((g) => [g]))("%s: primary-key and append tables put each key in the expected bucket", async (g) => {
    const vs = groups.get(g)!;
    const keyFields = vs[0].keyFields;
    const types = keyFields.map((f) => parseTypeString(f.type));
    const keys = vs.map((v) => v.key.map((x, i) => canonicalDecode(types[i], x)));
    for (const pk of [true, false]) {
      const t = await table({
        fields: [...keyFields, { name: "payload", type: "INT" }],
        primaryKeys: pk ? keyFields.map((f) => f.name) : undefined,
        options: pk ? { bucket: String(vs[0].numBuckets), "primary-key.nullable": "true" } : { bucket: String(vs[0].numBuckets), "bucket-key": keyFields.map((f) => f.name).join(",") },
      });
      const w = pk ? await KeyValueWriter.create(t) : await AppendWriter.create(t);
      await w.writeRows(keys.map((k, i) => [...k, i]));
      const msgs = await w.prepareCommit();
      expect(msgs.every((m) => m.totalBuckets === vs[0].numBuckets)).toBe(true);
      await commitMessages(t, msgs);
      const fresh = await t.refresh();
      const plan = await planScan(fresh);
      const placed = new Map<number, number>();
      for (const split of plan.splits) {
        const b = await readSplit(fresh, split);
        for (let r = 0; r < b.numRows; r++) placed.set(b.columns[keyFields.length].values[r] as number, split.bucket);
      }
      vs.forEach((v, i) => expect([i, placed.get(i)]).toEqual([i, v.bucket]));
    }
  });
});
