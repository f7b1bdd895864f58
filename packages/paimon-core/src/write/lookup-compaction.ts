/**
 * Lookup compaction (METADATA.md §8.5–8.6; Java's `LookupMergeTreeCompactRewriter` with
 * `ForceUpLevel0Compaction`): the compaction that takes level-0 files up before a commit
 * returns, so batch readers, which skip level 0 in deletion-vector mode, see them at once.
 *
 * The inputs are merged by key as usual, every input read without the rows its deletion
 * vector deletes. For each key the result is the merge of the key's level-0 records with
 * its newest record at a level ≥ 1: taken from the inputs when one of them holds it,
 * otherwise looked up in the levels above the output level. A key found that way gets
 * that older row's position set in its file's deletion vector (deduplicate,
 * partial-update, aggregation), so exactly one live row per key remains; merge engines
 * other than deduplicate merge the new records into the old row (Java's
 * `LookupMergeFunction`). For first-row, a key already present above means the new
 * records are dropped. Retractions never reach the output in deletion-vector mode.
 *
 * A level-0 file alone in its section is upgraded (renamed to the output level without
 * rewriting) when its records are already the final rows: deduplicate without
 * `sequence.field`, or when it lands on the max level; it is rewritten otherwise (and
 * always when it holds retractions in deletion-vector mode). Either way its keys are
 * looked up. Compactions without level-0 inputs are plain merges (of each key only the
 * level-0 records and the newest record at a level ≥ 1, Java's `LookupMergeFunction`).
 * Every file a compaction rewrites loses its deletion vector (the rewrite leaves the
 * deleted rows out).
 *
 * Changelog (`changelog-producer=lookup`; Java's `LookupChangelogMergeFunctionWrapper` and
 * `FirstRowMergeFunctionWrapper`): every key with level-0 records in a compaction that
 * takes level-0 files up — rewritten or only upgraded — gets changelog records in a
 * changelog file at the output level. The key's old value is its newest record at a
 * level ≥ 1 (from the inputs, or looked up); a retraction there counts as no old value.
 * No old value and an added result: +I new. Old value and a retracted result: -D old.
 * Both added: -U old, +U new — skipped when `changelog-producer.row-deduplicate` is set
 * and the values are equal (ignoring the `…-ignore-fields`). First-row: +I for a key
 * found nowhere above, nothing otherwise.
 */
import { isRetract, RowKind, type InternalValue } from "../data/values.js";
import type { ColumnBatch } from "../data/vector.js";
import type { DataFileMeta } from "../manifest/model.js";
import type { KeyValueRecord } from "../read/merge.js";
import type { MergeEngine } from "../table/options.js";
import { mergeRuns, openRunMerge, upgradeFile, type CompactResult, type CompactRewriter, type Held, type KeyValueFileReader } from "./compaction.js";
import type { RollingDataFileWriter } from "./data-file-writer.js";
import type { BucketDeletionVectors } from "./deletion-vectors.js";
import { compareWithinKey, KeyValueRowsBuilder, type KeyValueLayout } from "./kv-layout.js";
import type { BucketLookup } from "./lookup.js";

export interface LookupRewriterOptions {
  layout: KeyValueLayout;
  engine: MergeEngine;
  maxLevel: number;
  /** Reads a data file as a physical key-value batch, without the rows its deletion vector deletes. */
  read: KeyValueFileReader;
  lookup: BucketLookup;
  /** The bucket's deletion vectors (deletion-vector mode), else null. */
  dvs: BucketDeletionVectors | null;
  /** A rolling writer for compaction outputs at a level. */
  openWriter(level: number): RollingDataFileWriter;
  /** Files a compaction rewrote (and so removed): their cached lookup indexes go. */
  onRewritten?(files: readonly DataFileMeta[]): void;
  /** `changelog-producer=lookup`: how changelog files are written; null: no changelog. */
  changelog: LookupChangelogOptions | null;
}

export interface LookupChangelogOptions {
  /** A rolling writer for changelog files at a level. */
  openWriter(level: number): RollingDataFileWriter;
  /** `changelog-producer.row-deduplicate`: whether two value rows are equal (null: never compared). */
  equals: ((a: readonly InternalValue[], b: readonly InternalValue[]) => boolean) | null;
}

function hasLevel0(sections: readonly (readonly (readonly DataFileMeta[])[])[]): boolean {
  return sections.some((s) => s.some((run) => run.some((f) => f.level === 0)));
}

export class LookupCompactRewriter implements CompactRewriter {
  constructor(private readonly o: LookupRewriterOptions) {}

  private get dvMode(): boolean {
    return this.o.dvs !== null;
  }

