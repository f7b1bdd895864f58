/**
 * Batch reading (METADATA.md §8): each split's files are read with schema evolution by
 * field id; append splits are concatenated; primary-key splits are merged per key with
 * the table's merge engine unless Paimon's rules say the files can be read raw.
 *
 * Projection reads only the columns needed (the requested ones, the filter's, and for
 * merges the keys, sequence number, kind and `sequence.field` columns). A filter prunes
 * the scan (`planScan`) and is then applied to every row after the merge, so results are
 * exactly the rows for which it is TRUE.
 *
 * Reads stream (`readSplitBatches`): files are decoded a chunk at a time (a Parquet row
 * group or page range, a few Avro blocks) and merged with a k-way merge over the sorted
 * runs of a bucket, so memory follows the number of runs, not the size of the split.
 * `readSplit` and `readTable` collect the stream.
 */
import { InvalidInputError, NotFoundError, asyncBufferOf, isNotFound, joinPath } from "@paimon-ts/fileio";
import { RowKind, isRetract, type InternalValue } from "../data/values.js";
import { vectorGet, vectorOf, type ColumnBatch, type ColumnVector } from "../data/vector.js";
import { parquetMetadataAsync } from "hyparquet";
import { avroReadChunks } from "../format/avro-data.js";
import { FormatError } from "../format/common.js";
import { formatFromFileName, readDataFile } from "../format/index.js";
import { parquetReadRowGroups } from "../format/parquet-read.js";
import { readDeletionVector, type DeletionVector } from "../index/deletion-vector.js";
import type { DataFileMeta } from "../manifest/model.js";
import { rowType, trimmedPrimaryKeyFields, type TableSchema } from "../schema/table-schema.js";
import { asSQLString, type DataField, type DataType } from "../types/datatype.js";
import type { FileStoreTable } from "../table/table.js";
import { readCast } from "./casts.js";
import { fileKeyRange } from "./file-bounds.js";
import { rowComparator, fieldComparator, type RowCompare } from "./key-compare.js";
import { readMergeFunction, type LeveledRecord } from "./merge.js";
import { BoundPredicate, type Predicate } from "./predicate.js";
import { planScan, rawConvertible, type DataSplit, type DeletionFile, type ScanOptions } from "./scan.js";
import { SEQUENCE_FIELD, VALUE_KIND_FIELD, keyField, keyValueFields } from "./system-fields.js";

export interface ReadOptions extends ScanOptions {
  /** Column names to return, in this order (default: all, in table order). */
  projection?: string[];
}

export interface TableReadResult {
  fields: DataField[];
  batches: ColumnBatch[];
  snapshotId: bigint | null;
}

/** Reads a whole snapshot of a table. */
export async function readTable(table: FileStoreTable, opts: ReadOptions = {}): Promise<TableReadResult> {
  const plan = await planScan(table, opts);
  const schema = plan.schema;
  const fields = schema.fields;
  const idx = columnIndexes(table, fields, opts.projection);
  const splitOpts: SplitReadOptions = { columns: opts.projection, filter: opts.filter };
  if (!plan.snapshot && opts.filter !== undefined) BoundPredicate.bind(opts.filter, fields, `table ${table.name}: filter`);
  const batches: ColumnBatch[] = [];
  for (const split of plan.splits) batches.push(await readSplit(table, split, schema, splitOpts));
  return { fields: idx.map((i) => fields[i]), batches, snapshotId: plan.snapshot?.id ?? null };
}

function columnIndexes(table: FileStoreTable, fields: readonly DataField[], names: readonly string[] | undefined): number[] {
  if (names === undefined) return fields.map((_, i) => i);
  return names.map((n) => {
    const i = fields.findIndex((f) => f.name === n);
    if (i < 0) throw new Error(`table ${table.name}: no column '${n}'`);
    return i;
  });
}

/** Rows of a read result, as arrays of internal values (tests, CLI, small tables). */
export function resultRows(r: TableReadResult): InternalValue[][] {
  const out: InternalValue[][] = [];
  for (const b of r.batches) for (let i = 0; i < b.numRows; i++) out.push(b.columns.map((c) => vectorGet(c, i)));
  return out;
}

