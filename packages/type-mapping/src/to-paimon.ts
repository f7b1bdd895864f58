/**
 * Tapdata values → Paimon internal values.
 *
 * `valueToPaimon(type, opts)` does all per-type decisions once and returns a closure for
 * the column; the closure only looks at the value. It returns the internal value or a
 * ConversionError, and never throws for bad data.
 */
import {
  asSQLString,
  MAX_LENGTH,
  type DataType,
  type InternalValue,
  type MapValue,
  type Timestamp,
} from "@paimon-ts/paimon-core";
import { decimalFromNumber, decimalToInteger, parseDecimal, pow10, rescaleHalfUp, type Decimal } from "./decimal.js";
import { ConversionError, valueKind, type ConversionRule } from "./errors.js";
import { isJsonProblem, JsonSyntaxError, parseJsonText, toJsonText } from "./json.js";
import {
  floorDiv,
  floorMod,
  MILLIS_PER_DAY,
  NANOS_PER_MILLI,
  NANOS_PER_SECOND,
  parseIsoDate,
  parseIsoDateTime,
  parseIsoTime,
  zoneOf,
  type Zone,
} from "./time.js";

export interface ToPaimonOptions {
  /** Column name for error reports. */
  field?: string;
  /**
   * The zone that links wall clocks and instants: an instant written to TIMESTAMP is
   * stored as its wall clock in this zone, and a zone-less value written to
   * TIMESTAMP_LTZ is read as a wall clock in this zone. Default "UTC", which is what the
   * Java connector does implicitly. IANA ids ("Asia/Shanghai") or offsets ("+08:00").
   */
  timeZone?: string;
  /**
   * Accept decimal strings ("42", " -1.5e3 ") for integer and floating-point types.
   * Default true. DECIMAL always accepts them; MAP keys always do (JSON object keys are strings).
   */
  numericStrings?: boolean;
  /** TIME/TIMESTAMP digits finer than the type's precision: "error" (default) or "truncate" (toward −∞). */
  excessPrecision?: "error" | "truncate";
  /**
   * Numbers and bigints for TIMESTAMP/TIMESTAMP_LTZ are ambiguous (seconds? millis?) and
   * rejected by default. Set the unit to accept them as epoch instants.
   */
  epochNumbers?: "reject" | "seconds" | "millis" | "micros" | "nanos";
  /** Refuse strings/bytes longer than a declared CHAR/VARCHAR/BINARY/VARBINARY length. Default false. */
  enforceLength?: boolean;
  /** Accept NaN and ±Infinity for FLOAT/DOUBLE. Default false. */
  allowNonFinite?: boolean;
  /** Native ARRAY/MAP/ROW/MULTISET columns also accept their value as JSON text. Default true. */
  jsonText?: boolean;
  /** Sort object keys in JSON written to STRING columns. Default false (property order). */
  sortJsonKeys?: boolean;
  /**
   * CHAR/VARCHAR column with encoding "json" (nested values stored as text): write every
   * value as JSON, scalars included ("a" becomes "\"a\""), so that reading it back with
   * `valueFromPaimon(type, { json: true })` returns exactly what was written. Without it,
   * only arrays and objects are written as JSON and strings are stored as they are.
   */
  json?: boolean;
}

export type ToPaimonConverter = (value: unknown) => InternalValue | ConversionError;

interface Ctx {
  field: string | undefined;
  zone: Zone;
  numericStrings: boolean;
  truncate: boolean;
  epochNanosPerUnit: bigint | undefined;
  enforceLength: boolean;
  allowNonFinite: boolean;
  jsonText: boolean;
  sortJsonKeys: boolean;
  json: boolean;
}

type Conv = ToPaimonConverter;

function fail(ctx: Ctx, target: string, v: unknown, rule: ConversionRule, detail?: string): ConversionError {
  return new ConversionError({ direction: "to-paimon", field: ctx.field, target, valueKind: valueKind(v), rule, detail });
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== "object" || v === null) return false;
  const p = Object.getPrototypeOf(v);
  return p === Object.prototype || p === null;
}

const EPOCH_UNITS = { seconds: NANOS_PER_SECOND, millis: NANOS_PER_MILLI, micros: 1000n, nanos: 1n } as const;

