/**
 * Snapshots of one table. Hints (`LATEST`, `EARLIEST`) are only hints: they are checked
 * against the snapshot files before being trusted (METADATA.md §3.2).
 *
 * Snapshot files are immutable, but expiration deletes them, so the cache of parsed
 * snapshots is bounded (LRU) and never trusted forever: an entry is re-checked for
 * existence when it is older than `revalidateAfterMs`, entries below the earliest
 * snapshot are dropped whenever the earliest is resolved, and a listing drops every entry
 * it does not show.
 */
import { NotFoundError, isNotFound, type FileIO } from "@paimon-ts/fileio";
import { EARLIEST_HINT, LATEST_HINT, parseHint } from "../snapshot/hint.js";
import { parseSnapshotFileName, snapshotFromJson, type Snapshot } from "../snapshot/snapshot.js";
import { tagFromJson, tagToSnapshot, TAG_PREFIX } from "../snapshot/tag.js";
import { LruCache } from "./lru.js";
import type { TablePaths } from "./paths.js";

export interface SnapshotCacheOptions {
  /** Most parsed snapshots kept (default 256). */
  maxCached?: number;
  /**
   * A cached snapshot older than this (milliseconds since it was read or last checked) is
   * checked for existence before it is served again (default 10 000; 0 = always check).
   */
  revalidateAfterMs?: number;
  /** Clock, for tests. */
  now?: () => number;
}

export class SnapshotManager {
  private readonly cache: LruCache<bigint, { snapshot: Snapshot; checkedAt: number }>;
  private readonly revalidateAfterMs: number;
  private readonly now: () => number;
  /** Snapshots below this id are known to be expired. */
  private floor = 0n;

  constructor(
    private readonly io: FileIO,
    private readonly paths: TablePaths,
    private readonly tableName: string,
    cacheOptions: SnapshotCacheOptions = {},
  ) {
    this.cache = new LruCache({ maxEntries: cacheOptions.maxCached ?? 256 });
    this.revalidateAfterMs = cacheOptions.revalidateAfterMs ?? 10_000;
    this.now = cacheOptions.now ?? Date.now;
  }

  /** Snapshots below `earliest` are expired: forget them. */
  private raiseFloor(earliest: bigint): void {
    if (earliest <= this.floor) return;
    this.floor = earliest;
    for (const id of this.cache.keys()) if (id < earliest) this.cache.delete(id);
  }

  /** Drops cached snapshots (all, or one id), e.g. after deleting snapshot files. */
  invalidate(id?: bigint): void {
    if (id === undefined) this.cache.clear();
    else this.cache.delete(id);
  }

  /** Number of parsed snapshots held (tests, diagnostics). */
  get cachedCount(): number {
    return this.cache.size;
  }

  private async readHint(name: typeof LATEST_HINT | typeof EARLIEST_HINT): Promise<bigint | null> {
    try {
      return parseHint(await this.io.readFile(this.paths.hint(name)));
    } catch (e) {
      if (isNotFound(e)) return null;
      throw e;
    }
  }

  async listIds(): Promise<bigint[]> {
    let ids: bigint[];
    try {
      const files = await this.io.list(this.paths.snapshotDir);
      ids = files
        .map((f) => parseSnapshotFileName(f.path.slice(f.path.lastIndexOf("/") + 1)))
        .filter((x): x is bigint => x !== null)
        .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    } catch (e) {
      if (isNotFound(e)) ids = [];
      else throw e;
    }
    // the listing is authoritative: forget cached snapshots it does not show
    const listed = new Set(ids);
    for (const id of this.cache.keys()) if (!listed.has(id)) this.cache.delete(id);
    if (ids.length > 0) this.raiseFloor(ids[0]);
    return ids;
  }

  async exists(id: bigint): Promise<boolean> {
    return this.io.exists(this.paths.snapshot(id));
  }

  async latestId(): Promise<bigint | null> {
    const hint = await this.readHint(LATEST_HINT);
    if (hint !== null && hint > 0n && (await this.exists(hint)) && !(await this.exists(hint + 1n))) return hint;
    const ids = await this.listIds();
    return ids.length === 0 ? null : ids[ids.length - 1];
  }

  async earliestId(): Promise<bigint | null> {
    const hint = await this.readHint(EARLIEST_HINT);
    if (hint !== null && (await this.exists(hint))) {
      // the hint may lag behind expiration, but whatever is below it is gone
      this.raiseFloor(hint);
      return hint;
    }
    const ids = await this.listIds();
    return ids.length === 0 ? null : ids[0];
  }

  /**
   * A snapshot by id. Its content is immutable, so it is cached; a cached entry is served
   * without I/O only while it is fresh (see the class comment), so an expired snapshot
   * fails with NotFoundError instead of being served from memory.
   */
  async snapshot(id: bigint): Promise<Snapshot> {
    const hit = this.cache.get(id);
    if (hit) {
      if (id >= this.floor) {
        const now = this.now();
        if (now - hit.checkedAt < this.revalidateAfterMs) return hit.snapshot;
        if (await this.exists(id)) {
          hit.checkedAt = now;
          return hit.snapshot;
        }
      }
      this.cache.delete(id);
    }
    let text: string;
    try {
      text = new TextDecoder().decode(await this.io.readFile(this.paths.snapshot(id)));
    } catch (e) {
      if (isNotFound(e)) throw new NotFoundError(this.paths.snapshot(id), `table ${this.tableName}: snapshot ${id} does not exist`);
      throw e;
    }
    const s = snapshotFromJson(text, `table ${this.tableName} snapshot-${id}`);
    this.cache.set(id, { snapshot: s, checkedAt: this.now() });
    return s;
  }

  async latest(): Promise<Snapshot | null> {
    const id = await this.latestId();
    return id === null ? null : this.snapshot(id);
  }

  async tag(name: string): Promise<Snapshot> {
    try {
      const text = new TextDecoder().decode(await this.io.readFile(this.paths.tag(name)));
      return tagToSnapshot(tagFromJson(text, `table ${this.tableName} tag ${name}`));
    } catch (e) {
      if (isNotFound(e)) throw new NotFoundError(this.paths.tag(name), `table ${this.tableName}: tag '${name}' does not exist`);
      throw e;
    }
  }

  async listTags(): Promise<string[]> {
    try {
      return (await this.io.list(this.paths.tagDir))
        .map((f) => f.path.slice(f.path.lastIndexOf("/") + 1))
        .filter((n) => n.startsWith(TAG_PREFIX))
        .map((n) => n.slice(TAG_PREFIX.length))
        .sort();
    } catch (e) {
      if (isNotFound(e)) return [];
      throw e;
    }
  }
}
