/**
 * Reads every live Parquet and Avro data file of the pypaimon fixture tables and checks
 * the rows against the fixtures' expected rows (canonical JSON, ENCODING.md).
 */
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { parquetMetadata, parquetReadObjects } from "hyparquet";
import { parquetDecompressors } from "../src/format/codecs.js";
import { UnsupportedFormatError, formatFromFileName, readDataFile } from "../src/format/index.js";
import type { DataField, DataType } from "../src/types/datatype.js";
import { batchRows, vectorGet } from "../src/data/vector.js";
import type { InternalValue } from "../src/data/values.js";
import { canonicalEncode } from "../src/data/canonical.js";
import { canonical, canonicalRows, findDataFile, listDataFiles, loadExpected, rowMultiset, schemaFields } from "./format-helpers.js";

async function readLive(table: string, fields: DataField[], withFileFields = true): Promise<Record<string, unknown>[]> {
  const e = loadExpected(table);
  const rows: Record<string, unknown>[] = [];
  for (const lf of e.liveFiles) {
    const bytes = readFileSync(findDataFile(table, lf.fileName));
    const batch = await readDataFile(formatFromFileName(lf.fileName), bytes, fields, {
      fileFields: withFileFields ? schemaFields(table, lf.schemaId) : undefined,
      fileName: lf.fileName,
    });
    expect(batch.numRows).toBe(lf.rowCount);
    expect(batch.names).toEqual(fields.map((f) => f.name));
    rows.push(...canonicalRows(batch, fields));
  }
  return rows;
}

// Append-only tables: the rows of all live files are the table's rows.
const APPEND_TABLES = [
  "append_basic",
  "append_partitioned",
  "append_fixed_bucket",
  "append_overwrite",
  "append_truncate",
  "append_parquet_snappy",
  "append_parquet_gzip",
  "append_parquet_lz4",
  "append_parquet_none",
  "append_avro_snappy",
  "append_avro_deflate",
  "append_avro_null",
  "types_parquet",
  "types_avro",
  "schema_evolution_append",
];

describe("append tables: live data files hold exactly the expected rows", () => {
  it.each(APPEND_TABLES)("%s", async (table) => {
    const e = loadExpected(table);
    const fields = schemaFields(table, e.schemaId);
    const rows = await readLive(table, fields);
    expect(rows.length).toBe(e.rows.length);
    expect(rowMultiset(rows)).toEqual(rowMultiset(e.rows));
  });
});

describe("every Parquet and Avro data file of every fixture table is readable with its own schema", () => {
  const tables = [
    ...APPEND_TABLES,
    "pk_fixed",
    "pk_rowkinds",
    "pk_partitioned",
    "pk_composite_key",
    "pk_dynamic_bucket",
    "pk_postpone",
    "pk_partial_update",
    "pk_first_row",
    "pk_aggregation",
    "pk_sequence_field",
    "pk_avro",
    "schema_evolution_pk",
    "dv_data_evolution",
  ];
  it.each(tables)("%s", async (table) => {
    const files = listDataFiles(table).filter((f) => !f.endsWith(".orc"));
    expect(files.length).toBeGreaterThan(0);
    for (const path of files) {
      const bytes = readFileSync(path);
      // the file's own columns, in file order, typed as the parquet/avro footer says
      const names = formatFromFileName(path) === "parquet" ? parquetTopLevelNames(bytes) : avroTopLevelNames(bytes);
      const all = new Map<string, DataField>();
      for (let id = 0; ; id++) {
        let s: DataField[];
        try {
          s = schemaFields(table, id);
        } catch {
          break;
        }
        for (const f of s) all.set(f.name, f);
      }
      const fields = names.map((n, i) => systemOrTableField(n, all, i));
      const batch = await readDataFile(formatFromFileName(path), bytes, fields, { fileName: basename(path) });
      expect(batch.columns.length).toBe(fields.length);
      for (const c of batch.columns) expect(c.length).toBe(batch.numRows);
      if (formatFromFileName(path) === "parquet") {
        // null positions agree with hyparquet's own (independent) row reader
        const objs = await parquetReadObjects({ file: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer, compressors: parquetDecompressors });
        expect(batch.numRows).toBe(objs.length);
        fields.forEach((f, i) => {
          const ours = batch.columns[i];
          const theirs = objs.map((o) => o[f.name] === null || o[f.name] === undefined);
          expect(objs.map((_, r) => vectorGet(ours, r) === null)).toEqual(theirs);
        });
      }
    }
  });
});

function parquetTopLevelNames(bytes: Uint8Array): string[] {
  const md = parquetMetadata(bytes);
  const out: string[] = [];
  let i = 1;
  const skip = (): void => {
    const e = md.schema[i++];
    for (let c = 0; c < (e.num_children ?? 0); c++) skip();
  };
  for (let c = 0; c < (md.schema[0].num_children ?? 0); c++) {
    out.push(md.schema[i].name);
    skip();
  }
  return out;
}

function avroTopLevelNames(bytes: Uint8Array): string[] {
  const text = Buffer.from(bytes.subarray(0, 8192)).toString("latin1");
  const start = text.indexOf('{"type"');
  const schema = JSON.parse(Buffer.from(bytes.subarray(start, start + extractJsonLength(text.slice(start)))).toString("utf8"));
  return (schema.fields as { name: string }[]).map((f) => f.name);
}

