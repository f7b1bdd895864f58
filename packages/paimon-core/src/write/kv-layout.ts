/**
 * The primary-key table shapes shared by the write buffer, the key-value file writer and
 * compaction: key fields, the physical file fields, key and record ordering, and a
 * growable columnar builder for the physical rows (`_KEY_*`, `_SEQUENCE_NUMBER`,
 * `_VALUE_KIND`, all columns).
 */
import type { InternalValue } from "../data/values.js";
import { isRetract, RowKind } from "../data/values.js";
import type { ColumnBatch, ColumnVector } from "../data/vector.js";
import { fieldComparator, rowComparator, type RowCompare } from "../read/key-compare.js";
import { mergeFunctionFor, type MergeFunction } from "../read/merge.js";
import { keyValueFields } from "../read/system-fields.js";
import { trimmedPrimaryKeyFields, type TableSchema } from "../schema/table-schema.js";
import { coreOptions } from "../table/options.js";
import type { DataField, DataType } from "../types/datatype.js";

export interface KeyValueLayout {
  schema: TableSchema;
  /** Table columns (the value part of the file). */
  fields: DataField[];
  /** Trimmed primary-key fields. */
  keyFields: DataField[];
  keyTypes: DataType[];
  /** Positions of the key fields among the table columns. */
  keyIndexes: number[];
  /** Physical file fields: keys, `_SEQUENCE_NUMBER`, `_VALUE_KIND`, columns. */
  fileFields: DataField[];
  keyCompare: RowCompare;
  /** `sequence.field` positions among the table columns, and their comparators. */
  seqIndexes: number[];
  seqCompares: ((a: InternalValue, b: InternalValue) => number)[];
  seqDescending: boolean;
  merge: MergeFunction;
  tableName: string;
}

export function keyValueLayout(schema: TableSchema, tableName: string): KeyValueLayout {
  const fields = schema.fields;
  const keyFields = trimmedPrimaryKeyFields(schema);
  const keyTypes = keyFields.map((f) => f.type);
  const keyIndexes = keyFields.map((k) => fields.findIndex((f) => f.name === k.name));
  const o = coreOptions(schema);
  const seqIndexes = o.sequenceFields.map((n) => {
    const i = fields.findIndex((f) => f.name === n);
    if (i < 0) throw new Error(`table ${tableName}: sequence.field '${n}' is not a column`);
    return i;
  });
  return {
    schema,
    fields,
    keyFields,
    keyTypes,
    keyIndexes,
    fileFields: keyValueFields(keyFields, fields),
    keyCompare: rowComparator(keyTypes),
    seqIndexes,
    seqCompares: seqIndexes.map((i) => fieldComparator(fields[i].type)),
    seqDescending: o.sequenceDescending,
    merge: mergeFunctionFor(schema, tableName),
    tableName,
  };
}

/**
 * Record order within a key: user sequence fields (ascending, or descending with
 * `sequence.field.sort-order=descending`), then `_SEQUENCE_NUMBER`, then retractions
 * before additions — the order merge-on-read applies, so writes and reads agree.
 */
export function compareWithinKey(
  layout: KeyValueLayout,
  rowA: (i: number) => InternalValue,
  seqA: bigint,
  kindA: number,
  rowB: (i: number) => InternalValue,
  seqB: bigint,
  kindB: number,
): number {
  const { seqIndexes, seqCompares } = layout;
  for (let s = 0; s < seqIndexes.length; s++) {
    const c = seqCompares[s](rowA(seqIndexes[s]), rowB(seqIndexes[s]));
    if (c !== 0) return layout.seqDescending ? -c : c;
  }
  if (seqA !== seqB) return seqA < seqB ? -1 : 1;
  return (isRetract(kindB as RowKind) ? 1 : 0) - (isRetract(kindA as RowKind) ? 1 : 0);
}

