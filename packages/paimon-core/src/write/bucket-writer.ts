/**
 * Per-(partition, bucket) writers. A `BucketWriter` owns what one bucket needs between
 * commits: its sequence counter (continuing after the max `_MAX_SEQUENCE_NUMBER` of its
 * live files), the files it added and the compaction changes it made since the last
 * `prepareCommit`, and the index files that go with them. `drainIncrement()` turns that
 * into one `CommitMessage`.
 *
 * * `AppendBucketWriter`: rows go straight to a rolling data-file writer.
 * * `MergeTreeBucketWriter`: rows go to a sorted write buffer; a flush writes one sorted
 *   run as level-0 file(s); the bucket's LSM `Levels` track every live file, and
 *   compaction (universal, or full on demand) runs before `prepareCommit` returns, its
 *   inputs and outputs reported as `compactBefore`/`compactAfter`. Deletion-vector and
 *   first-row tables use lookup compaction instead (see lookup-compaction.ts): every
 *   level-0 file goes up before `prepareCommit` returns, and (deletion vectors) the
 *   bucket's new DELETION_VECTORS index file is reported in `compactIndexFiles`, the one
 *   it replaces in `compactDeletedIndexFiles`.
 *
 * Changelog (Java's `MergeTreeWriter`): with `changelog-producer=input` each flush also
 * writes every buffered record, unmerged, in key and sequence order, into level-0
 * changelog files (`changelogFiles`, committed with the APPEND snapshot); with
 * `changelog-producer=lookup` the lookup compaction writes the changes it finds, and with
 * `full-compaction` every compaction to the max level writes the changes since the last
 * one (`compactChangelogFiles`, committed with the COMPACT snapshot).
 */
import type { FileIO } from "@paimon-ts/fileio";
import { joinPath } from "@paimon-ts/fileio";
import type { ColumnBatch } from "../data/vector.js";
import type { CommitMessage } from "../commit/message.js";
import { FileSource, type DataFileMeta, type IndexFileMeta } from "../manifest/model.js";
import {
  dropDeleteFor,
  mergeRuns,
  pickForceUpLevel0,
  pickFull,
  pickUniversal,
  runCompactUnit,
  type CompactResult,
  type CompactRewriter,
  type CompactUnit,
  type KeyValueFileReader,
} from "./compaction.js";
import { DataFileNamer, RollingDataFileWriter, type FileNamer } from "./data-file-writer.js";
import type { BucketDeletionVectors } from "./deletion-vectors.js";
import { gatherBatch } from "./columns.js";
import { BucketLookup, type BlockSource, type LookupCache, type LookupMode } from "./lookup.js";
import { FullChangelogRewriter } from "./full-changelog.js";
import { LookupCompactRewriter, rowEqualiser } from "./lookup-compaction.js";
import type { MergeEngine } from "../table/options.js";
import type { KeyValueLayout } from "./kv-layout.js";
import { KeyRanges, Levels } from "./levels.js";
import { statsModesFor, type WriteOptions } from "./options.js";
import type { PartitionInfo } from "./partitions.js";
import { WriteBuffer } from "./write-buffer.js";
import type { DataField } from "../types/datatype.js";

export interface BucketWriterContext {
  io: FileIO;
  tableName: string;
  schemaId: bigint;
  opts: WriteOptions;
  /** Absolute bucket directory of a (partition, bucket). */
  bucketDir(partition: PartitionInfo, bucket: number): string;
}

export abstract class BucketWriter {
  readonly directory: string;
  readonly names: DataFileNamer;
  /** Changelog file names: the data files' UUID and counter, `changelog-file.prefix`. */
  readonly changelogNames: FileNamer;
  /**
   * Names of compaction outputs and their changelog files: Java's compaction rewriter has
   * a writer factory of its own, so another UUID and counter.
   */
  readonly compactNames: DataFileNamer;
  readonly compactChangelogNames: FileNamer;
  /** Highest sequence number used in this bucket (-1 when none). */
  protected maxSequence: bigint;
  protected newFiles: DataFileMeta[] = [];
  /** Compaction inputs by file name (an input may be a file this writer added earlier). */
  protected compactBefore = new Map<string, DataFileMeta>();
  protected compactAfter: DataFileMeta[] = [];
  /** Changelog files of the flushed input (`changelog-producer=input`). */
  protected newChangelog: DataFileMeta[] = [];
  /** Changelog files of compactions (`changelog-producer=lookup`). */
  protected compactChangelog: DataFileMeta[] = [];
  protected newIndexFiles: IndexFileMeta[] = [];
  /** Index files replaced by compaction (DELETION_VECTORS), with the files they replace. */
  protected compactIndexFiles: IndexFileMeta[] = [];
  protected compactDeletedIndexFiles: IndexFileMeta[] = [];