function context(opts: ToPaimonOptions): Ctx {
  return {
    field: opts.field,
    zone: zoneOf(opts.timeZone ?? "UTC"),
    numericStrings: opts.numericStrings ?? true,
    truncate: opts.excessPrecision === "truncate",
    epochNanosPerUnit: opts.epochNumbers && opts.epochNumbers !== "reject" ? EPOCH_UNITS[opts.epochNumbers] : undefined,
    enforceLength: opts.enforceLength ?? false,
    allowNonFinite: opts.allowNonFinite ?? false,
    jsonText: opts.jsonText ?? true,
    sortJsonKeys: opts.sortJsonKeys ?? false,
    json: opts.json ?? false,
  };
}

/** A converter for one column (or nested element) type. Build once, call per value. */
export function valueToPaimon(type: DataType, opts: ToPaimonOptions = {}): ToPaimonConverter {
  return build(type, context(opts));
}

function build(type: DataType, ctx: Ctx): Conv {
  const inner = buildNonNull(type, ctx);
  if (type.nullable) return (v) => (v === null || v === undefined ? null : inner(v));
  const target = asSQLString(type);
  return (v) => (v === null || v === undefined ? fail(ctx, target, v, "null-not-allowed") : inner(v));
}

function buildNonNull(type: DataType, ctx: Ctx): Conv {
  const target = asSQLString(type);
  switch (type.root) {
    case "BOOLEAN":
      return (v) => (typeof v === "boolean" ? v : fail(ctx, target, v, "type-mismatch"));
    case "TINYINT":
      return smallInteger(ctx, target, -128, 127);
    case "SMALLINT":
      return smallInteger(ctx, target, -32768, 32767);
    case "INT":
      return smallInteger(ctx, target, -2147483648, 2147483647);
    case "BIGINT":
      return bigInteger(ctx, target);
    case "FLOAT":
    case "DOUBLE":
      return floating(ctx, target, type.root === "FLOAT");
    case "DECIMAL":
      return decimal(ctx, target, type.precision, type.scale);
    case "CHAR":
    case "VARCHAR":
      return text(ctx, target, type.length);
    case "BINARY":
    case "VARBINARY":
      return binary(ctx, target, type.length);
    case "DATE":
      return date(ctx, target);
    case "TIME":
      return time(ctx, target, type.precision);
    case "TIMESTAMP":
    case "TIMESTAMP_LTZ":
      return timestamp(ctx, target, type.precision, type.root === "TIMESTAMP_LTZ");
    case "ARRAY":
      return array(ctx, target, build(type.element, ctx));
    case "MULTISET":
      return multiset(ctx, target, build(type.element, ctx));
    case "MAP":
      return map(ctx, target, type.key, build(type.value, ctx));
    case "ROW":
      return row(ctx, target, type.fields.map((f) => f.name), type.fields.map((f) => build(f.type, ctx)));
  }
}

// ---------------------------------------------------------------- numbers

/** A decimal string as an exact integer, or the rule it breaks. */
function integerFromText(s: string): bigint | "invalid-number" | "not-an-integer" {
  const d = parseDecimal(s.trim());
  if (!d) return "invalid-number";
  return decimalToInteger(d) ?? "not-an-integer";
}

function smallInteger(ctx: Ctx, target: string, min: number, max: number): Conv {
  const bmin = BigInt(min), bmax = BigInt(max);
  return (v) => {
    switch (typeof v) {
      case "number":
        if (!Number.isFinite(v)) return fail(ctx, target, v, "not-finite");
        if (!Number.isInteger(v)) return fail(ctx, target, v, "not-an-integer");
        if (v < min || v > max) return fail(ctx, target, v, "out-of-range");
        return v === 0 ? 0 : v; // no -0 in an integer column
      case "bigint":
        return v < bmin || v > bmax ? fail(ctx, target, v, "out-of-range") : Number(v);
      case "string": {
        if (!ctx.numericStrings) return fail(ctx, target, v, "type-mismatch");
        const i = integerFromText(v);
        if (typeof i === "string") return fail(ctx, target, v, i);
        return i < bmin || i > bmax ? fail(ctx, target, v, "out-of-range") : Number(i);
      }
      default:
        return fail(ctx, target, v, "type-mismatch");
    }
  };
}

