/**
 * Entry semantics (METADATA.md §4.5, §8.1): file identifiers, merging ADD/DELETE entries,
 * the live data files of a snapshot, manifest-file metadata, rolling manifest writing, and
 * the index-manifest combination rules of §4.4.
 */
import { initCodecs } from "../util/codec.js";
import {
  DELETION_VECTORS_INDEX,
  FileKind,
  HASH_INDEX,
  IndexManifestEntry,
  ManifestEntry,
  ManifestError,
  ManifestFileMeta,
  SimpleStats,
  emptyStats,
} from "./model.js";
import { serializedRowArity, toHex } from "./bytes.js";
import { ManifestFileEncoder, ManifestWriteOptions } from "./serde.js";

// ------------------------------------------------------------------ identifiers

/**
 * The identity of a data file in entry merging (`FileEntry.Identifier`): partition bytes,
 * bucket, level, file name, extra files, embedded index and external path, encoded as
 * one string usable as a Map key. A DELETE cancels the ADD with the same identifier.
 */
export function fileIdentifier(e: ManifestEntry): string {
  const f = e.file;
  return JSON.stringify([
    toHex(e.partition),
    e.bucket,
    f.level,
    f.fileName,
    f.extraFiles,
    f.embeddedIndex === null ? null : toHex(f.embeddedIndex),
    f.externalPath,
  ]);
}

export class DuplicateFileError extends ManifestError {
  override name = "DuplicateFileError";
}

function describeEntry(e: ManifestEntry): string {
  return `${e.file.fileName} (bucket ${e.bucket}, level ${e.file.level}, partition ${toHex(e.partition)})`;
}

/**
 * Merges entries in order, as a manifest merge does: an ADD whose identifier is already
 * present is an error; a DELETE removes the matching earlier ADD (both disappear) or, if
 * there is none, is kept (its ADD lives in an earlier manifest). Order is preserved.
 */
export function mergeEntries(entries: Iterable<ManifestEntry>, into: Map<string, ManifestEntry> = new Map()): ManifestEntry[] {
  for (const e of entries) {
    const id = fileIdentifier(e);
    if (e.kind === FileKind.ADD) {
      if (into.has(id)) throw new DuplicateFileError(`Trying to add file ${describeEntry(e)} which is already added`);
      into.set(id, e);
    } else if (into.has(id)) {
      into.delete(id);
    } else {
      into.set(id, e);
    }
  }
  return [...into.values()];
}

/**
 * The live data files of a snapshot from the entries of its base and delta manifest lists
 * (§8.1): every ADD whose identifier has no DELETE anywhere. Order-independent; the ADDs
 * keep their input order.
 */
export function liveEntries(entries: readonly ManifestEntry[]): ManifestEntry[] {
  const deleted = new Set<string>();
  for (const e of entries) if (e.kind === FileKind.DELETE) deleted.add(fileIdentifier(e));
  const out: ManifestEntry[] = [];
  for (const e of entries) if (e.kind === FileKind.ADD && !deleted.has(fileIdentifier(e))) out.push(e);
  return out;
}

/** Reads manifest lists and manifests by name (the caller does the I/O and decoding). */
export interface ManifestSource {
  manifestList(name: string): Promise<ManifestFileMeta[]>;
  manifestFile(meta: ManifestFileMeta): Promise<ManifestEntry[]>;
}

/** Entries of base ++ delta of a snapshot, in order (§4.5). */
export async function readSnapshotDataEntries(
  snapshot: { baseManifestList: string; deltaManifestList: string },
  source: ManifestSource,
): Promise<ManifestEntry[]> {
  const metas = [...(await source.manifestList(snapshot.baseManifestList)), ...(await source.manifestList(snapshot.deltaManifestList))];
  const lists = await Promise.all(metas.map((m) => source.manifestFile(m)));
  return lists.flat();
}

// ------------------------------------------------------------------ manifest file metadata

/** Computes min/max/null-count stats of partition rows (needs the BinaryRow codec). */
export type PartitionStatsCollector = (partitions: Uint8Array[]) => SimpleStats;

/**
 * The default collector: only for unpartitioned tables (every partition is the arity-0 row),
 * where the stats are empty. Partitioned tables need a real collector.
 */
export const unpartitionedStats: PartitionStatsCollector = (partitions) => {
  for (const p of partitions) {
    if (serializedRowArity(p) !== 0) {
      throw new ManifestError("partition stats of a partitioned table need a PartitionStatsCollector (BinaryRow min/max)");
    }
  }
  return emptyStats();
};

