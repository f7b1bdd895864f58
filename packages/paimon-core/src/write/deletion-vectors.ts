/**
 * The deletion vectors of one primary-key bucket while a writer works on it
 * (METADATA.md §8.5, BINARY.md §5): data file name → deleted row positions.
 *
 * Restored lazily from the bucket's DELETION_VECTORS index file of the snapshot the writer
 * started from. Lookup compaction adds positions (`notifyNewDeletion`); a compaction that
 * rewrites a file drops that file's vector (`remove`). When anything changed, the next
 * commit carries one new index file holding every vector of the bucket (v1 bitmaps, or
 * v2 with `deletion-vectors.bitmap64`), which replaces the previous one in the index
 * manifest. When every vector is gone the new file is empty (only the version byte), so
 * that it still replaces the old one, as Java does.
 */
import type { FileIO } from "@paimon-ts/fileio";
import {
  Bitmap64DeletionVector,
  BitmapDeletionVector,
  readDeletionVectorIndexFile,
  writeDeletionVectorIndexFile,
  type DeletionVector,
} from "../index/deletion-vector.js";
import { DELETION_VECTORS_INDEX, type IndexFileMeta } from "../manifest/model.js";

export interface DeletionVectorsIo {
  io: FileIO;
  /** Absolute path of an index file (`<table>/index/<name>`, or its external path). */
  indexPath(meta: IndexFileMeta): string;
  /** A fresh index file name (`index-<uuid>-<n>`). */
  newIndexFileName(): string;
}

export class BucketDeletionVectors {
  private vectors = new Map<string, DeletionVector>();
  private loaded: Promise<void> | null = null;
  private modified = false;
  /** The bucket's live DV index files as of the state this object holds (what a new file replaces). */
  private live: IndexFileMeta[];

  constructor(
    private readonly dvio: DeletionVectorsIo,
    readonly bitmap64: boolean,
    /** The bucket's DELETION_VECTORS index files in the restored snapshot. */
    restored: readonly IndexFileMeta[],
  ) {
    this.live = restored.filter((f) => f.indexType === DELETION_VECTORS_INDEX);
  }

  /** Reads the restored vectors (once). */
  load(): Promise<void> {
    this.loaded ??= (async () => {
      for (const f of this.live) {
        const bytes = await this.dvio.io.readFile(this.dvio.indexPath(f));
        for (const [name, dv] of readDeletionVectorIndexFile(bytes, f.dvRanges ?? [])) {
          const prev = this.vectors.get(name);
          if (prev) prev.merge(dv);
          else this.vectors.set(name, dv);
        }
      }
    })();
    return this.loaded;
  }

  /** Replaces the state with another snapshot's (after a foreign commit changed the bucket). */
  async reset(restored: readonly IndexFileMeta[]): Promise<void> {
    this.vectors = new Map();
    this.modified = false;
    this.live = restored.filter((f) => f.indexType === DELETION_VECTORS_INDEX);
    this.loaded = null;
    await this.load();
  }

  /** The DV index files a new one replaces. */
  get liveIndexFiles(): readonly IndexFileMeta[] {
    return this.live;
  }

  get isModified(): boolean {
    return this.modified;
  }

  /** Requires `load()` to have completed. */
  vectorOf(fileName: string): DeletionVector | undefined {
    return this.vectors.get(fileName);
  }

  isDeleted(fileName: string, position: number): boolean {
    const dv = this.vectors.get(fileName);
    return dv !== undefined && dv.isDeleted(position);
  }

  /** Marks a row of a data file deleted. */
  notifyNewDeletion(fileName: string, position: number): void {
    let dv = this.vectors.get(fileName);
    if (!dv) {
      dv = this.bitmap64 ? new Bitmap64DeletionVector() : new BitmapDeletionVector();
      this.vectors.set(fileName, dv);
    }
    if (dv.checkedDelete(position)) this.modified = true;
  }

  /** Drops the vector of a file that compaction rewrote (it is no longer live). */
  remove(fileName: string): void {
    if (this.vectors.delete(fileName)) this.modified = true;
  }

  /** Number of data files with a vector, and of deleted positions in total. */
  stats(): { files: number; positions: number } {
    let positions = 0;
    for (const dv of this.vectors.values()) positions += dv.cardinality;
    return { files: this.vectors.size, positions };
  }

  /** Estimated heap bytes of the vectors (serialized size as a proxy). */
  get memoryBytes(): number {
    let n = 0;
    for (const dv of this.vectors.values()) n += 64 + dv.cardinality * 2;
    return n;
  }

  /**
   * When something changed since the last call: writes the bucket's new index file (every
   * non-empty vector) and returns its meta with the files it replaces; null otherwise.
   */
  async writeIndexFile(): Promise<{ file: IndexFileMeta; replaces: IndexFileMeta[] } | null> {
    if (!this.modified) return null;
    const entries: [string, DeletionVector][] = [];
    for (const [name, dv] of this.vectors) if (!dv.isEmpty()) entries.push([name, dv]);
    const { bytes, metas } = writeDeletionVectorIndexFile(entries);
    const fileName = this.dvio.newIndexFileName();
    const meta: IndexFileMeta = {
      indexType: DELETION_VECTORS_INDEX,
      fileName,
      fileSize: BigInt(bytes.length),
      rowCount: BigInt(metas.length),
      dvRanges: metas,
      externalPath: null,
      globalIndex: null,
    };
    await this.dvio.io.createIfAbsent(this.dvio.indexPath(meta), bytes);
    const replaces = this.live;
    this.live = [meta];
    this.modified = false;
    return { file: meta, replaces };
  }
}
