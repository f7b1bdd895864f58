import { crc32 as nodeCrc32, deflateRawSync, inflateRawSync } from "node:zlib";
import { AvroDecodeError, AvroDecoder, AvroEncoder } from "../src/avro/index.js";
import { CODEC_NAMES, CodecError, avroCodecForCompression, codecReady, compress, compressAsync, crc32, decompress, initCodecs, zstdFrameContentSize } from "../src/util/codec.js";
import SnappyJS from "snappyjs";

const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex");
const enc = (f: (e: AvroEncoder) => void): Uint8Array => {
  const e = new AvroEncoder(1);
  f(e);
  return e.toBytes();
};

describe("zigzag varints", () => {
  it.each([
    [0, "00"],
    [-1, "01"],
    [1, "02"],
    [-2, "03"],
    [63, "7e"],
    [-64, "7f"],
    [64, "8001"],
    [2147483647, "feffffff0f"],
    [-2147483648, "ffffffff0f"],
  ])("int %d ↔ %s", (v, h) => {
    expect(hex(enc((e) => e.writeInt(v)))).toBe(h);
    expect(new AvroDecoder(Buffer.from(h, "hex")).readInt()).toBe(v);
  });

  it.each([
    [0n, "00"],
    [-1n, "01"],
    [1n, "02"],
    [64n, "8001"],
    [2147483648n, "8080808010"],
    [9007199254740991n, "feffffffffffff1f"],
    [9007199254740993n, "8280808080808020"],
    [-9007199254740993n, "8180808080808020"],
    [9223372036854775807n, "feffffffffffffffff01"],
    [-9223372036854775808n, "ffffffffffffffffff01"],
  ])("long %s ↔ %s", (v, h) => {
    expect(hex(enc((e) => e.writeLong(v)))).toBe(h);
    const d = new AvroDecoder(Buffer.from(h, "hex"));
    expect(d.readLong()).toBe(v);
    expect(d.remaining).toBe(0);
  });

  it("longs round-trip over a range of magnitudes and signs", () => {
    const values: bigint[] = [];
    for (let bit = 0n; bit < 63n; bit++) for (const d of [-1n, 0n, 1n]) values.push((1n << bit) + d, -((1n << bit) + d));
    const e = new AvroEncoder();
    for (const v of values) e.writeLong(v);
    const d = new AvroDecoder(e.toBytes());
    for (const v of values) expect(d.readLong()).toBe(v);
  });

  it("safe-integer numbers encode like bigints", () => {
    for (const v of [0, 1, -1, 123456789012, -9007199254740991, 9007199254740991]) {
      expect(hex(enc((e) => e.writeLong(v)))).toBe(hex(enc((e) => e.writeLong(BigInt(v)))));
    }
    expect(() => enc((e) => e.writeLong(2 ** 60))).toThrow(RangeError);
    expect(() => enc((e) => e.writeLong(1n << 63n))).toThrow(RangeError);
  });

  it("rejects truncated and over-long varints", () => {
    expect(() => new AvroDecoder(Buffer.from("80", "hex")).readInt()).toThrow(AvroDecodeError);
    expect(() => new AvroDecoder(Buffer.from("8080808080", "hex")).readLong()).toThrow(/end of data/);
    expect(() => new AvroDecoder(Buffer.from("ffffffffffffffffffff01", "hex")).readLong()).toThrow(/longer than 10 bytes/);
  });
});

describe("other primitives", () => {
  it("float, double, boolean", () => {
    const b = enc((e) => {
      e.writeFloat(1.5);
      e.writeDouble(-2.25);
      e.writeBoolean(true);
    });
    expect(hex(b)).toBe("0000c03f" + "00000000000002c0" + "01");
    const d = new AvroDecoder(b);
    expect([d.readFloat(), d.readDouble(), d.readBoolean()]).toEqual([1.5, -2.25, true]);
  });

  it.each(["", "a", "x".repeat(63), "x".repeat(64), "y".repeat(300), "日本語 ✓ 😀", "\u0000\n\u2028"])("string %j", (s) => {
    const b = enc((e) => e.writeString(s));
    const utf8 = Buffer.from(s, "utf8");
    expect(hex(b)).toBe(hex(enc((e) => e.writeLong(utf8.length))) + utf8.toString("hex"));
    expect(new AvroDecoder(b).readString()).toBe(s);
  });

  it("bytes are copied out of the source buffer", () => {
    const b = enc((e) => e.writeBytes(new Uint8Array([1, 2, 3])));
    const out = new AvroDecoder(b).readBytes();
    b[1] = 9;
    expect([...out]).toEqual([1, 2, 3]);
  });

  it("rejects negative lengths and overruns", () => {
    expect(() => new AvroDecoder(Buffer.from("01", "hex")).readBytes()).toThrow(/negative/);
    expect(() => new AvroDecoder(Buffer.from("0a41", "hex")).readString()).toThrow(/end of data/);
  });
});

