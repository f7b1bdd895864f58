/**
 * Reading and writing manifest lists, manifest files and index manifests as Avro container
 * files (bytes in, bytes out; file access is the caller's job).
 *
 * Readers resolve the file's writer schema against Java HEAD's schema **by field name**:
 * fields missing in the file (older Java, pypaimon) read as null, unknown fields are
 * skipped, record names are ignored. Writers emit Java's exact schema strings.
 *
 * The `…Sync` functions need `await initCodecs()` once before touching zstd data; the
 * async ones do that themselves.
 */
import { AvroContainerHeader, AvroContainerWriter, WriteOptions, readAvroHeader, readRecords } from "../avro/container.js";
import { DatumReader, createDatumReader } from "../avro/datum.js";
import { AvroType } from "../avro/schema.js";
import { CodecName, CodecOptions, DEFAULT_ZSTD_LEVEL, initCodecs } from "../util/codec.js";
import {
  DataFileMeta,
  DeletionVectorMeta,
  FileKind,
  GlobalIndexMeta,
  IndexFileMeta,
  IndexManifestEntry,
  ManifestEntry,
  ManifestError,
  ManifestFileMeta,
  SimpleStats,
} from "./model.js";
import {
  INDEX_MANIFEST_ENTRY_SCHEMA_JSON,
  INDEX_MANIFEST_FORMAT_VERSION,
  MANIFEST_FORMAT_VERSION,
  MANIFEST_LIST_SCHEMA_JSON,
  ManifestLayout,
  indexManifestEntryAvroSchema,
  manifestEntryAvroSchema,
  manifestEntrySchemaJson,
  manifestListAvroSchema,
} from "./schemas.js";

type Rec = Record<string, unknown>;

export interface ManifestWriteOptions extends CodecOptions {
  /** Avro codec, default `zstandard` (Paimon's `manifest.compression=zstd`) at level 1. */
  codec?: CodecName;
  /** Data manifests only: `head` (default, `_FILE` fields 0–20) or `2.0` (fields 0–19). */
  layout?: ManifestLayout;
  /** Fixed sync marker (default random), for reproducible output. */
  sync?: Uint8Array;
  /** Block flush threshold in uncompressed bytes (default 64000, as Java). */
  syncInterval?: number;
}

function writeOpts(o: CodecName | ManifestWriteOptions | undefined): ManifestWriteOptions {
  return typeof o === "string" ? { codec: o } : (o ?? {});
}

function avroOpts(o: ManifestWriteOptions): WriteOptions {
  return {
    codec: o.codec ?? "zstandard",
    zstdLevel: o.zstdLevel ?? DEFAULT_ZSTD_LEVEL,
    deflateLevel: o.deflateLevel,
    sync: o.sync,
    syncInterval: o.syncInterval,
  };
}

// ------------------------------------------------------------------ reader cache

const readerCache = new Map<string, DatumReader>();

function readerFor(kind: string, header: AvroContainerHeader, readerSchema: () => AvroType): DatumReader {
  const key = kind + "\u0000" + header.schemaJson;
  let r = readerCache.get(key);
  if (!r) {
    r = createDatumReader(header.schema, readerSchema());
    if (readerCache.size > 64) readerCache.clear();
    readerCache.set(key, r);
  }
  return r;
}

function readAll(bytes: Uint8Array, kind: string, readerSchema: () => AvroType, what: string): Rec[] {
  let header: AvroContainerHeader;
  try {
    header = readAvroHeader(bytes);
  } catch (e) {
    throw new ManifestError(`cannot read ${what}: ${(e as Error).message}`);
  }
  let read: DatumReader;
  try {
    read = readerFor(kind, header, readerSchema);
  } catch (e) {
    throw new ManifestError(`${what} has an incompatible schema: ${(e as Error).message}`);
  }
  return readRecords(bytes, header, read) as Rec[];
}

