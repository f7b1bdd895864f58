/**
 * Orphan-file cleaning (METADATA.md §7.8): deletes files under the table directory that
 * no snapshot, changelog, tag or branch references and that are older than a threshold
 * (default one day, so files of commits in flight are safe).
 *
 * Candidates: data and changelog files (and their extra files) in bucket directories,
 * `manifest/` files (manifests, manifest lists, index manifests), `index/` files,
 * `statistics/` files, and leftover temporary files (`.<name>.<uuid>.tmp`) in `snapshot/`
 * and `schema/`. Schema files, snapshot files, tags, hints, consumers and anything
 * unrecognised are never touched. References are collected by file name, which errs on
 * the side of keeping files. If any referenced metadata cannot be read the run aborts
 * before deleting anything.
 */
import { isNotFound, joinPath, type FileIO, type FileStatus } from "@paimon-ts/fileio";
import { parseSnapshotFileName, snapshotFromJson, type Snapshot } from "../snapshot/snapshot.js";
import { TAG_PREFIX, tagFromJson, tagToSnapshot } from "../snapshot/tag.js";
import { FileStoreTable } from "../table/table.js";
import { MANIFEST_LIST_PREFIX, MANIFEST_PREFIX, INDEX_MANIFEST_PREFIX, INDEX_FILE_PREFIX, STATISTICS_PREFIX } from "../manifest/naming.js";

export const DEFAULT_ORPHAN_OLDER_THAN_MS = 24 * 60 * 60 * 1000;

export interface OrphanCleanOptions {
  /** Only files modified before this epoch-millis instant are removed (default `now − 1 day`). */
  olderThanMillis?: number;
  /** The current time (default `Date.now()`). */
  now?: number;
  /** List what would be deleted without deleting. */
  dryRun?: boolean;
}

export interface OrphanCleanResult {
  /** Paths of the orphan files (deleted, or that would be in a dry run). */
  files: string[];
  totalBytes: number;
}

const RESERVED_DIRS = new Set(["schema", "snapshot", "tag", "branch", "consumer", "changelog", "manifest", "index", "statistics"]);
const BUCKET_DIR = /^bucket-(\d+|postpone)$/;
const TEMP_FILE = /^\..+\.tmp$/;

async function listOrEmpty(io: FileIO, dir: string): Promise<FileStatus[]> {
  try {
    return await io.list(dir);
  } catch (e) {
    if (isNotFound(e)) return [];
    throw e;
  }
}

function baseName(path: string): string {
  const p = path.replace(/\/+$/, "");
  return p.slice(p.lastIndexOf("/") + 1);
}

/** Snapshots (and changelogs, tags) of the main table and of every branch. */
async function allRoots(table: FileStoreTable): Promise<Snapshot[]> {
  const io = table.io;
  const out: Snapshot[] = [];
  const branchRoots = [table.path];
  for (const b of await listOrEmpty(io, joinPath(table.path, "branch"))) if (b.isDir && baseName(b.path).startsWith("branch-")) branchRoots.push(b.path);
  for (const root of branchRoots) {
    for (const dir of ["snapshot", "changelog"]) {
      for (const f of await listOrEmpty(io, joinPath(root, dir))) {
        const name = baseName(f.path);
        const isSnapshot = dir === "snapshot" ? parseSnapshotFileName(name) !== null : /^changelog-\d+$/.test(name);
        if (f.isDir || !isSnapshot) continue;
        let text: string;
        try {
          text = new TextDecoder().decode(await io.readFile(f.path));
        } catch (e) {
          if (isNotFound(e)) continue; // expired meanwhile: everything it held is unreferenced or still referenced elsewhere
          throw e;
        }
        out.push(snapshotFromJson(text, f.path));
      }
    }
    for (const f of await listOrEmpty(io, joinPath(root, "tag"))) {
      if (f.isDir || !baseName(f.path).startsWith(TAG_PREFIX)) continue;
      out.push(tagToSnapshot(tagFromJson(new TextDecoder().decode(await io.readFile(f.path)), f.path)));
    }
  }
  return out;
}

/**
 * Every file name a snapshot, changelog, tag or branch references: its manifest lists and
 * manifests, its index manifest and index files, its statistics file, the data files live
 * in it (with their extra files) and the changelog files it added. A data file that only
 * appears in ADD/DELETE pairs of old history is not referenced: no retained snapshot can
 * read it.
 */