const LONG_MIN = -(1n << 63n), LONG_MAX = (1n << 63n) - 1n;

function bigInteger(ctx: Ctx, target: string): Conv {
  return (v) => {
    let i: bigint;
    switch (typeof v) {
      case "number":
        if (!Number.isFinite(v)) return fail(ctx, target, v, "not-finite");
        if (!Number.isInteger(v)) return fail(ctx, target, v, "not-an-integer");
        i = BigInt(v); // exact: an integral double converts without rounding
        break;
      case "bigint":
        i = v;
        break;
      case "string": {
        if (!ctx.numericStrings) return fail(ctx, target, v, "type-mismatch");
        const r = integerFromText(v);
        if (typeof r === "string") return fail(ctx, target, v, r);
        i = r;
        break;
      }
      default:
        return fail(ctx, target, v, "type-mismatch");
    }
    return i < LONG_MIN || i > LONG_MAX ? fail(ctx, target, v, "out-of-range") : i;
  };
}

const FLOAT_TEXT = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const NON_FINITE_TEXT: Record<string, number> = { NaN: NaN, Infinity: Infinity, "+Infinity": Infinity, "-Infinity": -Infinity };

function floating(ctx: Ctx, target: string, single: boolean): Conv {
  return (v) => {
    let n: number;
    switch (typeof v) {
      case "number":
        n = v;
        break;
      case "bigint":
        n = Number(v);
        break;
      case "string": {
        if (!ctx.numericStrings) return fail(ctx, target, v, "type-mismatch");
        const t = v.trim();
        if (FLOAT_TEXT.test(t)) n = Number(t);
        else if (ctx.allowNonFinite && t in NON_FINITE_TEXT) n = NON_FINITE_TEXT[t];
        else return fail(ctx, target, v, "invalid-number");
        // Finite text that overflows a double is a range problem, not a NaN/∞ input.
        if (!Number.isFinite(n) && FLOAT_TEXT.test(t)) return fail(ctx, target, v, "out-of-range");
        break;
      }
      default:
        return fail(ctx, target, v, "type-mismatch");
    }
    if (!Number.isFinite(n)) {
      if (!ctx.allowNonFinite) return fail(ctx, target, v, typeof v === "bigint" ? "out-of-range" : "not-finite");
      return single ? Math.fround(n) : n;
    }
    if (!single) return n;
    // FLOAT rounds to the nearest float32, as any FLOAT column does; only overflow is an error.
    const f = Math.fround(n);
    return Number.isFinite(f) ? f : fail(ctx, target, v, "out-of-range");
  };
}

function decimal(ctx: Ctx, target: string, precision: number, scale: number): Conv {
  const limit = pow10(precision);
  return (v) => {
    let d: Decimal | undefined;
    switch (typeof v) {
      case "number":
        if (!Number.isFinite(v)) return fail(ctx, target, v, "not-finite");
        d = decimalFromNumber(v);
        break;
      case "bigint":
        d = { unscaled: v, scale: 0 };
        break;
      case "string":
        d = parseDecimal(v.trim());
        if (!d) return fail(ctx, target, v, "invalid-number");
        break;
      default:
        return fail(ctx, target, v, "type-mismatch");
    }
    const u = rescaleHalfUp(d, scale);
    return u >= limit || -u >= limit ? fail(ctx, target, v, "decimal-overflow") : u;
  };
}

// ---------------------------------------------------------------- text and bytes

function wellFormed(s: string): boolean {
  const f = (s as unknown as { isWellFormed?: () => boolean }).isWellFormed;
  if (f) return f.call(s);
  return !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(s);
}

function codePoints(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length - 1; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n--;
        i++;
      }
    }
  }
  return n;
}

const JSON_RULE = { "not-finite": "not-finite", "unsupported-in-json": "unsupported-in-json", "invalid-format": "invalid-format", "duplicate-map-key": "duplicate-map-key" } as const;

