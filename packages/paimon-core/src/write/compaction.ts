/**
 * Compaction of primary-key buckets (METADATA.md §8.6): which sorted runs to merge
 * (universal compaction, or everything for a full compaction), how a unit is carried out
 * (non-overlapping large files are upgraded to the output level without rewriting,
 * overlapping or small ones are merge-rewritten), and the merge itself: a k-way merge of
 * sorted runs through the table's merge function, retractions dropped when the output
 * is the oldest data of the bucket.
 */
import { isRetract, RowKind, type InternalValue } from "../data/values.js";
import { vectorGet, type ColumnBatch } from "../data/vector.js";
import type { DataFileMeta } from "../manifest/model.js";
import type { KeyValueRecord } from "../read/merge.js";
import { compareWithinKey, KeyValueRowsBuilder, type KeyValueLayout } from "./kv-layout.js";
import type { KeyRanges, LevelSortedRun, Levels } from "./levels.js";

export interface CompactUnit {
  outputLevel: number;
  files: DataFileMeta[];
}

export interface CompactResult {
  before: DataFileMeta[];
  after: DataFileMeta[];
  /** Changelog files the compaction produced (`changelog-producer=lookup`). */
  changelog?: DataFileMeta[];
}

export interface UniversalCompactionOptions {
  maxSizeAmplificationPercent: number;
  sizeRatio: number;
  numSortedRunCompactionTrigger: number;
}

function unitOf(outputLevel: number, runs: readonly LevelSortedRun[]): CompactUnit {
  return { outputLevel, files: runs.flatMap((r) => r.run.files) };
}

/** Universal compaction (`UniversalCompaction.pick`): size amplification, size ratio, then run count. */
export function pickUniversal(numLevels: number, runs: readonly LevelSortedRun[], o: UniversalCompactionOptions): CompactUnit | null {
  const maxLevel = numLevels - 1;
  const trigger = o.numSortedRunCompactionTrigger;
  if (runs.length >= trigger) {
    // 1. size amplification: everything newer than the oldest run, relative to it
    let candidateSize = 0n;
    for (let i = 0; i < runs.length - 1; i++) candidateSize += runs[i].run.totalSize;
    const earliest = runs[runs.length - 1].run.totalSize;
    if (candidateSize * 100n > BigInt(o.maxSizeAmplificationPercent) * earliest) return unitOf(maxLevel, runs);
    // 2. size ratio
    const unit = pickForSizeRatio(maxLevel, runs, 1, false, o.sizeRatio);
    if (unit) return unit;
  }
  // 3. number of runs
  if (runs.length > trigger) return pickForSizeRatio(maxLevel, runs, runs.length - trigger + 1, false, o.sizeRatio);
  return null;
}

function pickForSizeRatio(maxLevel: number, runs: readonly LevelSortedRun[], candidateCount: number, forcePick: boolean, sizeRatio: number): CompactUnit | null {
  let candidateSize = 0;
  for (let i = 0; i < candidateCount; i++) candidateSize += Number(runs[i].run.totalSize);
  for (let i = candidateCount; i < runs.length; i++) {
    const next = Number(runs[i].run.totalSize);
    if ((candidateSize * (100 + sizeRatio)) / 100 < next) break;
    candidateSize += next;
    candidateCount++;
  }
  return forcePick || candidateCount > 1 ? createUnit(runs, maxLevel, candidateCount) : null;
}

function createUnit(runs: readonly LevelSortedRun[], maxLevel: number, runCount: number): CompactUnit {
  let outputLevel = runCount === runs.length ? maxLevel : Math.max(0, runs[runCount].level - 1);
  if (outputLevel === 0) {
    // never output to level 0: take in runs until one above level 0
    for (let i = runCount; i < runs.length; i++) {
      const next = runs[i];
      runCount++;
      if (next.level !== 0) {
        outputLevel = next.level;
        break;
      }
    }
  }
  if (runCount === runs.length) outputLevel = maxLevel;
  return unitOf(outputLevel, runs.slice(0, runCount));
}

/**
 * Lookup compaction's strategy (`ForceUpLevel0Compaction`): universal compaction when it
 * picks something, else every level-0 file, together with the next runs as long as
 * they are not much larger (size ratio), up to the level below the first run left out.
 */
