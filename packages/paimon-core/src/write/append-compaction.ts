/**
 * Compaction of append-only tables, as Java Paimon 1.4 does it.
 *
 * * Fixed-bucket tables (`bucket` > 0), Java's `BucketedAppendCompactManager`: a bucket's
 *   files are kept in `_MIN_SEQUENCE_NUMBER` order. Auto compaction (run by `AppendWriter`
 *   before each commit unless `write-only`) takes the oldest window of
 *   `compaction.min.file-num` consecutive files, sliding past files while a window already
 *   holds 2 × `target-file-size`; full compaction skips the leading files of at least
 *   `compaction.file-size` (70 % of the target) and rewrites the rest when most of them are
 *   small and there are at least three (or always with `compaction.force-rewrite-all-files`
 *   or deletion vectors).
 * * Bucket-unaware tables (`bucket = -1`), Java's `AppendCompactCoordinator` as its batch
 *   compaction job runs it: per partition, the files smaller than the compaction file size
 *   (or, with deletion vectors, with too many deleted rows) are sorted by size and packed
 *   into tasks of at least 2 × target size (file sizes plus `source.split.open-file-cost`
 *   each); a last bin is a task when it has `compaction.min.file-num` files.
 *
 * A task reads its files in sequence order, drops the rows their deletion vectors mark,
 * and writes the rows in that order to new level-0 files (file source COMPACT) whose
 * sequence numbers count up from the first file's minimum, as Java's rewriter does. The
 * result is a `CommitMessage` with `compactBefore`/`compactAfter` (and the deletion-vector
 * index files without the rewritten files' vectors in `compactIndexFiles` /
 * `compactDeletedIndexFiles`), committed as a COMPACT
 * snapshot whose conflict check makes a concurrent compaction or delete of the same files
 * fail instead of both landing.
 */
import { CommitConflictError, InvalidInputError, UnsupportedError } from "@paimon-ts/fileio";
import { deserializeBinaryRow } from "../data/binary-row.js";
import { partitionPath } from "../data/partition-path.js";
import type { InternalValue } from "../data/values.js";
import { toHex } from "../manifest/bytes.js";
import { DELETION_VECTORS_INDEX, FileSource, type DataFileMeta, type IndexFileMeta, type IndexManifestEntry } from "../manifest/model.js";
import type { CommitMessage } from "../commit/message.js";
import { FileStoreCommit, type CommitOptions } from "../commit/file-store-commit.js";
import { readSplitBatches } from "../read/reader.js";
import type { DataSplit, DeletionFile } from "../read/scan.js";
import { partitionFields } from "../schema/table-schema.js";
import { boolOption, intOption, memorySizeOption } from "../table/options.js";
import type { FileStoreTable } from "../table/table.js";
import { MetadataFileNames } from "../manifest/naming.js";
import { DataFileNamer, RollingDataFileWriter } from "./data-file-writer.js";
import { BucketDeletionVectors } from "./deletion-vectors.js";
import { checkWritable, statsModesFor, writeOptions, type WriteOptions } from "./options.js";

/** Java's `FULL_COMPACT_MIN_FILE`: a full compaction of fewer files is not worth it. */
const FULL_COMPACT_MIN_FILE = 3;

export interface AppendCompactionSettings {
  /** `compaction.min.file-num` (5). */
  minFileNum: number;
  /** `target-file-size` (256 MiB for append tables). */
  targetFileSize: number;
  /** Files at least this big are left alone: `target-file-size` / 10 × 7. */
  compactionFileSize: number;
  /** `compaction.force-rewrite-all-files` (false). */
  forceRewriteAllFiles: boolean;
  /** `source.split.open-file-cost` (4 MiB): what each file adds to a bucket-unaware task's size. */
  openFileCost: number;
  /** `compaction.delete-ratio-threshold` (0.2): deleted-row share that makes a big file due. */
  deleteRatioThreshold: number;
  /** `compaction.file-num-limit` (100 000): most files one bucket-unaware plan looks at. */
  fileNumLimit: number;
  /** `deletion-vectors.enabled`. */
  deletionVectors: boolean;
}