  constructor(
    readonly ctx: BucketWriterContext,
    readonly partition: PartitionInfo,
    readonly bucket: number,
    readonly totalBuckets: number,
    restoredMaxSequence: bigint,
  ) {
    this.directory = ctx.bucketDir(partition, bucket);
    this.names = new DataFileNamer(ctx.opts.dataFilePrefix);
    this.changelogNames = this.names.withPrefix(ctx.opts.changelogFilePrefix);
    this.compactNames = new DataFileNamer(ctx.opts.dataFilePrefix);
    this.compactChangelogNames = this.compactNames.withPrefix(ctx.opts.changelogFilePrefix);
    this.maxSequence = restoredMaxSequence;
  }

  get maxSequenceNumber(): bigint {
    return this.maxSequence;
  }

  /** Index files (HASH) to commit with this bucket's next message. */
  addIndexFile(f: IndexFileMeta): void {
    this.newIndexFiles.push(f);
  }

  /** Writes out everything buffered. */
  abstract flush(): Promise<void>;

  /** Flushes, runs due compaction, and returns the bucket's changes since the last call (null: none). */
  abstract prepareCommit(): Promise<CommitMessage | null>;

  /** Deletes files written since the last `prepareCommit` (they were never committed). */
  abstract abort(): Promise<void>;

  protected drainIncrement(): CommitMessage | null {
    const msg: CommitMessage = {
      partition: this.partition.bytes,
      bucket: this.bucket,
      totalBuckets: this.totalBuckets,
      newFiles: this.newFiles,
    };
    if (this.compactBefore.size > 0) msg.compactBefore = [...this.compactBefore.values()];
    if (this.compactAfter.length > 0) msg.compactAfter = this.compactAfter;
    if (this.newChangelog.length > 0) msg.changelogFiles = this.newChangelog;
    if (this.compactChangelog.length > 0) msg.compactChangelogFiles = this.compactChangelog;
    if (this.newIndexFiles.length > 0) msg.newIndexFiles = this.newIndexFiles;
    if (this.compactIndexFiles.length > 0) msg.compactIndexFiles = this.compactIndexFiles;
    if (this.compactDeletedIndexFiles.length > 0) msg.compactDeletedIndexFiles = this.compactDeletedIndexFiles;
    this.newFiles = [];
    this.compactBefore = new Map();
    this.compactAfter = [];
    this.newChangelog = [];
    this.compactChangelog = [];
    this.newIndexFiles = [];
    this.compactIndexFiles = [];
    this.compactDeletedIndexFiles = [];
    const empty =
      msg.newFiles.length === 0 && !msg.compactBefore && !msg.compactAfter && !msg.changelogFiles && !msg.compactChangelogFiles && !msg.newIndexFiles && !msg.compactIndexFiles;
    return empty ? null : msg;
  }

  protected async deleteFiles(files: readonly DataFileMeta[]): Promise<void> {
    for (const f of files) await this.ctx.io.delete(joinPath(this.directory, f.fileName)).catch(() => false);
  }
}

// ---------------------------------------------------------------------------------------

export class AppendBucketWriter extends BucketWriter {
  private writer: RollingDataFileWriter | null = null;

  constructor(
    ctx: BucketWriterContext,
    partition: PartitionInfo,
    bucket: number,
    totalBuckets: number,
    restoredMaxSequence: bigint,
    private readonly fields: DataField[],
  ) {
    super(ctx, partition, bucket, totalBuckets, restoredMaxSequence);
  }

