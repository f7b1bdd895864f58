/**
 * Paimon's internal values in TypeScript — the representation every module of
 * paimon-core (BinaryRow, stats, formats, merge, read, write) agrees on.
 *
 * | type                      | internal value                                           |
 * |---------------------------|----------------------------------------------------------|
 * | any, SQL NULL             | `null`                                                   |
 * | BOOLEAN                   | `boolean`                                                |
 * | TINYINT, SMALLINT, INT    | `number` (integer in range)                              |
 * | BIGINT                    | `bigint`                                                 |
 * | FLOAT, DOUBLE             | `number` (FLOAT holds a float32-representable value)     |
 * | DECIMAL(p, s)             | `bigint`: the unscaled value; the scale is the type's s  |
 * | CHAR, VARCHAR, STRING     | `string`                                                 |
 * | BINARY, VARBINARY, BYTES  | `Uint8Array`                                             |
 * | DATE                      | `number`: days since 1970-01-01                          |
 * | TIME(p)                   | `number`: milliseconds of the day                        |
 * | TIMESTAMP(p), _LTZ(p)     | `Timestamp`: epoch millis (bigint) + nanos of that milli |
 * | ARRAY<T>                  | `InternalValue[]`                                        |
 * | MULTISET<T>               | `MapValue` of element → INT count                        |
 * | MAP<K, V>                 | `MapValue`: parallel key and value arrays, in order      |
 * | ROW<…>                    | `InternalValue[]`, one per field, positional             |
 *
 * 64-bit quantities are bigint so nothing beyond 2^53 is ever rounded.
 */

export interface Timestamp {
  /** Milliseconds since 1970-01-01T00:00:00 (UTC for LTZ; wall clock for TIMESTAMP). */
  readonly millis: bigint;
  /** 0..999_999: the nanoseconds within that millisecond. */
  readonly nanoOfMilli: number;
}

export interface MapValue {
  readonly keys: InternalValue[];
  readonly values: InternalValue[];
}

export type InternalValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | Uint8Array
  | Timestamp
  | MapValue
  | InternalValue[];

/** A row of internal values, positional by field. */
export type InternalRow = InternalValue[];

export function timestamp(millis: bigint | number, nanoOfMilli = 0): Timestamp {
  return { millis: BigInt(millis), nanoOfMilli };
}

/** Epoch nanoseconds of a timestamp, exact. */
export function timestampToNanos(t: Timestamp): bigint {
  return t.millis * 1_000_000n + BigInt(t.nanoOfMilli);
}

export function timestampFromNanos(nanos: bigint): Timestamp {
  let millis = nanos / 1_000_000n;
  let rem = nanos % 1_000_000n;
  if (rem < 0n) {
    rem += 1_000_000n;
    millis -= 1n;
  }
  return { millis, nanoOfMilli: Number(rem) };
}

export function timestampFromMicros(micros: bigint): Timestamp {
  return timestampFromNanos(micros * 1000n);
}

export function timestampToMicros(t: Timestamp): bigint {
  // floor division keeps pre-1970 values consistent with Java's Timestamp.toMicros
  const n = timestampToNanos(t);
  const q = n / 1000n;
  return n % 1000n < 0n ? q - 1n : q;
}

/** The row kinds of Paimon's changelog (`RowKind`), with their byte values. */
export enum RowKind {
  INSERT = 0,
  UPDATE_BEFORE = 1,
  UPDATE_AFTER = 2,
  DELETE = 3,
}

export const ROW_KIND_SHORT: Record<RowKind, string> = {
  [RowKind.INSERT]: "+I",
  [RowKind.UPDATE_BEFORE]: "-U",
  [RowKind.UPDATE_AFTER]: "+U",
  [RowKind.DELETE]: "-D",
};

export function isRetract(kind: RowKind): boolean {
  return kind === RowKind.UPDATE_BEFORE || kind === RowKind.DELETE;
}
