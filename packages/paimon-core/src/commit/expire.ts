/**
 * Snapshot expiration (METADATA.md §7.6).
 *
 * Range: with latest L and earliest E, snapshots below `L − retainMax + 1` always go,
 * at least `retainMin` stay, consumers (`consumer/consumer-<id>`, `nextSnapshot`) and
 * `limit` cap the end, and from there on a snapshot is only expired while its own
 * `timeMillis` is older than `now − timeRetained` (what Java 1.4.2's ExpireSnapshotsImpl
 * does). The range [E, end) is then expired:
 *
 * * data files DELETEd by the delta of a snapshot in (E, end] (and not re-added by the
 *   same delta, an upgrade) are deleted with their extra files, unless snapshot `end`
 *   or a tag still references them;
 * * changelog files ADDed by the changelog manifests of [E, end);
 * * manifest lists, manifests, index manifests, index files and statistics files of
 *   [E, end) that snapshot `end` and the tags do not reference;
 * * the snapshot files, then the `EARLIEST` hint.
 *
 * Everything is read and decided before anything is deleted. Snapshot files are removed
 * before the files they referenced (Java does it the other way round): an interrupted
 * expiration then leaves unreferenced files for the orphan cleaner, never a snapshot that
 * points to deleted files. Schema files are never deleted. Deletes are best effort.
 */
import { InvalidInputError, UnsupportedError, isNotFound, joinPath, type FileIO } from "@paimon-ts/fileio";
import { deserializeBinaryRow } from "../data/binary-row.js";
import { partitionPath } from "../data/partition-path.js";
import { FileKind, type ManifestEntry } from "../manifest/model.js";
import { partitionFields } from "../schema/table-schema.js";
import { EARLIEST_HINT, formatHint } from "../snapshot/hint.js";
import type { Snapshot } from "../snapshot/snapshot.js";
import type { FileStoreTable } from "../table/table.js";
import { isJsonObject, parseJson } from "../util/json.js";
import { commitTableOptions, parseDurationMs } from "./options.js";

export interface ExpireOptions {
  /** `snapshot.num-retained.min` (table option, default 10). */
  retainMin?: number;
  /** `snapshot.num-retained.max` (table option, default Integer.MAX_VALUE). */
  retainMax?: number;
  /** `snapshot.time-retained` in ms (table option, default 1 h). */
  timeRetainedMs?: number;
  /** `snapshot.expire.limit` (table option, default 50): at most this many snapshots per run. */
  limit?: number;
  /** The current time (default `Date.now()`). */
  now?: number;
}

export interface ExpireResult {
  /** Ids of the snapshots removed, ascending. */
  expiredSnapshots: bigint[];
  /** The earliest snapshot after the run (null for a table without snapshots). */
  earliest: bigint | null;
  deletedDataFiles: string[];
  deletedChangelogFiles: string[];
  /** Manifest lists, manifests and index manifests. */
  deletedManifestFiles: string[];
  deletedIndexFiles: string[];
  deletedStatisticsFiles: string[];
}

/** The smallest `nextSnapshot` over the table's consumers, or null when there are none. */
export async function minConsumerNextSnapshot(io: FileIO, tablePath: string): Promise<bigint | null> {
  const dir = joinPath(tablePath, "consumer");
  if (!(await io.exists(dir))) return null;
  let min: bigint | null = null;
  for (const f of await io.list(dir)) {
    const name = f.path.slice(f.path.lastIndexOf("/") + 1);
    if (f.isDir || !name.startsWith("consumer-")) continue;
    const j = parseJson(new TextDecoder().decode(await io.readFile(f.path)));
    const v = isJsonObject(j) ? j.nextSnapshot : undefined;
    if (typeof v !== "number" && typeof v !== "bigint") throw new InvalidInputError(`consumer file ${f.path} has no nextSnapshot`);
    const n = BigInt(v);
    if (min === null || n < min) min = n;
  }
  return min;
}

function isChangelogDecoupled(o: Record<string, string>, retainMin: number, retainMax: number, timeMs: number): boolean {
  const num = (k: string, d: number): number => (o[k] === undefined ? d : Number(o[k]));
  const cMin = num("changelog.num-retained.min", retainMin);
  const cMax = num("changelog.num-retained.max", retainMax);
  const cTime = o["changelog.time-retained"] === undefined ? timeMs : parseDurationMs(o["changelog.time-retained"], "changelog.time-retained");
  return cMin > retainMin || cMax > retainMax || cTime > timeMs;
}

