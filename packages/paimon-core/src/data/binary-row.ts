/**
 * Paimon's BinaryRow, BinaryArray and BinaryMap byte layouts (BINARY.md §1), written and
 * read exactly as Java does, so partitions, keys and stats compare, hash and persist
 * identically. Multi-byte values are little-endian; only the persisted arity prefix
 * (§1.9) is big-endian.
 *
 * Row:   [null bits incl. header byte][8-byte slot per field][variable part, 8-aligned chunks]
 * Array: [int32 n][null bits, 4-byte words][n fixed-width elements, padded to 8][variable part]
 * Map:   [int32 keyArraySize][key array][value array]
 * Offsets in slots are relative to the start of the enclosing row/array section.
 */
import type { DataType, RowType } from "../types/datatype.js";
import { hashBytesByWords } from "./murmur.js";
import { utf8Decode, utf8EncodeInto, utf8MaxBytes } from "./utf8.js";
import { RowKind, type InternalValue, type MapValue, type Timestamp } from "./values.js";

/** Bytes of the null-bit region, header byte included (Java `calculateBitSetWidthInBytes`). */
export function bitSetWidthInBytes(arity: number): number {
  return ((arity + 71) >> 6) << 3;
}

/** Width of one element in a BinaryArray (Java `BinaryArray.calculateFixLengthPartSize`). */
export function arrayElementSize(t: DataType): number {
  switch (t.root) {
    case "BOOLEAN":
    case "TINYINT":
      return 1;
    case "SMALLINT":
      return 2;
    case "INT":
    case "FLOAT":
    case "DATE":
    case "TIME":
      return 4;
    default:
      return 8;
  }
}

const MAX_INLINE = 7;
const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;
const MULTISET_COUNT: DataType = { root: "INT", nullable: false };

function round8(n: number): number {
  return (n + 7) & ~7;
}

const fieldTypesCache = new WeakMap<RowType, DataType[]>();

function fieldTypes(t: RowType): DataType[] {
  let types = fieldTypesCache.get(t);
  if (types === undefined) {
    types = t.fields.map((f) => f.type);
    fieldTypesCache.set(t, types);
  }
  return types;
}

function nullVariableBytes(t: DataType): number {
  // Java reserves (and zeroes) the variable space of null non-compact decimals and
  // timestamps in rows so the slot can be updated in place later; bytes and hash depend on it.
  if (t.root === "DECIMAL") return t.precision > 18 ? 16 : 0;
  if (t.root === "TIMESTAMP" || t.root === "TIMESTAMP_LTZ") return t.precision > 3 ? 8 : 0;
  return 0;
}

function checkInt64(v: bigint, what: string): bigint {
  if (typeof v !== "bigint") throw new TypeError(`${what}: expected a bigint, got ${typeof v}`);
  if (v < INT64_MIN || v > INT64_MAX) throw new RangeError(`${what}: ${v} does not fit in 64 bits`);
  return v;
}

/**
 * A reusable writer: one growing buffer, so building many keys or partitions allocates
 * nothing but the result. `write` returns a view into that buffer, valid until the next
 * call; use `binaryRowWrite` for an owned copy.
 */
export class BinaryRowWriter {
  private buf = new Uint8Array(256);
  private view = new DataView(this.buf.buffer);
  private cursor = 0;

  /** The row's bytes (a view into the writer's buffer, valid until the next call). */
  write(types: readonly DataType[], values: readonly InternalValue[], rowKind: RowKind = RowKind.INSERT): Uint8Array {
    this.writeRow(types, values, 0, rowKind);
    return this.buf.subarray(0, this.cursor);
  }

  /** The manifest form: big-endian arity, then the row (a view, valid until the next call). */
  writeSerialized(types: readonly DataType[], values: readonly InternalValue[], rowKind: RowKind = RowKind.INSERT): Uint8Array {
    this.ensure(4);
    this.writeRow(types, values, 4, rowKind);
    this.view.setInt32(0, types.length, false);
    return this.buf.subarray(0, this.cursor);
  }

