/**
 * Append-table writes end to end, against the real oracles: every data type (nulls and
 * nested types included, BIGINT beyond 2^53, DECIMAL(38, 10), dates before 1970,
 * TIMESTAMP(9)), unpartitioned and multi-column partitions with null, date, timestamp,
 * empty and special-character values, bucket-unaware and fixed buckets, several commits.
 * Java writes the same commits into its own warehouse as the reference; Java, pypaimon and
 * our reader must read our table identically; Java's `describe` must show the files Java
 * wrote; then Java keeps writing (and compacts) and we read the result.
 */
import { openOracle, rowMultiset, type LiveFile } from "@paimon-ts/oracle";
import { canonicalEncode } from "../src/data/canonical.js";
import { timestamp, type InternalValue } from "../src/data/values.js";
import type { DataType } from "../src/types/datatype.js";
import { parseTypeString } from "../src/types/parse.js";
import { AppendWriter } from "../src/write/index.js";
import { canonicalRows, commitMessages, createTable, newCatalog, ourRows, tempWarehouse, type TableSpec } from "./write-helpers.js";

jest.setTimeout(300_000);

const java = openOracle("java");
const py = openOracle("python");
afterAll(async () => {
  await java?.close();
  await py?.close();
});

const ALL_TYPES: { name: string; type: string }[] = [
  { name: "id", type: "INT NOT NULL" },
  { name: "b", type: "BOOLEAN" },
  { name: "ti", type: "TINYINT" },
  { name: "si", type: "SMALLINT" },
  { name: "i", type: "INT" },
  { name: "bi", type: "BIGINT" },
  { name: "f", type: "FLOAT" },
  { name: "d", type: "DOUBLE" },
  { name: "dec", type: "DECIMAL(10, 2)" },
  { name: "dec38", type: "DECIMAL(38, 10)" },
  { name: "c", type: "CHAR(5)" },
  { name: "vc", type: "VARCHAR(20)" },
  { name: "s", type: "STRING" },
  { name: "bin", type: "BINARY(4)" },
  { name: "vb", type: "VARBINARY(10)" },
  { name: "by", type: "BYTES" },
  { name: "dt", type: "DATE" },
  { name: "tm", type: "TIME(3)" },
  { name: "ts0", type: "TIMESTAMP(0)" },
  { name: "ts3", type: "TIMESTAMP(3)" },
  { name: "ts6", type: "TIMESTAMP(6)" },
  { name: "ts9", type: "TIMESTAMP(9)" },
  { name: "ltz3", type: "TIMESTAMP(3) WITH LOCAL TIME ZONE" },
  { name: "ltz6", type: "TIMESTAMP(6) WITH LOCAL TIME ZONE" },
  { name: "arr", type: "ARRAY<INT>" },
  { name: "arrs", type: "ARRAY<STRING>" },
  { name: "m", type: "MAP<STRING, BIGINT>" },
  { name: "mi", type: "MAP<INT, ARRAY<STRING>>" },
  { name: "r", type: "ROW<a INT, b STRING, c ARRAY<DOUBLE>>" },
];

