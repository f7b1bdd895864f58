/**
 * Writer for primary-key tables (METADATA.md §5.2–5.3, §6, §8.6). Rows come with a row
 * kind (+I, -U, +U, -D). Each row is routed to its partition and bucket:
 *
 * * fixed buckets (`bucket = N`): hash of the bucket key (trimmed primary key, or
 *   `bucket-key`) mod N; `_TOTAL_BUCKETS = N`;
 * * dynamic buckets (`bucket = -1`): the partition's HASH index decides (see
 *   dynamic-bucket.ts); the buckets that gained keys get new HASH index files in the
 *   same commit; `_TOTAL_BUCKETS = -1`;
 * * postpone buckets (`bucket = -2`) and cross-partition updates are refused.
 *
 * Rows are buffered per bucket (write-buffer.ts). All buffers of the writer share
 * `write-buffer-size`: when the estimate exceeds it, the largest buffers are flushed as
 * level-0 sorted runs. `prepareCommit()` flushes everything, runs the compaction that is
 * due (universal compaction, or a full compaction after `compactFull()`), and returns one
 * `CommitMessage` per changed bucket.
 *
 * Writer sessions: a writer may be reused for several commits, but the messages of each
 * `prepareCommit()` must be committed before it writes again (its levels, sequence
 * numbers and dynamic-bucket indexes assume they were); otherwise `abort()` and discard it.
 * Create writers from a fresh `table.refresh()` so they use the latest schema.
 *
 * Deletion vectors (`deletion-vectors.enabled`, METADATA.md §8.5): level-0 files are
 * invisible to batch readers, so each bucket's `prepareCommit` runs lookup compaction
 * (lookup-compaction.ts): new data moves to a level ≥ 1 in the same commit (APPEND, then
 * COMPACT snapshot), older rows of the keys it touches get deletion-vector bits, and one
 * new DV index file per changed bucket replaces the previous one. The key lookup
 * (lookup.ts) is cached across commits in one writer, bounded by
 * `lookup.cache-max-memory-size`; levels and vectors are kept too, and a bucket is
 * reloaded from the latest snapshot when another writer changed it or when this writer's
 * last messages did not all land. A commit whose vectors were computed from a DV file
 * that is no longer live fails with CommitConflictError (conflicts.ts rule 6). First-row
 * tables use the same lookup compaction without vectors: a key already at a level ≥ 1
 * keeps its row and the new records are dropped. Level-0 files left in buckets a writer
 * does not write (a writer that died between the two snapshots of a commit, `write-only`
 * commits) are taken up when asked for (`compactPendingLevel0()`).
 *
 * Changelog (`changelog-producer`): `input` writes every input record of each flush,
 * unmerged, into level-0 changelog files committed with the APPEND snapshot; `lookup`
 * runs the same lookup compaction (with or without deletion vectors) and commits the
 * changes it finds per key (+I, -U/+U, -D) as changelog files of the COMPACT snapshot;
 * `full-compaction` commits, with every compaction that reaches the max level (a full
 * compaction, `compactFull()`, or a universal one), the changes since the previous one.
 * `force-lookup` tables use lookup compaction too.
 *
 * Single-writer assumption of dynamic buckets: before returning messages that carry
 * HASH index files, the writer checks that every snapshot committed since it loaded the
 * index only added files this writer produced (i.e. its own earlier commits); otherwise
 * another writer may have assigned the same keys elsewhere and the commit is refused.
 */