  /** `BinaryRow.hashCode` of the row these values form, without copying it out. */
  hash(types: readonly DataType[], values: readonly InternalValue[]): number {
    this.writeRow(types, values, 0, RowKind.INSERT);
    return hashBytesByWords(this.buf, 0, this.cursor);
  }

  private ensure(end: number): void {
    if (end <= this.buf.length) return;
    const next = new Uint8Array(Math.max(end, this.buf.length * 2));
    next.set(this.buf.subarray(0, this.cursor));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  private writeRow(types: readonly DataType[], values: readonly InternalValue[], base: number, rowKind: RowKind): void {
    const arity = types.length;
    if (values.length !== arity) throw new RangeError(`row has ${values.length} values for ${arity} fields`);
    const nullBytes = bitSetWidthInBytes(arity);
    const fixed = nullBytes + 8 * arity;
    this.cursor = base;
    this.ensure(base + fixed);
    this.buf.fill(0, base, base + fixed);
    this.cursor = base + fixed;
    this.buf[base] = rowKind;
    for (let i = 0; i < arity; i++) {
      const v = values[i];
      const slot = base + nullBytes + 8 * i;
      if (v === null || v === undefined) {
        this.buf[base + ((i + 8) >> 3)] |= 1 << ((i + 8) & 7);
        const reserve = nullVariableBytes(types[i]);
        if (reserve > 0) {
          this.ensure(this.cursor + reserve);
          this.buf.fill(0, this.cursor, this.cursor + reserve);
          this.view.setUint32(slot + 4, this.cursor - base, true);
          this.cursor += reserve;
        }
      } else {
        this.writeValue(types[i], v, slot, base);
      }
    }
  }

  private writeArray(elementType: DataType, values: readonly InternalValue[], start: number): number {
    if (!Array.isArray(values)) throw new TypeError("ARRAY: expected an array value");
    const n = values.length;
    const header = 4 + ((n + 31) >> 5) * 4;
    const width = arrayElementSize(elementType);
    const fixed = round8(header + n * width);
    this.ensure(start + fixed);
    this.buf.fill(0, start, start + fixed);
    this.view.setInt32(start, n, true);
    this.cursor = start + fixed;
    for (let i = 0; i < n; i++) {
      const v = values[i];
      if (v === null || v === undefined) {
        // arrays never reserve space for null decimals/timestamps (Java's array null setters)
        this.buf[start + 4 + (i >> 3)] |= 1 << (i & 7);
      } else {
        this.writeValue(elementType, v, start + header + i * width, start);
      }
    }
    return this.cursor - start;
  }

  private writeMap(keyType: DataType, valueType: DataType, m: MapValue, start: number): number {
    if (m === null || typeof m !== "object" || !Array.isArray(m.keys) || !Array.isArray(m.values)) {
      throw new TypeError("MAP: expected a MapValue {keys, values}");
    }
    if (m.keys.length !== m.values.length) throw new RangeError("MAP: keys and values differ in length");
    this.ensure(start + 4);
    const keySize = this.writeArray(keyType, m.keys, start + 4);
    const valueSize = this.writeArray(valueType, m.values, start + 4 + keySize);
    this.view.setInt32(start, keySize, true);
    return 4 + keySize + valueSize;
  }

  private setOffsetAndSize(pos: number, offset: number, size: number): void {
    this.view.setUint32(pos, size, true);
    this.view.setUint32(pos + 4, offset, true);
  }

  /** Places `n` bytes already written at `cursor` inline (≤ 7) or in the variable part. */
  private placeBytes(pos: number, base: number, n: number): void {
    const at = this.cursor;
    if (n <= MAX_INLINE) {
      this.buf.copyWithin(pos, at, at + n);
      this.buf[pos + 7] = 0x80 | n;
      return;
    }
    const padded = round8(n);
    this.buf.fill(0, at + n, at + padded);
    this.setOffsetAndSize(pos, at - base, n);
    this.cursor = at + padded;
  }

  /** Ends a nested section written at `start`: pad to 8 and point the slot at it. */
  private placeNested(pos: number, base: number, start: number, size: number): void {
    const padded = round8(size);
    this.ensure(start + padded);
    this.buf.fill(0, start + size, start + padded);
    this.setOffsetAndSize(pos, start - base, size);
    this.cursor = start + padded;
  }

  private writeValue(t: DataType, v: InternalValue, pos: number, base: number): void {
    switch (t.root) {
      case "BOOLEAN":
        this.buf[pos] = v ? 1 : 0;
        return;
      case "TINYINT":
        this.view.setInt8(pos, v as number);
        return;
      case "SMALLINT":
        this.view.setInt16(pos, v as number, true);
        return;
      case "INT":
      case "DATE":
      case "TIME":
        this.view.setInt32(pos, v as number, true);
        return;
      case "BIGINT":
        this.view.setBigInt64(pos, checkInt64(v as bigint, "BIGINT"), true);
        return;
      case "FLOAT":
        this.view.setFloat32(pos, v as number, true);
        return;
      case "DOUBLE":
        this.view.setFloat64(pos, v as number, true);
        return;
      case "DECIMAL":
        if (t.precision <= 18) {
          this.view.setBigInt64(pos, checkInt64(v as bigint, "DECIMAL"), true);
        } else {
          this.writeBigDecimal(v as bigint, pos, base);
        }
        return;
      case "TIMESTAMP":
      case "TIMESTAMP_LTZ": {
        const ts = v as Timestamp;
        if (typeof ts !== "object" || typeof ts.millis !== "bigint") throw new TypeError(`${t.root}: expected a Timestamp`);
        if (t.precision <= 3) {
          // compact: epoch millis only; the sub-millisecond part is dropped, as in Java
          this.view.setBigInt64(pos, checkInt64(ts.millis, t.root), true);
        } else {
          this.ensure(this.cursor + 8);
          this.view.setBigInt64(this.cursor, checkInt64(ts.millis, t.root), true);
          this.setOffsetAndSize(pos, this.cursor - base, ts.nanoOfMilli);
          this.cursor += 8;
        }
        return;
      }
      case "CHAR":
      case "VARCHAR": {
        if (typeof v !== "string") throw new TypeError(`${t.root}: expected a string, got ${typeof v}`);
        this.ensure(this.cursor + utf8MaxBytes(v) + 8);
        this.placeBytes(pos, base, utf8EncodeInto(v, this.buf, this.cursor));
        return;
      }
      case "BINARY":
      case "VARBINARY": {
        if (!(v instanceof Uint8Array)) throw new TypeError(`${t.root}: expected a Uint8Array`);
        this.ensure(this.cursor + v.length + 8);
        this.buf.set(v, this.cursor);
        this.placeBytes(pos, base, v.length);
        return;
      }
      case "ARRAY": {
        const start = this.cursor;
        this.placeNested(pos, base, start, this.writeArray(t.element, v as InternalValue[], start));
        return;
      }
      case "MAP": {
        const start = this.cursor;
        this.placeNested(pos, base, start, this.writeMap(t.key, t.value, v as MapValue, start));
        return;
      }
      case "MULTISET": {
        const start = this.cursor;
        this.placeNested(pos, base, start, this.writeMap(t.element, MULTISET_COUNT, v as MapValue, start));
        return;
      }
      case "ROW": {
        if (!Array.isArray(v)) throw new TypeError("ROW: expected an array of field values");
        const start = this.cursor;
        this.writeRow(fieldTypes(t), v, start, RowKind.INSERT);
        this.placeNested(pos, base, start, this.cursor - start);
        return;
      }
    }
  }

  /** DECIMAL p > 18: `BigInteger.toByteArray()` (minimal big-endian two's complement) in a zeroed 16-byte chunk. */
  private writeBigDecimal(unscaled: bigint, pos: number, base: number): void {
    if (typeof unscaled !== "bigint") throw new TypeError(`DECIMAL: expected a bigint, got ${typeof unscaled}`);
    const n = minimalTwosComplementLength(unscaled);
    if (n > 16) throw new RangeError(`DECIMAL: ${unscaled} needs more than 16 bytes`);
    this.ensure(this.cursor + 16);
    this.buf.fill(0, this.cursor, this.cursor + 16);
    let rest = BigInt.asUintN(8 * n, unscaled);
    for (let i = n - 1; i >= 0; i--) {
      this.buf[this.cursor + i] = Number(rest & 0xffn);
      rest >>= 8n;
    }
    this.setOffsetAndSize(pos, this.cursor - base, n);
    this.cursor += 16;
  }
}

/** Byte length of Java's `BigInteger.toByteArray()`: bitLength (without sign) / 8 + 1. */
export function minimalTwosComplementLength(v: bigint): number {
  const magnitude = v < 0n ? ~v : v;
  const bits = magnitude === 0n ? 0 : magnitude.toString(2).length;
  return (bits >> 3) + 1;
}

function readTwosComplement(b: Uint8Array, start: number, len: number): bigint {
  let u = 0n;
  for (let i = 0; i < len; i++) u = (u << 8n) | BigInt(b[start + i]);
  return len === 0 ? 0n : BigInt.asIntN(8 * len, u);
}

// ---------------------------------------------------------------------------------------
// Reading

interface Cursor {
  readonly b: Uint8Array;
  readonly view: DataView;
}

function viewOf(bytes: Uint8Array): Cursor {
  return { b: bytes, view: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength) };
}

