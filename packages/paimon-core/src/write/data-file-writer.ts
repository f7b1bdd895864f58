/**
 * Rolling data-file writer: column batches in, Parquet data files and their
 * `DataFileMeta` out (METADATA.md §5, BINARY.md §2).
 *
 * Two physical layouts:
 * * append: the table's columns; sequence numbers come from a per-bucket counter (+1 per
 *   row); key fields and key stats are empty;
 * * key-value: `_KEY_<pk>…, _SEQUENCE_NUMBER, _VALUE_KIND, <all columns>` (rows must come
 *   sorted by key with unique keys); min/max key are the first/last row's trimmed key,
 *   key stats cover the key fields (all mode), value stats the table columns.
 *
 * Rolling: a file is closed once the data handed to it reaches `target-file-size`. The
 * Parquet encoder available (`parquetWrite`) encodes a whole file at once, so the rows of
 * the current file are buffered and their size is an estimate of their uncompressed
 * bytes, corrected by the compression ratio observed on earlier files when that ratio is
 * above 1 (never buffering more than `target-file-size` of estimated raw data). Rolling
 * happens between input slices, never inside a row.
 */
import { randomUUID } from "node:crypto";
import type { FileIO } from "@paimon-ts/fileio";
import { joinPath } from "@paimon-ts/fileio";
import { serializeBinaryRow, EMPTY_ROW_SERIALIZED } from "../data/binary-row.js";
import { emptySimpleStats, simpleStatsToBinary, simpleStatsToBinaryDense, type SimpleColStats, type StatsMode } from "../data/stats.js";
import type { InternalValue } from "../data/values.js";
import { vectorGet, type ColumnBatch } from "../data/vector.js";
import { initZstd, parquetWrite, type ParquetCompression } from "../format/index.js";
import { FileSource, type DataFileMeta } from "../manifest/model.js";
import type { DataField } from "../types/datatype.js";
import { batchFileBytes, concatBatches, sliceBatch } from "./columns.js";
import { columnStats } from "./file-stats.js";

/** Names data files `<prefix><uuid>-<n>.parquet`: one UUID per instance, a counter from 0 (Java's `DataFilePathFactory`). */
export class DataFileNamer {
  private counter = 0;
  constructor(
    readonly prefix = "data-",
    readonly uuid: string = randomUUID(),
    readonly extension = ".parquet",
  ) {}

  /** The next name; changelog files share the UUID and counter of the data files (`changelog-file.prefix`). */
  next(prefix = this.prefix): string {
    return `${prefix}${this.uuid}-${this.counter++}${this.extension}`;
  }

  /** A namer that draws from this one's counter with another prefix. */
  withPrefix(prefix: string): FileNamer {
    return { next: () => this.next(prefix) };
  }
}

export interface FileNamer {
  next(): string;
}

/** `LocalDateTime.now()` as Java's `_CREATION_TIME` stores it: local wall-clock millis encoded as if UTC. */
export function localDateTimeMillis(now: Date = new Date()): bigint {
  return BigInt(now.getTime() - now.getTimezoneOffset() * 60_000);
}

export type DataFileLayout =
  | { kind: "append"; /** Sequence number of the next row written. */ nextSequence: bigint }
  | { kind: "key-value"; /** Number of `_KEY_` fields at the front. */ keyArity: number };

export interface DataFileWriterOptions {
  io: FileIO;
  /** Directory the files go to (the bucket directory). */
  directory: string;
  /** Physical fields, in file order. */
  fields: DataField[];
  schemaId: bigint;
  level: number;
  fileSource: FileSource;
  /** One per field (see `statsModesFor`). */
  statsModes: StatsMode[];
  /** `metadata.stats-dense-store` for the value stats. */
  denseStore: boolean;
  targetFileSize: number;
  compression: ParquetCompression;
  zstdLevel: number;
  names: FileNamer;
  layout: DataFileLayout;
  /** Called with each file as soon as it is complete (before `close`). */
  onFile?: (meta: DataFileMeta) => void;
}

export class RollingDataFileWriter {
  private pending: ColumnBatch[] = [];
  private pendingRows = 0;
  private pendingBytes = 0;
  private readonly results: DataFileMeta[] = [];
  private readonly written: string[] = [];
  /** Output bytes per estimated input byte, learned from finished files. */
  private ratio = 1;
  private closed = false;
  private nextSequence: bigint;

  constructor(readonly opts: DataFileWriterOptions) {
    if (opts.statsModes.length !== opts.fields.length) throw new RangeError(`${opts.statsModes.length} stats modes for ${opts.fields.length} fields`);
    this.nextSequence = opts.layout.kind === "append" ? opts.layout.nextSequence : 0n;
  }

  /** Sequence number of the next appended row (append layout). */
  get sequence(): bigint {
    return this.nextSequence + BigInt(this.pendingRows);
  }

  /** Estimated bytes buffered for the current (unfinished) file. */
  get bufferedBytes(): number {
    return this.pendingBytes;
  }

  /** Rows written or buffered so far. */
  get rowCount(): number {
    return this.results.reduce((s, f) => s + Number(f.rowCount), 0) + this.pendingRows;
  }

  private get threshold(): number {
    return this.opts.targetFileSize / Math.max(this.ratio, 1);
  }

