/**
 * Parquet data-file writer: a ColumnBatch → a Parquet file laid out the way Java Paimon
 * writes it (BINARY.md §8, METADATA.md §5.6): message `paimon_schema`, field ids on every
 * field (synthetic ids on list elements and map keys/values), REQUIRED for NOT NULL,
 * INT(8)/INT(16) annotations, decimals as INT32/INT64/FIXED_LEN_BYTE_ARRAY, timestamps
 * as INT64 MILLIS/MICROS or INT96, parquet-java's 3-level LIST and MAP layouts.
 *
 * Encoding is done by hyparquet-writer's `ParquetWriter`. Its gaps, and how they are
 * handled here:
 *
 * 1. Field ids and Paimon's exact annotations: hyparquet-writer writes whatever explicit
 *    `SchemaElement[]` it is given (field_id, converted_type, logical_type, scale,
 *    precision all go to the footer), so the schema comes from `paimonToParquetSchema`.
 * 2. Value conversion keyed on annotations: hyparquet-writer "unconverts" values by their
 *    annotation (DECIMAL numbers → scaled ints through float64, Dates → epoch values, …).
 *    To keep every value exact we hand it a *physical* copy of the schema (leaf
 *    annotations stripped; LIST/MAP group annotations kept because its Dremel encoder
 *    needs them; UTF8 too, so strings are dictionary-encoded as JS strings and only the
 *    distinct ones UTF-8 encoded) and already-physical values (Int32Array/BigInt64Array/…,
 *    unscaled decimals, INT96 bytes). The real schema replaces the physical one on
 *    the writer (`ParquetWriter.schema`) after the row groups are encoded and before
 *    `finish()` serialises the footer.
 * 3. INT96 (TIMESTAMP(7..9)): hyparquet-writer cannot encode INT96. Such columns are
 *    encoded as FIXED_LEN_BYTE_ARRAY(12) — PLAIN and dictionary encodings of INT96 are
 *    byte-identical to those of 12-byte fixed strings — and both the schema element and
 *    the column chunks' `meta_data.type` are patched to INT96 before `finish()`.
 * 4. Compression: only SNAPPY is built in. ZSTD (default, level 1) comes from
 *    `@bokuweb/zstd-wasm` (call `initZstd()` first, or use `parquetWriteAsync`), GZIP from
 *    node zlib, and LZ4 is written as LZ4_RAW with the block compressor in codecs.ts.
 * 5. The footer's IntType: hyparquet-writer serialises `IntType.bitWidth` as a Thrift
 *    i32 where parquet.thrift declares i8, and pyarrow (Thrift C++) rejects the whole
 *    footer ("Couldn't deserialize thrift"). So the schema handed to `finish()` leaves
 *    the INTEGER logical type out of TINYINT/SMALLINT columns (their converted types
 *    INT_8/INT_16 stay), and `spliceIntegerLogicalTypes` then inserts a correctly typed
 *    LogicalType{INTEGER{bitWidth: i8, isSigned}} into those schema elements of the
 *    serialised footer (a small Thrift compact-protocol walk finds them).
 * 6. Statistics are turned off: Paimon readers do not need Parquet statistics (its own
 *    min/max live in the manifest), and hyparquet-writer's would be computed on the
 *    physical stand-ins (e.g. INT96 bytes).
 *
 * Differences from parquet-java that remain: data pages are DATA_PAGE_V2 (Java writes
 * v1 pages, PARQUET_1_0) and row groups are sized in rows, not bytes. Both are valid
 * Parquet that parquet-java, pyarrow and hyparquet read.
 */
import { ByteWriter, ParquetWriter } from "hyparquet-writer";
import type { ColumnSource } from "hyparquet-writer";
import type { CompressionCodec, SchemaElement } from "hyparquet";
import type { DataField, DataType } from "../types/datatype.js";
import type { InternalValue, MapValue, Timestamp } from "../data/values.js";
import type { ColumnBatch, ColumnVector } from "../data/vector.js";
import { gzipCompress, initZstd, lz4BlockCompress, zstdCompress } from "./codecs.js";
import { FormatError, bigIntToFixedBytes, timestampToMicrosFloor } from "./common.js";
import { decimalFixedLength, leafKind, paimonToParquetSchema } from "./parquet-schema.js";
import type { LeafKind } from "./parquet-schema.js";