function filePath(split: DataSplit, f: DataFileMeta): string {
  return f.externalPath ?? joinPath(split.bucketPath, f.fileName);
}

/** A deletion vector of a split, its index file read once per `cache`. */
export async function loadDeletionVector(table: FileStoreTable, d: DeletionFile, cache: Map<string, Promise<Uint8Array>>): Promise<DeletionVector> {
  let p = cache.get(d.path);
  if (!p) {
    p = table.io.readFile(d.path);
    cache.set(d.path, p);
  }
  return readDeletionVector(await p, d.offset, d.length);
}

/** Parquet files at least this big are read by ranges when only some columns are needed. */
export const RANGED_READ_MIN_BYTES = 1024 * 1024;
/**
 * Data files at least this big are read by ranges even when every column is needed (the
 * footer, then the column chunks of one row group at a time; Avro in windows), so a large
 * file is never held whole. Smaller files are fetched whole and decoded piece by piece.
 */
export const WHOLE_FILE_MAX_BYTES = 4 * 1024 * 1024;
const FOOTER_FETCH_BYTES = 64 * 1024;
/** Rows per batch of `readSplitBatches` unless `batchSize` says otherwise. */
export const DEFAULT_READ_BATCH_SIZE = 4096;
/**
 * Rows per decoded chunk of a streaming read: Parquet row groups of flat columns are
 * decoded page by page in chunks of this many rows (row groups with lists or maps whole),
 * Avro files a few blocks at a time. `readSplit` decodes whole row groups.
 */
export const DECODE_CHUNK_ROWS = 8192;

/**
 * What a streaming read decoded and held (filled in when passed as `stats`): a
 * deterministic measure of its memory. Held rows are the decoded rows of the chunks (row
 * groups, Avro block groups) open file readers hold plus the rows waiting in the output.
 */
export interface SplitReadStats {
  /** Chunks decoded from data files. */
  chunks: number;
  /** Rows decoded from data files. */
  rowsDecoded: number;
  /** Rows held now. */
  rowsHeld: number;
  /** The most rows held at once. */
  peakRowsHeld: number;
}

export function newSplitReadStats(): SplitReadStats {
  return { chunks: 0, rowsDecoded: 0, rowsHeld: 0, peakRowsHeld: 0 };
}

function hold(stats: SplitReadStats | undefined, rows: number, decoded: boolean): void {
  if (stats === undefined) return;
  if (decoded) {
    stats.chunks++;
    stats.rowsDecoded += rows;
  }
  stats.rowsHeld += rows;
  if (stats.rowsHeld > stats.peakRowsHeld) stats.peakRowsHeld = stats.rowsHeld;
}

function release(stats: SplitReadStats | undefined, rows: number): void {
  if (stats !== undefined) stats.rowsHeld -= rows;
}

type Cast = ((v: InternalValue) => InternalValue) | null;

/**
 * How to read `wanted` (read-schema fields) from a file with `fileFields`: type changes the
 * file readers do not convert are read as the file's type and cast after decoding.
 */
function castPlan(wanted: DataField[], fileFields: DataField[]): { fields: DataField[]; casts: Cast[] } {
  const casts = wanted.map((rf) => {
    const ff = fileFields.find((x) => x.id === rf.id);
    return ff === undefined ? null : readCast(ff.type, rf.type);
  });
  const fields = wanted.map((rf, i) => (casts[i] === null ? rf : { ...rf, type: { ...fileFields.find((x) => x.id === rf.id)!.type, nullable: true } as DataType }));
  return { fields, casts };
}

function applyCasts(batch: ColumnBatch, wanted: DataField[], casts: Cast[]): ColumnBatch {
  if (casts.every((c) => c === null)) return batch;
  const columns = batch.columns.map((col, i) => {
    const cast = casts[i];
    if (cast === null) return col;
    const values: InternalValue[] = new Array(batch.numRows);
    for (let r = 0; r < batch.numRows; r++) values[r] = cast(vectorGet(col, r));
    return vectorOf(wanted[i].type, values);
  });
  return { numRows: batch.numRows, names: batch.names, columns };
}

