/**
 * Manifest merging (METADATA.md §4.6), applied on every commit to the manifests of the
 * previous snapshot (base ++ delta) to build the next base manifest list. It is pure over
 * its callbacks: `read` returns a manifest's entries, `write` stores entries as new
 * manifest file(s) (rolling by size) and returns their manifest-list records.
 *
 * Either a full compaction happens (when enough bytes sit in small or delete-carrying
 * manifests) or a minor one; merging never changes the set of live files.
 */
import { FileKind, ManifestEntry, ManifestError, ManifestFileMeta } from "./model.js";
import { serializedRowArity, toHex } from "./bytes.js";
import { DEFAULT_MANIFEST_FULL_COMPACTION_SIZE, DEFAULT_MANIFEST_MERGE_MIN_COUNT, DEFAULT_MANIFEST_TARGET_FILE_SIZE, fileIdentifier, mergeEntries } from "./entries.js";

export interface ManifestMergeIO {
  read(meta: ManifestFileMeta): Promise<ManifestEntry[]>;
  write(entries: ManifestEntry[]): Promise<ManifestFileMeta[]>;
}

export interface ManifestMergeOptions {
  /** `manifest.target-file-size` (default 8 MiB). */
  targetFileSize?: number | bigint;
  /** `manifest.merge-min-count` (default 30). */
  mergeMinCount?: number;
  /** `manifest.full-compaction-threshold-size` (default 16 MiB). */
  fullCompactionThresholdSize?: number | bigint;
  /**
   * Whether a manifest's partition stats may contain any of these partitions. Used by full
   * compaction to leave large, delete-free manifests untouched without reading them.
   * Default: `true` (conservative: such manifests are read and only rewritten if they hold
   * a deleted file). Partition stats need the BinaryRow codec, hence the callback.
   */
  mayContainPartitions?: (meta: ManifestFileMeta, partitions: Uint8Array[]) => boolean;
}

export interface ManifestMergeResult {
  /** The manifests of the new base list, in order. */
  manifests: ManifestFileMeta[];
  /** The manifest files created by the merge (delete them if the commit is abandoned). */
  created: ManifestFileMeta[];
  kind: "none" | "minor" | "full";
}

/** A failed merge; `created` lists the files written before the failure (to delete). */
export class ManifestMergeError extends ManifestError {
  override name = "ManifestMergeError";
  constructor(
    message: string,
    readonly created: ManifestFileMeta[],
    override readonly cause?: unknown,
  ) {
    super(message);
  }
}

export async function mergeManifests(input: readonly ManifestFileMeta[], io: ManifestMergeIO, opts: ManifestMergeOptions = {}): Promise<ManifestMergeResult> {
  const created: ManifestFileMeta[] = [];
  const tracked: ManifestMergeIO = {
    read: (m) => io.read(m),
    write: async (entries) => {
      const metas = await io.write(entries);
      created.push(...metas);
      return metas;
    },
  };
  try {
    const full = await tryFullCompaction(input, tracked, opts);
    if (full) return { manifests: full, created, kind: "full" };
    const minor = await minorCompaction(input, tracked, opts);
    return { manifests: minor, created, kind: created.length > 0 || minor.length !== input.length ? "minor" : "none" };
  } catch (e) {
    throw new ManifestMergeError(`manifest merge failed: ${(e as Error).message}`, created, e);
  }
}

/**
 * Minor compaction: walk the manifests in order; whenever the accumulated size reaches the
 * target, merge that group; merge the leftover group only if it has at least
 * `mergeMinCount` manifests. A group of one is kept as is.
 */
export async function minorCompaction(input: readonly ManifestFileMeta[], io: ManifestMergeIO, opts: ManifestMergeOptions = {}): Promise<ManifestFileMeta[]> {
  const target = BigInt(opts.targetFileSize ?? DEFAULT_MANIFEST_TARGET_FILE_SIZE);
  const minCount = opts.mergeMinCount ?? DEFAULT_MANIFEST_MERGE_MIN_COUNT;
  const result: ManifestFileMeta[] = [];
  let group: ManifestFileMeta[] = [];
  let size = 0n;
  for (const m of input) {
    group.push(m);
    size += m.fileSize;
    if (size >= target) {
      result.push(...(await mergeGroup(group, io)));
      group = [];
      size = 0n;
    }
  }
  if (group.length >= minCount) result.push(...(await mergeGroup(group, io)));
  else result.push(...group);
  return result;
}

