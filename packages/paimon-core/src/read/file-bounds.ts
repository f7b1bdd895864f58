/**
 * What a data file's manifest statistics say about the columns of the schema being read
 * (METADATA.md §5.5, §8.4), as `ColumnBounds` for `BoundPredicate.mightMatch`.
 *
 * Value stats are decoded with the file's own schema (`schema-<_SCHEMA_ID>`) and its
 * `_VALUE_STATS_COLS`, then mapped to the read schema by field id: a renamed column keeps
 * its stats, a column the file does not have is all NULL, a column whose type changed
 * keeps its bounds only when the conversion is exact and order-preserving. Anything that
 * cannot be decoded or mapped is "unknown", which never skips a file.
 */
import { deserializeBinaryRow } from "../data/binary-row.js";
import { isNoneStats, simpleStatsFromBinary, simpleStatsFromBinaryDense, type SimpleColStats } from "../data/stats.js";
import type { InternalValue } from "../data/values.js";
import type { DataFileMeta, SimpleStats } from "../manifest/model.js";
import { trimmedPrimaryKeyFields, type TableSchema } from "../schema/table-schema.js";
import { asSQLString, type DataField, type DataType } from "../types/datatype.js";
import type { ColumnBounds } from "./predicate.js";

export type BoundsLookup = (fieldIndex: number) => ColumnBounds | undefined;

export const NOTHING_KNOWN: BoundsLookup = () => undefined;

const INT_RANK: Partial<Record<DataType["root"], number>> = { TINYINT: 1, SMALLINT: 2, INT: 3, BIGINT: 4 };

function sameType(a: DataType, b: DataType): boolean {
  return asSQLString(a, true) === asSQLString(b, true);
}

/**
 * A stats bound of type `from` as a value of type `to`, when the reader's conversion of
 * the column is exact and monotone (so the converted bound still bounds the converted
 * values); undefined otherwise.
 */
export function castBound(from: DataType, to: DataType, v: InternalValue): InternalValue | undefined {
  if (v === null) return null;
  if (sameType(from, to)) return v;
  const fr = INT_RANK[from.root];
  const tr = INT_RANK[to.root];
  if (fr !== undefined && tr !== undefined && tr >= fr) {
    if (to.root === "BIGINT") return typeof v === "bigint" ? v : BigInt(v as number);
    return typeof v === "number" ? v : undefined;
  }
  if (from.root === "FLOAT" && to.root === "DOUBLE") return v;
  if (from.root === "DECIMAL" && to.root === "DECIMAL" && to.scale >= from.scale && to.precision - to.scale >= from.precision - from.scale) {
    return typeof v === "bigint" ? v * 10n ** BigInt(to.scale - from.scale) : undefined;
  }
  if ((from.root === "VARCHAR" && to.root === "VARCHAR") || (from.root === "VARBINARY" && to.root === "VARBINARY")) {
    return to.length >= from.length ? v : undefined;
  }
  if ((from.root === "TIMESTAMP" && to.root === "TIMESTAMP") || (from.root === "TIMESTAMP_LTZ" && to.root === "TIMESTAMP_LTZ") || (from.root === "TIME" && to.root === "TIME")) {
    return to.precision >= from.precision ? v : undefined;
  }
  return undefined;
}

function toBounds(from: DataType, to: DataType, s: SimpleColStats, rowCount: bigint): ColumnBounds | undefined {
  if (isNoneStats(s)) return undefined;
  const min = castBound(from, to, s.min);
  const max = castBound(from, to, s.max);
  return { min: min === undefined ? null : min, max: max === undefined ? null : max, nullCount: s.nullCount, rowCount };
}

/** All-NULL bounds: what a file says about a column it does not have. */
function allNull(rowCount: bigint): ColumnBounds {
  return { min: null, max: null, nullCount: rowCount, rowCount };
}

/**
 * Bounds of every read field from a file's `_VALUE_STATS` (over all columns of the file's
 * schema). Files of data-evolution tables (`_WRITE_COLS` set) hold only some columns, the
 * others living in other files: nothing is known about them.
 */
