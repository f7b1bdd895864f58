/**
 * The LSM levels of one primary-key bucket (Java's `Levels`): level 0 holds files that
 * are each their own sorted run, newest first; every level ≥ 1 is one sorted run of
 * files with non-overlapping key ranges, ordered by min key.
 */
import { deserializeBinaryRow } from "../data/binary-row.js";
import type { InternalValue } from "../data/values.js";
import type { DataFileMeta } from "../manifest/model.js";
import type { RowCompare } from "../read/key-compare.js";
import type { DataType } from "../types/datatype.js";

export interface SortedRun {
  /** Files ordered by key, non-overlapping. */
  files: DataFileMeta[];
  totalSize: bigint;
}

export interface LevelSortedRun {
  level: number;
  run: SortedRun;
}

export function sortedRun(files: DataFileMeta[]): SortedRun {
  return { files, totalSize: files.reduce((s, f) => s + f.fileSize, 0n) };
}

/** Decodes (and caches) the min/max keys of data files. */
export class KeyRanges {
  private readonly cache = new WeakMap<Uint8Array, InternalValue[]>();
  constructor(
    readonly keyTypes: DataType[],
    readonly compare: RowCompare,
  ) {}

  key(bytes: Uint8Array): InternalValue[] {
    let k = this.cache.get(bytes);
    if (!k) {
      k = deserializeBinaryRow(this.keyTypes, bytes);
      this.cache.set(bytes, k);
    }
    return k;
  }
  min(f: DataFileMeta): InternalValue[] {
    return this.key(f.minKey);
  }
  max(f: DataFileMeta): InternalValue[] {
    return this.key(f.maxKey);
  }
  /** Order of files by min key, then max key. */
  compareFiles(a: DataFileMeta, b: DataFileMeta): number {
    const c = this.compare(this.min(a), this.min(b));
    return c !== 0 ? c : this.compare(this.max(a), this.max(b));
  }
}

/** Level-0 order: larger max sequence number first, then min sequence, creation time, name. */
function compareLevel0(a: DataFileMeta, b: DataFileMeta): number {
  if (a.maxSequenceNumber !== b.maxSequenceNumber) return a.maxSequenceNumber > b.maxSequenceNumber ? -1 : 1;
  if (a.minSequenceNumber !== b.minSequenceNumber) return a.minSequenceNumber < b.minSequenceNumber ? -1 : 1;
  const ta = a.creationTime ?? 0n;
  const tb = b.creationTime ?? 0n;
  if (ta !== tb) return ta < tb ? -1 : 1;
  return a.fileName < b.fileName ? -1 : a.fileName > b.fileName ? 1 : 0;
}

export class Levels {
  private level0: DataFileMeta[] = [];
  /** runs[i] is level i + 1. */
  private runs: DataFileMeta[][];

  constructor(
    readonly keys: KeyRanges,
    files: readonly DataFileMeta[],
    numLevels: number,
  ) {
    const restored = Math.max(numLevels, files.reduce((m, f) => Math.max(m, f.level), -1) + 1);
    if (restored < 2) throw new RangeError("number of levels must be at least 2");
    this.runs = Array.from({ length: restored - 1 }, () => []);
    this.update([], files);
  }

  get numberOfLevels(): number {
    return this.runs.length + 1;
  }

  get maxLevel(): number {
    return this.runs.length;
  }

  level0Files(): readonly DataFileMeta[] {
    return this.level0;
  }

  runOfLevel(level: number): readonly DataFileMeta[] {
    if (level < 1) throw new RangeError("level 0 has no single sorted run");
    return this.runs[level - 1];
  }

  numberOfSortedRuns(): number {
    return this.level0.length + this.runs.filter((r) => r.length > 0).length;
  }

  /** The highest non-empty level, or -1 when there are no files. */
  nonEmptyHighestLevel(): number {
    for (let i = this.runs.length - 1; i >= 0; i--) if (this.runs[i].length > 0) return i + 1;
    return this.level0.length > 0 ? 0 : -1;
  }

  /** Level-0 files (one run each, newest first), then each non-empty level. */
  levelSortedRuns(): LevelSortedRun[] {
    const out: LevelSortedRun[] = this.level0.map((f) => ({ level: 0, run: sortedRun([f]) }));
    this.runs.forEach((files, i) => {
      if (files.length > 0) out.push({ level: i + 1, run: sortedRun(files) });
    });
    return out;
  }

  allFiles(): DataFileMeta[] {
    return this.levelSortedRuns().flatMap((r) => r.run.files);
  }

  addLevel0File(f: DataFileMeta): void {
    if (f.level !== 0) throw new RangeError(`file ${f.fileName} is at level ${f.level}, not 0`);
    this.update([], [f]);
  }

  /** Removes `before` and adds `after` (files are matched by name and level). */
  update(before: readonly DataFileMeta[], after: readonly DataFileMeta[]): void {
    const gone = new Set(before.map((f) => `${f.level}/${f.fileName}`));
    const keep = (f: DataFileMeta) => !gone.has(`${f.level}/${f.fileName}`);
    this.level0 = this.level0.filter(keep);
    this.runs = this.runs.map((r) => r.filter(keep));
    for (const f of after) {
      if (f.level === 0) this.level0.push(f);
      else {
        if (f.level > this.runs.length) throw new RangeError(`file ${f.fileName} is at level ${f.level}, above the max level ${this.runs.length}`);
        this.runs[f.level - 1].push(f);
      }
    }
    this.level0.sort(compareLevel0);
    for (const r of this.runs) r.sort((a, b) => this.keys.compareFiles(a, b));
  }

  /** Throws when two files of a level ≥ 1 overlap (the invariant compaction must keep). */
  checkNonOverlapping(): void {
    this.runs.forEach((files, i) => {
      for (let j = 1; j < files.length; j++) {
        if (this.keys.compare(this.keys.max(files[j - 1]), this.keys.min(files[j])) >= 0) {
          throw new Error(`level ${i + 1}: files ${files[j - 1].fileName} and ${files[j].fileName} overlap in key range`);
        }
      }
    });
  }
}