  private open(): RollingDataFileWriter {
    const o = this.ctx.opts;
    return new RollingDataFileWriter({
      io: this.ctx.io,
      directory: this.directory,
      fields: this.fields,
      schemaId: this.ctx.schemaId,
      level: 0,
      fileSource: FileSource.APPEND,
      statsModes: statsModesFor(
        this.fields.map((f) => f.name),
        o,
        0,
      ),
      denseStore: o.statsDenseStore,
      targetFileSize: o.targetFileSize,
      compression: o.compression,
      zstdLevel: o.zstdLevel,
      names: this.names,
      layout: { kind: "append", nextSequence: this.maxSequence + 1n },
    });
  }

  /** Estimated bytes buffered for the file being written. */
  get bufferedBytes(): number {
    return this.writer?.bufferedBytes ?? 0;
  }

  /** Completes the file being written now (under memory pressure); the bucket keeps writing into a new one. */
  async finishFile(): Promise<void> {
    await this.writer?.flushFile();
  }

  /** Appends rows (table columns); each gets the next sequence number of the bucket. */
  async write(batch: ColumnBatch): Promise<void> {
    if (batch.numRows === 0) return;
    this.writer ??= this.open();
    await this.writer.write(batch);
    this.maxSequence += BigInt(batch.numRows);
  }

  async flush(): Promise<void> {
    if (this.writer === null) return;
    const w = this.writer;
    this.writer = null;
    this.newFiles.push(...(await w.close()));
  }

  async prepareCommit(): Promise<CommitMessage | null> {
    await this.flush();
    return this.drainIncrement();
  }

  async abort(): Promise<void> {
    await this.writer?.abort();
    this.writer = null;
    await this.deleteFiles(this.newFiles);
    this.newFiles = [];
  }
}

// ---------------------------------------------------------------------------------------

export interface MergeTreeBucketOptions {
  layout: KeyValueLayout;
  restoredFiles: DataFileMeta[];
  read: KeyValueFileReader;
  /** Every compaction merges all runs to the max level (first-row tables, whose reads skip merging). */
  fullCompactionOnly: boolean;
  /** Compact level-0 files away before each commit so they become visible to batch reads (first-row). */
  compactLevel0OnCommit: boolean;
  /**
   * Lookup compaction (tables that need lookup: deletion vectors, first-row,
   * `changelog-producer=lookup`, `force-lookup`; see lookup-compaction.ts):
   * every commit takes all level-0 files up (Java's force-up-level-0 strategy), looking
   * their keys up in the levels above and, with deletion vectors, marking the older rows
   * deleted (first-row: dropping the new ones). Takes precedence over the two options above.
   */
  lookup?: MergeTreeLookupOptions;
}

export interface MergeTreeLookupOptions {
  engine: MergeEngine;
  mode: LookupMode;
  cache: LookupCache;
  source: BlockSource;
  /** The bucket's deletion vectors (null: lookup without deletion vectors). */
  dvs: BucketDeletionVectors | null;
  /** `changelog-producer=lookup`: compaction writes changelog files. */
  changelog: boolean;
}

export class MergeTreeBucketWriter extends BucketWriter {
  readonly buffer: WriteBuffer;
  /** The bucket's LSM levels (replaced by `resetLevels`). */
  levels: Levels;
  private readonly keys: KeyRanges;
  private fullCompactionRequested = false;
  private readonly bucketLookup: BucketLookup | null = null;

  constructor(
    ctx: BucketWriterContext,
    partition: PartitionInfo,
    bucket: number,
    totalBuckets: number,
    restoredMaxSequence: bigint,
    private readonly mt: MergeTreeBucketOptions,
  ) {
    super(ctx, partition, bucket, totalBuckets, restoredMaxSequence);
    this.buffer = new WriteBuffer(mt.layout);
    this.keys = new KeyRanges(mt.layout.keyTypes, mt.layout.keyCompare);
    this.levels = new Levels(this.keys, mt.restoredFiles, ctx.opts.numLevels);
    const lk = mt.lookup;
    if (lk) {
      const dvs = lk.dvs;
      this.bucketLookup = new BucketLookup(lk.cache, () => this.levels, this.keys, mt.layout.keyCompare, mt.layout.keyFields.length, lk.source, lk.mode, dvs ? (f, p) => dvs.isDeleted(f, p) : null);
    }
  }