import { CommitConflictError, InvalidInputError, UnsupportedError, asyncBufferOf, isNotFound, joinPath } from "@paimon-ts/fileio";
import { bucketOfKey } from "../data/bucket.js";
import { deserializeBinaryRow } from "../data/binary-row.js";
import { isRetract, type InternalValue, type RowKind } from "../data/values.js";
import type { ColumnBatch } from "../data/vector.js";
import type { CommitMessage } from "../commit/message.js";
import { formatFromFileName, parquetReadBatch, readDataFile, readParquetMetadata } from "../format/index.js";
import type { FileMetaData } from "hyparquet";
import { hashIndexKeyHash } from "../index/hash-index.js";
import { toHex } from "../manifest/bytes.js";
import { DELETION_VECTORS_INDEX, FileKind, HASH_INDEX, type DataFileMeta, type IndexFileMeta } from "../manifest/model.js";
import { MetadataFileNames } from "../manifest/naming.js";
import { keyValueFields } from "../read/system-fields.js";
import { bucketKeyFields, bucketMode, originalBucketKeys, trimmedPrimaryKeyFields, type BucketMode } from "../schema/table-schema.js";
import type { FileStoreTable } from "../table/table.js";
import type { DataType } from "../types/datatype.js";
import { MergeTreeBucketWriter, type BucketWriterContext, type MergeTreeLookupOptions } from "./bucket-writer.js";
import { BucketDeletionVectors, type DeletionVectorsIo } from "./deletion-vectors.js";
import { LookupCache, type BlockSource } from "./lookup.js";
import { addRowMemoryBytes } from "./columns.js";
import { PartitionIndex } from "./dynamic-bucket.js";
import { WRITE_BUFFER_RECORD_OVERHEAD } from "./write-buffer.js";
import { checkBatch, checkKinds, rowsToBatch } from "./input.js";
import { keyValueLayout, type KeyValueLayout } from "./kv-layout.js";
import { checkWritable, writeOptions, type WriteOptions } from "./options.js";
import { PartitionComputer, type PartitionInfo } from "./partitions.js";
import { bucketKey, maxSequenceNumber, RestoredState } from "./restore.js";


export class KeyValueWriter {
  readonly opts: WriteOptions;
  readonly layout: KeyValueLayout;
  readonly mode: BucketMode;
  private readonly partitions: PartitionComputer;
  private readonly writers = new Map<string, MergeTreeBucketWriter>();
  private readonly ctx: BucketWriterContext;
  private readonly bucketKeyIndexes: number[];
  private readonly bucketKeyTypes: DataType[];
  private readonly indexes = new Map<string, PartitionIndex>();
  private readonly indexNames = new MetadataFileNames();
  /** Data and index files this writer has handed out in messages. */
  private readonly ownFiles = new Set<string>();
  /** The snapshot the writer's state (levels, dynamic-bucket indexes) reflects. */
  private knownSnapshotId: bigint | null = null;
  private maxAssignedBucket = 0;
  private state: RestoredState | null = null;
  /** Deletion-vector tables: the key cache of lookup compaction, shared by all buckets. */
  readonly lookupCache: LookupCache | null;
  private readonly dvio: DeletionVectorsIo;
  /** Compaction inputs this writer handed out (DELETE entries of its own snapshots). */
  private readonly ownDeletes = new Set<string>();
  /** The snapshot the levels and deletion vectors of the bucket writers reflect. */
  private lookupKnownSnapshotId: bigint | null = null;
  /** Per bucket, files this writer handed out that no snapshot has added yet. */
  private readonly pendingOwn = new Map<string, Set<string>>();
  private readonly footers = new Map<string, FileMetaData>();

  private constructor(readonly table: FileStoreTable) {
    const schema = table.schema;
    const name = table.name;
    if (schema.primaryKeys.length === 0) throw new InvalidInputError(`table ${name} has no primary key; use AppendWriter`);
    this.opts = writeOptions(schema, name);
    checkWritable(schema, this.opts, name);
    this.mode = bucketMode(schema);
    if (this.mode === "POSTPONE_MODE") {
      throw new UnsupportedError(`table ${name}: postpone buckets (bucket = -2) are not supported for writing: their files stay invisible until a Java compaction job re-buckets them; use a fixed bucket count (bucket = N) or dynamic buckets (bucket = -1)`);
    }
    if (this.mode === "KEY_DYNAMIC") {
      throw new UnsupportedError(
        `table ${name}: cross-partition update (dynamic bucket with a primary key [${schema.primaryKeys.join(", ")}] that does not contain every partition key [${schema.partitionKeys.join(", ")}]) needs a global key index, which paimon-ts does not implement; include the partition keys in the primary key or use a fixed bucket count`,
      );
    }
    if (this.mode === "HASH_DYNAMIC" && originalBucketKeys(schema).length > 0) throw new InvalidInputError(`table ${name}: 'bucket-key' cannot be set with bucket = -1`);
    this.layout = keyValueLayout(schema, name);
    const bkFields = this.mode === "HASH_FIXED" ? bucketKeyFields(schema) : trimmedPrimaryKeyFields(schema);
    this.bucketKeyIndexes = bkFields.map((k) => schema.fields.findIndex((f) => f.name === k.name));
    this.bucketKeyTypes = bkFields.map((f) => f.type);
    this.partitions = new PartitionComputer(schema, this.opts.core);
    this.ctx = {
      io: table.io,
      tableName: name,
      schemaId: schema.id,
      opts: this.opts,
      bucketDir: (p, b) => table.paths.bucketDir(p.path, b),
    };
    // lookup compaction: deletion-vector tables, and first-row tables (a key already written wins)
    this.lookupCache = this.opts.needLookup ? new LookupCache(this.opts.lookupCacheMaxMemory) : null;
    this.dvio = {
      io: table.io,
      indexPath: (m) => m.externalPath ?? table.paths.index(m.fileName),
      newIndexFileName: () => this.indexNames.newIndexFile(),
    };
  }

