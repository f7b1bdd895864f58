/**
 * Scan planning (METADATA.md §8.1–8.2): pick a snapshot, list its live data files, group
 * them into one split per (partition, bucket), and attach deletion vectors.
 */
import { InvalidInputError } from "@paimon-ts/fileio";
import { deserializeBinaryRow } from "../data/binary-row.js";
import { partitionPath } from "../data/partition-path.js";
import type { InternalValue } from "../data/values.js";
import { toHex } from "../manifest/bytes.js";
import { DELETION_VECTORS_INDEX, type DataFileMeta, type DeletionVectorMeta, type ManifestFileMeta } from "../manifest/model.js";
import { partitionFields, trimmedPrimaryKeyFields, type TableSchema } from "../schema/table-schema.js";
import type { Snapshot } from "../snapshot/snapshot.js";
import type { CoreOptions } from "../table/options.js";
import type { FileStoreTable } from "../table/table.js";
import { asSQLString, type DataField } from "../types/datatype.js";
import { exactBounds, fileKeyRange, keyStatsBounds, partitionStatsBounds, valueStatsBounds } from "./file-bounds.js";
import { rowComparator } from "./key-compare.js";
import { BoundPredicate, type Predicate } from "./predicate.js";

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
  /**
   * Skip what cannot hold a row matching this predicate (columns of the snapshot's
   * schema): manifests by their partition stats, partitions by their values, data files by
   * their value stats (for files that must be merged with others, only by primary-key
   * columns, METADATA.md §8.3). The plan still has files with non-matching rows: readers
   * filter rows themselves (`readTable` does).
   */
  filter?: Predicate;
}

export interface ScanPlan {
  snapshot: Snapshot | null;
  /**
   * The schema rows are read as (see `readSchemaOf`); the table's schema when there is
   * no snapshot.
   */
  schema: TableSchema;
  splits: DataSplit[];
  /** Manifest files and data files the filter let the scan skip. */
  skipped: { manifests: number; files: number };
}

export async function resolveSnapshot(table: FileStoreTable, opts: ScanOptions): Promise<Snapshot | null> {
  if (opts.snapshotId !== undefined && opts.tag !== undefined) throw new InvalidInputError(`table ${table.name}: give a snapshot id or a tag, not both`);
  if (opts.tag !== undefined) return table.snapshots.tag(opts.tag);
  if (opts.snapshotId !== undefined) return table.snapshots.snapshot(BigInt(opts.snapshotId));
  return table.snapshots.latest();
}

/**
 * A split with no files yet for a (partition, bucket), with its bucket directory under the
 * table's partition naming and the directory under the other naming rule as a fallback
 * (older writers used the other one).
 */
