/**
 * Compression codecs for data files.
 *
 * * zstd: `@bokuweb/zstd-wasm` for both directions. The wasm module must be loaded
 *   first (`initZstd`): readers await it themselves, writers need it to have resolved.
 * * snappy: hyparquet-writer's compressor when writing, hyparquet's built-in
 *   decompressor when reading Parquet. (Avro data blocks go through `util/codec.ts`.)
 * * gzip / brotli: node zlib.
 * * lz4: the small LZ4 block codec below (Parquet LZ4_RAW, and the Hadoop-framed LZ4
 *   that parquet-java writes for codec LZ4).
 *
 * hyparquet-compressors is not imported: its entry module pulls in `hysnappy`, an
 * ESM-only package the shared jest config does not transform, and node's native zlib is
 * faster than its JS inflate/brotli anyway.
 */
import { brotliDecompressSync, gunzipSync, gzipSync } from "node:zlib";
import { compress as zstdWasmCompress, decompress as zstdWasmDecompress } from "@bokuweb/zstd-wasm";
import type { Compressors as ReadCompressors } from "hyparquet";
import { codecReady, initCodecs } from "../util/codec.js";
import { FormatError } from "./common.js";

/**
 * Loads the zstd wasm module (idempotent). One wasm instance serves the whole process: a
 * second `init()` would replace the module under the Avro/manifest codecs' feet, so this
 * goes through `util/codec.ts`'s loader.
 */
export function initZstd(): Promise<void> {
  return initCodecs();
}

export function isZstdReady(): boolean {
  return codecReady("zstandard");
}

function requireZstd(): void {
  if (!isZstdReady()) throw new FormatError("zstd is not initialised: await initZstd() first");
}

export function zstdCompress(data: Uint8Array, level = 1): Uint8Array {
  requireZstd();
  return zstdWasmCompress(data, level);
}

/**
 * Decompresses a zstd frame. `size` is the exact output size when known (Parquet pages);
 * without it, a frame that does not record its content size is retried with a growing
 * output buffer.
 */
export function zstdDecompress(data: Uint8Array, size?: number): Uint8Array {
  requireZstd();
  let capacity = Math.max(size ?? data.length * 8, 1024);
  for (;;) {
    try {
      const out = zstdWasmDecompress(data, { defaultHeapSize: capacity });
      if (size === undefined || out.length === size) return out;
      throw new FormatError(`zstd: decompressed ${out.length} bytes, expected ${size}`);
    } catch (e) {
      if (e instanceof FormatError || size !== undefined || capacity >= 1 << 30) throw e;
      capacity *= 4;
    }
  }
}

export function gzipCompress(data: Uint8Array, level = 6): Uint8Array {
  return new Uint8Array(gzipSync(data, { level }));
}

function checkLength(codec: string, out: Uint8Array, n: number): Uint8Array {
  if (out.length !== n) throw new FormatError(`${codec}: decompressed ${out.length} bytes, expected ${n}`);
  return out;
}

/** Decompressors handed to hyparquet's page decoder (SNAPPY stays hyparquet's own). */
export const parquetDecompressors: ReadCompressors = {
  ZSTD: (input, n) => zstdDecompress(input, n),
  GZIP: (input, n) => checkLength("gzip", new Uint8Array(gunzipSync(input)), n),
  BROTLI: (input, n) => checkLength("brotli", new Uint8Array(brotliDecompressSync(input)), n),
  LZ4_RAW: (input, n) => lz4BlockDecompress(input, n),
  LZ4: (input, n) => lz4HadoopOrRawDecompress(input, n),
};

// ---------------------------------------------------------------------------------------
// LZ4 block format compressor (greedy, 4-byte hash, 64 KiB window).
// Format rules honoured: the last 5 bytes are always literals and the last match starts
// at least 12 bytes before the end of the block.

const MIN_MATCH = 4;
const LAST_LITERALS = 5;
const MF_LIMIT = 12;
const HASH_LOG = 16;
const MAX_OFFSET = 65535;

function writeLength(out: Uint8Array, op: number, len: number): number {
  while (len >= 255) {
    out[op++] = 255;
    len -= 255;
  }
  out[op++] = len;
  return op;
}

