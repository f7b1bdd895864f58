/**
 * Commit conflict detection (METADATA.md §7.3). Runs for COMPACT and OVERWRITE commits
 * (and APPEND commits that delete files or change deletion vectors) against the live
 * entries of the latest snapshot in the partitions the commit touches:
 *
 * 1. bucket-count consistency per partition (not for OVERWRITE),
 * 2. no file added twice by the commit itself,
 * 3. every file the commit deletes is still live (another commit may have removed it),
 * 4. LSM key ranges: files of one (partition, bucket, level ≥ 1) must not overlap,
 * 5. deletion vectors: a DV may only be written for a live data file, and (bucket-unaware
 *    tables) a deleted data file's DV file must be removed with it;
 * 6. primary-key buckets: a new DELETION_VECTORS index file must name, as deleted, exactly
 *    the bucket's live one (the one its vectors were computed from). The index manifest
 *    replaces a bucket's DV file by (partition, bucket), so without this two writers'
 *    compactions of one bucket could both land and one writer's deletions would be lost.
 *
 * A failure is a {@link CommitConflictError} naming the table, the partition and bucket,
 * and the reason. It is final: retrying against a newer snapshot cannot make it pass.
 */
import { CommitConflictError } from "@paimon-ts/fileio";
import { deserializeBinaryRow } from "../data/binary-row.js";
import type { InternalValue } from "../data/values.js";
import { DuplicateFileError, mergeEntries } from "../manifest/entries.js";
import { toHex } from "../manifest/bytes.js";
import { DELETION_VECTORS_INDEX, FileKind, type IndexManifestEntry, type ManifestEntry } from "../manifest/model.js";
import { rowComparator } from "../read/key-compare.js";
import type { CommitKind } from "../snapshot/snapshot.js";
import type { DataField, DataType } from "../types/datatype.js";
import { describePartition } from "./partition.js";

export interface ConflictCheckInput {
  /** `db.table`, for messages. */
  table: string;
  kind: CommitKind;
  partitionFields: readonly DataField[];
  /** Trimmed primary-key types (PK tables), for the LSM key-range check; null otherwise. */
  keyTypes: readonly DataType[] | null;
  /** Bucket-unaware append table (DVs are keyed by data file, not by bucket). */
  bucketUnaware: boolean;
  /** Live data entries (ADD) of the latest snapshot; may be limited to the touched partitions. */
  base: readonly ManifestEntry[];
  /** This commit's data entries. */
  delta: readonly ManifestEntry[];
  /** Live index entries of the latest snapshot. */
  baseIndex: readonly IndexManifestEntry[];
  /** This commit's index entries. */
  deltaIndex: readonly IndexManifestEntry[];
  /** For messages: who committed the latest snapshot and who commits now. */
  baseCommitUser?: string | null;
  commitUser?: string;
}

const MAX_LISTED = 10;

function listNames(names: readonly string[]): string {
  const shown = names.slice(0, MAX_LISTED).join(", ");
  return names.length > MAX_LISTED ? `${shown}, … (${names.length} files)` : shown;
}

/** Whether a commit must be conflict-checked and committed as OVERWRITE (§7.2). */
export function hasDeletesOrDeletionVectors(entries: readonly ManifestEntry[], index: readonly IndexManifestEntry[]): boolean {
  return entries.some((e) => e.kind === FileKind.DELETE) || index.some((e) => e.indexFile.indexType === DELETION_VECTORS_INDEX);
}