function checkVersion(r: Rec, expected: number, what: string): void {
  const v = r._VERSION;
  if (v !== expected) {
    throw new ManifestError(
      `${what}: unsupported _VERSION ${String(v)} (expected ${expected})` +
        (expected === MANIFEST_FORMAT_VERSION && v === 1 ? "; this manifest was written by a Paimon version older than 0.9, please recreate the table" : ""),
    );
  }
}

function kindOf(v: unknown, what: string): FileKind {
  if (v === 0) return FileKind.ADD;
  if (v === 1) return FileKind.DELETE;
  throw new ManifestError(`${what}: invalid _KIND ${String(v)}`);
}

// ------------------------------------------------------------------ SimpleStats

function statsFromAvro(r: Rec): SimpleStats {
  return {
    minValues: r._MIN_VALUES as Uint8Array,
    maxValues: r._MAX_VALUES as Uint8Array,
    nullCounts: (r._NULL_COUNTS as (bigint | null)[] | null) ?? null,
  };
}

function statsToAvro(s: SimpleStats): Rec {
  return { _MIN_VALUES: s.minValues, _MAX_VALUES: s.maxValues, _NULL_COUNTS: s.nullCounts };
}

// ------------------------------------------------------------------ manifest list

export function manifestFileMetaFromAvro(r: Rec): ManifestFileMeta {
  return {
    fileName: r._FILE_NAME as string,
    fileSize: r._FILE_SIZE as bigint,
    numAddedFiles: r._NUM_ADDED_FILES as bigint,
    numDeletedFiles: r._NUM_DELETED_FILES as bigint,
    partitionStats: statsFromAvro(r._PARTITION_STATS as Rec),
    schemaId: r._SCHEMA_ID as bigint,
    minBucket: (r._MIN_BUCKET as number | null) ?? null,
    maxBucket: (r._MAX_BUCKET as number | null) ?? null,
    minLevel: (r._MIN_LEVEL as number | null) ?? null,
    maxLevel: (r._MAX_LEVEL as number | null) ?? null,
    minRowId: (r._MIN_ROW_ID as bigint | null) ?? null,
    maxRowId: (r._MAX_ROW_ID as bigint | null) ?? null,
  };
}

export function manifestFileMetaToAvro(m: ManifestFileMeta): Rec {
  return {
    _VERSION: MANIFEST_FORMAT_VERSION,
    _FILE_NAME: m.fileName,
    _FILE_SIZE: m.fileSize,
    _NUM_ADDED_FILES: m.numAddedFiles,
    _NUM_DELETED_FILES: m.numDeletedFiles,
    _PARTITION_STATS: statsToAvro(m.partitionStats),
    _SCHEMA_ID: m.schemaId,
    _MIN_BUCKET: m.minBucket,
    _MAX_BUCKET: m.maxBucket,
    _MIN_LEVEL: m.minLevel,
    _MAX_LEVEL: m.maxLevel,
    _MIN_ROW_ID: m.minRowId,
    _MAX_ROW_ID: m.maxRowId,
  };
}

/** Decodes a manifest list. Needs `initCodecs()` for zstd files (see {@link manifestListRead}). */
export function manifestListReadSync(bytes: Uint8Array): ManifestFileMeta[] {
  return readAll(bytes, "list", manifestListAvroSchema, "manifest list").map((r, i) => {
    checkVersion(r, MANIFEST_FORMAT_VERSION, `manifest list record ${i}`);
    return manifestFileMetaFromAvro(r);
  });
}

export async function manifestListRead(bytes: Uint8Array): Promise<ManifestFileMeta[]> {
  await initCodecs();
  return manifestListReadSync(bytes);
}

/** Encodes a manifest list (Java HEAD layout; an empty list gives a header-only file). */
export function manifestListWriteSync(metas: Iterable<ManifestFileMeta>, opts?: CodecName | ManifestWriteOptions): Uint8Array {
  const w = new AvroContainerWriter(MANIFEST_LIST_SCHEMA_JSON, avroOpts(writeOpts(opts)));
  for (const m of metas) w.append(manifestFileMetaToAvro(m));
  return w.finish();
}

