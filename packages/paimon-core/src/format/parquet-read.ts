/**
 * Parquet data-file reader: a Parquet file → a ColumnBatch of Paimon internal values.
 *
 * hyparquet is used for what it does well — the footer (`parquetMetadataAsync`), page
 * headers, decompression and page decoding (`parquetHeader`, `decompressPage`,
 * `readDataPage(V2)`, `readPlain`) — but not for value conversion or nested assembly:
 * its converter turns decimals into floats and timestamps into Dates, and its assembler
 * turns maps into JS objects keyed by stringified keys. So this module takes the raw
 * page output (physical values, definition and repetition levels), dereferences
 * dictionaries, converts physical values column-at-a-time into internal values of the
 * requested type (exact bigints, Timestamps, float32 values…) and does its own Dremel
 * record assembly for nested columns.
 *
 * Column matching (BINARY.md §8.5, METADATA.md §8.4): a requested field is found by its
 * Parquet field_id when the file carries ids (Java-written files); in files without ids
 * (pypaimon/pyarrow) it is found by name — the name the field had in the file's own
 * schema when `fileFields` is given, so renamed columns resolve. Fields missing from
 * the file read as NULL. The file column's type is then converted to the requested
 * type (widening on read: INT→BIGINT, FLOAT→DOUBLE, decimal rescale, …).
 */
import { parquetMetadataAsync } from "hyparquet";
import type { DecodedArray, FileMetaData, SchemaElement, SchemaTree } from "hyparquet";
import { parquetHeader } from "hyparquet/src/column.js";
import { decompressPage, readDataPage, readDataPageV2 } from "hyparquet/src/datapage.js";
import { readPlain } from "hyparquet/src/plain.js";
import { asSQLString } from "../types/datatype.js";
import type { DataField, DataType } from "../types/datatype.js";
import type { InternalValue, MapValue, Timestamp } from "../data/values.js";
import type { ColumnBatch, ColumnVector } from "../data/vector.js";
import { initZstd, parquetDecompressors } from "./codecs.js";
import {
  FormatError,
  bytesToBigInt,
  fileNameFor,
  fileTypeFor,
  rescaleDecimal,
  timestampFromUnits,
  toByteSource,
} from "./common.js";
import type { ByteInput, ByteSource, DataFileReadOptions } from "./common.js";

export interface ParquetReadOptions extends DataFileReadOptions {
  /** Only these row groups (indices into the footer's row_groups), in this order. */
  rowGroups?: number[];
  /** The footer, if already read (see `readParquetMetadata`). */
  metadata?: FileMetaData;
}

/** Reads the footer of a Parquet file. */
export function readParquetMetadata(input: ByteInput): Promise<FileMetaData> {
  return parquetMetadataAsync(toByteSource(input));
}

// ---------------------------------------------------------------------------------------
// Physical source classification

const enum Src {
  Bool,
  Int,
  Long,
  Float,
  Double,
  Decimal,
  Date,
  Time,
  Ts,
  Int96,
  String,
  Bytes,
}

interface SrcInfo {
  kind: Src;
  /** Decimal scale. */
  scale: number;
  /** Time / timestamp unit. */
  unit: "MILLIS" | "MICROS" | "NANOS";
}

function classify(e: SchemaElement): SrcInfo {
  const lt = e.logical_type;
  const ct = e.converted_type;
  const info: SrcInfo = { kind: Src.Bytes, scale: 0, unit: "MILLIS" };
  if (lt?.type === "DECIMAL" || ct === "DECIMAL") {
    info.kind = Src.Decimal;
    info.scale = lt?.type === "DECIMAL" ? lt.scale : (e.scale ?? 0);
    return info;
  }
  switch (e.type) {
    case "BOOLEAN":
      info.kind = Src.Bool;
      break;
    case "INT32":
      if (lt?.type === "DATE" || ct === "DATE") info.kind = Src.Date;
      else if (lt?.type === "TIME" || ct === "TIME_MILLIS") info.kind = Src.Time;
      else info.kind = Src.Int;
      break;
    case "INT64":
      if (lt?.type === "TIMESTAMP") {
        info.kind = Src.Ts;
        info.unit = lt.unit;
      } else if (ct === "TIMESTAMP_MILLIS" || ct === "TIMESTAMP_MICROS") {
        info.kind = Src.Ts;
        info.unit = ct === "TIMESTAMP_MILLIS" ? "MILLIS" : "MICROS";
      } else if (lt?.type === "TIME") {
        info.kind = Src.Time;
        info.unit = lt.unit;
      } else if (ct === "TIME_MICROS") {
        info.kind = Src.Time;
        info.unit = "MICROS";
      } else info.kind = Src.Long;
      break;
    case "INT96":
      info.kind = Src.Int96;
      break;
    case "FLOAT":
      info.kind = Src.Float;
      break;
    case "DOUBLE":
      info.kind = Src.Double;
      break;
    case "BYTE_ARRAY":
      info.kind =
        lt?.type === "STRING" || lt?.type === "ENUM" || lt?.type === "JSON" || ct === "UTF8" || ct === "ENUM" || ct === "JSON"
          ? Src.String
          : Src.Bytes;
      break;
    default:
      info.kind = Src.Bytes;
  }
  return info;
}

function describeElement(e: SchemaElement): string {
  const lt = e.logical_type;
  let ann = "";
  if (lt !== undefined) {
    ann = lt.type;
    if (lt.type === "DECIMAL") ann += `(${lt.precision},${lt.scale})`;
    if (lt.type === "TIMESTAMP" || lt.type === "TIME") ann += `(${lt.unit})`;
  } else if (e.converted_type !== undefined) ann = e.converted_type;
  return ann ? `${e.type}/${ann}` : `${e.type}`;
}

// ---------------------------------------------------------------------------------------
// Dense conversion: physical values of one leaf (non-null entries only) → internal values
// of the requested type. A result may contain `null` where a cast overflows.