  /** The bucket's deletion vectors (deletion-vector tables). */
  get deletionVectors(): BucketDeletionVectors | null {
    return this.mt.lookup?.dvs ?? null;
  }

  /** The lookup of this bucket (lookup compaction), for tests and tools. */
  get lookup(): BucketLookup | null {
    return this.bucketLookup;
  }

  /**
   * Replaces the committed part of the levels with `files` (the bucket's live files in a
   * newer snapshot, after another writer changed it); files this writer added since its
   * last `prepareCommit` stay. Cached lookup indexes of files that are gone are dropped.
   */
  resetLevels(files: readonly DataFileMeta[]): void {
    // not committed yet: new files and compaction outputs of this round (compaction inputs are gone)
    const pending = new Set([...this.newFiles, ...this.compactAfter].map((f) => `${f.fileName}@${f.level}`));
    const old = this.levels.allFiles();
    const keep = [...files.filter((f) => !this.compactBefore.has(f.fileName)), ...old.filter((f) => pending.has(`${f.fileName}@${f.level}`))];
    const live = new Set(keep.map((f) => f.fileName));
    this.mt.lookup?.cache.retainOnly(
      old.map((f) => f.fileName),
      live,
    );
    for (const f of files) if (f.maxSequenceNumber > this.maxSequence) this.maxSequence = f.maxSequenceNumber;
    this.levels = new Levels(this.keys, keep, this.ctx.opts.numLevels);
  }

  /** Reads a file for compaction, without the rows its deletion vector deletes. */
  private async readLive(f: DataFileMeta): Promise<ColumnBatch> {
    const b = await this.mt.read(f);
    const dv = this.mt.lookup?.dvs?.vectorOf(f.fileName);
    if (!dv || dv.isEmpty()) return b;
    const keep = new Int32Array(b.numRows);
    let n = 0;
    for (let i = 0; i < b.numRows; i++) if (!dv.isDeleted(i)) keep[n++] = i;
    return gatherBatch(b, keep, n);
  }

  private lookupRewriter(lk: MergeTreeLookupOptions): LookupCompactRewriter {
    const o = this.ctx.opts;
    return new LookupCompactRewriter({
      layout: this.mt.layout,
      engine: lk.engine,
      maxLevel: this.levels.maxLevel,
      read: (f) => this.readLive(f),
      lookup: this.bucketLookup as BucketLookup,
      dvs: lk.dvs,
      openWriter: (level) => this.fileWriter(level, FileSource.COMPACT),
      onRewritten: (files) => {
        for (const f of files) lk.cache.dropFile(f.fileName);
      },
      changelog: lk.changelog
        ? {
            openWriter: (level) => this.changelogWriter(level, true),
            equals: o.changelogRowDeduplicate
              ? rowEqualiser(
                  this.mt.layout.fields.map((f) => f.name),
                  o.changelogRowDeduplicateIgnoreFields,
                )
              : null,
          }
        : null,
    });
  }

  get memoryBytes(): number {
    return this.buffer.memoryBytes;
  }

  /** Buffers rows `rows[0..count)` of `batch` (table columns) with their kinds. */
  add(batch: ColumnBatch, rows: ArrayLike<number>, count: number, kinds: Uint8Array, rowMemory: Float64Array): void {
    if (count === 0) return;
    this.buffer.add(batch, rows, count, kinds, this.maxSequence + 1n, rowMemory);
    this.maxSequence += BigInt(count);
  }

  private fileWriter(level: number, source: FileSource, changelog = false, compaction = source === FileSource.COMPACT): RollingDataFileWriter {
    const o = this.ctx.opts;
    const fields = this.mt.layout.fileFields;
    return new RollingDataFileWriter({
      io: this.ctx.io,
      directory: this.directory,
      fields,
      schemaId: this.ctx.schemaId,
      level,
      fileSource: source,
      statsModes: statsModesFor(
        fields.map((f) => f.name),
        o,
        level,
        changelog,
      ),
      denseStore: o.statsDenseStore,
      targetFileSize: o.targetFileSize,
      compression: changelog ? o.changelogCompression : o.compression,
      zstdLevel: o.zstdLevel,
      names: compaction ? (changelog ? this.compactChangelogNames : this.compactNames) : changelog ? this.changelogNames : this.names,
      layout: { kind: "key-value", keyArity: this.mt.layout.keyFields.length },
    });
  }