export async function manifestListWrite(metas: Iterable<ManifestFileMeta>, opts?: CodecName | ManifestWriteOptions): Promise<Uint8Array> {
  await initCodecs();
  return manifestListWriteSync(metas, opts);
}

// ------------------------------------------------------------------ manifest file

export function dataFileMetaFromAvro(r: Rec): DataFileMeta {
  return {
    fileName: r._FILE_NAME as string,
    fileSize: r._FILE_SIZE as bigint,
    rowCount: r._ROW_COUNT as bigint,
    minKey: r._MIN_KEY as Uint8Array,
    maxKey: r._MAX_KEY as Uint8Array,
    keyStats: statsFromAvro(r._KEY_STATS as Rec),
    valueStats: statsFromAvro(r._VALUE_STATS as Rec),
    minSequenceNumber: r._MIN_SEQUENCE_NUMBER as bigint,
    maxSequenceNumber: r._MAX_SEQUENCE_NUMBER as bigint,
    schemaId: r._SCHEMA_ID as bigint,
    level: r._LEVEL as number,
    extraFiles: r._EXTRA_FILES as string[],
    creationTime: (r._CREATION_TIME as bigint | null) ?? null,
    deleteRowCount: (r._DELETE_ROW_COUNT as bigint | null) ?? null,
    embeddedIndex: (r._EMBEDDED_FILE_INDEX as Uint8Array | null) ?? null,
    fileSource: (r._FILE_SOURCE as number | null) ?? null,
    valueStatsCols: (r._VALUE_STATS_COLS as string[] | null) ?? null,
    externalPath: (r._EXTERNAL_PATH as string | null) ?? null,
    firstRowId: (r._FIRST_ROW_ID as bigint | null) ?? null,
    writeCols: (r._WRITE_COLS as string[] | null) ?? null,
    writeColsSequences: (r._WRITE_COLS_SEQUENCES as bigint[] | null) ?? null,
  };
}

export function dataFileMetaToAvro(f: DataFileMeta, layout: ManifestLayout = "head"): Rec {
  const r: Rec = {
    _FILE_NAME: f.fileName,
    _FILE_SIZE: f.fileSize,
    _ROW_COUNT: f.rowCount,
    _MIN_KEY: f.minKey,
    _MAX_KEY: f.maxKey,
    _KEY_STATS: statsToAvro(f.keyStats),
    _VALUE_STATS: statsToAvro(f.valueStats),
    _MIN_SEQUENCE_NUMBER: f.minSequenceNumber,
    _MAX_SEQUENCE_NUMBER: f.maxSequenceNumber,
    _SCHEMA_ID: f.schemaId,
    _LEVEL: f.level,
    _EXTRA_FILES: f.extraFiles,
    _CREATION_TIME: f.creationTime,
    _DELETE_ROW_COUNT: f.deleteRowCount,
    _EMBEDDED_FILE_INDEX: f.embeddedIndex,
    _FILE_SOURCE: f.fileSource,
    _VALUE_STATS_COLS: f.valueStatsCols,
    _EXTERNAL_PATH: f.externalPath,
    _FIRST_ROW_ID: f.firstRowId,
    _WRITE_COLS: f.writeCols,
  };
  if (layout === "head") r._WRITE_COLS_SEQUENCES = f.writeColsSequences;
  else if (f.writeColsSequences !== null) throw new ManifestError(`file ${f.fileName}: _WRITE_COLS_SEQUENCES cannot be written in the 2.0 manifest layout`);
  return r;
}

export function manifestEntryFromAvro(r: Rec, what = "manifest entry"): ManifestEntry {
  checkVersion(r, MANIFEST_FORMAT_VERSION, what);
  return {
    kind: kindOf(r._KIND, what),
    partition: r._PARTITION as Uint8Array,
    bucket: r._BUCKET as number,
    totalBuckets: r._TOTAL_BUCKETS as number,
    file: dataFileMetaFromAvro(r._FILE as Rec),
  };
}