/** A generator whose first element is already computed, so errors of opening surface now. */
async function primed<T>(gen: AsyncGenerator<T>): Promise<AsyncGenerator<T>> {
  const first = await gen.next();
  return (async function* () {
    if (first.done) return;
    yield first.value;
    yield* gen;
  })();
}

/**
 * Reads one data file as the given (read-schema) fields, resolving old names and types by
 * id, chunk by chunk: a Parquet row group or a few Avro blocks at a time. `physicalColumns`
 * is how many columns the file holds: when fewer are wanted from a large Parquet file, or
 * the file is large, only its footer and the needed column chunks are fetched.
 */
async function* readFileChunks(table: FileStoreTable, split: DataSplit, f: DataFileMeta, wanted: DataField[], fileFields: DataField[], physicalColumns: number, chunkRows: number | undefined): AsyncGenerator<ColumnBatch> {
  const { fields, casts } = castPlan(wanted, fileFields);
  const format = formatFromFileName(f.fileName);
  const size = Number(f.fileSize);
  const open = async (path: string): Promise<AsyncGenerator<ColumnBatch>> => {
    const ranged = (format === "parquet" || format === "avro") && (size >= WHOLE_FILE_MAX_BYTES || (format === "parquet" && fields.length < physicalColumns && size >= RANGED_READ_MIN_BYTES));
    if (ranged) {
      try {
        const source = await asyncBufferOf(table.io, path, size);
        if (format === "avro") return await primed(avroReadChunks(source, fields, { fileFields, fileName: path, chunkRows: chunkRows ?? DECODE_CHUNK_ROWS }));
        // a small first fetch: the footer is usually a few KiB (hyparquet's default is 512 KiB)
        const metadata = await parquetMetadataAsync(source, { initialFetchSize: FOOTER_FETCH_BYTES });
        return await primed(parquetReadRowGroups(source, fields, { fileFields, fileName: path, metadata, chunkRows }));
      } catch (e) {
        if (isNotFound(e)) throw e;
        // e.g. a wrong _FILE_SIZE: the whole file tells the real story
      }
    }
    const bytes = await table.io.readFile(path);
    if (format === "parquet") return primed(parquetReadRowGroups(bytes, fields, { fileFields, fileName: path, chunkRows }));
    if (format === "avro") return primed(avroReadChunks(bytes, fields, { fileFields, fileName: path, chunkRows: chunkRows ?? DECODE_CHUNK_ROWS }));
    return primed(
      (async function* () {
        yield await readDataFile(format, bytes, fields, { fileFields, fileName: path });
      })(),
    );
  };
  const path = filePath(split, f);
  let chunks: AsyncGenerator<ColumnBatch>;
  try {
    chunks = await open(path);
  } catch (e) {
    if (!isNotFound(e)) throw e;
    const alt = f.externalPath === null && split.altBucketPath !== null ? joinPath(split.altBucketPath, f.fileName) : null;
    if (alt === null || !(await table.io.exists(alt))) {
      throw new NotFoundError(path, `table ${table.name}: data file ${path} listed in snapshot is missing`, { cause: e });
    }
    chunks = await open(alt);
  }
  for await (const b of chunks) yield applyCasts(b, wanted, casts);
}

function sliceVector(v: ColumnVector, start: number, end: number): ColumnVector {
  const values = v.values as ArrayLike<InternalValue> & { slice?: (s: number, e: number) => ArrayLike<InternalValue> };
  // copies (typed arrays too), so a batch does not keep its whole row group alive
  const sliced = typeof values.slice === "function" ? values.slice(start, end) : Array.from({ length: end - start }, (_, i) => values[start + i]);
  return { type: v.type, length: end - start, values: sliced, nulls: v.nulls === null ? null : v.nulls.slice(start, end) };
}

function sliceBatch(b: ColumnBatch, start: number, end: number): ColumnBatch {
  if (start === 0 && end === b.numRows) return b;
  return { numRows: end - start, names: b.names, columns: b.columns.map((c) => sliceVector(c, start, end)) };
}