export function pickForceUpLevel0(numLevels: number, runs: readonly LevelSortedRun[], o: UniversalCompactionOptions): CompactUnit | null {
  const unit = pickUniversal(numLevels, runs, o);
  if (unit) return unit;
  let level0 = 0;
  while (level0 < runs.length && runs[level0].level === 0) level0++;
  return level0 === 0 ? null : pickForSizeRatio(numLevels - 1, runs, level0, true, o.sizeRatio);
}

/** Full compaction (`CompactStrategy.pickFullCompaction`): all runs to the max level, unless that is all there is. */
export function pickFull(numLevels: number, runs: readonly LevelSortedRun[]): CompactUnit | null {
  const maxLevel = numLevels - 1;
  if (runs.length === 0) return null;
  if (runs.length === 1 && runs[0].level === maxLevel) return null;
  return unitOf(maxLevel, runs);
}

/**
 * Groups files into sections whose key ranges do not overlap each other, and each
 * section into sorted runs (`IntervalPartition`).
 */
export function intervalPartition(files: readonly DataFileMeta[], keys: KeyRanges): DataFileMeta[][][] {
  const sorted = [...files].sort((a, b) => keys.compareFiles(a, b));
  const out: DataFileMeta[][][] = [];
  let section: DataFileMeta[] = [];
  let bound: InternalValue[] | null = null;
  for (const f of sorted) {
    if (section.length > 0 && keys.compare(keys.min(f), bound as InternalValue[]) > 0) {
      out.push(partitionSection(section, keys));
      section = [];
      bound = null;
    }
    section.push(f);
    if (bound === null || keys.compare(keys.max(f), bound) > 0) bound = keys.max(f);
  }
  if (section.length > 0) out.push(partitionSection(section, keys));
  return out;
}

function partitionSection(files: DataFileMeta[], keys: KeyRanges): DataFileMeta[][] {
  // greedy: put each file after the run whose last max key is smallest, if it fits
  const runs: DataFileMeta[][] = [[files[0]]];
  const lastMax = (r: DataFileMeta[]) => keys.max(r[r.length - 1]);
  for (let i = 1; i < files.length; i++) {
    const f = files[i];
    let best = 0;
    for (let r = 1; r < runs.length; r++) if (keys.compare(lastMax(runs[r]), lastMax(runs[best])) < 0) best = r;
    if (keys.compare(keys.min(f), lastMax(runs[best])) > 0) runs[best].push(f);
    else runs.push([f]);
  }
  return runs;
}

export interface CompactRewriter {
  /** Merges the sections (each a list of sorted runs) into new files at `outputLevel`. */
  rewrite(outputLevel: number, dropDelete: boolean, sections: DataFileMeta[][][]): Promise<CompactResult>;
  /**
   * Moves a file that overlaps nothing else of the unit to `outputLevel` (default: the
   * same file at the new level). Lookup compaction also looks up its keys, and may rewrite it.
   */
  upgrade?(outputLevel: number, file: DataFileMeta): Promise<CompactResult>;
}

export function upgradeFile(f: DataFileMeta, level: number): DataFileMeta {
  return { ...f, level };
}

function containsDeleteRecords(f: DataFileMeta): boolean {
  return f.deleteRowCount === null || f.deleteRowCount > 0n;
}

/**
 * Carries out a unit (`MergeTreeCompactTask`): overlapping sections and small files are
 * rewritten together; a large file alone in its section is upgraded to the output level
 * (or rewritten, when it would reach the max level with retractions in it).
 */