function readRow(c: Cursor, types: readonly DataType[], base: number): InternalValue[] {
  const arity = types.length;
  const nullBytes = bitSetWidthInBytes(arity);
  const out: InternalValue[] = new Array(arity);
  for (let i = 0; i < arity; i++) {
    out[i] = c.b[base + ((i + 8) >> 3)] & (1 << ((i + 8) & 7)) ? null : readValue(c, types[i], base + nullBytes + 8 * i, base);
  }
  return out;
}

function readArray(c: Cursor, elementType: DataType, start: number): InternalValue[] {
  const n = c.view.getInt32(start, true);
  const header = 4 + ((n + 31) >> 5) * 4;
  const width = arrayElementSize(elementType);
  const out: InternalValue[] = new Array(n);
  for (let i = 0; i < n; i++) {
    out[i] = c.b[start + 4 + (i >> 3)] & (1 << (i & 7)) ? null : readValue(c, elementType, start + header + i * width, start);
  }
  return out;
}

function readMap(c: Cursor, keyType: DataType, valueType: DataType, start: number): MapValue {
  const keySize = c.view.getInt32(start, true);
  return { keys: readArray(c, keyType, start + 4), values: readArray(c, valueType, start + 4 + keySize) };
}

function varOffset(c: Cursor, pos: number, base: number): number {
  return base + c.view.getUint32(pos + 4, true);
}