  /**
   * Changelog files (Java's `createRollingChangelogFileWriter`): key-value layout, APPEND
   * source, at `level`; named like the flush's files, or like a compaction's.
   */
  private changelogWriter(level: number, compaction: boolean): RollingDataFileWriter {
    return this.fileWriter(level, FileSource.APPEND, true, compaction);
  }

  async flush(): Promise<void> {
    if (this.buffer.size === 0) return;
    const input = this.ctx.opts.changelogProducer === "input";
    const { merged: rows, raw } = this.buffer.drainWithRaw(input);
    // the changelog file is named first, as Java opens it on the first raw record
    const cw = raw !== null ? this.changelogWriter(0, false) : null;
    const w = this.fileWriter(0, FileSource.APPEND);
    try {
      let changelog: DataFileMeta[] = [];
      if (cw !== null && raw !== null) {
        await cw.write(raw);
        changelog = await cw.close();
      }
      await w.write(rows);
      const files = await w.close();
      this.newChangelog.push(...changelog);
      for (const f of files) {
        this.newFiles.push(f);
        this.levels.addLevel0File(f);
      }
    } catch (e) {
      await cw?.abort();
      await w.abort();
      throw e;
    }
    // too many sorted runs: compact now, as Java blocks writers at the stop trigger
    if (!this.ctx.opts.writeOnly && this.levels.numberOfSortedRuns() > this.ctx.opts.numSortedRunStopTrigger) await this.compact(false);
  }

  /** Asks for a full compaction before the next `prepareCommit` returns. */
  requestFullCompaction(): void {
    this.fullCompactionRequested = true;
  }

  /** Picks and runs one compaction (full: everything to the max level). Returns whether anything changed. */
  async compact(full: boolean): Promise<boolean> {
    const numLevels = this.levels.numberOfLevels;
    const runs = this.levels.levelSortedRuns();
    const lk = this.mt.lookup;
    const dvs = lk?.dvs ?? null;
    await dvs?.load();
    let unit: CompactUnit | null;
    // deletion vectors fold away in a full compaction: files with one are rewritten
    const hasDv = (f: DataFileMeta) => dvs !== null && (dvs.vectorOf(f.fileName)?.isEmpty() === false);
    if (full) {
      unit = pickFull(numLevels, runs);
      if (!unit && dvs !== null && runs.length === 1) {
        const withDv = runs[0].run.files.filter(hasDv);
        if (withDv.length > 0) unit = { outputLevel: numLevels - 1, files: withDv };
      }
    } else if (lk) {
      unit = pickForceUpLevel0(numLevels, runs, this.ctx.opts);
      if (unit && (unit.files.length === 0 || (unit.files.length === 1 && unit.files[0].level === unit.outputLevel))) unit = null;
    } else {
      unit = pickUniversal(numLevels, runs, this.ctx.opts);
      // first-row reads skip merging across levels: never leave data on two levels ≥ 1
      if (unit && this.mt.fullCompactionOnly) unit = pickFull(numLevels, runs);
      if (unit && (unit.files.length === 0 || (unit.files.length === 1 && unit.files[0].level === unit.outputLevel))) unit = null;
    }
    if (!unit) return false;
    // with deletion vectors the output never shadows older rows: they are deleted instead
    const dropDelete = dvs !== null ? unit.outputLevel !== 0 : dropDeleteFor(unit, this.levels);
    const result = await runCompactUnit(
      unit,
      dropDelete,
      this.levels.maxLevel,
      this.ctx.opts.compactionFileSize,
      this.keys,
      lk ? this.lookupRewriter(lk) : this.ctx.opts.changelogProducer === "full-compaction" ? this.fullChangelogRewriter() : this.rewriter(),
      full && dvs !== null ? hasDv : undefined,
    );
    await this.applyCompactResult(result);
    this.levels.checkNonOverlapping();
    return result.before.length > 0 || result.after.length > 0;
  }

