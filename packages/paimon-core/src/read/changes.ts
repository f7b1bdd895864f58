/**
 * Incremental (streaming) reads: the changes one snapshot made, as Java Paimon's streaming
 * scan (`scan.mode=from-snapshot`, `DataTableStreamScan`) returns them for that snapshot.
 *
 * Which records a snapshot contributes depends on the table's `changelog-producer`:
 *  - `none` (and every append-only table): APPEND snapshots, their new data files as
 *    written — primary-key files with the row kind of each record, append files as +I;
 *  - `input`, `lookup`, `full-compaction`: every snapshot with a changelog manifest list
 *    (`input`: the APPEND snapshot of a write; `lookup`/`full-compaction`: the COMPACT
 *    snapshot the compaction wrote), its changelog files.
 * Other snapshots (COMPACT without changelog, OVERWRITE, ANALYZE) carry no changes for the
 * streaming read and are skipped. Records are not merged: a file's records come in file
 * order, files in manifest order, grouped by (partition, bucket) in order of first
 * appearance, which is how Java's streaming read delivers them.
 *
 * Rows are read by field id as of the table's schema, the snapshot's own schema, or a given
 * one (Java reads every snapshot as the schema of the snapshot its stream started from).
 */
import { NotFoundError, UnsupportedError, asyncBufferOf, isNotFound, joinPath } from "@paimon-ts/fileio";
import { deserializeBinaryRow } from "../data/binary-row.js";
import { RowKind, type InternalValue } from "../data/values.js";
import { vectorGet, vectorOf, type ColumnBatch, type ColumnVector } from "../data/vector.js";
import { avroReadChunks } from "../format/avro-data.js";
import { formatFromFileName, readDataFile } from "../format/index.js";
import { parquetReadRowGroups } from "../format/parquet-read.js";
import type { DeletionVector } from "../index/deletion-vector.js";
import { toHex } from "../manifest/bytes.js";
import { mergeEntries } from "../manifest/entries.js";
import { DELETION_VECTORS_INDEX, FileKind, type DataFileMeta, type ManifestEntry } from "../manifest/model.js";
import { partitionFields, trimmedPrimaryKeyFields, type TableSchema } from "../schema/table-schema.js";
import type { Snapshot } from "../snapshot/snapshot.js";
import type { FileStoreTable } from "../table/table.js";
import type { DataField, DataType } from "../types/datatype.js";
import { readCast } from "./casts.js";
import { DEFAULT_READ_BATCH_SIZE, WHOLE_FILE_MAX_BYTES, loadDeletionVector } from "./reader.js";
import { emptySplit, type DataSplit } from "./scan.js";
import { SEQUENCE_FIELD, VALUE_KIND_FIELD, keyValueFields } from "./system-fields.js";

/** Where the changes of a snapshot come from. */
export type ChangeSource =
  /** the data files the snapshot added (changelog-producer none, append-only tables) */
  | "delta"
  /** the snapshot's changelog files (changelog-producer input, lookup, full-compaction) */
  | "changelog"
  /** the data files an OVERWRITE snapshot added, as written (only with `overwriteAddedFiles`) */
  | "overwrite";

export interface ChangeSourceOptions {
  /**
   * Also return the data files an OVERWRITE snapshot added, as written. Java's streaming
   * read skips OVERWRITE snapshots (unless `streaming-read-overwrite`); this is for callers
   * that want the new rows of an overwrite, e.g. to replay it after clearing the target.
   */
  overwriteAddedFiles?: boolean;
}

export interface ChangesOptions extends ChangeSourceOptions {
  /** Column names to return, in this order (default: all columns of the read schema). */
  projection?: string[];
  /** Keep only the (partition, bucket) groups whose partition values pass. */
  partitionFilter?: (values: InternalValue[]) => boolean;
  /**
   * The schema rows are read as: `"table"` (default: the schema the table object was loaded
   * with, or the snapshot's when that is newer), `"snapshot"` (the schema the snapshot was
   * committed with), or a given schema. Java's streaming read from snapshot N reads every
   * snapshot as N's schema (`scan.snapshot-id` time-travels the table's schema): pass that
   * schema to read exactly as Java does.
   */
  schema?: "table" | "snapshot" | TableSchema;
}

