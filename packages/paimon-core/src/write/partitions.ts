/**
 * Partitions of incoming rows: the serialized partition BinaryRow (the manifests'
 * `_PARTITION`), its values and Java's partition directory (METADATA.md §1.3).
 */
import { BinaryRowWriter, EMPTY_ROW_SERIALIZED } from "../data/binary-row.js";
import { partitionPath } from "../data/partition-path.js";
import type { InternalValue } from "../data/values.js";
import type { ColumnBatch } from "../data/vector.js";
import { toHex } from "../manifest/bytes.js";
import { partitionFields, type TableSchema } from "../schema/table-schema.js";
import type { CoreOptions } from "../table/options.js";
import type { DataField, DataType } from "../types/datatype.js";

export interface PartitionInfo {
  /** Hex of `bytes`: the map key. */
  key: string;
  /** Serialized (arity-prefixed) partition row. */
  bytes: Uint8Array;
  values: InternalValue[];
  /** Relative directory, `k1=v1/k2=v2/`, or empty when unpartitioned. */
  path: string;
}

export class PartitionComputer {
  readonly fields: DataField[];
  private readonly types: DataType[];
  private readonly indexes: number[];
  private readonly writer = new BinaryRowWriter();
  private readonly known = new Map<string, PartitionInfo>();
  private readonly empty: PartitionInfo;

  constructor(
    schema: TableSchema,
    private readonly options: CoreOptions,
  ) {
    this.fields = partitionFields(schema);
    this.types = this.fields.map((f) => f.type);
    this.indexes = this.fields.map((p) => schema.fields.findIndex((f) => f.name === p.name));
    this.empty = { key: toHex(EMPTY_ROW_SERIALIZED), bytes: EMPTY_ROW_SERIALIZED.slice(), values: [], path: "" };
  }

  get partitioned(): boolean {
    return this.fields.length > 0;
  }

  /** The partition of row `r` of a batch in table column order. */
  of(batch: ColumnBatch, r: number, scratch: InternalValue[] = new Array(this.fields.length)): PartitionInfo {
    if (this.fields.length === 0) return this.empty;
    for (let i = 0; i < this.indexes.length; i++) {
      const v = batch.columns[this.indexes[i]];
      scratch[i] = v.nulls !== null && v.nulls[r] === 1 ? null : ((v.values as ArrayLike<InternalValue>)[r] ?? null);
    }
    return this.ofValues(scratch);
  }

  ofValues(values: readonly InternalValue[]): PartitionInfo {
    if (this.fields.length === 0) return this.empty;
    const bytes = this.writer.writeSerialized(this.types, values);
    const key = toHex(bytes);
    let info = this.known.get(key);
    if (!info) {
      const vals = [...values];
      info = {
        key,
        bytes: bytes.slice(),
        values: vals,
        path: partitionPath(this.fields, vals, { defaultName: this.options.partitionDefaultName, legacyName: this.options.partitionLegacyName }),
      };
      this.known.set(key, info);
    }
    return info;
  }

  /** The partition described by serialized bytes (from a manifest entry). */
  ofBytes(bytes: Uint8Array, decode: (b: Uint8Array) => InternalValue[]): PartitionInfo {
    const key = toHex(bytes);
    return this.known.get(key) ?? this.ofValues(decode(bytes));
  }
}
