/**
 * Column-vector plumbing for the write path: slicing, gathering rows by index,
 * concatenating, and size estimates (bytes a value takes in a data file, and bytes it
 * occupies in JS memory while buffered).
 */
import type { DataType } from "../types/datatype.js";
import type { InternalValue, MapValue } from "../data/values.js";
import type { ColumnBatch, ColumnVector } from "../data/vector.js";

type Values = ColumnVector["values"];
type TypedValues = Int32Array | Float32Array | Float64Array | BigInt64Array;

function isTyped(v: Values): v is TypedValues {
  return v instanceof Int32Array || v instanceof Float32Array || v instanceof Float64Array || v instanceof BigInt64Array;
}

/** Rows [start, end) of a vector; typed arrays are viewed, not copied. */
export function sliceVector(v: ColumnVector, start: number, end: number): ColumnVector {
  if (start === 0 && end === v.length) return v;
  const values = isTyped(v.values) ? v.values.subarray(start, end) : Array.prototype.slice.call(v.values, start, end);
  return { type: v.type, length: end - start, values: values as Values, nulls: v.nulls === null ? null : v.nulls.subarray(start, end) };
}

export function sliceBatch(b: ColumnBatch, start: number, end: number): ColumnBatch {
  if (start === 0 && end === b.numRows) return b;
  return { numRows: end - start, names: b.names, columns: b.columns.map((c) => sliceVector(c, start, end)) };
}

function newLike(values: Values, n: number): Values {
  if (values instanceof Int32Array) return new Int32Array(n);
  if (values instanceof Float32Array) return new Float32Array(n);
  if (values instanceof Float64Array) return new Float64Array(n);
  if (values instanceof BigInt64Array) return new BigInt64Array(n);
  return new Array<InternalValue>(n);
}

/** The rows `idx` of a vector, in that order. */
export function gatherVector(v: ColumnVector, idx: ArrayLike<number>, count = idx.length): ColumnVector {
  const src = v.values as ArrayLike<InternalValue>;
  const out = newLike(v.values, count) as unknown as InternalValue[];
  const srcNulls = v.nulls;
  let nulls: Uint8Array | null = null;
  for (let i = 0; i < count; i++) {
    const r = idx[i];
    if (srcNulls !== null && srcNulls[r] === 1) {
      nulls ??= new Uint8Array(count);
      nulls[i] = 1;
      continue;
    }
    out[i] = src[r];
  }
  return { type: v.type, length: count, values: out as Values, nulls };
}

export function gatherBatch(b: ColumnBatch, idx: ArrayLike<number>, count = idx.length): ColumnBatch {
  if (count === b.numRows && isIdentity(idx, count)) return b;
  return { numRows: count, names: b.names, columns: b.columns.map((c) => gatherVector(c, idx, count)) };
}

function isIdentity(idx: ArrayLike<number>, count: number): boolean {
  for (let i = 0; i < count; i++) if (idx[i] !== i) return false;
  return true;
}

/** One vector with the rows of all `parts`, in order. */
export function concatVectors(type: DataType, parts: readonly ColumnVector[]): ColumnVector {
  if (parts.length === 1) return parts[0];
  const n = parts.reduce((s, p) => s + p.length, 0);
  const first = parts[0]?.values;
  const sameTyped = first !== undefined && isTyped(first) && parts.every((p) => p.values.constructor === first.constructor);
  let nulls: Uint8Array | null = null;
  if (parts.some((p) => p.nulls !== null)) {
    nulls = new Uint8Array(n);
    let o = 0;
    for (const p of parts) {
      if (p.nulls !== null) nulls.set(p.nulls.subarray(0, p.length), o);
      o += p.length;
    }
  }
  if (sameTyped) {
    const out = newLike(first, n) as TypedValues;
    let o = 0;
    for (const p of parts) {
      (out as Int32Array).set((p.values as Int32Array).subarray(0, p.length), o);
      o += p.length;
    }
    return { type, length: n, values: out, nulls };
  }
  const out = new Array<InternalValue>(n);
  let o = 0;
  for (const p of parts) {
    const src = p.values as ArrayLike<InternalValue>;
    for (let i = 0; i < p.length; i++) out[o++] = src[i];
  }
  return { type, length: n, values: out, nulls };
}

export function concatBatches(parts: readonly ColumnBatch[]): ColumnBatch {
  if (parts.length === 1) return parts[0];
  const first = parts[0];
  return {
    numRows: parts.reduce((s, p) => s + p.numRows, 0),
    names: first.names,
    columns: first.columns.map((c, i) =>
      concatVectors(
        c.type,
        parts.map((p) => p.columns[i]),
      ),
    ),
  };
}

// ---------------------------------------------------------------------------------------
// Size estimates