export async function runCompactUnit(
  unit: CompactUnit,
  dropDelete: boolean,
  maxLevel: number,
  minFileSize: number,
  keys: KeyRanges,
  rewriter: CompactRewriter,
  /** Files to rewrite even when they could be upgraded (deletion vectors to fold away in a full compaction). */
  forceRewrite?: (f: DataFileMeta) => boolean,
): Promise<CompactResult> {
  const result: CompactResult = { before: [], after: [] };
  const outputLevel = unit.outputLevel;
  const candidate: DataFileMeta[][][] = [];

  const take = (r: CompactResult) => {
    result.before.push(...r.before);
    result.after.push(...r.after);
    if (r.changelog && r.changelog.length > 0) (result.changelog ??= []).push(...r.changelog);
  };
  const rewriteImpl = async (c: DataFileMeta[][][]) => {
    take(await rewriter.rewrite(outputLevel, dropDelete, c));
    c.length = 0;
  };
  const upgrade = async (f: DataFileMeta) => {
    if ((outputLevel === maxLevel && containsDeleteRecords(f)) || (forceRewrite !== undefined && forceRewrite(f))) {
      await rewriteImpl([[[f]]]);
      return;
    }
    if (f.level !== outputLevel) {
      if (rewriter.upgrade) {
        take(await rewriter.upgrade(outputLevel, f));
      } else {
        result.before.push(f);
        result.after.push(upgradeFile(f, outputLevel));
      }
    }
  };
  const rewrite = async () => {
    if (candidate.length === 0) return;
    if (candidate.length === 1) {
      const section = candidate[0];
      if (section.length === 0) return;
      if (section.length === 1) {
        for (const f of section[0]) await upgrade(f);
        candidate.length = 0;
        return;
      }
    }
    await rewriteImpl(candidate);
  };

  for (const section of intervalPartition(unit.files, keys)) {
    if (section.length > 1) candidate.push(section);
    else {
      for (const f of section[0]) {
        if (Number(f.fileSize) < minFileSize) candidate.push([[f]]);
        else {
          await rewrite();
          await upgrade(f);
        }
      }
    }
  }
  await rewrite();
  return result;
}

/** Whether the result of a unit may drop retractions: it lands at or above every other level. */
export function dropDeleteFor(unit: CompactUnit, levels: Levels): boolean {
  return unit.outputLevel !== 0 && unit.outputLevel >= levels.nonEmptyHighestLevel();
}

// ---------------------------------------------------------------------------------------
// Merge of sorted runs

/** Reads one data file as physical key-value rows in the writer's current layout. */
export type KeyValueFileReader = (file: DataFileMeta) => Promise<ColumnBatch>;

export class RunCursor {
  private fileIndex = -1;
  batch: ColumnBatch | null = null;
  row = 0;
  /** Level of the file being read. */
  level = 0;

  constructor(
    private readonly files: readonly DataFileMeta[],
    private readonly read: KeyValueFileReader,
  ) {}

  get valid(): boolean {
    return this.batch !== null;
  }

  /** Moves to the first row (of the next non-empty file). */
  async open(): Promise<void> {
    await this.nextFile();
  }

  private async nextFile(): Promise<void> {
    this.batch = null;
    while (++this.fileIndex < this.files.length) {
      const f = this.files[this.fileIndex];
      const b = await this.read(f);
      if (b.numRows > 0) {
        this.batch = b;
        this.row = 0;
        this.level = f.level;
        return;
      }
    }
  }

  async advance(): Promise<void> {
    if (this.batch === null) return;
    if (++this.row >= this.batch.numRows) await this.nextFile();
  }
}

/** A record a cursor points at: its batch, row and file level. */
export interface Held {
  batch: ColumnBatch;
  row: number;
  level: number;
}

/** Cursors over sorted runs in (key, sequence) order: the shared core of the k-way merges. */
export interface RunMerge {
  keyOf(h: Held, out: InternalValue[]): InternalValue[];
  valueOf(h: Held): (i: number) => InternalValue;
  seqOf(h: Held): bigint;
  kindOf(h: Held): number;
  /** The cursor at the smallest record, or null when every run is exhausted. */
  min(): RunCursor | null;
}

