/**
 * Writer for tables without a primary key (METADATA.md §5.1, §6): rows are routed to
 * their partition and bucket — bucket-unaware tables (`bucket = -1`) write everything to
 * bucket 0 with `_TOTAL_BUCKETS = -1`; fixed-bucket tables hash the `bucket-key` columns —
 * and appended to that bucket's rolling data-file writer, with per-bucket sequence
 * numbers continuing after the bucket's live files. `prepareCommit()` completes the files
 * and returns one `CommitMessage` per bucket that got data.
 * The messages of each `prepareCommit()` must be committed before the writer writes
 * again (its sequence numbers assume they were); otherwise `abort()` and discard it.
 *
 * Fixed-bucket tables compact as Java's append writer does unless `write-only`: before
 * each `prepareCommit()` returns, every bucket this writer has written gets one auto
 * compaction when `compaction.min.file-num` small files have accumulated (the rewrite
 * goes into the bucket's message as `compactBefore`/`compactAfter`, a COMPACT snapshot).
 * `compactFull()` asks the next `prepareCommit()` for a full compaction of every bucket
 * (see append-compaction.ts).
 */
import { InvalidInputError, UnsupportedError } from "@paimon-ts/fileio";
import { bucketOfKey } from "../data/bucket.js";
import { deserializeBinaryRow } from "../data/binary-row.js";
import type { InternalValue } from "../data/values.js";
import type { ColumnBatch } from "../data/vector.js";
import type { CommitMessage } from "../commit/message.js";
import type { DataFileMeta } from "../manifest/model.js";
import { bucketKeyFields, originalBucketKeys } from "../schema/table-schema.js";
import type { FileStoreTable } from "../table/table.js";
import { appendCompactionSettings, compactAppendTable, pickAppendAutoCompaction, pickAppendFullCompaction, rewriteAppendFiles, sortBySequence, type AppendCompactionSettings } from "./append-compaction.js";
import { AppendBucketWriter, type BucketWriterContext } from "./bucket-writer.js";
import { DataFileNamer } from "./data-file-writer.js";
import { gatherBatch } from "./columns.js";
import { checkBatch, rowsToBatch } from "./input.js";
import { checkWritable, writeOptions, type WriteOptions } from "./options.js";
import { PartitionComputer, type PartitionInfo } from "./partitions.js";
import { bucketKey, maxSequenceNumber, RestoredState } from "./restore.js";

export class AppendWriter {
  readonly opts: WriteOptions;
  private readonly partitions: PartitionComputer;
  private readonly writers = new Map<string, AppendBucketWriter>();
  private readonly ctx: BucketWriterContext;
  private readonly numBuckets: number;
  private readonly bucketKeyIndexes: number[];
  private readonly bucketKeyTypes;
  private state: RestoredState | null = null;
  private readonly compaction: AppendCompactionSettings;
  /** Java's `BucketedAppendCompactManager.toCompact` per bucket: the files auto compaction may still pick. */
  private readonly toCompact = new Map<string, { partition: Uint8Array; bucket: number; files: DataFileMeta[] }>();
  private readonly compactNames: DataFileNamer;
  private fullCompactionRequested = false;

  private constructor(readonly table: FileStoreTable) {
    const schema = table.schema;
    const name = table.name;
    if (schema.primaryKeys.length > 0) throw new InvalidInputError(`table ${name} has a primary key; use KeyValueWriter`);
    this.opts = writeOptions(schema, name);
    checkWritable(schema, this.opts, name);
    const bucket = this.opts.bucket;
    if (bucket === 0 || bucket < -1) throw new UnsupportedError(`table ${name}: bucket = ${bucket} is not valid for an append table (use -1 for bucket-unaware or N > 0)`);
    this.numBuckets = bucket;
    if (bucket > 0 && originalBucketKeys(schema).length === 0) throw new InvalidInputError(`table ${name}: an append table with bucket = ${bucket} needs the 'bucket-key' option`);
    const keyFields = bucket > 0 ? bucketKeyFields(schema) : [];
    this.bucketKeyIndexes = keyFields.map((k) => schema.fields.findIndex((f) => f.name === k.name));
    this.bucketKeyTypes = keyFields.map((f) => f.type);
    this.partitions = new PartitionComputer(schema, this.opts.core);
    this.ctx = {
      io: table.io,
      tableName: name,
      schemaId: schema.id,
      opts: this.opts,
      bucketDir: (p, b) => table.paths.bucketDir(p.path, b),
    };
    this.compaction = appendCompactionSettings(table, this.opts);
    this.compactNames = new DataFileNamer(this.opts.dataFilePrefix);
  }