  /** A writer for the table's latest schema, continuing from its latest snapshot. */
  static async create(table: FileStoreTable): Promise<KeyValueWriter> {
    const w = new KeyValueWriter(table);
    await w.restored();
    return w;
  }

  /**
   * The snapshot this writer's state is consistent with: its dynamic-bucket indexes were
   * loaded from it, or verified against it at the last `prepareCommit`. A committer can
   * refuse to publish HASH index changes if the latest snapshot is newer (and not its own).
   */
  get baseSnapshotId(): bigint | null {
    return this.knownSnapshotId;
  }

  private get totalBuckets(): number {
    return this.mode === "HASH_FIXED" ? this.opts.bucket : -1;
  }

  private async restored(): Promise<RestoredState> {
    if (!this.state) {
      this.state = await RestoredState.load(this.table);
      this.knownSnapshotId = this.state.snapshot?.id ?? null;
      this.lookupKnownSnapshotId = this.knownSnapshotId;
    }
    return this.state;
  }

  private writerFor(p: PartitionInfo, bucket: number): MergeTreeBucketWriter {
    const key = bucketKey(p.key, bucket);
    let w = this.writers.get(key);
    if (!w) {
      const state = this.state as RestoredState;
      if (this.mode === "HASH_FIXED") {
        const existing = state.totalBucketsOf(p.key);
        if (existing !== null && existing !== this.opts.bucket) {
          throw new UnsupportedError(`table ${this.table.name}: partition ${p.path || "(unpartitioned)"} has ${existing} buckets in its files but the table option says ${this.opts.bucket}; rescaling needs an overwrite`);
        }
      }
      const files = state.bucket(p.key, bucket)?.files ?? [];
      w = new MergeTreeBucketWriter(this.ctx, p, bucket, this.totalBuckets, maxSequenceNumber(files), {
        layout: this.layout,
        restoredFiles: files,
        read: (f) => this.readKeyValueFile(w as MergeTreeBucketWriter, f),
        fullCompactionOnly: false,
        compactLevel0OnCommit: false,
        lookup: this.lookupOptions(p, bucket, () => w as MergeTreeBucketWriter),
      });
      this.writers.set(key, w);
    }
    return w;
  }

  /** Lookup compaction of a bucket of a deletion-vector or first-row table (undefined otherwise). */
  private lookupOptions(p: PartitionInfo, bucket: number, writer: () => MergeTreeBucketWriter): MergeTreeLookupOptions | undefined {
    if (this.lookupCache === null) return undefined;
    const state = this.state as RestoredState;
    const engine = this.opts.core.mergeEngine;
    const dv = this.opts.deletionVectors;
    const changelog = this.opts.changelogProducer === "lookup";
    return {
      engine,
      // the changelog needs the old row itself (Java's PersistValueAndPosProcessor / PersistValueProcessor)
      mode: engine === "first-row" ? "exists" : changelog || engine !== "deduplicate" || this.layout.seqIndexes.length > 0 ? "row" : "position",
      cache: this.lookupCache,
      source: this.blockSource(writer),
      dvs: dv ? new BucketDeletionVectors(this.dvio, this.opts.deletionVectorsBitmap64, this.dvIndexFilesOf(state, p.key, bucket)) : null,
      changelog,
    };
  }

  private dvIndexFilesOf(state: RestoredState, partitionHex: string, bucket: number): IndexFileMeta[] {
    return state.indexEntries.filter((e) => e.bucket === bucket && e.indexFile.indexType === DELETION_VECTORS_INDEX && toHex(e.partition) === partitionHex).map((e) => e.indexFile);
  }