const utf8 = new TextDecoder("utf-8");
const MILLIS_PER_DAY = 86_400_000;
const JULIAN_EPOCH_DAY = 2_440_588n;
const NANOS_PER_DAY = 86_400_000_000_000n;

type Dense = ArrayLike<any>;

function toBigIntArray(v: Dense, isBig: boolean): BigInt64Array {
  if (v instanceof BigInt64Array) return v;
  const out = new BigInt64Array(v.length);
  if (isBig) for (let i = 0; i < v.length; i++) out[i] = v[i];
  else for (let i = 0; i < v.length; i++) out[i] = BigInt(v[i]);
  return out;
}

function int96ToTimestamp(b: Uint8Array): Timestamp {
  const dv = new DataView(b.buffer, b.byteOffset, 12);
  // nanos-of-day is read signed: Java writes pre-1970 values with truncating division
  // (BINARY.md §8.2), which leaves a negative nanos-of-day.
  const nanosOfDay = dv.getBigInt64(0, true);
  const julianDay = BigInt(dv.getInt32(8, true));
  return timestampFromUnits((julianDay - JULIAN_EPOCH_DAY) * NANOS_PER_DAY + nanosOfDay, 1_000_000n, 1);
}

function unscaledOf(v: Dense, i: number): bigint {
  const x = v[i];
  return typeof x === "bigint" ? x : typeof x === "number" ? BigInt(x) : bytesToBigInt(x as Uint8Array);
}

function convertDense(v: Dense, src: SrcInfo, t: DataType, fail: () => never): Dense {
  const n = v.length;
  switch (t.root) {
    case "BOOLEAN":
      if (src.kind !== Src.Bool) fail();
      return v;
    case "TINYINT":
    case "SMALLINT":
    case "INT": {
      if (src.kind === Src.Int) return v instanceof Int32Array ? v : Int32Array.from(v as ArrayLike<number>);
      if (src.kind === Src.Long) {
        const out = new Int32Array(n);
        for (let i = 0; i < n; i++) out[i] = Number(BigInt.asIntN(32, v[i]));
        return out;
      }
      return fail();
    }
    case "BIGINT":
      if (src.kind === Src.Int || src.kind === Src.Long) return toBigIntArray(v, src.kind === Src.Long);
      return fail();
    case "FLOAT": {
      if (src.kind === Src.Float) return v;
      if (src.kind === Src.Double || src.kind === Src.Int || src.kind === Src.Long) {
        const out = new Float32Array(n);
        for (let i = 0; i < n; i++) out[i] = Number(v[i]);
        return out;
      }
      return fail();
    }
    case "DOUBLE": {
      if (src.kind === Src.Double) return v;
      if (src.kind === Src.Float || src.kind === Src.Int || src.kind === Src.Long) {
        const out = new Float64Array(n);
        for (let i = 0; i < n; i++) out[i] = Number(v[i]);
        return out;
      }
      return fail();
    }
    case "DECIMAL": {
      if (src.kind !== Src.Decimal && src.kind !== Src.Int && src.kind !== Src.Long) fail();
      const from = src.kind === Src.Decimal ? src.scale : 0;
      const compact = t.precision <= 18;
      // fast path: INT64 decimals of the same scale need no work
      if (compact && from === t.scale && v instanceof BigInt64Array) return v;
      const out: (bigint | null)[] = new Array(n);
      let hasNull = false;
      for (let i = 0; i < n; i++) {
        const u = from === t.scale ? unscaledOf(v, i) : rescaleDecimal(unscaledOf(v, i), from, t.scale, t.precision);
        out[i] = u;
        if (u === null) hasNull = true;
      }
      if (compact && !hasNull) return BigInt64Array.from(out as bigint[]);
      return out;
    }
    case "CHAR":
    case "VARCHAR": {
      if (src.kind !== Src.String && src.kind !== Src.Bytes) fail();
      const out: string[] = new Array(n);
      for (let i = 0; i < n; i++) out[i] = decodeUtf8(v[i] as Uint8Array);
      return out;
    }
    case "BINARY":
    case "VARBINARY": {
      if (src.kind !== Src.Bytes && src.kind !== Src.String) fail();
      // copies: hyparquet's values are views into whole (decompressed) pages
      const out: Uint8Array[] = new Array(n);
      for (let i = 0; i < n; i++) out[i] = (v[i] as Uint8Array).slice();
      return out;
    }
    case "DATE": {
      if (src.kind === Src.Date) return v instanceof Int32Array ? v : Int32Array.from(v as ArrayLike<number>);
      if (src.kind === Src.Ts || src.kind === Src.Int96) {
        const ts = convertDense(v, src, { root: "TIMESTAMP", precision: 9, nullable: true }, fail) as Timestamp[];
        const out = new Int32Array(n);
        for (let i = 0; i < n; i++) out[i] = Number(floorDivBig(ts[i].millis, BigInt(MILLIS_PER_DAY)));
        return out;
      }
      return fail();
    }
    case "TIME": {
      if (src.kind !== Src.Time) fail();
      if (src.unit === "MILLIS") return v instanceof Int32Array ? v : Int32Array.from(v as ArrayLike<number>);
      const div = src.unit === "MICROS" ? 1000n : 1_000_000n;
      const out = new Int32Array(n);
      for (let i = 0; i < n; i++) out[i] = Number(floorDivBig(v[i] as bigint, div));
      return out;
    }
    case "TIMESTAMP":
    case "TIMESTAMP_LTZ": {
      const out: Timestamp[] = new Array(n);
      if (src.kind === Src.Ts) {
        if (src.unit === "MILLIS") for (let i = 0; i < n; i++) out[i] = { millis: v[i] as bigint, nanoOfMilli: 0 };
        else if (src.unit === "MICROS") for (let i = 0; i < n; i++) out[i] = timestampFromUnits(v[i] as bigint, 1000n, 1000);
        else for (let i = 0; i < n; i++) out[i] = timestampFromUnits(v[i] as bigint, 1_000_000n, 1);
        return out;
      }
      if (src.kind === Src.Int96) {
        for (let i = 0; i < n; i++) out[i] = int96ToTimestamp(v[i] as Uint8Array);
        return out;
      }
      if (src.kind === Src.Date) {
        for (let i = 0; i < n; i++) out[i] = { millis: BigInt(v[i] as number) * BigInt(MILLIS_PER_DAY), nanoOfMilli: 0 };
        return out;
      }
      return fail();
    }
    default:
      return fail();
  }
}