  /**
   * Whether buckets compact while writing: fixed buckets, not `write-only`, and no deletion
   * vectors (their index files are rewritten by `compactAppendTable`, not here).
   */
  private get autoCompaction(): boolean {
    return this.numBuckets > 0 && !this.opts.writeOnly && !this.compaction.deletionVectors;
  }

  /** A writer for the table's latest schema, continuing from its latest snapshot. */
  static async create(table: FileStoreTable): Promise<AppendWriter> {
    return new AppendWriter(table);
  }

  private async restored(): Promise<RestoredState> {
    this.state ??= await RestoredState.load(this.table);
    return this.state;
  }

  private async writerFor(p: PartitionInfo, bucket: number): Promise<AppendBucketWriter> {
    const key = bucketKey(p.key, bucket);
    let w = this.writers.get(key);
    if (!w) {
      const state = await this.restored();
      const restored = state.bucket(p.key, bucket);
      if (this.numBuckets > 0) {
        const existing = state.totalBucketsOf(p.key);
        if (existing !== null && existing !== this.numBuckets) {
          throw new UnsupportedError(`table ${this.table.name}: partition ${p.path || "(unpartitioned)"} has ${existing} buckets in its files but the table option says ${this.numBuckets}; rescaling needs an overwrite`);
        }
      }
      w = new AppendBucketWriter(this.ctx, p, bucket, this.numBuckets > 0 ? this.numBuckets : -1, maxSequenceNumber(restored?.files ?? []), this.table.schema.fields);
      this.writers.set(key, w);
    }
    return w;
  }

  /** Appends a batch whose columns are the table's, in table order (internal values). */
  async write(input: ColumnBatch): Promise<void> {
    const batch = checkBatch(this.table.schema.fields, input, this.table.name);
    const n = batch.numRows;
    if (n === 0) return;
    if (!this.partitions.partitioned && this.numBuckets < 0) {
      await (await this.writerFor(this.partitions.ofValues([]), 0)).write(batch);
      await this.ensureMemory();
      return;
    }
    const groups = new Map<string, { p: PartitionInfo; bucket: number; rows: number[] }>();
    const scratch: InternalValue[] = new Array(this.partitions.fields.length);
    const keyScratch: InternalValue[] = new Array(this.bucketKeyIndexes.length);
    for (let r = 0; r < n; r++) {
      const p = this.partitions.of(batch, r, scratch);
      let bucket = 0;
      if (this.numBuckets > 0) {
        for (let k = 0; k < keyScratch.length; k++) {
          const v = batch.columns[this.bucketKeyIndexes[k]];
          keyScratch[k] = v.nulls !== null && v.nulls[r] === 1 ? null : ((v.values as ArrayLike<InternalValue>)[r] ?? null);
        }
        bucket = bucketOfKey(this.bucketKeyTypes, keyScratch, this.numBuckets);
      }
      const key = bucketKey(p.key, bucket);
      let g = groups.get(key);
      if (!g) groups.set(key, (g = { p, bucket, rows: [] }));
      g.rows.push(r);
    }
    for (const g of groups.values()) {
      await (await this.writerFor(g.p, g.bucket)).write(gatherBatch(batch, g.rows));
      await this.ensureMemory();
    }
  }

  /** Estimated bytes buffered across the buckets' unfinished files. */
  get bufferedBytes(): number {
    let s = 0;
    for (const w of this.writers.values()) s += w.bufferedBytes;
    return s;
  }

  /**
   * Bounds memory when many partitions or buckets are written at once: while the files
   * being built hold more than `write-buffer-size`, the largest is completed early.
   */
  private async ensureMemory(): Promise<void> {
    while (this.bufferedBytes > this.opts.writeBufferSize) {
      let largest: AppendBucketWriter | null = null;
      for (const w of this.writers.values()) if (largest === null || w.bufferedBytes > largest.bufferedBytes) largest = w;
      if (largest === null || largest.bufferedBytes === 0) return;
      await largest.finishFile();
    }
  }