/** Approximate bytes of a non-null value in an (uncompressed) data file. */
export function valueFileBytes(t: DataType, v: InternalValue): number {
  switch (t.root) {
    case "BOOLEAN":
    case "TINYINT":
      return 1;
    case "SMALLINT":
      return 2;
    case "INT":
    case "DATE":
    case "TIME":
    case "FLOAT":
      return 4;
    case "BIGINT":
    case "DOUBLE":
      return 8;
    case "DECIMAL":
      return t.precision <= 9 ? 4 : t.precision <= 18 ? 8 : 16;
    case "TIMESTAMP":
    case "TIMESTAMP_LTZ":
      return t.precision <= 6 ? 8 : 12;
    case "CHAR":
    case "VARCHAR":
      return 4 + utf8Length(v as string);
    case "BINARY":
    case "VARBINARY":
      return 4 + (v as Uint8Array).length;
    case "ARRAY": {
      const a = v as InternalValue[];
      let s = 4;
      for (const e of a) s += e === null ? 1 : valueFileBytes(t.element, e) + 1;
      return s;
    }
    case "MAP":
    case "MULTISET": {
      const m = v as MapValue;
      const kt = t.root === "MAP" ? t.key : t.element;
      let s = 4;
      for (let i = 0; i < m.keys.length; i++) {
        s += valueFileBytes(kt, m.keys[i]) + 2;
        const x = m.values[i];
        s += x === null ? 0 : t.root === "MAP" ? valueFileBytes(t.value, x) : 4;
      }
      return s;
    }
    case "ROW": {
      const r = v as InternalValue[];
      let s = 0;
      t.fields.forEach((f, i) => (s += r[i] === null || r[i] === undefined ? 1 : valueFileBytes(f.type, r[i]) + 1));
      return s;
    }
    default:
      return 8;
  }
}

/** Approximate bytes a non-null value occupies on the JS heap (for the write-buffer budget). */
export function valueMemoryBytes(t: DataType, v: InternalValue): number {
  switch (t.root) {
    case "BIGINT":
    case "DECIMAL":
      return 8 + 24;
    case "TIMESTAMP":
    case "TIMESTAMP_LTZ":
      return 8 + 56;
    case "CHAR":
    case "VARCHAR":
      return 8 + 16 + 2 * (v as string).length;
    case "BINARY":
    case "VARBINARY":
      return 8 + 96 + (v as Uint8Array).length;
    case "ARRAY": {
      let s = 8 + 32;
      for (const e of v as InternalValue[]) s += e === null ? 8 : valueMemoryBytes(t.element, e);
      return s;
    }
    case "MAP":
    case "MULTISET": {
      const m = v as MapValue;
      const kt = t.root === "MAP" ? t.key : t.element;
      const vt: DataType = t.root === "MAP" ? t.value : { root: "INT", nullable: false };
      let s = 8 + 96;
      for (let i = 0; i < m.keys.length; i++) {
        s += m.keys[i] === null ? 8 : valueMemoryBytes(kt, m.keys[i]);
        s += m.values[i] === null ? 8 : valueMemoryBytes(vt, m.values[i]);
      }
      return s;
    }
    case "ROW": {
      const r = v as InternalValue[];
      let s = 8 + 32;
      t.fields.forEach((f, i) => (s += r[i] === null || r[i] === undefined ? 8 : valueMemoryBytes(f.type, r[i])));
      return s;
    }
    default:
      return 8;
  }
}

function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    // a surrogate pair is 4 bytes: 2 per UTF-16 unit
    n += c < 0x80 ? 1 : c < 0x800 || (c >= 0xd800 && c <= 0xdfff) ? 2 : 3;
  }
  return n;
}

/** True when every value of the type has the same estimated size (no per-value scan needed). */
function fixedFileWidth(t: DataType): number | null {
  switch (t.root) {
    case "CHAR":
    case "VARCHAR":
    case "BINARY":
    case "VARBINARY":
    case "ARRAY":
    case "MAP":
    case "MULTISET":
    case "ROW":
      return null;
    default:
      return valueFileBytes(t, null);
  }
}

/** Estimated data-file bytes of rows [start, end) of a vector. */
export function vectorFileBytes(v: ColumnVector, start = 0, end = v.length): number {
  const w = fixedFileWidth(v.type);
  if (w !== null) return w * (end - start);
  const vals = v.values as ArrayLike<InternalValue>;
  let s = 0;
  for (let i = start; i < end; i++) {
    const x = v.nulls !== null && v.nulls[i] === 1 ? null : vals[i];
    s += x === null || x === undefined ? 1 : valueFileBytes(v.type, x);
  }
  return s;
}

export function batchFileBytes(b: ColumnBatch, start = 0, end = b.numRows): number {
  let s = 0;
  for (const c of b.columns) s += vectorFileBytes(c, start, end);
  return s;
}

/** Adds each row's estimated JS-heap bytes (values of this column) into `out`. */
export function addRowMemoryBytes(v: ColumnVector, out: Float64Array): void {
  const t = v.type;
  const vals = v.values as ArrayLike<InternalValue>;
  const simple = t.root !== "BIGINT" && t.root !== "DECIMAL" && t.root !== "TIMESTAMP" && t.root !== "TIMESTAMP_LTZ" && fixedFileWidth(t) !== null;
  for (let i = 0; i < v.length; i++) {
    if (simple) {
      out[i] += 8;
      continue;
    }
    const x = v.nulls !== null && v.nulls[i] === 1 ? null : vals[i];
    out[i] += x === null || x === undefined ? 8 : valueMemoryBytes(t, x);
  }
}
