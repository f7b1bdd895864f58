/**
 * Test helpers for the committer tests: temp warehouses, real Parquet data files with
 * the DataFileMeta a writer would produce (row count, size, sequence range, key range,
 * value and key stats), commit messages, and canonical row reads.
 */
import { randomUUID } from "node:crypto";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeFile, type FileIO, type FileStatus, type OutputSink, type WriteOptions } from "@paimon-ts/fileio";
import { LocalFileIO } from "@paimon-ts/fileio-local";
import { FileSystemCatalog } from "../src/catalog/catalog.js";
import type { CommitMessage } from "../src/commit/message.js";
import { serializeBinaryRow } from "../src/data/binary-row.js";
import { canonicalEncode } from "../src/data/canonical.js";
import { partitionPath } from "../src/data/partition-path.js";
import { SYSTEM_FIELD_STATS_MODE, simpleStatsToBinary, simpleStatsToBinaryDense, statsCollect } from "../src/data/stats.js";
import { RowKind, type InternalValue } from "../src/data/values.js";
import { vectorOf, type ColumnBatch } from "../src/data/vector.js";
import { parquetWriteAsync } from "../src/format/parquet-write.js";
import { FileSource, emptyStats, type DataFileMeta } from "../src/manifest/model.js";
import { readTable, resultRows } from "../src/read/reader.js";
import { rowComparator } from "../src/read/key-compare.js";
import { keyValueFields } from "../src/read/system-fields.js";
import { bucketOption, partitionFields, trimmedPrimaryKeyFields, type CreateSchemaInput } from "../src/schema/table-schema.js";
import { FileStoreTable } from "../src/table/table.js";
import type { DataField } from "../src/types/datatype.js";

export interface TestWarehouse {
  dir: string;
  io: LocalFileIO;
  catalog: FileSystemCatalog;
  cleanup(): void;
}

