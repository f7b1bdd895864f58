/**
 * Key lookup for lookup compaction (METADATA.md §8.5): for a primary key, the newest live
 * row of the bucket at a level ≥ `startLevel` — the data file, the row position in it
 * and, when the merge engine needs it, the row itself.
 *
 * Data files are immutable and sorted by key with unique keys, so the row position of a
 * key is its index in the file. A file is indexed block by block (a block is a Parquet
 * row group, 100 000 rows in files paimon-ts writes): a block's key columns (or, for
 * merge engines that merge with the old row, its whole rows) are read on demand with
 * range reads, and a lookup is a binary search. What is loaded stays cached across
 * commits in one writer, in an LRU bounded by `lookup.cache-max-memory-size`: past the
 * budget whole blocks are evicted (the oldest first) and read again when needed. Each
 * block read leaves two fence keys (its first and last key) that outlive eviction; a
 * lookup binary-searches the blocks of a file by their fences, reading the blocks whose
 * fences are still unknown on its way (log2(blocks) for the first lookup in a file), so
 * once a file's fences are known a lookup reads at most the one block that can hold its
 * key. Files leave the cache when compaction removes them.
 *
 * Deleted rows (set in the bucket's deletion vectors, consulted at lookup time) are
 * skipped, and the search goes on in the next level, like Java's lookup files, which are
 * built without the deleted rows.
 *
 * So a commit costs lookups proportional to its keys (each O(log n) in a cached block),
 * plus reading the blocks its keys land in that are not cached; it never reads the
 * whole table.
 */
import type { InternalValue } from "../data/values.js";
import { vectorGet, type ColumnBatch, type ColumnVector } from "../data/vector.js";
import type { DataFileMeta } from "../manifest/model.js";
import type { RowCompare } from "../read/key-compare.js";
import { valueMemoryBytes } from "./columns.js";
import type { KeyRanges, Levels } from "./levels.js";

/** What a lookup returns: a position (deduplicate), the old row too (other engines), or only presence (first-row). */
export type LookupMode = "position" | "row" | "exists";

export interface LookupHit {
  fileName: string;
  level: number;
  position: number;
  /** Mode "row": the old record. */
  seq?: bigint;
  kind?: number;
  row?: InternalValue[];
}

/** How blocks of a data file are read (schema evolution, paths and formats are the writer's business). */
export interface BlockSource {
  /** Row counts of the file's blocks, in order (their sum is the file's row count). */
  blocks(file: DataFileMeta): Promise<number[]>;
  /**
   * Block `block` of the file as a physical key-value batch: the key columns first
   * (`full` = false: only those), then `_SEQUENCE_NUMBER`, `_VALUE_KIND` and the table columns.
   */
  readBlock(file: DataFileMeta, block: number, full: boolean): Promise<ColumnBatch>;
}

interface FileIndex {
  file: DataFileMeta;
  starts: number[];
  rows: number[];
  /** Indexes of the blocks that have rows. */
  nonEmpty: number[];
  /** Fence keys of each block once it has been read: [first, last]. */
  fences: ([InternalValue[], InternalValue[]] | null)[];
  bytes: number;
}

interface Block {
  id: string;
  fileName: string;
  start: number;
  n: number;
  keys: ColumnVector[];
  full: ColumnBatch | null;
  bytes: number;
}

export interface LookupCacheStats {
  lookups: number;
  hits: number;
  blockLoads: number;
  /** Rows of the blocks read. */
  rowsLoaded: number;
  blockEvictions: number;
  /** Estimated bytes held now, and the most ever held. */
  bytes: number;
  peakBytes: number;
  blocks: number;
  files: number;
}

function vectorMemoryBytes(v: ColumnVector): number {
  const vals = v.values as unknown;
  let s = v.nulls ? v.nulls.byteLength : 0;
  if (ArrayBuffer.isView(vals)) return s + (vals as ArrayBufferView).byteLength;
  const arr = v.values as ArrayLike<InternalValue>;
  for (let i = 0; i < v.length; i++) {
    const x = arr[i];
    s += x === null || x === undefined ? 8 : 8 + valueMemoryBytes(v.type, x);
  }
  return s;
}

function batchMemoryBytes(b: ColumnBatch): number {
  let s = 64;
  for (const c of b.columns) s += vectorMemoryBytes(c);
  return s;
}

const KEY_ROW_OVERHEAD = 64;