/** A deterministic value of a type for row i (NULL every 5th row for nullable columns). */
function valueOf(t: DataType, i: number): InternalValue {
  if (t.nullable && i % 5 === 4) return null;
  const neg = i % 2 === 1 ? -1 : 1;
  switch (t.root) {
    case "BOOLEAN":
      return i % 3 === 0;
    case "TINYINT":
      return [-128, 127, 0, 5][i % 4];
    case "SMALLINT":
      return [-32768, 32767, 0, 300][i % 4];
    case "INT":
      return [-2147483648, 2147483647, 0, i * 1000][i % 4];
    case "BIGINT":
      return [9007199254740993n, -9223372036854775808n, 9223372036854775807n, BigInt(i)][i % 4];
    case "FLOAT":
      return Math.fround([1.5, -0.1, 3.4e38, i][i % 4]);
    case "DOUBLE":
      return [1e-300, -2.25, Number.MAX_VALUE, i + 0.125][i % 4];
    case "DECIMAL":
      return t.precision > 18 ? [10n ** 37n + 123n, -1n, 0n, -(10n ** 36n) * 7n][i % 4] : [12345678n, -1n, 0n, BigInt(i * 105)][i % 4];
    case "CHAR":
      return ["ab", "abcde", "", "x"][i % 4];
    case "VARCHAR":
      return ["日本語 ✓ 😀", "line1\nline2\t\"q\"", "", `s${i}`.repeat(3)][i % 4].slice(0, t.root === "VARCHAR" && t.length < 100 ? t.length : undefined);
    case "BINARY":
      return new Uint8Array([i, 0, 255, 7]);
    case "VARBINARY":
      return t.length < 100 ? new Uint8Array([i % 256, 1, 2]) : new Uint8Array(Array.from({ length: i % 7 }, (_, k) => (k * 37 + i) % 256));
    case "DATE":
      return [-719162, -1, 0, 19723 + i][i % 4];
    case "TIME":
      return [0, 86399999, 45296789, i * 1000][i % 4];
    case "TIMESTAMP":
    case "TIMESTAMP_LTZ": {
      // p > 6 is INT96, which pyarrow (pypaimon) decodes to int64 nanoseconds: stay within 1678..2262
      const base = [t.precision > 6 ? -2208988800000n : -62135596800000n, -1n, 0n, 1700000000123n][i % 4] + BigInt(neg * i);
      const nanos = t.precision > 6 ? 123456 + i : t.precision > 3 ? 456000 : 0;
      return timestamp(t.precision === 0 ? (base / 1000n) * 1000n : base, nanos);
    }
    case "ARRAY":
      return i % 3 === 0 ? [] : [valueOf({ ...t.element, nullable: false }, i), t.element.nullable ? null : valueOf(t.element, i + 1)];
    case "MAP": {
      if (i % 3 === 0) return { keys: [], values: [] };
      const kt = { ...t.key, nullable: false };
      const k1 = valueOf(kt, i);
      const k2 = valueOf(kt, i + 3);
      const same = JSON.stringify(canonicalEncode(kt, k1)) === JSON.stringify(canonicalEncode(kt, k2));
      return same ? { keys: [k1], values: [valueOf(t.value, i)] } : { keys: [k1, k2], values: [valueOf(t.value, i), null] };
    }
    case "ROW":
      return t.fields.map((f, k) => valueOf(f.type, i + k));
    default:
      throw new Error(`no generator for ${t.root}`);
  }
}

function rowsFor(spec: TableSpec, from: number, count: number, overrides: (i: number) => Record<string, InternalValue> = () => ({})): InternalValue[][] {
  const types = spec.fields.map((f) => parseTypeString(f.type));
  return Array.from({ length: count }, (_, j) => {
    const i = from + j;
    const o = overrides(i);
    return spec.fields.map((f, c) => (f.name in o ? o[f.name] : f.name === "id" ? i : valueOf(types[c], i)));
  });
}

function fileShape(files: LiveFile[], withSeq: boolean) {
  return files.map((f) => [JSON.stringify(f.partition), f.bucket, f.totalBuckets, f.level, f.rowCount, f.deleteRowCount, ...(withSeq ? [f.minSequenceNumber, f.maxSequenceNumber] : [])].join(" ")).sort();
}

interface Case {
  name: string;
  spec: TableSpec;
  batches: InternalValue[][][];
  /** Java rolls only every 1000 records, so tiny target sizes give different files. */
  differentFiles?: boolean;
}

const partitionValues = (i: number): Record<string, InternalValue> => ({
  region: ["eu", null, "a b/c:d=e%f#g?h*i'j\"k\\l{m}n[o]p^q", "中文", "", "  "][i % 6],
  pdt: [19723, -1, null, -719162][i % 4],
  pts: [timestamp(1704103200000n), timestamp(1704103201123n), null][i % 3],
});

const cases: Case[] = [];
{
  const spec: TableSpec = { fields: ALL_TYPES };
  cases.push({ name: "all types, unpartitioned, bucket-unaware", spec, batches: [rowsFor(spec, 0, 12), rowsFor(spec, 12, 7), rowsFor(spec, 19, 1)] });
}
{
  const spec: TableSpec = {
    fields: [...ALL_TYPES.filter((f) => !["mi", "tm", "ltz6"].includes(f.name)), { name: "region", type: "STRING" }, { name: "pdt", type: "DATE" }, { name: "pts", type: "TIMESTAMP(3)" }],
    partitionKeys: ["region", "pdt", "pts"],
  };
  cases.push({ name: "all types, three partition columns (null, date, timestamp, special characters)", spec, batches: [rowsFor(spec, 0, 30, partitionValues), rowsFor(spec, 30, 13, partitionValues)] });
}
{
  const spec: TableSpec = {
    fields: [{ name: "id", type: "INT NOT NULL" }, { name: "k", type: "STRING" }, { name: "v", type: "DECIMAL(38, 10)" }, { name: "ts", type: "TIMESTAMP(9)" }, { name: "region", type: "STRING" }],
    partitionKeys: ["region"],
    options: { bucket: "3", "bucket-key": "k" },
  };
  const over = (i: number) => ({ k: i % 7 === 0 ? null : `key-${i % 11}`, region: i % 2 === 0 ? "x" : "y" });
  cases.push({ name: "fixed buckets (bucket-key), partitioned", spec, batches: [rowsFor(spec, 0, 40, over), rowsFor(spec, 40, 25, over), rowsFor(spec, 65, 5, over)] });
}
{
  const spec: TableSpec = { fields: [{ name: "id", type: "INT NOT NULL" }, { name: "s", type: "STRING" }], options: { "target-file-size": "1 kb", "file.compression": "snappy" } };
  cases.push({ name: "rolling files, snappy", spec, batches: [rowsFor(spec, 0, 600), rowsFor(spec, 600, 300)], differentFiles: true });
}