export function manifestEntryToAvro(e: ManifestEntry, layout: ManifestLayout = "head"): Rec {
  return {
    _VERSION: MANIFEST_FORMAT_VERSION,
    _KIND: e.kind,
    _PARTITION: e.partition,
    _BUCKET: e.bucket,
    _TOTAL_BUCKETS: e.totalBuckets,
    _FILE: dataFileMetaToAvro(e.file, layout),
  };
}

const ENTRY_TOP_LEVEL = ["_VERSION", "_KIND", "_PARTITION", "_BUCKET", "_TOTAL_BUCKETS", "_FILE"];

/** Decodes a manifest file. Needs `initCodecs()` for zstd files (see {@link manifestFileRead}). */
export function manifestFileReadSync(bytes: Uint8Array): ManifestEntry[] {
  const recs = readAll(bytes, "entry", () => manifestEntryAvroSchema("head"), "manifest file");
  return recs.map((r, i) => manifestEntryFromAvro(r, `manifest entry ${i}`));
}

export async function manifestFileRead(bytes: Uint8Array): Promise<ManifestEntry[]> {
  await initCodecs();
  return manifestFileReadSync(bytes);
}

/**
 * Checks the header schema the way Java HEAD's manifest reader does: exactly the six
 * top-level fields in order. Returns a problem description, or null when it conforms.
 */
export function checkManifestEntryLayout(bytes: Uint8Array): string | null {
  const h = readAvroHeader(bytes);
  if (h.schema.kind !== "record") return "the schema is not a record";
  const names = h.schema.fields.map((f) => f.name);
  if (names.length !== ENTRY_TOP_LEVEL.length || names.some((n, i) => n !== ENTRY_TOP_LEVEL[i])) {
    return `top-level fields are [${names.join(", ")}], expected [${ENTRY_TOP_LEVEL.join(", ")}]`;
  }
  return null;
}

/** Encodes a manifest file (no rolling; see `writeManifestFiles` for that). */
export function manifestFileWriteSync(entries: Iterable<ManifestEntry>, opts?: CodecName | ManifestWriteOptions): Uint8Array {
  const o = writeOpts(opts);
  const layout = o.layout ?? "head";
  const w = new AvroContainerWriter(manifestEntrySchemaJson(layout), avroOpts(o));
  for (const e of entries) w.append(manifestEntryToAvro(e, layout));
  return w.finish();
}

export async function manifestFileWrite(entries: Iterable<ManifestEntry>, opts?: CodecName | ManifestWriteOptions): Promise<Uint8Array> {
  await initCodecs();
  return manifestFileWriteSync(entries, opts);
}

/** An incremental manifest-file writer (used for rolling by size). */
export class ManifestFileEncoder {
  private readonly w: AvroContainerWriter;
  private readonly layout: ManifestLayout;

  constructor(opts?: CodecName | ManifestWriteOptions) {
    const o = writeOpts(opts);
    this.layout = o.layout ?? "head";
    this.w = new AvroContainerWriter(manifestEntrySchemaJson(this.layout), avroOpts(o));
  }

  append(e: ManifestEntry): void {
    this.w.append(manifestEntryToAvro(e, this.layout));
  }

  get count(): number {
    return this.w.recordCount;
  }

  get estimatedSize(): number {
    return this.w.estimatedSize;
  }

  finish(): Uint8Array {
    return this.w.finish();
  }
}

// ------------------------------------------------------------------ index manifest

function dvRangesFromAvro(v: unknown): DeletionVectorMeta[] | null {
  if (v === null || v === undefined) return null;
  const out: DeletionVectorMeta[] = [];
  for (const item of v as (Rec | null)[]) {
    if (item === null) continue;
    out.push({
      dataFileName: item.f0 as string,
      offset: item.f1 as number,
      length: item.f2 as number,
      cardinality: (item._CARDINALITY as bigint | null) ?? null,
    });
  }
  return out;
}

