/**
 * The write path: data files, append and primary-key table writers, the write buffer,
 * dynamic-bucket assignment and compaction. Writers produce `CommitMessage`s for the
 * committer (src/commit).
 */
import type { FileStoreTable } from "../table/table.js";
import { AppendWriter } from "./append-writer.js";
import { KeyValueWriter } from "./key-value-writer.js";

export { AppendWriter } from "./append-writer.js";
export { KeyValueWriter } from "./key-value-writer.js";
export { AppendBucketWriter, BucketWriter, MergeTreeBucketWriter } from "./bucket-writer.js";
export type { BucketWriterContext, MergeTreeBucketOptions, MergeTreeLookupOptions } from "./bucket-writer.js";
export { DataFileNamer, RollingDataFileWriter, localDateTimeMillis } from "./data-file-writer.js";
export type { DataFileLayout, DataFileWriterOptions } from "./data-file-writer.js";
export { WriteBuffer } from "./write-buffer.js";
export { IntIntMap, PartitionIndex } from "./dynamic-bucket.js";
export { Levels, KeyRanges } from "./levels.js";
export type { LevelSortedRun, SortedRun } from "./levels.js";
export { pickUniversal, pickFull, pickForceUpLevel0, intervalPartition, runCompactUnit, mergeRuns, upgradeFile } from "./compaction.js";
export { BucketDeletionVectors } from "./deletion-vectors.js";
export type { DeletionVectorsIo } from "./deletion-vectors.js";
export { BucketLookup, LookupCache } from "./lookup.js";
export type { BlockSource, LookupCacheStats, LookupHit, LookupMode } from "./lookup.js";
export { LookupCompactRewriter } from "./lookup-compaction.js";
export type { LookupRewriterOptions } from "./lookup-compaction.js";
export type { CompactUnit, CompactResult, CompactRewriter, UniversalCompactionOptions } from "./compaction.js";
export { writeOptions, statsModesFor, checkWritable } from "./options.js";
export type { WriteOptions } from "./options.js";
export { columnStats, parquetFooterStats } from "./file-stats.js";
export { rowsToBatch } from "./input.js";
export { keyValueLayout } from "./kv-layout.js";
export type { KeyValueLayout } from "./kv-layout.js";

/** A table writer: `write`/`writeRows`, then `prepareCommit()` for the committer. */
export type TableWriter = AppendWriter | KeyValueWriter;

/** The writer for a table: `KeyValueWriter` with a primary key, else `AppendWriter`. */
export async function createTableWriter(table: FileStoreTable): Promise<TableWriter> {
  return table.schema.primaryKeys.length > 0 ? KeyValueWriter.create(table) : AppendWriter.create(table);
}
export {
  appendCompactionSettings,
  compactAppendTable,
  discardAppendCompaction,
  pickAppendAutoCompaction,
  pickAppendFullCompaction,
  planAppendCompaction,
  planUnawareCompaction,
  rewriteAppendFiles,
  runAppendCompaction,
  sortBySequence,
} from "./append-compaction.js";
export type { AppendCompactionOptions, AppendCompactionSettings, AppendCompactionTask, RunAppendCompactionOptions } from "./append-compaction.js";