/** The change files of one snapshot, grouped by (partition, bucket), with what reads them. */
export interface ChangesPlan {
  snapshot: Snapshot;
  /** null when the streaming read skips this snapshot; `splits` is then empty. */
  source: ChangeSource | null;
  /** The schema rows are read as. */
  schema: TableSchema;
  /** The returned columns. */
  fields: DataField[];
  splits: DataSplit[];
}

/**
 * Records of one change file, or of one chunk of it (a Parquet row group, a few Avro
 * blocks): columns plus the row kind of each row (columnar, no row objects).
 */
export interface ChangeBatch {
  readonly numRows: number;
  readonly names: string[];
  readonly columns: ColumnVector[];
  /** `RowKind` of each row. */
  readonly rowKinds: Uint8Array;
  /** `_SEQUENCE_NUMBER` of each row of a primary-key file; null for append-only files. */
  readonly sequenceNumbers: BigInt64Array | null;
  readonly partitionValues: InternalValue[];
  readonly bucket: number;
  readonly fileName: string;
  /** Position in the file of the chunk's first row (before deletion vectors). */
  readonly firstRowPosition: number;
}

export interface SnapshotChanges {
  snapshot: Snapshot;
  source: ChangeSource | null;
  fields: DataField[];
  batches: ChangeBatch[];
}

/**
 * The position a stream read asked for is not readable: the snapshot expired (`expired`,
 * `earliestSnapshotId` is where reading can go on, changes in between are lost) or lies
 * beyond the next snapshot to be committed (`ahead`, e.g. the table was dropped and
 * re-created). Java raises `OutOfRangeException` in both cases.
 */
export class SnapshotOutOfRangeError extends Error {
  override name = "SnapshotOutOfRangeError";
  constructor(
    readonly table: string,
    readonly snapshotId: bigint,
    readonly reason: "expired" | "ahead",
    readonly earliestSnapshotId: bigint | null,
    readonly latestSnapshotId: bigint | null,
  ) {
    super(
      reason === "expired"
        ? `table ${table}: snapshot ${snapshotId} has expired (earliest snapshot is ${earliestSnapshotId ?? "none"}); its changes can no longer be read`
        : `table ${table}: snapshot ${snapshotId} is beyond the latest snapshot ${latestSnapshotId ?? "(none)"} + 1; was the table re-created?`,
    );
  }
}

const PRODUCERS = ["none", "input", "lookup", "full-compaction"];

/** The table's `changelog-producer`; append-only tables have none (Java rejects one there). */
function changelogProducer(table: FileStoreTable): string {
  if (table.schema.primaryKeys.length === 0) return "none";
  const raw = table.options.raw["changelog-producer"];
  const p = (raw ?? "none").trim().toLowerCase();
  if (!PRODUCERS.includes(p)) throw new UnsupportedError(`table ${table.name}: option 'changelog-producer' must be one of ${PRODUCERS.join(", ")}, got ${JSON.stringify(raw)}`);
  return p;
}

/**
 * Where the streaming read takes this snapshot's changes from, or null when it skips the
 * snapshot (Java's follow-up scanners: `DeltaFollowUpScanner` for changelog-producer none,
 * `ChangelogFollowUpScanner` otherwise).
 */
export function changeSourceOf(table: FileStoreTable, snapshot: Snapshot, opts: ChangeSourceOptions = {}): ChangeSource | null {
  const producer = changelogProducer(table);
  if (snapshot.commitKind === "OVERWRITE") {
    // Java checks overwrite first: with streaming-read-overwrite it reads a diff of the
    // overwritten buckets, which this reader does not compute
    if ((table.options.raw["streaming-read-overwrite"] ?? "").trim().toLowerCase() === "true") {
      throw new UnsupportedError(`table ${table.name}: the changes of OVERWRITE snapshot ${snapshot.id} with 'streaming-read-overwrite' = true are not supported`);
    }
    if (opts.overwriteAddedFiles) return "overwrite";
  }
  if (producer === "none") return snapshot.commitKind === "APPEND" ? "delta" : null;
  return snapshot.changelogManifestList !== null ? "changelog" : null;
}