/** The manifest-list record describing a manifest file with these entries (§4.2). */
export function manifestFileMetaOf(
  fileName: string,
  fileSize: bigint | number,
  entries: readonly ManifestEntry[],
  opts: { partitionStats?: PartitionStatsCollector; schemaIdIfEmpty?: bigint } = {},
): ManifestFileMeta {
  let added = 0n;
  let deleted = 0n;
  let schemaId: bigint | null = null;
  let minBucket: number | null = null;
  let maxBucket: number | null = null;
  let minLevel: number | null = null;
  let maxLevel: number | null = null;
  let minRowId: bigint | null = null;
  let maxRowId: bigint | null = null;
  let allRowIds = entries.length > 0;
  for (const e of entries) {
    if (e.kind === FileKind.ADD) added++;
    else deleted++;
    const f = e.file;
    if (schemaId === null || f.schemaId > schemaId) schemaId = f.schemaId;
    if (minBucket === null || e.bucket < minBucket) minBucket = e.bucket;
    if (maxBucket === null || e.bucket > maxBucket) maxBucket = e.bucket;
    if (minLevel === null || f.level < minLevel) minLevel = f.level;
    if (maxLevel === null || f.level > maxLevel) maxLevel = f.level;
    if (f.firstRowId === null) allRowIds = false;
    else if (allRowIds) {
      const last = f.firstRowId + f.rowCount - 1n;
      if (minRowId === null || f.firstRowId < minRowId) minRowId = f.firstRowId;
      if (maxRowId === null || last > maxRowId) maxRowId = last;
    }
  }
  const collect = opts.partitionStats ?? unpartitionedStats;
  return {
    fileName,
    fileSize: BigInt(fileSize),
    numAddedFiles: added,
    numDeletedFiles: deleted,
    partitionStats: collect(entries.map((e) => e.partition)),
    schemaId: schemaId ?? opts.schemaIdIfEmpty ?? 0n,
    minBucket,
    maxBucket,
    minLevel,
    maxLevel,
    minRowId: allRowIds ? minRowId : null,
    maxRowId: allRowIds ? maxRowId : null,
  };
}

export interface WrittenManifest {
  meta: ManifestFileMeta;
  bytes: Uint8Array;
}

export interface ManifestFilesOptions extends ManifestWriteOptions {
  /** Name of each new manifest file (for example `ManifestNameFactory.newManifestFile`). */
  newFileName: () => string;
  /** Roll to a new file at this size (`manifest.target-file-size`, default 8 MiB). */
  targetFileSize?: number | bigint;
  partitionStats?: PartitionStatsCollector;
}

export const DEFAULT_MANIFEST_TARGET_FILE_SIZE = 8 * 1024 * 1024;
export const DEFAULT_MANIFEST_MERGE_MIN_COUNT = 30;
export const DEFAULT_MANIFEST_FULL_COMPACTION_SIZE = 16 * 1024 * 1024;

/**
 * Encodes entries into manifest files, rolling when a file reaches the target size, and
 * returns each file with its manifest-list record. No entries ⇒ no files. Synchronous:
 * zstd needs a prior `await initCodecs()` (or use {@link writeManifestFiles}).
 */
export function writeManifestFilesSync(entries: Iterable<ManifestEntry>, opts: ManifestFilesOptions): WrittenManifest[] {
  const target = Number(opts.targetFileSize ?? DEFAULT_MANIFEST_TARGET_FILE_SIZE);
  const out: WrittenManifest[] = [];
  let enc: ManifestFileEncoder | null = null;
  let batch: ManifestEntry[] = [];
  const close = (): void => {
    if (!enc || batch.length === 0) return;
    const bytes = enc.finish();
    const name = opts.newFileName();
    out.push({ bytes, meta: manifestFileMetaOf(name, bytes.length, batch, { partitionStats: opts.partitionStats }) });
    enc = null;
    batch = [];
  };
  for (const e of entries) {
    enc ??= new ManifestFileEncoder(opts);
    enc.append(e);
    batch.push(e);
    if (enc.estimatedSize >= target) close();
  }
  close();
  return out;
}

export async function writeManifestFiles(entries: Iterable<ManifestEntry>, opts: ManifestFilesOptions): Promise<WrittenManifest[]> {
  if ((opts.codec ?? "zstandard") === "zstandard") await initCodecs();
  return writeManifestFilesSync(entries, opts);
}

