/**
 * Avro object container files: `Obj\x01`, a metadata map (`avro.schema`, `avro.codec`, …),
 * a 16-byte sync marker, then blocks of (record count, byte size, compressed records, sync).
 */
import { randomBytes } from "node:crypto";
import { CodecName, CodecOptions, codecReady, compress, decompress, initCodecs, isCodecName } from "../util/codec.js";
import { AvroDecodeError, AvroDecoder, AvroEncoder } from "./binary.js";
import { DatumReader, DatumWriter, createDatumReader, createDatumWriter } from "./datum.js";
import { AvroType, parseAvroSchema } from "./schema.js";

export const AVRO_MAGIC = new Uint8Array([0x4f, 0x62, 0x6a, 0x01]); // "Obj" 1
export const SYNC_SIZE = 16;
/** Java `DataFileWriter`'s default: a block is flushed once its records exceed this many bytes. */
export const DEFAULT_SYNC_INTERVAL = 64000;

const utf8 = new TextDecoder("utf-8");
const utf8e = new TextEncoder();

export interface AvroContainerHeader {
  /** The `avro.schema` metadata string, exactly as stored. */
  schemaJson: string;
  schema: AvroType;
  /** `avro.codec`, `null` when absent. */
  codec: CodecName;
  metadata: Map<string, Uint8Array>;
  sync: Uint8Array;
  /** Offset of the first block. */
  dataOffset: number;
}

export interface AvroBlock {
  count: number;
  /** Decompressed record bytes. */
  data: Uint8Array;
  /** Offset of the block in the file. */
  offset: number;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Parses the header of an Avro container file. */
export function readAvroHeader(bytes: Uint8Array): AvroContainerHeader {
  if (bytes.length < 4 || !sameBytes(bytes.subarray(0, 4), AVRO_MAGIC)) {
    throw new AvroDecodeError("not an Avro object container file (bad magic)");
  }
  const d = new AvroDecoder(bytes, 4);
  const metadata = new Map<string, Uint8Array>();
  for (;;) {
    let n = d.readLongAsNumber("metadata block count");
    if (n === 0) break;
    if (n < 0) {
      d.readLongAsNumber("metadata block size");
      n = -n;
    }
    for (; n > 0; n--) {
      const k = d.readString();
      metadata.set(k, d.readBytes());
    }
  }
  const sync = d.readFixed(SYNC_SIZE);
  const schemaBytes = metadata.get("avro.schema");
  if (!schemaBytes) throw new AvroDecodeError("Avro container file without avro.schema metadata");
  const schemaJson = utf8.decode(schemaBytes);
  const codecBytes = metadata.get("avro.codec");
  const codec = codecBytes ? utf8.decode(codecBytes) : "null";
  if (!isCodecName(codec)) throw new AvroDecodeError(`unsupported Avro codec ${JSON.stringify(codec)}`);
  return { schemaJson, schema: cachedSchema(schemaJson), codec, metadata, sync, dataOffset: d.pos };
}

const schemaCache = new Map<string, AvroType>();

/** Files of one table share a handful of schema strings: parse each once. */
function cachedSchema(json: string): AvroType {
  let s = schemaCache.get(json);
  if (!s) {
    s = parseAvroSchema(json);
    if (schemaCache.size >= 64) schemaCache.delete(schemaCache.keys().next().value!);
    schemaCache.set(json, s);
  }
  return s;
}

/** The blocks of a container file, decompressed, with their sync markers checked. */
export function* readAvroBlocks(bytes: Uint8Array, header: AvroContainerHeader = readAvroHeader(bytes)): Generator<AvroBlock> {
  const d = new AvroDecoder(bytes, header.dataOffset);
  while (d.pos < bytes.length) {
    const offset = d.pos;
    const count = d.readLongAsNumber("block record count");
    const size = d.readLongAsNumber("block size");
    if (count < 0 || size < 0) throw new AvroDecodeError(`corrupt block header at offset ${offset}`);
    const raw = d.readView(size);
    const sync = d.readView(SYNC_SIZE);
    if (!sameBytes(sync, header.sync)) throw new AvroDecodeError(`sync marker mismatch after the block at offset ${offset}`);
    yield { count, data: decompress(header.codec, raw), offset };
  }
}

export interface ReadOptions {
  /** Read through this schema (by-name field resolution); default: the writer schema. */
  readerSchema?: AvroType;
}

export interface AvroContainerContents {
  header: AvroContainerHeader;
  records: unknown[];
}

/** Decodes every record of a container file. */
export function readAvroContainer(bytes: Uint8Array, opts: ReadOptions = {}): AvroContainerContents {
  const header = readAvroHeader(bytes);
  const read = createDatumReader(header.schema, opts.readerSchema);
  return { header, records: readRecords(bytes, header, read) };
}

/**
 * Decodes every record with an already compiled reader. `bytes`/`fixed` values are views
 * into the decompressed blocks (each block is decompressed into its own buffer; with the
 * `null` codec that is the input itself), which avoids one allocation per value.
 */
export function readRecords(bytes: Uint8Array, header: AvroContainerHeader, read: DatumReader): unknown[] {
  const out: unknown[] = [];
  for (const block of readAvroBlocks(bytes, header)) {
    const d = new AvroDecoder(block.data, 0, block.data.length, false);
    for (let i = 0; i < block.count; i++) out.push(read(d));
    if (d.pos !== block.data.length) throw new AvroDecodeError(`block at offset ${block.offset}: ${block.data.length - d.pos} trailing bytes after ${block.count} records`);
  }
  return out;
}

export interface WriteOptions extends CodecOptions {
  codec?: CodecName;
  /** Flush a block when its uncompressed records reach this many bytes (default 64000, as Java). */
  syncInterval?: number;
  /** Also flush a block after this many records (default: unlimited). */
  recordsPerBlock?: number;
  /** The 16-byte sync marker (default: random). */
  sync?: Uint8Array;
  /** Extra metadata entries (`avro.schema` and `avro.codec` are always written). */
  metadata?: Record<string, string | Uint8Array>;
}

/**
 * Writes a container file incrementally. `schemaJson` is stored verbatim in the header, so
 * callers control the exact text (Java's form for Paimon manifests). Synchronous: with the
 * `zstandard` codec, `await initCodecs()` first (or use {@link writeAvroContainer}).
 */
export class AvroContainerWriter {
  readonly schema: AvroType;
  private readonly write: DatumWriter;
  private readonly out = new AvroEncoder(4096);
  private readonly block = new AvroEncoder(4096);
  private blockCount = 0;
  private total = 0;
  private readonly codec: CodecName;
  private readonly sync: Uint8Array;
  private readonly syncInterval: number;
  private readonly recordsPerBlock: number;
  private finished = false;

