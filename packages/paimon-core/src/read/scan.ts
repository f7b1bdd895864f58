/**
 * Scan planning (METADATA.md §8.1–8.2): pick a snapshot, list its live data files, group
 * them into one split per (partition, bucket), and attach deletion vectors.
 */
import { InvalidInputError } from "@paimon-ts/fileio";
import { deserializeBinaryRow } from "../data/binary-row.js";
import { partitionPath } from "../data/partition-path.js";
import type { InternalValue } from "../data/values.js";
import { toHex } from "../manifest/bytes.js";
import { DELETION_VECTORS_INDEX, type DataFileMeta, type DeletionVectorMeta } from "../manifest/model.js";
import { partitionFields } from "../schema/table-schema.js";
import type { Snapshot } from "../snapshot/snapshot.js";
import type { FileStoreTable } from "../table/table.js";

export interface DeletionFile {
  /** Path of the DELETION_VECTORS index file. */
  path: string;
  offset: number;
  length: number;
  cardinality: bigint | null;
}

export interface DataSplit {
  partition: Uint8Array;
  partitionValues: InternalValue[];
  /** Relative partition directory (`dt=19723/`), empty when unpartitioned. */
  partitionPath: string;
  bucket: number;
  totalBuckets: number;
  /** Absolute directory of the bucket. */
  bucketPath: string;
  /**
   * The bucket directory under the other `partition.legacy-name` rule, when it differs:
   * pypaimon before 2.1 wrote `dt=2024-01-01` where Java computes `dt=19723`, so files
   * missing from `bucketPath` are looked for here before the read fails.
   */
  altBucketPath: string | null;
  files: DataFileMeta[];
  /** Deletion vectors by data file name. */
  deletionFiles: Map<string, DeletionFile>;
}

export interface ScanOptions {
  snapshotId?: bigint | number;
  tag?: string;
  /** Keep only splits whose partition values pass. */
  partitionFilter?: (values: InternalValue[]) => boolean;
}

export interface ScanPlan {
  snapshot: Snapshot | null;
  splits: DataSplit[];
}

export async function resolveSnapshot(table: FileStoreTable, opts: ScanOptions): Promise<Snapshot | null> {
  if (opts.snapshotId !== undefined && opts.tag !== undefined) throw new InvalidInputError(`table ${table.name}: give a snapshot id or a tag, not both`);
  if (opts.tag !== undefined) return table.snapshots.tag(opts.tag);
  if (opts.snapshotId !== undefined) return table.snapshots.snapshot(BigInt(opts.snapshotId));
  return table.snapshots.latest();
}

export async function planScan(table: FileStoreTable, opts: ScanOptions = {}): Promise<ScanPlan> {
  const snapshot = await resolveSnapshot(table, opts);
  if (!snapshot) return { snapshot: null, splits: [] };
  // partition values decode with the partition types of the snapshot's schema era; partition
  // columns cannot change type, so the latest schema serves
  const schema = table.schema;
  const options = table.options;
  const pFields = partitionFields(schema);
  const pTypes = pFields.map((f) => f.type);
  const isPk = schema.primaryKeys.length > 0;
  const skipLevel0 = isPk && ((options.deletionVectors && !options.deletionVectorsMergeOnRead) || options.mergeEngine === "first-row");

  const groups = new Map<string, DataSplit>();
  for (const e of await table.liveEntries(snapshot)) {
    if (e.bucket === -2 && !options.postponeMergeOnRead) continue; // postpone files are invisible to batch reads
    if (skipLevel0 && e.file.level === 0) continue;
    const key = `${toHex(e.partition)}/${e.bucket}`;
    let split = groups.get(key);
    if (!split) {
      const values = deserializeBinaryRow(pTypes, e.partition);
      if (opts.partitionFilter && !opts.partitionFilter(values)) continue;
      const pPath = partitionPath(pFields, values, { defaultName: options.partitionDefaultName, legacyName: options.partitionLegacyName });
      let altPath = pPath;
      try {
        if (pFields.length > 0) altPath = partitionPath(pFields, values, { defaultName: options.partitionDefaultName, legacyName: !options.partitionLegacyName });
      } catch {
        // some types have no name under the other rule (BINARY in legacy mode): no fallback
      }
      split = {
        partition: e.partition,
        partitionValues: values,
        partitionPath: pPath,
        bucket: e.bucket,
        totalBuckets: e.totalBuckets,
        bucketPath: table.paths.bucketDir(pPath, e.bucket),
        altBucketPath: altPath === pPath ? null : table.paths.bucketDir(altPath, e.bucket),
        files: [],
        deletionFiles: new Map(),
      };
      groups.set(key, split);
    }
    split.files.push(e.file);
  }

  if (snapshot.indexManifest) {
    for (const ie of await table.indexEntries(snapshot)) {
      if (ie.indexFile.indexType !== DELETION_VECTORS_INDEX || !ie.indexFile.dvRanges) continue;
      const path = table.paths.index(ie.indexFile.fileName);
      const ranges: DeletionVectorMeta[] = ie.indexFile.dvRanges;
      // append tables with DVs use a global index keyed by file name, so match by name
      for (const split of groups.values()) {
        if (toHex(split.partition) !== toHex(ie.partition)) continue;
        const names = new Set(split.files.map((f) => f.fileName));
        for (const r of ranges) {
          if (names.has(r.dataFileName)) split.deletionFiles.set(r.dataFileName, { path, offset: r.offset, length: r.length, cardinality: r.cardinality });
        }
      }
    }
  }
  return { snapshot, splits: [...groups.values()] };
}
