/**
 * Parquet writer: every Paimon type round-trips exactly through our writer and reader,
 * the footer has Java Paimon's schema (BINARY.md §8), and pyarrow reads the file.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parquetMetadata } from "hyparquet";
import type { SchemaElement } from "hyparquet";
import {
  arrayElementFieldId,
  decimalFixedLength,
  initZstd,
  mapKeyFieldId,
  mapValueFieldId,
  parquetReadBatch,
  parquetWrite,
  parquetWriteAsync,
  readParquetMetadata,
  timestampToInt96,
} from "../src/format/index.js";
import type { ParquetCompression } from "../src/format/index.js";
import { DataTypes as T } from "../src/types/datatype.js";
import type { DataField, DataType } from "../src/types/datatype.js";
import { timestamp, timestampFromNanos } from "../src/data/values.js";
import type { InternalValue, MapValue, Timestamp } from "../src/data/values.js";
import { batchRows, vectorGet, vectorOf } from "../src/data/vector.js";
import type { ColumnBatch, ColumnVector } from "../src/data/vector.js";
import { canonical, decimalString, sameValue, show } from "./format-helpers.js";

const F = T.FIELD;

const ROW_TYPE = T.ROW([
  F(31, "a", T.INT()),
  F(32, "b", T.STRING()),
  F(33, "c", T.ARRAY(T.DOUBLE())),
  F(34, "d", T.ROW([F(35, "x", T.BIGINT(false)), F(36, "y", T.MAP(T.STRING(false), T.INT()))])),
]);

const FIELDS: DataField[] = [
  F(0, "id", T.INT(false)),
  F(1, "f_boolean", T.BOOLEAN()),
  F(2, "f_tinyint", T.TINYINT()),
  F(3, "f_smallint", T.SMALLINT()),
  F(4, "f_int", T.INT()),
  F(5, "f_bigint", T.BIGINT()),
  F(6, "f_float", T.FLOAT()),
  F(7, "f_double", T.DOUBLE()),
  F(8, "f_dec_5_2", T.DECIMAL(5, 2)),
  F(9, "f_dec_18_4", T.DECIMAL(18, 4)),
  F(10, "f_dec_38_10", T.DECIMAL(38, 10)),
  F(11, "f_dec_20_0", T.DECIMAL(20, 0)),
  F(12, "f_char", T.CHAR(5)),
  F(13, "f_varchar", T.VARCHAR(20)),
  F(14, "f_string", T.STRING()),
  F(15, "f_binary", T.BINARY(4)),
  F(16, "f_varbinary", T.VARBINARY(10)),
  F(17, "f_bytes", T.BYTES()),
  F(18, "f_date", T.DATE()),
  F(19, "f_time", T.TIME(3)),
  F(20, "f_ts0", T.TIMESTAMP(0)),
  F(21, "f_ts3", T.TIMESTAMP(3)),
  F(22, "f_ts6", T.TIMESTAMP(6)),
  F(23, "f_ts9", T.TIMESTAMP(9)),
  F(24, "f_ltz3", T.TIMESTAMP_LTZ(3)),
  F(25, "f_ltz6", T.TIMESTAMP_LTZ(6)),
  F(26, "f_ltz9", T.TIMESTAMP_LTZ(9)),
  F(27, "f_arr_int", T.ARRAY(T.INT())),
  F(28, "f_arr_str_nn", T.ARRAY(T.STRING(false))),
  F(29, "f_map", T.MAP(T.STRING(false), T.BIGINT())),
  F(30, "f_row", ROW_TYPE),
  F(40, "f_arr_arr", T.ARRAY(T.ARRAY(T.BIGINT()))),
  F(41, "f_map_int_arr", T.MAP(T.INT(false), T.ARRAY(T.STRING()))),
  F(42, "f_multiset", T.MULTISET(T.STRING())),
  F(43, "f_arr_row", T.ARRAY(T.ROW([F(44, "p", T.INT()), F(45, "q", T.TIMESTAMP(9))]))),
  F(46, "f_bigint_nn", T.BIGINT(false)),
  F(47, "f_string_nn", T.STRING(false)),
  F(48, "f_row_nn", T.ROW([F(49, "r1", T.INT()), F(50, "r2", T.STRING())], false)),
];

const MAX_I64 = 2n ** 63n - 1n;
const MIN_I64 = -(2n ** 63n);
const DEC38_MAX = 10n ** 38n - 1n;
const bytes = (...b: number[]): Uint8Array => new Uint8Array(b);
const map = (keys: InternalValue[], values: InternalValue[]): MapValue => ({ keys, values });

// one row per entry, values in FIELDS order
const ROWS: InternalValue[][] = [
  [
    1, true, -128, 32767, -2147483648, MAX_I64, 1.5, -2.25, 12345n, 123456789012345678n, DEC38_MAX, 99999999999999999999n,
    "ab", "héllo wörld", "日本語 ✓ 😀 𝄞", bytes(0, 1, 2, 3), bytes(255, 0), bytes(),
    19782, 45296789, timestamp(1704164645000n), timestamp(1704164645123n), timestamp(-1n, 999000), timestampFromNanos(1700000000123456789n),
    timestamp(1704164645123n), timestamp(1704164645123n, 456000), timestampFromNanos(-1n),
    [1, null, 3], ["x", "", "z"], map(["k1", "k2"], [1n, null]),
    [7, "x", [0.5, -1.0], [MAX_I64, map(["a"], [1])]],
    [[1n, 2n], [], null, [null]], map([3, -1], [["a", null], null]), map(["s", "t"], [2, 1]),
    [[1, timestampFromNanos(-86_400_000_000_001n)], null, [null, null]],
    MIN_I64, "😀", [1, "r"],
  ],
  [
    2, null, null, null, null, null, null, null, null, null, null, null,
    null, null, null, null, null, null,
    null, null, null, null, null, null,
    null, null, null,
    null, null, null,
    null,
    null, null, null,
    null,
    0n, "", [null, null],
  ],
  [
    3, false, 127, -32768, 2147483647, MIN_I64, Math.fround(0.1), -0, -99999n, -999999999999999999n, -DEC38_MAX, -99999999999999999999n,
    "abcde", "", "line1\nline2\t\"quoted\" \u2028 \u0000", bytes(0xde, 0xad, 0xbe, 0xef), bytes(), bytes(...Array.from({ length: 16 }, (_, i) => i)),
    -719162, 0, timestamp(-62135596800000n), timestamp(-2208988800000n + 1n), timestamp(-1n, 999000), timestampFromNanos(-1n),
    timestamp(0n), timestamp(946684799999n, 999000), timestampFromNanos(253402300799999999999n),
    [], [], map([], []),
    [null, null, null, null],
    [], map([], []), map([], []),
    [],
    MAX_I64, "x", [null, null],
  ],
  [
    4, true, 0, 0, 0, 0n, NaN, NaN, 0n, 1n, 1n, 0n,
    "", "ünï", "\u{10FFFF}", bytes(1, 2, 3, 4), bytes(7), bytes(0),
    -1, 86399999, timestamp(253402300799000n), timestamp(-1n), timestamp(-62135596800000n), timestampFromNanos(-62135596800000000000n + 1n),
    timestamp(-1n), timestamp(-1n, 1000), timestamp(0n, 1),
    [null], ["only"], map(["z", "a", "é"], [null, -1n, 0n]),
    [null, "", [], [0n, map([], [])]],
    [[null, 3n]], map([2147483647], [[]]), map(["x"], [5]),
    [[null, null]],
    -1n, "z", [0, null],
  ],
  [
    5, false, 1, -1, -7, -1n, -0, Infinity, -1n, -1n, -1n, -1n,
    "z", "a".repeat(20), "x".repeat(1000), bytes(9, 9, 9, 9), bytes(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), bytes(...Array.from({ length: 300 }, (_, i) => i & 255)),
    2932896, 1, timestamp(0n), timestamp(0n), timestamp(0n), timestamp(0n),
    timestamp(0n), timestamp(0n), timestamp(0n),
    [-1], ["a", "b"], map(["k"], [MIN_I64]),
    [-1, null, null, null],
    [null], map([0], [null]), map([], []),
    [[-1, timestamp(0n)]],
    0n, "nn", [null, "x"],
  ],
];

function batchOf(fields: DataField[], rows: InternalValue[][]): ColumnBatch {
  return {
    numRows: rows.length,
    names: fields.map((f) => f.name),
    columns: fields.map((f, c) => vectorOf(f.type, rows.map((r) => r[c]))),
  };
}

function expectSameRows(actual: ColumnBatch, fields: DataField[], rows: InternalValue[][]): void {
  expect(actual.numRows).toBe(rows.length);
  const got = batchRows(actual);
  for (let r = 0; r < rows.length; r++) {
    for (let c = 0; c < fields.length; c++) {
      if (!sameValue(got[r][c], rows[r][c])) {
        throw new Error(`row ${r} column ${fields[c].name}: got ${show(got[r][c])}, expected ${show(rows[r][c])}`);
      }
    }
  }
}

beforeAll(() => initZstd());

describe("round trip through our writer and reader", () => {
  it.each<ParquetCompression>(["zstd", "snappy", "gzip", "lz4", "none"])("every type, %s", async (compression) => {
    const file = parquetWrite(FIELDS, batchOf(FIELDS, ROWS), { compression });
    expect(Buffer.from(file.subarray(0, 4)).toString()).toBe("PAR1");
    const md = parquetMetadata(file);
    expect(new Set(md.row_groups.flatMap((g) => g.columns.map((c) => c.meta_data?.codec)))).toEqual(
      new Set([{ zstd: "ZSTD", snappy: "SNAPPY", gzip: "GZIP", lz4: "LZ4_RAW", none: "UNCOMPRESSED" }[compression]]),
    );
    expectSameRows(await parquetReadBatch(file, FIELDS), FIELDS, ROWS);
  });

  it("many rows, several row groups and pages, typed-array columns, dictionaries", async () => {
    const n = 5000;
    const fields = [
      F(0, "i", T.INT(false)),
      F(1, "l", T.BIGINT()),
      F(2, "d", T.DOUBLE()),
      F(3, "s", T.STRING()),
      F(4, "dec", T.DECIMAL(10, 3)),
      F(5, "ts", T.TIMESTAMP(9)),
      F(6, "arr", T.ARRAY(T.INT())),
      F(7, "f", T.FLOAT(false)),
    ];
    const ints = Int32Array.from({ length: n }, (_, i) => i * 7 - 10000);
    const longs = BigInt64Array.from({ length: n }, (_, i) => BigInt(i) * 1_000_000_007n - 5n);
    const lnulls = Uint8Array.from({ length: n }, (_, i) => (i % 13 === 0 ? 1 : 0));
    const doubles = Float64Array.from({ length: n }, (_, i) => i / 3);
    const floats = Float32Array.from({ length: n }, (_, i) => i / 7);
    const strings = Array.from({ length: n }, (_, i) => (i % 17 === 0 ? null : `v${i % 50}`));
    const decs = BigInt64Array.from({ length: n }, (_, i) => BigInt(i % 100) * -12345n);
    const tss = Array.from({ length: n }, (_, i) => timestampFromNanos(BigInt(i - 2500) * 123_456_789_001n));
    const arrs = Array.from({ length: n }, (_, i) => (i % 11 === 0 ? null : Array.from({ length: i % 4 }, (_, j) => (j === 1 ? null : i + j))));
    const cols: ColumnVector[] = [
      { type: fields[0].type, length: n, values: ints, nulls: null },
      { type: fields[1].type, length: n, values: longs, nulls: lnulls },
      { type: fields[2].type, length: n, values: doubles, nulls: null },
      vectorOf(fields[3].type, strings),
      { type: fields[4].type, length: n, values: decs, nulls: null },
      vectorOf(fields[5].type, tss),
      vectorOf(fields[6].type, arrs),
      { type: fields[7].type, length: n, values: floats, nulls: null },
    ];
    const batch: ColumnBatch = { numRows: n, names: fields.map((f) => f.name), columns: cols };
    const file = await parquetWriteAsync(fields, batch, { rowGroupSize: 1200, pageSize: 4096 });
    const md = await readParquetMetadata(file);
    expect(md.row_groups.length).toBe(5);
    const back = await parquetReadBatch(file, fields);
    const expected = batchRows(batch);
    expectSameRows(back, fields, expected);
    // fixed-width columns come back as typed arrays
    expect(back.columns[0].values).toBeInstanceOf(Int32Array);
    expect(back.columns[1].values).toBeInstanceOf(BigInt64Array);
    expect(back.columns[2].values).toBeInstanceOf(Float64Array);
    expect(back.columns[4].values).toBeInstanceOf(BigInt64Array);
    expect(back.columns[7].values).toBeInstanceOf(Float32Array);
    // one row group only
    const g2 = await parquetReadBatch(file, fields, { rowGroups: [2], metadata: md });
    expectSameRows(g2, fields, expected.slice(2400, 3600));
  });

  it("rejects NULL in a NOT NULL column", () => {
    const fields = [F(0, "x", T.INT(false))];
    expect(() => parquetWrite(fields, batchOf(fields, [[1], [null]]), { compression: "none" })).toThrow(/NOT NULL/);
  });

  it("zstd needs initZstd (parquetWriteAsync does it)", async () => {
    const fields = [F(0, "x", T.INT())];
    const file = await parquetWriteAsync(fields, batchOf(fields, [[1]]));
    expect(parquetMetadata(file).row_groups[0].columns[0].meta_data?.codec).toBe("ZSTD");
  });

  it("writes an empty batch", async () => {
    const file = parquetWrite(FIELDS, batchOf(FIELDS, []), { compression: "none" });
    const back = await parquetReadBatch(file, FIELDS);
    expect(back.numRows).toBe(0);
  });
});

describe("reading with another schema", () => {
  const fields = [F(0, "a", T.INT()), F(1, "b", T.FLOAT()), F(2, "c", T.DECIMAL(5, 2)), F(3, "d", T.TIMESTAMP(3)), F(4, "r", T.ROW([F(5, "x", T.INT()), F(6, "y", T.STRING())]))];
  const rows: InternalValue[][] = [
    [1, 1.5, 12345n, timestamp(-1n), [1, "one"]],
    [null, null, null, null, null],
    [-7, Math.fround(0.1), -1n, timestamp(86_400_000n), [null, "n"]],
  ];
  let file: Uint8Array;
  beforeAll(() => {
    file = parquetWrite(fields, batchOf(fields, rows), { compression: "snappy" });
  });

  it("widens types (INT→BIGINT, FLOAT→DOUBLE, DECIMAL(5,2)→DECIMAL(10,4), TIMESTAMP(3)→(6)) and projects by field id", async () => {
    const read = [F(3, "renamed_d", T.TIMESTAMP(6)), F(2, "c", T.DECIMAL(10, 4)), F(1, "b", T.DOUBLE()), F(0, "a", T.BIGINT())];
    const back = await parquetReadBatch(file, read);
    expect(back.names).toEqual(["renamed_d", "c", "b", "a"]);
    expectSameRows(back, read, [
      [timestamp(-1n), 1234500n, 1.5, 1n],
      [null, null, null, null],
      [timestamp(86_400_000n), -100n, Math.fround(0.1), -7n],
    ]);
  });

  it("fills added columns (unknown ids) with NULL, at top level and inside ROW", async () => {
    const read = [F(99, "new", T.STRING()), F(4, "r", T.ROW([F(6, "y", T.STRING()), F(77, "z", T.INT())]))];
    const back = await parquetReadBatch(file, read);
    expectSameRows(back, read, [
      [null, ["one", null]],
      [null, null],
      [null, ["n", null]],
    ]);
  });

  it("reads a ROW none of whose requested fields exist, keeping its own NULLs", async () => {
    const read = [F(4, "r", T.ROW([F(88, "gone", T.INT())]))];
    const back = await parquetReadBatch(file, read);
    expectSameRows(back, read, [[[null]], [null], [[null]]]);
  });

  it("shrinking a decimal scale rounds HALF_UP and overflow reads as NULL", async () => {
    const read = [F(2, "c", T.DECIMAL(3, 1))];
    const back = await parquetReadBatch(file, read);
    // 123.45 → 123.5 (4 digits, overflows DECIMAL(3,1)); -0.01 → -0.0
    expectSameRows(back, read, [[null], [null], [0n]]);
  });

  it("names a clear error for impossible casts", async () => {
    await expect(parquetReadBatch(file, [F(1, "b", T.DATE())], { fileName: "f.parquet" })).rejects.toThrow(
      "f.parquet: cannot read Parquet column b (FLOAT) as DATE",
    );
  });
});

// ---------------------------------------------------------------------------------------
// The footer

function elements(file: Uint8Array): Map<string, SchemaElement> {
  const md = parquetMetadata(file);
  const out = new Map<string, SchemaElement>();
  let i = 1;
  const walk = (path: string): void => {
    const e = md.schema[i++];
    const p = path ? `${path}.${e.name}` : e.name;
    out.set(p, e);
    for (let c = 0; c < (e.num_children ?? 0); c++) walk(p);
  };
  for (let c = 0; c < (md.schema[0].num_children ?? 0); c++) walk("");
  return out;
}

describe("footer schema (BINARY.md §8)", () => {
  let file: Uint8Array;
  let el: Map<string, SchemaElement>;
  beforeAll(() => {
    file = parquetWrite(FIELDS, batchOf(FIELDS, ROWS), { compression: "zstd" });
    el = elements(file);
  });

  it("message paimon_schema, ids on every field but the repeated list/key_value groups", () => {
    const md = parquetMetadata(file);
    expect(md.schema[0].name).toBe("paimon_schema");
    expect(md.schema[0].num_children).toBe(FIELDS.length);
    for (const [path, e] of el) {
      if (e.name === "list" || e.name === "key_value") {
        expect(e.repetition_type).toBe("REPEATED");
        expect(e.field_id).toBeUndefined();
        expect(e.logical_type).toBeUndefined();
      } else expect({ path, id: typeof e.field_id }).toEqual({ path, id: "number" });
    }
    FIELDS.forEach((f) => expect(el.get(f.name)?.field_id).toBe(f.id));
  });

  it.each<[string, Partial<SchemaElement>]>([
    ["id", { type: "INT32", repetition_type: "REQUIRED", converted_type: undefined, logical_type: undefined }],
    ["f_boolean", { type: "BOOLEAN", repetition_type: "OPTIONAL" }],
    ["f_tinyint", { type: "INT32", converted_type: "INT_8", logical_type: { type: "INTEGER", bitWidth: 8, isSigned: true } }],
    ["f_smallint", { type: "INT32", converted_type: "INT_16", logical_type: { type: "INTEGER", bitWidth: 16, isSigned: true } }],
    ["f_int", { type: "INT32", converted_type: undefined, logical_type: undefined }],
    ["f_bigint", { type: "INT64", converted_type: undefined, logical_type: undefined }],
    ["f_float", { type: "FLOAT" }],
    ["f_double", { type: "DOUBLE" }],
    ["f_dec_5_2", { type: "INT32", converted_type: "DECIMAL", precision: 5, scale: 2, logical_type: { type: "DECIMAL", precision: 5, scale: 2 } }],
    ["f_dec_18_4", { type: "INT64", converted_type: "DECIMAL", precision: 18, scale: 4 }],
    ["f_dec_38_10", { type: "FIXED_LEN_BYTE_ARRAY", type_length: 16, converted_type: "DECIMAL", precision: 38, scale: 10 }],
    ["f_dec_20_0", { type: "FIXED_LEN_BYTE_ARRAY", type_length: 9, converted_type: "DECIMAL", precision: 20, scale: 0 }],
    ["f_char", { type: "BYTE_ARRAY", converted_type: "UTF8", logical_type: { type: "STRING" } }],
    ["f_string", { type: "BYTE_ARRAY", converted_type: "UTF8", logical_type: { type: "STRING" } }],
    ["f_binary", { type: "BYTE_ARRAY", type_length: undefined, converted_type: undefined, logical_type: undefined }],
    ["f_bytes", { type: "BYTE_ARRAY", converted_type: undefined, logical_type: undefined }],
    ["f_date", { type: "INT32", converted_type: "DATE", logical_type: { type: "DATE" } }],
    ["f_time", { type: "INT32", converted_type: "TIME_MILLIS", logical_type: { type: "TIME", isAdjustedToUTC: true, unit: "MILLIS" } }],
    ["f_ts0", { type: "INT64", logical_type: { type: "TIMESTAMP", isAdjustedToUTC: false, unit: "MILLIS" } }],
    ["f_ts3", { type: "INT64", logical_type: { type: "TIMESTAMP", isAdjustedToUTC: false, unit: "MILLIS" } }],
    ["f_ts6", { type: "INT64", logical_type: { type: "TIMESTAMP", isAdjustedToUTC: false, unit: "MICROS" } }],
    ["f_ts9", { type: "INT96", converted_type: undefined, logical_type: undefined, type_length: undefined }],
    ["f_ltz3", { type: "INT64", logical_type: { type: "TIMESTAMP", isAdjustedToUTC: true, unit: "MILLIS" } }],
    ["f_ltz6", { type: "INT64", logical_type: { type: "TIMESTAMP", isAdjustedToUTC: true, unit: "MICROS" } }],
    ["f_ltz9", { type: "INT96", logical_type: undefined }],
    ["f_arr_int", { repetition_type: "OPTIONAL", converted_type: "LIST", logical_type: { type: "LIST" }, num_children: 1, field_id: 27 }],
    ["f_arr_int.list.element", { type: "INT32", repetition_type: "OPTIONAL", field_id: arrayElementFieldId(27, 1) }],
    ["f_arr_str_nn.list.element", { type: "BYTE_ARRAY", repetition_type: "REQUIRED", field_id: arrayElementFieldId(28, 1) }],
    ["f_map", { converted_type: "MAP", logical_type: { type: "MAP" }, field_id: 29 }],
    ["f_map.key_value.key", { type: "BYTE_ARRAY", repetition_type: "REQUIRED", field_id: mapKeyFieldId(29, 1) }],
    ["f_map.key_value.value", { type: "INT64", repetition_type: "OPTIONAL", field_id: mapValueFieldId(29, 1) }],
    ["f_row", { repetition_type: "OPTIONAL", num_children: 4, converted_type: undefined, logical_type: undefined, field_id: 30 }],
    ["f_row.c.list.element", { type: "DOUBLE", field_id: arrayElementFieldId(33, 1) }],
    ["f_row.d", { num_children: 2, field_id: 34 }],
    ["f_row.d.x", { type: "INT64", repetition_type: "REQUIRED", field_id: 35 }],
    ["f_row.d.y.key_value.key", { field_id: mapKeyFieldId(36, 1) }],
    ["f_arr_arr.list.element", { converted_type: "LIST", field_id: arrayElementFieldId(40, 1) }],
    ["f_arr_arr.list.element.list.element", { type: "INT64", field_id: arrayElementFieldId(40, 2) }],
    ["f_map_int_arr.key_value.key", { type: "INT32", repetition_type: "REQUIRED", field_id: mapKeyFieldId(41, 1) }],
    ["f_map_int_arr.key_value.value.list.element", { type: "BYTE_ARRAY", field_id: arrayElementFieldId(41, 2) }],
    ["f_multiset", { converted_type: "MAP", field_id: 42 }],
    ["f_multiset.key_value.key", { type: "BYTE_ARRAY", repetition_type: "REQUIRED", field_id: mapKeyFieldId(42, 1) }],
    ["f_multiset.key_value.value", { type: "INT32", repetition_type: "REQUIRED", field_id: mapValueFieldId(42, 1) }],
    ["f_arr_row.list.element", { repetition_type: "OPTIONAL", num_children: 2, field_id: arrayElementFieldId(43, 1) }],
    ["f_arr_row.list.element.q", { type: "INT96", field_id: 45 }],
    ["f_row_nn", { repetition_type: "REQUIRED", num_children: 2, field_id: 48 }],
  ])("%s", (path, want) => {
    const e = el.get(path);
    expect(e).toBeDefined();
    for (const [k, v] of Object.entries(want)) expect({ path, [k]: (e as unknown as Record<string, unknown>)[k] }).toEqual({ path, [k]: v });
  });

  it("synthetic id formulas wrap like Java int arithmetic", () => {
    expect(arrayElementFieldId(3, 1)).toBe(536873984);
    expect(mapKeyFieldId(3, 1)).toBe(536867838);
    expect(mapValueFieldId(3, 1)).toBe(536873984);
    expect(arrayElementFieldId(2147483646, 1)).toBe((536870911 + Math.imul(2147483646, 1024) + 1) | 0);
    expect(arrayElementFieldId(1073741823 + 5, 1)).toBe(536870911 + ((5 * 1024 - 1024) | 0) + 1);
  });

  it("decimal FIXED_LEN_BYTE_ARRAY widths", () => {
    expect([19, 21, 22, 23, 24, 26, 27, 28, 29, 31, 32, 33, 34, 35, 36, 38].map(decimalFixedLength)).toEqual([
      9, 9, 10, 10, 11, 11, 12, 12, 13, 13, 14, 14, 15, 15, 16, 16,
    ]);
  });

  it("INT96 bytes follow Java's truncating split (negative nanos-of-day before 1970)", () => {
    const b = timestampToInt96(timestampFromNanos(-1n));
    const dv = new DataView(b.buffer);
    expect(dv.getBigInt64(0, true)).toBe(-1n);
    expect(dv.getInt32(8, true)).toBe(2440588);
    const c = new DataView(timestampToInt96(timestamp(86_400_000n + 5n, 7)).buffer);
    expect(c.getBigInt64(0, true)).toBe(5_000_007n);
    expect(c.getInt32(8, true)).toBe(2440589);
  });
});

// ---------------------------------------------------------------------------------------
// pyarrow as an independent reader

const PY = join(__dirname, "../../../tools/oracle-py/.venv/bin/python");
const PY_SCRIPT = String.raw`
import base64, datetime, decimal, json, math, sys
import pyarrow as pa, pyarrow.parquet as pq
path = sys.argv[1]
schema = pq.read_schema(path)
def fid(f):
    m = f.metadata or {}
    v = m.get(b'PARQUET:field_id')
    return int(v) if v is not None else None
def ids(f, prefix):
    out = {prefix + f.name: fid(f)}
    t = f.type
    if pa.types.is_list(t):
        out.update(ids(t.value_field, prefix + f.name + '.'))
    elif pa.types.is_map(t):
        out.update(ids(t.key_field, prefix + f.name + '.'))
        out.update(ids(t.item_field, prefix + f.name + '.'))
    elif pa.types.is_struct(t):
        for i in range(t.num_fields):
            out.update(ids(t.field(i), prefix + f.name + '.'))
    return out
field_ids = {}
for f in schema:
    field_ids.update(ids(f, ''))
table = pq.read_table(path)
cols = {}
def enc(v):
    if v is None: return None
    if isinstance(v, bool): return v
    if isinstance(v, int): return str(v)
    if isinstance(v, float):
        if math.isnan(v): return 'NaN'
        if math.isinf(v): return 'Infinity' if v > 0 else '-Infinity'
        return v
    if isinstance(v, decimal.Decimal): return format(v, 'f')
    if isinstance(v, (bytes, bytearray)): return base64.b64encode(v).decode()
    if isinstance(v, str): return v
    if isinstance(v, list): return [enc(x) for x in v]
    if isinstance(v, tuple): return [enc(x) for x in v]
    if isinstance(v, dict): return {k: enc(x) for k, x in v.items()}
    if isinstance(v, datetime.datetime): return v.isoformat()
    if isinstance(v, datetime.date): return v.isoformat()
    if isinstance(v, datetime.time): return v.isoformat()
    return repr(v)
for i, name in enumerate(table.column_names):
    col = table.column(i)
    t = col.type
    if pa.types.is_timestamp(t) or pa.types.is_date(t) or pa.types.is_time(t):
        col = col.cast(pa.int64() if (pa.types.is_timestamp(t) or pa.types.is_date64(t) or pa.types.is_time64(t)) else pa.int32())
        cols[name] = {'unit': getattr(t, 'unit', 'day'), 'tz': str(getattr(t, 'tz', None)), 'values': [enc(x) for x in col.to_pylist()]}
    else:
        cols[name] = {'values': [enc(x) for x in col.to_pylist()]}
print(json.dumps({'ids': field_ids, 'cols': cols, 'parquet_schema': str(pq.ParquetFile(path).schema)}))
`;

function isInt96(t: DataType): boolean {
  return (t.root === "TIMESTAMP" || t.root === "TIMESTAMP_LTZ") && t.precision > 6;
}

function fitsNanos(ts: Timestamp): boolean {
  const n = ts.millis * 1_000_000n + BigInt(ts.nanoOfMilli);
  return n >= -(2n ** 63n) && n < 2n ** 63n;
}

/** What pyarrow's to_pylist gives for an internal value (via the script's encoding). */
function pyEncode(v: InternalValue, t: DataType): unknown {
  if (v === null) return null;
  switch (t.root) {
    case "TINYINT":
    case "SMALLINT":
    case "INT":
    case "DATE":
    case "TIME":
      return String(v);
    case "BIGINT":
      return (v as bigint).toString();
    case "DECIMAL":
      return decimalString(v as bigint, t.scale);
    case "TIMESTAMP":
    case "TIMESTAMP_LTZ": {
      const ts = v as { millis: bigint; nanoOfMilli: number };
      if (t.precision <= 3) return ts.millis.toString();
      if (t.precision <= 6) return (ts.millis * 1000n + BigInt(Math.floor(ts.nanoOfMilli / 1000))).toString();
      return (ts.millis * 1_000_000n + BigInt(ts.nanoOfMilli)).toString();
    }
    case "ARRAY":
      return (v as InternalValue[]).map((e) => pyEncode(e, t.element));
    case "MAP":
    case "MULTISET": {
      const m = v as MapValue;
      const kt = t.root === "MAP" ? t.key : t.element;
      const vt: DataType = t.root === "MAP" ? t.value : T.INT(false);
      return m.keys.map((k, i) => [pyEncode(k, kt), pyEncode(m.values[i], vt)]);
    }
    case "ROW": {
      const o: Record<string, unknown> = {};
      t.fields.forEach((f, i) => (o[f.name] = pyEncode((v as InternalValue[])[i], f.type)));
      return o;
    }
    default:
      return canonical(v, t);
  }
}