  /** Blocks (Parquet row groups) of a bucket's data files, read with range reads, for the lookup. */
  private blockSource(writer: () => MergeTreeBucketWriter): BlockSource {
    const nk = this.layout.keyFields.length;
    const pathOf = (f: DataFileMeta) => f.externalPath ?? joinPath(writer().directory, f.fileName);
    const footer = async (f: DataFileMeta): Promise<FileMetaData> => {
      let m = this.footers.get(f.fileName);
      if (!m) {
        m = await readParquetMetadata(await asyncBufferOf(this.table.io, pathOf(f), Number(f.fileSize)));
        this.footers.set(f.fileName, m);
        // a small LRU: footers are re-read cheaply
        if (this.footers.size > 256) this.footers.delete(this.footers.keys().next().value as string);
      }
      return m;
    };
    return {
      blocks: async (f) => {
        if (formatFromFileName(f.fileName) !== "parquet") return [Number(f.rowCount)];
        return (await footer(f)).row_groups.map((g) => Number(g.num_rows));
      },
      readBlock: async (f, block, full) => {
        const fields = full ? this.layout.fileFields : this.layout.fileFields.slice(0, nk);
        const fileSchema = await this.table.schemas.schema(f.schemaId);
        const fileFields = keyValueFields(trimmedPrimaryKeyFields(fileSchema), fileSchema.fields);
        const path = pathOf(f);
        if (formatFromFileName(f.fileName) !== "parquet") {
          const b = await readDataFile(formatFromFileName(f.fileName), await this.table.io.readFile(path), fields, { fileFields, fileName: path });
          return b;
        }
        const metadata = await footer(f);
        return parquetReadBatch(await asyncBufferOf(this.table.io, path, Number(f.fileSize)), fields, { rowGroups: [block], metadata, fileFields, fileName: path });
      },
    };
  }

  /**
   * Deletion-vector tables: a bucket's levels and vectors are kept across commits. Before
   * compacting, the snapshots committed since are checked; a bucket is reloaded from the
   * latest snapshot (and the lookup cache forgets the files that are gone) when another
   * writer changed it (any file added or deleted that this writer did not hand out), or
   * when the files this writer handed out last time did not all land (a commit failed or
   * was dropped).
   */
  private async refreshForeignChanges(): Promise<void> {
    const latest = await this.table.snapshots.latestId();
    const known = this.lookupKnownSnapshotId;
    if ((latest === null || latest === known) && this.pendingOwn.size === 0) return;
    const stale = new Set<string>();
    let all = false;
    for (let id = (known ?? 0n) + 1n; latest !== null && id <= latest && !all; id++) {
      let s;
      try {
        s = await this.table.snapshots.snapshot(id);
      } catch (e) {
        if (!isNotFound(e)) throw e;
        all = true; // expired: cannot tell what changed
        break;
      }
      const entries = (await Promise.all((await this.table.manifestList(s.deltaManifestList)).map((m) => this.table.manifestFile(m)))).flat();
      for (const e of entries) {
        const key = bucketKey(e.partition, e.bucket);
        const own = e.kind === FileKind.ADD ? this.ownFiles.has(e.file.fileName) : this.ownDeletes.has(e.file.fileName);
        if (!own) stale.add(key);
        else if (e.kind === FileKind.ADD) this.pendingOwn.get(key)?.delete(`${e.file.fileName}@${e.file.level}`);
      }
      if (s.commitKind === "OVERWRITE" && entries.length === 0) all = true;
    }
    for (const [key, names] of this.pendingOwn) if (names.size > 0) stale.add(key);
    this.pendingOwn.clear();
    if (all || stale.size > 0) {
      const state = await RestoredState.load(this.table);
      this.state = state;
      for (const [key, w] of this.writers) {
        if (!all && !stale.has(key)) continue;
        const b = state.bucket(w.partition.key, w.bucket);
        w.resetLevels(b?.files ?? []);
        await w.deletionVectors?.reset(this.dvIndexFilesOf(state, w.partition.key, w.bucket));
      }
    }
    this.lookupKnownSnapshotId = latest;
  }

  private notePending(m: CommitMessage): void {
    const key = bucketKey(m.partition, m.bucket);
    let set = this.pendingOwn.get(key);
    if (!set) this.pendingOwn.set(key, (set = new Set()));
    for (const f of [...m.newFiles, ...(m.compactAfter ?? [])]) set.add(`${f.fileName}@${f.level}`);
  }