function jsonText(ctx: Ctx, target: string, v: unknown): string | ConversionError {
  const j = toJsonText(v, ctx.sortJsonKeys);
  if (!isJsonProblem(j)) return j;
  const e = fail(ctx, target, v, JSON_RULE[j.problem]);
  return j.path ? e.under(j.path) : e;
}

function text(ctx: Ctx, target: string, length: number): Conv {
  const check = ctx.enforceLength && length < MAX_LENGTH;
  const finish = (v: unknown, s: string): string | ConversionError => {
    if (!wellFormed(s)) return fail(ctx, target, v, "invalid-unicode");
    if (check && s.length > length && codePoints(s) > length) return fail(ctx, target, v, "too-long");
    return s;
  };
  if (ctx.json) {
    return (v) => {
      const j = jsonText(ctx, target, v);
      return typeof j === "string" ? finish(v, j) : j;
    };
  }
  return (v) => {
    let s: string;
    switch (typeof v) {
      case "string":
        s = v;
        break;
      // Legacy STRING columns take numeric and boolean CDC values as text (as in Java).
      case "number":
      case "bigint":
      case "boolean":
        s = String(v);
        break;
      case "object": {
        if (v instanceof Date) {
          if (Number.isNaN(v.getTime())) return fail(ctx, target, v, "invalid-format");
          s = v.toISOString();
          break;
        }
        if (v instanceof Uint8Array || v instanceof ArrayBuffer) return fail(ctx, target, v, "type-mismatch");
        // Nested values (TapArray/TapMap/TapRaw stored as text) become JSON.
        const j = jsonText(ctx, target, v);
        if (typeof j !== "string") return j;
        s = j;
        break;
      }
      default:
        return fail(ctx, target, v, "type-mismatch");
    }
    return finish(v, s);
  };
}

function binary(ctx: Ctx, target: string, length: number): Conv {
  const check = ctx.enforceLength && length < MAX_LENGTH;
  return (v) => {
    let b: Uint8Array;
    if (v instanceof Uint8Array) b = v.constructor === Uint8Array ? v : new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
    else if (v instanceof ArrayBuffer) b = new Uint8Array(v);
    // Strings are refused: base64, hex and latin-1 readings are all plausible.
    else return fail(ctx, target, v, "type-mismatch");
    return check && b.byteLength > length ? fail(ctx, target, v, "too-long") : b;
  };
}

// ---------------------------------------------------------------- dates and times

interface SecondsNanos {
  seconds: bigint;
  nanos: number;
}

/** `{seconds, nano}` (the PDK DateTime) or `{seconds, nanos}`; seconds may be a number, bigint or integer string. */
function readDateTimeObject(v: Record<string, unknown>): SecondsNanos | undefined {
  const s = v.seconds;
  let seconds: bigint;
  if (typeof s === "number") {
    if (!Number.isInteger(s)) return undefined;
    seconds = BigInt(s);
  } else if (typeof s === "bigint") {
    seconds = s;
  } else if (typeof s === "string" && /^\s*[+-]?\d+\s*$/.test(s)) {
    seconds = BigInt(s.trim());
  } else {
    return undefined;
  }
  const n = v.nanos ?? v.nano ?? 0;
  if (typeof n !== "number" || !Number.isInteger(n) || n < 0 || n > 999_999_999) return undefined;
  return { seconds, nanos: n };
}

const INT_MIN = -2147483648, INT_MAX = 2147483647;

function date(ctx: Ctx, target: string): Conv {
  const days = (v: unknown, d: number | bigint): number | ConversionError =>
    d < INT_MIN || d > INT_MAX ? fail(ctx, target, v, "out-of-range") : Number(d);
  return (v) => {
    switch (typeof v) {
      case "number":
        if (!Number.isFinite(v)) return fail(ctx, target, v, "not-finite");
        return Number.isInteger(v) ? days(v, v === 0 ? 0 : v) : fail(ctx, target, v, "not-an-integer");
      case "bigint":
        return days(v, v);
      case "string": {
        const d = parseIsoDate(v.trim());
        return d === undefined ? fail(ctx, target, v, "invalid-format") : days(v, d);
      }
      case "object": {
        // An instant's UTC day, floored: the Tapdata date codec's rule (-1 s is day -1).
        if (v instanceof Date) {
          const t = v.getTime();
          return Number.isNaN(t) ? fail(ctx, target, v, "invalid-format") : days(v, Math.floor(t / MILLIS_PER_DAY));
        }
        if (isPlainObject(v) && "seconds" in v) {
          const sn = readDateTimeObject(v);
          return sn ? days(v, floorDiv(sn.seconds, 86_400n)) : fail(ctx, target, v, "invalid-format");
        }
        return fail(ctx, target, v, "type-mismatch");
      }
      default:
        return fail(ctx, target, v, "type-mismatch");
    }
  };
}