/** The LRU of loaded blocks shared by the buckets of one writer, bounded by `maxBytes`. */
export class LookupCache {
  private readonly blocks = new Map<string, Block>();
  private readonly files = new Map<string, FileIndex>();
  private bytes = 0;
  private peak = 0;
  private readonly counters = { lookups: 0, hits: 0, blockLoads: 0, rowsLoaded: 0, blockEvictions: 0 };

  constructor(readonly maxBytes: number) {}

  get stats(): LookupCacheStats {
    return { ...this.counters, bytes: this.bytes, peakBytes: this.peak, blocks: this.blocks.size, files: this.files.size };
  }

  /** Forgets a data file (compaction removed it, or another writer's commit did). */
  dropFile(fileName: string): void {
    const fi = this.files.get(fileName);
    if (!fi) return;
    this.files.delete(fileName);
    this.bytes -= fi.bytes;
    for (let b = 0; b < fi.rows.length; b++) {
      const id = `${fileName}#${b}`;
      const blk = this.blocks.get(id);
      if (blk) {
        this.blocks.delete(id);
        this.bytes -= blk.bytes;
      }
    }
  }

  /** Forgets every file of `names` that is not in `keep`. */
  retainOnly(candidates: Iterable<string>, keep: ReadonlySet<string>): void {
    for (const n of candidates) if (!keep.has(n)) this.dropFile(n);
  }

  hasFile(fileName: string): boolean {
    return this.files.has(fileName);
  }

  /** Drops everything. */
  clear(): void {
    this.blocks.clear();
    this.files.clear();
    this.bytes = 0;
  }

  private account(delta: number): void {
    this.bytes += delta;
    if (this.bytes > this.peak) this.peak = this.bytes;
  }

  async fileIndex(file: DataFileMeta, source: BlockSource): Promise<FileIndex> {
    let fi = this.files.get(file.fileName);
    if (!fi) {
      const rows = await source.blocks(file);
      const starts: number[] = [];
      let s = 0;
      for (const r of rows) {
        starts.push(s);
        s += r;
      }
      const nonEmpty: number[] = [];
      rows.forEach((r, b) => {
        if (r > 0) nonEmpty.push(b);
      });
      fi = { file, starts, rows, nonEmpty, fences: rows.map(() => null), bytes: 128 + rows.length * 56 };
      this.files.set(file.fileName, fi);
      this.account(fi.bytes);
    }
    return fi;
  }

  /** A block, from the cache or read (and cached, evicting the least recently used ones). */
  async block(fi: FileIndex, b: number, full: boolean, source: BlockSource, keyArity: number): Promise<Block> {
    const id = `${fi.file.fileName}#${b}`;
    const hit = this.blocks.get(id);
    if (hit && (!full || hit.full !== null)) {
      this.blocks.delete(id);
      this.blocks.set(id, hit);
      return hit;
    }
    const batch = await source.readBlock(fi.file, b, full);
    this.counters.blockLoads++;
    this.counters.rowsLoaded += batch.numRows;
    if (batch.numRows !== fi.rows[b]) throw new Error(`data file ${fi.file.fileName}: block ${b} has ${batch.numRows} rows, expected ${fi.rows[b]}`);
    const keys = batch.columns.slice(0, keyArity);
    const blk: Block = {
      id,
      fileName: fi.file.fileName,
      start: fi.starts[b],
      n: batch.numRows,
      keys,
      full: full ? batch : null,
      bytes: full ? batchMemoryBytes(batch) : keys.reduce((s, k) => s + vectorMemoryBytes(k), 64),
    };
    if (blk.n > 0 && fi.fences[b] === null) {
      const at = (i: number) => keys.map((k) => vectorGet(k, i));
      fi.fences[b] = [at(0), at(blk.n - 1)];
      fi.bytes += 2 * KEY_ROW_OVERHEAD;
      this.account(2 * KEY_ROW_OVERHEAD);
    }
    if (hit) {
      this.blocks.delete(id);
      this.account(-hit.bytes);
    }
    // only cache blocks of files still tracked (a concurrent drop wins)
    if (this.files.get(fi.file.fileName) === fi) {
      this.blocks.set(id, blk);
      this.account(blk.bytes);
      this.evict(id);
    }
    return blk;
  }

