/**
 * Block compression codecs by their Avro names, as used by Avro object container files
 * (Paimon manifests, manifest lists, index manifests, Avro data files).
 *
 * | name        | block bytes                                                          |
 * |-------------|----------------------------------------------------------------------|
 * | `null`      | uncompressed                                                         |
 * | `deflate`   | raw deflate (RFC 1951, no zlib header), level 6 by default           |
 * | `snappy`    | raw snappy followed by the 4-byte big-endian CRC32 of the uncompressed data |
 * | `zstandard` | one or more zstd frames; compression level 1 by default (Paimon's     |
 * |             | `file.compression.zstd-level`)                                        |
 *
 * Everything is synchronous, but zstd runs in a wasm module that must be loaded once:
 * `await initCodecs()` (the async helpers of the Avro and manifest modules do it for you).
 * (`hyparquet-compressors`' pure-JS zstd decoder is not used because that package also
 * loads `hysnappy`, an ES module the shared jest setup does not transform.)
 */
import { deflateRawSync, inflateRawSync } from "node:zlib";
import { compress as zstdCompress, decompress as zstdDecompress, init as zstdInit } from "@bokuweb/zstd-wasm";
import SnappyJS from "snappyjs";

export type CodecName = "null" | "deflate" | "snappy" | "zstandard";

export const CODEC_NAMES: readonly CodecName[] = ["null", "deflate", "snappy", "zstandard"];

export interface CodecOptions {
  /** zstd level, default 1 (Paimon `file.compression.zstd-level`). */
  zstdLevel?: number;
  /** deflate level 0..9, default 6 (Avro's default `Deflater` level). */
  deflateLevel?: number;
}

export class CodecError extends Error {
  override name = "CodecError";
}

export const DEFAULT_ZSTD_LEVEL = 1;

export function isCodecName(s: string): s is CodecName {
  return (CODEC_NAMES as readonly string[]).includes(s);
}

/**
 * Maps Paimon's `manifest.compression` option to the Avro codec name the way Java does
 * (`zstd` → `zstandard`; other values are Avro codec names). `bzip2` and `xz` are valid
 * in Java but not supported here.
 */
export function avroCodecForCompression(option: string | undefined): CodecName {
  const v = (option ?? "zstd").trim().toLowerCase();
  if (v === "zstd") return "zstandard";
  if (isCodecName(v)) return v;
  if (v === "bzip2" || v === "xz") throw new CodecError(`Avro codec ${JSON.stringify(v)} is not supported (supported: zstd, null, deflate, snappy)`);
  throw new CodecError(`unknown manifest compression ${JSON.stringify(option)} (expected zstd, null, deflate or snappy)`);
}

function checkCodec(codec: string): asserts codec is CodecName {
  if (!isCodecName(codec)) throw new CodecError(`unsupported codec ${JSON.stringify(codec)} (supported: ${CODEC_NAMES.join(", ")})`);
}

// ------------------------------------------------------------------------ CRC32

let crcTable: Uint32Array | undefined;

