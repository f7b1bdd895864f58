/**
 * What a writer hands the committer: per (partition, bucket), the files it added or
 * removed. The committer turns these into manifest entries and one or two snapshots
 * (APPEND/OVERWRITE for new files, COMPACT for compaction results), as Java does.
 */
import type { DataFileMeta, IndexFileMeta } from "../manifest/model.js";

export interface CommitMessage {
  /** Serialized (arity-prefixed) partition BinaryRow. */
  partition: Uint8Array;
  bucket: number;
  /** `_TOTAL_BUCKETS` for the entries: N for fixed buckets, -1 dynamic/unaware, -2 postpone. */
  totalBuckets: number;
  /** Files written by this write (level 0, or a higher level for overwrite upgrades). */
  newFiles: DataFileMeta[];
  /** Files deleted outside compaction (row-level deletes on append tables). */
  deletedFiles?: DataFileMeta[];
  /** Changelog files of the new data (changelog-producer=input). */
  changelogFiles?: DataFileMeta[];
  /** Compaction inputs (DELETE entries of the COMPACT snapshot). */
  compactBefore?: DataFileMeta[];
  /** Compaction outputs (ADD entries of the COMPACT snapshot). */
  compactAfter?: DataFileMeta[];
  /** Changelog files produced by compaction (changelog-producer=lookup/full-compaction); COMPACT snapshot. */
  compactChangelogFiles?: DataFileMeta[];
  /** Index files added with the new data (dynamic-bucket HASH index). */
  newIndexFiles?: IndexFileMeta[];
  /** Index files removed with the new data. */
  deletedIndexFiles?: IndexFileMeta[];
  /** Index files added by compaction (DELETION_VECTORS). */
  compactIndexFiles?: IndexFileMeta[];
  /** Index files removed by compaction. */
  compactDeletedIndexFiles?: IndexFileMeta[];
}

export function isEmptyMessage(m: CommitMessage): boolean {
  return (
    m.newFiles.length === 0 &&
    !m.deletedFiles?.length &&
    !m.changelogFiles?.length &&
    !m.compactBefore?.length &&
    !m.compactAfter?.length &&
    !m.compactChangelogFiles?.length &&
    !m.newIndexFiles?.length &&
    !m.deletedIndexFiles?.length &&
    !m.compactIndexFiles?.length &&
    !m.compactDeletedIndexFiles?.length
  );
}