  private evict(keep: string): void {
    if (this.bytes <= this.maxBytes) return;
    for (const [id, blk] of this.blocks) {
      if (this.bytes <= this.maxBytes) break;
      if (id === keep) continue;
      this.blocks.delete(id);
      this.bytes -= blk.bytes;
      this.counters.blockEvictions++;
    }
  }

  countLookup(hit: boolean): void {
    this.counters.lookups++;
    if (hit) this.counters.hits++;
  }
}

/** Lookups in one bucket's levels. */
export class BucketLookup {
  private readonly scratch: InternalValue[];

  constructor(
    private readonly cache: LookupCache,
    private readonly levels: () => Levels,
    private readonly keys: KeyRanges,
    private readonly keyCompare: RowCompare,
    private readonly keyArity: number,
    private readonly source: BlockSource,
    readonly mode: LookupMode,
    /** Whether a row of a file is deleted (the bucket's deletion vectors); null: never. */
    private readonly isDeleted: ((fileName: string, position: number) => boolean) | null,
  ) {
    this.scratch = new Array(keyArity);
  }

  /** Whether any level ≥ `startLevel` has files (else no lookup can find anything). */
  hasFilesFrom(startLevel: number): boolean {
    const levels = this.levels();
    for (let level = Math.max(1, startLevel); level <= levels.maxLevel; level++) if (levels.runOfLevel(level).length > 0) return true;
    return false;
  }

  /** The newest live row of `key` at levels ≥ `startLevel`, or null. */
  async lookup(key: InternalValue[], startLevel: number): Promise<LookupHit | null> {
    const levels = this.levels();
    for (let level = Math.max(1, startLevel); level <= levels.maxLevel; level++) {
      const run = levels.runOfLevel(level);
      const f = this.fileOf(run, key);
      if (f === null) continue;
      const hit = await this.lookupInFile(f, key);
      if (hit !== null) {
        this.cache.countLookup(true);
        return hit;
      }
    }
    this.cache.countLookup(false);
    return null;
  }

  /** The file of a sorted run whose key range holds `key`. */
  private fileOf(run: readonly DataFileMeta[], key: InternalValue[]): DataFileMeta | null {
    let lo = 0;
    let hi = run.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.keyCompare(this.keys.min(run[mid]), key) <= 0) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    if (found < 0) return null;
    const f = run[found];
    return this.keyCompare(key, this.keys.max(f)) <= 0 ? f : null;
  }

  private async lookupInFile(f: DataFileMeta, key: InternalValue[]): Promise<LookupHit | null> {
    const fi = await this.cache.fileIndex(f, this.source);
    const full = this.mode === "row";
    // binary search over the (non-empty) blocks by their fence keys; a block whose fences
    // are not known yet is read, and leaves them behind
    const nonEmpty = fi.nonEmpty;
    let lo = 0;
    let hi = nonEmpty.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const b = nonEmpty[mid];
      let blk: Block | null = null;
      if (fi.fences[b] === null) blk = await this.cache.block(fi, b, full, this.source, this.keyArity);
      const fence = fi.fences[b] as [InternalValue[], InternalValue[]];
      if (this.keyCompare(key, fence[0]) < 0) {
        hi = mid - 1;
        continue;
      }
      if (this.keyCompare(key, fence[1]) > 0) {
        lo = mid + 1;
        continue;
      }
      blk ??= await this.cache.block(fi, b, full, this.source, this.keyArity);
      const i = this.search(blk, key);
      if (i < 0) return null;
      const position = blk.start + i;
      if (this.isDeleted !== null && this.isDeleted(f.fileName, position)) return null;
      const hit: LookupHit = { fileName: f.fileName, level: f.level, position };
      if (full && blk.full !== null) {
        const cols = blk.full.columns;
        const nk = this.keyArity;
        hit.seq = vectorGet(cols[nk], i) as bigint;
        hit.kind = Number(vectorGet(cols[nk + 1], i));
        const row: InternalValue[] = new Array(cols.length - nk - 2);
        for (let c = 0; c < row.length; c++) row[c] = vectorGet(cols[nk + 2 + c], i);
        hit.row = row;
      }
      return hit;
    }
    return null;
  }

  private search(blk: Block, key: InternalValue[]): number {
    const s = this.scratch;
    const keys = blk.keys;
    let lo = 0;
    let hi = blk.n - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      for (let k = 0; k < keys.length; k++) s[k] = vectorGet(keys[k], mid);
      const c = this.keyCompare(s, key);
      if (c === 0) return mid;
      if (c < 0) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }
}