/** Reads the compaction options of an append table. */
export function appendCompactionSettings(table: FileStoreTable, opts: WriteOptions = writeOptions(table.schema, table.name)): AppendCompactionSettings {
  const o = table.schema.options;
  const ctx = `table ${table.name}: `;
  const minFileNum = intOption(o, "compaction.min.file-num", 5, ctx);
  if (minFileNum < 1) throw new InvalidInputError(`${ctx}option 'compaction.min.file-num' must be at least 1, got ${minFileNum}`);
  const ratioText = o["compaction.delete-ratio-threshold"];
  const deleteRatioThreshold = ratioText === undefined ? 0.2 : Number(ratioText.trim());
  if (!Number.isFinite(deleteRatioThreshold) || ratioText?.trim() === "") throw new InvalidInputError(`${ctx}option 'compaction.delete-ratio-threshold' must be a number, got ${JSON.stringify(ratioText)}`);
  return {
    minFileNum,
    targetFileSize: opts.targetFileSize,
    compactionFileSize: opts.compactionFileSize,
    forceRewriteAllFiles: boolOption(o, "compaction.force-rewrite-all-files", false, ctx),
    openFileCost: memorySizeOption(o, "source.split.open-file-cost", 4 * 1024 ** 2, ctx),
    deleteRatioThreshold,
    fileNumLimit: intOption(o, "compaction.file-num-limit", 100_000, ctx),
    deletionVectors: opts.core.deletionVectors,
  };
}

const bySequence = (a: DataFileMeta, b: DataFileMeta): number =>
  a.minSequenceNumber < b.minSequenceNumber ? -1 : a.minSequenceNumber > b.minSequenceNumber ? 1 : Number((a.creationTime ?? 0n) - (b.creationTime ?? 0n)) || (a.fileName < b.fileName ? -1 : a.fileName > b.fileName ? 1 : 0);

/** Files in the order a bucket's rows were written. */
export function sortBySequence(files: readonly DataFileMeta[]): DataFileMeta[] {
  return [...files].sort(bySequence);
}

/**
 * Auto compaction of a fixed bucket (Java `pickCompactBefore`): the first `minFileNum`
 * consecutive files in sequence order, dropping the oldest from the window while it holds
 * 2 × target size; null when no window fills.
 */
export function pickAppendAutoCompaction(files: readonly DataFileMeta[], s: Pick<AppendCompactionSettings, "minFileNum" | "targetFileSize">): DataFileMeta[] | null {
  const sorted = sortBySequence(files);
  let start = 0;
  let total = 0n;
  const limit = BigInt(s.targetFileSize) * 2n;
  for (let i = 0; i < sorted.length; i++) {
    total += sorted[i].fileSize;
    if (i - start + 1 >= s.minFileNum) return sorted.slice(start, i + 1);
    if (total >= limit) {
      total -= sorted[start].fileSize;
      start++;
    }
  }
  return null;
}

/**
 * Full compaction of a fixed bucket (Java `FullCompactTask`): the files after the leading
 * big ones without deletion vectors, when worth it; [] when nothing is to be done.
 */
export function pickAppendFullCompaction(
  files: readonly DataFileMeta[],
  s: Pick<AppendCompactionSettings, "compactionFileSize" | "forceRewriteAllFiles" | "deletionVectors">,
  hasDeletionVector: (f: DataFileMeta) => boolean = () => false,
): DataFileMeta[] {
  const sorted = sortBySequence(files);
  if (!s.forceRewriteAllFiles && (sorted.length === 0 || (!s.deletionVectors && sorted.length < FULL_COMPACT_MIN_FILE))) return [];
  const big = (f: DataFileMeta) => f.fileSize >= BigInt(s.compactionFileSize);
  let start = 0;
  while (!s.forceRewriteAllFiles && start < sorted.length && big(sorted[start]) && !hasDeletionVector(sorted[start])) start++;
  const rest = sorted.slice(start);
  if (s.deletionVectors) return rest;
  const bigCount = rest.filter(big).length;
  const small = rest.length - bigCount;
  return s.forceRewriteAllFiles || (small > bigCount && rest.length >= FULL_COMPACT_MIN_FILE) ? rest : [];
}