/** UTF-8 → string; short ASCII strings skip the (comparatively costly) TextDecoder call. */
function decodeUtf8(b: Uint8Array): string {
  const n = b.length;
  if (n > 32) return utf8.decode(b);
  let s = "";
  for (let i = 0; i < n; i++) {
    const c = b[i];
    if (c >= 0x80) return utf8.decode(b);
    s += String.fromCharCode(c);
  }
  return s;
}

function floorDivBig(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b < 0n ? q - 1n : q;
}

// ---------------------------------------------------------------------------------------
// Column chunk decoding (raw levels and values)

interface LeafData {
  /** Definition level per entry; null when every entry is at the max level. */
  def: Uint8Array | Uint16Array | null;
  /** Repetition level per entry; null when the column is not repeated. */
  rep: Uint8Array | Uint16Array | null;
  /** Non-null values, converted (when a converter was given) and dictionary applied. */
  values: DecodedArray;
  /** Number of entries (level pairs). */
  entries: number;
  maxDef: number;
  maxRep: number;
}

type PageDecoder = Parameters<typeof readDataPageV2>[2];

function levelArray(maxLevel: number, n: number): Uint8Array | Uint16Array {
  return maxLevel < 256 ? new Uint8Array(n) : new Uint16Array(n);
}

function derefDictionary(indices: DecodedArray, dict: DecodedArray): DecodedArray {
  const n = indices.length;
  if (ArrayBuffer.isView(dict)) {
    const Ctor = (dict as Int32Array).constructor as new (n: number) => Int32Array;
    const out = new Ctor(n);
    for (let i = 0; i < n; i++) out[i] = (dict as Int32Array)[indices[i] as number];
    return out;
  }
  const out = new Array(n);
  for (let i = 0; i < n; i++) out[i] = dict[indices[i] as number];
  return out;
}

function concatValues(chunks: DecodedArray[], total: number): DecodedArray {
  if (chunks.length === 1) return chunks[0];
  if (chunks.length === 0) return [];
  const first = chunks[0];
  if (ArrayBuffer.isView(first) && chunks.every((c) => c.constructor === first.constructor)) {
    const Ctor = first.constructor as new (n: number) => Int32Array;
    const out = new Ctor(total);
    let o = 0;
    for (const c of chunks) {
      out.set(c as Int32Array, o);
      o += c.length;
    }
    return out;
  }
  const out = new Array(total);
  let o = 0;
  for (const c of chunks) for (let i = 0; i < c.length; i++) out[o++] = c[i];
  return out;
}

/**
 * Decodes one column across the selected row groups into levels and values. `convert`
 * (physical → internal) is applied to dictionaries rather than to every dictionary-encoded
 * value, so e.g. each distinct string is decoded once.
 */
async function readLeaf(
  file: ByteSource,
  meta: FileMetaData,
  rowGroups: number[],
  col: number,
  schemaPath: SchemaTree[],
  convert: ((v: DecodedArray) => Dense) | null,
): Promise<LeafData> {
  let maxDef = 0;
  let maxRep = 0;
  for (let i = 1; i < schemaPath.length; i++) {
    const r = schemaPath[i].element.repetition_type;
    if (r !== "REQUIRED") maxDef++;
    if (r === "REPEATED") maxRep++;
  }
  const leaf = schemaPath[schemaPath.length - 1].element;
  // INT96 is decoded as 12-byte strings (hyparquet's INT96 decoding mangles negative
  // nanos-of-day) and converted here.
  const element: SchemaElement = leaf.type === "INT96" ? { ...leaf, type: "FIXED_LEN_BYTE_ARRAY", type_length: 12 } : leaf;
  const physType = element.type ?? "BYTE_ARRAY";

  let total = 0;
  for (const g of rowGroups) total += Number(meta.row_groups[g].columns[col].meta_data?.num_values ?? 0n);
  let def: Uint8Array | Uint16Array | null = null;
  const rep = maxRep > 0 ? levelArray(maxRep, total) : null;
  const chunks: DecodedArray[] = [];
  let valueCount = 0;
  let entry = 0;

  const ranges = rowGroups.map((g) => {
    const cm = meta.row_groups[g].columns[col].meta_data;
    if (cm === undefined) throw new FormatError(`parquet column chunk without metadata (column ${schemaPath.slice(1).map((s) => s.element.name).join(".")})`);
    const start = Number(cm.dictionary_page_offset || cm.data_page_offset);
    return { cm, start, end: start + Number(cm.total_compressed_size) };
  });
  const buffers = await Promise.all(ranges.map((r) => file.slice(r.start, r.end)));

  for (let g = 0; g < ranges.length; g++) {
    const { cm } = ranges[g];
    const buf = buffers[g];
    const decoder: PageDecoder = {
      pathInSchema: cm.path_in_schema,
      type: physType,
      element,
      schemaPath,
      codec: cm.codec,
      parsers: undefined as never,
      compressors: parquetDecompressors,
      utf8: false,
    };
    const reader = { view: new DataView(buf), offset: 0 };
    const chunkValues = Number(cm.num_values);
    let seen = 0;
    let dictionary: DecodedArray | undefined;
    while (seen < chunkValues && reader.offset < buf.byteLength) {
      const header = parquetHeader(reader);
      const compressed = new Uint8Array(buf, reader.offset, header.compressed_page_size);
      reader.offset += header.compressed_page_size;
      let page: { definitionLevels: number[] | undefined; repetitionLevels: number[]; dataPage: DecodedArray };
      let encoding: string;
      let numValues: number;
      if (header.type === "DICTIONARY_PAGE") {
        const dph = header.dictionary_page_header!;
        const bytes = decompressPage(compressed, header.uncompressed_page_size, cm.codec, parquetDecompressors);
        dictionary = readPlain({ view: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), offset: 0 }, physType, dph.num_values, element.type_length);
        if (convert !== null) dictionary = convert(dictionary) as DecodedArray;
        continue;
      } else if (header.type === "DATA_PAGE") {
        const dph = header.data_page_header!;
        const bytes = decompressPage(compressed, header.uncompressed_page_size, cm.codec, parquetDecompressors);
        page = readDataPage(bytes, dph, decoder);
        encoding = dph.encoding;
        numValues = dph.num_values;
      } else if (header.type === "DATA_PAGE_V2") {
        const dph = header.data_page_header_v2!;
        page = readDataPageV2(compressed, header, decoder);
        encoding = dph.encoding;
        numValues = dph.num_values;
      } else {
        continue; // index pages carry no values
      }
      let values = page.dataPage;
      if (encoding === "PLAIN_DICTIONARY" || encoding === "RLE_DICTIONARY") {
        if (dictionary === undefined) throw new FormatError("parquet dictionary-encoded page without a dictionary");
        values = derefDictionary(values, dictionary);
      } else if (convert !== null && values.length > 0) {
        values = convert(values) as DecodedArray;
      }
      const dl = page.definitionLevels;
      if (maxDef > 0 && dl !== undefined && dl.length > 0) {
        if (def === null) {
          def = levelArray(maxDef, total);
          def.fill(maxDef, 0, entry);
        }
        for (let i = 0; i < numValues; i++) def[entry + i] = dl[i];
      } else if (def !== null) {
        def.fill(maxDef, entry, entry + numValues);
      }
      if (rep !== null) {
        const rl = page.repetitionLevels;
        for (let i = 0; i < numValues; i++) rep[entry + i] = rl[i];
      }
      if (values.length) {
        chunks.push(values);
        valueCount += values.length;
      }
      entry += numValues;
      seen += numValues;
    }
  }
  return { def, rep, values: concatValues(chunks, valueCount), entries: entry, maxDef, maxRep };
}

