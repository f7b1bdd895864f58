/**
 * Typed models of the records stored in Paimon's Avro manifests (METADATA.md §4):
 * manifest-list entries ({@link ManifestFileMeta}), manifest entries ({@link ManifestEntry}
 * with {@link DataFileMeta}) and index-manifest entries ({@link IndexManifestEntry}).
 *
 * BinaryRow-typed fields (`partition`, `minKey`, stats rows) are the raw serialized bytes:
 * a 4-byte big-endian arity followed by the BinaryRow (decoding them is the BinaryRow
 * module's job). Every 64-bit quantity is a `bigint`. Byte arrays returned by the readers
 * are views into the decoded file's buffers (`byteOffset` may be non-zero): copy them
 * before mutating.
 */

export enum FileKind {
  ADD = 0,
  DELETE = 1,
}

export enum FileSource {
  APPEND = 0,
  COMPACT = 1,
}

/** min/max BinaryRows and per-column null counts (`SimpleStats`). */
export interface SimpleStats {
  minValues: Uint8Array;
  maxValues: Uint8Array;
  /** One entry per stats column; `null` when the writer stored no array. */
  nullCounts: (bigint | null)[] | null;
}

export interface DataFileMeta {
  fileName: string;
  fileSize: bigint;
  rowCount: bigint;
  minKey: Uint8Array;
  maxKey: Uint8Array;
  keyStats: SimpleStats;
  valueStats: SimpleStats;
  minSequenceNumber: bigint;
  maxSequenceNumber: bigint;
  schemaId: bigint;
  level: number;
  extraFiles: string[];
  /** `_CREATION_TIME`: local wall-clock millis encoded as if UTC (see §4.3), or null. */
  creationTime: bigint | null;
  /** null in old files, meaning 0. */
  deleteRowCount: bigint | null;
  embeddedIndex: Uint8Array | null;
  fileSource: FileSource | null;
  /** null = stats over all fields of the file's schema; [] = no value stats. */
  valueStatsCols: string[] | null;
  externalPath: string | null;
  firstRowId: bigint | null;
  writeCols: string[] | null;
  /** Java HEAD only; always null in files written by Java ≤ 2.0 and pypaimon. */
  writeColsSequences: bigint[] | null;
}

export interface ManifestEntry {
  kind: FileKind;
  partition: Uint8Array;
  bucket: number;
  totalBuckets: number;
  file: DataFileMeta;
}

export interface ManifestFileMeta {
  fileName: string;
  fileSize: bigint;
  numAddedFiles: bigint;
  numDeletedFiles: bigint;
  partitionStats: SimpleStats;
  schemaId: bigint;
  minBucket: number | null;
  maxBucket: number | null;
  minLevel: number | null;
  maxLevel: number | null;
  minRowId: bigint | null;
  maxRowId: bigint | null;
}

/** Where one data file's deletion vector sits inside a DELETION_VECTORS index file. */
export interface DeletionVectorMeta {
  dataFileName: string;
  offset: number;
  length: number;
  /** Number of deleted rows; null in old files. */
  cardinality: bigint | null;
}

export interface GlobalIndexMeta {
  rowRangeStart: bigint;
  rowRangeEnd: bigint;
  indexFieldId: number;
  extraFieldIds: number[] | null;
  indexMeta: Uint8Array | null;
  sourceMeta: Uint8Array | null;
}

export const HASH_INDEX = "HASH";
export const DELETION_VECTORS_INDEX = "DELETION_VECTORS";

export interface IndexFileMeta {
  /** `HASH`, `DELETION_VECTORS`, or the name of a global index. */
  indexType: string;
  fileName: string;
  fileSize: bigint;
  rowCount: bigint;
  /** DV index files: one range per data file, in file order; null otherwise. */
  dvRanges: DeletionVectorMeta[] | null;
  externalPath: string | null;
  globalIndex: GlobalIndexMeta | null;
}

export interface IndexManifestEntry {
  kind: FileKind;
  partition: Uint8Array;
  bucket: number;
  indexFile: IndexFileMeta;
}

export class ManifestError extends Error {
  override name = "ManifestError";
}

// ------------------------------------------------------------------ BinaryRow bytes helpers

/**
 * The serialized arity-0 BinaryRow: arity 0 (4 bytes) + an 8-byte fixed part holding only
 * the header byte. Used for "no partition", "no key" and "no stats". Returns a fresh copy.
 */
export function emptyRowBytes(): Uint8Array {
  return new Uint8Array(12);
}

/** Stats over zero columns: arity-0 rows and an empty null-count array. */
export function emptyStats(): SimpleStats {
  return { minValues: emptyRowBytes(), maxValues: emptyRowBytes(), nullCounts: [] };
}