export async function referencedFileNames(table: FileStoreTable): Promise<Set<string>> {
  const used = new Set<string>();
  const seenLists = new Set<string>();
  const seenData = new Set<string>();
  const seenIndexManifests = new Set<string>();
  // a fresh table instance: nothing from caches, every read must succeed now
  const t = new FileStoreTable(table.io, table.path, table.name, table.schema);
  for (const s of await allRoots(t)) {
    for (const list of [s.baseManifestList, s.deltaManifestList, s.changelogManifestList]) {
      if (!list || seenLists.has(list)) continue;
      seenLists.add(list);
      used.add(list);
      for (const m of await t.manifestList(list)) used.add(m.fileName);
    }
    const dataKey = `${s.baseManifestList}|${s.deltaManifestList}`;
    if (!seenData.has(dataKey)) {
      seenData.add(dataKey);
      for (const e of await t.liveEntries(s)) {
        used.add(e.file.fileName);
        for (const x of e.file.extraFiles) used.add(x);
      }
    }
    if (s.changelogManifestList) {
      for (const m of await t.manifestList(s.changelogManifestList)) {
        for (const e of await t.manifestFile(m)) {
          used.add(e.file.fileName);
          for (const x of e.file.extraFiles) used.add(x);
        }
      }
    }
    if (s.indexManifest) {
      used.add(s.indexManifest);
      if (!seenIndexManifests.has(s.indexManifest)) {
        seenIndexManifests.add(s.indexManifest);
        for (const e of await t.indexEntries(s)) used.add(e.indexFile.fileName);
      }
    }
    if (s.statistics) used.add(s.statistics);
  }
  return used;
}

function isMetadataCandidate(dir: string, name: string): boolean {
  if (TEMP_FILE.test(name)) return true;
  switch (dir) {
    case "manifest":
      return name.startsWith(MANIFEST_LIST_PREFIX) || name.startsWith(INDEX_MANIFEST_PREFIX) || name.startsWith(MANIFEST_PREFIX);
    case "index":
      return name.startsWith(INDEX_FILE_PREFIX);
    case "statistics":
      return name.startsWith(STATISTICS_PREFIX);
    default:
      return false;
  }
}

async function candidates(table: FileStoreTable): Promise<FileStatus[]> {
  const io = table.io;
  const out: FileStatus[] = [];
  for (const top of await listOrEmpty(io, table.path)) {
    const name = baseName(top.path);
    if (!top.isDir) continue;
    if (name === "manifest" || name === "index" || name === "statistics") {
      for (const f of await listOrEmpty(io, top.path)) if (!f.isDir && isMetadataCandidate(name, baseName(f.path))) out.push(f);
      continue;
    }
    if (name === "snapshot" || name === "schema") {
      for (const f of await listOrEmpty(io, top.path)) if (!f.isDir && TEMP_FILE.test(baseName(f.path))) out.push(f);
      continue;
    }
    if (RESERVED_DIRS.has(name) || name.startsWith(".")) continue;
    // partition directories (and data-file.path-directory): files inside bucket directories
    for await (const f of io.listRecursive(top.path)) {
      const rel = f.path.slice(top.path.replace(/\/+$/, "").length + 1).split("/");
      const dirs = [name, ...rel.slice(0, -1)];
      if (dirs.some((d) => BUCKET_DIR.test(d))) out.push(f);
    }
  }
  return out;
}

/** Finds (and unless `dryRun`, deletes) the orphan files of a table. */
export async function removeOrphanFiles(table: FileStoreTable, opts: OrphanCleanOptions = {}): Promise<OrphanCleanResult> {
  const now = opts.now ?? Date.now();
  const olderThan = opts.olderThanMillis ?? now - DEFAULT_ORPHAN_OLDER_THAN_MS;
  // list first: a file committed after the listing started is not a candidate
  const files = await candidates(table);
  const used = await referencedFileNames(table);
  const orphans = files.filter((f) => f.modificationTime > 0 && f.modificationTime < olderThan && !used.has(baseName(f.path)));
  const result: OrphanCleanResult = { files: [], totalBytes: 0 };
  for (const f of orphans) {
    if (!opts.dryRun) {
      try {
        if (!(await table.io.delete(f.path))) continue;
      } catch {
        continue;
      }
    }
    result.files.push(f.path);
    result.totalBytes += f.size;
  }
  return result;
}
