/**
 * Column statistics of a written Parquet data file, computed the way Java Paimon obtains
 * them (BINARY.md §2.2): Java takes the writer's in-memory Parquet footer statistics of each top-level
 * column (`ParquetSimpleStatsExtractor`) and passes them through the column's stats-mode
 * collector (`SimpleColStatsCollector.convert`). The footer yields:
 *
 * * nested columns (ARRAY, MAP, MULTISET, ROW): no statistics under the column's name at
 *   all (their leaves are `a.list.element`, ...), so the column's stats are NONE and dense
 *   stats leave it out of `_VALUE_STATS_COLS`;
 * * BINARY/VARBINARY and TIMESTAMP(p > 6) (INT96): null count only;
 * * everything else: exact min, max and null count of the stored values.
 */
import { statsComparator, statsConvert, NONE_STATS, type SimpleColStats, type StatsMode } from "../data/stats.js";
import type { InternalValue, Timestamp } from "../data/values.js";
import type { ColumnVector } from "../data/vector.js";
import type { DataType } from "../types/datatype.js";

function isNested(t: DataType): boolean {
  return t.root === "ARRAY" || t.root === "MAP" || t.root === "MULTISET" || t.root === "ROW";
}

/** Footer-level statistics of one column (before the stats mode is applied). */
export function parquetFooterStats(v: ColumnVector, start = 0, end = v.length): SimpleColStats {
  const t = v.type;
  if (isNested(t)) return NONE_STATS;
  const fast = fastNumericStats(v, start, end);
  if (fast !== null) return fast;
  const vals = v.values as ArrayLike<InternalValue>;
  const nulls = v.nulls;
  const noMinMax = t.root === "BINARY" || t.root === "VARBINARY" || ((t.root === "TIMESTAMP" || t.root === "TIMESTAMP_LTZ") && t.precision > 6);
  const cmp = noMinMax ? null : statsComparator(t);
  let nullCount = 0;
  let min: InternalValue = null;
  let max: InternalValue = null;
  for (let i = start; i < end; i++) {
    const x = nulls !== null && nulls[i] === 1 ? null : vals[i];
    if (x === null || x === undefined) {
      nullCount++;
      continue;
    }
    if (cmp === null) continue;
    if (min === null || cmp(x, min) < 0) min = x;
    if (max === null || cmp(x, max) > 0) max = x;
  }
  return { min: copy(min), max: copy(max), nullCount: BigInt(nullCount) };
}

/**
 * Tight loops for typed-array columns (the hot path): integers compare with `<`;
 * floating point follows Java's `Double.compare` (-0.0 below 0.0, NaN above everything).
 */