export type ParquetCompression = "zstd" | "snappy" | "gzip" | "lz4" | "none";

export interface ParquetWriteOptions {
  /** Default `zstd` (Paimon's `file.compression`). */
  compression?: ParquetCompression;
  /** Default 1 (`file.compression.zstd-level`). */
  zstdLevel?: number;
  /** Rows per row group (default 100 000). */
  rowGroupSize?: number;
  /** Target uncompressed page size in bytes (default 1 MiB, as Java). */
  pageSize?: number;
  /** Extra footer key/value metadata. */
  kvMetadata?: { key: string; value?: string }[];
  /** Footer `created_by` (default `paimon-ts version 0.1.0`). */
  createdBy?: string;
}

const DEFAULT_ROW_GROUP_SIZE = 100_000;
const MILLIS_PER_DAY = 86_400_000n;
const JULIAN_EPOCH_DAY = 2_440_588n;

/**
 * The 12 INT96 bytes Java Paimon writes for a timestamp: little-endian int64
 * nanos-of-day then int32 Julian day, computed with truncating division (so a pre-1970
 * instant gets a negative nanos-of-day, BINARY.md §8.2).
 */
export function timestampToInt96(t: Timestamp): Uint8Array {
  const julian = t.millis / MILLIS_PER_DAY + JULIAN_EPOCH_DAY;
  const nanosOfDay = (t.millis % MILLIS_PER_DAY) * 1_000_000n + BigInt(t.nanoOfMilli);
  const out = new Uint8Array(12);
  const dv = new DataView(out.buffer);
  dv.setBigInt64(0, nanosOfDay, true);
  dv.setInt32(8, Number(julian), true);
  return out;
}

function leafValue(kind: LeafKind, t: DataType, x: InternalValue): unknown {
  switch (kind) {
    case "boolean":
    case "int32":
    case "float":
    case "double":
      return x;
    case "int64":
    case "decimal64":
      return typeof x === "bigint" ? x : BigInt(x as number);
    case "decimal32":
      return Number(x as bigint);
    case "decimalFixed":
      return bigIntToFixedBytes(x as bigint, decimalFixedLength((t as { precision: number }).precision));
    case "string":
      return x; // kept as a JS string: hyparquet-writer dictionary-encodes strings and encodes UTF-8 itself
    case "binary":
      return x;
    case "tsMillis":
      return (x as Timestamp).millis;
    case "tsMicros":
      return timestampToMicrosFloor(x as Timestamp);
    case "int96":
      return timestampToInt96(x as Timestamp);
  }
}

/** A nested value in the shape hyparquet-writer's Dremel encoder expects. */
function nestedValue(t: DataType, x: InternalValue): unknown {
  if (x === null || x === undefined) return null;
  switch (t.root) {
    case "ARRAY":
      return (x as InternalValue[]).map((e) => nestedValue(t.element, e));
    case "MAP":
    case "MULTISET": {
      const m = x as MapValue;
      const kt = t.root === "MAP" ? t.key : t.element;
      const vt: DataType = t.root === "MAP" ? t.value : { root: "INT", nullable: false };
      return m.keys.map((k, i) => ({ key: nestedValue(kt, k), value: nestedValue(vt, m.values[i]) }));
    }
    case "ROW": {
      const r = x as InternalValue[];
      const o: Record<string, unknown> = {};
      t.fields.forEach((f, i) => (o[f.name] = nestedValue(f.type, r[i] ?? null)));
      return o;
    }
    default:
      return leafValue(leafKind(t), t, x);
  }
}

