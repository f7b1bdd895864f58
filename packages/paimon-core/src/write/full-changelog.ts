/**
 * `changelog-producer=full-compaction` (Java's `FullChangelogMergeTreeCompactRewriter` and
 * `FullChangelogMergeFunctionWrapper`): a compaction whose output is the max level — a
 * full compaction, or a universal compaction that reaches the max level — also writes the
 * changes since the previous one into changelog files at the max level. A key's old value
 * is its record at the max level (the result of the last full compaction); its new value
 * the merge of all its records:
 * * a single record, no old value: +I when it is an addition (nothing otherwise);
 * * a single record that is the old value: no change;
 * * several records: +I new without an old value; -D old when the result is a
 *   retraction; -U old / +U new otherwise (skipped when `changelog-producer.row-deduplicate`
 *   is set and the values are equal).
 * A file moved to the max level without a rewrite gets +I for each of its additions.
 * Compactions to lower levels are plain merges without changelog.
 */
import { isRetract, RowKind, type InternalValue } from "../data/values.js";
import { vectorGet } from "../data/vector.js";
import type { DataFileMeta } from "../manifest/model.js";
import type { KeyValueRecord } from "../read/merge.js";
import { mergeRuns, upgradeFile, type CompactResult, type CompactRewriter, type KeyValueFileReader } from "./compaction.js";
import type { RollingDataFileWriter } from "./data-file-writer.js";
import { KeyValueRowsBuilder, type KeyValueLayout } from "./kv-layout.js";

export interface FullChangelogOptions {
  layout: KeyValueLayout;
  maxLevel: number;
  read: KeyValueFileReader;
  /** A rolling writer for compaction outputs at a level. */
  openWriter(level: number): RollingDataFileWriter;
  /** A rolling writer for changelog files at a level. */
  openChangelogWriter(level: number): RollingDataFileWriter;
  /** `changelog-producer.row-deduplicate`: whether two value rows are equal (null: never compared). */
  equals: ((a: readonly InternalValue[], b: readonly InternalValue[]) => boolean) | null;
}

const CHUNK = 8192;

export class FullChangelogRewriter implements CompactRewriter {
  constructor(private readonly o: FullChangelogOptions) {}

  async rewrite(outputLevel: number, dropDelete: boolean, sections: DataFileMeta[][][]): Promise<CompactResult> {
    const { layout, read, maxLevel, equals } = this.o;
    if (outputLevel === maxLevel && !dropDelete) throw new Error(`table ${layout.tableName}: a compaction to the max level must drop retractions (this is a bug)`);
    const w = this.o.openWriter(outputLevel);
    const cw = outputLevel === maxLevel ? this.o.openChangelogWriter(outputLevel) : null;
    const cl = new KeyValueRowsBuilder(layout);
    const change = (r: KeyValueRecord, kind: RowKind) => cl.pushRow(r.row, r.seq, kind);
    const observe =
      cw === null
        ? undefined
        : async (records: KeyValueRecord[], levels: number[], result: KeyValueRecord) => {
            const topAt = levels.indexOf(maxLevel);
            const top = topAt >= 0 ? records[topAt] : null;
            if (records.length === 1) {
              if (top === null && !isRetract(result.kind)) change(result, RowKind.INSERT);
            } else if (top === null) {
              if (!isRetract(result.kind)) change(result, RowKind.INSERT);
            } else if (isRetract(result.kind)) change(top, RowKind.DELETE);
            else if (equals === null || !equals(top.row, result.row)) {
              change(top, RowKind.UPDATE_BEFORE);
              change(result, RowKind.UPDATE_AFTER);
            }
            if (cl.length >= CHUNK) await cw.write(cl.drain());
          };
    try {
      for (const section of sections) await mergeRuns(section, layout, read, dropDelete, (rows) => w.write(rows), CHUNK, false, observe);
      let changelog: DataFileMeta[] = [];
      if (cw !== null) {
        if (cl.length > 0) await cw.write(cl.drain());
        changelog = await cw.close();
      }
      return { before: sections.flat(2), after: await w.close(), changelog };
    } catch (e) {
      await w.abort();
      await cw?.abort();
      throw e;
    }
  }

  /** A file moved up without a rewrite; to the max level its additions are new (+I). */
  async upgrade(outputLevel: number, file: DataFileMeta): Promise<CompactResult> {
    const result: CompactResult = { before: [file], after: [upgradeFile(file, outputLevel)] };
    if (outputLevel !== this.o.maxLevel) return result;
    const { layout } = this.o;
    const nk = layout.keyFields.length;
    const b = await this.o.read(file);
    const cl = new KeyValueRowsBuilder(layout);
    const cw = this.o.openChangelogWriter(outputLevel);
    try {
      for (let r = 0; r < b.numRows; r++) {
        const kind = Number(vectorGet(b.columns[nk + 1], r)) as RowKind;
        if (isRetract(kind)) continue;
        cl.push((i) => vectorGet(b.columns[nk + 2 + i], r), vectorGet(b.columns[nk], r) as bigint, RowKind.INSERT);
        if (cl.length >= CHUNK) await cw.write(cl.drain());
      }
      if (cl.length > 0) await cw.write(cl.drain());
      result.changelog = await cw.close();
      return result;
    } catch (e) {
      await cw.abort();
      throw e;
    }
  }
}