export async function openRunMerge(runs: readonly (readonly DataFileMeta[])[], read: KeyValueFileReader, layout: KeyValueLayout): Promise<RunMerge> {
  const nk = layout.keyFields.length;
  const cursors = runs.map((r) => new RunCursor(r, read));
  for (const c of cursors) await c.open();
  const keyA: InternalValue[] = new Array(nk);
  const keyB: InternalValue[] = new Array(nk);
  const keyOf = (h: Held, out: InternalValue[]) => {
    for (let k = 0; k < nk; k++) out[k] = vectorGet(h.batch.columns[k], h.row);
    return out;
  };
  const valueOf = (h: Held) => (i: number) => vectorGet(h.batch.columns[nk + 2 + i], h.row);
  const seqOf = (h: Held) => vectorGet(h.batch.columns[nk], h.row) as bigint;
  const kindOf = (h: Held) => Number(vectorGet(h.batch.columns[nk + 1], h.row));
  const compare = (a: Held, b: Held): number => {
    const c = layout.keyCompare(keyOf(a, keyA), keyOf(b, keyB));
    if (c !== 0) return c;
    return compareWithinKey(layout, valueOf(a), seqOf(a), kindOf(a), valueOf(b), seqOf(b), kindOf(b));
  };
  const min = (): RunCursor | null => {
    let best: RunCursor | null = null;
    for (const c of cursors) {
      if (!c.valid) continue;
      if (best === null || compare(c as Held, best as Held) < 0) best = c;
    }
    return best;
  };
  return { keyOf, valueOf, seqOf, kindOf, min };
}

/**
 * Merges sorted runs (each a list of key-ordered files) by key, applying the merge
 * function to equal keys; emits physical rows to `sink` in chunks of `chunkRows`.
 *
 * `lookupMerge` (tables whose compaction looks keys up, except first-row: Java's
 * `LookupMergeFunction`): of a key's records only those at level 0 and the newest one at
 * a level ≥ 1 are merged, because that one already holds the merge of everything below
 * it — without deletion vectors the older rows stay in the levels above and must not be
 * merged in a second time (aggregation would count them twice).
 */
export async function mergeRuns(
  runs: readonly (readonly DataFileMeta[])[],
  layout: KeyValueLayout,
  read: KeyValueFileReader,
  dropDelete: boolean,
  sink: (rows: ColumnBatch) => Promise<void>,
  chunkRows = 8192,
  lookupMerge = false,
  /** Sees every key group: its records (merge order), their file levels, and the result written. */
  observe?: (records: KeyValueRecord[], levels: number[], result: KeyValueRecord) => void | Promise<void>,
): Promise<void> {
  const nk = layout.keyFields.length;
  const { keyOf, valueOf: value, seqOf, kindOf, min: minCursor } = await openRunMerge(runs, read, layout);
  const keyB: InternalValue[] = new Array(nk);

  const out = new KeyValueRowsBuilder(layout);
  const emit = (row: (i: number) => InternalValue, seq: bigint, kind: number) => {
    if (dropDelete && isRetract(kind as RowKind)) return;
    out.push(row, seq, kind);
  };
  const groupKey: InternalValue[] = new Array(nk);
  for (;;) {
    const first = minCursor();
    if (first === null) break;
    const head: Held = { batch: first.batch as ColumnBatch, row: first.row, level: first.level };
    keyOf(head, groupKey);
    await first.advance();
    let group: Held[] | null = null;
    for (;;) {
      const c = minCursor();
      if (c === null || layout.keyCompare(keyOf(c as Held, keyB), groupKey) !== 0) break;
      (group ??= [head]).push({ batch: c.batch as ColumnBatch, row: c.row, level: c.level });
      await c.advance();
    }
    if (group !== null && lookupMerge) {
      let high = -1;
      for (let i = 0; i < group.length; i++) if (group[i].level > 0 && (high < 0 || group[i].level < group[high].level)) high = i;
      group = group.filter((h, i) => h.level <= 0 || i === high);
    }
    if (group === null && observe === undefined) emit(value(head), seqOf(head), kindOf(head));
    else {
      const held = group ?? [head];
      const records: KeyValueRecord[] = held.map((h) => ({ seq: seqOf(h), kind: kindOf(h) as RowKind, row: layout.fields.map((_, i) => value(h)(i)) }));
      // one record stays as it is (Java's ReducerMergeFunctionWrapper); several go through the merge
      // function, even when the lookup merge kept only one of them
      const merged = group === null ? records[0] : layout.merge(records);
      const result = merged ?? { ...records[records.length - 1], kind: RowKind.DELETE };
      emit((i) => result.row[i] ?? null, result.seq, result.kind);
      if (observe !== undefined)
        await observe(
          records,
          held.map((h) => h.level),
          result,
        );
    }
    if (out.length >= chunkRows) await sink(out.drain());
  }
  if (out.length > 0) await sink(out.drain());
}