function readValue(c: Cursor, t: DataType, pos: number, base: number): InternalValue {
  const { b, view } = c;
  switch (t.root) {
    case "BOOLEAN":
      return b[pos] !== 0;
    case "TINYINT":
      return view.getInt8(pos);
    case "SMALLINT":
      return view.getInt16(pos, true);
    case "INT":
    case "DATE":
    case "TIME":
      return view.getInt32(pos, true);
    case "BIGINT":
      return view.getBigInt64(pos, true);
    case "FLOAT":
      return view.getFloat32(pos, true);
    case "DOUBLE":
      return view.getFloat64(pos, true);
    case "DECIMAL":
      return t.precision <= 18 ? view.getBigInt64(pos, true) : readTwosComplement(b, varOffset(c, pos, base), view.getUint32(pos, true));
    case "TIMESTAMP":
    case "TIMESTAMP_LTZ":
      if (t.precision <= 3) return { millis: view.getBigInt64(pos, true), nanoOfMilli: 0 };
      return { millis: view.getBigInt64(varOffset(c, pos, base), true), nanoOfMilli: view.getUint32(pos, true) };
    case "CHAR":
    case "VARCHAR":
    case "BINARY":
    case "VARBINARY": {
      const mark = b[pos + 7];
      let start: number;
      let len: number;
      if (mark & 0x80) {
        start = pos;
        len = mark & 0x7f;
      } else {
        start = varOffset(c, pos, base);
        len = view.getUint32(pos, true);
      }
      return t.root === "CHAR" || t.root === "VARCHAR" ? utf8Decode(b, start, start + len) : b.slice(start, start + len);
    }
    case "ARRAY":
      return readArray(c, t.element, varOffset(c, pos, base));
    case "MAP":
      return readMap(c, t.key, t.value, varOffset(c, pos, base));
    case "MULTISET":
      return readMap(c, t.element, MULTISET_COUNT, varOffset(c, pos, base));
    case "ROW":
      return readRow(c, fieldTypes(t), varOffset(c, pos, base));
  }
}