/** Where a data file lives; `alt` is the path under the other `partition.legacy-name` rule. */
export function dataFilePaths(table: FileStoreTable, e: ManifestEntry, name = e.file.fileName): { path: string; alt: string | null } {
  if (e.file.externalPath !== null && name === e.file.fileName) return { path: e.file.externalPath, alt: null };
  const fields = partitionFields(table.schema);
  const o = table.options;
  if (fields.length === 0) return { path: joinPath(table.paths.bucketDir("", e.bucket), name), alt: null };
  const values = deserializeBinaryRow(
    fields.map((f) => f.type),
    e.partition,
  );
  const p = partitionPath(fields, values, { defaultName: o.partitionDefaultName, legacyName: o.partitionLegacyName });
  let alt: string | null = null;
  try {
    const a = partitionPath(fields, values, { defaultName: o.partitionDefaultName, legacyName: !o.partitionLegacyName });
    if (a !== p) alt = joinPath(table.paths.bucketDir(a, e.bucket), name);
  } catch {
    alt = null;
  }
  return { path: joinPath(table.paths.bucketDir(p, e.bucket), name), alt };
}

/** Manifest lists, manifests, index manifest, index files and statistics file a snapshot references. */
export async function snapshotMetadataFiles(table: FileStoreTable, s: Snapshot): Promise<{ manifests: Set<string>; index: Set<string>; statistics: Set<string> }> {
  const manifests = new Set<string>();
  const index = new Set<string>();
  const statistics = new Set<string>();
  for (const list of [s.baseManifestList, s.deltaManifestList, s.changelogManifestList]) {
    if (!list) continue;
    manifests.add(list);
    for (const m of await table.manifestList(list)) manifests.add(m.fileName);
  }
  if (s.indexManifest) {
    manifests.add(s.indexManifest);
    for (const e of await table.indexEntries(s)) index.add(e.indexFile.fileName);
  }
  if (s.statistics) statistics.add(s.statistics);
  return { manifests, index, statistics };
}

async function entriesOf(table: FileStoreTable, list: string | null): Promise<ManifestEntry[]> {
  if (!list) return [];
  const out: ManifestEntry[] = [];
  for (const m of await table.manifestList(list)) out.push(...(await table.manifestFile(m)));
  return out;
}

async function deleteAll(io: FileIO, paths: Iterable<string>, out: string[]): Promise<void> {
  for (const p of paths) {
    try {
      if (await io.delete(p)) out.push(p);
    } catch {
      // best effort: what remains is found by the orphan-file cleaner
    }
  }
}

