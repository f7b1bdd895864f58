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
import { coreOptions, type CoreOptions } from "./options.js";
import { TablePaths } from "./paths.js";
import { SchemaManager } from "./schema-manager.js";
import { SnapshotManager } from "./snapshot-manager.js";

export class FileStoreTable {
  readonly paths: TablePaths;
  readonly schemas: SchemaManager;
  readonly snapshots: SnapshotManager;
  private readonly manifestCache = new Map<string, Promise<ManifestEntry[]>>();
  private readonly listCache = new Map<string, Promise<ManifestFileMeta[]>>();

  constructor(
    readonly io: FileIO,
    readonly path: string,
    /** `db.table`, for messages. */
    readonly name: string,
    /** The latest schema when the table was loaded. */
    readonly schema: TableSchema,
  ) {
    this.paths = new TablePaths(path);
    this.schemas = new SchemaManager(io, this.paths, name);
    this.snapshots = new SnapshotManager(io, this.paths, name);
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
      p = this.io.readFile(this.paths.manifest(name)).then((b) => manifestListRead(b));
      p.catch(() => this.listCache.delete(name));
      this.listCache.set(name, p);
    }
    return p;
  }

  manifestFile(meta: ManifestFileMeta): Promise<ManifestEntry[]> {
    let p = this.manifestCache.get(meta.fileName);
    if (!p) {
      p = this.io.readFile(this.paths.manifest(meta.fileName)).then((b) => manifestFileRead(b));
      p.catch(() => this.manifestCache.delete(meta.fileName));
      this.manifestCache.set(meta.fileName, p);
    }
    return p;
  }

  /** The live data files of a snapshot: every ADD whose identifier no DELETE names (§8.1). */
  async liveEntries(snapshot: Snapshot): Promise<ManifestEntry[]> {
    const all = await readSnapshotDataEntries(snapshot, { manifestList: (n) => this.manifestList(n), manifestFile: (m) => this.manifestFile(m) });
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
    return new FileStoreTable(this.io, this.path, this.name, latest ?? this.schema);
  }
}