  async rewrite(outputLevel: number, dropDelete: boolean, sections: DataFileMeta[][][]): Promise<CompactResult> {
    if (outputLevel !== 0 && hasLevel0(sections)) return this.lookupMerge(outputLevel, dropDelete, sections, true);
    const w = this.o.openWriter(outputLevel);
    const lookupMerge = this.o.engine !== "first-row";
    try {
      for (const section of sections) await mergeRuns(section, this.o.layout, this.o.read, dropDelete, (rows) => w.write(rows), 8192, lookupMerge);
      const after = await w.close();
      const before = sections.flat(2);
      this.rewritten(before);
      return { before, after };
    } catch (e) {
      await w.abort();
      throw e;
    }
  }

  /** Java's `LookupMergeTreeCompactRewriter.upgradeStrategy`: look up a level-0 file's keys, and rewrite it unless it is final as is. */
  async upgrade(outputLevel: number, file: DataFileMeta): Promise<CompactResult> {
    if (file.level !== 0) return { before: [file], after: [upgradeFile(file, outputLevel)] };
    let rewrite: boolean;
    if (this.dvMode && (file.deleteRowCount === null || file.deleteRowCount > 0n)) rewrite = true;
    else if (outputLevel === this.o.maxLevel) rewrite = false;
    else if (this.o.engine === "deduplicate" && this.o.layout.seqIndexes.length === 0) rewrite = false;
    else rewrite = true;
    return this.lookupMerge(outputLevel, this.dvMode, [[[file]]], rewrite);
  }

  private rewritten(files: readonly DataFileMeta[]): void {
    if (this.o.dvs) for (const f of files) this.o.dvs.remove(f.fileName);
    this.o.onRewritten?.(files);
  }

  private async lookupMerge(outputLevel: number, dropDelete: boolean, sections: DataFileMeta[][][], write: boolean): Promise<CompactResult> {
    // upgrading with nothing above to look up in and no changelog to produce: the lookups could only miss
    if (!write && this.o.changelog === null && !this.o.lookup.hasFilesFrom(outputLevel + 1)) {
      const before = sections.flat(2);
      return { before, after: before.map((f) => upgradeFile(f, outputLevel)) };
    }
    const w = write ? this.o.openWriter(outputLevel) : null;
    const cw = this.o.changelog?.openWriter(outputLevel) ?? null;
    try {
      for (const section of sections) await this.mergeSection(section, outputLevel, dropDelete, w, cw);
      const before = sections.flat(2);
      const changelog = cw === null ? [] : await cw.close();
      if (w === null) return { before, after: before.map((f) => upgradeFile(f, outputLevel)), changelog };
      const after = await w.close();
      this.rewritten(before);
      return { before, after, changelog };
    } catch (e) {
      await w?.abort();
      await cw?.abort();
      throw e;
    }
  }

