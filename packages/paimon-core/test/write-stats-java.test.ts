import { openOracle } from "@paimon-ts/oracle";
import { toHex } from "../src/manifest/bytes.js";
import type { DataFileMeta } from "../src/manifest/model.js";
import { AppendWriter, KeyValueWriter } from "../src/write/index.js";
import { canonicalRows, commitMessages, createTable, newCatalog, tempWarehouse, type TableSpec } from "./write-helpers.js";
import type { InternalValue } from "../src/data/values.js";
import { timestamp } from "../src/data/values.js";

const java = openOracle("java");
afterAll(async () => {
  await java?.close();
});

function metaView(f: DataFileMeta) {
  return {
    rowCount: f.rowCount.toString(),
    minKey: toHex(f.minKey),
    maxKey: toHex(f.maxKey),
    keyMin: toHex(f.keyStats.minValues),
    keyMax: toHex(f.keyStats.maxValues),
    keyNulls: f.keyStats.nullCounts?.map(String),
    valMin: toHex(f.valueStats.minValues),
    valMax: toHex(f.valueStats.maxValues),
    valNulls: f.valueStats.nullCounts?.map((x) => (x === null ? null : String(x))),
    cols: f.valueStatsCols,
    minSeq: f.minSequenceNumber.toString(),
    maxSeq: f.maxSequenceNumber.toString(),
    level: f.level,
    deletes: f.deleteRowCount?.toString(),
    source: f.fileSource,
    extra: f.extraFiles,
  };
}

async function compare(spec: TableSpec, rows: InternalValue[][], kinds?: number[]) {
  const whJ = tempWarehouse();
  const whT = tempWarehouse();
  const cat = await newCatalog(whT);
  const t = await createTable(cat, "db.t", spec);
  const canon = canonicalRows(t.schema.fields, rows);
  const ks = ["+I", "-U", "+U", "-D"] as const;
  await java!.write({ warehouse: whJ, table: "db.t", create: spec, commits: [{ rows: canon.map((row, i) => ({ kind: ks[kinds?.[i] ?? 0], row })) }] });
  const w = t.schema.primaryKeys.length > 0 ? await KeyValueWriter.create(t) : await AppendWriter.create(t);
  if (w instanceof KeyValueWriter) await w.writeRows(rows, kinds);
  else await w.writeRows(rows);
  await commitMessages(t, await w.prepareCommit());
  const jt = await (await newCatalog(whJ)).getTable("db.t");
  const jf = (await jt.liveEntries((await jt.snapshots.latest())!)).map((e) => e.file);
  const tf = (await t.liveEntries((await t.snapshots.latest())!)).map((e) => e.file);
  expect(tf.map(metaView)).toEqual(jf.map(metaView));
  return { java: jf, ours: tf };
}

const long = "abcdefghijklmnopqrstuvwxyz";
test("append: stats of every primitive type match Java byte for byte", async () => {
  const spec: TableSpec = {
    fields: [
      { name: "b", type: "BOOLEAN" },
      { name: "ti", type: "TINYINT" },
      { name: "si", type: "SMALLINT" },
      { name: "i", type: "INT" },
      { name: "bi", type: "BIGINT" },
      { name: "f", type: "FLOAT" },
      { name: "d", type: "DOUBLE" },
      { name: "dec", type: "DECIMAL(10, 2)" },
      { name: "dec38", type: "DECIMAL(38, 10)" },
      { name: "s", type: "STRING" },
      { name: "c", type: "CHAR(5)" },
      { name: "bin", type: "BYTES" },
      { name: "dt", type: "DATE" },
      { name: "tm", type: "TIME(3)" },
      { name: "ts3", type: "TIMESTAMP(3)" },
      { name: "ts6", type: "TIMESTAMP(6)" },
      { name: "ts9", type: "TIMESTAMP(9)" },
      { name: "ltz", type: "TIMESTAMP(3) WITH LOCAL TIME ZONE" },
      { name: "allnull", type: "INT" },
    ],
  };
  const rows: InternalValue[][] = [
    [true, -128, -32768, -5, 9007199254740993n, 1.5, 0.5, 12345n, -10000000000n, long, "ab", new Uint8Array([1, 2]), -1000, 0, timestamp(-1n), timestamp(1700000000123n, 456000), timestamp(-1n, 999999), timestamp(5n), null],
    [false, 127, 32767, 7, -9223372036854775808n, -2.25, 0.0, -1n, 99999999999999999999999999990000000000n, "é😀 ünï", "zz", new Uint8Array([255]), 19723, 86399999, timestamp(1700000000000n), timestamp(-86400000000n), timestamp(1n, 1), timestamp(-5n), null],
    [null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null],
  ];
  await compare(spec, rows);
});

test("append: nested columns are left out of dense stats; long strings; z*20", async () => {
  const spec: TableSpec = {
    fields: [
      { name: "id", type: "INT" },
      { name: "arr", type: "ARRAY<INT>" },
      { name: "m", type: "MAP<STRING, BIGINT>" },
      { name: "r", type: "ROW<a INT, b STRING>" },
      { name: "z", type: "STRING" },
      { name: "big", type: "STRING" },
    ],
  };
  const rows: InternalValue[][] = [
    [1, [1, null], { keys: ["a"], values: [1n] }, [1, "x"], "z".repeat(20), "x".repeat(3000)],
    [2, null, null, null, "zz", "y".repeat(3000)],
  ];
  await compare(spec, rows);
});

test("floats with NaN and infinities", async () => {
  const spec: TableSpec = { fields: [{ name: "f", type: "FLOAT" }, { name: "d", type: "DOUBLE" }] };
  await compare(spec, [[1.5, -2.5], [NaN, NaN], [-Infinity, Infinity], [0.25, 3]]);
});

test("stats modes: none/counts/full per field and metadata.stats-mode", async () => {
  const spec: TableSpec = {
    fields: [
      { name: "a", type: "STRING" },
      { name: "b", type: "STRING" },
      { name: "c", type: "STRING" },
      { name: "d", type: "INT" },
    ],
    options: { "metadata.stats-mode": "full", "fields.b.stats-mode": "none", "fields.c.stats-mode": "counts" },
  };
  await compare(spec, [[long, long, long, 1], ["b", null, null, 2]]);
});

test("pk: key stats, min/max key, delete count, sequence numbers", async () => {
  const spec: TableSpec = {
    fields: [
      { name: "k", type: "STRING" },
      { name: "k2", type: "INT" },
      { name: "v", type: "STRING" },
      { name: "n", type: "ARRAY<INT>" },
    ],
    primaryKeys: ["k", "k2"],
    options: { bucket: "1" },
  };
  await compare(
    spec,
    [
      [long, 1, "x", [1]],
      ["a", 2, long, null],
      ["a", 2, "y", null],
      ["😀", 3, null, [2]],
      ["b", 4, null, null],
    ],
    [0, 0, 2, 0, 3],
  );
});