describe("codecs", () => {
  beforeAll(() => initCodecs());
  const data = new TextEncoder().encode("paimon ".repeat(1000) + "🙂 end");

  it("crc32 matches zlib", () => {
    expect(crc32(data)).toBe(nodeCrc32(data));
    expect(crc32(new TextEncoder().encode("123456789"))).toBe(0xcbf43926);
  });

  it.each(CODEC_NAMES.map((c) => [c]))("%s round-trips", async (codec) => {
    const c = await compressAsync(codec, data);
    expect(decompress(codec, c)).toEqual(data);
    expect(decompress(codec, compress(codec, new Uint8Array(0)))).toEqual(new Uint8Array(0));
    if (codec !== "null") expect(c.length).toBeLessThan(data.length / 5);
  });

  it("deflate is raw deflate (no zlib header)", () => {
    expect(inflateRawSync(compress("deflate", data))).toEqual(Buffer.from(data));
    expect(decompress("deflate", deflateRawSync(data, { level: 9 }))).toEqual(data);
  });

  it("snappy is raw snappy + big-endian CRC32 of the uncompressed bytes", () => {
    const c = compress("snappy", data);
    const body = c.subarray(0, c.length - 4);
    expect(SnappyJS.uncompress(body)).toEqual(data);
    expect(Buffer.from(c.subarray(c.length - 4)).readUInt32BE(0)).toBe(nodeCrc32(data));
    const bad = c.slice();
    bad[bad.length - 1] ^= 1;
    expect(() => decompress("snappy", bad)).toThrow(/checksum/);
  });

  it("zstandard output is a standard frame with the content size; level is honoured", () => {
    const c = compress("zstandard", data);
    expect(hex(c.subarray(0, 4))).toBe("28b52ffd");
    expect(zstdFrameContentSize(c)).toBe(data.length);
    const rnd = new Uint8Array(200000).map((_, i) => (i * 2654435761) >>> 24);
    expect(compress("zstandard", rnd, { zstdLevel: 19 }).length).toBeLessThanOrEqual(compress("zstandard", rnd, { zstdLevel: 1 }).length);
  });

  it("zstandard frames without a content size (streaming writers, larger than 1 MiB) decode", () => {
    // a hand-built frame: no content size, window 2^20, raw blocks of 100 KB
    const total = 2_500_000;
    const payload = new Uint8Array(total).map((_, i) => (i * 7) & 0xff);
    const parts: number[] = [0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x50];
    for (let off = 0; off < total; off += 100_000) {
      const size = Math.min(100_000, total - off);
      const last = off + size >= total ? 1 : 0;
      const header = last | (0 << 1) | (size << 3);
      parts.push(header & 0xff, (header >> 8) & 0xff, (header >> 16) & 0xff);
      for (let i = 0; i < size; i++) parts.push(payload[off + i]);
    }
    const frame = new Uint8Array(parts);
    expect(zstdFrameContentSize(frame)).toBe(-1);
    const out = decompress("zstandard", frame);
    expect(out.length).toBe(total);
    expect(Buffer.from(out).equals(Buffer.from(payload))).toBe(true);
  });

  it("corrupt input gives a CodecError", () => {
    expect(() => decompress("zstandard", new Uint8Array([0x28, 0xb5, 0x2f, 0xfd, 1, 2, 3]))).toThrow(CodecError);
    expect(() => decompress("deflate", new Uint8Array([0xff, 0xff, 0xff]))).toThrow(CodecError);
    expect(() => decompress("snappy", new Uint8Array([1]))).toThrow(CodecError);
    expect(() => decompress("bzip2", new Uint8Array([1]))).toThrow(/unsupported codec/);
  });

  it("maps manifest.compression like Java", () => {
    expect(avroCodecForCompression(undefined)).toBe("zstandard");
    expect(avroCodecForCompression("zstd")).toBe("zstandard");
    expect(avroCodecForCompression("SNAPPY")).toBe("snappy");
    expect(avroCodecForCompression("null")).toBe("null");
    expect(() => avroCodecForCompression("xz")).toThrow(/not supported/);
    expect(() => avroCodecForCompression("lz4")).toThrow(/unknown manifest compression/);
    expect(codecReady("zstandard")).toBe(true);
  });
});