function globalIndexFromAvro(v: unknown): GlobalIndexMeta | null {
  if (v === null || v === undefined) return null;
  const r = v as Rec;
  return {
    rowRangeStart: r._ROW_RANGE_START as bigint,
    rowRangeEnd: r._ROW_RANGE_END as bigint,
    indexFieldId: r._INDEX_FIELD_ID as number,
    extraFieldIds: (r._EXTRA_FIELD_IDS as number[] | null) ?? null,
    indexMeta: (r._INDEX_META as Uint8Array | null) ?? null,
    sourceMeta: (r._SOURCE_META as Uint8Array | null) ?? null,
  };
}

export function indexManifestEntryFromAvro(r: Rec, what = "index manifest entry"): IndexManifestEntry {
  checkVersion(r, INDEX_MANIFEST_FORMAT_VERSION, what);
  const indexFile: IndexFileMeta = {
    indexType: r._INDEX_TYPE as string,
    fileName: r._FILE_NAME as string,
    fileSize: r._FILE_SIZE as bigint,
    rowCount: r._ROW_COUNT as bigint,
    dvRanges: dvRangesFromAvro(r._DELETIONS_VECTORS_RANGES),
    externalPath: (r._EXTERNAL_PATH as string | null) ?? null,
    globalIndex: globalIndexFromAvro(r._GLOBAL_INDEX),
  };
  return { kind: kindOf(r._KIND, what), partition: r._PARTITION as Uint8Array, bucket: r._BUCKET as number, indexFile };
}

export function indexManifestEntryToAvro(e: IndexManifestEntry): Rec {
  const f = e.indexFile;
  const g = f.globalIndex;
  return {
    _VERSION: INDEX_MANIFEST_FORMAT_VERSION,
    _KIND: e.kind,
    _PARTITION: e.partition,
    _BUCKET: e.bucket,
    _INDEX_TYPE: f.indexType,
    _FILE_NAME: f.fileName,
    _FILE_SIZE: f.fileSize,
    _ROW_COUNT: f.rowCount,
    _DELETIONS_VECTORS_RANGES:
      f.dvRanges === null ? null : f.dvRanges.map((d) => ({ f0: d.dataFileName, f1: d.offset, f2: d.length, _CARDINALITY: d.cardinality })),
    _EXTERNAL_PATH: f.externalPath,
    _GLOBAL_INDEX:
      g === null
        ? null
        : {
            _ROW_RANGE_START: g.rowRangeStart,
            _ROW_RANGE_END: g.rowRangeEnd,
            _INDEX_FIELD_ID: g.indexFieldId,
            _EXTRA_FIELD_IDS: g.extraFieldIds,
            _INDEX_META: g.indexMeta,
            _SOURCE_META: g.sourceMeta,
          },
  };
}

/** Decodes an index manifest. Needs `initCodecs()` for zstd files (see {@link indexManifestRead}). */
export function indexManifestReadSync(bytes: Uint8Array): IndexManifestEntry[] {
  return readAll(bytes, "index", indexManifestEntryAvroSchema, "index manifest").map((r, i) => indexManifestEntryFromAvro(r, `index manifest entry ${i}`));
}

export async function indexManifestRead(bytes: Uint8Array): Promise<IndexManifestEntry[]> {
  await initCodecs();
  return indexManifestReadSync(bytes);
}

export function indexManifestWriteSync(entries: Iterable<IndexManifestEntry>, opts?: CodecName | ManifestWriteOptions): Uint8Array {
  const w = new AvroContainerWriter(INDEX_MANIFEST_ENTRY_SCHEMA_JSON, avroOpts(writeOpts(opts)));
  for (const e of entries) w.append(indexManifestEntryToAvro(e));
  return w.finish();
}

export async function indexManifestWrite(entries: Iterable<IndexManifestEntry>, opts?: CodecName | ManifestWriteOptions): Promise<Uint8Array> {
  await initCodecs();
  return indexManifestWriteSync(entries, opts);
}