function time(ctx: Ctx, target: string, precision: number): Conv {
  // TIME holds milliseconds, so precision beyond 3 behaves as 3.
  const unitMillis = 10 ** (3 - Math.min(3, precision));
  const ofMillis = (v: unknown, ms: number, subMilli: boolean): number | ConversionError => {
    if (ms < 0 || ms >= MILLIS_PER_DAY) return fail(ctx, target, v, "out-of-range");
    const rem = ms % unitMillis;
    if (rem === 0 && !subMilli) return ms;
    return ctx.truncate ? ms - rem : fail(ctx, target, v, "excess-precision");
  };
  const ofNanos = (v: unknown, nanos: bigint): number | ConversionError => {
    if (nanos < 0n || nanos >= 86_400_000_000_000n) return fail(ctx, target, v, "out-of-range");
    return ofMillis(v, Number(nanos / NANOS_PER_MILLI), nanos % NANOS_PER_MILLI !== 0n);
  };
  return (v) => {
    switch (typeof v) {
      case "number":
        if (!Number.isFinite(v)) return fail(ctx, target, v, "not-finite");
        return Number.isInteger(v) ? ofMillis(v, v === 0 ? 0 : v, false) : fail(ctx, target, v, "not-an-integer");
      case "bigint":
        return v < 0n || v >= BigInt(MILLIS_PER_DAY) ? fail(ctx, target, v, "out-of-range") : ofMillis(v, Number(v), false);
      case "string": {
        const n = parseIsoTime(v.trim());
        return n === undefined ? fail(ctx, target, v, "invalid-format") : ofNanos(v, n);
      }
      case "object": {
        if (v instanceof Date) {
          const t = v.getTime();
          return Number.isNaN(t) ? fail(ctx, target, v, "invalid-format") : ofMillis(v, t, false);
        }
        if (isPlainObject(v) && "seconds" in v) {
          const sn = readDateTimeObject(v);
          if (!sn) return fail(ctx, target, v, "invalid-format");
          return ofNanos(v, sn.seconds * NANOS_PER_SECOND + BigInt(sn.nanos));
        }
        return fail(ctx, target, v, "type-mismatch");
      }
      default:
        return fail(ctx, target, v, "type-mismatch");
    }
  };
}

/** Paimon's own Timestamp shape, accepted as already converted (as Java accepts its Timestamp). */
function isTimestamp(v: object): v is Timestamp {
  const t = v as Timestamp;
  return typeof t.millis === "bigint" && typeof t.nanoOfMilli === "number";
}

