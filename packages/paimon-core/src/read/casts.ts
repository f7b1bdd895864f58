/**
 * Column type changes the reader converts itself (METADATA.md §8.4: a file column whose
 * type differs from the read schema's is cast). Java allows more than widening in
 * `updateColumnType` (explicit casts, unless `disable-explicit-type-casting`); the data
 * file readers (src/format) convert the widening ones and some narrowing ones. The casts
 * here are the ones they reject or would pass through unchanged, each checked against
 * Java Paimon 1.4.2 reading the same files (test/read-java.test.ts):
 *
 * * to CHAR(n) / VARCHAR(n) / BINARY(n) / VARBINARY(n) from a string (bytes) type:
 *   VARCHAR/VARBINARY keep at most n code points (bytes); CHAR/BINARY are cut or padded
 *   with spaces (zero bytes) to exactly n;
 * * integers, DECIMAL, BOOLEAN, DATE and TIMESTAMP to a string type (decimal text, plain
 *   DECIMAL with its scale, `true`/`false`, `yyyy-MM-dd`, `yyyy-MM-dd HH:mm:ss[.f…]` with
 *   p digits), then cut/padded as above;
 * * FLOAT/DOUBLE to integers: truncated toward zero, saturated to INT (BIGINT for
 *   BIGINT), NaN → 0, then wrapped to TINYINT/SMALLINT as Java's `(byte)`/`(short)`;
 *   DECIMAL to integers: truncated, wrapped as Java's `longValue()` and narrowing casts;
 * * BOOLEAN ↔ integers (1/0, non-zero is true);
 * * DECIMAL → DOUBLE: `unscaled / 10^scale` in double arithmetic for precision ≤ 18,
 *   correctly rounded otherwise;
 * * strings to integers: optional sign and digits only, anything else (or out of range)
 *   fails the read, as it does in Java.
 *
 * Other changes Java accepts (FLOAT/DOUBLE/TIME/LTZ to strings, strings to DECIMAL,
 * floating point, dates, timestamps or booleans, DOUBLE → DECIMAL, DECIMAL → FLOAT) are
 * not implemented: the file readers reject them with an error rather than guess.
 */
import { InvalidInputError } from "@paimon-ts/fileio";
import { canonicalEncode } from "../data/canonical.js";
import type { InternalValue } from "../data/values.js";
import { asSQLString, type DataType } from "../types/datatype.js";

export type ValueCast = (v: InternalValue) => InternalValue;

const INT_BITS: Partial<Record<DataType["root"], number>> = { TINYINT: 8, SMALLINT: 16, INT: 32, BIGINT: 64 };
const STRINGS = new Set(["CHAR", "VARCHAR"]);
const BYTES = new Set(["BINARY", "VARBINARY"]);

/** The length of a CHAR/VARCHAR/BINARY/VARBINARY type. */
function lengthOf(t: DataType): number {
  return (t as { length: number }).length;
}

function pow10(n: number): bigint {
  return 10n ** BigInt(n);
}

/** Java's narrowing of an int (long for BIGINT) to the integer type. */
function wrap(bits: number, v: bigint): number | bigint {
  return bits === 64 ? BigInt.asIntN(64, v) : Number(BigInt.asIntN(bits, v));
}

/** Java's `(int) d` / `(long) d`: truncate toward zero, saturate, NaN → 0. */
function floatingToIntegral(bits: number, d: number): number | bigint {
  if (Number.isNaN(d)) return bits === 64 ? 0n : 0;
  const t = Math.trunc(d);
  if (bits === 64) {
    const max = 9223372036854775807n;
    const min = -9223372036854775808n;
    if (t >= 2 ** 63) return max;
    if (t <= -(2 ** 63)) return min;
    return BigInt(t);
  }
  const i = t >= 2147483647 ? 2147483647 : t <= -2147483648 ? -2147483648 : t;
  return wrap(bits, BigInt(i));
}

/** Cuts or pads a string to the target character type (code points, spaces). */
function fitString(to: DataType, s: string): string {
  if (to.root !== "CHAR" && to.root !== "VARCHAR") return s;
  const n = to.length;
  const cps = Array.from(s);
  if (cps.length > n) return cps.slice(0, n).join("");
  if (to.root === "CHAR" && cps.length < n) return s + " ".repeat(n - cps.length);
  return s;
}