  /** Appends rows (columns in `fields` order); may complete files. */
  async write(batch: ColumnBatch): Promise<void> {
    if (this.closed) throw new Error("data file writer is closed");
    if (batch.columns.length !== this.opts.fields.length) throw new RangeError(`batch has ${batch.columns.length} columns, file has ${this.opts.fields.length} fields`);
    const n = batch.numRows;
    if (n === 0) return;
    const total = batchFileBytes(batch);
    const perRow = total / n;
    let start = 0;
    while (start < n) {
      const room = this.threshold - this.pendingBytes;
      const rows = Math.max(1, Math.min(n - start, Math.ceil(room / Math.max(perRow, 1e-9))));
      const part = sliceBatch(batch, start, start + rows);
      this.pending.push(part);
      this.pendingRows += rows;
      this.pendingBytes += perRow * rows;
      start += rows;
      if (this.pendingBytes >= this.threshold) await this.flushFile();
    }
  }

  /** Completes the current file (if any rows are buffered). */
  async flushFile(): Promise<void> {
    if (this.pendingRows === 0) return;
    const batch = concatBatches(this.pending);
    const estimate = this.pendingBytes;
    this.pending = [];
    this.pendingRows = 0;
    this.pendingBytes = 0;
    const meta = await this.writeFile(batch);
    if (estimate > 0) this.ratio = Number(meta.fileSize) / estimate;
    this.results.push(meta);
    this.opts.onFile?.(meta);
  }

  /** Completes the last file and returns every file written, in order. */
  async close(): Promise<DataFileMeta[]> {
    if (!this.closed) {
      await this.flushFile();
      this.closed = true;
    }
    return [...this.results];
  }

  /** Deletes every file this writer produced (after a failure). */
  async abort(): Promise<void> {
    this.closed = true;
    this.pending = [];
    for (const path of this.written) await this.opts.io.delete(path).catch(() => false);
  }

  private async writeFile(batch: ColumnBatch): Promise<DataFileMeta> {
    const o = this.opts;
    if (o.compression === "zstd") await initZstd();
    const bytes = parquetWrite(o.fields, batch, { compression: o.compression, zstdLevel: o.zstdLevel });
    const name = o.names.next();
    const path = joinPath(o.directory, name);
    const sink = await o.io.newOutputSink(path);
    try {
      await sink.write(bytes);
      await sink.close();
    } catch (e) {
      await sink.abort().catch(() => undefined);
      throw e;
    }
    this.written.push(path);
    return this.fileMeta(name, BigInt(bytes.length), batch);
  }

  private fileMeta(fileName: string, fileSize: bigint, batch: ColumnBatch): DataFileMeta {
    const o = this.opts;
    const n = batch.numRows;
    const stats: SimpleColStats[] = batch.columns.map((c, i) => columnStats(c, o.statsModes[i]));
    const common = {
      fileName,
      fileSize,
      rowCount: BigInt(n),
      schemaId: o.schemaId,
      level: o.level,
      extraFiles: [] as string[],
      creationTime: localDateTimeMillis(),
      embeddedIndex: null,
      fileSource: o.fileSource,
      externalPath: null,
      firstRowId: null,
      writeCols: null,
      writeColsSequences: null,
    };
    if (o.layout.kind === "append") {
      const value = this.valueStats(o.fields, stats);
      const first = this.nextSequence;
      this.nextSequence += BigInt(n);
      return {
        ...common,
        minKey: EMPTY_ROW_SERIALIZED.slice(),
        maxKey: EMPTY_ROW_SERIALIZED.slice(),
        keyStats: emptySimpleStats(),
        valueStats: value.stats,
        valueStatsCols: value.valueStatsCols,
        minSequenceNumber: first,
        maxSequenceNumber: first + BigInt(n) - 1n,
        deleteRowCount: 0n,
      };
    }
    const k = o.layout.keyArity;
    const keyTypes = o.fields.slice(0, k).map((f) => f.type);
    const keyAt = (r: number): InternalValue[] => batch.columns.slice(0, k).map((c) => vectorGet(c, r));
    const seq = batch.columns[k];
    const kind = batch.columns[k + 1];
    let minSeq = vectorGet(seq, 0) as bigint;
    let maxSeq = minSeq;
    let deletes = 0;
    for (let r = 0; r < n; r++) {
      const s = vectorGet(seq, r) as bigint;
      if (s < minSeq) minSeq = s;
      if (s > maxSeq) maxSeq = s;
      const kd = vectorGet(kind, r) as number;
      if (kd === 1 || kd === 3) deletes++;
    }
    const value = this.valueStats(o.fields.slice(k + 2), stats.slice(k + 2));
    return {
      ...common,
      minKey: serializeBinaryRow(keyTypes, keyAt(0)),
      maxKey: serializeBinaryRow(keyTypes, keyAt(n - 1)),
      keyStats: simpleStatsToBinary(keyTypes, stats.slice(0, k)),
      valueStats: value.stats,
      valueStatsCols: value.valueStatsCols,
      minSequenceNumber: minSeq,
      maxSequenceNumber: maxSeq,
      deleteRowCount: BigInt(deletes),
    };
  }

  private valueStats(fields: DataField[], stats: SimpleColStats[]) {
    if (this.opts.denseStore) return simpleStatsToBinaryDense(fields, stats);
    return { stats: simpleStatsToBinary(fields.map((f) => f.type), stats), valueStatsCols: null };
  }
}