function timestamp(ctx: Ctx, target: string, precision: number, ltz: boolean): Conv {
  const unit = pow10(9 - Math.min(9, precision));
  const zone = ctx.zone;
  const utc = zone.fixed && zone.offsetAt(0) === 0;

  const toWall = (v: unknown, instant: bigint): bigint | ConversionError => {
    if (utc) return instant;
    try {
      return instant + BigInt(zone.offsetAt(Number(floorDiv(instant, NANOS_PER_MILLI)))) * NANOS_PER_MILLI;
    } catch {
      return fail(ctx, target, v, "out-of-range");
    }
  };
  const toInstant = (v: unknown, wall: bigint): bigint | ConversionError => {
    if (utc) return wall;
    try {
      const wallMs = Number(floorDiv(wall, NANOS_PER_MILLI));
      return wall - BigInt(wallMs - zone.instantOf(wallMs)) * NANOS_PER_MILLI;
    } catch {
      return fail(ctx, target, v, "out-of-range");
    }
  };
  const finish = (v: unknown, nanos: bigint): Timestamp | ConversionError => {
    const rem = floorMod(nanos, unit);
    if (rem !== 0n) {
      if (!ctx.truncate) return fail(ctx, target, v, "excess-precision");
      nanos -= rem;
    }
    const millis = floorDiv(nanos, NANOS_PER_MILLI);
    if (millis < LONG_MIN || millis > LONG_MAX) return fail(ctx, target, v, "out-of-range");
    return { millis, nanoOfMilli: Number(nanos - millis * NANOS_PER_MILLI) };
  };
  // Each source is either an instant or a wall clock; the column wants one of the two.
  const fromInstant = (v: unknown, instant: bigint): Timestamp | ConversionError => {
    const n = ltz ? instant : toWall(v, instant);
    return typeof n === "bigint" ? finish(v, n) : n;
  };
  const fromWall = (v: unknown, wall: bigint): Timestamp | ConversionError => {
    const n = ltz ? toInstant(v, wall) : wall;
    return typeof n === "bigint" ? finish(v, n) : n;
  };

  return (v) => {
    switch (typeof v) {
      case "object": {
        if (v instanceof Date) {
          const t = v.getTime();
          return Number.isNaN(t) ? fail(ctx, target, v, "invalid-format") : fromInstant(v, BigInt(t) * NANOS_PER_MILLI);
        }
        if (v !== null && isTimestamp(v)) {
          const n = v.nanoOfMilli;
          if (!Number.isInteger(n) || n < 0 || n > 999_999) return fail(ctx, target, v, "invalid-format");
          return finish(v, v.millis * NANOS_PER_MILLI + BigInt(n));
        }
        if (isPlainObject(v) && "seconds" in v) {
          const sn = readDateTimeObject(v);
          return sn ? fromInstant(v, sn.seconds * NANOS_PER_SECOND + BigInt(sn.nanos)) : fail(ctx, target, v, "invalid-format");
        }
        return fail(ctx, target, v, "type-mismatch");
      }
      case "string": {
        const p = parseIsoDateTime(v.trim());
        if (!p) return fail(ctx, target, v, "invalid-format");
        return p.offsetSeconds === undefined ? fromWall(v, p.wallNanos) : fromInstant(v, p.wallNanos - BigInt(p.offsetSeconds) * NANOS_PER_SECOND);
      }
      case "number":
      case "bigint": {
        const per = ctx.epochNanosPerUnit;
        if (per === undefined) return fail(ctx, target, v, "type-mismatch", "epoch numbers are ambiguous; set epochNumbers to accept them");
        if (typeof v === "number" && !Number.isFinite(v)) return fail(ctx, target, v, "not-finite");
        if (typeof v === "number" && !Number.isInteger(v)) return fail(ctx, target, v, "not-an-integer");
        return fromInstant(v, BigInt(v) * per);
      }
      default:
        return fail(ctx, target, v, "type-mismatch");
    }
  };
}

// ---------------------------------------------------------------- nested

function decodeNested(ctx: Ctx, target: string, v: unknown): unknown {
  if (typeof v !== "string" || !ctx.jsonText) return v;
  try {
    return parseJsonText(v);
  } catch (e) {
    if (e instanceof JsonSyntaxError) return fail(ctx, target, v, "invalid-json");
    throw e;
  }
}

function array(ctx: Ctx, target: string, element: Conv): Conv {
  return (v) => {
    const a = decodeNested(ctx, target, v);
    if (a instanceof ConversionError) return a;
    if (!Array.isArray(a)) return fail(ctx, target, v, "type-mismatch");
    const out: InternalValue[] = new Array(a.length);
    for (let i = 0; i < a.length; i++) {
      const r = element(a[i]);
      if (r instanceof ConversionError) return r.under(`[${i}]`);
      out[i] = r;
    }
    return out;
  };
}

/** A string that is equal for equal internal values: the identity of MAP keys and MULTISET elements. */
export function canonicalKey(v: InternalValue): string {
  if (v === null) return "z";
  switch (typeof v) {
    case "string":
      return `s${v}`;
    case "number":
      return `n${v === 0 ? 0 : v}`;
    case "bigint":
      return `b${v}`;
    case "boolean":
      return v ? "t" : "f";
  }
  if (v instanceof Uint8Array) return `x${Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString("hex")}`;
  if (Array.isArray(v)) return `[${v.map(canonicalKey).join(",")}]`;
  if (isTimestamp(v)) return `T${v.millis}.${v.nanoOfMilli}`;
  const m = v as MapValue;
  return `{${m.keys.map((k, i) => `${canonicalKey(k)}:${canonicalKey(m.values[i])}`).join(",")}}`;
}

