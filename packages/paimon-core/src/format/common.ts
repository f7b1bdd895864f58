/**
 * Shared pieces of the data-file formats: byte sources, errors, decimal and
 * timestamp helpers used by both the Parquet and the Avro code.
 */
import type { DataField, DataType } from "../types/datatype.js";
import type { Timestamp } from "../data/values.js";

/** Base class of every error raised while reading or writing a data file. */
export class FormatError extends Error {
  override name = "FormatError";
}

/** A data file in a format this library cannot read (ORC). */
export class UnsupportedFormatError extends FormatError {
  override name = "UnsupportedFormatError";
  constructor(
    readonly format: string,
    readonly file: string,
  ) {
    super(`${format === "orc" ? "ORC" : format} data files are not supported: ${file}`);
  }
}

/**
 * A random-access byte source: hyparquet's AsyncBuffer. A file is read through
 * `slice` so a reader can fetch only the footer and the column chunks it needs.
 */
export interface ByteSource {
  readonly byteLength: number;
  slice(start: number, end?: number): ArrayBuffer | Promise<ArrayBuffer>;
}

/** Anything a reader accepts: a byte source, or the whole file in memory. */
export type ByteInput = ByteSource | Uint8Array | ArrayBuffer;

export function toByteSource(input: ByteInput): ByteSource {
  if (input instanceof Uint8Array) {
    const u = input;
    return {
      byteLength: u.byteLength,
      slice(start: number, end = u.byteLength): ArrayBuffer {
        return u.buffer.slice(u.byteOffset + start, u.byteOffset + end) as ArrayBuffer;
      },
    };
  }
  if (input instanceof ArrayBuffer) return input;
  return input;
}

/** The whole content of a byte input. */
export async function readAllBytes(input: ByteInput): Promise<Uint8Array> {
  if (input instanceof Uint8Array) return input;
  if (input instanceof ArrayBuffer) return new Uint8Array(input);
  return new Uint8Array(await input.slice(0, input.byteLength));
}

/** Options shared by the data-file readers. */
export interface DataFileReadOptions {
  /**
   * The table schema the file was written with (`schema-<_SCHEMA_ID>` fields, plus any
   * system fields the file holds). Used to find a requested field in a file without
   * field ids: the requested id is looked up here and the file column is located by
   * the name it had in that schema, so renamed columns resolve. Without it a file
   * without ids is matched by the requested names.
   */
  fileFields?: DataField[];
  /** The file name, for error messages. */
  fileName?: string;
}

/** The name a requested field has in the file, given the file's own schema (by id). */
export function fileNameFor(field: DataField, fileFields: DataField[] | undefined): string | null {
  if (fileFields === undefined) return field.name;
  for (const f of fileFields) if (f.id === field.id) return f.name;
  return null;
}

/** The type a requested field has in the file's own schema, when known. */
export function fileTypeFor(field: DataField, fileFields: DataField[] | undefined): DataType | undefined {
  if (fileFields === undefined) return undefined;
  for (const f of fileFields) if (f.id === field.id) return f.type;
  return undefined;
}

// ---------------------------------------------------------------------------------------
// Decimals

const POW10: bigint[] = [1n];
for (let i = 1; i <= 76; i++) POW10.push(POW10[i - 1] * 10n);

export function pow10(n: number): bigint {
  return n < POW10.length ? POW10[n] : 10n ** BigInt(n);
}

/** A big-endian two's-complement byte string as a bigint (an empty string is 0). */
export function bytesToBigInt(b: Uint8Array): bigint {
  const n = b.length;
  if (n === 0) return 0n;
  if (n <= 6) {
    let v = 0;
    for (let i = 0; i < n; i++) v = v * 256 + b[i];
    if (b[0] & 0x80) v -= 2 ** (8 * n);
    return BigInt(v);
  }
  let hex = "";
  for (let i = 0; i < n; i++) hex += (b[i] < 16 ? "0" : "") + b[i].toString(16);
  let v = BigInt("0x" + hex);
  if (b[0] & 0x80) v -= 1n << BigInt(8 * n);
  return v;
}

/** `v` as exactly `n` big-endian two's-complement bytes (sign-extended). */
export function bigIntToFixedBytes(v: bigint, n: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = BigInt.asUintN(8 * n, v);
  for (let i = n - 1; i >= 0; i--) {
    out[i] = Number(x & 0xffn);
    x >>= 8n;
  }
  return out;
}

/** The minimal big-endian two's-complement byte string of `v` (Java `BigInteger.toByteArray`). */
export function bigIntToMinimalBytes(v: bigint): Uint8Array {
  let n = 1;
  while (v >= 1n << BigInt(8 * n - 1) || v < -(1n << BigInt(8 * n - 1))) n++;
  return bigIntToFixedBytes(v, n);
}

/**
 * Rescale an unscaled decimal from scale `from` to scale `to` with HALF_UP rounding;
 * null when the result does not fit `precision` digits (Java's decimal cast).
 */
export function rescaleDecimal(u: bigint, from: number, to: number, precision: number): bigint | null {
  let r = u;
  if (to > from) r = u * pow10(to - from);
  else if (to < from) {
    const f = pow10(from - to);
    const q = u / f;
    const rem = u % f;
    r = q;
    if ((rem < 0n ? -rem : rem) * 2n >= f) r += u < 0n ? -1n : 1n;
  }
  const limit = pow10(precision);
  return r >= limit || r <= -limit ? null : r;
}

// ---------------------------------------------------------------------------------------
// Timestamps

/** Floor division of an epoch value by `unitsPerMilli`, keeping the sub-milli part as nanos. */
export function timestampFromUnits(v: bigint, unitsPerMilli: bigint, nanosPerUnit: number): Timestamp {
  let m = v / unitsPerMilli;
  let r = v % unitsPerMilli;
  if (r < 0n) {
    r += unitsPerMilli;
    m -= 1n;
  }
  return { millis: m, nanoOfMilli: Number(r) * nanosPerUnit };
}

export function timestampToMicrosFloor(t: Timestamp): bigint {
  return t.millis * 1000n + BigInt(Math.floor(t.nanoOfMilli / 1000));
}
