/**
 * Avro binary encoding primitives: zigzag varints (int as number, long as bigint),
 * little-endian float/double, length-prefixed bytes and UTF-8 strings.
 */

export class AvroDecodeError extends Error {
  override name = "AvroDecodeError";
}

const utf8Decoder = new TextDecoder("utf-8");
const utf8Encoder = new TextEncoder();
const TWO_32 = 4294967296;
const TWO_52 = 4503599627370496;
const TWO_52_N = 4503599627370496n;
const MAX_SAFE_N = 9007199254740991n;

/** Reads Avro binary values from a byte array. */
export class AvroDecoder {
  pos: number;
  readonly end: number;
  private readonly view: DataView;

  constructor(
    readonly buf: Uint8Array,
    start = 0,
    end = buf.length,
    private readonly copyBytes = true,
  ) {
    this.pos = start;
    this.end = end;
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  private eof(what: string): never {
    throw new AvroDecodeError(`unexpected end of data while reading ${what} at offset ${this.pos}`);
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  readBoolean(): boolean {
    if (this.pos >= this.end) this.eof("a boolean");
    const b = this.buf[this.pos++];
    if (b > 1) throw new AvroDecodeError(`invalid boolean byte ${b} at offset ${this.pos - 1}`);
    return b === 1;
  }

  /** A zigzag varint int (at most 5 bytes). */
  readInt(): number {
    const buf = this.buf;
    let pos = this.pos;
    let b: number;
    let n = 0;
    let shift = 0;
    do {
      if (pos >= this.end) {
        this.pos = pos;
        this.eof("an int");
      }
      b = buf[pos++];
      if (shift < 28) n |= (b & 0x7f) << shift;
      else if (shift === 28) n |= (b & 0x0f) << 28;
      else {
        this.pos = pos;
        throw new AvroDecodeError(`int varint longer than 5 bytes at offset ${pos - 1}`);
      }
      shift += 7;
    } while (b & 0x80);
    this.pos = pos;
    return (n >>> 1) ^ -(n & 1);
  }

  /** A zigzag varint long (at most 10 bytes), exact, as bigint. */
  readLong(): bigint {
    const buf = this.buf;
    let pos = this.pos;
    // fast path: up to 7 bytes (49 bits) accumulate exactly in a double
    let n = 0;
    let mul = 1;
    for (let i = 0; i < 7; i++) {
      if (pos >= this.end) {
        this.pos = pos;
        this.eof("a long");
      }
      const b = buf[pos++];
      n += (b & 0x7f) * mul;
      if ((b & 0x80) === 0) {
        this.pos = pos;
        // zigzag: even → n/2, odd → -(n+1)/2
        return BigInt(n % 2 === 0 ? n / 2 : -(n + 1) / 2);
      }
      mul *= 128;
    }
    let big = BigInt(n);
    let shift = 49n;
    for (;;) {
      if (pos >= this.end) {
        this.pos = pos;
        this.eof("a long");
      }
      const b = buf[pos++];
      big |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) break;
      shift += 7n;
      if (shift > 63n) {
        this.pos = pos;
        throw new AvroDecodeError(`long varint longer than 10 bytes at offset ${pos - 1}`);
      }
    }
    this.pos = pos;
    big = BigInt.asUintN(64, big);
    return (big >> 1n) ^ -(big & 1n);
  }

  /** A long that must fit in a JS number exactly (block counts, lengths). */
  readLongAsNumber(what = "a length"): number {
    const buf = this.buf;
    const start = this.pos;
    let pos = start;
    let n = 0;
    let mul = 1;
    for (let i = 0; i < 7; i++) {
      if (pos >= this.end) {
        this.pos = pos;
        this.eof(what);
      }
      const b = buf[pos++];
      n += (b & 0x7f) * mul;
      if ((b & 0x80) === 0) {
        this.pos = pos;
        return n % 2 === 0 ? n / 2 : -(n + 1) / 2;
      }
      mul *= 128;
    }
    this.pos = start;
    const v = this.readLong();
    if (v > MAX_SAFE_N || v < -MAX_SAFE_N) throw new AvroDecodeError(`${what} out of range: ${v}`);
    return Number(v);
  }

  readFloat(): number {
    if (this.pos + 4 > this.end) this.eof("a float");
    const v = this.view.getFloat32(this.pos, true);
    this.pos += 4;
    return v;
  }

  readDouble(): number {
    if (this.pos + 8 > this.end) this.eof("a double");
    const v = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }

  private length(what: string): number {
    const len = this.readLongAsNumber(`${what} length`);
    if (len < 0) throw new AvroDecodeError(`negative ${what} length ${len} at offset ${this.pos}`);
    if (this.pos + len > this.end) this.eof(what);
    return len;
  }

  /**
   * Length-prefixed bytes. By default a copy; with `copyBytes: false` (see the constructor)
   * a view into the source buffer, which is much cheaper for many small values but keeps
   * the source alive and shares its memory.
   */
  readBytes(): Uint8Array {
    const len = this.length("bytes");
    const out = this.copyBytes ? this.buf.slice(this.pos, this.pos + len) : this.buf.subarray(this.pos, this.pos + len);
    this.pos += len;
    return out;
  }

  readFixed(size: number): Uint8Array {
    if (this.pos + size > this.end) this.eof("a fixed");
    const out = this.copyBytes ? this.buf.slice(this.pos, this.pos + size) : this.buf.subarray(this.pos, this.pos + size);
    this.pos += size;
    return out;
  }

  /** A view of the next `size` bytes (no copy). */
  readView(size: number): Uint8Array {
    if (this.pos + size > this.end) this.eof(`${size} bytes`);
    const out = this.buf.subarray(this.pos, this.pos + size);
    this.pos += size;
    return out;
  }

  readString(): string {
    const len = this.length("string");
    const buf = this.buf;
    const start = this.pos;
    this.pos += len;
    if (len <= 64) {
      // short ASCII strings are the common case (field names, file names)
      let ascii = true;
      for (let i = start; i < start + len; i++) {
        if (buf[i] >= 0x80) {
          ascii = false;
          break;
        }
      }
      if (ascii) return String.fromCharCode.apply(null, buf.subarray(start, start + len) as unknown as number[]);
    }
    return utf8Decoder.decode(buf.subarray(start, start + len));
  }

  skipBytes(): void {
    const len = this.length("bytes");
    this.pos += len;
  }

  skip(n: number): void {
    if (this.pos + n > this.end) this.eof(`${n} bytes`);
    this.pos += n;
  }
}

/** Writes Avro binary values into a growable buffer. */
export class AvroEncoder {
  private buf: Uint8Array;
  private view: DataView;
  pos = 0;