async function loadSnapshot(table: FileStoreTable, id: bigint): Promise<Snapshot> {
  try {
    return await table.snapshots.snapshot(id);
  } catch (e) {
    if (!isNotFound(e)) throw e;
    const earliest = await table.snapshots.earliestId();
    const latest = await table.snapshots.latestId();
    if (earliest !== null && id < earliest) throw new SnapshotOutOfRangeError(table.name, id, "expired", earliest, latest);
    throw new NotFoundError(table.paths.snapshot(id), `table ${table.name}: snapshot ${id} does not exist (latest is ${latest ?? "none"})`, { cause: e });
  }
}

/** The entries a source reads: the ADDs of the delta (after cancelling DELETEs), or the changelog. */
async function sourceEntries(table: FileStoreTable, snapshot: Snapshot, source: ChangeSource): Promise<ManifestEntry[]> {
  const list = source === "changelog" ? snapshot.changelogManifestList : snapshot.deltaManifestList;
  if (list === null) return [];
  const metas = await table.manifestList(list);
  const entries = (await Promise.all(metas.map((m) => table.manifestFile(m)))).flat();
  return mergeEntries(entries).filter((e) => e.kind === FileKind.ADD);
}

/** Plans the changes of one snapshot (by id or as loaded). */
export async function planSnapshotChanges(table: FileStoreTable, snapshotOrId: Snapshot | bigint | number, opts: ChangesOptions = {}): Promise<ChangesPlan> {
  const snapshot = typeof snapshotOrId === "object" ? snapshotOrId : await loadSnapshot(table, BigInt(snapshotOrId));
  const source = changeSourceOf(table, snapshot, opts);
  const schema =
    typeof opts.schema === "object" ? opts.schema : opts.schema === "snapshot" || snapshot.schemaId > table.schema.id ? await table.schemas.schema(snapshot.schemaId) : table.schema;
  const fields = projectFields(table, schema.fields, opts.projection);
  if (source === null) return { snapshot, source, schema, fields, splits: [] };

  const options = table.options;
  const pFields = partitionFields(table.schema);
  const pTypes = pFields.map((f) => f.type);
  const groups = new Map<string, DataSplit>();
  const rejected = new Set<string>();
  for (const e of await sourceEntries(table, snapshot, source)) {
    const key = `${toHex(e.partition)}/${e.bucket}`;
    let split = groups.get(key);
    if (!split) {
      if (rejected.has(key)) continue;
      const values = deserializeBinaryRow(pTypes, e.partition);
      if (opts.partitionFilter && !opts.partitionFilter(values)) {
        rejected.add(key);
        continue;
      }
      split = emptySplit(table, options, pFields, e, values);
      groups.set(key, split);
    }
    split.files.push(e.file);
  }

  // Java attaches the snapshot's deletion vectors to streaming splits too (a file a later
  // compaction of the same commit marked is read without those rows)
  if (options.deletionVectors && snapshot.indexManifest && groups.size > 0) {
    for (const ie of await table.indexEntries(snapshot)) {
      if (ie.indexFile.indexType !== DELETION_VECTORS_INDEX || !ie.indexFile.dvRanges) continue;
      const path = table.paths.index(ie.indexFile.fileName);
      for (const split of groups.values()) {
        if (toHex(split.partition) !== toHex(ie.partition)) continue;
        const names = new Set(split.files.map((f) => f.fileName));
        for (const r of ie.indexFile.dvRanges) {
          if (names.has(r.dataFileName)) split.deletionFiles.set(r.dataFileName, { path, offset: r.offset, length: r.length, cardinality: r.cardinality });
        }
      }
    }
  }
  return { snapshot, source, schema, fields, splits: [...groups.values()] };
}

function projectFields(table: FileStoreTable, fields: readonly DataField[], names: readonly string[] | undefined): DataField[] {
  if (names === undefined) return [...fields];
  return names.map((n) => {
    const f = fields.find((x) => x.name === n);
    if (!f) throw new NotFoundError(n, `table ${table.name}: projection column '${n}' does not exist`);
    return f;
  });
}

/**
 * Reads a plan's change files in order, a chunk at a time (a Parquet row group, a few Avro
 * blocks; large files by ranges), so memory holds one chunk's records. Empty chunks (all
 * rows deleted) are left out.
 */