/** The physical column handed to hyparquet-writer (typed arrays passed through when possible). */
function physicalColumn(f: DataField, v: ColumnVector, n: number): ArrayLike<unknown> {
  const t = f.type;
  const vals = v.values as ArrayLike<InternalValue>;
  const nulls = v.nulls;
  if (!t.nullable && nulls !== null && nulls.indexOf(1) >= 0) {
    throw new FormatError(`column ${f.name} is NOT NULL but has nulls`);
  }
  if (t.root === "ARRAY" || t.root === "MAP" || t.root === "MULTISET" || t.root === "ROW") {
    const out = new Array(n);
    for (let i = 0; i < n; i++) out[i] = nulls !== null && nulls[i] === 1 ? null : nestedValue(t, vals[i] ?? null);
    return out;
  }
  const kind = leafKind(t);
  if (nulls === null) {
    if (kind === "int32" && vals instanceof Int32Array) return vals.subarray(0, n);
    if ((kind === "int64" || kind === "decimal64") && vals instanceof BigInt64Array) return vals.subarray(0, n);
    if (kind === "float" && vals instanceof Float32Array) return vals.subarray(0, n);
    if (kind === "double" && vals instanceof Float64Array) return vals.subarray(0, n);
  }
  const out = new Array(n);
  for (let i = 0; i < n; i++) {
    const x = nulls !== null && nulls[i] === 1 ? null : vals[i];
    out[i] = x === null || x === undefined ? null : leafValue(kind, t, x);
  }
  return out;
}

/**
 * Leaf annotations stripped (values are handed over physical) except UTF8, whose values
 * stay JS strings; INT96 as FIXED_LEN_BYTE_ARRAY(12).
 */
function physicalSchema(schema: SchemaElement[]): SchemaElement[] {
  return schema.map((e) => {
    if (e.num_children) return e;
    const p: SchemaElement = { name: e.name, type: e.type, repetition_type: e.repetition_type, field_id: e.field_id };
    if (e.converted_type === "UTF8") p.converted_type = "UTF8";
    if (e.type_length !== undefined) p.type_length = e.type_length;
    if (e.type === "INT96") {
      p.type = "FIXED_LEN_BYTE_ARRAY";
      p.type_length = 12;
    }
    return p;
  });
}

function int96Paths(schema: SchemaElement[]): Set<string> {
  const out = new Set<string>();
  let i = 1;
  const walk = (path: string[]): void => {
    const e = schema[i++];
    const p = [...path, e.name];
    if (e.num_children) for (let c = 0; c < e.num_children; c++) walk(p);
    else if (e.type === "INT96") out.add(p.join("\u0000"));
  };
  for (let c = 0; c < (schema[0].num_children ?? 0); c++) walk([]);
  return out;
}

function codecOf(opts: ParquetWriteOptions): { codec: CompressionCodec; compressors: Record<string, (b: Uint8Array) => Uint8Array> } {
  const compression = opts.compression ?? "zstd";
  switch (compression) {
    case "zstd": {
      const level = opts.zstdLevel ?? 1;
      return { codec: "ZSTD", compressors: { ZSTD: (b) => zstdCompress(b, level) } };
    }
    case "snappy":
      return { codec: "SNAPPY", compressors: {} };
    case "gzip":
      return { codec: "GZIP", compressors: { GZIP: (b) => gzipCompress(b) } };
    case "lz4":
      return { codec: "LZ4_RAW", compressors: { LZ4_RAW: lz4BlockCompress } };
    case "none":
      return { codec: "UNCOMPRESSED", compressors: {} };
    default:
      throw new FormatError(`unsupported parquet compression: ${String(compression)}`);
  }
}

/**
 * Writes a batch as a Parquet data file. `batch.columns[i]` holds the values of
 * `fields[i]`. For zstd (the default), `initZstd()` must have resolved; see
 * `parquetWriteAsync`.
 */