export function emptySplit(
  table: FileStoreTable,
  options: CoreOptions,
  pFields: readonly DataField[],
  e: { partition: Uint8Array; bucket: number; totalBuckets: number },
  values: InternalValue[],
): DataSplit {
  const naming = { defaultName: options.partitionDefaultName, legacyName: options.partitionLegacyName };
  const pPath = partitionPath(pFields, values, naming);
  let altPath = pPath;
  try {
    if (pFields.length > 0) altPath = partitionPath(pFields, values, { ...naming, legacyName: !naming.legacyName });
  } catch {
    // some types have no name under the other rule (BINARY in legacy mode): no fallback
  }
  return {
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
}

/**
 * The schema a snapshot is read as. Time travel (a snapshot id or a tag) reads the
 * snapshot's own schema; a read of the latest snapshot reads the table's schema, as Java
 * does, so columns added or changed after the last commit already show (the newer of
 * the two, should the table object be older than the snapshot).
 */
export async function readSchemaOf(table: FileStoreTable, snapshot: Snapshot, opts: ScanOptions = {}): Promise<TableSchema> {
  const travel = opts.snapshotId !== undefined || opts.tag !== undefined;
  if (!travel && table.schema.id >= snapshot.schemaId) return table.schema;
  return table.schemas.schema(snapshot.schemaId);
}

export async function planScan(table: FileStoreTable, opts: ScanOptions = {}): Promise<ScanPlan> {
  const snapshot = await resolveSnapshot(table, opts);
  const skipped = { manifests: 0, files: 0 };
  if (!snapshot) return { snapshot: null, schema: table.schema, splits: [], skipped };
  const readSchema = await readSchemaOf(table, snapshot, opts);
  // partition values decode with the partition types of the snapshot's schema era; partition
  // columns cannot change type, so the latest schema serves
  const schema = table.schema;
  const options = table.options;
  const pFields = partitionFields(schema);
  const pTypes = pFields.map((f) => f.type);
  const isPk = schema.primaryKeys.length > 0;
  const skipLevel0 = isPk && ((options.deletionVectors && !options.deletionVectorsMergeOnRead) || options.mergeEngine === "first-row");

  // the filter is over the columns of the schema being read
  let filter: BoundPredicate | null = null;
  let partitionOk: ((values: InternalValue[]) => boolean) | null = null;
  let manifestFilter: ((m: ManifestFileMeta) => boolean) | undefined;
  if (opts.filter !== undefined) {
    const bound = BoundPredicate.bind(opts.filter, readSchema.fields, `table ${table.name}: filter`);
    filter = bound;
    const readFields = readSchema.fields;
    const pIdx = readSchema.partitionKeys.map((k) => readFields.findIndex((f) => f.name === k));
    if (pIdx.length === pTypes.length && pIdx.every((i) => i >= 0)) {
      const pos = new Map(pIdx.map((fi, j) => [fi, j]));
      if (bound.fieldIndexes.some((i) => pos.has(i))) {
        partitionOk = (values) => bound.mightMatch((i) => (pos.has(i) ? exactBounds(values[pos.get(i)!]) : undefined));
        manifestFilter = (m) => {
          const keep = bound.mightMatch(partitionStatsBounds(pTypes, pIdx, m.partitionStats, m.numAddedFiles + m.numDeletedFiles));
          if (!keep) skipped.manifests++;
          return keep;
        };
      }
    }
  }

  const groups = new Map<string, DataSplit>();
  const rejected = new Set<string>();
  for (const e of await table.liveEntries(snapshot, manifestFilter)) {
    if (e.bucket === -2 && !options.postponeMergeOnRead) continue; // postpone files are invisible to batch reads
    if (skipLevel0 && e.file.level === 0) continue;
    const key = `${toHex(e.partition)}/${e.bucket}`;
    let split = groups.get(key);
    if (!split) {
      if (rejected.has(key)) continue;
      const values = deserializeBinaryRow(pTypes, e.partition);
      if ((opts.partitionFilter && !opts.partitionFilter(values)) || (partitionOk && !partitionOk(values))) {
        rejected.add(key);
        continue;
      }
      split = emptySplit(table, options, pFields, e, values);
      groups.set(key, split);
    }
    split.files.push(e.file);
  }

  if (filter !== null) {
    for (const [key, split] of groups) {
      const before = split.files.length;
      split.files = await pruneFiles(table, readSchema, filter, split, options);
      skipped.files += before - split.files.length;
      if (split.files.length === 0) groups.delete(key);
    }
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
  return { snapshot, schema: readSchema, splits: [...groups.values()], skipped };
}

/**
 * Whether a primary-key bucket's files can be read without merging (§8.2): no level-0
 * file, no retraction, and DVs, first-row, or a single level.
 */
export function rawConvertible(files: readonly DataFileMeta[], options: CoreOptions): boolean {
  return (
    files.every((f) => f.level !== 0 && (f.deleteRowCount ?? 0n) === 0n) &&
    (options.deletionVectors || options.mergeEngine === "first-row" || new Set(files.map((f) => f.level)).size <= 1)
  );
}

/**
 * The files of a split that may hold a row matching the filter. Append files and files
 * read without a merge are judged by all their value stats. For merged primary-key
 * buckets, files are grouped into sections of overlapping key ranges (§8.2): a file alone
 * in its section is judged by all its stats (its keys are in no other file), a file of a
 * larger section only by its key columns, since a non-key value of one record says
 * nothing about the merged row of its key.
 */
async function pruneFiles(table: FileStoreTable, readSchema: TableSchema, filter: BoundPredicate, split: DataSplit, options: CoreOptions): Promise<DataFileMeta[]> {
  const files = split.files;
  const schemas = await Promise.all(files.map((f) => table.schemas.schema(f.schemaId)));
  const byValues = (i: number) => filter.mightMatch(valueStatsBounds(readSchema.fields, schemas[i], files[i]));
  const byKeys = (i: number) => filter.mightMatch(keyStatsBounds(readSchema, schemas[i], files[i], split.partitionValues));
  if (readSchema.primaryKeys.length === 0 || rawConvertible(files, options)) return files.filter((_, i) => byValues(i));

  const keep = new Set<number>();
  for (const section of keySections(readSchema, files, schemas)) {
    if (section.length === 1) {
      if (byValues(section[0])) keep.add(section[0]);
    } else {
      for (const i of section) if (byKeys(i)) keep.add(i);
    }
  }
  return files.filter((_, i) => keep.has(i));
}

/**
 * Indexes of `files` grouped into sections: sorted by min key, a file joins the current
 * section when its min key is not above the section's max key. One section with every
 * file when the key ranges cannot be compared (key types differ between schemas).
 */
function keySections(readSchema: TableSchema, files: readonly DataFileMeta[], schemas: readonly TableSchema[]): number[][] {
  const keyTypes = trimmedPrimaryKeyFields(readSchema).map((f) => f.type);
  const sig = keyTypes.map((t) => asSQLString(t, true)).join(",");
  const all = [files.map((_, i) => i)];
  const ranges: { i: number; min: InternalValue[]; max: InternalValue[] }[] = [];
  for (let i = 0; i < files.length; i++) {
    if (
      trimmedPrimaryKeyFields(schemas[i])
        .map((f) => asSQLString(f.type, true))
        .join(",") !== sig
    ) {
      return all;
    }
    try {
      ranges.push({ i, ...fileKeyRange(schemas[i], files[i]) });
    } catch {
      return all;
    }
  }
  const cmp = rowComparator(keyTypes);
  ranges.sort((a, b) => cmp(a.min, b.min) || cmp(a.max, b.max));
  const out: number[][] = [];
  let current: number[] = [];
  let bound: InternalValue[] | null = null;
  for (const r of ranges) {
    if (bound !== null && cmp(r.min, bound) > 0) {
      out.push(current);
      current = [];
      bound = null;
    }
    current.push(r.i);
    if (bound === null || cmp(r.max, bound) > 0) bound = r.max;
  }
  if (current.length > 0) out.push(current);
  return out;
}
