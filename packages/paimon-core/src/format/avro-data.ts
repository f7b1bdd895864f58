/**
 * Avro data files (Paimon `file.format=avro`): an Avro object container file whose
 * records are the row type ↔ a ColumnBatch of internal values.
 *
 * Paimon's Avro schema for a row type (METADATA.md §5.6): a record with one field per
 * column, nullable columns as `["null", T]` unions, TINYINT/SMALLINT/INT as `int`,
 * DECIMAL as `bytes` + `decimal`, DATE `int` + `date`, TIME `int` + `time-millis`,
 * TIMESTAMP as `long` + `timestamp-millis|micros`, TIMESTAMP_LTZ as `long` +
 * `local-timestamp-millis|micros`, MAP with string keys as an Avro map and other MAPs as
 * an array of `{key, value}` records, ROW as a nested record.
 *
 * Columns are matched by Avro `field-id` properties when the file has them (Paimon adds
 * them only in Iceberg-compatible mode), else by name — the name in the file's own schema
 * when `fileFields` is given. Missing columns read as NULL; types are widened as in the
 * Parquet reader.
 *
 * The container layer (header, blocks, sync markers, codecs null/deflate/snappy/zstandard)
 * is the generic one of `src/avro/` (shared with manifests); this module adds the
 * type-directed record decoding into columns. Its own small schema parser keeps Avro
 * `field-id` properties, which `src/avro/schema.ts` does not retain.
 */
import { SYNC_SIZE, readAvroBlocks, readAvroHeader, writeAvroContainerSync } from "../avro/container.js";
import { avroSchemaToJson, parseAvroSchema } from "../avro/schema.js";
import { decompress, initCodecs } from "../util/codec.js";
import type { CodecName } from "../util/codec.js";
import type { JsonValue } from "../util/json.js";
import { asSQLString } from "../types/datatype.js";
import type { DataField, DataType } from "../types/datatype.js";
import type { InternalValue, MapValue, Timestamp } from "../data/values.js";
import { vectorGet } from "../data/vector.js";
import type { ColumnBatch, ColumnVector } from "../data/vector.js";
import {
  FormatError,
  bigIntToMinimalBytes,
  bytesToBigInt,
  fileNameFor,
  fileTypeFor,
  readAllBytes,
  rescaleDecimal,
  timestampFromUnits,
  timestampToMicrosFloor,
  toByteSource,
} from "./common.js";
import type { ByteInput, ByteSource, DataFileReadOptions } from "./common.js";

// ---------------------------------------------------------------------------------------
// Binary decoding

const utf8 = new TextDecoder("utf-8");

class Reader {
  pos = 0;
  private readonly view: DataView;

  constructor(readonly buf: Uint8Array) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  /** A zig-zag varint as a number (exact up to 2^53). */
  long(): number {
    const b = this.buf;
    let byte = b[this.pos++];
    let n = byte & 0x7f;
    let mul = 128;
    while (byte & 0x80) {
      byte = b[this.pos++];
      n += (byte & 0x7f) * mul;
      mul *= 128;
    }
    return n % 2 === 0 ? n / 2 : -(n + 1) / 2;
  }

  /** A zig-zag varint as an exact bigint. */
  longBig(): bigint {
    const start = this.pos;
    const b = this.buf;
    let count = 0;
    while (b[this.pos++] & 0x80) count++;
    if (count < 7) {
      this.pos = start;
      return BigInt(this.long());
    }
    let n = 0n;
    let shift = 0n;
    for (let i = start; i < this.pos; i++) {
      n |= BigInt(b[i] & 0x7f) << shift;
      shift += 7n;
    }
    n = BigInt.asUintN(64, n);
    return (n >> 1n) ^ -(n & 1n);
  }

  float(): number {
    const v = this.view.getFloat32(this.pos, true);
    this.pos += 4;
    return v;
  }

  double(): number {
    const v = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }

  bytes(): Uint8Array {
    const n = this.long();
    const v = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }

  fixed(n: number): Uint8Array {
    const v = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }

  string(): string {
    return utf8.decode(this.bytes());
  }
}

// ---------------------------------------------------------------------------------------
// Schema