  /** Reads a data file of a bucket in the current key-value layout (older schemas evolve by field id). */
  private async readKeyValueFile(w: MergeTreeBucketWriter, f: DataFileMeta): Promise<ColumnBatch> {
    const fileSchema = await this.table.schemas.schema(f.schemaId);
    const fileFields = keyValueFields(trimmedPrimaryKeyFields(fileSchema), fileSchema.fields);
    const path = f.externalPath ?? joinPath(w.directory, f.fileName);
    const bytes = await this.table.io.readFile(path);
    return readDataFile(formatFromFileName(f.fileName), bytes, this.layout.fileFields, { fileFields, fileName: path });
  }

  private async partitionIndex(p: PartitionInfo): Promise<PartitionIndex> {
    let idx = this.indexes.get(p.key);
    if (!idx) {
      const state = await this.restored();
      const files: { bucket: number; bytes: Uint8Array }[] = [];
      for (const e of state.indexEntries) {
        if (e.indexFile.indexType !== HASH_INDEX || toHex(e.partition) !== p.key) continue;
        const path = e.indexFile.externalPath ?? this.table.paths.index(e.indexFile.fileName);
        files.push({ bucket: e.bucket, bytes: await this.table.io.readFile(path) });
      }
      idx = PartitionIndex.fromFiles(this.opts.dynamicBucketTargetRowNum, files);
      this.indexes.set(p.key, idx);
    }
    return idx;
  }

  /**
   * Writes a batch (table columns, in table order, internal values) with one row kind per
   * row (0 +I, 1 -U, 2 +U, 3 -D; default all +I).
   */
  async write(input: ColumnBatch, kindsIn?: Uint8Array | ArrayLike<number>): Promise<void> {
    const name = this.table.name;
    const batch = checkBatch(this.table.schema.fields, input, name);
    const n = batch.numRows;
    if (n === 0) return;
    const kinds = checkKinds(kindsIn, n, name);
    await this.restored();

    // partition and bucket of every row (retractions dropped under ignore-delete)
    const ignoreDelete = this.opts.core.ignoreDelete;
    const groups = new Map<string, { p: PartitionInfo; bucket: number; rows: number[] }>();
    const scratch: InternalValue[] = new Array(this.partitions.fields.length);
    const keyScratch: InternalValue[] = new Array(this.bucketKeyIndexes.length);
    for (let r = 0; r < n; r++) {
      if (ignoreDelete && isRetract(kinds[r] as RowKind)) continue;
      const p = this.partitions.of(batch, r, scratch);
      for (let k = 0; k < keyScratch.length; k++) {
        const v = batch.columns[this.bucketKeyIndexes[k]];
        keyScratch[k] = v.nulls !== null && v.nulls[r] === 1 ? null : ((v.values as ArrayLike<InternalValue>)[r] ?? null);
      }
      let bucket: number;
      if (this.mode === "HASH_FIXED") bucket = bucketOfKey(this.bucketKeyTypes, keyScratch, this.opts.bucket);
      else {
        const idx = this.indexes.get(p.key) ?? (await this.partitionIndex(p));
        bucket = idx.assign(hashIndexKeyHash(this.bucketKeyTypes, keyScratch), this.opts.dynamicBucketMaxBuckets, this.maxAssignedBucket);
        if (bucket > this.maxAssignedBucket) this.maxAssignedBucket = bucket;
      }
      const key = bucketKey(p.key, bucket);
      let g = groups.get(key);
      if (!g) groups.set(key, (g = { p, bucket, rows: [] }));
      g.rows.push(r);
    }

    // hand rows to the buffers in slices that fit the budget, so that no more than one
    // row's worth ever sits above write-buffer-size before the largest buffers flush
    const rowMemory = new Float64Array(n);
    for (const c of batch.columns) addRowMemoryBytes(c, rowMemory);
    const budget = this.opts.writeBufferSize;
    for (const g of groups.values()) {
      const w = this.writerFor(g.p, g.bucket);
      const rows = g.rows;
      let start = 0;
      let used = this.bufferedBytes;
      for (let i = 0; i < rows.length; i++) {
        const need = rowMemory[rows[i]] + WRITE_BUFFER_RECORD_OVERHEAD;
        if (used + need > budget && i > start) {
          const part = rows.slice(start, i);
          w.add(batch, part, part.length, kinds, rowMemory);
          await this.ensureMemory(need);
          start = i;
          used = this.bufferedBytes;
        }
        used += need;
      }
      const part = rows.slice(start);
      w.add(batch, part, part.length, kinds, rowMemory);
      await this.ensureMemory(0);
    }
  }