  private async mergeSection(
    runs: readonly (readonly DataFileMeta[])[],
    outputLevel: number,
    dropDelete: boolean,
    w: RollingDataFileWriter | null,
    cw: RollingDataFileWriter | null,
  ): Promise<void> {
    const { layout, lookup, dvs } = this.o;
    const nk = layout.keyFields.length;
    const firstRow = this.o.engine === "first-row";
    const needRow = lookup.mode === "row";
    const { keyOf, valueOf, seqOf, kindOf, min: minCursor } = await openRunMerge(runs, this.o.read, layout);
    const keyB: InternalValue[] = new Array(nk);
    const toRecord = (h: Held): KeyValueRecord => ({ seq: seqOf(h), kind: kindOf(h) as RowKind, row: layout.fields.map((_, i) => valueOf(h)(i)) });

    const out = w === null ? null : new KeyValueRowsBuilder(layout);
    const emit = (row: (i: number) => InternalValue, seq: bigint, kind: number) => {
      if (out === null) return;
      if (dropDelete && isRetract(kind as RowKind)) return;
      out.push(row, seq, kind);
    };
    const cl = cw === null ? null : new KeyValueRowsBuilder(layout);
    const equals = this.o.changelog?.equals ?? null;
    const change = (r: KeyValueRecord, kind: RowKind) => cl?.pushRow(r.row, r.seq, kind);

    for (;;) {
      if (out !== null && w !== null && out.length >= 8192) await w.write(out.drain());
      if (cl !== null && cw !== null && cl.length >= 8192) await cw.write(cl.drain());
      const first = minCursor();
      if (first === null) break;
      const group: Held[] = [{ batch: first.batch as ColumnBatch, row: first.row, level: first.level }];
      const key = keyOf(group[0], new Array(nk));
      await first.advance();
      for (;;) {
        const c = minCursor();
        if (c === null || layout.keyCompare(keyOf(c as Held, keyB), key) !== 0) break;
        group.push({ batch: c.batch as ColumnBatch, row: c.row, level: c.level });
        await c.advance();
      }

      if (firstRow) {
        // the first record wins; a key already above the output level keeps its old row
        const containsHigh = group.some((h) => h.level > 0);
        if (!containsHigh && (await lookup.lookup(key, outputLevel + 1)) !== null) continue;
        const merged = group.length === 1 ? toRecord(group[0]) : layout.merge(group.map(toRecord));
        if (merged === null) continue;
        emit((i) => merged.row[i] ?? null, merged.seq, merged.kind);
        // a key new to the bucket: its first row is the change
        if (!containsHigh) change(merged, merged.kind);
        continue;
      }

      // the newest record at a level ≥ 1 (the lowest such level) stands for all older ones
      let high = -1;
      for (let i = 0; i < group.length; i++) if (group[i].level > 0 && (high < 0 || group[i].level < group[high].level)) high = i;
      let old: KeyValueRecord | null = null;
      if (high < 0) {
        const hit = await lookup.lookup(key, outputLevel + 1);
        if (hit !== null) {
          dvs?.notifyNewDeletion(hit.fileName, hit.position);
          if (needRow && hit.row !== undefined) old = { seq: hit.seq as bigint, kind: hit.kind as RowKind, row: hit.row };
        }
      }
      const picked = group.filter((h, i) => h.level <= 0 || i === high);
      const containLevel0 = cl !== null && group.some((h) => h.level <= 0);
      if (out === null && !containLevel0) continue; // upgrade without rewrite: only the deletion vectors change
      // deduplicate keeps the newest record as is; the other engines merge even one record (Java's LookupMergeFunction)
      if (old === null && picked.length === 1 && this.o.engine === "deduplicate") {
        emit(valueOf(picked[0]), seqOf(picked[0]), kindOf(picked[0]));
        if (containLevel0) this.changelogOf(high >= 0 ? toRecord(group[high]) : null, toRecord(picked[0]), equals, change);
        continue;
      }
      const records = picked.map(toRecord);
      if (old !== null) {
        // ordered like the merge: user sequence fields, then sequence number
        const o = old;
        let at = 0;
        while (at < records.length && compareWithinKey(layout, (i) => records[at].row[i] ?? null, records[at].seq, records[at].kind, (i) => o.row[i] ?? null, o.seq, o.kind) < 0) at++;
        records.splice(at, 0, o);
      }
      const merged = records.length === 1 && this.o.engine === "deduplicate" ? records[0] : layout.merge(records);
      const result = merged ?? { ...records[records.length - 1], kind: RowKind.DELETE };
      emit((i) => result.row[i] ?? null, result.seq, result.kind);
      if (containLevel0) this.changelogOf(high >= 0 ? toRecord(group[high]) : old, result, equals, change);
    }
    if (out !== null && out.length > 0 && w !== null) await w.write(out.drain());
    if (cl !== null && cl.length > 0 && cw !== null) await cw.write(cl.drain());
  }

  /** The changes from a key's old value (its newest record at a level ≥ 1) to the merged result. */
  private changelogOf(
    before: KeyValueRecord | null,
    after: KeyValueRecord,
    equals: ((a: readonly InternalValue[], b: readonly InternalValue[]) => boolean) | null,
    change: (r: KeyValueRecord, kind: RowKind) => void,
  ): void {
    const afterAdded = !isRetract(after.kind);
    if (before === null || isRetract(before.kind)) {
      if (afterAdded) change(after, RowKind.INSERT);
    } else if (!afterAdded) change(before, RowKind.DELETE);
    else if (equals === null || !equals(before.row, after.row)) {
      change(before, RowKind.UPDATE_BEFORE);
      change(after, RowKind.UPDATE_AFTER);
    }
  }
}

function valueEquals(a: InternalValue, b: InternalValue): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== "object" || typeof b !== "object") return false;
  if (a instanceof Uint8Array || b instanceof Uint8Array) {
    if (!(a instanceof Uint8Array && b instanceof Uint8Array) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!(Array.isArray(a) && Array.isArray(b)) || a.length !== b.length) return false;
    return a.every((x, i) => valueEquals(x, b[i]));
  }
  if ("millis" in a && "millis" in b) return a.millis === b.millis && a.nanoOfMilli === b.nanoOfMilli;
  if ("keys" in a && "keys" in b) return valueEquals(a.keys, b.keys) && valueEquals(a.values, b.values);
  return false;
}

/**
 * Java's `RecordEqualiser` for `changelog-producer.row-deduplicate`: two value rows are
 * equal when every column but the ignored ones holds the same value.
 */
export function rowEqualiser(fieldNames: readonly string[], ignore: readonly string[]): (a: readonly InternalValue[], b: readonly InternalValue[]) => boolean {
  const compared = fieldNames.map((_, i) => i).filter((i) => !ignore.includes(fieldNames[i]));
  return (a, b) => compared.every((i) => valueEquals(a[i] ?? null, b[i] ?? null));
}