type AvroType =
  | { t: "null" | "boolean" | "float" | "double" | "string" }
  | { t: "int" | "long"; logical?: string }
  | { t: "bytes"; logical?: string; scale?: number }
  | { t: "fixed"; size: number; logical?: string; scale?: number }
  | { t: "enum"; symbols: string[] }
  | { t: "array"; items: AvroType }
  | { t: "map"; values: AvroType }
  | { t: "record"; name: string; fields: AvroField[] }
  | { t: "union"; branches: AvroType[] };

interface AvroField {
  name: string;
  type: AvroType;
  fieldId?: number;
}

const PRIMITIVES = new Set(["null", "boolean", "int", "long", "float", "double", "bytes", "string"]);

function parseSchema(json: unknown, named: Map<string, AvroType>, ns: string | undefined): AvroType {
  if (Array.isArray(json)) return { t: "union", branches: json.map((b) => parseSchema(b, named, ns)) };
  if (typeof json === "string") {
    if (PRIMITIVES.has(json)) return { t: json } as AvroType;
    const found = named.get(json) ?? (ns !== undefined ? named.get(`${ns}.${json}`) : undefined);
    if (found === undefined) throw new FormatError(`avro: unknown type ${json}`);
    return found;
  }
  if (json === null || typeof json !== "object") throw new FormatError(`avro: bad schema ${JSON.stringify(json)}`);
  const o = json as Record<string, unknown>;
  const type = o.type;
  const logical = typeof o.logicalType === "string" ? o.logicalType : undefined;
  switch (type) {
    case "int":
    case "long":
      return { t: type, logical };
    case "bytes":
      return { t: "bytes", logical, scale: typeof o.scale === "number" ? o.scale : 0 };
    case "fixed":
    case "enum":
    case "record": {
      const name = String(o.name);
      const space = typeof o.namespace === "string" ? o.namespace : ns;
      const full = name.includes(".") || space === undefined ? name : `${space}.${name}`;
      let result: AvroType;
      if (type === "fixed") result = { t: "fixed", size: Number(o.size), logical, scale: typeof o.scale === "number" ? o.scale : 0 };
      else if (type === "enum") result = { t: "enum", symbols: (o.symbols as string[]) ?? [] };
      else result = { t: "record", name: full, fields: [] };
      named.set(full, result);
      named.set(name, result);
      if (result.t === "record") {
        for (const f of (o.fields as Record<string, unknown>[]) ?? []) {
          const id = f["field-id"];
          result.fields.push({
            name: String(f.name),
            type: parseSchema(f.type, named, space),
            fieldId: typeof id === "number" ? id : typeof id === "string" && /^-?\d+$/.test(id) ? Number(id) : undefined,
          });
        }
      }
      return result;
    }
    case "array":
      return { t: "array", items: parseSchema(o.items, named, ns) };
    case "map":
      return { t: "map", values: parseSchema(o.values, named, ns) };
    default:
      if (typeof type === "string" && PRIMITIVES.has(type)) return { t: type } as AvroType;
      return parseSchema(type, named, ns);
  }
}

function describe(s: AvroType): string {
  switch (s.t) {
    case "union":
      return "[" + s.branches.map(describe).join(", ") + "]";
    case "array":
      return `array<${describe(s.items)}>`;
    case "map":
      return `map<${describe(s.values)}>`;
    case "record":
      return `record ${s.name}`;
    case "int":
    case "long":
    case "bytes":
    case "fixed":
      return s.logical ? `${s.t}/${s.logical}` : s.t;
    default:
      return s.t;
  }
}

// ---------------------------------------------------------------------------------------
// Decoders: compiled once per file from (writer schema, requested type)

type Decoder = (r: Reader) => InternalValue;