function selectRows(b: ColumnBatch, keep: number[] | null): ColumnBatch {
  if (keep === null) return b;
  const columns: ColumnVector[] = b.columns.map((c) => vectorOf(c.type, keep.map((i) => vectorGet(c, i))));
  return { numRows: keep.length, names: b.names, columns };
}

function concatBatches(fields: DataField[], batches: ColumnBatch[]): ColumnBatch {
  if (batches.length === 1) return batches[0];
  const columns = fields.map((f, ci) => {
    const vals: InternalValue[] = [];
    for (const b of batches) for (let i = 0; i < b.numRows; i++) vals.push(vectorGet(b.columns[ci], i));
    return vectorOf(f.type, vals);
  });
  return { numRows: batches.reduce((s, b) => s + b.numRows, 0), names: fields.map((f) => f.name), columns };
}

function rowsToBatch(fields: DataField[], rows: InternalValue[][]): ColumnBatch {
  return {
    numRows: rows.length,
    names: fields.map((f) => f.name),
    columns: fields.map((f, ci) => vectorOf(f.type, rows.map((r) => r[ci]))),
  };
}

/** Output batches of exactly `size` rows (the last one fewer) cut from the pieces pushed. */
class BatchQueue {
  private parts: ColumnBatch[] = [];
  private rows = 0;

  constructor(
    private readonly fields: DataField[],
    private readonly size: number,
    private readonly stats: SplitReadStats | undefined,
  ) {}

  push(b: ColumnBatch): void {
    if (b.numRows === 0) return;
    this.parts.push(b);
    this.rows += b.numRows;
    hold(this.stats, b.numRows, false);
  }

  /** Full batches, and with `final` whatever is left. */
  *drain(final: boolean): Generator<ColumnBatch> {
    while (this.rows >= this.size || (final && this.rows > 0)) {
      const n = Math.min(this.size, this.rows);
      const pieces: ColumnBatch[] = [];
      let need = n;
      while (need > 0) {
        const p = this.parts[0];
        if (p.numRows <= need) {
          pieces.push(p);
          this.parts.shift();
          need -= p.numRows;
        } else {
          pieces.push(sliceBatch(p, 0, need));
          this.parts[0] = sliceBatch(p, need, p.numRows);
          need = 0;
        }
      }
      this.rows -= n;
      release(this.stats, n);
      yield concatBatches(this.fields, pieces);
    }
  }
}

/** Merged rows collected column by column into batches of `size` rows. */
class RowBatcher {
  private cols: InternalValue[][];
  rows = 0;

  constructor(
    private readonly fields: DataField[],
    private readonly stats: SplitReadStats | undefined,
  ) {
    this.cols = fields.map(() => []);
  }

  push(row: readonly InternalValue[], idx: readonly number[]): void {
    for (let c = 0; c < idx.length; c++) this.cols[c].push(row[idx[c]]);
    this.rows++;
    hold(this.stats, 1, false);
  }

  take(): ColumnBatch {
    const b: ColumnBatch = { numRows: this.rows, names: this.fields.map((f) => f.name), columns: this.fields.map((f, c) => vectorOf(f.type, this.cols[c])) };
    release(this.stats, this.rows);
    this.cols = this.fields.map(() => []);
    this.rows = 0;
    return b;
  }
}

export interface SplitReadOptions {
  /** Column names to return, in this order (default: all, in schema order). */
  columns?: string[];
  /** Return only the rows for which this is TRUE (applied after the merge). */
  filter?: Predicate;
}

export interface SplitBatchOptions extends SplitReadOptions {
  /** Most rows per batch (default DEFAULT_READ_BATCH_SIZE); every batch but the last is full. */
  batchSize?: number;
  /** Filled in with what the read decoded and held (tests, benchmarks). */
  stats?: SplitReadStats;
}

/**
 * Reads one split as of `schema` (the schema of the snapshot it was planned from): the
 * rows Paimon's batch read returns, restricted to `opts.columns` and `opts.filter`, as
 * one batch. Collects `readSplitBatches`; use that for large splits.
 */