  /** Appends rows of internal values (table column order). */
  async writeRows(rows: readonly (readonly InternalValue[])[]): Promise<void> {
    await this.write(rowsToBatch(this.table.schema.fields, rows, this.table.name));
  }

  /**
   * Completes all files and runs due compaction; one message per bucket that got data or
   * was compacted since the last call.
   */
  async prepareCommit(): Promise<CommitMessage[]> {
    const full = this.fullCompactionRequested;
    this.fullCompactionRequested = false;
    const messages = new Map<string, CommitMessage>();
    for (const [key, w] of this.writers) {
      const m = await w.prepareCommit();
      if (m) messages.set(key, m);
      if (this.autoCompaction) {
        const files = await this.compactFiles(key, w.partition.bytes, w.bucket);
        files.push(...(m?.newFiles ?? []));
      }
    }
    const fixed = this.numBuckets > 0 && !this.compaction.deletionVectors;
    if (full && fixed) {
      // every live bucket, also those this writer has not written: their files as of now
      const fresh = await RestoredState.load(this.table);
      for (const b of fresh.buckets.values()) {
        const key = bucketKey(b.partition, b.bucket);
        if (!this.toCompact.has(key)) this.toCompact.set(key, { partition: b.partition, bucket: b.bucket, files: [...b.files] });
      }
    }
    if (this.autoCompaction || (full && fixed)) {
      for (const [key, st] of this.toCompact) {
        const picked = full ? pickAppendFullCompaction(st.files, this.compaction) : pickAppendAutoCompaction(st.files, this.compaction);
        if (!picked || picked.length === 0) continue;
        const totalBuckets = this.numBuckets;
        const after = await rewriteAppendFiles(this.table, { partition: st.partition, bucket: st.bucket, totalBuckets, files: picked }, new Map(), this.opts, this.compactNames);
        const gone = new Set(picked.map((f) => f.fileName));
        st.files = st.files.filter((f) => !gone.has(f.fileName));
        // as Java: a small last output stays a candidate, the others are done
        const last = after[after.length - 1];
        if (last && last.fileSize < BigInt(this.compaction.compactionFileSize)) st.files = sortBySequence([...st.files, last]);
        let m = messages.get(key);
        if (!m) messages.set(key, (m = { partition: st.partition, bucket: st.bucket, totalBuckets, newFiles: [] }));
        m.compactBefore = [...(m.compactBefore ?? []), ...picked];
        m.compactAfter = [...(m.compactAfter ?? []), ...after];
      }
      // a write-only writer does not follow its buckets' files: the next full compaction reloads them
      if (!this.autoCompaction) this.toCompact.clear();
    }
    const out = [...messages.values()];
    if (full && !fixed) out.push(...(await compactAppendTable(this.table, { full: true })));
    return out;
  }

  /**
   * Asks the next `prepareCommit()` for a full compaction: every bucket of a fixed-bucket
   * table, or (bucket-unaware and deletion-vector tables) the committed files as Java's
   * compaction job plans them. Also for `write-only` tables, as Java's compaction job.
   */
  async compactFull(): Promise<void> {
    this.fullCompactionRequested = true;
  }

  /** The candidate files of a bucket, restored from the snapshot the writer started from. */
  private async compactFiles(key: string, partition: Uint8Array, bucket: number): Promise<DataFileMeta[]> {
    let st = this.toCompact.get(key);
    if (!st) {
      const restored = (await this.restored()).bucket(partition, bucket);
      this.toCompact.set(key, (st = { partition, bucket, files: [...(restored?.files ?? [])] }));
    }
    return st.files;
  }

  /** Deletes the files written since the last `prepareCommit`. */
  async abort(): Promise<void> {
    for (const w of this.writers.values()) await w.abort();
  }

  /** Partition values of serialized partition bytes (convenience for callers and tests). */
  partitionValues(bytes: Uint8Array): InternalValue[] {
    return deserializeBinaryRow(
      this.partitions.fields.map((f) => f.type),
      bytes,
    );
  }
}