/** A decoder that skips a value of the writer schema. */
function skipper(s: AvroType): Decoder {
  switch (s.t) {
    case "null":
      return () => null;
    case "boolean":
      return (r) => ((r.pos += 1), null);
    case "int":
    case "long":
    case "enum":
      return (r) => (r.long(), null);
    case "float":
      return (r) => ((r.pos += 4), null);
    case "double":
      return (r) => ((r.pos += 8), null);
    case "bytes":
    case "string":
      return (r) => (r.bytes(), null);
    case "fixed":
      return (r) => ((r.pos += s.size), null);
    case "array":
    case "map": {
      const item = skipper(s.t === "array" ? s.items : s.values);
      const isMap = s.t === "map";
      return (r) => {
        for (;;) {
          let n = r.long();
          if (n === 0) return null;
          if (n < 0) {
            const size = r.long();
            r.pos += size;
            continue;
          }
          for (; n > 0; n--) {
            if (isMap) r.bytes();
            item(r);
          }
        }
      };
    }
    case "record": {
      const fs = s.fields.map((f) => skipper(f.type));
      return (r) => {
        for (const f of fs) f(r);
        return null;
      };
    }
    case "union": {
      const bs = s.branches.map(skipper);
      return (r) => bs[r.long()](r);
    }
  }
}

/** Reads the items of an Avro array or map block by block. */
function readBlocks(r: Reader, item: (r: Reader) => void): void {
  for (;;) {
    let n = r.long();
    if (n === 0) return;
    if (n < 0) {
      n = -n;
      r.long(); // block size in bytes
    }
    for (; n > 0; n--) item(r);
  }
}

class Compiler {
  constructor(private readonly where: string) {}

  private fail(s: AvroType, t: DataType, path: string): never {
    throw new FormatError(`${this.where}: cannot read Avro field ${path} (${describe(s)}) as ${asSQLString(t)}`);
  }