export function parquetWrite(fields: DataField[], batch: ColumnBatch, opts: ParquetWriteOptions = {}): Uint8Array {
  if (batch.columns.length !== fields.length) {
    throw new FormatError(`parquetWrite: ${fields.length} fields but ${batch.columns.length} columns`);
  }
  const n = batch.numRows;
  const schema = paimonToParquetSchema(fields);
  const { codec, compressors } = codecOf(opts);
  const columnData: ColumnSource[] = fields.map((f, i) => {
    const data = physicalColumn(f, batch.columns[i], n) as ColumnSource["data"];
    return { name: f.name, data };
  });
  const writer = new ByteWriter();
  const pw = new ParquetWriter({
    writer,
    schema: physicalSchema(schema) as ParquetWriter["schema"],
    codec,
    compressors,
    statistics: false,
    kvMetadata: opts.kvMetadata,
    createdBy: opts.createdBy ?? "paimon-ts version 0.1.0",
  });
  const pending = pw.write({ columnData, rowGroupSize: opts.rowGroupSize ?? DEFAULT_ROW_GROUP_SIZE, pageSize: opts.pageSize ?? 1 << 20 });
  if (pending !== undefined) throw new FormatError("parquetWrite: unexpected asynchronous writer");
  // swap in the real schema (annotations, INT96; INTEGER logical types are spliced in
  // afterwards) and fix the INT96 chunks' physical type
  pw.schema = schema.map((e) => (e.logical_type?.type === "INTEGER" ? { ...e, logical_type: undefined } : e)) as ParquetWriter["schema"];
  const int96 = int96Paths(schema);
  if (int96.size > 0) {
    for (const rg of pw.row_groups) {
      for (const c of rg.columns) {
        if (c.meta_data !== undefined && int96.has(c.meta_data.path_in_schema.join("\u0000"))) c.meta_data.type = "INT96";
      }
    }
  }
  const done = pw.finish();
  if (done !== undefined) throw new FormatError("parquetWrite: unexpected asynchronous writer");
  return spliceIntegerLogicalTypes(new Uint8Array(writer.getBuffer()), schema);
}

// ---------------------------------------------------------------------------------------
// Footer surgery: insert LogicalType INTEGER (with an i8 bitWidth) into schema elements.

const CT_STOP = 0;
const CT_TRUE = 1;
const CT_FALSE = 2;
const CT_BYTE = 3;
const CT_DOUBLE = 7;
const CT_BINARY = 8;
const CT_LIST = 9;
const CT_SET = 10;
const CT_MAP = 11;
const CT_STRUCT = 12;

class CompactWalker {
  pos = 0;
  constructor(private readonly b: Uint8Array) {}

  private byte(): number {
    if (this.pos >= this.b.length) throw new FormatError("parquetWrite: malformed footer");
    return this.b[this.pos++];
  }

  varint(): number {
    let shift = 0;
    let n = 0;
    for (;;) {
      const x = this.byte();
      n += (x & 0x7f) * 2 ** shift;
      if (!(x & 0x80)) return n;
      shift += 7;
    }
  }

  /** Reads a field header; returns null at STOP. */
  fieldHeader(lastFid: number): { fid: number; type: number } | null {
    const h = this.byte();
    if (h === CT_STOP) return null;
    const type = h & 0x0f;
    const delta = h >> 4;
    if (delta !== 0) return { fid: lastFid + delta, type };
    const z = this.varint();
    return { fid: z % 2 === 0 ? z / 2 : -(z + 1) / 2, type };
  }

  skip(type: number): void {
    switch (type) {
      case CT_TRUE:
      case CT_FALSE:
        return; // a struct field's bool lives in its header
      case CT_BYTE:
        this.pos++;
        return;
      case CT_DOUBLE:
        this.pos += 8;
        return;
      case CT_BINARY: {
        const len = this.varint(); // read before `pos` is used: `pos += varint()` would lose the varint
        this.pos += len;
        return;
      }
      case CT_LIST:
      case CT_SET: {
        const h = this.byte();
        let n = h >> 4;
        if (n === 15) n = this.varint();
        const et = h & 0x0f;
        for (let i = 0; i < n; i++) {
          if (et === CT_TRUE || et === CT_FALSE) this.pos++;
          else this.skip(et);
        }
        return;
      }
      case CT_MAP: {
        const n = this.varint();
        if (n === 0) return;
        const kv = this.byte();
        for (let i = 0; i < n; i++) {
          this.skip(kv >> 4);
          this.skip(kv & 0x0f);
        }
        return;
      }
      case CT_STRUCT: {
        let last = 0;
        for (;;) {
          const f = this.fieldHeader(last);
          if (f === null) return;
          this.skip(f.type);
          last = f.fid;
        }
      }
      default:
        this.varint(); // i16 / i32 / i64
    }
  }
}