  constructor(initialCapacity = 1024) {
    this.buf = new Uint8Array(initialCapacity);
    this.view = new DataView(this.buf.buffer);
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.pos + n) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  /** The bytes written so far (a view; copy it before writing more). */
  bytesView(): Uint8Array {
    return this.buf.subarray(0, this.pos);
  }

  /** A copy of the bytes written so far. */
  toBytes(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }

  reset(): void {
    this.pos = 0;
  }

  writeBoolean(v: boolean): void {
    this.ensure(1);
    this.buf[this.pos++] = v ? 1 : 0;
  }

  writeInt(v: number): void {
    this.ensure(5);
    let n = ((v << 1) ^ (v >> 31)) >>> 0;
    const buf = this.buf;
    let pos = this.pos;
    while (n > 0x7f) {
      buf[pos++] = (n & 0x7f) | 0x80;
      n >>>= 7;
    }
    buf[pos++] = n;
    this.pos = pos;
  }

  writeLong(v: bigint | number): void {
    if (typeof v === "number") {
      if (!Number.isSafeInteger(v)) throw new RangeError(`long value ${v} is not a safe integer; use a bigint`);
      if (v < TWO_52 && v > -TWO_52) this.writeSmallLong(v);
      else this.writeBigLong(BigInt(v));
      return;
    }
    if (v < TWO_52_N && v > -TWO_52_N) this.writeSmallLong(Number(v));
    else this.writeBigLong(v);
  }

  private writeBigLong(v: bigint): void {
    if (v > 9223372036854775807n || v < -9223372036854775808n) throw new RangeError(`long value ${v} out of the 64-bit range`);
    this.ensure(10);
    let z = BigInt.asUintN(64, (v << 1n) ^ (v >> 63n));
    const buf = this.buf;
    let pos = this.pos;
    while (z > 0x7fn) {
      buf[pos++] = Number(z & 0x7fn) | 0x80;
      z >>= 7n;
    }
    buf[pos++] = Number(z);
    this.pos = pos;
  }

  /** |v| < 2^52, so the zigzag value (< 2^53) is exact in a double. */
  private writeSmallLong(v: number): void {
    this.ensure(8);
    let z = v >= 0 ? v * 2 : -v * 2 - 1;
    const buf = this.buf;
    let pos = this.pos;
    if (z < TWO_32) {
      let n = z >>> 0;
      while (n > 0x7f) {
        buf[pos++] = (n & 0x7f) | 0x80;
        n >>>= 7;
      }
      buf[pos++] = n;
    } else {
      while (z > 0x7f) {
        const low = z % 128;
        buf[pos++] = low | 0x80;
        z = (z - low) / 128;
      }
      buf[pos++] = z;
    }
    this.pos = pos;
  }

  writeFloat(v: number): void {
    this.ensure(4);
    this.view.setFloat32(this.pos, v, true);
    this.pos += 4;
  }

  writeDouble(v: number): void {
    this.ensure(8);
    this.view.setFloat64(this.pos, v, true);
    this.pos += 8;
  }

  writeBytes(v: Uint8Array): void {
    this.writeLong(v.length);
    this.writeRaw(v);
  }

  writeFixed(v: Uint8Array): void {
    this.writeRaw(v);
  }

  writeRaw(v: Uint8Array): void {
    this.ensure(v.length);
    this.buf.set(v, this.pos);
    this.pos += v.length;
  }

  writeString(s: string): void {
    // ASCII fast path
    const n = s.length;
    if (n < 64) {
      let ascii = true;
      for (let i = 0; i < n; i++) {
        if (s.charCodeAt(i) >= 0x80) {
          ascii = false;
          break;
        }
      }
      if (ascii) {
        this.ensure(1 + n);
        this.buf[this.pos++] = n * 2;
        for (let i = 0; i < n; i++) this.buf[this.pos++] = s.charCodeAt(i);
        return;
      }
    }
    const bytes = utf8Encoder.encode(s);
    this.writeLong(bytes.length);
    this.writeRaw(bytes);
  }
}