  compile(s: AvroType, t: DataType, fileType: DataType | undefined, path: string): Decoder {
    if (s.t === "union") {
      const bs = s.branches.map((b) => (b.t === "null" ? (() => null) as Decoder : this.compile(b, t, fileType, path)));
      if (bs.length === 2 && s.branches[0].t === "null") {
        const d = bs[1];
        return (r) => (r.long() === 0 ? null : d(r));
      }
      return (r) => bs[r.long()](r);
    }
    switch (t.root) {
      case "BOOLEAN":
        if (s.t === "boolean") return (r) => r.buf[r.pos++] !== 0;
        return this.fail(s, t, path);
      case "TINYINT":
      case "SMALLINT":
      case "INT":
        if (s.t === "int") return (r) => r.long();
        if (s.t === "long") return (r) => Number(BigInt.asIntN(32, r.longBig()));
        return this.fail(s, t, path);
      case "BIGINT":
        if (s.t === "long") return (r) => r.longBig();
        if (s.t === "int") return (r) => BigInt(r.long());
        return this.fail(s, t, path);
      case "FLOAT":
        if (s.t === "float") return (r) => r.float();
        if (s.t === "double") return (r) => Math.fround(r.double());
        if (s.t === "int") return (r) => Math.fround(r.long());
        if (s.t === "long") return (r) => Math.fround(Number(r.longBig()));
        return this.fail(s, t, path);
      case "DOUBLE":
        if (s.t === "double") return (r) => r.double();
        if (s.t === "float") return (r) => r.float();
        if (s.t === "int") return (r) => r.long();
        if (s.t === "long") return (r) => Number(r.longBig());
        return this.fail(s, t, path);
      case "DECIMAL": {
        const { precision, scale } = t;
        if ((s.t === "bytes" || s.t === "fixed") && s.logical === "decimal") {
          const from = s.scale ?? 0;
          const read = s.t === "bytes" ? (r: Reader) => r.bytes() : (r: Reader) => r.fixed(s.size);
          if (from === scale) return (r) => bytesToBigInt(read(r));
          return (r) => rescaleDecimal(bytesToBigInt(read(r)), from, scale, precision);
        }
        if (s.t === "int") return (r) => rescaleDecimal(BigInt(r.long()), 0, scale, precision);
        if (s.t === "long") return (r) => rescaleDecimal(r.longBig(), 0, scale, precision);
        return this.fail(s, t, path);
      }
      case "CHAR":
      case "VARCHAR":
        if (s.t === "string" || s.t === "bytes") return (r) => r.string();
        if (s.t === "enum") return (r) => s.symbols[r.long()];
        return this.fail(s, t, path);
      case "BINARY":
      case "VARBINARY":
        if (s.t === "bytes" || s.t === "string") return (r) => r.bytes().slice();
        if (s.t === "fixed") return (r) => r.fixed(s.size).slice();
        return this.fail(s, t, path);
      case "DATE":
        if (s.t === "int") return (r) => r.long();
        return this.fail(s, t, path);
      case "TIME":
        if (s.t === "int") return (r) => r.long();
        if (s.t === "long") {
          const div = s.logical === "time-micros" ? 1000 : 1;
          return (r) => Math.floor(r.long() / div);
        }
        return this.fail(s, t, path);
      case "TIMESTAMP":
      case "TIMESTAMP_LTZ": {
        if (s.t !== "long") return this.fail(s, t, path);
        const unit = s.logical?.endsWith("-micros") ? "micros" : s.logical?.endsWith("-nanos") ? "nanos" : s.logical?.endsWith("-millis") ? "millis" : t.precision <= 3 ? "millis" : "micros";
        if (unit === "millis") return (r) => ({ millis: r.longBig(), nanoOfMilli: 0 }) satisfies Timestamp;
        if (unit === "micros") return (r) => timestampFromUnits(r.longBig(), 1000n, 1000);
        return (r) => timestampFromUnits(r.longBig(), 1_000_000n, 1);
      }
      case "ARRAY": {
        if (s.t !== "array") return this.fail(s, t, path);
        const item = this.compile(s.items, t.element, fileType?.root === "ARRAY" ? fileType.element : undefined, path + "[]");
        return (r) => {
          const out: InternalValue[] = [];
          readBlocks(r, (rr) => out.push(item(rr)));
          return out;
        };
      }
      case "MAP":
      case "MULTISET": {
        const kt = t.root === "MAP" ? t.key : t.element;
        const vt: DataType = t.root === "MAP" ? t.value : { root: "INT", nullable: false };
        const kf = fileType?.root === "MAP" ? fileType.key : fileType?.root === "MULTISET" ? fileType.element : undefined;
        const vf = fileType?.root === "MAP" ? fileType.value : undefined;
        if (s.t === "map") {
          const key = this.compile({ t: "string" }, kt, kf, path + ".key");
          const value = this.compile(s.values, vt, vf, path + ".value");
          return (r) => {
            const keys: InternalValue[] = [];
            const values: InternalValue[] = [];
            readBlocks(r, (rr) => {
              keys.push(key(rr));
              values.push(value(rr));
            });
            return { keys, values };
          };
        }
        if (s.t === "array") {
          let rec = s.items;
          if (rec.t === "union") rec = rec.branches.find((b) => b.t !== "null") ?? rec;
          if (rec.t !== "record") return this.fail(s, t, path);
          const kIdx = rec.fields.findIndex((f) => f.name === "key");
          const vIdx = rec.fields.findIndex((f) => f.name === "value");
          if (kIdx < 0 || vIdx < 0) return this.fail(s, t, path);
          const parts = rec.fields.map((f, i) =>
            i === kIdx ? this.compile(f.type, kt, kf, path + ".key") : i === vIdx ? this.compile(f.type, vt, vf, path + ".value") : skipper(f.type),
          );
          const nullableItem = s.items.t === "union";
          const branchOfNull = nullableItem ? (s.items as { branches: AvroType[] }).branches.findIndex((b) => b.t === "null") : -1;
          return (r) => {
            const keys: InternalValue[] = [];
            const values: InternalValue[] = [];
            readBlocks(r, (rr) => {
              if (nullableItem && rr.long() === branchOfNull) return;
              let k: InternalValue = null;
              let v: InternalValue = null;
              for (let i = 0; i < parts.length; i++) {
                const x = parts[i](rr);
                if (i === kIdx) k = x;
                else if (i === vIdx) v = x;
              }
              keys.push(k);
              values.push(v);
            });
            return { keys, values };
          };
        }
        return this.fail(s, t, path);
      }
      case "ROW": {
        if (s.t !== "record") return this.fail(s, t, path);
        return this.record(s, t.fields, fileType?.root === "ROW" ? fileType.fields : undefined, path);
      }
      default:
        return this.fail(s, t, path);
    }
  }