export function lz4BlockCompress(src: Uint8Array): Uint8Array {
  const n = src.length;
  const out = new Uint8Array(n + Math.ceil(n / 255) + 16);
  let op = 0;
  let anchor = 0;
  if (n >= MF_LIMIT + 1) {
    const table = new Int32Array(1 << HASH_LOG).fill(-1);
    const matchLimit = n - LAST_LITERALS;
    const searchLimit = n - MF_LIMIT;
    let ip = 0;
    while (ip <= searchLimit) {
      const seq = (src[ip] | (src[ip + 1] << 8) | (src[ip + 2] << 16) | (src[ip + 3] << 24)) >>> 0;
      const h = Math.imul(seq, 2654435761) >>> (32 - HASH_LOG);
      const ref = table[h];
      table[h] = ip;
      if (
        ref < 0 ||
        ip - ref > MAX_OFFSET ||
        src[ref] !== src[ip] ||
        src[ref + 1] !== src[ip + 1] ||
        src[ref + 2] !== src[ip + 2] ||
        src[ref + 3] !== src[ip + 3]
      ) {
        ip++;
        continue;
      }
      // extend the match forwards
      let len = MIN_MATCH;
      while (ip + len < matchLimit && src[ref + len] === src[ip + len]) len++;
      // token
      const litLen = ip - anchor;
      const tokenPos = op++;
      out[tokenPos] = (Math.min(litLen, 15) << 4) | Math.min(len - MIN_MATCH, 15);
      if (litLen >= 15) op = writeLength(out, op, litLen - 15);
      out.set(src.subarray(anchor, ip), op);
      op += litLen;
      const offset = ip - ref;
      out[op++] = offset & 0xff;
      out[op++] = offset >>> 8;
      if (len - MIN_MATCH >= 15) op = writeLength(out, op, len - MIN_MATCH - 15);
      ip += len;
      anchor = ip;
    }
  }
  // last literals
  const litLen = n - anchor;
  out[op++] = Math.min(litLen, 15) << 4;
  if (litLen >= 15) op = writeLength(out, op, litLen - 15);
  out.set(src.subarray(anchor, n), op);
  op += litLen;
  return out.slice(0, op);
}

/** Decompresses one LZ4 block into exactly `size` bytes. */
export function lz4BlockDecompress(src: Uint8Array, size: number): Uint8Array {
  const out = new Uint8Array(size);
  const n = lz4DecodeInto(src, 0, src.length, out, 0);
  if (n !== size) throw new FormatError(`lz4: decompressed ${n} bytes, expected ${size}`);
  return out;
}

function lz4DecodeInto(src: Uint8Array, ip: number, end: number, out: Uint8Array, op: number): number {
  const start = op;
  while (ip < end) {
    const token = src[ip++];
    let lit = token >>> 4;
    if (lit === 15) {
      let b;
      do {
        b = src[ip++];
        lit += b;
      } while (b === 255);
    }
    if (op + lit > out.length || ip + lit > end) throw new FormatError("lz4: corrupt block");
    out.set(src.subarray(ip, ip + lit), op);
    ip += lit;
    op += lit;
    if (ip >= end) break; // the last sequence has literals only
    const offset = src[ip] | (src[ip + 1] << 8);
    ip += 2;
    if (offset === 0 || offset > op - start) throw new FormatError("lz4: corrupt match offset");
    let len = token & 15;
    if (len === 15) {
      let b;
      do {
        b = src[ip++];
        len += b;
      } while (b === 255);
    }
    len += MIN_MATCH;
    if (op + len > out.length) throw new FormatError("lz4: output overflow");
    let from = op - offset;
    for (let i = 0; i < len; i++) out[op++] = out[from++];
  }
  return op - start;
}

/**
 * Parquet codec LZ4: parquet-java frames blocks the Hadoop way (big-endian uncompressed
 * and compressed lengths before each block); some writers put a bare block. Try the
 * framing first.
 */
function lz4HadoopOrRawDecompress(src: Uint8Array, size: number): Uint8Array {
  const out = new Uint8Array(size);
  let ip = 0;
  let op = 0;
  let framed = src.length >= 8;
  try {
    while (framed && ip + 8 <= src.length) {
      const rawLen = ((src[ip] << 24) | (src[ip + 1] << 16) | (src[ip + 2] << 8) | src[ip + 3]) >>> 0;
      const compLen = ((src[ip + 4] << 24) | (src[ip + 5] << 16) | (src[ip + 6] << 8) | src[ip + 7]) >>> 0;
      ip += 8;
      if (ip + compLen > src.length || op + rawLen > size) {
        framed = false;
        break;
      }
      const n = lz4DecodeInto(src, ip, ip + compLen, out, op);
      if (n !== rawLen) {
        framed = false;
        break;
      }
      ip += compLen;
      op += n;
    }
    if (framed && ip === src.length && op === size) return out;
  } catch {
    // not framed
  }
  return lz4BlockDecompress(src, size);
}
