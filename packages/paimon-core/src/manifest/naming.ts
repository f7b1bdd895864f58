/**
 * File names of metadata files (METADATA.md §1.2). One factory per writer: a random UUID
 * and one counter per kind, like Java's `FileStorePathFactory`, so a commit that writes
 * the base list first and the delta list next names them `manifest-list-<uuid>-0` and `-1`.
 * Readers never parse these names; they only use the names stored in snapshots and lists.
 */
import { randomUUID } from "node:crypto";

export const MANIFEST_PREFIX = "manifest-";
export const MANIFEST_LIST_PREFIX = "manifest-list-";
export const INDEX_MANIFEST_PREFIX = "index-manifest-";
export const INDEX_FILE_PREFIX = "index-";
export const STATISTICS_PREFIX = "stat-";

export type MetadataFileKind = "manifest" | "manifest-list" | "index-manifest" | "index" | "statistics";

const PREFIX: Record<MetadataFileKind, string> = {
  manifest: MANIFEST_PREFIX,
  "manifest-list": MANIFEST_LIST_PREFIX,
  "index-manifest": INDEX_MANIFEST_PREFIX,
  index: INDEX_FILE_PREFIX,
  statistics: STATISTICS_PREFIX,
};

export class MetadataFileNames {
  private readonly counters: Record<MetadataFileKind, number> = { manifest: 0, "manifest-list": 0, "index-manifest": 0, index: 0, statistics: 0 };

  constructor(readonly uuid: string = randomUUID()) {}

  next(kind: MetadataFileKind): string {
    return `${PREFIX[kind]}${this.uuid}-${this.counters[kind]++}`;
  }

  /** `manifest-<uuid>-<n>` (in `manifest/`). */
  newManifestFile(): string {
    return this.next("manifest");
  }

  /** `manifest-list-<uuid>-<n>` (in `manifest/`). */
  newManifestList(): string {
    return this.next("manifest-list");
  }

  /** `index-manifest-<uuid>-<n>` (in `manifest/`). */
  newIndexManifest(): string {
    return this.next("index-manifest");
  }

  /** `index-<uuid>-<n>` (in `index/`). */
  newIndexFile(): string {
    return this.next("index");
  }

  /** `stat-<uuid>-<n>` (in `statistics/`). */
  newStatisticsFile(): string {
    return this.next("statistics");
  }
}

/** Classifies a file name found in `manifest/` (or null when it is none of them). */
export function manifestDirFileKind(name: string): "manifest" | "manifest-list" | "index-manifest" | null {
  if (name.startsWith(MANIFEST_LIST_PREFIX)) return "manifest-list";
  if (name.startsWith(INDEX_MANIFEST_PREFIX)) return "index-manifest";
  if (name.startsWith(MANIFEST_PREFIX)) return "manifest";
  return null;
}