/** CRC-32 (IEEE 802.3, the polynomial of java.util.zip.CRC32). */
export function crc32(data: Uint8Array): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  const t = crcTable;
  let c = 0xffffffff;
  for (let i = 0; i < data.length; i++) c = t[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

// ------------------------------------------------------------------------ zstd init

let zstdReady = false;
let zstdLoading: Promise<void> | undefined;

/** Loads the zstd wasm module (idempotent). Needed before synchronous zstd compression. */
export function initCodecs(): Promise<void> {
  if (zstdReady) return Promise.resolve();
  zstdLoading ??= zstdInit().then(
    () => {
      zstdReady = true;
    },
    (e: unknown) => {
      zstdLoading = undefined;
      throw e;
    },
  );
  return zstdLoading;
}

/** True when {@link compress}/{@link decompress} can run for this codec without `initCodecs()`. */
export function codecReady(codec: CodecName): boolean {
  return codec !== "zstandard" || zstdReady;
}

// ------------------------------------------------------------------------ compress

function toBytes(b: Uint8Array): Uint8Array {
  // Buffers from zlib share pools; hand out plain, exactly-sized Uint8Arrays.
  return b.constructor === Uint8Array ? b : new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

/** Compresses one block. Throws for `zstandard` until {@link initCodecs} has completed. */
export function compress(codec: string, data: Uint8Array, opts: CodecOptions = {}): Uint8Array {
  checkCodec(codec);
  switch (codec) {
    case "null":
      return data;
    case "deflate":
      return toBytes(deflateRawSync(data, { level: opts.deflateLevel ?? 6 }));
    case "snappy": {
      const raw: Uint8Array = SnappyJS.compress(data);
      const out = new Uint8Array(raw.length + 4);
      out.set(raw, 0);
      new DataView(out.buffer).setUint32(raw.length, crc32(data), false);
      return out;
    }
    case "zstandard": {
      if (!zstdReady) notReady();
      return zstdCompress(data, opts.zstdLevel ?? DEFAULT_ZSTD_LEVEL);
    }
  }
}

/** {@link compress}, loading the zstd module first when needed. */
export async function compressAsync(codec: string, data: Uint8Array, opts: CodecOptions = {}): Promise<Uint8Array> {
  if (codec === "zstandard") await initCodecs();
  return compress(codec, data, opts);
}

// ------------------------------------------------------------------------ decompress

function notReady(): never {
  throw new CodecError("zstd is not initialized: call `await initCodecs()` first");
}

/**
 * The content size declared in the header of the zstd frame at the start of `data`, or
 * -1 when the frame does not declare it (streaming writers such as Java's
 * `ZstdOutputStream` do not).
 */
export function zstdFrameContentSize(data: Uint8Array): number {
  if (data.length < 6 || data[0] !== 0x28 || data[1] !== 0xb5 || data[2] !== 0x2f || data[3] !== 0xfd) return -1;
  const fhd = data[4];
  const fcsFlag = fhd >> 6;
  const singleSegment = (fhd >> 5) & 1;
  const dictFlag = fhd & 3;
  const p = 5 + (singleSegment ? 0 : 1) + [0, 1, 2, 4][dictFlag];
  const fcsSize = fcsFlag === 0 ? singleSegment : [0, 2, 4, 8][fcsFlag];
  if (fcsSize === 0 || p + fcsSize > data.length) return -1;
  let v = 0;
  for (let i = fcsSize - 1; i >= 0; i--) v = v * 256 + data[p + i];
  return fcsSize === 2 ? v + 256 : v;
}

function zstdDecompressAll(data: Uint8Array): Uint8Array {
  const declared = zstdFrameContentSize(data);
  if (declared >= 0) return zstdDecompress(data);
  // unknown content size: grow the output buffer until it fits
  let size = Math.max(1 << 20, data.length * 8);
  for (;;) {
    try {
      return zstdDecompress(data, { defaultHeapSize: size });
    } catch (e) {
      if (size >= 1 << 30) throw e;
      size *= 4;
    }
  }
}

/** Decompresses one block. Throws for `zstandard` until {@link initCodecs} has completed. */
export function decompress(codec: string, data: Uint8Array): Uint8Array {
  checkCodec(codec);
  switch (codec) {
    case "null":
      return data;
    case "deflate":
      try {
        return toBytes(inflateRawSync(data));
      } catch (e) {
        throw new CodecError(`corrupt deflate block: ${(e as Error).message}`);
      }
    case "snappy": {
      if (data.length < 4) throw new CodecError("corrupt snappy block: shorter than its CRC");
      const body = data.subarray(0, data.length - 4);
      let out: Uint8Array;
      try {
        out = SnappyJS.uncompress(body);
      } catch (e) {
        throw new CodecError(`corrupt snappy block: ${(e as Error).message}`);
      }
      const expected = new DataView(data.buffer, data.byteOffset + data.length - 4, 4).getUint32(0, false);
      const actual = crc32(out);
      if (expected !== actual) throw new CodecError(`snappy block checksum mismatch (stored ${expected.toString(16)}, computed ${actual.toString(16)})`);
      return out;
    }
    case "zstandard":
      if (!zstdReady) notReady();
      try {
        return zstdDecompressAll(data);
      } catch (e) {
        throw new CodecError(`corrupt zstandard block: ${(e as Error).message}`);
      }
  }
}
