/**
 * The HASH index of dynamic-bucket tables (BINARY.md §6): one file per (partition,
 * bucket) listing every key hash assigned to that bucket as big-endian int32s, with no
 * header or checksum. The hash is `BinaryRow.hashCode` of the trimmed primary key (the
 * primary key minus partition columns), the same hash fixed buckets use.
 */
import type { DataType } from "../types/datatype.js";
import { bucketKeyHash } from "../data/bucket.js";
import type { InternalValue } from "../data/values.js";

/** Hash of a record's trimmed primary key, as stored in HASH index files. */
export function hashIndexKeyHash(trimmedPkTypes: readonly DataType[], trimmedPkValues: readonly InternalValue[]): number {
  return bucketKeyHash(trimmedPkTypes, trimmedPkValues);
}

/** The file bytes for these hashes, in the order given (Java writes IntHashSet order; order is irrelevant). */
export function writeHashIndex(hashes: Iterable<number> | ArrayLike<number>): Uint8Array {
  const list = Array.from(hashes as ArrayLike<number>);
  const out = new Uint8Array(4 * list.length);
  const view = new DataView(out.buffer);
  for (let i = 0; i < list.length; i++) view.setInt32(4 * i, list[i], false);
  return out;
}

/** The hashes of a HASH index file (`_ROW_COUNT` = length, `_FILE_SIZE` = 4 × length). */
export function readHashIndex(bytes: Uint8Array): Int32Array {
  if (bytes.length % 4 !== 0) throw new Error(`HASH index file size ${bytes.length} is not a multiple of 4`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Int32Array(bytes.length / 4);
  for (let i = 0; i < out.length; i++) out[i] = view.getInt32(4 * i, false);
  return out;
}