  constructor(
    readonly schemaJson: string,
    private readonly opts: WriteOptions = {},
  ) {
    this.schema = parseAvroSchema(schemaJson);
    this.write = createDatumWriter(this.schema);
    this.codec = opts.codec ?? "null";
    if (!codecReady(this.codec)) throw new Error(`codec ${this.codec} is not initialized: call \`await initCodecs()\` first`);
    this.sync = opts.sync ?? new Uint8Array(randomBytes(SYNC_SIZE));
    if (this.sync.length !== SYNC_SIZE) throw new RangeError("the sync marker must be 16 bytes");
    this.syncInterval = opts.syncInterval ?? DEFAULT_SYNC_INTERVAL;
    this.recordsPerBlock = opts.recordsPerBlock ?? Infinity;
    const o = this.out;
    o.writeRaw(AVRO_MAGIC);
    const meta: [string, Uint8Array][] = [
      ["avro.schema", utf8e.encode(schemaJson)],
      ["avro.codec", utf8e.encode(this.codec)],
    ];
    for (const [k, v] of Object.entries(opts.metadata ?? {})) {
      if (k === "avro.schema" || k === "avro.codec") continue;
      meta.push([k, typeof v === "string" ? utf8e.encode(v) : v]);
    }
    o.writeLong(meta.length);
    for (const [k, v] of meta) {
      o.writeString(k);
      o.writeBytes(v);
    }
    o.writeLong(0);
    o.writeRaw(this.sync);
  }

  /** Appends one record; throws `AvroEncodeError` naming the field path when it does not fit the schema. */
  append(record: unknown): void {
    if (this.finished) throw new Error("writer already finished");
    const mark = this.block.pos;
    try {
      this.write(this.block, record);
    } catch (e) {
      this.block.pos = mark; // drop the partial record
      throw e;
    }
    this.blockCount++;
    this.total++;
    if (this.block.pos >= this.syncInterval || this.blockCount >= this.recordsPerBlock) this.flushBlock();
  }

  private flushBlock(): void {
    if (this.blockCount === 0) return;
    const data = compress(this.codec, this.block.bytesView(), this.opts);
    this.out.writeLong(this.blockCount);
    this.out.writeLong(data.length);
    this.out.writeRaw(data);
    this.out.writeRaw(this.sync);
    this.block.reset();
    this.blockCount = 0;
  }

  /** Records appended so far. */
  get recordCount(): number {
    return this.total;
  }

  /** Bytes written so far plus the uncompressed size of the pending block (an upper-bound estimate). */
  get estimatedSize(): number {
    return this.out.pos + this.block.pos;
  }

  /** Flushes the last block and returns the file. A file without records has no blocks. */
  finish(): Uint8Array {
    if (!this.finished) {
      this.flushBlock();
      this.finished = true;
    }
    return this.out.toBytes();
  }
}

/** Writes a whole container file (loads the zstd module first when needed). */
export async function writeAvroContainer(schemaJson: string, records: Iterable<unknown>, opts: WriteOptions = {}): Promise<Uint8Array> {
  if (opts.codec === "zstandard") await initCodecs();
  return writeAvroContainerSync(schemaJson, records, opts);
}

/** Synchronous {@link writeAvroContainer}; zstd requires a prior `await initCodecs()`. */
export function writeAvroContainerSync(schemaJson: string, records: Iterable<unknown>, opts: WriteOptions = {}): Uint8Array {
  const w = new AvroContainerWriter(schemaJson, opts);
  for (const r of records) w.append(r);
  return w.finish();
}
