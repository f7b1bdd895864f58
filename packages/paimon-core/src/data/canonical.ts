/**
 * The canonical JSON encoding of Paimon values shared by our CLI, our tests and both
 * oracles (shared/fixtures/pypaimon/ENCODING.md): exact for 64-bit integers and
 * decimals (strings), base64 bytes, ISO-like dates and times with exactly p fraction
 * digits, MAP as pairs sorted by the UTF-8 bytes of the key's compact JSON.
 * `canonicalDecode` is the inverse, for writing rows given in this encoding.
 */
import type { DataType } from "../types/datatype.js";
import type { InternalValue, MapValue, Timestamp } from "./values.js";

export type CanonicalJson = null | boolean | number | string | CanonicalJson[] | { [k: string]: CanonicalJson };

const DAY_MS = 86_400_000n;

function pad(n: number | bigint, width: number): string {
  return String(n).padStart(width, "0");
}

/** Proleptic Gregorian civil date from epoch days (Howard Hinnant's algorithm). */
export function civilFromDays(days: number): { y: number; m: number; d: number } {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const y = yoe + era * 400;
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return { y: m <= 2 ? y + 1 : y, m, d };
}

export function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const mp = m > 2 ? m - 3 : m + 9;
  const doy = Math.floor((153 * mp + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function formatYear(y: number): string {
  return y < 0 ? "-" + pad(-y, 4) : pad(y, 4);
}

export function formatDate(days: number): string {
  const { y, m, d } = civilFromDays(days);
  return `${formatYear(y)}-${pad(m, 2)}-${pad(d, 2)}`;
}

function fraction(nanos: number, p: number): string {
  return p > 0 ? "." + pad(nanos, 9).slice(0, p) : "";
}

export function formatTime(millisOfDay: number, precision: number): string {
  const ms = ((millisOfDay % 86_400_000) + 86_400_000) % 86_400_000;
  const h = Math.floor(ms / 3_600_000);
  const mi = Math.floor((ms % 3_600_000) / 60_000);
  const s = Math.floor((ms % 60_000) / 1000);
  return `${pad(h, 2)}:${pad(mi, 2)}:${pad(s, 2)}${fraction((ms % 1000) * 1_000_000, precision)}`;
}

export function formatTimestamp(t: Timestamp, precision: number): string {
  let days = t.millis / DAY_MS;
  let msOfDay = t.millis % DAY_MS;
  if (msOfDay < 0n) {
    msOfDay += DAY_MS;
    days -= 1n;
  }
  const ms = Number(msOfDay);
  const time = formatTime(ms - (ms % 1000), 0);
  const nanos = (ms % 1000) * 1_000_000 + t.nanoOfMilli;
  return `${formatDate(Number(days))}T${time}${fraction(nanos, precision)}`;
}

export function formatDecimal(unscaled: bigint, scale: number): string {
  const neg = unscaled < 0n;
  let digits = (neg ? -unscaled : unscaled).toString();
  if (scale > 0) {
    digits = digits.padStart(scale + 1, "0");
    digits = digits.slice(0, digits.length - scale) + "." + digits.slice(digits.length - scale);
  }
  return (neg ? "-" : "") + digits;
}

function encodeFloat(x: number): CanonicalJson {
  if (Number.isNaN(x)) return "NaN";
  if (x === Infinity) return "Infinity";
  if (x === -Infinity) return "-Infinity";
  return x;
}

function compareUtf8(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
}

export function canonicalEncode(type: DataType, v: InternalValue): CanonicalJson {
  if (v === null || v === undefined) return null;
  switch (type.root) {
    case "BOOLEAN":
      return v as boolean;
    case "TINYINT":
    case "SMALLINT":
    case "INT":
      return v as number;
    case "BIGINT":
      return (v as bigint).toString();
    case "FLOAT":
      return encodeFloat(Math.fround(v as number));
    case "DOUBLE":
      return encodeFloat(v as number);
    case "DECIMAL":
      return formatDecimal(v as bigint, type.scale);
    case "CHAR":
    case "VARCHAR":
      return v as string;
    case "BINARY":
    case "VARBINARY":
      return Buffer.from(v as Uint8Array).toString("base64");
    case "DATE":
      return formatDate(v as number);
    case "TIME":
      return formatTime(v as number, type.precision);
    case "TIMESTAMP":
      return formatTimestamp(v as Timestamp, type.precision);
    case "TIMESTAMP_LTZ":
      return formatTimestamp(v as Timestamp, type.precision) + "Z";
    case "ARRAY":
      return (v as InternalValue[]).map((e) => canonicalEncode(type.element, e));
    case "MULTISET":
    case "MAP": {
      const m = v as MapValue;
      const kt = type.root === "MAP" ? type.key : type.element;
      const vt: DataType = type.root === "MAP" ? type.value : { root: "INT", nullable: false };
      const pairs = m.keys.map((k, i) => [canonicalEncode(kt, k), canonicalEncode(vt, m.values[i])] as [CanonicalJson, CanonicalJson]);
      return pairs.sort((a, b) => compareUtf8(JSON.stringify(a[0]), JSON.stringify(b[0])));
    }
    case "ROW": {
      const vals = v as InternalValue[];
      const o: { [k: string]: CanonicalJson } = {};
      type.fields.forEach((f, i) => (o[f.name] = canonicalEncode(f.type, vals[i] ?? null)));
      return o;
    }
  }
}

export class CanonicalDecodeError extends Error {
  override name = "CanonicalDecodeError";
}

const DATE_RE = /^(-?\d{4,})-(\d{2})-(\d{2})$/;
const TIME_RE = /^(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?$/;

function parseDate(s: string): number {
  const m = DATE_RE.exec(s);
  if (!m) throw new CanonicalDecodeError(`not a DATE (YYYY-MM-DD): ${JSON.stringify(s)}`);
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (mo < 1 || mo > 12 || d < 1 || d > 31) throw new CanonicalDecodeError(`invalid DATE ${JSON.stringify(s)}`);
  const days = daysFromCivil(y, mo, d);
  if (formatDate(days) !== `${formatYear(y)}-${m[2]}-${m[3]}`) throw new CanonicalDecodeError(`invalid DATE ${JSON.stringify(s)}`);
  return days;
}

function parseTimeOfDay(s: string): { ms: number; nanos: number } {
  const m = TIME_RE.exec(s);
  if (!m) throw new CanonicalDecodeError(`not a time (HH:MM:SS[.fff]): ${JSON.stringify(s)}`);
  const [h, mi, se] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (h > 23 || mi > 59 || se > 59) throw new CanonicalDecodeError(`invalid time ${JSON.stringify(s)}`);
  const frac = Number((m[4] ?? "").padEnd(9, "0"));
  return { ms: ((h * 60 + mi) * 60 + se) * 1000 + Math.floor(frac / 1_000_000), nanos: frac % 1_000_000 };
}

function parseTimestamp(s: string, ltz: boolean): Timestamp {
  let text = s;
  if (ltz) {
    if (!text.endsWith("Z")) throw new CanonicalDecodeError(`TIMESTAMP WITH LOCAL TIME ZONE needs a trailing Z: ${JSON.stringify(s)}`);
    text = text.slice(0, -1);
  }
  const t = text.indexOf("T");
  if (t < 0) throw new CanonicalDecodeError(`not a TIMESTAMP (YYYY-MM-DDTHH:MM:SS[.f]): ${JSON.stringify(s)}`);
  const days = parseDate(text.slice(0, t));
  const { ms, nanos } = parseTimeOfDay(text.slice(t + 1));
  return { millis: BigInt(days) * DAY_MS + BigInt(ms), nanoOfMilli: nanos };
}

export function parseDecimal(s: string, precision: number, scale: number): bigint {
  const m = /^(-)?(\d+)(?:\.(\d+))?$/.exec(s);
  if (!m) throw new CanonicalDecodeError(`not a DECIMAL: ${JSON.stringify(s)}`);
  const frac = m[3] ?? "";
  if (frac.length > scale && /[1-9]/.test(frac.slice(scale))) {
    throw new CanonicalDecodeError(`DECIMAL(${precision}, ${scale}) cannot hold ${s} without rounding`);
  }
  const unscaled = BigInt(m[2] + frac.slice(0, scale).padEnd(scale, "0"));
  if (unscaled.toString().length > precision && unscaled !== 0n) {
    throw new CanonicalDecodeError(`${s} overflows DECIMAL(${precision}, ${scale})`);
  }
  return m[1] ? -unscaled : unscaled;
}

function decodeFloat(v: CanonicalJson): number {
  if (typeof v === "number") return v;
  if (v === "NaN") return NaN;
  if (v === "Infinity") return Infinity;
  if (v === "-Infinity") return -Infinity;
  if (v === "-0.0") return -0;
  throw new CanonicalDecodeError(`not a floating-point value: ${JSON.stringify(v)}`);
}

const INT_RANGE: Record<string, [number, number]> = {
  TINYINT: [-128, 127],
  SMALLINT: [-32768, 32767],
  INT: [-2147483648, 2147483647],
};

export function canonicalDecode(type: DataType, v: CanonicalJson): InternalValue {
  if (v === null || v === undefined) return null;
  switch (type.root) {
    case "BOOLEAN":
      if (typeof v !== "boolean") throw new CanonicalDecodeError(`BOOLEAN expects true/false, got ${typeof v}`);
      return v;
    case "TINYINT":
    case "SMALLINT":
    case "INT": {
      const [lo, hi] = INT_RANGE[type.root];
      if (typeof v !== "number" || !Number.isInteger(v) || v < lo || v > hi) throw new CanonicalDecodeError(`${type.root} expects an integer in [${lo}, ${hi}]`);
      return v;
    }
    case "BIGINT": {
      if (typeof v === "number" && Number.isSafeInteger(v)) return BigInt(v);
      if (typeof v !== "string" || !/^-?\d+$/.test(v)) throw new CanonicalDecodeError("BIGINT expects a decimal integer string");
      const b = BigInt(v);
      if (b < -(2n ** 63n) || b >= 2n ** 63n) throw new CanonicalDecodeError(`BIGINT out of range: ${v}`);
      return b;
    }
    case "FLOAT":
      return Math.fround(decodeFloat(v));
    case "DOUBLE":
      return decodeFloat(v);
    case "DECIMAL":
      return parseDecimal(typeof v === "number" ? String(v) : (v as string), type.precision, type.scale);
    case "CHAR":
    case "VARCHAR":
      if (typeof v !== "string") throw new CanonicalDecodeError(`${type.root} expects a string`);
      return v;
    case "BINARY":
    case "VARBINARY":
      if (typeof v !== "string") throw new CanonicalDecodeError(`${type.root} expects base64 text`);
      return new Uint8Array(Buffer.from(v, "base64"));
    case "DATE":
      return parseDate(v as string);
    case "TIME":
      return parseTimeOfDay(v as string).ms;
    case "TIMESTAMP":
      return parseTimestamp(v as string, false);
    case "TIMESTAMP_LTZ":
      return parseTimestamp(v as string, true);
    case "ARRAY":
      if (!Array.isArray(v)) throw new CanonicalDecodeError("ARRAY expects a JSON array");
      return v.map((e) => canonicalDecode(type.element, e));
    case "MULTISET":
    case "MAP": {
      if (!Array.isArray(v)) throw new CanonicalDecodeError(`${type.root} expects an array of [key, value] pairs`);
      const kt = type.root === "MAP" ? type.key : type.element;
      const vt: DataType = type.root === "MAP" ? type.value : { root: "INT", nullable: false };
      const keys: InternalValue[] = [];
      const values: InternalValue[] = [];
      for (const p of v) {
        if (!Array.isArray(p) || p.length !== 2) throw new CanonicalDecodeError(`${type.root} entries must be [key, value] pairs`);
        keys.push(canonicalDecode(kt, p[0]));
        values.push(canonicalDecode(vt, p[1]));
      }
      return { keys, values };
    }
    case "ROW": {
      if (v === null || typeof v !== "object" || Array.isArray(v)) throw new CanonicalDecodeError("ROW expects a JSON object");
      const o = v as { [k: string]: CanonicalJson };
      return type.fields.map((f) => canonicalDecode(f.type, o[f.name] ?? null));
    }
  }
}
