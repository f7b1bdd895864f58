/**
 * Snapshots of one table. Hints (`LATEST`, `EARLIEST`) are only hints: they are checked
 * against the snapshot files before being trusted (METADATA.md §3.2).
 */
import { NotFoundError, isNotFound, type FileIO } from "@paimon-ts/fileio";
import { EARLIEST_HINT, LATEST_HINT, parseHint } from "../snapshot/hint.js";
import { parseSnapshotFileName, snapshotFromJson, type Snapshot } from "../snapshot/snapshot.js";
import { tagFromJson, tagToSnapshot, TAG_PREFIX } from "../snapshot/tag.js";
import type { TablePaths } from "./paths.js";

export class SnapshotManager {
  private readonly cache = new Map<bigint, Snapshot>();

  constructor(
    private readonly io: FileIO,
    private readonly paths: TablePaths,
    private readonly tableName: string,
  ) {}

  private async readHint(name: typeof LATEST_HINT | typeof EARLIEST_HINT): Promise<bigint | null> {
    try {
      return parseHint(await this.io.readFile(this.paths.hint(name)));
    } catch (e) {
      if (isNotFound(e)) return null;
      throw e;
    }
  }

  async listIds(): Promise<bigint[]> {
    try {
      const files = await this.io.list(this.paths.snapshotDir);
      return files
        .map((f) => parseSnapshotFileName(f.path.slice(f.path.lastIndexOf("/") + 1)))
        .filter((x): x is bigint => x !== null)
        .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    } catch (e) {
      if (isNotFound(e)) return [];
      throw e;
    }
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
    if (hint !== null && (await this.exists(hint))) return hint;
    const ids = await this.listIds();
    return ids.length === 0 ? null : ids[0];
  }

  /** A snapshot by id; immutable once published, so cached. */
  async snapshot(id: bigint): Promise<Snapshot> {
    const hit = this.cache.get(id);
    if (hit) return hit;
    let text: string;
    try {
      text = new TextDecoder().decode(await this.io.readFile(this.paths.snapshot(id)));
    } catch (e) {
      if (isNotFound(e)) throw new NotFoundError(this.paths.snapshot(id), `table ${this.tableName}: snapshot ${id} does not exist`);
      throw e;
    }
    const s = snapshotFromJson(text, `table ${this.tableName} snapshot-${id}`);
    this.cache.set(id, s);
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