/**
 * The tasks of one partition of a bucket-unaware table (Java `AppendCompactCoordinator`,
 * one batch run). `dvIndexOf` names the DV index file holding a file's vector (deletion
 * vectors on), `deletedRows` its deleted-row count (null when unknown).
 */
export function planUnawareCompaction(
  files: readonly DataFileMeta[],
  s: AppendCompactionSettings,
  dvIndexOf: (f: DataFileMeta) => { indexFile: string; deletedRows: bigint | null } | null = () => null,
): DataFileMeta[][] {
  const tooManyDeleted = (f: DataFileMeta) => {
    if (!s.deletionVectors) return false;
    const dv = dvIndexOf(f);
    if (dv === null) return false;
    return dv.deletedRows === null || Number(dv.deletedRows) > Number(f.rowCount) * s.deleteRatioThreshold;
  };
  const due = files.filter((f) => f.fileSize < BigInt(s.compactionFileSize) || tooManyDeleted(f));
  const limit = BigInt(s.targetFileSize) * 2n;
  const cost = BigInt(s.openFileCost);
  const result: DataFileMeta[][] = [];
  let bin: DataFileMeta[] = [];
  let binSize = 0n;
  const add = (f: DataFileMeta) => {
    bin.push(f);
    binSize += f.fileSize + cost;
  };
  const drainIfFull = () => {
    if (bin.length > 1 && binSize >= limit) drain();
  };
  const drain = () => {
    result.push(bin);
    bin = [];
    binSize = 0n;
  };
  const bySize = (a: DataFileMeta, b: DataFileMeta) => (a.fileSize < b.fileSize ? -1 : a.fileSize > b.fileSize ? 1 : bySequence(a, b));
  const pack = (candidates: DataFileMeta[]) => {
    for (const f of [...candidates].sort(bySize)) {
      add(f);
      drainIfFull();
    }
    if (bin.length >= s.minFileNum) drain();
    bin = [];
    binSize = 0n;
  };
  if (!s.deletionVectors) {
    pack(due);
    return result;
  }
  // files sharing a DV index file go into one task: the index file is rewritten once
  const groups = new Map<string, DataFileMeta[]>();
  const rest: DataFileMeta[] = [];
  for (const f of due) {
    const dv = dvIndexOf(f);
    if (dv === null) rest.push(f);
    else groups.set(dv.indexFile, [...(groups.get(dv.indexFile) ?? []), f]);
  }
  const groupSize = (g: DataFileMeta[]) => g.reduce((t, f) => t + f.fileSize, 0n);
  for (const g of [...groups.values()].sort((a, b) => (groupSize(a) < groupSize(b) ? -1 : groupSize(a) > groupSize(b) ? 1 : 0))) {
    for (const f of g) add(f);
    drainIfFull();
  }
  // files with deletion vectors are always compacted
  if (bin.length > 0) drain();
  if (rest.length > 1) pack(rest);
  return result;
}

export interface AppendCompactionTask {
  partition: Uint8Array;
  bucket: number;
  totalBuckets: number;
  files: DataFileMeta[];
}

export interface AppendCompactionOptions {
  /** Fixed-bucket tables: full compaction instead of the auto-compaction pick. Bucket-unaware tables have one kind. */
  full?: boolean;
  /** Only the partitions whose values pass. */
  partitionFilter?: (values: InternalValue[]) => boolean;
}

/** Deletion-vector index files of a snapshot, by (partition hex) → data file name. */
class DeletionVectorIndex {
  private readonly byFile = new Map<string, { entry: IndexManifestEntry; deletion: DeletionFile }>();