export async function expireSnapshots(table: FileStoreTable, opts: ExpireOptions = {}): Promise<ExpireResult> {
  const o = commitTableOptions(table.schema.options);
  const retainMin = opts.retainMin ?? o.snapshotNumRetainedMin;
  const retainMax = opts.retainMax ?? o.snapshotNumRetainedMax;
  const timeRetained = opts.timeRetainedMs ?? o.snapshotTimeRetainedMs;
  const limit = opts.limit ?? o.snapshotExpireLimit;
  const now = opts.now ?? Date.now();
  if (retainMin < 1) throw new InvalidInputError(`snapshot.num-retained.min must be at least 1, got ${retainMin}`);
  if (retainMax < retainMin) throw new InvalidInputError(`retainMax (${retainMax}) must not be less than retainMin (${retainMin})`);
  if (limit < 1) throw new InvalidInputError(`snapshot.expire.limit must be at least 1, got ${limit}`);
  if (isChangelogDecoupled(table.schema.options, retainMin, retainMax, timeRetained)) {
    throw new UnsupportedError(`table ${table.name}: the decoupled changelog lifecycle (changelog.* retention options) is not supported by paimon-ts expiration`);
  }
  const io = table.io;
  const result: ExpireResult = {
    expiredSnapshots: [],
    earliest: null,
    deletedDataFiles: [],
    deletedChangelogFiles: [],
    deletedManifestFiles: [],
    deletedIndexFiles: [],
    deletedStatisticsFiles: [],
  };
  const latest = await table.snapshots.latestId();
  const earliest = await table.snapshots.earliestId();
  if (latest === null || earliest === null) return result;
  result.earliest = earliest;

  // --- the range [earliest, end)
  const olderThan = BigInt(now - timeRetained);
  const min = latest - BigInt(retainMax) + 1n > earliest ? latest - BigInt(retainMax) + 1n : earliest;
  let maxExclusive = latest - BigInt(retainMin) + 1n;
  const consumer = await minConsumerNextSnapshot(io, table.path);
  if (consumer !== null && consumer < maxExclusive) maxExclusive = consumer;
  if (earliest + BigInt(limit) < maxExclusive) maxExclusive = earliest + BigInt(limit);
  let end = maxExclusive;
  for (let id = min; id < maxExclusive; id++) {
    let s: Snapshot;
    try {
      s = await table.snapshots.snapshot(id);
    } catch {
      continue;
    }
    if (olderThan <= s.timeMillis) {
      end = id;
      break;
    }
  }
  if (end <= earliest) {
    if (!(await io.exists(table.paths.hint(EARLIEST_HINT)))) await io.overwrite(table.paths.hint(EARLIEST_HINT), new TextEncoder().encode(formatHint(earliest)));
    return result;
  }

  // --- read everything first
  // (a concurrent expiration may have removed some: skip those; without `end` there is nothing to do)
  const snapshots = new Map<bigint, Snapshot>();
  for (let id = earliest; id <= end; id++) {
    try {
      snapshots.set(id, await table.snapshots.snapshot(id));
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }
  const endSnapshot = snapshots.get(end);
  if (!endSnapshot) return result;
  const tags: Snapshot[] = [];
  for (const name of await table.snapshots.listTags()) tags.push(await table.snapshots.tag(name));

  // data files still referenced: live in `end`, or in a tag taken before `end`
  const referencedData = new Set<string>();
  const addLive = async (s: Snapshot): Promise<void> => {
    for (const e of await table.liveEntries(s)) {
      referencedData.add(e.file.fileName);
      for (const x of e.file.extraFiles) referencedData.add(x);
    }
  };
  await addLive(endSnapshot);
  for (const t of tags) if (t.id < end) await addLive(t);

  const dataToDelete = new Map<string, string | null>();
  for (let id = earliest + 1n; id <= end; id++) {
    const s = snapshots.get(id);
    if (!s) continue;
    const delta = await entriesOf(table, s.deltaManifestList);
    const readded = new Set(delta.filter((e) => e.kind === FileKind.ADD).map((e) => e.file.fileName));
    for (const e of delta) {
      if (e.kind !== FileKind.DELETE || readded.has(e.file.fileName)) continue;
      for (const name of [e.file.fileName, ...e.file.extraFiles]) {
        if (referencedData.has(name)) continue;
        const { path, alt } = dataFilePaths(table, e, name);
        dataToDelete.set(path, alt);
      }
    }
  }
  const changelogToDelete = new Map<string, string | null>();
  for (let id = earliest; id < end; id++) {
    for (const e of await entriesOf(table, snapshots.get(id)?.changelogManifestList ?? null)) {
      if (e.kind !== FileKind.ADD) continue;
      for (const name of [e.file.fileName, ...e.file.extraFiles]) {
        const { path, alt } = dataFilePaths(table, e, name);
        changelogToDelete.set(path, alt);
      }
    }
  }

  // metadata still referenced by `end` and the tags
  const keepManifests = new Set<string>();
  const keepIndex = new Set<string>();
  const keepStats = new Set<string>();
  for (const s of [endSnapshot, ...tags]) {
    const r = await snapshotMetadataFiles(table, s);
    r.manifests.forEach((x) => keepManifests.add(x));
    r.index.forEach((x) => keepIndex.add(x));
    r.statistics.forEach((x) => keepStats.add(x));
  }
  const manifestsToDelete = new Set<string>();
  const indexToDelete = new Set<string>();
  const statsToDelete = new Set<string>();
  for (let id = earliest; id < end; id++) {
    const s = snapshots.get(id);
    if (!s) continue;
    const r = await snapshotMetadataFiles(table, s);
    r.manifests.forEach((x) => keepManifests.has(x) || manifestsToDelete.add(x));
    r.index.forEach((x) => keepIndex.has(x) || indexToDelete.add(x));
    r.statistics.forEach((x) => keepStats.has(x) || statsToDelete.add(x));
  }

  // --- snapshots first (ascending keeps the ids contiguous), then EARLIEST
  for (let id = earliest; id < end; id++) {
    if (await io.delete(table.paths.snapshot(id))) result.expiredSnapshots.push(id);
  }
  await io.overwrite(table.paths.hint(EARLIEST_HINT), new TextEncoder().encode(formatHint(end)));
  result.earliest = end;

  // --- then the files nothing references any more
  const deleteWithAlt = async (m: Map<string, string | null>, out: string[]): Promise<void> => {
    for (const [path, alt] of m) {
      const before = out.length;
      await deleteAll(io, [path], out);
      if (out.length === before && alt !== null) await deleteAll(io, [alt], out);
    }
  };
  await deleteWithAlt(dataToDelete, result.deletedDataFiles);
  await deleteWithAlt(changelogToDelete, result.deletedChangelogFiles);
  await deleteAll(
    io,
    [...manifestsToDelete].map((n) => table.paths.manifest(n)),
    result.deletedManifestFiles,
  );
  await deleteAll(
    io,
    [...indexToDelete].map((n) => table.paths.index(n)),
    result.deletedIndexFiles,
  );
  await deleteAll(
    io,
    [...statsToDelete].map((n) => joinPath(table.path, "statistics", n)),
    result.deletedStatisticsFiles,
  );
  return result;
}