(java && py ? describe : describe.skip)("append writes read back identically in Java, pypaimon and paimon-ts", () => {
  it.each(cases.map((c) => [c.name, c] as [string, Case]))("%s", async (_name, c) => {
    const whT = tempWarehouse();
    const whJ = tempWarehouse();
    const t = await createTable(await newCatalog(whT), "db.t", c.spec);
    const fields = t.schema.fields;
    await java!.write({ warehouse: whJ, table: "db.t", create: c.spec, commits: c.batches.map((b) => ({ rows: canonicalRows(fields, b).map((row) => ({ kind: "+I" as const, row })) })) });
    for (const b of c.batches) {
      const w = await AppendWriter.create(await t.refresh());
      // half as a batch of rows, half as a second call: several writes per commit
      await w.writeRows(b.slice(0, Math.ceil(b.length / 2)));
      await w.writeRows(b.slice(Math.ceil(b.length / 2)));
      await commitMessages(t, await w.prepareCommit());
    }
    const expected = rowMultiset(canonicalRows(fields, c.batches.flat()));
    const ref = rowMultiset((await java!.readTable(whJ, "db.t")).rows);
    expect(ref).toEqual(expected);
    expect(rowMultiset((await java!.readTable(whT, "db.t")).rows)).toEqual(expected);
    expect(rowMultiset((await py!.readTable(whT, "db.t")).rows)).toEqual(expected);
    expect(rowMultiset(await ourRows(t))).toEqual(expected);
    // time travel to the first snapshot
    expect(rowMultiset((await java!.readTable(whT, "db.t", { snapshot: 1 })).rows)).toEqual(rowMultiset(canonicalRows(fields, c.batches[0])));

    const dT = await java!.describe(whT, "db.t");
    const dJ = await java!.describe(whJ, "db.t");
    const bucketed = (c.spec.options?.bucket ?? "-1") !== "-1";
    // Java's bucket-unaware writer does not restore sequence numbers (each commit starts at 0); we continue them
    if (!c.differentFiles) expect(fileShape(dT.liveFiles, bucketed)).toEqual(fileShape(dJ.liveFiles, bucketed));
    else expect(dT.liveFiles.length).toBeGreaterThan(dJ.liveFiles.length);
    expect(dT.snapshots.map((s) => [s.commitKind, s.totalRecordCount, s.deltaRecordCount])).toEqual(dJ.snapshots.map((s) => [s.commitKind, s.totalRecordCount, s.deltaRecordCount]));

    // Java keeps writing into our table, then compacts it; we read the result
    const more = rowsFor(c.spec, 1000, 4, c.spec.partitionKeys?.length ? partitionValues : () => ({}));
    await java!.write({ warehouse: whT, table: "db.t", commits: [{ rows: canonicalRows(fields, more).map((row) => ({ kind: "+I" as const, row })) }, { compactOnly: "full" }] });
    const expected2 = rowMultiset(canonicalRows(fields, [...c.batches.flat(), ...more]));
    expect(rowMultiset(await ourRows(t))).toEqual(expected2);
    expect(rowMultiset((await py!.readTable(whT, "db.t")).rows)).toEqual(expected2);

    // and we write again on top
    const w = await AppendWriter.create(await t.refresh());
    const again = rowsFor(c.spec, 2000, 3, c.spec.partitionKeys?.length ? partitionValues : () => ({}));
    await w.writeRows(again);
    await commitMessages(t, await w.prepareCommit());
    const expected3 = rowMultiset(canonicalRows(fields, [...c.batches.flat(), ...more, ...again]));
    expect(rowMultiset((await java!.readTable(whT, "db.t")).rows)).toEqual(expected3);
    expect(rowMultiset(await ourRows(t))).toEqual(expected3);
  });
});