export async function readSplit(table: FileStoreTable, split: DataSplit, schema: TableSchema = table.schema, opts: SplitReadOptions = {}): Promise<ColumnBatch> {
  const parts: ColumnBatch[] = [];
  for await (const b of readSplitBatches(table, split, schema, { ...opts, batchSize: Infinity })) parts.push(b);
  const fields = schema.fields;
  const outFields = columnIndexes(table, fields, opts.columns).map((i) => fields[i]);
  return parts.length === 0 ? rowsToBatch(outFields, []) : concatBatches(outFields, parts);
}

/** The rows of a table's split-by-split stream: its columns, snapshot, and batches. */
export interface TableBatchStream {
  fields: DataField[];
  snapshotId: bigint | null;
  batches: AsyncGenerator<ColumnBatch>;
}

/** Reads a whole snapshot of a table as a stream of batches of at most `batchSize` rows. */
export async function readTableBatches(table: FileStoreTable, opts: ReadOptions & { batchSize?: number } = {}): Promise<TableBatchStream> {
  const plan = await planScan(table, opts);
  const schema = plan.schema;
  const fields = schema.fields;
  const idx = columnIndexes(table, fields, opts.projection);
  if (!plan.snapshot && opts.filter !== undefined) BoundPredicate.bind(opts.filter, fields, `table ${table.name}: filter`);
  const splitOpts: SplitBatchOptions = { columns: opts.projection, filter: opts.filter, batchSize: opts.batchSize };
  async function* batches(): AsyncGenerator<ColumnBatch> {
    for (const split of plan.splits) yield* readSplitBatches(table, split, schema, splitOpts);
  }
  return { fields: idx.map((i) => fields[i]), snapshotId: plan.snapshot?.id ?? null, batches: batches() };
}

type MergeRecord = LeveledRecord & { key: InternalValue[]; useq: InternalValue[]; ord: number };

/**
 * Reads one split as of `schema` as batches of at most `opts.batchSize` rows (every batch
 * but the last is full), with the rows and order `readSplit` returns. Memory stays bounded
 * by one decoded chunk (Parquet row group, a few Avro blocks) per file being read plus one
 * output batch: raw-readable splits go file by file, chunk by chunk; merged primary-key
 * splits run a k-way merge over the sorted runs of each section of overlapping files.
 */
