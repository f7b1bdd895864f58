/** Codecs used by the data-file formats: the LZ4 block codec, zstd, gzip. */
import { gunzipSync } from "node:zlib";
import {
  gzipCompress,
  initZstd,
  lz4BlockCompress,
  lz4BlockDecompress,
  parquetDecompressors,
  zstdCompress,
  zstdDecompress,
} from "../src/format/codecs.js";

function samples(): [string, Uint8Array][] {
  let seed = 42;
  const rnd = (): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) | 0;
    return (seed >>> 16) & 0xff;
  };
  const text = new TextEncoder().encode("paimon parquet lz4 ".repeat(500) + "tail");
  return [
    ["empty", new Uint8Array(0)],
    ["one byte", new Uint8Array([7])],
    ["12 bytes", new Uint8Array(12).fill(1)],
    ["13 zero bytes", new Uint8Array(13)],
    ["repetitive text", text],
    ["random 100k", Uint8Array.from({ length: 100_000 }, rnd)],
    ["long runs", Uint8Array.from({ length: 70_000 }, (_, i) => (i < 30_000 ? 0 : i % 3))],
    ["far matches", Uint8Array.from({ length: 200_000 }, (_, i) => (i * 31) % 251)],
  ];
}

describe("LZ4 block codec", () => {
  it.each(samples())("round trip: %s", (_name, data) => {
    const c = lz4BlockCompress(data);
    expect(Buffer.from(lz4BlockDecompress(c, data.length)).equals(Buffer.from(data))).toBe(true);
    expect(Buffer.from(parquetDecompressors.LZ4_RAW!(c, data.length)).equals(Buffer.from(data))).toBe(true);
  });

  it("compresses repetitive data", () => {
    const data = samples()[4][1];
    expect(lz4BlockCompress(data).length).toBeLessThan(data.length / 10);
  });

  it("reads Hadoop-framed LZ4 (Parquet codec LZ4 from parquet-java) and bare blocks", () => {
    const a = samples()[4][1];
    const b = samples()[6][1];
    const frame = (d: Uint8Array): Uint8Array => {
      const c = lz4BlockCompress(d);
      const out = new Uint8Array(8 + c.length);
      new DataView(out.buffer).setUint32(0, d.length);
      new DataView(out.buffer).setUint32(4, c.length);
      out.set(c, 8);
      return out;
    };
    const framed = Buffer.concat([frame(a), frame(b)]);
    const joined = Buffer.concat([a, b]);
    expect(Buffer.from(parquetDecompressors.LZ4!(framed, joined.length)).equals(joined)).toBe(true);
    expect(Buffer.from(parquetDecompressors.LZ4!(lz4BlockCompress(a), a.length)).equals(Buffer.from(a))).toBe(true);
  });

  it("rejects corrupt input", () => {
    expect(() => lz4BlockDecompress(new Uint8Array([0x0f, 1, 2]), 10)).toThrow(/lz4/);
  });
});

describe("zstd (wasm)", () => {
  beforeAll(() => initZstd());
  it.each(samples())("round trip: %s", (_name, data) => {
    for (const level of [1, 3, 9]) {
      const c = zstdCompress(data, level);
      expect(Buffer.from(zstdDecompress(c, data.length)).equals(Buffer.from(data))).toBe(true);
      expect(Buffer.from(zstdDecompress(c)).equals(Buffer.from(data))).toBe(true);
    }
  });
  it("reports a size mismatch", () => {
    expect(() => zstdDecompress(zstdCompress(new Uint8Array(10), 1), 11)).toThrow();
  });
});

describe("gzip", () => {
  it.each(samples())("round trip: %s", (_name, data) => {
    const c = gzipCompress(data);
    expect(Buffer.from(gunzipSync(c)).equals(Buffer.from(data))).toBe(true);
    expect(Buffer.from(parquetDecompressors.GZIP!(c, data.length)).equals(Buffer.from(data))).toBe(true);
  });
});