export function valueStatsBounds(readFields: readonly DataField[], fileSchema: TableSchema, file: DataFileMeta): BoundsLookup {
  if (file.writeCols !== null) return NOTHING_KNOWN;
  let stats: SimpleColStats[];
  try {
    stats = simpleStatsFromBinaryDense(fileSchema.fields, file.valueStatsCols, file.valueStats);
  } catch {
    return NOTHING_KNOWN;
  }
  const byId = new Map<number, { field: DataField; stats: SimpleColStats }>();
  fileSchema.fields.forEach((f, i) => byId.set(f.id, { field: f, stats: stats[i] }));
  const cache = new Map<number, ColumnBounds | undefined>();
  return (i) => {
    if (cache.has(i)) return cache.get(i);
    const tf = readFields[i];
    const hit = byId.get(tf.id);
    let b: ColumnBounds | undefined;
    if (hit === undefined) b = tf.defaultValue === undefined ? allNull(file.rowCount) : undefined;
    else b = toBounds(hit.field.type, tf.type, hit.stats, file.rowCount);
    cache.set(i, b);
    return b;
  };
}

/**
 * Bounds of the primary-key columns only, for files that are merged with others: the
 * trimmed key columns from `_KEY_STATS` (the `_KEY_` columns the merge itself uses), the
 * partition columns from the split's partition; every other column is unknown.
 */
export function keyStatsBounds(readSchema: TableSchema, fileSchema: TableSchema, file: DataFileMeta, partitionValues: readonly InternalValue[]): BoundsLookup {
  const readFields = readSchema.fields;
  const partIdx = new Map(readSchema.partitionKeys.map((k, j) => [readFields.findIndex((f) => f.name === k), j]));
  const fileKeys = trimmedPrimaryKeyFields(fileSchema);
  let keyStats: SimpleColStats[] | null;
  try {
    keyStats = simpleStatsFromBinary(
      fileKeys.map((f) => f.type),
      file.keyStats,
    );
  } catch {
    keyStats = null;
  }
  const keyPos = new Map(fileKeys.map((f, j) => [f.id, j]));
  return (i) => {
    const p = partIdx.get(i);
    if (p !== undefined) return exactBounds(partitionValues[p]);
    if (keyStats === null) return undefined;
    const tf = readFields[i];
    const j = keyPos.get(tf.id);
    if (j === undefined) return undefined;
    return toBounds(fileKeys[j].type, tf.type, keyStats[j], file.rowCount);
  };
}

/** Bounds of one known value (a partition value). */
export function exactBounds(v: InternalValue): ColumnBounds {
  return v === null ? { min: null, max: null, nullCount: 1n, rowCount: 1n, exact: true } : { min: v, max: v, nullCount: 0n, rowCount: 1n, exact: true };
}

/**
 * Bounds of the partition columns of a manifest file from its `_PARTITION_STATS`
 * (`partitionFieldIndexes[j]` = index in the read fields of partition column j).
 */
export function partitionStatsBounds(partitionTypes: readonly DataType[], partitionFieldIndexes: readonly number[], stats: SimpleStats, entryCount: bigint): BoundsLookup {
  let decoded: SimpleColStats[];
  try {
    decoded = simpleStatsFromBinary(partitionTypes, stats);
  } catch {
    return NOTHING_KNOWN;
  }
  const pos = new Map(partitionFieldIndexes.map((fi, j) => [fi, j]));
  return (i) => {
    const j = pos.get(i);
    if (j === undefined) return undefined;
    const s = decoded[j];
    return { min: s.min, max: s.max, nullCount: s.nullCount, rowCount: entryCount };
  };
}

/** Min and max trimmed primary key of a file, decoded with its own schema's key types. */
export function fileKeyRange(fileSchema: TableSchema, file: DataFileMeta): { min: InternalValue[]; max: InternalValue[] } {
  const types = trimmedPrimaryKeyFields(fileSchema).map((f) => f.type);
  return { min: deserializeBinaryRow(types, file.minKey), max: deserializeBinaryRow(types, file.maxKey) };
}