  /** Maps the requested fields onto the writer's record fields; returns positional rows. */
  recordPlan(s: Extract<AvroType, { t: "record" }>, fields: DataField[], fileFields: DataField[] | undefined, path: string): { target: Int32Array; decoders: Decoder[] } {
    const useIds = s.fields.some((f) => f.fieldId !== undefined);
    const target = new Int32Array(s.fields.length).fill(-1);
    fields.forEach((f, i) => {
      let idx: number;
      if (useIds) idx = s.fields.findIndex((w) => w.fieldId === f.id);
      else {
        const name = fileNameFor(f, fileFields);
        idx = name === null ? -1 : s.fields.findIndex((w) => w.name === name);
      }
      if (idx >= 0 && target[idx] < 0) target[idx] = i;
    });
    const decoders = s.fields.map((w, j) => {
      const i = target[j];
      if (i < 0) return skipper(w.type);
      const f = fields[i];
      return this.compile(w.type, f.type, fileTypeFor(f, fileFields), path ? `${path}.${w.name}` : w.name);
    });
    return { target, decoders };
  }

  private record(s: Extract<AvroType, { t: "record" }>, fields: DataField[], fileFields: DataField[] | undefined, path: string): Decoder {
    const { target, decoders } = this.recordPlan(s, fields, fileFields, path);
    const n = fields.length;
    return (r) => {
      const out: InternalValue[] = new Array(n).fill(null);
      for (let j = 0; j < decoders.length; j++) {
        const v = decoders[j](r);
        if (target[j] >= 0) out[target[j]] = v;
      }
      return out;
    };
  }
}

// ---------------------------------------------------------------------------------------
// Columns

function toVector(t: DataType, values: InternalValue[], n: number): ColumnVector {
  let nulls: Uint8Array | null = null;
  for (let i = 0; i < n; i++) {
    if (values[i] === null) {
      nulls ??= new Uint8Array(n);
      nulls[i] = 1;
    }
  }
  let typed: Int32Array | BigInt64Array | Float32Array | Float64Array | null = null;
  switch (t.root) {
    case "TINYINT":
    case "SMALLINT":
    case "INT":
    case "DATE":
    case "TIME":
      typed = new Int32Array(n);
      break;
    case "BIGINT":
      typed = new BigInt64Array(n);
      break;
    case "FLOAT":
      typed = new Float32Array(n);
      break;
    case "DOUBLE":
      typed = new Float64Array(n);
      break;
    case "DECIMAL":
      if (t.precision <= 18) typed = new BigInt64Array(n);
      break;
  }
  if (typed === null) return { type: t, length: n, values, nulls };
  for (let i = 0; i < n; i++) if (values[i] !== null) (typed as Int32Array)[i] = values[i] as number;
  return { type: t, length: n, values: typed, nulls };
}

/** The compiled decoding of one file's records into the requested columns. */
class ColumnDecoder {
  private readonly target: Int32Array;
  private readonly decoders: Decoder[];
  private readonly missing: boolean[];
  private cols: InternalValue[][];
  rows = 0;

  constructor(
    schemaJson: string,
    private readonly fields: DataField[],
    opts: DataFileReadOptions,
  ) {
    const where = opts.fileName ?? "avro file";
    const schema = parseSchema(JSON.parse(schemaJson), new Map(), undefined);
    if (schema.t !== "record") throw new FormatError(`${where}: the Avro schema is not a record`);
    const plan = new Compiler(where).recordPlan(schema, fields, opts.fileFields, "");
    this.target = plan.target;
    this.decoders = plan.decoders;
    this.missing = fields.map((_, i) => !this.target.includes(i));
    this.cols = fields.map(() => []);
  }

  /** Decodes the `count` records of one decompressed block. */
  block(data: Uint8Array, count: number): void {
    const r = new Reader(data);
    const { decoders, target, cols } = this;
    for (let k = 0; k < count; k++) {
      for (let j = 0; j < decoders.length; j++) {
        const v = decoders[j](r);
        const i = target[j];
        if (i >= 0) cols[i].push(v);
      }
    }
    this.rows += count;
  }

