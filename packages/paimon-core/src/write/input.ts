/**
 * Input checks shared by the table writers: the batch matches the table's columns, NOT
 * NULL columns hold no nulls (errors name the table, the column and the row), row kinds
 * are valid, and timestamps are cut to the precision their column stores.
 */
import { InvalidInputError } from "@paimon-ts/fileio";
import type { InternalValue, Timestamp } from "../data/values.js";
import type { ColumnBatch, ColumnVector } from "../data/vector.js";
import type { DataField } from "../types/datatype.js";
import { normalizeTimestamp } from "./file-stats.js";

/** A batch from rows of internal values (table column order). */
export function rowsToBatch(fields: readonly DataField[], rows: readonly (readonly InternalValue[])[], tableName: string): ColumnBatch {
  const n = rows.length;
  const columns: ColumnVector[] = fields.map((f, c) => {
    const values = new Array<InternalValue>(n);
    let nulls: Uint8Array | null = null;
    for (let r = 0; r < n; r++) {
      const row = rows[r];
      if (row.length !== fields.length) throw new InvalidInputError(`table ${tableName}: row ${r} has ${row.length} values, the table has ${fields.length} columns`);
      const v = row[c];
      if (v === null || v === undefined) {
        nulls ??= new Uint8Array(n);
        nulls[r] = 1;
        values[r] = null;
      } else values[r] = v;
    }
    return { type: f.type, length: n, values, nulls };
  });
  return { numRows: n, names: fields.map((f) => f.name), columns };
}

/** Checks shape and nullability; returns the batch with column types taken from the table and timestamps normalized. */
export function checkBatch(fields: readonly DataField[], batch: ColumnBatch, tableName: string): ColumnBatch {
  if (batch.columns.length !== fields.length) {
    throw new InvalidInputError(`table ${tableName}: the batch has ${batch.columns.length} columns, the table has ${fields.length} (${fields.map((f) => f.name).join(", ")})`);
  }
  if (batch.names && batch.names.length === fields.length) {
    fields.forEach((f, i) => {
      if (batch.names[i] !== f.name) throw new InvalidInputError(`table ${tableName}: batch column ${i} is '${batch.names[i]}', expected '${f.name}' (columns must be in table order)`);
    });
  }
  const n = batch.numRows;
  let changed = false;
  const columns = batch.columns.map((v, i) => {
    const f = fields[i];
    if (v.length < n) throw new InvalidInputError(`table ${tableName}: column '${f.name}' has ${v.length} values for ${n} rows`);
    if (!f.type.nullable) {
      const vals = v.values as ArrayLike<InternalValue>;
      for (let r = 0; r < n; r++) {
        if ((v.nulls !== null && v.nulls[r] === 1) || vals[r] === null || vals[r] === undefined) {
          throw new InvalidInputError(`table ${tableName}: column '${f.name}' is NOT NULL but row ${r} of the batch is null`);
        }
      }
    }
    let out: ColumnVector = v.type === f.type ? v : { ...v, type: f.type };
    if (f.type.root === "TIMESTAMP" || f.type.root === "TIMESTAMP_LTZ") out = normalizeTimestamps(out, f.type.precision, n);
    if (out !== v) changed = true;
    return out;
  });
  return changed ? { numRows: n, names: fields.map((f) => f.name), columns } : batch;
}

function normalizeTimestamps(v: ColumnVector, precision: number, n: number): ColumnVector {
  const vals = v.values as ArrayLike<InternalValue>;
  let out: InternalValue[] | null = null;
  for (let r = 0; r < n; r++) {
    const t = vals[r] as Timestamp | null | undefined;
    if (t === null || t === undefined || (v.nulls !== null && v.nulls[r] === 1)) continue;
    const norm = normalizeTimestamp(t, precision);
    if (norm !== t) {
      out ??= Array.from({ length: n }, (_, i) => vals[i]);
      out[r] = norm;
    }
  }
  return out === null ? v : { type: v.type, length: n, values: out, nulls: v.nulls };
}

/** Row kinds as bytes: `undefined` means all +I; values must be 0..3 (+I, -U, +U, -D). */
export function checkKinds(kinds: ArrayLike<number> | undefined, n: number, tableName: string): Uint8Array {
  if (kinds === undefined) return new Uint8Array(n);
  if (kinds.length < n) throw new InvalidInputError(`table ${tableName}: ${kinds.length} row kinds for ${n} rows`);
  const out = kinds instanceof Uint8Array ? kinds : Uint8Array.from(kinds);
  for (let r = 0; r < n; r++) {
    if (out[r] > 3 || !Number.isInteger(kinds[r])) throw new InvalidInputError(`table ${tableName}: row ${r} has row kind ${kinds[r]}; expected 0 (+I), 1 (-U), 2 (+U) or 3 (-D)`);
  }
  return out;
}
