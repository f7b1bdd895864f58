/**
 * Column statistics as Paimon stores them in manifests (BINARY.md §2): per-column
 * min/max/null-count collected under a stats mode, then encoded as two serialized
 * BinaryRows (min and max) plus a list of null counts (`SimpleStats`).
 */
import type { SimpleStats } from "../manifest/model.js";
import type { DataType } from "../types/datatype.js";
import { EMPTY_ROW_SERIALIZED, deserializeBinaryRow, serializeBinaryRow } from "./binary-row.js";
import { compareBytes, compareUtf8 } from "./utf8.js";
import type { InternalValue, Timestamp } from "./values.js";
import type { ColumnVector } from "./vector.js";

/** `metadata.stats-mode` and `fields.<name>.stats-mode` values. */
export type StatsMode = { kind: "none" } | { kind: "counts" } | { kind: "full" } | { kind: "truncate"; length: number };

/** The default `metadata.stats-mode`, `truncate(16)`. */
export const DEFAULT_STATS_MODE: StatsMode = { kind: "truncate", length: 16 };
/** What Java uses for system columns (`_KEY_*`, `_SEQUENCE_NUMBER`, ...) outside Avro files. */
export const SYSTEM_FIELD_STATS_MODE: StatsMode = { kind: "truncate", length: 128 };

/** Parses a stats-mode option, case-insensitively, as `SimpleColStatsCollector.from`. */
export function parseStatsMode(option: string): StatsMode {
  const upper = option.toUpperCase();
  if (upper === "NONE") return { kind: "none" };
  if (upper === "COUNTS") return { kind: "counts" };
  if (upper === "FULL") return { kind: "full" };
  const m = /^TRUNCATE\((\d+)\)$/.exec(upper);
  if (m !== null) {
    const length = Number(m[1]);
    if (!(length > 0) || length > 2147483647) throw new Error(`Truncate length should larger than zero: ${option}`);
    return { kind: "truncate", length };
  }
  throw new Error(`Unexpected option: ${option}`);
}

/** One column's stats (`SimpleColStats`); null min/max/nullCount mean "unknown". */
export interface SimpleColStats {
  readonly min: InternalValue;
  readonly max: InternalValue;
  readonly nullCount: bigint | null;
}

/** `SimpleColStats.NONE`: dropped from dense-mode stats. */
export const NONE_STATS: SimpleColStats = Object.freeze({ min: null, max: null, nullCount: null });

export function isNoneStats(s: SimpleColStats): boolean {
  return s.min === null && s.max === null && s.nullCount === null;
}

// ---------------------------------------------------------------------------------------
// Ordering

type Compare = (a: InternalValue, b: InternalValue) => number;

const compareNumber: Compare = (a, b) => (a as number) - (b as number);
const compareBigint: Compare = (a, b) => ((a as bigint) < (b as bigint) ? -1 : (a as bigint) > (b as bigint) ? 1 : 0);
const compareBoolean: Compare = (a, b) => (a === b ? 0 : a ? 1 : -1);

/** Java `Double.compare`: -0.0 < 0.0 and NaN above everything (and equal to itself). */
const compareFloating: Compare = (a, b) => {
  const x = a as number;
  const y = b as number;
  if (x < y) return -1;
  if (x > y) return 1;
  if (x === y) return x !== 0 ? 0 : Object.is(x, -0) === Object.is(y, -0) ? 0 : Object.is(x, -0) ? -1 : 1;
  const xNaN = Number.isNaN(x);
  return xNaN === Number.isNaN(y) ? 0 : xNaN ? 1 : -1;
};

const compareTimestamp: Compare = (a, b) => {
  const x = a as Timestamp;
  const y = b as Timestamp;
  if (x.millis !== y.millis) return x.millis < y.millis ? -1 : 1;
  return x.nanoOfMilli - y.nanoOfMilli;
};

/**
 * The order Java's collectors use for a type (`compareTo` of its internal object, or
 * `SortUtil.compareBinary` for bytes); null for types that get no min/max (nested ones,
 * whose Java objects are not Comparable).
 */
export function statsComparator(t: DataType): Compare | null {
  switch (t.root) {
    case "BOOLEAN":
      return compareBoolean;
    case "TINYINT":
    case "SMALLINT":
    case "INT":
    case "DATE":
    case "TIME":
      return compareNumber;
    case "BIGINT":
    case "DECIMAL":
      return compareBigint;
    case "FLOAT":
    case "DOUBLE":
      return compareFloating;
    case "CHAR":
    case "VARCHAR":
      return (a, b) => compareUtf8(a as string, b as string);
    case "BINARY":
    case "VARBINARY":
      return (a, b) => compareBytes(a as Uint8Array, b as Uint8Array);
    case "TIMESTAMP":
    case "TIMESTAMP_LTZ":
      return compareTimestamp;
    default:
      return null;
  }
}