// ---------------------------------------------------------------------------------------
// Assembly plans

const PRIM = 0;
const STRUCT = 1;
const LIST = 2;
const MAP = 3;

interface PlanBase {
  /** The node is OPTIONAL: an entry below `def` at the first leaf means NULL. */
  optional: boolean;
  /** Definition level of the node itself. */
  def: number;
  /** Indices of the leaf cursors under the node (the first one drives the levels). */
  leaves: number[];
}
interface PrimPlan extends PlanBase {
  k: typeof PRIM;
  leaf: number;
}
interface StructPlan extends PlanBase {
  k: typeof STRUCT;
  children: (Plan | null)[];
  /** Read and discarded: a leaf that only tells whether the struct is present. */
  hidden: Plan | null;
}
interface ListPlan extends PlanBase {
  k: typeof LIST;
  repDef: number;
  repRep: number;
  elem: Plan;
}
interface MapPlan extends PlanBase {
  k: typeof MAP;
  repDef: number;
  repRep: number;
  key: Plan;
  value: Plan;
}
type Plan = PrimPlan | StructPlan | ListPlan | MapPlan;

interface LeafRef {
  col: number;
  path: SchemaTree[];
}

interface Cursor {
  col: number;
  target: DataType | null;
  def: Uint8Array | Uint16Array | null;
  rep: Uint8Array | Uint16Array | null;
  maxDef: number;
  entries: number;
  conv: Dense;
  pos: number;
  vpos: number;
}

function repetitionOf(node: SchemaTree): "REQUIRED" | "OPTIONAL" | "REPEATED" {
  return node.element.repetition_type ?? "REQUIRED";
}

function findChild(group: SchemaTree, field: DataField, fileFields: DataField[] | undefined): SchemaTree | null {
  const useIds = group.children.some((c) => c.element.field_id !== undefined && c.element.field_id !== null);
  if (useIds) return group.children.find((c) => c.element.field_id === field.id) ?? null;
  const name = fileNameFor(field, fileFields);
  if (name === null) return null;
  return group.children.find((c) => c.element.name === name) ?? null;
}

class Planner {
  readonly cursors: Cursor[] = [];

  constructor(
    private readonly leafRefs: Map<SchemaTree, LeafRef>,
    private readonly where: string,
  ) {}

  private addLeaf(node: SchemaTree, target: DataType | null): number {
    const ref = this.leafRefs.get(node);
    if (ref === undefined) throw new FormatError(`parquet leaf not found: ${node.path.join(".")}`);
    this.cursors.push({ col: ref.col, target, def: null, rep: null, maxDef: 0, entries: 0, conv: [], pos: 0, vpos: 0 });
    return this.cursors.length - 1;
  }

  private mismatch(node: SchemaTree, t: DataType): never {
    throw new FormatError(
      `${this.where}: cannot read Parquet column ${node.path.join(".")} (${node.children.length ? "group" : describeElement(node.element)}) as ${asSQLString(t)}`,
    );
  }