function structFieldHeader(lastFid: number, fid: number, type: number): number[] {
  const d = fid - lastFid;
  if (d > 0 && d <= 15) return [(d << 4) | type];
  const z = fid >= 0 ? fid * 2 : -fid * 2 - 1;
  const out = [type];
  let v = z;
  while (v >= 0x80) {
    out.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return out;
}

/**
 * Inserts `logicalType` = INTEGER(bitWidth, isSigned) into the footer's schema elements
 * that should carry it (see gap 5 above) and rewrites the footer length.
 */
export function spliceIntegerLogicalTypes(file: Uint8Array, schema: SchemaElement[]): Uint8Array {
  const wanted = schema.map((e) => (e.logical_type?.type === "INTEGER" ? e.logical_type : undefined));
  if (wanted.every((x) => x === undefined)) return file;
  const footerLen = new DataView(file.buffer, file.byteOffset, file.byteLength).getUint32(file.length - 8, true);
  const footerStart = file.length - 8 - footerLen;
  const footer = file.subarray(footerStart, file.length - 8);
  const w = new CompactWalker(footer);
  // FileMetaData: find field 2, the list of SchemaElement, and the STOP of each element
  const inserts: { at: number; bytes: number[] }[] = [];
  let last = 0;
  for (;;) {
    const f = w.fieldHeader(last);
    if (f === null) break;
    if (f.fid === 2 && f.type === CT_LIST) {
      const h = footer[w.pos++];
      let n = h >> 4;
      if (n === 15) n = w.varint();
      for (let i = 0; i < n; i++) {
        let lf = 0;
        for (;;) {
          const at = w.pos;
          const g = w.fieldHeader(lf);
          if (g === null) {
            const lt = wanted[i];
            if (lt !== undefined && lt.type === "INTEGER") {
              if (lf >= 10) throw new FormatError("parquetWrite: schema element already has a logical type");
              const bytes = [
                ...structFieldHeader(lf, 10, CT_STRUCT), // SchemaElement.logicalType
                (10 << 4) | CT_STRUCT, // LogicalType.INTEGER
                (1 << 4) | CT_BYTE, // IntType.bitWidth: i8
                lt.bitWidth,
                (1 << 4) | (lt.isSigned ? CT_TRUE : CT_FALSE), // IntType.isSigned
                CT_STOP,
                CT_STOP,
              ];
              inserts.push({ at, bytes });
            }
            break;
          }
          w.skip(g.type);
          lf = g.fid;
        }
      }
    } else w.skip(f.type);
    last = f.fid;
  }
  const extra = inserts.reduce((s, x) => s + x.bytes.length, 0);
  const out = new Uint8Array(file.length + extra);
  out.set(file.subarray(0, footerStart), 0);
  let o = footerStart;
  let p = 0;
  for (const ins of inserts) {
    out.set(footer.subarray(p, ins.at), o);
    o += ins.at - p;
    out.set(ins.bytes, o);
    o += ins.bytes.length;
    p = ins.at;
  }
  out.set(footer.subarray(p), o);
  o += footer.length - p;
  const dv = new DataView(out.buffer);
  dv.setUint32(o, footerLen + extra, true);
  out.set([0x50, 0x41, 0x52, 0x31], o + 4);
  return out;
}

/** `parquetWrite` after loading the zstd codec. */
export async function parquetWriteAsync(fields: DataField[], batch: ColumnBatch, opts: ParquetWriteOptions = {}): Promise<Uint8Array> {
  await initZstd();
  return parquetWrite(fields, batch, opts);
}