export async function* readChanges(table: FileStoreTable, plan: ChangesPlan): AsyncGenerator<ChangeBatch> {
  const isPk = plan.schema.primaryKeys.length > 0;
  const dvBytes = new Map<string, Promise<Uint8Array>>();
  for (const split of plan.splits) {
    for (const f of split.files) {
      const d = split.deletionFiles.get(f.fileName);
      const dv = d ? await loadDeletionVector(table, d, dvBytes) : null;
      yield* readChangeFile(table, split, f, plan.fields, isPk, dv);
    }
  }
}

/** The changes of one snapshot, all read (see `readChanges` for one file at a time). */
export async function readSnapshotChanges(table: FileStoreTable, snapshotOrId: Snapshot | bigint | number, opts: ChangesOptions = {}): Promise<SnapshotChanges> {
  const plan = await planSnapshotChanges(table, snapshotOrId, opts);
  const batches: ChangeBatch[] = [];
  for await (const b of readChanges(table, plan)) batches.push(b);
  return { snapshot: plan.snapshot, source: plan.source, fields: plan.fields, batches };
}

export interface NextChanges {
  /** The first snapshot at or after the position whose changes the stream reads; null when none yet. */
  snapshot: Snapshot | null;
  source: ChangeSource | null;
  /** Where to continue: after `snapshot`, or the first snapshot not yet looked at. */
  nextSnapshotId: bigint;
}

/**
 * The streaming position: from `fromSnapshotId` on, skips snapshots without changes (as
 * Java's scan does) and returns the first one with changes, up to `toSnapshotId`
 * (inclusive; default the latest). Throws `SnapshotOutOfRangeError` when the position
 * expired or lies beyond the latest snapshot + 1.
 */
export async function nextSnapshotWithChanges(
  table: FileStoreTable,
  fromSnapshotId: bigint | number,
  opts: ChangeSourceOptions & { toSnapshotId?: bigint | number } = {},
): Promise<NextChanges> {
  const from = BigInt(fromSnapshotId);
  const latest = await table.snapshots.latestId();
  const earliest = await table.snapshots.earliestId();
  if (latest === null) {
    if (from > 1n) throw new SnapshotOutOfRangeError(table.name, from, "ahead", null, null);
    return { snapshot: null, source: null, nextSnapshotId: from };
  }
  if (from > latest + 1n) throw new SnapshotOutOfRangeError(table.name, from, "ahead", earliest, latest);
  if (earliest !== null && from < earliest) throw new SnapshotOutOfRangeError(table.name, from, "expired", earliest, latest);
  const last = opts.toSnapshotId !== undefined && BigInt(opts.toSnapshotId) < latest ? BigInt(opts.toSnapshotId) : latest;
  for (let id = from; id <= last; id++) {
    const snapshot = await loadSnapshot(table, id);
    const source = changeSourceOf(table, snapshot, opts);
    if (source !== null) return { snapshot, source, nextSnapshotId: id + 1n };
  }
  return { snapshot: null, source: null, nextSnapshotId: last + 1n > from ? last + 1n : from };
}

/** The snapshot a stream read starting at `fromSnapshotId` begins with: Java starts at the earliest when the start expired. */
export async function streamStartSnapshotId(table: FileStoreTable, fromSnapshotId: bigint | number): Promise<bigint> {
  const from = BigInt(fromSnapshotId);
  const earliest = await table.snapshots.earliestId();
  return earliest !== null && from < earliest ? earliest : from;
}

// ------------------------------------------------------------------ file reading