  plan(node: SchemaTree, t: DataType, fileType: DataType | undefined, def: number, rep: number, asInstance: boolean): Plan {
    const r = repetitionOf(node);
    if (r === "REPEATED" && !asInstance) {
      // a bare repeated field (legacy 1-level list): a list of required elements
      if (t.root !== "ARRAY") this.mismatch(node, t);
      const elemFile = fileType?.root === "ARRAY" ? fileType.element : undefined;
      const elem = this.plan(node, t.element, elemFile, def + 1, rep + 1, true);
      return { k: LIST, optional: false, def, repDef: def + 1, repRep: rep + 1, elem, leaves: elem.leaves };
    }
    const optional = !asInstance && r === "OPTIONAL";
    const myDef = optional ? def + 1 : def;
    if (node.children.length === 0) {
      if (t.root === "ARRAY" || t.root === "MAP" || t.root === "MULTISET" || t.root === "ROW") this.mismatch(node, t);
      const leaf = this.addLeaf(node, t);
      return { k: PRIM, optional, def: myDef, leaf, leaves: [leaf] };
    }
    switch (t.root) {
      case "ARRAY": {
        const R = node.children[0];
        if (node.children.length !== 1 || repetitionOf(R) !== "REPEATED") this.mismatch(node, t);
        const rDef = myDef + 1;
        const rRep = rep + 1;
        const elemFile = fileType?.root === "ARRAY" ? fileType.element : undefined;
        const twoLevel = R.children.length !== 1 || R.element.name === "array" || R.element.name === `${node.element.name}_tuple`;
        const elem = twoLevel ? this.plan(R, t.element, elemFile, rDef, rRep, true) : this.plan(R.children[0], t.element, elemFile, rDef, rRep, false);
        return { k: LIST, optional, def: myDef, repDef: rDef, repRep: rRep, elem, leaves: elem.leaves };
      }
      case "MAP":
      case "MULTISET": {
        const R = node.children[0];
        if (node.children.length !== 1 || repetitionOf(R) !== "REPEATED" || R.children.length !== 2) this.mismatch(node, t);
        const rDef = myDef + 1;
        const rRep = rep + 1;
        const K = R.children.find((c) => c.element.name === "key") ?? R.children[0];
        const V = R.children.find((c) => c.element.name === "value") ?? R.children[1];
        const keyType = t.root === "MAP" ? t.key : t.element;
        const valueType: DataType = t.root === "MAP" ? t.value : { root: "INT", nullable: false };
        const keyFile = fileType?.root === "MAP" ? fileType.key : fileType?.root === "MULTISET" ? fileType.element : undefined;
        const valueFile = fileType?.root === "MAP" ? fileType.value : undefined;
        const key = this.plan(K, keyType, keyFile, rDef, rRep, false);
        const value = this.plan(V, valueType, valueFile, rDef, rRep, false);
        return { k: MAP, optional, def: myDef, repDef: rDef, repRep: rRep, key, value, leaves: [...key.leaves, ...value.leaves] };
      }
      case "ROW": {
        const nestedFile = fileType?.root === "ROW" ? fileType.fields : undefined;
        const children = t.fields.map((f) => {
          const c = findChild(node, f, nestedFile);
          return c === null ? null : this.plan(c, f.type, fileTypeFor(f, nestedFile), myDef, rep, false);
        });
        const leaves: number[] = [];
        for (const c of children) if (c !== null) leaves.push(...c.leaves);
        let hidden: Plan | null = null;
        if (leaves.length === 0) {
          hidden = this.rawChain(node.children[0], myDef, rep, false);
          leaves.push(...hidden.leaves);
        }
        return { k: STRUCT, optional, def: myDef, children, hidden, leaves };
      }
      default:
        return this.mismatch(node, t);
    }
  }

  /** A plan that walks the first leaf under `node` only to keep its levels in step. */
  private rawChain(node: SchemaTree, def: number, rep: number, asInstance: boolean): Plan {
    const r = repetitionOf(node);
    if (r === "REPEATED" && !asInstance) {
      const elem = this.rawChain(node, def + 1, rep + 1, true);
      return { k: LIST, optional: false, def, repDef: def + 1, repRep: rep + 1, elem, leaves: elem.leaves };
    }
    const optional = !asInstance && r === "OPTIONAL";
    const myDef = optional ? def + 1 : def;
    if (node.children.length === 0) {
      const leaf = this.addLeaf(node, null);
      return { k: PRIM, optional, def: myDef, leaf, leaves: [leaf] };
    }
    const c = this.rawChain(node.children[0], myDef, rep, false);
    return { k: STRUCT, optional, def: myDef, children: [c], hidden: null, leaves: c.leaves };
  }
}

class Assembler {
  constructor(private readonly cursors: Cursor[]) {}

  private skip(p: Plan): void {
    for (const i of p.leaves) this.cursors[i].pos++;
  }

  read(p: Plan): InternalValue {
    const cs = this.cursors;
    if (p.optional) {
      const L = cs[p.leaves[0]];
      const d = L.def === null ? L.maxDef : L.def[L.pos];
      if (d < p.def) {
        this.skip(p);
        return null;
      }
    }
    switch (p.k) {
      case PRIM: {
        const L = cs[p.leaf];
        L.pos++;
        const v = L.conv[L.vpos++];
        return v === undefined ? null : (v as InternalValue);
      }
      case STRUCT: {
        const out: InternalValue[] = new Array(p.children.length);
        for (let i = 0; i < p.children.length; i++) {
          const c = p.children[i];
          out[i] = c === null ? null : this.read(c);
        }
        if (p.hidden !== null) this.read(p.hidden);
        return out;
      }
      case LIST: {
        const L = cs[p.leaves[0]];
        const d = L.def === null ? L.maxDef : L.def[L.pos];
        if (d < p.repDef) {
          this.skip(p);
          return [];
        }
        const out: InternalValue[] = [];
        do out.push(this.read(p.elem));
        while (L.pos < L.entries && L.rep![L.pos] >= p.repRep);
        return out;
      }
      case MAP: {
        const L = cs[p.leaves[0]];
        const d = L.def === null ? L.maxDef : L.def[L.pos];
        const keys: InternalValue[] = [];
        const values: InternalValue[] = [];
        if (d < p.repDef) {
          this.skip(p);
          return { keys, values } satisfies MapValue;
        }
        do {
          keys.push(this.read(p.key));
          values.push(this.read(p.value));
        } while (L.pos < L.entries && L.rep![L.pos] >= p.repRep);
        return { keys, values } satisfies MapValue;
      }
    }
  }
}

