/**
 * Avro data files: our writer's schema matches Paimon's layout, every Avro-capable type
 * round-trips exactly through our writer and reader, fastavro reads our files, and the
 * reader matches columns by name / field-id and widens types.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeAvroContainerSync } from "../src/avro/container.js";
import { avroDataSchema, avroReadBatch, avroWrite, avroWriteAsync, initZstd } from "../src/format/index.js";
import type { AvroCompression } from "../src/format/index.js";
import { bigIntToMinimalBytes } from "../src/format/common.js";
import { DataTypes as T } from "../src/types/datatype.js";
import type { DataField, DataType } from "../src/types/datatype.js";
import { timestamp } from "../src/data/values.js";
import type { InternalValue, MapValue, Timestamp } from "../src/data/values.js";
import { batchRows, vectorOf } from "../src/data/vector.js";
import type { ColumnBatch } from "../src/data/vector.js";
import { WAREHOUSE, canonical, listDataFiles, sameValue, schemaFields, show } from "./format-helpers.js";

const F = T.FIELD;
const map = (keys: InternalValue[], values: InternalValue[]): MapValue => ({ keys, values });
const bytes = (...b: number[]): Uint8Array => new Uint8Array(b);
const MAX_I64 = 2n ** 63n - 1n;
const MIN_I64 = -(2n ** 63n);

const FIELDS: DataField[] = [
  F(0, "id", T.INT(false)),
  F(1, "f_boolean", T.BOOLEAN()),
  F(2, "f_tinyint", T.TINYINT()),
  F(3, "f_smallint", T.SMALLINT()),
  F(4, "f_bigint", T.BIGINT()),
  F(5, "f_float", T.FLOAT()),
  F(6, "f_double", T.DOUBLE()),
  F(7, "f_dec_10_2", T.DECIMAL(10, 2)),
  F(8, "f_dec_38_10", T.DECIMAL(38, 10)),
  F(9, "f_string", T.STRING()),
  F(10, "f_bytes", T.BYTES()),
  F(11, "f_date", T.DATE()),
  F(12, "f_time", T.TIME(3)),
  F(13, "f_ts3", T.TIMESTAMP(3)),
  F(14, "f_ts6", T.TIMESTAMP(6)),
  F(15, "f_ltz3", T.TIMESTAMP_LTZ(3)),
  F(16, "f_ltz6", T.TIMESTAMP_LTZ(6)),
  F(17, "f_arr", T.ARRAY(T.INT())),
  F(18, "f_map_str", T.MAP(T.STRING(false), T.BIGINT())),
  F(19, "f_map_int", T.MAP(T.INT(false), T.ROW([F(20, "a", T.STRING()), F(21, "b", T.ARRAY(T.DOUBLE()))]))),
  F(22, "f_multiset", T.MULTISET(T.INT(false))),
  F(23, "f_row", T.ROW([F(24, "x", T.BIGINT(false)), F(25, "y", T.ROW([F(26, "z", T.DATE())]))])),
  F(27, "f_bigint_nn", T.BIGINT(false)),
  F(28, "f_arr_row", T.ARRAY(T.ROW([F(29, "p", T.INT())], false))),
];

const ROWS: InternalValue[][] = [
  [
    1, true, -128, 32767, MAX_I64, 1.5, -2.25, 1234567891n, 10n ** 38n - 1n, "日本語 ✓ 😀", bytes(0, 1, 2, 3),
    19782, 45296789, timestamp(1704164645123n), timestamp(-1n, 999000), timestamp(0n), timestamp(946684799999n, 999000),
    [1, null, 3], map(["k1", "k2", ""], [1n, null, MIN_I64]), map([3, -1], [["a", [0.5, -0]], null]), map([7, 8], [2, 1]),
    [MAX_I64, [-719162]], MIN_I64, [[1], [null]],
  ],
  [2, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, 0n, null],
  [
    3, false, 127, -32768, MIN_I64, NaN, Infinity, -1n, -(10n ** 38n - 1n), "", bytes(),
    -1, 0, timestamp(-62135596800000n), timestamp(253402300799999n, 999000), timestamp(-1n), timestamp(-1n, 1000),
    [], map([], []), map([], []), map([], []),
    [0n, [null]], 1n, [],
  ],
  [4, true, 0, 0, 0n, -0, -0, 0n, 1n, "line1\nline2\t\"q\" \u0000 \u2028", bytes(255), 2932896, 86399999, timestamp(0n), timestamp(0n), timestamp(0n), timestamp(0n), [null], map(["a"], [null]), map([0], [[null, null]]), map([1], [1]), [1n, null], -1n, [[null]]],
];

function batchOf(fields: DataField[], rows: InternalValue[][]): ColumnBatch {
  return { numRows: rows.length, names: fields.map((f) => f.name), columns: fields.map((f, c) => vectorOf(f.type, rows.map((r) => r[c]))) };
}

function expectSameRows(actual: ColumnBatch, fields: DataField[], rows: InternalValue[][]): void {
  expect(actual.numRows).toBe(rows.length);
  const got = batchRows(actual);
  for (let r = 0; r < rows.length; r++) {
    for (let c = 0; c < fields.length; c++) {
      if (!sameValue(got[r][c], rows[r][c])) throw new Error(`row ${r} column ${fields[c].name}: got ${show(got[r][c])}, expected ${show(rows[r][c])}`);
    }
  }
}

beforeAll(() => initZstd());

describe("Avro round trip", () => {
  it.each<AvroCompression>(["zstd", "snappy", "deflate", "none"])("every Avro type, %s", async (compression) => {
    const file = avroWrite(FIELDS, batchOf(FIELDS, ROWS), { compression });
    const codec = { zstd: "zstandard", snappy: "snappy", deflate: "deflate", none: "null" }[compression];
    expect(Buffer.from(file).includes(Buffer.from(codec))).toBe(true);
    expectSameRows(await avroReadBatch(file, FIELDS), FIELDS, ROWS);
  });

  it("many rows across blocks, typed columns come back typed", async () => {
    const fields = [F(0, "i", T.INT(false)), F(1, "l", T.BIGINT()), F(2, "s", T.STRING()), F(3, "d", T.DECIMAL(12, 3))];
    const rows = Array.from({ length: 20000 }, (_, i) => [i, i % 7 === 0 ? null : BigInt(i) * 1_000_000_007n, `s${i % 100}`, BigInt(i - 10000) * 999n]);
    const back = await avroReadBatch(await avroWriteAsync(fields, batchOf(fields, rows)), fields);
    expectSameRows(back, fields, rows);
    expect(back.columns[0].values).toBeInstanceOf(Int32Array);
    expect(back.columns[1].values).toBeInstanceOf(BigInt64Array);
    expect(back.columns[3].values).toBeInstanceOf(BigInt64Array);
  });

  it("rejects TIMESTAMP(9) (Java's converter does too) and NULL in NOT NULL columns", () => {
    expect(() => avroWrite([F(0, "t", T.TIMESTAMP(9))], batchOf([F(0, "t", T.TIMESTAMP(9))], [[timestamp(0n)]]))).toThrow(/precision > 6/);
    const nn = [F(0, "x", T.INT(false))];
    expect(() => avroWrite(nn, batchOf(nn, [[null]]), { compression: "none" })).toThrow(/NOT NULL/);
  });
});

describe("Avro schema", () => {
  // pypaimon declares array items non-null (`"items": "int"`) where Java's converter writes
  // `["null", "int"]` for a nullable element type; our writer follows Java, so the
  // comparison declares the elements NOT NULL.
  const nonNullElements = (t: DataType): DataType =>
    t.root === "ARRAY"
      ? { ...t, element: { ...nonNullElements(t.element), nullable: false } }
      : t.root === "ROW"
        ? { ...t, fields: t.fields.map((f) => ({ ...f, type: nonNullElements(f.type) })) }
        : t;

  it("matches pypaimon's files for the same columns (ignoring null defaults; see above)", () => {
    const file = listDataFiles("types_avro")[0];
    const bytesOf = readFileSync(file);
    const text = bytesOf.toString("latin1");
    const start = text.indexOf('{"type"');
    let depth = 0;
    let end = start;
    for (let i = start; i < text.length; i++) {
      if (text[i] === "{" || text[i] === "[") depth++;
      if (text[i] === "}" || text[i] === "]") depth--;
      if (depth === 0) {
        end = i + 1;
        break;
      }
    }
    const theirs = JSON.parse(Buffer.from(bytesOf.subarray(start, end)).toString("utf8"));
    const fields = schemaFields("types_avro", 0)
      .filter((f) => theirs.fields.some((x: { name: string }) => x.name === f.name))
      .map((f) => ({ ...f, type: nonNullElements(f.type) }));
    const ours = JSON.parse(avroDataSchema(fields));
    const strip = (x: unknown): unknown => {
      if (Array.isArray(x)) return x.map(strip);
      if (x !== null && typeof x === "object") {
        const o: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(x)) if (k !== "default" && k !== "namespace") o[k] = strip(v);
        return o;
      }
      return x;
    };
    expect(strip(ours)).toEqual(strip(theirs));
    expect(ours.name).toBe("record");
    expect(ours.namespace).toBe("org.apache.paimon.avro.generated");
  });

  it("Java's compact text, null defaults, map layouts", () => {
    const s = avroDataSchema([
      F(0, "a", T.INT(false)),
      F(1, "m", T.MAP(T.INT(false), T.STRING())),
      F(2, "n", T.MAP(T.STRING(false), T.INT(false))),
    ]);
    expect(s).toBe(
      '{"type":"record","name":"record","namespace":"org.apache.paimon.avro.generated","fields":[' +
        '{"name":"a","type":"int"},' +
        '{"name":"m","type":["null",{"type":"array","items":{"type":"record","name":"record_m","fields":[{"name":"key","type":"int"},{"name":"value","type":["null","string"],"default":null}]},"logicalType":"map"}],"default":null},' +
        '{"name":"n","type":["null",{"type":"map","values":"int"}],"default":null}]}',
    );
  });
});

describe("Avro reader matching and widening", () => {
  const writer = [F(0, "a", T.INT()), F(1, "b", T.FLOAT()), F(2, "c", T.DECIMAL(5, 2)), F(3, "r", T.ROW([F(4, "x", T.INT()), F(5, "y", T.STRING())]))];
  const rows: InternalValue[][] = [
    [1, 1.5, 12345n, [1, "one"]],
    [null, null, null, null],
  ];
  let file: Uint8Array;
  beforeAll(() => {
    file = avroWrite(writer, batchOf(writer, rows), { compression: "snappy" });
  });

  it("widens INT→BIGINT, FLOAT→DOUBLE, DECIMAL(5,2)→DECIMAL(12,4), reorders and fills missing", async () => {
    const read = [F(2, "c", T.DECIMAL(12, 4)), F(9, "new", T.STRING()), F(1, "b", T.DOUBLE()), F(0, "a", T.BIGINT()), F(3, "r", T.ROW([F(5, "y", T.STRING()), F(6, "z", T.INT())]))];
    expectSameRows(await avroReadBatch(file, read), read, [
      [1234500n, null, 1.5, 1n, ["one", null]],
      [null, null, null, null, null],
    ]);
  });

  it("resolves renamed columns through the file's own schema (fileFields)", async () => {
    const read = [F(0, "a_renamed", T.INT())];
    expectSameRows(await avroReadBatch(file, read, { fileFields: writer }), read, [[1], [null]]);
    // without the file schema the renamed column is not found
    expectSameRows(await avroReadBatch(file, read), read, [[null], [null]]);
  });

  it("matches by Avro field-id properties when the file has them (Iceberg-compatible files)", async () => {
    const schema = JSON.stringify({
      type: "record",
      name: "r",
      fields: [
        { name: "old_name", type: ["null", "long"], "field-id": 7 },
        { name: "s", type: "string", "field-id": 8 },
      ],
    });
    const f = writeAvroContainerSync(schema, [{ old_name: 5n, s: "x" }, { old_name: null, s: "" }], { codec: "null" });
    const read = [F(8, "whatever", T.STRING()), F(7, "n", T.BIGINT()), F(9, "s", T.STRING())];
    expectSameRows(await avroReadBatch(f, read), read, [
      ["x", 5n, null],
      ["", null, null],
    ]);
  });

  it("reads non-null-first unions and names impossible casts", async () => {
    const schema = JSON.stringify({ type: "record", name: "r", fields: [{ name: "u", type: ["int", "null"] }] });
    const f = writeAvroContainerSync(schema, [{ u: 3 }, { u: null }], { codec: "deflate" });
    expectSameRows(await avroReadBatch(f, [F(0, "u", T.INT())]), [F(0, "u", T.INT())], [[3], [null]]);
    await expect(avroReadBatch(f, [F(0, "u", T.DATE())], { fileName: "x.avro" })).resolves.toBeDefined();
    await expect(avroReadBatch(f, [F(0, "u", T.BOOLEAN())], { fileName: "x.avro" })).rejects.toThrow("x.avro: cannot read Avro field u (int) as BOOLEAN");
  });
});

// ---------------------------------------------------------------------------------------
// fastavro as an independent reader (logical-type conversion switched off: raw values)

const PY = join(__dirname, "../../../tools/oracle-py/.venv/bin/python");
const PY_SCRIPT = String.raw`
import base64, json, math, sys
import fastavro, fastavro.read
fastavro.read.LOGICAL_READERS.clear()  # keep decimals, dates and timestamps raw
with open(sys.argv[1], 'rb') as fo:
    recs = list(fastavro.reader(fo))
def enc(v):
    if v is None or isinstance(v, bool): return v
    if isinstance(v, int): return str(v)
    if isinstance(v, float):
        if math.isnan(v): return 'NaN'
        if math.isinf(v): return 'Infinity' if v > 0 else '-Infinity'
        return v
    if isinstance(v, (bytes, bytearray)): return base64.b64encode(v).decode()
    if isinstance(v, list): return [enc(x) for x in v]
    if isinstance(v, dict): return {k: enc(x) for k, x in v.items()}
    return v
print(json.dumps({'codec': fastavro.reader(open(sys.argv[1], 'rb')).codec, 'records': [enc(r) for r in recs]}))
`;

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
      return Buffer.from(bigIntToMinimalBytes(v as bigint)).toString("base64");
    case "TIMESTAMP":
    case "TIMESTAMP_LTZ": {
      const ts = v as Timestamp;
      return (t.precision <= 3 ? ts.millis : ts.millis * 1000n + BigInt(Math.floor(ts.nanoOfMilli / 1000))).toString();
    }
    case "ARRAY":
      return (v as InternalValue[]).map((e) => pyEncode(e, t.element));
    case "MAP":
    case "MULTISET": {
      const m = v as MapValue;
      const kt = t.root === "MAP" ? t.key : t.element;
      const vt: DataType = t.root === "MAP" ? t.value : T.INT(false);
      if (kt.root === "VARCHAR" || kt.root === "CHAR") return Object.fromEntries(m.keys.map((k, i) => [k, pyEncode(m.values[i], vt)]));
      return m.keys.map((k, i) => ({ key: pyEncode(k, kt), value: pyEncode(m.values[i], vt) }));
    }
    case "ROW":
      return Object.fromEntries(t.fields.map((f, i) => [f.name, pyEncode((v as InternalValue[])[i], f.type)]));
    default:
      return canonical(v, t);
  }
}

describe("fastavro reads our Avro files", () => {
  let dir = "";
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "paimon-avro-"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each<AvroCompression>(["zstd", "snappy", "deflate", "none"])("%s", (compression) => {
    if (!existsSync(PY)) {
      console.warn(`fastavro check not run: ${PY} not found`);
      return;
    }
    const path = join(dir, `all-${compression}.avro`);
    writeFileSync(path, avroWrite(FIELDS, batchOf(FIELDS, ROWS), { compression }));
    const out = JSON.parse(execFileSync(PY, ["-c", PY_SCRIPT, path], { encoding: "utf8" })) as { codec: string; records: Record<string, unknown>[] };
    expect(out.codec).toBe({ zstd: "zstandard", snappy: "snappy", deflate: "deflate", none: "null" }[compression]);
    const want = ROWS.map((r) => Object.fromEntries(FIELDS.map((f, c) => [f.name, pyEncode(r[c], f.type)])));
    expect(out.records).toEqual(want);
  });
});

void WAREHOUSE;