function multiset(ctx: Ctx, target: string, element: Conv): Conv {
  return (v) => {
    const a = decodeNested(ctx, target, v);
    if (a instanceof ConversionError) return a;
    if (!Array.isArray(a)) return fail(ctx, target, v, "type-mismatch");
    const index = new Map<string, number>();
    const keys: InternalValue[] = [], values: InternalValue[] = [];
    for (let i = 0; i < a.length; i++) {
      const r = element(a[i]);
      if (r instanceof ConversionError) return r.under(`[${i}]`);
      const k = canonicalKey(r);
      const at = index.get(k);
      if (at === undefined) {
        index.set(k, keys.length);
        keys.push(r);
        values.push(1);
      } else {
        values[at] = (values[at] as number) + 1;
      }
    }
    return { keys, values };
  };
}

function map(ctx: Ctx, target: string, keyType: DataType, value: Conv): Conv {
  // Plain-object keys are always strings, so numeric keys must be allowed to parse.
  const key = build({ ...keyType, nullable: true }, { ...ctx, numericStrings: true });
  return (v) => {
    const src = decodeNested(ctx, target, v);
    if (src instanceof ConversionError) return src;
    let entries: Iterable<[unknown, unknown]>;
    if (src instanceof Map) entries = src;
    else if (isPlainObject(src)) entries = Object.entries(src);
    else return fail(ctx, target, v, "type-mismatch");
    const keys: InternalValue[] = [], values: InternalValue[] = [];
    const seen = new Set<string>();
    let i = 0;
    for (const [k, val] of entries) {
      if (k === null || k === undefined) return fail(ctx, target, v, "null-map-key").under(`{${i}}.key`);
      const ck = key(k);
      if (ck instanceof ConversionError) return ck.under(`{${i}}.key`);
      const id = canonicalKey(ck);
      if (seen.has(id)) return fail(ctx, target, v, "duplicate-map-key").under(`{${i}}.key`);
      seen.add(id);
      const cv = value(val);
      if (cv instanceof ConversionError) return cv.under(`{${i}}.value`);
      keys.push(ck);
      values.push(cv);
      i++;
    }
    return { keys, values };
  };
}

function row(ctx: Ctx, target: string, names: string[], fields: Conv[]): Conv {
  const index = new Map(names.map((n, i) => [n, i]));
  return (v) => {
    const src = decodeNested(ctx, target, v);
    if (src instanceof ConversionError) return src;
    const out: InternalValue[] = new Array(fields.length);
    if (Array.isArray(src)) {
      if (src.length !== fields.length) return fail(ctx, target, v, "type-mismatch", `a positional ROW value needs exactly ${fields.length} elements`);
      for (let i = 0; i < fields.length; i++) {
        const r = fields[i](src[i]);
        if (r instanceof ConversionError) return r.under(`.${names[i]}`);
        out[i] = r;
      }
      return out;
    }
    let get: (k: string) => unknown;
    let keys: Iterable<unknown>;
    if (src instanceof Map) {
      get = (k) => src.get(k);
      keys = src.keys();
    } else if (isPlainObject(src)) {
      get = (k) => (Object.prototype.hasOwnProperty.call(src, k) ? src[k] : undefined);
      keys = Object.keys(src);
    } else {
      return fail(ctx, target, v, "type-mismatch");
    }
    // Dropping an unexpected member would lose data silently; say how many, not which.
    let unknown = 0;
    for (const k of keys) if (typeof k !== "string" || !index.has(k)) unknown++;
    if (unknown) return fail(ctx, target, v, "unknown-field", `${unknown} key(s)`);
    for (let i = 0; i < fields.length; i++) {
      const r = fields[i](get(names[i]));
      if (r instanceof ConversionError) return r.under(`.${names[i]}`);
      out[i] = r;
    }
    return out;
  };
}