// ---------------------------------------------------------------------------------------
// Vectors

function allocValues(t: DataType, n: number): any {
  switch (t.root) {
    case "TINYINT":
    case "SMALLINT":
    case "INT":
    case "DATE":
    case "TIME":
      return new Int32Array(n);
    case "BIGINT":
      return new BigInt64Array(n);
    case "FLOAT":
      return new Float32Array(n);
    case "DOUBLE":
      return new Float64Array(n);
    case "DECIMAL":
      return t.precision <= 18 ? new BigInt64Array(n) : new Array(n).fill(null);
    default:
      return new Array(n).fill(null);
  }
}

function nullVector(t: DataType, n: number): ColumnVector {
  return { type: t, length: n, values: new Array(n).fill(null), nulls: new Uint8Array(n).fill(1) };
}

/** A flat (top-level, non-repeated) column: scatter dense values over the definition levels. */
function flatVector(t: DataType, c: Cursor, n: number): ColumnVector {
  const conv = c.conv;
  const plain = !ArrayBuffer.isView(conv);
  if (c.def === null && conv.length === n) {
    let nulls: Uint8Array | null = null;
    if (plain) {
      for (let i = 0; i < n; i++) {
        if (conv[i] === null) {
          nulls ??= new Uint8Array(n);
          nulls[i] = 1;
        }
      }
    }
    return { type: t, length: n, values: conv as ColumnVector["values"], nulls };
  }
  const out = allocValues(t, n);
  let nulls: Uint8Array | null = null;
  const def = c.def;
  const maxDef = c.maxDef;
  let vi = 0;
  for (let i = 0; i < n; i++) {
    if (def === null || def[i] === maxDef) {
      const v = conv[vi++];
      if (v === null) {
        nulls ??= new Uint8Array(n);
        nulls[i] = 1;
      } else out[i] = v;
    } else {
      nulls ??= new Uint8Array(n);
      nulls[i] = 1;
    }
  }
  return { type: t, length: n, values: out, nulls };
}

// ---------------------------------------------------------------------------------------
// Entry point

interface ReadPlan {
  plans: (Plan | null)[];
  cursors: Cursor[];
  /** One load per (leaf, target type): its key, leaf path, converter and levels. */
  loads: Map<string, { col: number; path: SchemaTree[]; convert: ((v: DecodedArray) => Dense) | null; maxRep: number }>;
  keyOf(c: Cursor): string;
}

/** Matches the requested fields to the file's columns and plans their decoding. */
function planRead(meta: FileMetaData, fields: DataField[], opts: ParquetReadOptions, where: string): ReadPlan {
  // schema tree, leaf column indices and paths
  const root = schemaTree(meta.schema);
  const leafRefs = new Map<SchemaTree, LeafRef>();
  let col = 0;
  const walk = (node: SchemaTree, path: SchemaTree[]): void => {
    if (node.children.length === 0) leafRefs.set(node, { col: col++, path });
    else for (const c of node.children) walk(c, [...path, c]);
  };
  for (const c of root.children) walk(c, [root, c]);

  const planner = new Planner(leafRefs, where);
  const plans: (Plan | null)[] = fields.map((f) => {
    const node = findChild(root, f, opts.fileFields);
    return node === null ? null : planner.plan(node, f.type, fileTypeFor(f, opts.fileFields), 0, 0, false);
  });

  // load every needed column once per target type, converting while decoding
  const cursors = planner.cursors;
  const pathOf = new Map<number, SchemaTree[]>();
  for (const ref of leafRefs.values()) pathOf.set(ref.col, ref.path);
  const loads: ReadPlan["loads"] = new Map();
  const keyOf = (c: Cursor): string => `${c.col}|${c.target === null ? "" : asSQLString(c.target)}`;
  for (const c of cursors) {
    const key = keyOf(c);
    if (loads.has(key)) continue;
    const path = pathOf.get(c.col)!;
    const node = path[path.length - 1];
    const t = c.target;
    let convert: ((v: DecodedArray) => Dense) | null = null;
    if (t !== null) {
      const src = classify(node.element);
      const fail = (): never => {
        throw new FormatError(`${where}: cannot read Parquet column ${node.path.join(".")} (${describeElement(node.element)}) as ${asSQLString(t)}`);
      };
      convertDense([], src, t, fail); // reject impossible casts before any I/O
      convert = (v) => convertDense(v, src, t, fail);
    }
    let maxRep = 0;
    for (let i = 1; i < path.length; i++) if (path[i].element.repetition_type === "REPEATED") maxRep++;
    loads.set(key, { col: c.col, path, convert, maxRep });
  }
  return { plans, cursors, loads, keyOf };
}

/** Points the cursors at freshly decoded leaves and assembles `numRows` rows. */
function assemble(rp: ReadPlan, loaded: Map<string, LeafData>, fields: DataField[], numRows: number): ColumnBatch {
  const { plans, cursors } = rp;
  for (const c of cursors) {
    const d = loaded.get(rp.keyOf(c))!;
    c.def = d.def;
    c.rep = d.rep;
    c.maxDef = d.maxDef;
    c.entries = d.entries;
    c.conv = d.values;
    c.pos = 0;
    c.vpos = 0;
  }
  const asm = new Assembler(cursors);
  const columns: ColumnVector[] = fields.map((f, i) => {
    const p = plans[i];
    if (p === null) return nullVector(f.type, numRows);
    if (p.k === PRIM && cursors[p.leaf].rep === null && cursors[p.leaf].maxDef <= 1) {
      return flatVector(f.type, cursors[p.leaf], numRows);
    }
    const values: InternalValue[] = new Array(numRows);
    let nulls: Uint8Array | null = null;
    for (let r = 0; r < numRows; r++) {
      const v = asm.read(p);
      values[r] = v;
      if (v === null) {
        nulls ??= new Uint8Array(numRows);
        nulls[r] = 1;
      }
    }
    return { type: f.type, length: numRows, values, nulls };
  });
  return { numRows, names: fields.map((f) => f.name), columns };
}