function fitBytes(to: DataType, b: Uint8Array): Uint8Array {
  if (to.root !== "BINARY" && to.root !== "VARBINARY") return b;
  const n = to.length;
  if (b.length > n) return b.slice(0, n);
  if (to.root === "BINARY" && b.length < n) {
    const out = new Uint8Array(n);
    out.set(b);
    return out;
  }
  return b;
}

function toText(from: DataType, v: InternalValue): string {
  if (from.root === "BOOLEAN") return v ? "true" : "false";
  const c = canonicalEncode(from, v);
  if (typeof c === "number") return String(c);
  if (typeof c !== "string") throw new InvalidInputError(`cannot cast ${asSQLString(from)} to a string`);
  return from.root === "TIMESTAMP" ? c.replace("T", " ") : c;
}

function parseIntegral(bits: number, s: string, to: DataType): number | bigint {
  if (!/^[+-]?\d+$/.test(s)) throw new InvalidInputError(`cannot cast string ${JSON.stringify(s)} to ${asSQLString(to)}`);
  const v = BigInt(s);
  if (v !== BigInt.asIntN(bits, v)) throw new InvalidInputError(`cannot cast string ${JSON.stringify(s)} to ${asSQLString(to)}: out of range`);
  return bits === 64 ? v : Number(v);
}

/**
 * The conversion this module applies to a file column of type `from` read as `to`, or
 * null when the file readers do it (same type, widening, the other narrowing casts) or
 * reject it.
 */
export function readCast(from: DataType, to: DataType): ValueCast | null {
  if (asSQLString(from, true) === asSQLString(to, true)) return null;
  const fromBits = INT_BITS[from.root];
  const toBits = INT_BITS[to.root];

  if (STRINGS.has(to.root)) {
    if (STRINGS.has(from.root)) {
      // a shorter VARCHAR cuts; CHAR cuts or pads; a longer VARCHAR changes nothing
      if (to.root === "VARCHAR" && to.length >= lengthOf(from)) return null;
      if (to.root === "CHAR" && from.root === "CHAR" && to.length === from.length) return null;
      return (v) => (v === null ? null : fitString(to, v as string));
    }
    if (fromBits !== undefined || from.root === "DECIMAL" || from.root === "BOOLEAN" || from.root === "DATE" || from.root === "TIMESTAMP") {
      return (v) => (v === null ? null : fitString(to, toText(from, v)));
    }
    return null;
  }
  if (BYTES.has(to.root) && BYTES.has(from.root)) {
    if (to.root === "VARBINARY" && to.length >= lengthOf(from)) return null;
    if (to.root === "BINARY" && from.root === "BINARY" && to.length === from.length) return null;
    return (v) => (v === null ? null : fitBytes(to, v as Uint8Array));
  }
  if (toBits !== undefined) {
    if (from.root === "FLOAT" || from.root === "DOUBLE") return (v) => (v === null ? null : floatingToIntegral(toBits, v as number));
    if (from.root === "DECIMAL") {
      const scale = pow10(from.scale);
      return (v) => (v === null ? null : wrap(toBits, BigInt.asIntN(64, (v as bigint) / scale)));
    }
    if (from.root === "BOOLEAN") return (v) => (v === null ? null : toBits === 64 ? (v ? 1n : 0n) : v ? 1 : 0);
    if (STRINGS.has(from.root)) return (v) => (v === null ? null : parseIntegral(toBits, v as string, to));
    return null;
  }
  if (to.root === "BOOLEAN" && fromBits !== undefined) return (v) => (v === null ? null : typeof v === "bigint" ? v !== 0n : v !== 0);
  if (to.root === "DOUBLE" && from.root === "DECIMAL") {
    const compact = from.precision <= 18;
    const div = Number(pow10(from.scale));
    return (v) => {
      if (v === null) return null;
      const u = v as bigint;
      return compact ? Number(u) / div : Number(`${u}e-${from.scale}`);
    };
  }
  return null;
}
