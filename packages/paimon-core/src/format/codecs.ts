/**
 * Compression codecs for data files.
 *
 * * zstd: `@bokuweb/zstd-wasm` (compress and fast decompress) once `initZstd()` has
 *   resolved; decompression falls back to hyparquet-compressors' pure-JS fzstd, which
 *   also handles frames without a content size (streamed Avro blocks).
 * * snappy: hyparquet-writer's compressor when writing, hyparquet(-compressors) when reading.
 * * gzip / deflate: node zlib.
 * * lz4: a small LZ4 *block* compressor below (Parquet codec LZ4_RAW); hyparquet-compressors
 *   decompresses both LZ4_RAW and the Hadoop-framed LZ4.
 */
import { deflateRawSync, gzipSync, inflateRawSync } from "node:zlib";
import { compress as zstdWasmCompress, decompress as zstdWasmDecompress, init as zstdWasmInit } from "@bokuweb/zstd-wasm";
import { compressors as hyCompressors, decompressZstd as fzstdDecompress } from "hyparquet-compressors";
import type { Compressors as ReadCompressors } from "hyparquet";
import { FormatError } from "./common.js";

let zstdInit: Promise<void> | null = null;
let zstdReady = false;

/** Loads the zstd wasm module; must resolve before writing zstd-compressed files. Idempotent. */
export function initZstd(): Promise<void> {
  if (zstdInit === null) {
    zstdInit = zstdWasmInit().then(() => {
      zstdReady = true;
    });
  }
  return zstdInit;
}

export function isZstdReady(): boolean {
  return zstdReady;
}

export function zstdCompress(data: Uint8Array, level = 1): Uint8Array {
  if (!zstdReady) throw new FormatError("zstd is not initialised: await initZstd() before writing zstd-compressed files");
  return zstdWasmCompress(data, level);
}

/** Decompresses a zstd frame (or frames); `size` is the expected output size when known. */
export function zstdDecompress(data: Uint8Array, size?: number): Uint8Array {
  if (zstdReady && size !== undefined) {
    try {
      const out = zstdWasmDecompress(data, { defaultHeapSize: Math.max(size, 1) });
      if (out.length === size) return out;
    } catch {
      // fall through to the JS decoder
    }
  }
  return size === undefined ? fzstdDecompress(data) : fzstdDecompress(data, new Uint8Array(size));
}

export function gzipCompress(data: Uint8Array, level = 6): Uint8Array {
  return new Uint8Array(gzipSync(data, { level }));
}

export function deflateRawCompress(data: Uint8Array, level = 6): Uint8Array {
  return new Uint8Array(deflateRawSync(data, { level }));
}

export function inflateRaw(data: Uint8Array): Uint8Array {
  return new Uint8Array(inflateRawSync(data));
}

/** Decompressors handed to hyparquet's page decoder. */
export const parquetDecompressors: ReadCompressors = {
  ...(hyCompressors as ReadCompressors),
  ZSTD: (input: Uint8Array, outputLength: number) => zstdDecompress(input, outputLength),
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