/**
 * Reads the requested fields of a Parquet data file into a ColumnBatch (one column per
 * requested field, named as requested). See the module comment for matching rules.
 */
export async function parquetReadBatch(input: ByteInput, fields: DataField[], opts: ParquetReadOptions = {}): Promise<ColumnBatch> {
  await initZstd();
  const file = toByteSource(input);
  const where = opts.fileName ?? "parquet file";
  const meta = opts.metadata ?? (await parquetMetadataAsync(file));
  const rowGroups = opts.rowGroups ?? meta.row_groups.map((_, i) => i);
  let numRows = 0;
  for (const g of rowGroups) {
    if (g < 0 || g >= meta.row_groups.length) throw new FormatError(`${where}: no row group ${g}`);
    numRows += Number(meta.row_groups[g].num_rows);
  }
  const rp = planRead(meta, fields, opts, where);
  const loaded = new Map<string, LeafData>();
  await Promise.all([...rp.loads.entries()].map(async ([k, l]) => loaded.set(k, await readLeaf(file, meta, rowGroups, l.col, l.path, l.convert))));
  return assemble(rp, loaded, fields, numRows);
}

// ---------------------------------------------------------------------------------------
// Page-wise decoding of one column chunk

/** Column-chunk bytes fetched per read when decoding page by page. */
const PAGE_WINDOW_BYTES = 1 << 20;

/**
 * The entries of one non-repeated column chunk, decoded a page at a time: `take(n)` gives
 * the next n entries (levels and values) and keeps only the rest of the current page and
 * a window of the chunk's compressed bytes.
 */
class LeafPager {
  private buf = new Uint8Array(0);
  private bufStart = 0;
  private pos: number;
  private readonly end: number;
  private readonly maxDef: number;
  private readonly element: SchemaElement;
  private readonly decoder: PageDecoder;
  private dictionary: DecodedArray | undefined;
  /** The current page: levels (null = all at max), values, next entry and value. */
  private page: { def: ArrayLike<number> | null; values: DecodedArray; entries: number; e: number; v: number } | null = null;
  private seen = 0;

  constructor(
    private readonly file: ByteSource,
    private readonly cm: NonNullable<FileMetaData["row_groups"][number]["columns"][number]["meta_data"]>,
    schemaPath: SchemaTree[],
    private readonly convert: ((v: DecodedArray) => Dense) | null,
  ) {
    let maxDef = 0;
    for (let i = 1; i < schemaPath.length; i++) if (schemaPath[i].element.repetition_type !== "REQUIRED") maxDef++;
    this.maxDef = maxDef;
    const leaf = schemaPath[schemaPath.length - 1].element;
    this.element = leaf.type === "INT96" ? { ...leaf, type: "FIXED_LEN_BYTE_ARRAY", type_length: 12 } : leaf;
    this.pos = Number(cm.dictionary_page_offset || cm.data_page_offset);
    this.end = this.pos + Number(cm.total_compressed_size);
    this.decoder = {
      pathInSchema: cm.path_in_schema,
      type: this.element.type ?? "BYTE_ARRAY",
      element: this.element,
      schemaPath,
      codec: cm.codec,
      parsers: undefined as never,
      compressors: parquetDecompressors,
      utf8: false,
    };
  }

  /** The chunk bytes [at, at + n) (fewer at the chunk's end), as a view of the window. */
  private async bytes(at: number, n: number): Promise<Uint8Array> {
    const stop = Math.min(at + n, this.end);
    if (at < this.bufStart || stop > this.bufStart + this.buf.length) {
      const fetchEnd = Math.min(Math.max(stop, at + PAGE_WINDOW_BYTES), this.end);
      this.buf = new Uint8Array(await this.file.slice(at, fetchEnd));
      this.bufStart = at;
    }
    return this.buf.subarray(at - this.bufStart, stop - this.bufStart);
  }