export async function* readSplitBatches(table: FileStoreTable, split: DataSplit, schema: TableSchema = table.schema, opts: SplitBatchOptions = {}): AsyncGenerator<ColumnBatch> {
  const size = opts.batchSize ?? DEFAULT_READ_BATCH_SIZE;
  if (!(size === Infinity || (Number.isInteger(size) && size > 0))) throw new InvalidInputError(`table ${table.name}: batchSize must be a positive integer, got ${size}`);
  const stats = opts.stats;
  const chunkRows = size === Infinity ? undefined : DECODE_CHUNK_ROWS;
  const dvBytes = new Map<string, Promise<Uint8Array>>();
  const dvOf = async (f: DataFileMeta) => {
    const d = split.deletionFiles.get(f.fileName);
    return d ? loadDeletionVector(table, d, dvBytes) : undefined;
  };
  const fields = schema.fields;
  const outIdx = columnIndexes(table, fields, opts.columns);
  const outFields = outIdx.map((i) => fields[i]);
  const filter = opts.filter === undefined ? null : BoundPredicate.bind(opts.filter, fields, `table ${table.name}: filter`);
  const options = table.options;
  const isPk = schema.primaryKeys.length > 0;
  const seqIdx = isPk
    ? options.sequenceFields.map((n) => {
        const i = fields.findIndex((f) => f.name === n);
        if (i < 0) throw new Error(`table ${table.name}: sequence.field '${n}' is not a column`);
        return i;
      })
    : [];
  // the columns read from the files: output, filter and sequence fields, in schema order
  const need = [...new Set([...outIdx, ...(filter?.fieldIndexes ?? []), ...seqIdx])].sort((a, b) => a - b);
  const needFields = need.map((i) => fields[i]);
  const posOf = new Map(need.map((fi, p) => [fi, p]));

  if (!isPk || rawConvertible(split.files, options)) {
    const outPos = outIdx.map((i) => posOf.get(i)!);
    const queue = new BatchQueue(outFields, size, stats);
    for (const f of split.files) {
      const fileSchema = await table.schemas.schema(f.schemaId);
      const physical = isPk ? trimmedPrimaryKeyFields(fileSchema).length + 2 + fileSchema.fields.length : fileSchema.fields.length;
      const dv = await dvOf(f);
      const deletes = dv !== undefined && !dv.isEmpty();
      let offset = 0;
      for await (const b of readFileChunks(table, split, f, needFields, fileSchema.fields, physical, chunkRows)) {
        hold(stats, b.numRows, true);
        let keep: number[] | null = null;
        if (deletes || filter !== null) {
          keep = [];
          let row = 0;
          const get = (fi: number) => vectorGet(b.columns[posOf.get(fi)!], row);
          for (; row < b.numRows; row++) {
            if (deletes && dv.isDeleted(offset + row)) continue;
            if (filter !== null && !filter.test(get)) continue;
            keep.push(row);
          }
        }
        const selected = selectRows(b, keep);
        // unselected, the chunk itself moves to the queue: count its rows once
        if (keep === null) release(stats, b.numRows);
        queue.push({ numRows: selected.numRows, names: outFields.map((x) => x.name), columns: outPos.map((p) => selected.columns[p]) });
        if (keep !== null) release(stats, b.numRows);
        offset += b.numRows;
        yield* queue.drain(false);
      }
    }
    yield* queue.drain(true);
    return;
  }

  // merge-on-read: every record of the bucket, ordered by key, user sequence, sequence number.
  // The key columns are read twice: as `_KEY_x` and as the value column x, because files of
  // `data-file.thin-mode` tables have no `_KEY_` columns (a primary key is never NULL, so a
  // NULL `_KEY_x` means the column is absent and x holds the key).
  const keyFields = trimmedPrimaryKeyFields(schema);
  const keyValueIdx = keyFields.map((kf) => fields.findIndex((f) => f.id === kf.id));
  const mergeNeed = [...new Set([...need, ...keyValueIdx])].sort((a, b) => a - b);
  const readFields = keyValueFields(
    keyFields,
    mergeNeed.map((i) => fields[i]),
  );
  const nk = keyFields.length;
  // records whose key alone fails the filter cannot become a matching row: drop them early
  const keyPos = new Map(keyFields.map((kf, k) => [fields.findIndex((f) => f.id === kf.id), k]));
  const partPos = new Map(schema.partitionKeys.map((name, j) => [fields.findIndex((f) => f.name === name), j]));
  const keyFilter = filter !== null && filter.fieldIndexes.some((i) => keyPos.has(i) || partPos.has(i)) ? filter : null;
  const knownByKey = (i: number) => keyPos.has(i) || partPos.has(i);
  const keyCmp = rowComparator(keyFields.map((f) => f.type));
  const useqCmps = seqIdx.map((si) => fieldComparator(fields[si].type));
  const desc = options.sequenceDescending ? -1 : 1;
  const recordOrder = (a: MergeRecord, b: MergeRecord): number => {
    for (let i = 0; i < useqCmps.length; i++) {
      const u = useqCmps[i](a.useq[i], b.useq[i]);
      if (u !== 0) return desc * u;
    }
    if (a.seq !== b.seq) return a.seq < b.seq ? -1 : 1;
    const r = (isRetract(b.kind) ? 1 : 0) - (isRetract(a.kind) ? 1 : 0);
    return r !== 0 ? r : a.ord - b.ord;
  };
  // one record as it is; several through the merge engine (lookup tables: level 0 and the newest above)
  const merge = readMergeFunction(schema, table.name);

  const ctx: RunContext = {
    open: async (f) => {
      const fileSchema = await table.schemas.schema(f.schemaId);
      const fileKeyFields = trimmedPrimaryKeyFields(fileSchema);
      const fileFields = [...fileKeyFields.map(keyField), SEQUENCE_FIELD, VALUE_KIND_FIELD, ...fileSchema.fields];
      return { chunks: readFileChunks(table, split, f, readFields, fileFields, fileFields.length, chunkRows), dv: await dvOf(f) };
    },
    record: (b, i, ord, level) => {
      const row = new Array<InternalValue>(fields.length).fill(null);
      for (let c = 0; c < mergeNeed.length; c++) row[mergeNeed[c]] = vectorGet(b.columns[nk + 2 + c], i);
      const key = new Array<InternalValue>(nk);
      for (let k = 0; k < nk; k++) key[k] = vectorGet(b.columns[k], i) ?? row[keyValueIdx[k]];
      if (keyFilter !== null) {
        const byKey = (fi: number): InternalValue => {
          const k = keyPos.get(fi);
          return k !== undefined ? key[k] : split.partitionValues[partPos.get(fi)!];
        };
        if (keyFilter.evaluatePartial(byKey, knownByKey) === false) return null;
      }
      return { key, seq: vectorGet(b.columns[nk], i) as bigint, kind: Number(vectorGet(b.columns[nk + 1], i)) as RowKind, row, useq: seqIdx.map((si) => row[si]), ord, level };
    },
    keyCmp,
    stats,
    where: `table ${table.name}, bucket ${split.bucket}`,
  };

  const out = new RowBatcher(outFields, stats);
  const fileSchemas = await Promise.all(split.files.map((f) => table.schemas.schema(f.schemaId)));
  for (const section of sortedRuns(schema, split.files, fileSchemas, keyCmp)) {
    const heap: RunCursor[] = [];
    for (const run of section) {
      const c = new RunCursor(run, ctx, heap.length);
      if (await c.fill()) heap.push(c);
    }
    const before = (a: RunCursor, b: RunCursor) => {
      const c = keyCmp(a.rec!.key, b.rec!.key);
      return c !== 0 ? c < 0 : a.id < b.id;
    };
    const siftDown = (i: number) => {
      const n = heap.length;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) return;
        const m = l + 1 < n && before(heap[l + 1], heap[l]) ? l + 1 : l;
        if (!before(heap[m], heap[i])) return;
        [heap[i], heap[m]] = [heap[m], heap[i]];
        i = m;
      }
    };
    for (let i = (heap.length >> 1) - 1; i >= 0; i--) siftDown(i);
    while (heap.length > 0) {
      const key = heap[0].rec!.key;
      const group: MergeRecord[] = [];
      while (heap.length > 0 && keyCmp(heap[0].rec!.key, key) === 0) {
        const c = heap[0];
        let alive: boolean;
        do {
          group.push(c.rec!);
          alive = c.step() || (await c.fill());
        } while (alive && keyCmp(c.rec!.key, key) === 0);
        if (!alive) {
          const last = heap.pop()!;
          if (heap.length > 0 && last !== c) heap[0] = last;
        }
        if (heap.length > 0) siftDown(0);
      }
      if (group.length > 1) group.sort(recordOrder);
      const r = merge(group);
      if (r && !isRetract(r.kind)) {
        const row = r.row;
        if (filter === null || filter.test((fi) => row[fi])) {
          out.push(row, outIdx);
          if (out.rows >= size) yield out.take();
        }
      }
    }
  }
  if (out.rows > 0) yield out.take();
}

