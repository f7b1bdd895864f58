/**
 * A Paimon table on a FileIO: its paths, schema versions, snapshots and (cached,
 * immutable) manifests. Readers and writers are built on top of this.
 */
import type { FileIO } from "@paimon-ts/fileio";
import { manifestFileRead, manifestListRead, indexManifestRead } from "../manifest/serde.js";
import type { IndexManifestEntry, ManifestEntry, ManifestFileMeta } from "../manifest/model.js";
import { readSnapshotDataEntries } from "../manifest/entries.js";
import { fileIdentifier } from "../manifest/entries.js";
import { FileKind } from "../manifest/model.js";
import type { TableSchema } from "../schema/table-schema.js";
import type { Snapshot } from "../snapshot/snapshot.js";
import { LruCache } from "./lru.js";
import { coreOptions, type CoreOptions } from "./options.js";
import { TablePaths } from "./paths.js";
import { SchemaManager } from "./schema-manager.js";
import { SnapshotManager, type SnapshotCacheOptions } from "./snapshot-manager.js";

/** Bounds of a table's in-memory caches (manifests are weighed by their file size). */
export interface TableCacheOptions {
  /** Manifest files kept decoded (default 1024). */
  manifestMaxEntries?: number;
  /** Total size of the manifest files kept decoded, in bytes of the files (default 64 MiB). */
  manifestMaxBytes?: number;
  /** Manifest lists kept decoded (default 256). */
  manifestListMaxEntries?: number;
  /** Total size of the manifest lists kept decoded, in file bytes (default 16 MiB). */
  manifestListMaxBytes?: number;
  snapshots?: SnapshotCacheOptions;
}

export class FileStoreTable {
  readonly paths: TablePaths;
  readonly schemas: SchemaManager;
  readonly snapshots: SnapshotManager;
  private readonly manifestCache: LruCache<string, Promise<ManifestEntry[]>>;
  private readonly listCache: LruCache<string, Promise<ManifestFileMeta[]>>;

  constructor(
    readonly io: FileIO,
    readonly path: string,
    /** `db.table`, for messages. */
    readonly name: string,
    /** The latest schema when the table was loaded. */
    readonly schema: TableSchema,
    readonly cacheOptions: TableCacheOptions = {},
  ) {
    this.paths = new TablePaths(path);
    this.schemas = new SchemaManager(io, this.paths, name);
    this.snapshots = new SnapshotManager(io, this.paths, name, cacheOptions.snapshots);
    this.manifestCache = new LruCache({ maxEntries: cacheOptions.manifestMaxEntries ?? 1024, maxWeight: cacheOptions.manifestMaxBytes ?? 64 * 1024 * 1024 });
    this.listCache = new LruCache({ maxEntries: cacheOptions.manifestListMaxEntries ?? 256, maxWeight: cacheOptions.manifestListMaxBytes ?? 16 * 1024 * 1024 });
  }

  /** Entries and file bytes held by the manifest caches (tests, diagnostics). */
  get cacheStats(): { manifests: number; manifestBytes: number; manifestLists: number; manifestListBytes: number } {
    return { manifests: this.manifestCache.size, manifestBytes: this.manifestCache.weight, manifestLists: this.listCache.size, manifestListBytes: this.listCache.weight };
  }

  get options(): CoreOptions {
    return coreOptions(this.schema);
  }

  get primaryKeys(): string[] {
    return this.schema.primaryKeys;
  }

  manifestList(name: string): Promise<ManifestFileMeta[]> {
    let p = this.listCache.get(name);
    if (!p) {
      let size = 0;
      const read = this.io.readFile(this.paths.manifest(name)).then((b) => {
        size = b.length;
        return manifestListRead(b);
      });
      p = read;
      read.then(
        () => this.listCache.setWeight(name, read, size),
        () => this.listCache.peek(name) === read && this.listCache.delete(name),
      );
      this.listCache.set(name, read);
    }
    return p;
  }

  manifestFile(meta: ManifestFileMeta): Promise<ManifestEntry[]> {
    const name = meta.fileName;
    let p = this.manifestCache.get(name);
    if (!p) {
      const read = this.io.readFile(this.paths.manifest(name)).then((b) => manifestFileRead(b));
      p = read;
      read.catch(() => this.manifestCache.peek(name) === read && this.manifestCache.delete(name));
      this.manifestCache.set(name, read, Number(meta.fileSize));
    }
    return p;
  }

  /**
   * The live data files of a snapshot: every ADD whose identifier no DELETE names (§8.1).
   * `manifestFilter` may skip whole manifest files (by their partition stats, buckets or
   * levels); it must only skip manifests none of whose entries (ADD or DELETE) matter.
   */
  async liveEntries(snapshot: Snapshot, manifestFilter?: (m: ManifestFileMeta) => boolean): Promise<ManifestEntry[]> {
    const manifestList = manifestFilter ? async (n: string) => (await this.manifestList(n)).filter(manifestFilter) : (n: string) => this.manifestList(n);
    const all = await readSnapshotDataEntries(snapshot, { manifestList, manifestFile: (m) => this.manifestFile(m) });
    const deleted = new Set<string>();
    for (const e of all) if (e.kind === FileKind.DELETE) deleted.add(fileIdentifier(e));
    return all.filter((e) => e.kind === FileKind.ADD && !deleted.has(fileIdentifier(e)));
  }

  /** The live index files of a snapshot (the index manifest is a full list, not a delta). */
  async indexEntries(snapshot: Snapshot): Promise<IndexManifestEntry[]> {
    if (!snapshot.indexManifest) return [];
    const entries = await indexManifestRead(await this.io.readFile(this.paths.manifest(snapshot.indexManifest)));
    return entries.filter((e) => e.kind === FileKind.ADD);
  }

  /** Reloads the table with its current latest schema. */
  async refresh(): Promise<FileStoreTable> {
    const latest = await this.schemas.latest();
    return new FileStoreTable(this.io, this.path, this.name, latest ?? this.schema, this.cacheOptions);
  }
}