  /** Decodes the next data page (after any dictionary page); false at the chunk's end. */
  private async nextPage(): Promise<boolean> {
    const total = Number(this.cm.num_values);
    while (this.seen < total && this.pos < this.end) {
      // a page header is a few bytes, more with statistics: widen until it parses
      let header: ReturnType<typeof parquetHeader> | undefined;
      let headerLen = 0;
      for (let n = 4096; header === undefined; n *= 4) {
        const b = await this.bytes(this.pos, n);
        const reader = { view: new DataView(b.buffer, b.byteOffset, b.byteLength), offset: 0 };
        try {
          header = parquetHeader(reader);
          headerLen = reader.offset;
        } catch (e) {
          if (this.pos + b.length >= this.end) throw e;
        }
      }
      const body = await this.bytes(this.pos + headerLen, header.compressed_page_size);
      if (body.length < header.compressed_page_size) throw new FormatError(`parquet page at offset ${this.pos} runs past its column chunk`);
      this.pos += headerLen + header.compressed_page_size;
      // hyparquet's decoders keep views: give them their own copy of the page
      const compressed = body.slice();
      const physType = this.decoder.type;
      let page: { definitionLevels: number[] | undefined; dataPage: DecodedArray };
      let encoding: string;
      let numValues: number;
      if (header.type === "DICTIONARY_PAGE") {
        const dph = header.dictionary_page_header!;
        const bytes = decompressPage(compressed, header.uncompressed_page_size, this.cm.codec, parquetDecompressors);
        let dict = readPlain({ view: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), offset: 0 }, physType, dph.num_values, this.element.type_length);
        if (this.convert !== null) dict = this.convert(dict) as DecodedArray;
        this.dictionary = dict;
        continue;
      } else if (header.type === "DATA_PAGE") {
        const dph = header.data_page_header!;
        const bytes = decompressPage(compressed, header.uncompressed_page_size, this.cm.codec, parquetDecompressors);
        page = readDataPage(bytes, dph, this.decoder);
        encoding = dph.encoding;
        numValues = dph.num_values;
      } else if (header.type === "DATA_PAGE_V2") {
        const dph = header.data_page_header_v2!;
        page = readDataPageV2(compressed, header, this.decoder);
        encoding = dph.encoding;
        numValues = dph.num_values;
      } else {
        continue; // index pages carry no values
      }
      let values = page.dataPage;
      if (encoding === "PLAIN_DICTIONARY" || encoding === "RLE_DICTIONARY") {
        if (this.dictionary === undefined) throw new FormatError("parquet dictionary-encoded page without a dictionary");
        values = derefDictionary(values, this.dictionary);
      } else if (this.convert !== null && values.length > 0) {
        values = this.convert(values) as DecodedArray;
      }
      const dl = page.definitionLevels;
      const def = this.maxDef > 0 && dl !== undefined && dl.length > 0 ? dl : null;
      this.seen += numValues;
      this.page = { def, values, entries: numValues, e: 0, v: 0 };
      return true;
    }
    return false;
  }

  /** The next `n` entries (fewer at the end of the chunk). */
  async take(n: number): Promise<LeafData> {
    const chunks: DecodedArray[] = [];
    let def: Uint8Array | Uint16Array | null = null;
    let entry = 0;
    let valueCount = 0;
    const maxDef = this.maxDef;
    while (entry < n) {
      if (this.page === null || this.page.e >= this.page.entries) {
        this.page = null;
        if (!(await this.nextPage())) break;
      }
      const p = this.page!;
      const m = Math.min(n - entry, p.entries - p.e);
      // values of the entries taken: one per entry at the max definition level
      let vals = m;
      if (p.def !== null) {
        def ??= levelArray(maxDef, n).fill(maxDef, 0, entry);
        vals = 0;
        for (let i = 0; i < m; i++) {
          const d = p.def[p.e + i];
          def[entry + i] = d;
          if (d === maxDef) vals++;
        }
      } else if (def !== null) def.fill(maxDef, entry, entry + m);
      if (vals > 0) {
        chunks.push(p.v === 0 && vals === p.values.length ? p.values : (p.values.slice(p.v, p.v + vals) as DecodedArray));
        valueCount += vals;
      }
      p.e += m;
      p.v += vals;
      entry += m;
    }
    return { def: def === null || entry === n ? def : def.subarray(0, entry), rep: null, values: concatValues(chunks, valueCount), entries: entry, maxDef, maxRep: 0 };
  }
}

/** The schema tree of a footer (hyparquet's `parquetSchema`, rebuilt to keep it local). */
function schemaTree(schema: SchemaElement[]): SchemaTree {
  let i = 0;
  const build = (path: string[]): SchemaTree => {
    const element = schema[i++];
    const children: SchemaTree[] = [];
    const start = i;
    for (let c = 0; c < (element.num_children ?? 0); c++) {
      const childName = schema[i].name;
      children.push(build([...path, childName]));
    }
    return { element, children, count: i - start + 1, path };
  };
  return build([]);
}

/**
 * Reads a Parquet data file one row group at a time, in file order, so a reader holds one
 * decoded row group, not the whole file. With `chunkRows`, a row group of flat columns
 * (no lists or maps among those read) is itself decoded page by page and emitted in
 * batches of `chunkRows` rows, and only a window of its compressed column chunks is
 * fetched at a time; row groups with repeated columns are decoded whole. The footer is
 * read once; with a ranged byte source only the needed column chunks are fetched.
 */
export async function* parquetReadRowGroups(input: ByteInput, fields: DataField[], opts: ParquetReadOptions & { chunkRows?: number } = {}): AsyncGenerator<ColumnBatch> {
  await initZstd();
  const file = toByteSource(input);
  const where = opts.fileName ?? "parquet file";
  const meta = opts.metadata ?? (await parquetMetadataAsync(file));
  const groups = opts.rowGroups ?? meta.row_groups.map((_, i) => i);
  const chunkRows = opts.chunkRows;
  const rp = chunkRows === undefined ? null : planRead(meta, fields, opts, where);
  const paged = rp !== null && [...rp.loads.values()].every((l) => l.maxRep === 0);
  for (const g of groups) {
    if (g < 0 || g >= meta.row_groups.length) throw new FormatError(`${where}: no row group ${g}`);
    const numRows = Number(meta.row_groups[g].num_rows);
    if (numRows === 0) continue;
    if (!paged || numRows <= chunkRows!) {
      yield await parquetReadBatch(file, fields, { ...opts, metadata: meta, rowGroups: [g] });
      continue;
    }
    const pagers = new Map<string, LeafPager>();
    for (const [k, l] of rp!.loads) {
      const cm = meta.row_groups[g].columns[l.col].meta_data;
      if (cm === undefined) throw new FormatError(`${where}: parquet column chunk without metadata (column ${l.path.slice(1).map((x) => x.element.name).join(".")})`);
      pagers.set(k, new LeafPager(file, cm, l.path, l.convert));
    }
    for (let done = 0; done < numRows; ) {
      const n = Math.min(chunkRows!, numRows - done);
      const loaded = new Map<string, LeafData>();
      for (const [k, pager] of pagers) {
        const d = await pager.take(n);
        if (d.entries !== n) throw new FormatError(`${where}: row group ${g} has ${numRows} rows but column ${k.split("|")[0]} ends after ${done + d.entries}`);
        loaded.set(k, d);
      }
      yield assemble(rp!, loaded, fields, n);
      done += n;
    }
  }
}