interface RunContext {
  open(f: DataFileMeta): Promise<{ chunks: AsyncGenerator<ColumnBatch>; dv: DeletionVector | undefined }>;
  /** The record of row `i` of a chunk of a file at `level`; null when its key fails the filter. */
  record(b: ColumnBatch, i: number, ord: number, level: number): MergeRecord | null;
  keyCmp: RowCompare;
  stats: SplitReadStats | undefined;
  where: string;
}

/**
 * The records of one sorted run (files of disjoint key ranges, in key order), one decoded
 * chunk at a time. `rec` is the current record; `step` moves within the chunk and `fill`
 * decodes what comes next, so the merge awaits only at chunk boundaries.
 */
class RunCursor {
  rec: MergeRecord | null = null;
  private file = -1;
  private chunks: AsyncGenerator<ColumnBatch> | null = null;
  private dv: DeletionVector | undefined;
  private chunk: ColumnBatch | null = null;
  /** Row of the current chunk, and the file row of its first row. */
  private i = 0;
  private offset = 0;

  constructor(
    private readonly files: { file: DataFileMeta; ord: number }[],
    private readonly ctx: RunContext,
    readonly id: number,
  ) {}

  /** Moves to the next live record of the current chunk; false when the chunk is used up. */
  step(): boolean {
    const b = this.chunk;
    if (b === null) return false;
    const { ord, file } = this.files[this.file];
    while (++this.i < b.numRows) {
      if (this.dv?.isDeleted(this.offset + this.i)) continue;
      const r = this.ctx.record(b, this.i, ord, file.level);
      if (r === null) continue;
      // the merge relies on each file being sorted by key: say so rather than merge wrongly
      if (this.rec !== null && this.ctx.keyCmp(this.rec.key, r.key) > 0) {
        throw new FormatError(`${this.ctx.where}: data file ${file.fileName} is not sorted by primary key (row ${this.offset + this.i})`);
      }
      this.rec = r;
      return true;
    }
    return false;
  }