/** The chunks of one data file as `wanted` (already in the file's types), falling back to the other partition directory naming. */
async function* fileChunks(table: FileStoreTable, split: DataSplit, f: DataFileMeta, wanted: DataField[], fileFields: DataField[]): AsyncGenerator<ColumnBatch> {
  const format = formatFromFileName(f.fileName);
  const size = Number(f.fileSize);
  const open = async (path: string): Promise<AsyncGenerator<ColumnBatch>> => {
    const opts = { fileFields, fileName: path };
    // large files by ranges, the rest in one read (fewer round trips on object stores)
    const input = (format === "parquet" || format === "avro") && size >= WHOLE_FILE_MAX_BYTES ? await asyncBufferOf(table.io, path, size) : await table.io.readFile(path);
    let gen: AsyncGenerator<ColumnBatch>;
    if (format === "parquet") gen = parquetReadRowGroups(input, wanted, opts);
    else if (format === "avro") gen = avroReadChunks(input, wanted, { ...opts, chunkRows: DEFAULT_READ_BATCH_SIZE });
    else gen = (async function* () {
      yield await readDataFile(format, input, wanted, opts);
    })();
    // the first chunk now, so that a missing file fails here, where the fallback is
    const first = await gen.next();
    return (async function* () {
      if (first.done) return;
      yield first.value;
      yield* gen;
    })();
  };
  const path = f.externalPath ?? joinPath(split.bucketPath, f.fileName);
  let chunks: AsyncGenerator<ColumnBatch>;
  try {
    chunks = await open(path);
  } catch (e) {
    if (!isNotFound(e)) throw e;
    const alt = f.externalPath === null && split.altBucketPath !== null ? joinPath(split.altBucketPath, f.fileName) : null;
    if (alt === null || !(await table.io.exists(alt))) throw new NotFoundError(path, `table ${table.name}: change file ${path} listed in snapshot is missing`, { cause: e });
    chunks = await open(alt);
  }
  yield* chunks;
}

/** Reads one change file chunk by chunk: its rows in file order, minus the deletion vector's. */
async function* readChangeFile(table: FileStoreTable, split: DataSplit, f: DataFileMeta, fields: DataField[], isPk: boolean, dv: DeletionVector | null): AsyncGenerator<ChangeBatch> {
  const fileSchema = await table.schemas.schema(f.schemaId);
  const fileFields = isPk ? keyValueFields(trimmedPrimaryKeyFields(fileSchema), fileSchema.fields) : fileSchema.fields;
  // type changes the file readers do not convert are read as the file's type and cast here
  const casts = fields.map((rf) => {
    const ff = fileSchema.fields.find((x) => x.id === rf.id);
    return ff === undefined ? null : readCast(ff.type, rf.type);
  });
  const asRead = fields.map((rf, i) => (casts[i] === null ? rf : { ...rf, type: { ...fileSchema.fields.find((x) => x.id === rf.id)!.type, nullable: true } as DataType }));
  const wanted = isPk ? [SEQUENCE_FIELD, VALUE_KIND_FIELD, ...asRead] : asRead;
  const off = isPk ? 2 : 0;
  const deletes = dv !== null && !dv.isEmpty() ? dv : null;
  let base = 0;
  for await (const b of fileChunks(table, split, f, wanted, fileFields)) {
    const first = base;
    base += b.numRows;
    let keep: number[] | null = null;
    if (deletes !== null) {
      keep = [];
      for (let i = 0; i < b.numRows; i++) if (!deletes.isDeleted(first + i)) keep.push(i);
    }
    const n = keep === null ? b.numRows : keep.length;
    if (n === 0) continue;
    const rowOf = (i: number) => (keep === null ? i : keep[i]);
    const rowKinds = new Uint8Array(n);
    let sequenceNumbers: BigInt64Array | null = null;
    if (isPk) {
      sequenceNumbers = new BigInt64Array(n);
      for (let i = 0; i < n; i++) {
        const r = rowOf(i);
        sequenceNumbers[i] = vectorGet(b.columns[0], r) as bigint;
        const kind = Number(vectorGet(b.columns[1], r));
        if (kind < RowKind.INSERT || kind > RowKind.DELETE) throw new UnsupportedError(`table ${table.name}: file ${f.fileName} row ${first + r} has an unknown _VALUE_KIND ${kind}`);
        rowKinds[i] = kind;
      }
    } else rowKinds.fill(RowKind.INSERT);
    const columns = fields.map((rf, c) => {
      const col = b.columns[off + c];
      const cast = casts[c];
      if (cast === null && keep === null) return col;
      const values: InternalValue[] = new Array(n);
      for (let i = 0; i < n; i++) {
        const v = vectorGet(col, rowOf(i));
        values[i] = cast === null ? v : cast(v);
      }
      return vectorOf(rf.type, values);
    });
    yield { numRows: n, names: fields.map((x) => x.name), columns, rowKinds, sequenceNumbers, partitionValues: split.partitionValues, bucket: split.bucket, fileName: f.fileName, firstRowPosition: first };
  }
}