function fastNumericStats(v: ColumnVector, start: number, end: number): SimpleColStats | null {
  const vals = v.values;
  const nulls = v.nulls;
  if (end <= start) return null;
  const root = v.type.root;
  if (vals instanceof Int32Array && (root === "TINYINT" || root === "SMALLINT" || root === "INT" || root === "DATE" || root === "TIME")) {
    let min = Infinity;
    let max = -Infinity;
    let nullCount = 0;
    for (let i = start; i < end; i++) {
      if (nulls !== null && nulls[i] === 1) {
        nullCount++;
        continue;
      }
      const x = vals[i];
      if (x < min) min = x;
      if (x > max) max = x;
    }
    return nullCount === end - start ? { min: null, max: null, nullCount: BigInt(nullCount) } : { min, max, nullCount: BigInt(nullCount) };
  }
  if (vals instanceof BigInt64Array && (root === "BIGINT" || (root === "DECIMAL" && v.type.precision <= 18))) {
    let min: bigint | null = null;
    let max: bigint | null = null;
    let nullCount = 0;
    for (let i = start; i < end; i++) {
      if (nulls !== null && nulls[i] === 1) {
        nullCount++;
        continue;
      }
      const x = vals[i];
      if (min === null || x < min) min = x;
      if (max === null || x > max) max = x;
    }
    return { min, max, nullCount: BigInt(nullCount) };
  }
  if ((vals instanceof Float64Array && root === "DOUBLE") || (vals instanceof Float32Array && root === "FLOAT")) {
    let min = Infinity;
    let max = -Infinity;
    let nullCount = 0;
    let nonNaN = 0;
    let nan = false;
    let negZero = false;
    let posZero = false;
    for (let i = start; i < end; i++) {
      if (nulls !== null && nulls[i] === 1) {
        nullCount++;
        continue;
      }
      const x = vals[i];
      if (x !== x) {
        nan = true;
        continue;
      }
      nonNaN++;
      if (x === 0) {
        if (Object.is(x, -0)) negZero = true;
        else posZero = true;
      }
      if (x < min) min = x;
      if (x > max) max = x;
    }
    if (nullCount === end - start) return { min: null, max: null, nullCount: BigInt(nullCount) };
    if (nonNaN === 0) return { min: NaN, max: NaN, nullCount: BigInt(nullCount) };
    if (min === 0 && negZero) min = -0;
    if (max === 0) max = posZero ? 0 : -0;
    return { min, max: nan ? NaN : max, nullCount: BigInt(nullCount) };
  }
  if (root === "CHAR" || root === "VARCHAR") {
    // JS `<` is UTF-16 order, which equals UTF-8 byte order unless surrogates meet U+E000..U+FFFF
    const strs = vals as ArrayLike<InternalValue>;
    let min: string | null = null;
    let max: string | null = null;
    let nullCount = 0;
    for (let i = start; i < end; i++) {
      const x = nulls !== null && nulls[i] === 1 ? null : (strs[i] as string | null | undefined);
      if (x === null || x === undefined) {
        nullCount++;
        continue;
      }
      if (HIGH_UNITS.test(x)) return null; // take the general (code point) path
      if (min === null || x < min) min = x;
      if (max === null || x > max) max = x;
    }
    return { min, max, nullCount: BigInt(nullCount) };
  }
  return null;
}

const HIGH_UNITS = /[\uD800-\uFFFF]/;

function copy(v: InternalValue): InternalValue {
  return v instanceof Uint8Array ? v.slice() : v;
}

/** Merges footer stats of two parts of the same column (row groups / chunks). */
export function mergeFooterStats(t: DataType, a: SimpleColStats, b: SimpleColStats): SimpleColStats {
  if (isNested(t)) return NONE_STATS;
  const cmp = statsComparator(t);
  const nullCount = a.nullCount === null || b.nullCount === null ? null : a.nullCount + b.nullCount;
  const pick = (x: InternalValue, y: InternalValue, sign: 1 | -1): InternalValue => (x === null ? y : y === null ? x : cmp !== null && sign * cmp(y, x) > 0 ? y : x);
  return { min: pick(a.min, b.min, -1), max: pick(a.max, b.max, 1), nullCount };
}

/** The stats Java stores for a column: footer stats through the column's mode. */
export function columnStats(v: ColumnVector, mode: StatsMode, start = 0, end = v.length): SimpleColStats {
  if (mode.kind === "none") return NONE_STATS;
  const footer = parquetFooterStats(v, start, end);
  if (footer === NONE_STATS) return NONE_STATS;
  return statsConvert(v.type, footer, mode);
}

/**
 * A value as a Parquet file stores it: timestamps lose the digits beyond their type's
 * precision (millis for p ≤ 3, which is also all a compact BinaryRow keeps).
 */
export function normalizeTimestamp(t: Timestamp, precision: number): Timestamp {
  if (precision <= 3) return t.nanoOfMilli === 0 ? t : { millis: t.millis, nanoOfMilli: 0 };
  const unit = 10 ** (9 - precision);
  const r = t.nanoOfMilli % unit;
  return r === 0 ? t : { millis: t.millis, nanoOfMilli: t.nanoOfMilli - r };
}