  /** Writes rows of internal values (table column order) with their kinds (default +I). */
  async writeRows(rows: readonly (readonly InternalValue[])[], kinds?: ArrayLike<number>): Promise<void> {
    await this.write(rowsToBatch(this.table.schema.fields, rows, this.table.name), kinds);
  }

  /** Estimated bytes buffered across all buckets. */
  get bufferedBytes(): number {
    let s = 0;
    for (const w of this.writers.values()) s += w.memoryBytes;
    return s;
  }

  /** Flushes the largest buffers until `headroom` more bytes fit in `write-buffer-size`. */
  private async ensureMemory(headroom: number): Promise<void> {
    const budget = this.opts.writeBufferSize;
    while (this.bufferedBytes + headroom > budget) {
      let largest: MergeTreeBucketWriter | null = null;
      for (const w of this.writers.values()) if (largest === null || w.memoryBytes > largest.memoryBytes) largest = w;
      if (largest === null || largest.memoryBytes === 0) return;
      await largest.flush();
    }
  }

  /**
   * Requests a full compaction of every bucket of the table (including buckets this
   * writer did not write to): at the next `prepareCommit`, all files of each bucket are
   * merged to the max level, retractions dropped, and reported as compactBefore/After.
   * The buckets are those of the snapshot the writer restored from, plus (tables that need
   * lookup, whose level-0 files readers skip) every bucket holding level-0 files in the
   * latest snapshot, so a long-lived writer also lifts files written after it started.
   */
  async compactFull(): Promise<void> {
    const state = await this.restored();
    await this.compactPendingLevel0();
    for (const b of state.buckets.values()) {
      const p = this.partitions.ofBytes(b.partition, (bytes) =>
        deserializeBinaryRow(
          this.partitions.fields.map((f) => f.type),
          bytes,
        ),
      );
      if (this.mode === "HASH_FIXED" && b.totalBuckets !== this.opts.bucket) continue;
      this.writerFor(p, b.bucket);
    }
    for (const w of this.writers.values()) w.requestFullCompaction();
  }

  /**
   * Tables that need lookup (deletion vectors, first-row, `changelog-producer=lookup`,
   * `force-lookup`): schedules, for the next `prepareCommit`, the usual lookup compaction
   * (force-up-level-0, with deletion vectors / changelog as usual) of every bucket whose
   * live files in the latest snapshot include level-0 files — also buckets this writer is
   * not asked to write. Batch readers of deletion-vector and first-row tables skip level 0,
   * so rows a writer left there (a process that died between the APPEND and COMPACT
   * snapshots of a commit, or `write-only` commits) stay invisible until some commit
   * compacts their bucket. Returns the number of buckets scheduled; 0 (and no snapshot
   * from it) when none holds level-0 files, when the table does not need lookup, or when
   * it is `write-only` (which never compacts).
   *
   * Concurrent writers: the compaction is committed as a COMPACT snapshot, checked like any
   * other — if another writer compacted one of these buckets first, the commit fails with
   * CommitConflictError (its level-0 inputs are no longer live), never doubling a row; a
   * bucket another writer changed before `prepareCommit` is reloaded first.
   */
  async compactPendingLevel0(): Promise<number> {
    if (this.lookupCache === null || this.opts.writeOnly) return 0;
    const state = await this.restored();
    const latest = await this.table.snapshots.latest();
    if (latest === null) return 0;
    let level0: { partition: Uint8Array; bucket: number; totalBuckets: number }[];
    if (latest.id === state.snapshot?.id) {
      level0 = [...state.buckets.values()].filter((b) => b.files.some((f) => f.level === 0));
    } else {
      // the table moved on since this writer restored: read only the manifests that can
      // hold entries of level-0 files (an entry, ADD or DELETE, carries its file's level)
      const entries = await this.table.liveEntries(latest, (m) => m.minLevel === null || m.minLevel === 0);
      const seen = new Map<string, { partition: Uint8Array; bucket: number; totalBuckets: number }>();
      for (const e of entries) if (e.file.level === 0) seen.set(bucketKey(e.partition, e.bucket), e);
      level0 = [...seen.values()];
    }
    let n = 0;
    const types = this.partitions.fields.map((f) => f.type);
    for (const b of level0) {
      // a partition whose files were written for another bucket count is rescaled by an overwrite, not here
      if (this.mode === "HASH_FIXED" && b.totalBuckets !== this.opts.bucket) continue;
      const p = this.partitions.ofBytes(b.partition, (bytes) => deserializeBinaryRow(types, bytes));
      // a writer restored before the level-0 files landed is reloaded by refreshForeignChanges
      this.writerFor(p, b.bucket);
      n++;
    }
    return n;
  }