  /** Decodes chunks (and opens files) until a live record is found; false at the end of the run. */
  async fill(): Promise<boolean> {
    for (;;) {
      if (this.chunk !== null) {
        release(this.ctx.stats, this.chunk.numRows);
        this.offset += this.chunk.numRows;
        this.chunk = null;
      }
      if (this.chunks !== null) {
        const n = await this.chunks.next();
        if (!n.done) {
          this.chunk = n.value;
          hold(this.ctx.stats, n.value.numRows, true);
          this.i = -1;
          if (this.step()) return true;
          continue;
        }
        this.chunks = null;
      }
      if (++this.file >= this.files.length) {
        this.rec = null;
        return false;
      }
      const opened = await this.ctx.open(this.files[this.file].file);
      this.chunks = opened.chunks;
      this.dv = opened.dv;
      this.offset = 0;
    }
  }
}

/**
 * The files of a merged split as sections (groups of files whose key ranges overlap, in
 * key order) of sorted runs (files with disjoint key ranges, in key order), as Paimon's
 * interval partition: the merge reads one section at a time with one cursor per run.
 * Without comparable key ranges (key types differ between schemas) all files form one
 * section with one run each.
 */
function sortedRuns(schema: TableSchema, files: readonly DataFileMeta[], fileSchemas: readonly TableSchema[], cmp: RowCompare): { file: DataFileMeta; ord: number }[][][] {
  const sig = (s: TableSchema) =>
    trimmedPrimaryKeyFields(s)
      .map((f) => asSQLString(f.type, true))
      .join(",");
  const fallback = [files.map((file, ord) => [{ file, ord }])];
  const want = sig(schema);
  const ranges: { file: DataFileMeta; ord: number; min: InternalValue[]; max: InternalValue[] }[] = [];
  for (let i = 0; i < files.length; i++) {
    if (sig(fileSchemas[i]) !== want) return fallback;
    try {
      ranges.push({ file: files[i], ord: i, ...fileKeyRange(fileSchemas[i], files[i]) });
    } catch {
      return fallback;
    }
  }
  ranges.sort((a, b) => cmp(a.min, b.min) || cmp(a.max, b.max) || a.ord - b.ord);
  const sections: (typeof ranges)[] = [];
  let bound: InternalValue[] | null = null;
  for (const r of ranges) {
    if (bound === null || cmp(r.min, bound) > 0) {
      sections.push([]);
      bound = null;
    }
    sections[sections.length - 1].push(r);
    if (bound === null || cmp(r.max, bound) > 0) bound = r.max;
  }
  return sections.map((section) => {
    const runs: (typeof ranges)[] = [];
    for (const r of section) {
      const run = runs.find((x) => cmp(x[x.length - 1].max, r.min) < 0);
      if (run) run.push(r);
      else runs.push([r]);
    }
    return runs.map((run) => run.map(({ file, ord }) => ({ file, ord })));
  });
}

export { rowType };