/** Returns the first conflict found, or null. */
export function checkConflicts(input: ConflictCheckInput): CommitConflictError | null {
  const { table, partitionFields } = input;
  const where = (partition: Uint8Array, bucket?: number): string =>
    `partition ${describePartition(partitionFields, partition)}` + (bucket === undefined ? "" : `, bucket ${bucket}`);
  const who = input.commitUser ? ` (this commit user: ${input.commitUser}; latest snapshot's commit user: ${input.baseCommitUser ?? "none"})` : "";
  const conflict = (msg: string): CommitConflictError => new CommitConflictError(`table ${table}: ${msg}${who}`);

  const touched = new Set<string>();
  for (const e of input.delta) touched.add(toHex(e.partition));
  for (const e of input.deltaIndex) touched.add(toHex(e.partition));
  const base = input.base.filter((e) => touched.has(toHex(e.partition)));

  // 1. bucket count
  if (input.kind !== "OVERWRITE") {
    const buckets = new Map<string, number>();
    for (const e of [...base, ...input.delta.filter((d) => d.kind === FileKind.ADD)]) {
      if (e.totalBuckets <= 0) continue;
      const key = toHex(e.partition);
      const seen = buckets.get(key);
      if (seen === undefined) buckets.set(key, e.totalBuckets);
      else if (seen !== e.totalBuckets) {
        return conflict(`bucket count conflict: ${where(e.partition)} has ${seen} buckets, the commit writes files for ${e.totalBuckets}; changing it needs an overwrite`);
      }
    }
  }

  // 2. the commit's own entries
  try {
    mergeEntries(input.delta);
  } catch (e) {
    if (e instanceof DuplicateFileError) return conflict(`the commit adds the same file twice: ${e.message}`);
    throw e;
  }

  // 3. deleted files must still be live
  let merged: ManifestEntry[];
  try {
    merged = mergeEntries([...base, ...input.delta]);
  } catch (e) {
    if (e instanceof DuplicateFileError) return conflict(`the commit adds a file that is already live: ${e.message}`);
    throw e;
  }
  const missing = merged.filter((e) => e.kind === FileKind.DELETE);
  if (missing.length > 0) {
    const first = missing[0];
    return conflict(
      `file deletion conflict in ${where(first.partition, first.bucket)}: ` +
        `the commit deletes files that are no longer live (another commit removed them): ${listNames(missing.map((e) => e.file.fileName))}`,
    );
  }

  // 4. LSM key ranges
  if (input.keyTypes !== null && input.keyTypes.length > 0) {
    const keyTypes = input.keyTypes;
    const cmp = rowComparator(keyTypes);
    const touchedBuckets = new Set(input.delta.map((e) => `${toHex(e.partition)}/${e.bucket}`));
    const levels = new Map<string, ManifestEntry[]>();
    for (const e of merged) {
      if (e.file.level < 1 || !touchedBuckets.has(`${toHex(e.partition)}/${e.bucket}`)) continue;
      const key = `${toHex(e.partition)}/${e.bucket}/${e.file.level}`;
      let list = levels.get(key);
      if (!list) levels.set(key, (list = []));
      list.push(e);
    }
    for (const files of levels.values()) {
      if (files.length < 2) continue;
      const decoded = files.map((e) => ({ e, min: deserializeBinaryRow(keyTypes, e.file.minKey) as InternalValue[], max: deserializeBinaryRow(keyTypes, e.file.maxKey) as InternalValue[] }));
      decoded.sort((a, b) => cmp(a.min, b.min));
      for (let i = 1; i < decoded.length; i++) {
        const a = decoded[i - 1];
        const b = decoded[i];
        if (cmp(a.max, b.min) >= 0) {
          return conflict(
            `LSM key-range conflict in ${where(a.e.partition, a.e.bucket)}, level ${a.e.file.level}: ` +
              `the key ranges of ${a.e.file.fileName} and ${b.e.file.fileName} overlap`,
          );
        }
      }
    }
  }

  // 5. deletion vectors
  const dvChanges = input.deltaIndex.filter((e) => e.indexFile.indexType === DELETION_VECTORS_INDEX);
  const dataDeletes = input.delta.filter((e) => e.kind === FileKind.DELETE);
  if (dvChanges.length > 0 || (input.bucketUnaware && dataDeletes.length > 0)) {
    const liveKey = (partition: Uint8Array, bucket: number, name: string): string => (input.bucketUnaware ? `${toHex(partition)}|${name}` : `${toHex(partition)}|${bucket}|${name}`);
    const live = new Set(merged.map((e) => liveKey(e.partition, e.bucket, e.file.fileName)));
    for (const ie of dvChanges) {
      if (ie.kind !== FileKind.ADD) continue;
      for (const r of ie.indexFile.dvRanges ?? []) {
        if (!live.has(liveKey(ie.partition, ie.bucket, r.dataFileName))) {
          return conflict(
            `${where(ie.partition, ie.bucket)}: deletion vector file ${ie.indexFile.fileName} covers data file ${r.dataFileName}, which is not live after this commit (it was removed concurrently)`,
          );
        }
      }
    }
    if (input.bucketUnaware && dataDeletes.length > 0) {
      const removedIndex = new Set(input.deltaIndex.filter((e) => e.kind === FileKind.DELETE).map((e) => e.indexFile.fileName));
      const dvOf = new Map<string, string>();
      for (const ie of input.baseIndex) {
        if (ie.indexFile.indexType !== DELETION_VECTORS_INDEX || !touched.has(toHex(ie.partition))) continue;
        for (const r of ie.indexFile.dvRanges ?? []) dvOf.set(`${toHex(ie.partition)}|${r.dataFileName}`, ie.indexFile.fileName);
      }
      // an upgrade (DELETE at one level, ADD of the same file at another) keeps the file and its DV
      const readded = new Set(input.delta.filter((e) => e.kind === FileKind.ADD).map((e) => `${toHex(e.partition)}|${e.file.fileName}`));
      for (const d of dataDeletes) {
        const indexFile = dvOf.get(`${toHex(d.partition)}|${d.file.fileName}`);
        if (indexFile !== undefined && !removedIndex.has(indexFile) && !readded.has(`${toHex(d.partition)}|${d.file.fileName}`)) {
          return conflict(
            `${where(d.partition, d.bucket)}: data file ${d.file.fileName} is deleted but its deletion vector (index file ${indexFile}) is not; ` +
              `a concurrent commit probably added it`,
          );
        }
      }
    }
  }

  // 6. primary-key buckets: a new DV index file replaces the bucket's live one, so it must
  //    have been computed from that one (it names it as deleted); otherwise another writer's
  //    deletions would be lost
  if (!input.bucketUnaware && input.keyTypes !== null && dvChanges.some((e) => e.kind === FileKind.ADD)) {
    const bucketOf = (e: IndexManifestEntry) => `${toHex(e.partition)}/${e.bucket}`;
    const names = (list: readonly IndexManifestEntry[]) =>
      list
        .map((e) => e.indexFile.fileName)
        .sort()
        .join(", ");
    for (const add of dvChanges.filter((e) => e.kind === FileKind.ADD)) {
      const key = bucketOf(add);
      const replaced = dvChanges.filter((e) => e.kind === FileKind.DELETE && bucketOf(e) === key);
      const live = input.baseIndex.filter((e) => e.indexFile.indexType === DELETION_VECTORS_INDEX && bucketOf(e) === key);
      if (names(replaced) !== names(live)) {
        return conflict(
          `deletion-vector conflict in ${where(add.partition, add.bucket)}: the commit's deletion vectors were computed from ` +
            `${replaced.length === 0 ? "no deletion-vector file" : `index file ${names(replaced)}`}, but the bucket's live deletion vectors are now in ` +
            `${live.length === 0 ? "no file" : `index file ${names(live)}`}: another writer compacted the bucket concurrently. ` +
            `Discard this writer and write again from the latest snapshot (a new writer also compacts any level-0 files this commit left behind)`,
        );
      }
    }
  }
  return null;
}