// ---------------------------------------------------------------------------------------
// Truncation (`TruncateSimpleColStatsCollector`)

/** Code points as Java sees them after UTF-8 encoding: a lone surrogate is '?'. */
function javaCodePoints(s: string): number[] {
  const out: number[] = [];
  for (const ch of s) {
    const cp = ch.codePointAt(0) as number;
    out.push(cp >= 0xd800 && cp <= 0xdfff ? 0x3f : cp);
  }
  return out;
}

function codePointCountAtMost(s: string, n: number): boolean {
  // a string of at most n UTF-16 units has at most n code points: skip the scan
  if (s.length <= n) return true;
  let count = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    if (++count > n) return false;
  }
  return true;
}

/** A lower bound of `v` with at most `length` code points (strings) or bytes. */
export function truncateMin(t: DataType, v: InternalValue, length: number): InternalValue {
  if (v === null) return null;
  if (typeof v === "string") {
    if (codePointCountAtMost(v, length)) return v;
    return String.fromCodePoint(...javaCodePoints(v).slice(0, length));
  }
  if (v instanceof Uint8Array && (t.root === "BINARY" || t.root === "VARBINARY")) return v.length <= length ? v : v.slice(0, length);
  return v;
}

/**
 * An upper bound of `v` with at most `length` code points or bytes: truncate, then bump
 * the last code point (byte) that can be bumped and cut after it. `undefined` when none
 * can (Java then drops min and max of the column).
 */
export function truncateMax(t: DataType, v: InternalValue, length: number): InternalValue | undefined {
  if (v === null) return null;
  if (typeof v === "string") {
    if (codePointCountAtMost(v, length)) return v;
    const cps = javaCodePoints(v).slice(0, length);
    for (let i = length - 1; i >= 0; i--) {
      const next = cps[i] + 1;
      // Character.isValidCodePoint; a surrogate value is "valid" and Java then writes it as '?'
      if (next <= 0x10ffff) {
        cps.length = i;
        cps.push(next);
        return String.fromCodePoint(...cps);
      }
    }
    return undefined;
  }
  if (v instanceof Uint8Array && (t.root === "BINARY" || t.root === "VARBINARY")) {
    if (v.length <= length) return v;
    for (let i = length - 1; i >= 0; i--) {
      if (v[i] !== 0xff) {
        const out = v.slice(0, i + 1);
        out[i]++;
        return out;
      }
    }
    return undefined;
  }
  return v;
}

// ---------------------------------------------------------------------------------------
// Collecting

function copyValue(v: InternalValue): InternalValue {
  return v instanceof Uint8Array ? v.slice() : v;
}

/**
 * Min/max/null count of one column, exactly as Java's collector for `mode` computes it
 * row by row (the path Avro data files take): values are compared with the current,
 * already truncated, min and max; a max that cannot be bumped stops collection and
 * leaves only the null count. Parquet/ORC writers in Java read footer statistics
 * instead and pass them through `statsConvert`.
 */
export function statsCollect(type: DataType, vector: ColumnVector, mode: StatsMode = DEFAULT_STATS_MODE): SimpleColStats {
  if (mode.kind === "none") return NONE_STATS;
  const n = vector.length;
  const nulls = vector.nulls;
  const values = vector.values as ArrayLike<InternalValue>;
  const cmp = mode.kind === "counts" ? null : statsComparator(type);
  let nullCount = 0;
  if (cmp === null) {
    for (let i = 0; i < n; i++) if ((nulls !== null && nulls[i] === 1) || values[i] === null || values[i] === undefined) nullCount++;
    return { min: null, max: null, nullCount: BigInt(nullCount) };
  }
  const truncate = mode.kind === "truncate" && (type.root === "CHAR" || type.root === "VARCHAR" || type.root === "BINARY" || type.root === "VARBINARY") ? mode.length : 0;
  let min: InternalValue = null;
  let max: InternalValue = null;
  let failed = false;
  for (let i = 0; i < n; i++) {
    const v = nulls !== null && nulls[i] === 1 ? null : values[i];
    if (v === null || v === undefined) {
      nullCount++;
      continue;
    }
    if (failed) continue;
    if (min === null || cmp(v, min) < 0) min = truncate > 0 ? truncateMin(type, v, truncate) : v;
    if (max === null || cmp(v, max) > 0) {
      const bumped = truncate > 0 ? truncateMax(type, v, truncate) : v;
      if (bumped === undefined) failed = true;
      else max = bumped;
    }
  }
  if (failed) return { min: null, max: null, nullCount: BigInt(nullCount) };
  return { min: copyValue(min), max: copyValue(max), nullCount: BigInt(nullCount) };
}