  /** The rows decoded since the last call, as a batch. */
  take(): ColumnBatch {
    const n = this.rows;
    const columns = this.fields.map((f, i) => {
      if (this.missing[i]) return { type: f.type, length: n, values: new Array(n).fill(null), nulls: new Uint8Array(n).fill(1) };
      return toVector(f.type, this.cols[i], n);
    });
    this.cols = this.fields.map(() => []);
    this.rows = 0;
    return { numRows: n, names: this.fields.map((f) => f.name), columns };
  }
}

/** Reads the requested fields of an Avro data file into a ColumnBatch. */
export async function avroReadBatch(input: ByteInput, fields: DataField[], opts: DataFileReadOptions = {}): Promise<ColumnBatch> {
  const bytes = await readAllBytes(input);
  const header = readAvroHeader(bytes);
  if (header.codec === "zstandard") await initCodecs();
  const dec = new ColumnDecoder(header.schemaJson, fields, opts);
  for (const { count, data } of readAvroBlocks(bytes, header)) dec.block(data, count);
  return dec.take();
}

export interface AvroChunkOptions extends DataFileReadOptions {
  /** Emit a batch once this many records are decoded (whole blocks: a batch may hold more). */
  chunkRows?: number;
  /** Bytes fetched per read from a ranged source (more when a block is larger). */
  windowBytes?: number;
}

/** A moving window over a byte source: only the bytes of the blocks being decoded are held. */
class ByteWindow {
  private buf = new Uint8Array(0);
  private start = 0;

  constructor(
    private readonly source: ByteSource,
    private readonly windowBytes: number,
  ) {}

  get length(): number {
    return this.source.byteLength;
  }

  /** The bytes [pos, pos + n) (fewer at the end of the file), fetching when needed. */
  async view(pos: number, n: number): Promise<Uint8Array> {
    const end = Math.min(pos + n, this.source.byteLength);
    if (pos < this.start || end > this.start + this.buf.length) {
      const fetchEnd = Math.min(Math.max(end, pos + this.windowBytes), this.source.byteLength);
      this.buf = new Uint8Array(await this.source.slice(pos, fetchEnd));
      this.start = pos;
    }
    return this.buf.subarray(pos - this.start, end - this.start);
  }
}

/** Reads a zig-zag varint from `b` at `pos`; returns [value, next position] or null when cut off. */
function varint(b: Uint8Array, pos: number): [number, number] | null {
  let n = 0;
  let mul = 1;
  for (let i = pos; i < b.length && i < pos + 10; i++) {
    const byte = b[i];
    n += (byte & 0x7f) * mul;
    mul *= 128;
    if ((byte & 0x80) === 0) return [n % 2 === 0 ? n / 2 : -(n + 1) / 2, i + 1];
  }
  return null;
}

/**
 * Reads an Avro data file block by block: a batch whenever `chunkRows` records are
 * decoded, so only the current blocks' bytes and rows are held. With a ranged byte source
 * the file is fetched in windows of `windowBytes` (a block larger than that is fetched
 * whole).
 */
export async function* avroReadChunks(input: ByteInput, fields: DataField[], opts: AvroChunkOptions = {}): AsyncGenerator<ColumnBatch> {
  const where = opts.fileName ?? "avro file";
  const chunkRows = opts.chunkRows ?? 4096;
  const win = new ByteWindow(toByteSource(input), opts.windowBytes ?? 1 << 20);
  const total = win.length;
  // the header is small unless the schema is huge: grow the first fetch until it parses
  let header: ReturnType<typeof readAvroHeader> | null = null;
  for (let n = 64 * 1024; header === null; n *= 4) {
    const head = await win.view(0, n);
    try {
      header = readAvroHeader(head);
    } catch (e) {
      if (head.length >= total) throw e;
    }
  }
  if (header.codec === "zstandard") await initCodecs();
  const dec = new ColumnDecoder(header.schemaJson, fields, opts);
  let pos = header.dataOffset;
  while (pos < total) {
    const head = await win.view(pos, 20);
    const c = varint(head, 0);
    const s = c === null ? null : varint(head, c[1]);
    if (c === null || s === null || c[0] < 0 || s[0] < 0) throw new FormatError(`${where}: corrupt Avro block header at offset ${pos}`);
    const [count, size] = [c[0], s[0]];
    const bodyStart = pos + s[1];
    const body = await win.view(bodyStart, size + SYNC_SIZE);
    if (body.length < size + SYNC_SIZE) throw new FormatError(`${where}: Avro block at offset ${pos} is cut off`);
    const sync = body.subarray(size);
    for (let i = 0; i < SYNC_SIZE; i++) if (sync[i] !== header.sync[i]) throw new FormatError(`${where}: sync marker mismatch after the Avro block at offset ${pos}`);
    dec.block(decompress(header.codec, body.subarray(0, size)), count);
    pos = bodyStart + size + SYNC_SIZE;
    if (dec.rows >= chunkRows) yield dec.take();
  }
  if (dec.rows > 0) yield dec.take();
}