  constructor(table: FileStoreTable, entries: readonly IndexManifestEntry[]) {
    for (const e of entries) {
      if (e.indexFile.indexType !== DELETION_VECTORS_INDEX) continue;
      const path = table.paths.index(e.indexFile.fileName);
      for (const r of e.indexFile.dvRanges ?? []) {
        this.byFile.set(`${toHex(e.partition)}/${r.dataFileName}`, { entry: e, deletion: { path, offset: r.offset, length: r.length, cardinality: r.cardinality } });
      }
    }
  }

  of(partition: Uint8Array, file: DataFileMeta): { entry: IndexManifestEntry; deletion: DeletionFile } | undefined {
    return this.byFile.get(`${toHex(partition)}/${file.fileName}`);
  }
}

/** Plans the compaction of an append table's latest snapshot. */
export async function planAppendCompaction(table: FileStoreTable, opts: AppendCompactionOptions = {}): Promise<{ snapshotId: bigint | null; tasks: AppendCompactionTask[] }> {
  const wopts = checkedOptions(table);
  const s = appendCompactionSettings(table, wopts);
  const snapshot = await table.snapshots.latest();
  if (snapshot === null) return { snapshotId: null, tasks: [] };
  const pTypes = partitionFields(table.schema).map((f) => f.type);
  const dvs = new DeletionVectorIndex(table, await table.indexEntries(snapshot));
  const groups = new Map<string, AppendCompactionTask>();
  const rejected = new Set<string>();
  for (const e of await table.liveEntries(snapshot)) {
    const pkey = toHex(e.partition);
    if (rejected.has(pkey)) continue;
    if (opts.partitionFilter && !groups.has(`${pkey}/${e.bucket}`) && !opts.partitionFilter(deserializeBinaryRow(pTypes, e.partition))) {
      rejected.add(pkey);
      continue;
    }
    const key = `${pkey}/${e.bucket}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { partition: e.partition, bucket: e.bucket, totalBuckets: e.totalBuckets, files: [] }));
    g.files.push(e.file);
  }
  const tasks: AppendCompactionTask[] = [];
  const unaware = wopts.bucket === -1;
  let budget = s.fileNumLimit;
  for (const g of groups.values()) {
    if (unaware) {
      // Java's coordinator looks at most `compaction.file-num-limit` files per run
      const files = g.files.slice(0, Math.max(0, budget));
      budget -= files.length;
      const dvIndexOf = (f: DataFileMeta) => {
        const d = dvs.of(g.partition, f);
        return d ? { indexFile: d.entry.indexFile.fileName, deletedRows: d.deletion.cardinality } : null;
      };
      for (const files2 of planUnawareCompaction(files, s, dvIndexOf)) {
        if (files2.length > 1 || s.deletionVectors) tasks.push({ ...g, files: sortBySequence(files2) });
      }
    } else {
      const picked = opts.full ? pickAppendFullCompaction(g.files, s, (f) => dvs.of(g.partition, f) !== undefined) : pickAppendAutoCompaction(g.files, s);
      if (picked && picked.length > 0) tasks.push({ ...g, files: picked });
    }
  }
  return { snapshotId: snapshot.id, tasks };
}

function checkedOptions(table: FileStoreTable): WriteOptions {
  const schema = table.schema;
  if (schema.primaryKeys.length > 0) throw new InvalidInputError(`table ${table.name} has a primary key; append compaction is for tables without one`);
  const opts = writeOptions(schema, table.name);
  // row tracking keeps `_FIRST_ROW_ID` ranges a rewrite would have to carry over: refused here, as for writing
  checkWritable(schema, opts, table.name);
  if (opts.bucket === 0 || opts.bucket < -1) throw new UnsupportedError(`table ${table.name}: bucket = ${opts.bucket} is not an append-table bucket mode that compacts (use -1 or N > 0)`);
  return opts;
}

/**
 * Rewrites a task's files (in sequence order, deleted rows dropped) into new level-0
 * files. Returns the message for the committer; the new files are not yet committed.
 */
export async function rewriteAppendFiles(
  table: FileStoreTable,
  task: AppendCompactionTask,
  deletionFiles: ReadonlyMap<string, DeletionFile> = new Map(),
  opts: WriteOptions = checkedOptions(table),
  names: DataFileNamer = new DataFileNamer(opts.dataFilePrefix),
): Promise<DataFileMeta[]> {
  const files = sortBySequence(task.files);
  if (files.length === 0) return [];
  const schema = table.schema;
  const pFields = partitionFields(schema);
  const values = deserializeBinaryRow(
    pFields.map((f) => f.type),
    task.partition,
  );
  const core = opts.core;
  const pPath = partitionPath(pFields, values, { defaultName: core.partitionDefaultName, legacyName: core.partitionLegacyName });
  let altPath = pPath;
  try {
    if (pFields.length > 0) altPath = partitionPath(pFields, values, { defaultName: core.partitionDefaultName, legacyName: !core.partitionLegacyName });
  } catch {
    // some types have no name under the other rule: no fallback directory
  }
  const bucketPath = table.paths.bucketDir(pPath, task.bucket);
  const split: DataSplit = {
    partition: task.partition,
    partitionValues: values,
    partitionPath: pPath,
    bucket: task.bucket,
    totalBuckets: task.totalBuckets,
    bucketPath,
    altBucketPath: altPath === pPath ? null : table.paths.bucketDir(altPath, task.bucket),
    files,
    deletionFiles: new Map([...deletionFiles].filter(([name]) => files.some((f) => f.fileName === name))),
  };
  const writer = new RollingDataFileWriter({
    io: table.io,
    directory: bucketPath,
    fields: schema.fields,
    schemaId: schema.id,
    level: 0,
    fileSource: FileSource.COMPACT,
    statsModes: statsModesFor(
      schema.fields.map((f) => f.name),
      opts,
      0,
    ),
    denseStore: opts.statsDenseStore,
    targetFileSize: opts.targetFileSize,
    compression: opts.compression,
    zstdLevel: opts.zstdLevel,
    names,
    // Java's rewriter numbers the rows from the first input file's minimum on
    layout: { kind: "append", nextSequence: files[0].minSequenceNumber },
  });
  try {
    for await (const b of readSplitBatches(table, split, schema)) await writer.write(b);
    return await writer.close();
  } catch (e) {
    await writer.abort().catch(() => undefined);
    throw e;
  }
}

/**
 * Compacts an append table's latest snapshot: plans the tasks and rewrites their files.
 * Returns one message per task; commit them with `FileStoreCommit.commit` (a COMPACT
 * snapshot), or delete their outputs with `discardAppendCompaction` if the commit fails.
 */
export async function compactAppendTable(staleTable: FileStoreTable, opts: AppendCompactionOptions = {}): Promise<CommitMessage[]> {
  // the files are rewritten in the latest schema, as Java's compaction does
  const table = await staleTable.refresh();
  const wopts = checkedOptions(table);
  const snapshot = await table.snapshots.latest();
  const { tasks } = await planAppendCompaction(table, opts);
  if (tasks.length === 0 || snapshot === null) return [];
  const indexEntries = await table.indexEntries(snapshot);
  const dvs = new DeletionVectorIndex(table, indexEntries);
  const messages: CommitMessage[] = [];
  const names = new DataFileNamer(wopts.dataFilePrefix);
  const indexNames = new MetadataFileNames();
  try {
    for (const task of tasks) {
      const deletion = new Map<string, DeletionFile>();
      const touched = new Map<string, IndexManifestEntry>();
      for (const f of task.files) {
        const d = dvs.of(task.partition, f);
        if (!d) continue;
        deletion.set(f.fileName, d.deletion);
        touched.set(d.entry.indexFile.fileName, d.entry);
      }
      const after = await rewriteAppendFiles(table, task, deletion, wopts, names);
      const m: CommitMessage = { partition: task.partition, bucket: task.bucket, totalBuckets: task.totalBuckets, newFiles: [], compactBefore: task.files, compactAfter: after };
      messages.push(m);
      await replaceIndexFiles(table, wopts, task, [...touched.values()], indexNames, m);
    }
  } catch (e) {
    await discardAppendCompaction(table, messages);
    throw e;
  }
  return messages;
}

/**
 * The deletion-vector index files a task touched, without the vectors of the files it
 * rewrote: an index file left with no vector is deleted, one that still holds vectors of
 * other files is replaced by a new file holding only those (Java's DV maintainers do the
 * same: per bucket for fixed buckets, per index file for bucket-unaware tables).
 */
async function replaceIndexFiles(table: FileStoreTable, opts: WriteOptions, task: AppendCompactionTask, touched: readonly IndexManifestEntry[], indexNames: MetadataFileNames, m: CommitMessage): Promise<void> {
  if (touched.length === 0) return;
  const dvio = { io: table.io, indexPath: (f: IndexFileMeta) => f.externalPath ?? table.paths.index(f.fileName), newIndexFileName: () => indexNames.newIndexFile() };
  const bitmap64 = opts.deletionVectorsBitmap64;
  const added: IndexFileMeta[] = [];
  const deleted: IndexFileMeta[] = [];
  const rewritten = new Set(task.files.map((f) => f.fileName));
  for (const e of touched) {
    const kept = (e.indexFile.dvRanges ?? []).filter((r) => !rewritten.has(r.dataFileName));
    deleted.push(e.indexFile);
    // a bucket-unaware index file with nothing left goes; a bucket's is replaced by an empty one, as Java's bucket maintainer does
    if (kept.length === 0 && opts.bucket < 0) continue;
    const dvs = new BucketDeletionVectors(dvio, bitmap64, [e.indexFile]);
    await dvs.load();
    for (const name of rewritten) dvs.remove(name);
    const written = await dvs.writeIndexFile();
    if (written) added.push(written.file);
  }
  m.compactDeletedIndexFiles = deleted;
  if (added.length > 0) m.compactIndexFiles = added;
}

/** Deletes the files compaction messages added (after a failed commit). */
export async function discardAppendCompaction(table: FileStoreTable, messages: readonly CommitMessage[]): Promise<void> {
  const pFields = partitionFields(table.schema);
  const core = table.options;
  for (const m of messages) {
    for (const f of m.compactIndexFiles ?? []) await table.io.delete(f.externalPath ?? table.paths.index(f.fileName)).catch(() => false);
    if (!m.compactAfter?.length) continue;
    const values = deserializeBinaryRow(
      pFields.map((f) => f.type),
      m.partition,
    );
    const dir = table.paths.bucketDir(partitionPath(pFields, values, { defaultName: core.partitionDefaultName, legacyName: core.partitionLegacyName }), m.bucket);
    for (const f of m.compactAfter) await table.io.delete(`${dir.replace(/\/$/, "")}/${f.fileName}`).catch(() => false);
  }
}

export interface RunAppendCompactionOptions extends AppendCompactionOptions, Pick<CommitOptions, "commitUser" | "commitIdentifier" | "properties"> {
  /** The committer to use (default: a new one for the table). */
  committer?: FileStoreCommit;
}

/**
 * Compacts and commits: the COMPACT snapshot's id, or null when there was nothing to do.
 * When the commit fails (a concurrent commit deleted or compacted one of the files: a
 * `CommitConflictError`), the new files are deleted and the error is rethrown.
 */
export async function runAppendCompaction(table: FileStoreTable, opts: RunAppendCompactionOptions = {}): Promise<bigint | null> {
  const messages = await compactAppendTable(table, opts);
  if (messages.length === 0) return null;
  const committer = opts.committer ?? new FileStoreCommit(table, { commitUser: opts.commitUser });
  let ids: bigint[];
  try {
    ids = await committer.commit(messages, { commitUser: opts.commitUser, commitIdentifier: opts.commitIdentifier, properties: opts.properties });
  } catch (e) {
    // only a conflict says for sure the snapshot was not written; otherwise keep the files
    if (e instanceof CommitConflictError) await discardAppendCompaction(table, messages);
    throw e;
  }
  return ids.length > 0 ? ids[ids.length - 1] : null;
}