/** `SimpleColStatsCollector.convert`: applies a mode to stats taken from a file footer. */
export function statsConvert(type: DataType, stats: SimpleColStats, mode: StatsMode = DEFAULT_STATS_MODE): SimpleColStats {
  switch (mode.kind) {
    case "none":
      return NONE_STATS;
    case "counts":
      return { min: null, max: null, nullCount: stats.nullCount };
    case "full":
      return stats;
    case "truncate": {
      const max = truncateMax(type, stats.max, mode.length);
      if (max === null || max === undefined) return { min: null, max: null, nullCount: stats.nullCount };
      return { min: truncateMin(type, stats.min, mode.length), max, nullCount: stats.nullCount };
    }
  }
}

// ---------------------------------------------------------------------------------------
// Encoding (`SimpleStatsConverter`)

// `SimpleStats` (the manifest model's type): minValues/maxValues are serialized BinaryRows
// (big-endian arity + row), nullCounts one per covered column (null element = unknown).

/** `SimpleStats.EMPTY_STATS`: arity-0 rows and no null counts (append tables' key stats). */
export function emptySimpleStats(): SimpleStats {
  return { minValues: EMPTY_ROW_SERIALIZED.slice(), maxValues: EMPTY_ROW_SERIALIZED.slice(), nullCounts: [] };
}

/** All-mode encoding: every column present, in order (key stats, partition stats). */
export function simpleStatsToBinary(types: readonly DataType[], stats: readonly SimpleColStats[]): SimpleStats {
  if (stats.length !== types.length) throw new RangeError(`${stats.length} column stats for ${types.length} columns`);
  return {
    minValues: serializeBinaryRow(types, stats.map((s) => s.min)),
    maxValues: serializeBinaryRow(types, stats.map((s) => s.max)),
    nullCounts: stats.map((s) => s.nullCount),
  };
}

/**
 * Dense-mode encoding (`metadata.stats-dense-store=true`, the default for value stats):
 * columns whose stats are NONE are left out. `valueStatsCols` is null when none was left
 * out, else the names kept (`_VALUE_STATS_COLS`).
 */
export function simpleStatsToBinaryDense(
  fields: readonly { name: string; type: DataType }[],
  stats: readonly SimpleColStats[],
): { stats: SimpleStats; valueStatsCols: string[] | null } {
  if (stats.length !== fields.length) throw new RangeError(`${stats.length} column stats for ${fields.length} columns`);
  const kept: number[] = [];
  for (let i = 0; i < stats.length; i++) if (!isNoneStats(stats[i])) kept.push(i);
  const encoded = simpleStatsToBinary(
    kept.map((i) => fields[i].type),
    kept.map((i) => stats[i]),
  );
  return { stats: encoded, valueStatsCols: kept.length === fields.length ? null : kept.map((i) => fields[i].name) };
}

/** Decodes all-mode stats (or dense stats given the types of the covered columns). */
export function simpleStatsFromBinary(types: readonly DataType[], s: SimpleStats): SimpleColStats[] {
  const mins = deserializeBinaryRow(types, s.minValues);
  const maxs = deserializeBinaryRow(types, s.maxValues);
  const nullCounts = s.nullCounts;
  if (nullCounts !== null && nullCounts.length !== types.length) throw new RangeError(`${nullCounts.length} null counts for ${types.length} columns`);
  return types.map((_, i) => ({ min: mins[i], max: maxs[i], nullCount: nullCounts === null ? null : nullCounts[i] }));
}

/**
 * Decodes value stats against the file's fields: `valueStatsCols` null means all fields;
 * otherwise columns not listed come back as NONE.
 */
export function simpleStatsFromBinaryDense(
  fields: readonly { name: string; type: DataType }[],
  valueStatsCols: readonly string[] | null,
  s: SimpleStats,
): SimpleColStats[] {
  if (valueStatsCols === null) return simpleStatsFromBinary(fields.map((f) => f.type), s);
  const index = new Map(fields.map((f, i) => [f.name, i]));
  const positions = valueStatsCols.map((name) => {
    const i = index.get(name);
    if (i === undefined) throw new Error(`stats column ${name} is not a field of the file schema`);
    return i;
  });
  const covered = simpleStatsFromBinary(positions.map((i) => fields[i].type), s);
  const out: SimpleColStats[] = fields.map(() => NONE_STATS);
  positions.forEach((fieldIndex, k) => (out[fieldIndex] = covered[k]));
  return out;
}
