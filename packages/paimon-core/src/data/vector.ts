/**
 * Columnar batches: the shape hot paths (file readers, writers, merging) pass around,
 * so a million rows are a few arrays, not a million objects.
 */
import type { DataType } from "../types/datatype.js";
import type { InternalValue } from "./values.js";

/**
 * One column. `values[i]` is the internal value of row i (see values.ts); where
 * `nulls` is present, `nulls[i] === 1` marks a NULL and `values[i]` is unspecified.
 * Fixed-width columns may use typed arrays: Int32Array (TINYINT…INT, DATE, TIME),
 * Float32Array/Float64Array (FLOAT, DOUBLE), BigInt64Array (BIGINT, DECIMAL p ≤ 18).
 */
export interface ColumnVector {
  readonly type: DataType;
  readonly length: number;
  readonly values: ArrayLike<InternalValue> | Int32Array | Float32Array | Float64Array | BigInt64Array;
  readonly nulls: Uint8Array | null;
}

export interface ColumnBatch {
  readonly numRows: number;
  /** Column names, parallel to `columns`. */
  readonly names: string[];
  readonly columns: ColumnVector[];
}

export function vectorGet(v: ColumnVector, i: number): InternalValue {
  if (v.nulls !== null && v.nulls[i] === 1) return null;
  const x = (v.values as ArrayLike<InternalValue>)[i];
  return x === undefined ? null : x;
}

/** Builds a vector from row values (null = NULL); for tests and small inputs. */
export function vectorOf(type: DataType, values: InternalValue[]): ColumnVector {
  let nulls: Uint8Array | null = null;
  for (let i = 0; i < values.length; i++) {
    if (values[i] === null) {
      nulls ??= new Uint8Array(values.length);
      nulls[i] = 1;
    }
  }
  return { type, length: values.length, values, nulls };
}

/** Rows of a batch as arrays of internal values (for tests, stats and small paths). */
export function batchRows(b: ColumnBatch): InternalValue[][] {
  const out: InternalValue[][] = new Array(b.numRows);
  for (let r = 0; r < b.numRows; r++) out[r] = b.columns.map((c) => vectorGet(c, r));
  return out;
}