class GrowableBigInt64 {
  data = new BigInt64Array(1024);
  length = 0;
  push(v: bigint): void {
    if (this.length === this.data.length) {
      const next = new BigInt64Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }
}

class GrowableInt32 {
  data = new Int32Array(1024);
  length = 0;
  push(v: number): void {
    if (this.length === this.data.length) {
      const next = new Int32Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }
}

/** Accumulates physical key-value rows column by column. */
export class KeyValueRowsBuilder {
  private columns: InternalValue[][];
  private seqs = new GrowableBigInt64();
  private kinds = new GrowableInt32();

  constructor(readonly layout: KeyValueLayout) {
    this.columns = layout.fields.map(() => []);
  }

  get length(): number {
    return this.seqs.length;
  }

  /** Appends a record whose column values are read through `value(i)`. */
  push(value: (i: number) => InternalValue, seq: bigint, kind: number): void {
    const cols = this.columns;
    for (let i = 0; i < cols.length; i++) cols[i].push(value(i));
    this.seqs.push(seq);
    this.kinds.push(kind);
  }

  pushRow(row: readonly InternalValue[], seq: bigint, kind: number): void {
    const cols = this.columns;
    for (let i = 0; i < cols.length; i++) cols[i].push(row[i] ?? null);
    this.seqs.push(seq);
    this.kinds.push(kind);
  }

  /** The physical batch (keys, sequence, kind, columns); the builder is emptied. */
  drain(): ColumnBatch {
    const n = this.length;
    const { fields, keyIndexes, fileFields } = this.layout;
    const vec = (type: DataType, values: InternalValue[]): ColumnVector => {
      let nulls: Uint8Array | null = null;
      for (let i = 0; i < n; i++) {
        if (values[i] === null) {
          nulls ??= new Uint8Array(n);
          nulls[i] = 1;
        }
      }
      return { type, length: n, values, nulls };
    };
    const valueVectors = fields.map((f, i) => vec(f.type, this.columns[i]));
    const columns: ColumnVector[] = [
      ...keyIndexes.map((i) => valueVectors[i]),
      { type: fileFields[keyIndexes.length].type, length: n, values: this.seqs.data.slice(0, n), nulls: null },
      { type: fileFields[keyIndexes.length + 1].type, length: n, values: this.kinds.data.slice(0, n), nulls: null },
      ...valueVectors,
    ];
    this.columns = fields.map(() => []);
    this.seqs = new GrowableBigInt64();
    this.kinds = new GrowableInt32();
    return { numRows: n, names: fileFields.map((f) => f.name), columns };
  }
}

/**
 * The physical batch of records given by `src[i]`: a row of the buffered columns
 * (`src >= 0`) or the merged row `merged[-1 - src]`, with their sequence numbers and kinds.
 */
export function physicalBatch(
  layout: KeyValueLayout,
  cols: readonly InternalValue[][],
  src: readonly number[],
  merged: readonly InternalValue[][],
  seqs: readonly bigint[],
  kinds: readonly number[],
): ColumnBatch {
  const m = src.length;
  const { fields, keyIndexes, fileFields } = layout;
  const valueVectors: ColumnVector[] = fields.map((f, c) => {
    const col = cols[c];
    const values = new Array<InternalValue>(m);
    let nulls: Uint8Array | null = null;
    for (let i = 0; i < m; i++) {
      const s = src[i];
      const x = s >= 0 ? col[s] : (merged[-1 - s][c] ?? null);
      values[i] = x;
      if (x === null) {
        nulls ??= new Uint8Array(m);
        nulls[i] = 1;
      }
    }
    return { type: f.type, length: m, values, nulls };
  });
  const nk = keyIndexes.length;
  return {
    numRows: m,
    names: fileFields.map((f) => f.name),
    columns: [
      ...keyIndexes.map((i) => valueVectors[i]),
      { type: fileFields[nk].type, length: m, values: BigInt64Array.from(seqs), nulls: null },
      { type: fileFields[nk + 1].type, length: m, values: Int32Array.from(kinds), nulls: null },
      ...valueVectors,
    ],
  };
}