describe("pyarrow reads our files", () => {
  const available = existsSync(PY);
  let dir = "";
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "paimon-fmt-"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  // Values nested in lists/maps/rows that pyarrow would hand back as datetime objects
  // (TIMESTAMP inside ARRAY<ROW>) are compared at top level only.
  const TOP_ONLY = new Set(["f_arr_row"]);

  it.each<ParquetCompression>(["zstd", "snappy", "gzip", "lz4", "none"])("field ids and values, %s", (compression) => {
    if (!available) {
      console.warn(`pyarrow check not run: ${PY} not found`);
      return;
    }
    const path = join(dir, `all-${compression}.parquet`);
    writeFileSync(path, parquetWrite(FIELDS, batchOf(FIELDS, ROWS), { compression }));
    const out = JSON.parse(execFileSync(PY, ["-c", PY_SCRIPT, path], { encoding: "utf8", maxBuffer: 64 << 20 })) as {
      ids: Record<string, number | null>;
      cols: Record<string, { values: unknown[] }>;
      parquet_schema: string;
    };
    // field ids as pyarrow sees them
    for (const f of FIELDS) expect({ f: f.name, id: out.ids[f.name] }).toEqual({ f: f.name, id: f.id });
    expect(out.ids["f_arr_int.element"]).toBe(arrayElementFieldId(27, 1));
    expect(out.ids["f_map.key"]).toBe(mapKeyFieldId(29, 1));
    expect(out.ids["f_map.value"]).toBe(mapValueFieldId(29, 1));
    expect(out.ids["f_row.d.x"]).toBe(35);
    expect(out.parquet_schema).toContain("paimon_schema");
    // values
    FIELDS.forEach((f, c) => {
      if (TOP_ONLY.has(f.name)) return;
      // pyarrow reads INT96 as int64 nanoseconds: instants past 2262 do not fit
      const keep = ROWS.map((r) => !isInt96(f.type) || r[c] === null || fitsNanos(r[c] as Timestamp));
      const want = ROWS.map((r) => pyEncode(r[c], f.type)).filter((_, i) => keep[i]);
      const got = out.cols[f.name].values.filter((_, i) => keep[i]);
      expect({ f: f.name, v: got }).toEqual({ f: f.name, v: want });
    });
  });
});

// keep vectorGet referenced for readers of this file: values are compared through batchRows
void vectorGet;