// ------------------------------------------------------------------ index manifest combination

export interface IndexCombineOptions {
  /**
   * True for bucket-unaware append tables: their DELETION_VECTORS files are combined by
   * file name (several per bucket allowed, one DV per data file) instead of being replaced
   * per (partition, bucket).
   */
  bucketUnaware?: boolean;
}

function bucketKey(e: IndexManifestEntry): string {
  return `${toHex(e.partition)}|${e.bucket}|${e.indexFile.indexType}`;
}

/**
 * The next complete index manifest (§4.4): the previous snapshot's index entries (all ADD)
 * combined with this commit's index ADD/DELETE entries.
 * * HASH, and DELETION_VECTORS of bucketed tables: keyed by (partition, bucket, type);
 *   DELETEs are applied first, then each ADD replaces whatever has its key.
 * * DELETION_VECTORS of bucket-unaware tables: keyed by file name; adding an existing file
 *   or a second DV for a data file, or deleting a missing one, is an error.
 * * any other (global) index type: keyed by file name, DELETEs first.
 */
export function combineIndexEntries(previous: readonly IndexManifestEntry[], changes: readonly IndexManifestEntry[], opts: IndexCombineOptions = {}): IndexManifestEntry[] {
  for (const e of previous) {
    if (e.kind !== FileKind.ADD) throw new ManifestError(`index manifest contains a DELETE entry for ${e.indexFile.fileName}`);
  }
  const types: string[] = [];
  const group = (list: readonly IndexManifestEntry[]): Map<string, IndexManifestEntry[]> => {
    const m = new Map<string, IndexManifestEntry[]>();
    for (const e of list) {
      const t = e.indexFile.indexType;
      if (!m.has(t)) {
        m.set(t, []);
        if (!types.includes(t)) types.push(t);
      }
      m.get(t)!.push(e);
    }
    return m;
  };
  const prev = group(previous);
  const cur = group(changes);
  const out: IndexManifestEntry[] = [];
  for (const t of types) {
    const p = prev.get(t) ?? [];
    const c = cur.get(t) ?? [];
    if (t === HASH_INDEX || (t === DELETION_VECTORS_INDEX && !opts.bucketUnaware)) out.push(...combineByKey(p, c, bucketKey));
    else if (t === DELETION_VECTORS_INDEX) out.push(...combineUnawareDv(p, c));
    else out.push(...combineByKey(p, c, (e) => e.indexFile.fileName));
  }
  return out;
}

function combineByKey(prev: readonly IndexManifestEntry[], changes: readonly IndexManifestEntry[], key: (e: IndexManifestEntry) => string): IndexManifestEntry[] {
  const m = new Map<string, IndexManifestEntry>();
  for (const e of prev) m.set(key(e), e);
  for (const e of changes) if (e.kind === FileKind.DELETE) m.delete(key(e));
  for (const e of changes) if (e.kind === FileKind.ADD) m.set(key(e), e);
  return [...m.values()];
}

function combineUnawareDv(prev: readonly IndexManifestEntry[], changes: readonly IndexManifestEntry[]): IndexManifestEntry[] {
  const m = new Map<string, IndexManifestEntry>();
  const dvFiles = new Set<string>();
  for (const e of prev) {
    m.set(e.indexFile.fileName, e);
    for (const r of e.indexFile.dvRanges ?? []) dvFiles.add(r.dataFileName);
  }
  for (const e of changes) {
    const name = e.indexFile.fileName;
    const ranges = e.indexFile.dvRanges ?? [];
    if (e.kind === FileKind.ADD) {
      if (m.has(name)) throw new ManifestError(`Trying to add index file ${name} which is already added`);
      for (const r of ranges) {
        if (dvFiles.has(r.dataFileName)) throw new ManifestError(`Trying to add a deletion vector for data file ${r.dataFileName} which already has one`);
        dvFiles.add(r.dataFileName);
      }
      m.set(name, e);
    } else {
      if (!m.has(name)) throw new ManifestError(`Trying to delete index file ${name} which does not exist`);
      for (const r of ranges) {
        if (!dvFiles.has(r.dataFileName)) throw new ManifestError(`Trying to delete the deletion vector of data file ${r.dataFileName} which does not exist`);
        dvFiles.delete(r.dataFileName);
      }
      m.delete(name);
    }
  }
  return [...m.values()];
}