async function mergeGroup(group: ManifestFileMeta[], io: ManifestMergeIO): Promise<ManifestFileMeta[]> {
  if (group.length === 1) return group;
  const map = new Map<string, ManifestEntry>();
  for (const m of group) mergeEntries(await io.read(m), map);
  if (map.size === 0) return [];
  return io.write([...map.values()]);
}

/**
 * Full compaction, or null when it does not apply. Triggered when the manifests that "must
 * change" (they carry DELETE entries or are smaller than the target) add up to at least
 * the threshold. Then every DELETE identifier across all manifests is collected, and each
 * manifest is either kept (not must-change and holding none of the deleted files) or its
 * surviving ADD entries are rewritten; DELETE entries disappear.
 */
export async function tryFullCompaction(input: readonly ManifestFileMeta[], io: ManifestMergeIO, opts: ManifestMergeOptions = {}): Promise<ManifestFileMeta[] | null> {
  const target = BigInt(opts.targetFileSize ?? DEFAULT_MANIFEST_TARGET_FILE_SIZE);
  const trigger = BigInt(opts.fullCompactionThresholdSize ?? DEFAULT_MANIFEST_FULL_COMPACTION_SIZE);
  if (trigger <= 0n) throw new ManifestError("manifest.full-compaction-threshold-size must be positive");
  const mustChange = (m: ManifestFileMeta): boolean => m.numDeletedFiles > 0n || m.fileSize < target;
  let deltaSize = 0n;
  for (const m of input) if (mustChange(m)) deltaSize += m.fileSize;
  if (deltaSize < trigger) return null;

  // 1. identifiers (and partitions) of every DELETE entry; only manifests with deletes hold them
  const cache = new Map<ManifestFileMeta, ManifestEntry[]>();
  const read = async (m: ManifestFileMeta): Promise<ManifestEntry[]> => {
    let e = cache.get(m);
    if (!e) cache.set(m, (e = await io.read(m)));
    return e;
  };
  const deleted = new Set<string>();
  const deletedPartitions = new Map<string, Uint8Array>();
  for (const m of input) {
    if (m.numDeletedFiles === 0n) continue;
    for (const e of await read(m)) {
      if (e.kind !== FileKind.DELETE) continue;
      deleted.add(fileIdentifier(e));
      deletedPartitions.set(toHex(e.partition), e.partition);
    }
  }

  // 2. leave out large delete-free manifests that cannot contain a deleted partition
  const kept: ManifestFileMeta[] = [];
  const candidates: ManifestFileMeta[] = [];
  const partitions = [...deletedPartitions.values()];
  const partitioned = partitions.some((p) => serializedRowArity(p) > 0);
  for (const m of input) {
    if (mustChange(m)) candidates.push(m);
    else if (deleted.size === 0) kept.push(m);
    else if (partitioned && opts.mayContainPartitions && !opts.mayContainPartitions(m, partitions)) kept.push(m);
    else candidates.push(m);
  }
  if (candidates.length <= 1) return null;

  // 3. rewrite: keep a candidate unchanged unless it must change or holds a deleted file
  const result = [...kept];
  const rewritten: ManifestEntry[] = [];
  for (const m of candidates) {
    let change = mustChange(m);
    const survivors: ManifestEntry[] = [];
    for (const e of await read(m)) {
      if (e.kind === FileKind.DELETE) continue;
      if (deleted.has(fileIdentifier(e))) change = true;
      else survivors.push(e);
    }
    if (change) rewritten.push(...survivors);
    else result.push(m);
  }
  if (rewritten.length > 0) result.push(...(await io.write(rewritten)));
  return result;
}
