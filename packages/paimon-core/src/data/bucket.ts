/**
 * Fixed-bucket assignment (BINARY.md §3): the bucket key is projected into its own
 * BinaryRow, hashed with `BinaryRow.hashCode`, and `DefaultBucketFunction` maps the hash.
 */
import type { DataType } from "../types/datatype.js";
import { BinaryRowWriter } from "./binary-row.js";
import type { InternalValue } from "./values.js";

const writer = new BinaryRowWriter();

/**
 * Java `Math.abs(hash % numBuckets)` on ints. JS `%` truncates like Java's, and with a
 * positive divisor the remainder's magnitude is below it, so no int overflow case exists.
 */
export function bucketOf(hash: number, numBuckets: number): number {
  if (!Number.isInteger(numBuckets) || numBuckets <= 0) throw new RangeError(`numBuckets must be a positive integer, got ${numBuckets}`);
  return Math.abs((hash | 0) % numBuckets);
}

/** Hash of the bucket-key row (types and values in bucket-key order); no per-call allocation for flat keys. */
export function bucketKeyHash(types: readonly DataType[], values: readonly InternalValue[]): number {
  return writer.hash(types, values);
}

/** The bucket of a row's bucket-key values. */
export function bucketOfKey(types: readonly DataType[], values: readonly InternalValue[], numBuckets: number): number {
  return bucketOf(writer.hash(types, values), numBuckets);
}