function extractJsonLength(s: string): number {
  let depth = 0;
  let inStr = false;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (inStr) {
      if (ch === "\\") i++;
      else if (ch === '"') inStr = false;
    } else if (ch === '"') inStr = true;
    else if (ch === "{" || ch === "[") depth++;
    else if (ch === "}" || ch === "]") {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  throw new Error("unterminated schema JSON");
}

function systemOrTableField(name: string, byName: Map<string, DataField>, position: number): DataField {
  if (name === "_SEQUENCE_NUMBER") return { id: 2147483646, name, type: { root: "BIGINT", nullable: false } };
  if (name === "_VALUE_KIND") return { id: 2147483645, name, type: { root: "TINYINT", nullable: false } };
  if (name === "_ROW_ID") return { id: 2147483642, name, type: { root: "BIGINT", nullable: true } };
  if (name.startsWith("_KEY_")) {
    const f = byName.get(name.slice(5))!;
    return { id: 1073741823 + f.id, name, type: f.type };
  }
  const f = byName.get(name);
  if (f === undefined) throw new Error(`column ${name} (#${position}) is in no schema`);
  return f;
}

describe("primary-key tables (deduplicate): the latest record per key over all live files", () => {
  // _KEY_ columns, _SEQUENCE_NUMBER and _VALUE_KIND are read by name (pypaimon files
  // carry no field ids); the value with the highest sequence number wins, retractions
  // (-U, -D) remove the key.
  it.each(["pk_fixed", "pk_rowkinds", "pk_partitioned", "pk_composite_key", "pk_dynamic_bucket", "pk_avro", "schema_evolution_pk"])(
    "%s",
    async (table) => {
      const e = loadExpected(table);
      const latest = schemaFields(table, e.schemaId);
      const trimmedPk = e.schema.primaryKeys.filter((k) => !e.schema.partitionKeys.includes(k));
      const best = new Map<string, { seq: bigint; kind: number; row: Record<string, unknown> }>();
      for (const lf of e.liveFiles) {
        const fileSchema = schemaFields(table, lf.schemaId);
        const keyFields: DataField[] = trimmedPk.map((k) => {
          const f = latest.find((x) => x.name === k)!;
          return { id: 1073741823 + f.id, name: `_KEY_${k}`, type: f.type };
        });
        const sys: DataField[] = [
          { id: 2147483646, name: "_SEQUENCE_NUMBER", type: { root: "BIGINT", nullable: false } },
          { id: 2147483645, name: "_VALUE_KIND", type: { root: "TINYINT", nullable: false } },
        ];
        const fileKeyFields = keyFields.map((kf) => {
          const src = fileSchema.find((x) => x.id === kf.id - 1073741823)!;
          return { ...kf, name: `_KEY_${src.name}` };
        });
        const fields = [...keyFields, ...sys, ...latest];
        const bytes = readFileSync(findDataFile(table, lf.fileName));
        const batch = await readDataFile(formatFromFileName(lf.fileName), bytes, fields, {
          fileFields: [...fileKeyFields, ...sys, ...fileSchema],
          fileName: lf.fileName,
        });
        for (const r of batchRows(batch)) {
          const key =
            JSON.stringify(lf.partition) +
            "|" +
            JSON.stringify(keyFields.map((f, i) => canonical(r[i] as InternalValue, f.type as DataType)));
          const seq = r[keyFields.length] as bigint;
          const kind = r[keyFields.length + 1] as number;
          const row: Record<string, unknown> = {};
          latest.forEach((f, i) => (row[f.name] = canonical(r[keyFields.length + 2 + i], f.type)));
          const prev = best.get(key);
          if (prev === undefined || seq > prev.seq) best.set(key, { seq, kind, row });
        }
      }
      const rows = [...best.values()].filter((b) => b.kind === 0 || b.kind === 2).map((b) => b.row);
      expect(rowMultiset(rows)).toEqual(rowMultiset(e.rows));
    },
  );
});

describe("ORC", () => {
  it("is recognised by name and rejected with a typed error", async () => {
    const file = listDataFiles("append_orc_snappy").find((f) => f.endsWith(".orc"))!;
    expect(formatFromFileName(file)).toBe("orc");
    const bytes = readFileSync(file);
    const err = await readDataFile("orc", bytes, [], { fileName: basename(file) }).catch((x: unknown) => x);
    expect(err).toBeInstanceOf(UnsupportedFormatError);
    expect((err as Error).message).toBe(`ORC data files are not supported: ${basename(file)}`);
  });
});

describe("formatFromFileName", () => {
  it.each([
    ["data-1-0.parquet", "parquet"],
    ["/a/b/bucket-0/data-x-0.avro", "avro"],
    ["DATA.ORC", "orc"],
  ])("%s → %s", (name, fmt) => expect(formatFromFileName(name)).toBe(fmt));
  it("rejects unknown extensions", () => expect(() => formatFromFileName("data-1.csv")).toThrow(/unknown data file format/));
});

describe("the test helper's canonical encoder agrees with the library's canonicalEncode", () => {
  it.each(["types_parquet", "types_avro", "append_partitioned"])("%s", async (table) => {
    const e = loadExpected(table);
    const fields = schemaFields(table, e.schemaId);
    for (const lf of e.liveFiles) {
      const batch = await readDataFile(formatFromFileName(lf.fileName), readFileSync(findDataFile(table, lf.fileName)), fields);
      for (const row of batchRows(batch)) {
        fields.forEach((f, i) => expect(canonicalEncode(f.type, row[i])).toEqual(canonical(row[i], f.type)));
      }
    }
  });
});