// ---------------------------------------------------------------------------------------
// Writing

export type AvroCompression = "zstd" | "snappy" | "deflate" | "none";

export interface AvroWriteOptions {
  /** Default `zstd` (Avro codec `zstandard`), as Paimon's `file.compression`. */
  compression?: AvroCompression;
  /** Default 1. */
  zstdLevel?: number;
}

const AVRO_NAMESPACE = "org.apache.paimon.avro.generated";

function nullable(t: DataType, s: JsonSchema): JsonSchema {
  return t.nullable ? ["null", s] : s;
}

type JsonSchema = string | { [k: string]: unknown } | JsonSchema[];

/**
 * The Avro schema Java Paimon's converter derives for a type (METADATA.md §5.6):
 * nullable types as `["null", T]`, nested rows as records named after the enclosing
 * record and the field (`record_<field>`), MAPs with CHAR/VARCHAR keys as Avro maps and
 * other MAPs/MULTISETs as arrays of `{key, value}` records. TIMESTAMP(p > 6) is rejected,
 * as in Java.
 */
export function paimonToAvroSchema(t: DataType, rowName: string): JsonSchema {
  switch (t.root) {
    case "BOOLEAN":
      return nullable(t, "boolean");
    case "TINYINT":
    case "SMALLINT":
    case "INT":
      return nullable(t, "int");
    case "BIGINT":
      return nullable(t, "long");
    case "FLOAT":
      return nullable(t, "float");
    case "DOUBLE":
      return nullable(t, "double");
    case "CHAR":
    case "VARCHAR":
      return nullable(t, "string");
    case "BINARY":
    case "VARBINARY":
      return nullable(t, "bytes");
    case "DECIMAL":
      return nullable(t, { type: "bytes", logicalType: "decimal", precision: t.precision, scale: t.scale });
    case "DATE":
      return nullable(t, { type: "int", logicalType: "date" });
    case "TIME":
      if (t.precision > 3) throw new FormatError(`Avro does not support TIME(${t.precision})`);
      return nullable(t, { type: "int", logicalType: "time-millis" });
    case "TIMESTAMP":
    case "TIMESTAMP_LTZ": {
      if (t.precision > 6) throw new FormatError(`Avro does not support ${asSQLString(t, true)} (precision > 6)`);
      const local = t.root === "TIMESTAMP_LTZ" ? "local-" : "";
      return nullable(t, { type: "long", logicalType: `${local}timestamp-${t.precision <= 3 ? "millis" : "micros"}` });
    }
    case "ARRAY":
      return nullable(t, { type: "array", items: paimonToAvroSchema(t.element, rowName) });
    case "MAP":
    case "MULTISET": {
      const kt = t.root === "MAP" ? t.key : t.element;
      const vt: DataType = t.root === "MAP" ? t.value : { root: "INT", nullable: false };
      if (kt.root === "CHAR" || kt.root === "VARCHAR") {
        return nullable(t, { type: "map", values: paimonToAvroSchema(vt, rowName) });
      }
      const valueField: Record<string, unknown> = { name: "value", type: paimonToAvroSchema(vt, `${rowName}_value`) };
      if (vt.nullable) valueField.default = null;
      return nullable(t, {
        type: "array",
        items: { type: "record", name: rowName, fields: [{ name: "key", type: paimonToAvroSchema(kt, `${rowName}_key`) }, valueField] },
        logicalType: "map",
      });
    }
    case "ROW":
      return nullable(t, {
        type: "record",
        name: rowName,
        fields: t.fields.map((f) => {
          const o: Record<string, unknown> = { name: f.name, type: paimonToAvroSchema(f.type, `${rowName}_${f.name}`) };
          if (f.type.nullable) o.default = null;
          return o;
        }),
      });
  }
}