// ---------------------------------------------------------------------------------------
// Public API

const shared = new BinaryRowWriter();

/** Java's BinaryRow bytes (`sizeInBytes` long) for these values; an owned copy. */
export function binaryRowWrite(types: readonly DataType[], values: readonly InternalValue[], rowKind: RowKind = RowKind.INSERT): Uint8Array {
  return shared.write(types, values, rowKind).slice();
}

/** The values of a BinaryRow (`bytes` holds exactly or at least the row). */
export function binaryRowRead(types: readonly DataType[], bytes: Uint8Array): InternalValue[] {
  return readRow(viewOf(bytes), types, 0);
}

/** The RowKind in the header byte. */
export function binaryRowKind(bytes: Uint8Array): RowKind {
  return bytes[0] as RowKind;
}

/** `BinaryRow.hashCode()`: murmur (seed 42) over all the row's bytes, arity prefix excluded. */
export function binaryRowHashCode(row: Uint8Array): number {
  return hashBytesByWords(row, 0, row.length);
}

/** `SerializationUtils.serializeBinaryRow`: int32 big-endian arity, then the row bytes. */
export function serializeBinaryRow(types: readonly DataType[], values: readonly InternalValue[], rowKind: RowKind = RowKind.INSERT): Uint8Array {
  return shared.writeSerialized(types, values, rowKind).slice();
}

/** Prefixes already-built row bytes with their arity (the manifest form). */
export function serializeBinaryRowBytes(arity: number, row: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + row.length);
  new DataView(out.buffer).setInt32(0, arity, false);
  out.set(row, 4);
  return out;
}

/** The arity stored in a serialized row. */
export function serializedRowArity(serialized: Uint8Array): number {
  if (serialized.length < 12) throw new RangeError(`serialized BinaryRow too short: ${serialized.length} bytes`);
  return new DataView(serialized.buffer, serialized.byteOffset, 4).getInt32(0, false);
}

/** The row bytes inside a serialized row (a view, no copy). */
export function serializedRowBytes(serialized: Uint8Array): Uint8Array {
  serializedRowArity(serialized);
  return serialized.subarray(4);
}

/** Values of a serialized (manifest-form) row; the stored arity must match `types`. */
export function deserializeBinaryRow(types: readonly DataType[], serialized: Uint8Array): InternalValue[] {
  const arity = serializedRowArity(serialized);
  if (arity !== types.length) throw new RangeError(`serialized BinaryRow has arity ${arity}, expected ${types.length}`);
  return readRow(viewOf(serialized.subarray(4)), types, 0);
}

/** `BinaryRow.EMPTY_ROW` (arity 0). Shared: do not mutate. */
export const EMPTY_ROW: Uint8Array = new Uint8Array(8);

/** `serializeBinaryRow(EMPTY_ROW)`: the unpartitioned partition, empty min/max keys and stats. Shared: do not mutate. */
export const EMPTY_ROW_SERIALIZED: Uint8Array = new Uint8Array(12);