export async function newWarehouse(prefix = "paimon-commit-"): Promise<TestWarehouse> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const io = new LocalFileIO();
  const catalog = new FileSystemCatalog(io, dir);
  await catalog.createDatabase("db");
  return { dir, io, catalog, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export async function createTable(wh: TestWarehouse, name: string, input: CreateSchemaInput): Promise<FileStoreTable> {
  return wh.catalog.createTable(`db.${name}`, input);
}

/** Local wall-clock millis disguised as UTC, as Java's `LocalDateTime.now()` (§11 trap 11). */
function creationTime(): bigint {
  return BigInt(Date.now() - new Date().getTimezoneOffset() * 60_000);
}

export interface DataFileOptions {
  partition?: InternalValue[];
  bucket?: number;
  level?: number;
  /** First sequence number (default 0). */
  seqStart?: bigint;
  /** PK tables: the row kind of each row (default +I). */
  kinds?: RowKind[];
  fileSource?: FileSource;
}

export interface WrittenFile {
  meta: DataFileMeta;
  partition: Uint8Array;
  bucket: number;
  path: string;
}

/**
 * Writes one Parquet data file holding `rows` (full table rows, schema order) into the
 * right partition/bucket directory, the way a writer would, and returns its metadata.
 * PK tables get the key-value layout, rows sorted by key (keys must be unique).
 */
export async function writeDataFile(table: FileStoreTable, rows: InternalValue[][], opts: DataFileOptions = {}): Promise<WrittenFile> {
  const schema = table.schema;
  const fields = schema.fields;
  const pFields = partitionFields(schema);
  const pValues = opts.partition ?? [];
  if (pValues.length !== pFields.length) throw new Error(`expected ${pFields.length} partition values`);
  const bucket = opts.bucket ?? 0;
  const seqStart = opts.seqStart ?? 0n;
  const isPk = schema.primaryKeys.length > 0;
  const keyFields = isPk ? trimmedPrimaryKeyFields(schema) : [];
  const keyIdx = keyFields.map((k) => fields.findIndex((f) => f.name === k.name));
  let physical: DataField[] = fields;
  let data: InternalValue[][] = rows;
  let minKey = emptyStats().minValues;
  let maxKey = emptyStats().maxValues;
  let keyStats = emptyStats();
  let deleteRowCount = 0n;
  if (isPk) {
    const keyTypes = keyFields.map((f) => f.type);
    const cmp = rowComparator(keyTypes);
    const kinds = opts.kinds ?? rows.map(() => RowKind.INSERT);
    const withKind = rows.map((r, i) => ({ r, k: kinds[i], key: keyIdx.map((j) => r[j]) }));
    withKind.sort((a, b) => cmp(a.key, b.key));
    physical = keyValueFields(keyFields, fields);
    data = withKind.map((x, i) => [...x.key, seqStart + BigInt(i), x.k, ...x.r]);
    minKey = serializeBinaryRow(keyTypes, withKind[0].key);
    maxKey = serializeBinaryRow(keyTypes, withKind[withKind.length - 1].key);
    keyStats = simpleStatsToBinary(
      keyTypes,
      keyFields.map((f, i) => statsCollect(f.type, vectorOf(f.type, withKind.map((x) => x.key[i])), SYSTEM_FIELD_STATS_MODE)),
    );
    deleteRowCount = BigInt(kinds.filter((k) => k === RowKind.DELETE || k === RowKind.UPDATE_BEFORE).length);
  }
  const batch: ColumnBatch = {
    numRows: data.length,
    names: physical.map((f) => f.name),
    columns: physical.map((f, i) => vectorOf(f.type, data.map((r) => r[i]))),
  };
  const bytes = await parquetWriteAsync(physical, batch);
  const valueCols = fields.map((f, i) => statsCollect(f.type, vectorOf(f.type, rows.map((r) => r[i]))));
  const { stats: valueStats, valueStatsCols } = simpleStatsToBinaryDense(fields, valueCols);
  const o = table.options;
  const pPath = partitionPath(pFields, pValues, { defaultName: o.partitionDefaultName, legacyName: o.partitionLegacyName });
  const fileName = `data-${randomUUID()}-0.parquet`;
  const path = join(table.paths.bucketDir(pPath, bucket), fileName);
  await writeFile(table.io, path, bytes);
  const meta: DataFileMeta = {
    fileName,
    fileSize: BigInt(bytes.length),
    rowCount: BigInt(rows.length),
    minKey,
    maxKey,
    keyStats,
    valueStats,
    minSequenceNumber: seqStart,
    maxSequenceNumber: seqStart + BigInt(Math.max(rows.length - 1, 0)),
    schemaId: schema.id,
    level: opts.level ?? 0,
    extraFiles: [],
    creationTime: creationTime(),
    deleteRowCount,
    embeddedIndex: null,
    fileSource: opts.fileSource ?? FileSource.APPEND,
    valueStatsCols,
    externalPath: null,
    firstRowId: null,
    writeCols: null,
    writeColsSequences: null,
  };
  return { meta, partition: serializeBinaryRow(pFields.map((f) => f.type), pValues), bucket, path };
}

/** `_TOTAL_BUCKETS` for a table's entries: N for fixed buckets, else the `bucket` option. */
export function totalBuckets(table: FileStoreTable): number {
  return bucketOption(table.schema);
}

/** One commit message per (partition, bucket) for these new files. */
export function messagesOf(table: FileStoreTable, files: WrittenFile[], extra: Partial<CommitMessage> = {}): CommitMessage[] {
  const groups = new Map<string, CommitMessage>();
  for (const f of files) {
    const key = `${Buffer.from(f.partition).toString("hex")}/${f.bucket}`;
    let m = groups.get(key);
    if (!m) groups.set(key, (m = { partition: f.partition, bucket: f.bucket, totalBuckets: totalBuckets(table), newFiles: [], ...extra }));
    m.newFiles.push(f.meta);
  }
  return [...groups.values()];
}

/** A message for one (partition, bucket) built from parts. */
export function message(table: FileStoreTable, partition: Uint8Array, bucket: number, parts: Partial<CommitMessage>): CommitMessage {
  return { partition, bucket, totalBuckets: totalBuckets(table), newFiles: [], ...parts };
}

/** The table's rows (latest or a given snapshot) in the canonical JSON encoding. */
export async function canonicalRows(table: FileStoreTable, opts: { snapshotId?: bigint | number; tag?: string } = {}): Promise<Record<string, unknown>[]> {
  const r = await readTable(table, opts);
  return resultRows(r).map((row) => Object.fromEntries(r.fields.map((f, i) => [f.name, canonicalEncode(f.type, row[i])])));
}

/** Canonical rows for expected values: `rows` given as internal values in schema order. */
export function canonicalOf(table: FileStoreTable, rows: InternalValue[][]): Record<string, unknown>[] {
  const fields = table.schema.fields;
  return rows.map((row) => Object.fromEntries(fields.map((f, i) => [f.name, canonicalEncode(f.type, row[i])])));
}

/**
 * A FileIO that delegates to another one, with hooks to inject failures and races into
 * the calls the committer makes.
 */
export class HookedIO implements FileIO {
  readonly scheme: string;
  onCreateIfAbsent?: (path: string, data: Uint8Array, real: () => Promise<void>) => Promise<void>;
  onReadFile?: (path: string, real: () => Promise<Uint8Array>) => Promise<Uint8Array>;
  onNewOutputSink?: (path: string, real: () => Promise<OutputSink>) => Promise<OutputSink>;
  onDelete?: (path: string, real: () => Promise<boolean>) => Promise<boolean>;

  constructor(readonly inner: FileIO) {
    this.scheme = inner.scheme;
  }
  readFile(path: string): Promise<Uint8Array> {
    const real = () => this.inner.readFile(path);
    return this.onReadFile ? this.onReadFile(path, real) : real();
  }
  readRange(path: string, start: number, end: number): Promise<Uint8Array> {
    return this.inner.readRange(path, start, end);
  }
  newOutputSink(path: string, options?: WriteOptions): Promise<OutputSink> {
    const real = () => this.inner.newOutputSink(path, options);
    return this.onNewOutputSink ? this.onNewOutputSink(path, real) : real();
  }
  createIfAbsent(path: string, data: Uint8Array): Promise<void> {
    const real = () => this.inner.createIfAbsent(path, data);
    return this.onCreateIfAbsent ? this.onCreateIfAbsent(path, data, real) : real();
  }
  overwrite(path: string, data: Uint8Array): Promise<void> {
    return this.inner.overwrite(path, data);
  }
  exists(path: string): Promise<boolean> {
    return this.inner.exists(path);
  }
  stat(path: string): Promise<FileStatus> {
    return this.inner.stat(path);
  }
  list(path: string): Promise<FileStatus[]> {
    return this.inner.list(path);
  }
  listRecursive(path: string): AsyncIterable<FileStatus> {
    return this.inner.listRecursive(path);
  }
  mkdirs(path: string): Promise<void> {
    return this.inner.mkdirs(path);
  }
  delete(path: string): Promise<boolean> {
    const real = () => this.inner.delete(path);
    return this.onDelete ? this.onDelete(path, real) : real();
  }
  deleteRecursive(path: string): Promise<void> {
    return this.inner.deleteRecursive(path);
  }
  rename(from: string, to: string): Promise<void> {
    return this.inner.rename(from, to);
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

/** The same table on another FileIO (a second process, or a faulty store). */
export function onIO(table: FileStoreTable, io: FileIO): FileStoreTable {
  return new FileStoreTable(io, table.path, table.name, table.schema);
}

/** Resolves when `n` parties have arrived. */
export function barrier(n: number): () => Promise<void> {
  let arrived = 0;
  let release!: () => void;
  const all = new Promise<void>((r) => (release = r));
  return () => {
    if (++arrived >= n) release();
    return all;
  };
}

/** Files under the table's `manifest/` directory. */
export function manifestDirFiles(table: FileStoreTable): string[] {
  return readdirSync(join(table.path, "manifest")).sort();
}