/** The Avro schema JSON of a data file with `fields` (top-level record `org.apache.paimon.avro.generated.record`). */
export function avroDataSchema(fields: DataField[]): string {
  const s = paimonToAvroSchema({ root: "ROW", fields, nullable: false }, `${AVRO_NAMESPACE}.record`);
  return avroSchemaToJson(parseAvroSchema(s as JsonValue));
}

/** An internal value in the shape `src/avro`'s datum writer expects for the schema above. */
function toAvroDatum(t: DataType, v: InternalValue): unknown {
  if (v === null || v === undefined) return null;
  switch (t.root) {
    case "BIGINT":
      return typeof v === "bigint" ? v : BigInt(v as number);
    case "DECIMAL":
      return bigIntToMinimalBytes(v as bigint);
    case "TIMESTAMP":
    case "TIMESTAMP_LTZ": {
      const ts = v as Timestamp;
      return t.precision <= 3 ? ts.millis : timestampToMicrosFloor(ts);
    }
    case "ARRAY":
      return (v as InternalValue[]).map((e) => toAvroDatum(t.element, e));
    case "MAP":
    case "MULTISET": {
      const m = v as MapValue;
      const kt = t.root === "MAP" ? t.key : t.element;
      const vt: DataType = t.root === "MAP" ? t.value : { root: "INT", nullable: false };
      if (kt.root === "CHAR" || kt.root === "VARCHAR") {
        const out = new Map<string, unknown>();
        m.keys.forEach((k, i) => out.set(k as string, toAvroDatum(vt, m.values[i])));
        return out;
      }
      return m.keys.map((k, i) => ({ key: toAvroDatum(kt, k), value: toAvroDatum(vt, m.values[i]) }));
    }
    case "ROW": {
      const r = v as InternalValue[];
      const o: Record<string, unknown> = {};
      t.fields.forEach((f, i) => (o[f.name] = toAvroDatum(f.type, r[i] ?? null)));
      return o;
    }
    default:
      return v;
  }
}

function avroCodec(c: AvroCompression | undefined): CodecName {
  switch (c ?? "zstd") {
    case "zstd":
      return "zstandard";
    case "snappy":
      return "snappy";
    case "deflate":
      return "deflate";
    case "none":
      return "null";
    default:
      throw new FormatError(`unsupported Avro compression: ${String(c)}`);
  }
}

/**
 * Writes a batch as an Avro data file (Paimon's Avro layout). `batch.columns[i]` holds
 * the values of `fields[i]`. For zstd (the default) `initZstd()` must have resolved; see
 * `avroWriteAsync`.
 */
export function avroWrite(fields: DataField[], batch: ColumnBatch, opts: AvroWriteOptions = {}): Uint8Array {
  if (batch.columns.length !== fields.length) throw new FormatError(`avroWrite: ${fields.length} fields but ${batch.columns.length} columns`);
  const schema = avroDataSchema(fields);
  const n = batch.numRows;
  const records = (function* () {
    for (let r = 0; r < n; r++) {
      const o: Record<string, unknown> = {};
      for (let c = 0; c < fields.length; c++) {
        const f = fields[c];
        const v = vectorGet(batch.columns[c], r);
        if (v === null && !f.type.nullable) throw new FormatError(`column ${f.name} is NOT NULL but has nulls`);
        o[f.name] = toAvroDatum(f.type, v);
      }
      yield o;
    }
  })();
  return writeAvroContainerSync(schema, records, { codec: avroCodec(opts.compression), zstdLevel: opts.zstdLevel ?? 1 });
}

/** `avroWrite` after loading the zstd codec. */
export async function avroWriteAsync(fields: DataField[], batch: ColumnBatch, opts: AvroWriteOptions = {}): Promise<Uint8Array> {
  await initCodecs();
  return avroWrite(fields, batch, opts);
}