  private fullChangelogRewriter(): FullChangelogRewriter {
    const o = this.ctx.opts;
    return new FullChangelogRewriter({
      layout: this.mt.layout,
      maxLevel: this.levels.maxLevel,
      read: this.mt.read,
      openWriter: (level) => this.fileWriter(level, FileSource.COMPACT),
      openChangelogWriter: (level) => this.changelogWriter(level, true),
      equals: o.changelogRowDeduplicate
        ? rowEqualiser(
            this.mt.layout.fields.map((f) => f.name),
            o.changelogRowDeduplicateIgnoreFields,
          )
        : null,
    });
  }

  private rewriter(): CompactRewriter {
    return {
      rewrite: async (outputLevel, dropDelete, sections) => {
        const w = this.fileWriter(outputLevel, FileSource.COMPACT);
        try {
          for (const section of sections) await mergeRuns(section, this.mt.layout, this.mt.read, dropDelete, (rows) => w.write(rows));
          const after = await w.close();
          return { before: sections.flat(2), after };
        } catch (e) {
          await w.abort();
          throw e;
        }
      },
    };
  }

  /**
   * Folds a compaction result into the pending increment and the levels (Java's
   * `MergeTreeWriter.updateCompactResult`): an input that an earlier compaction of this
   * same increment produced is dropped from `compactAfter` (and its file deleted, unless
   * it is only an upgraded file) instead of being reported as deleted.
   */
  private async applyCompactResult(result: CompactResult): Promise<void> {
    const afterNames = new Set(result.after.map((f) => f.fileName));
    const intermediate: DataFileMeta[] = [];
    for (const f of result.before) {
      const i = this.compactAfter.findIndex((a) => a.fileName === f.fileName && a.level === f.level);
      if (i >= 0) {
        this.compactAfter.splice(i, 1);
        if (!this.compactBefore.has(f.fileName) && !afterNames.has(f.fileName)) intermediate.push(f);
      } else {
        this.compactBefore.set(f.fileName, f);
      }
    }
    this.compactAfter.push(...result.after);
    if (result.changelog) this.compactChangelog.push(...result.changelog);
    this.levels.update(result.before, result.after);
    await this.deleteFiles(intermediate);
  }

  async prepareCommit(): Promise<CommitMessage | null> {
    await this.flush();
    const lk = this.mt.lookup;
    if (lk) {
      // lookup compaction: nothing stays at level 0 (Java waits for it: lookup-wait)
      if (this.fullCompactionRequested) {
        this.fullCompactionRequested = false;
        await this.compact(true);
      }
      if (!this.ctx.opts.writeOnly) {
        while (this.levels.level0Files().length > 0) if (!(await this.compact(false))) break;
      }
      const written = await lk.dvs?.writeIndexFile();
      if (written) {
        this.compactIndexFiles.push(written.file);
        this.compactDeletedIndexFiles.push(...written.replaces);
      }
      return this.drainIncrement();
    }
    if (this.fullCompactionRequested) {
      this.fullCompactionRequested = false;
      await this.compact(true);
    } else if (!this.ctx.opts.writeOnly) {
      if (this.mt.compactLevel0OnCommit && this.levels.level0Files().length > 0) await this.compact(true);
      else await this.compact(false);
    }
    return this.drainIncrement();
  }

  async abort(): Promise<void> {
    this.buffer.clear();
    // new files were never committed; compaction outputs either, except upgraded inputs
    await this.deleteFiles(this.newFiles);
    await this.deleteFiles(this.compactAfter.filter((f) => !this.compactBefore.has(f.fileName)));
    await this.deleteFiles([...this.newChangelog, ...this.compactChangelog]);
    this.newFiles = [];
    this.compactAfter = [];
    this.newChangelog = [];
    this.compactChangelog = [];
    this.compactBefore = new Map();
  }

  /** Every live file of the bucket (levels), for tests and tools. */
  files(): DataFileMeta[] {
    return this.levels.allFiles();
  }
}