  /** Flushes, compacts what is due, and returns the changes of every bucket since the last call. */
  async prepareCommit(): Promise<CommitMessage[]> {
    const out: CommitMessage[] = [];
    const byBucket = new Map<string, MergeTreeBucketWriter>();
    for (const [k, w] of this.writers) byBucket.set(k, w);
    if (this.mode === "HASH_DYNAMIC" && this.indexes.size > 0) {
      await this.checkIndexConflicts();
      for (const [pkey, idx] of this.indexes) {
        const changed = idx.takeChanged();
        if (changed.length === 0) continue;
        for (const [bucket, bytes] of idx.indexFiles(changed)) {
          const fileName = this.indexNames.newIndexFile();
          await this.table.io.createIfAbsent(this.table.paths.index(fileName), bytes);
          const meta: IndexFileMeta = {
            indexType: HASH_INDEX,
            fileName,
            fileSize: BigInt(bytes.length),
            rowCount: BigInt(bytes.length / 4),
            dvRanges: null,
            externalPath: null,
            globalIndex: null,
          };
          const w = byBucket.get(bucketKey(pkey, bucket));
          if (w) w.addIndexFile(meta);
          else throw new Error(`table ${this.table.name}: bucket ${bucket} gained keys but has no writer`);
        }
      }
    }
    if (this.lookupCache !== null) await this.refreshForeignChanges();
    for (const w of this.writers.values()) {
      const m = await w.prepareCommit();
      if (!m) continue;
      for (const f of [...m.newFiles, ...(m.compactAfter ?? [])]) this.ownFiles.add(f.fileName);
      for (const f of [...(m.newIndexFiles ?? []), ...(m.compactIndexFiles ?? [])]) this.ownFiles.add(f.fileName);
      for (const f of m.compactBefore ?? []) this.ownDeletes.add(f.fileName);
      if (this.lookupCache !== null) this.notePending(m);
      out.push(m);
    }
    return out;
  }

  /**
   * Dynamic buckets allow one writer per partition (pypaimon refuses the commit when the
   * table moved on since the index was loaded). Snapshots committed since then are
   * accepted only if every file they add came from this writer.
   */
  private async checkIndexConflicts(): Promise<void> {
    const latest = await this.table.snapshots.latestId();
    const known = this.knownSnapshotId;
    if (latest === known) return;
    for (let id = (known ?? 0n) + 1n; latest !== null && id <= latest; id++) {
      const s = await this.table.snapshots.snapshot(id);
      const foreign =
        s.commitKind === "OVERWRITE" ||
        (await Promise.all((await this.table.manifestList(s.deltaManifestList)).map((m) => this.table.manifestFile(m))))
          .flat()
          .some((e) => e.kind === FileKind.ADD && !this.ownFiles.has(e.file.fileName));
      if (foreign) {
        throw new CommitConflictError(
          `table ${this.table.name}: HASH index assignment conflict — snapshot ${id} (${s.commitKind}, by ${s.commitUser}) was committed by another writer after this dynamic-bucket writer loaded the index at snapshot ${known ?? "none"}; dynamic-bucket tables allow a single writer per partition. Discard this writer and write again.`,
        );
      }
    }
    this.knownSnapshotId = latest;
  }

  /** Deletes every file written since the last `prepareCommit` (never committed). */
  async abort(): Promise<void> {
    for (const w of this.writers.values()) await w.abort();
  }

  /** The bucket writers (for tests and tools). */
  bucketWriters(): MergeTreeBucketWriter[] {
    return [...this.writers.values()];
  }
}
