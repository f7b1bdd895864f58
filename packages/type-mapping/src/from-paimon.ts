/**
 * Paimon internal values → the values a connector hands Tapdata (reads, streams,
 * validation queries). Built once per column like the write direction. Reading cannot
 * fail for values Paimon produced, except where an output form cannot hold the value
 * (a Date beyond ±8.64e15 ms, a non-string MAP key as an object key, invalid JSON text).
 */
import { asSQLString, type DataType, type InternalValue, type MapValue, type Timestamp } from "@paimon-ts/paimon-core";
import { formatDecimal } from "./decimal.js";
import { ConversionError, valueKind, type ConversionRule } from "./errors.js";
import { JsonSyntaxError, parseJsonText } from "./json.js";
import { floorDiv, MAX_INTL_MILLIS, MILLIS_PER_DAY, NANOS_PER_MILLI, NANOS_PER_SECOND, zoneOf, type Zone } from "./time.js";

/** A date-time as the PDK's DateTime carries it: epoch seconds and nanoseconds (0..999 999 999). */
export interface TapDateTimeValue {
  seconds: number;
  nanos: number;
}

export interface FromPaimonOptions {
  /** Column name for error reports. */
  field?: string;
  /** The zone in which TIMESTAMP wall clocks are read as instants; default "UTC" (see ToPaimonOptions.timeZone). */
  timeZone?: string;
  /**
   * DATE, TIME, TIMESTAMP and TIMESTAMP_LTZ as `{seconds, nanos}` ("datetime", default,
   * lossless) or as a JS Date ("date": milliseconds, finer digits are dropped).
   * TIME is a time of day on 1970-01-01 UTC, as in the Java connector.
   */
  temporal?: "datetime" | "date";
  /** DECIMAL as exact text with `scale` fraction digits ("string", default) or a JS number ("number", may round). */
  decimalOutput?: "string" | "number";
  /** BIGINT as a bigint (default) or its decimal text. */
  bigintOutput?: "bigint" | "string";
  /** MAP as a plain object (default; keys as text) or a JS Map (keys keep their types). */
  mapOutput?: "object" | "map";
  /** Decode CHAR/VARCHAR values as JSON: the read side of nested values stored as text. */
  json?: boolean;
}

export type FromPaimonConverter = (value: InternalValue) => unknown;

interface Ctx {
  field: string | undefined;
  zone: Zone;
  asDate: boolean;
  decimalNumber: boolean;
  bigintString: boolean;
  asMap: boolean;
  json: boolean;
}

type Conv = FromPaimonConverter;

function fail(ctx: Ctx, target: string, v: unknown, rule: ConversionRule): ConversionError {
  return new ConversionError({ direction: "from-paimon", field: ctx.field, target, valueKind: valueKind(v), rule });
}

/** A converter for one column (or nested element) type; returns the value or a ConversionError. */
export function valueFromPaimon(type: DataType, opts: FromPaimonOptions = {}): FromPaimonConverter {
  return build(type, {
    field: opts.field,
    zone: zoneOf(opts.timeZone ?? "UTC"),
    asDate: opts.temporal === "date",
    decimalNumber: opts.decimalOutput === "number",
    bigintString: opts.bigintOutput === "string",
    asMap: opts.mapOutput === "map",
    json: opts.json ?? false,
  });
}

function build(type: DataType, ctx: Ctx): Conv {
  const inner = buildNonNull(type, ctx);
  return (v) => (v === null || v === undefined ? null : inner(v));
}

function setOwn(o: Record<string, unknown>, k: string, v: unknown): void {
  // A "__proto__" key must become a property, not a prototype.
  if (k === "__proto__") Object.defineProperty(o, k, { value: v, writable: true, enumerable: true, configurable: true });
  else o[k] = v;
}

function buildNonNull(type: DataType, ctx: Ctx): Conv {
  const target = asSQLString(type);
  const is = (t: string) => (v: InternalValue) => (typeof v === t ? v : fail(ctx, target, v, "type-mismatch"));
  switch (type.root) {
    case "BOOLEAN":
      return is("boolean");
    case "TINYINT":
    case "SMALLINT":
    case "INT":
    case "FLOAT":
    case "DOUBLE":
      return is("number");
    case "BIGINT":
      return (v) => (typeof v !== "bigint" ? fail(ctx, target, v, "type-mismatch") : ctx.bigintString ? v.toString() : v);
    case "DECIMAL": {
      const scale = type.scale;
      return (v) => {
        if (typeof v !== "bigint") return fail(ctx, target, v, "type-mismatch");
        const s = formatDecimal(v, scale);
        return ctx.decimalNumber ? Number(s) : s;
      };
    }
    case "CHAR":
    case "VARCHAR":
      if (!ctx.json) return is("string");
      return (v) => {
        if (typeof v !== "string") return fail(ctx, target, v, "type-mismatch");
        try {
          return parseJsonText(v);
        } catch (e) {
          if (e instanceof JsonSyntaxError) return fail(ctx, target, v, "invalid-json");
          throw e;
        }
      };
    case "BINARY":
    case "VARBINARY":
      return (v) => (v instanceof Uint8Array ? v : fail(ctx, target, v, "type-mismatch"));
    case "DATE":
      return (v) => {
        if (typeof v !== "number") return fail(ctx, target, v, "type-mismatch");
        if (!ctx.asDate) return { seconds: v * 86_400, nanos: 0 } satisfies TapDateTimeValue;
        const ms = v * MILLIS_PER_DAY;
        return Math.abs(ms) > MAX_INTL_MILLIS ? fail(ctx, target, v, "out-of-range") : new Date(ms);
      };
    case "TIME":
      return (v) => {
        if (typeof v !== "number") return fail(ctx, target, v, "type-mismatch");
        if (ctx.asDate) return new Date(v);
        const s = Math.floor(v / 1000);
        return { seconds: s, nanos: (v - s * 1000) * 1_000_000 } satisfies TapDateTimeValue;
      };
    case "TIMESTAMP":
    case "TIMESTAMP_LTZ": {
      const wall = type.root === "TIMESTAMP";
      const zone = ctx.zone;
      const utc = zone.fixed && zone.offsetAt(0) === 0;
      return (v) => {
        const t = v as Timestamp;
        if (typeof v !== "object" || v === null || typeof t.millis !== "bigint") return fail(ctx, target, v, "type-mismatch");
        let nanos = t.millis * NANOS_PER_MILLI + BigInt(t.nanoOfMilli);
        if (wall && !utc) {
          try {
            const wallMs = Number(t.millis);
            nanos -= BigInt(wallMs - zone.instantOf(wallMs)) * NANOS_PER_MILLI;
          } catch {
            return fail(ctx, target, v, "out-of-range");
          }
        }
        if (ctx.asDate) {
          const ms = floorDiv(nanos, NANOS_PER_MILLI);
          return ms < -BigInt(MAX_INTL_MILLIS) || ms > BigInt(MAX_INTL_MILLIS) ? fail(ctx, target, v, "out-of-range") : new Date(Number(ms));
        }
        const seconds = floorDiv(nanos, NANOS_PER_SECOND);
        if (seconds < -BigInt(Number.MAX_SAFE_INTEGER) || seconds > BigInt(Number.MAX_SAFE_INTEGER)) return fail(ctx, target, v, "out-of-range");
        return { seconds: Number(seconds), nanos: Number(nanos - seconds * NANOS_PER_SECOND) } satisfies TapDateTimeValue;
      };
    }
    case "ARRAY": {
      const el = build(type.element, ctx);
      return (v) => {
        if (!Array.isArray(v)) return fail(ctx, target, v, "type-mismatch");
        const out = new Array<unknown>(v.length);
        for (let i = 0; i < v.length; i++) {
          const r = el(v[i]);
          if (r instanceof ConversionError) return r.under(`[${i}]`);
          out[i] = r;
        }
        return out;
      };
    }
    case "MULTISET": {
      const el = build(type.element, ctx);
      return (v) => {
        const m = v as MapValue;
        if (typeof v !== "object" || v === null || !Array.isArray(m.keys)) return fail(ctx, target, v, "type-mismatch");
        const out: unknown[] = [];
        for (let i = 0; i < m.keys.length; i++) {
          const r = el(m.keys[i]);
          if (r instanceof ConversionError) return r.under(`[${i}]`);
          for (let n = Number(m.values[i]); n > 0; n--) out.push(r);
        }
        return out;
      };
    }
    case "MAP": {
      const key = build(type.key, ctx), value = build(type.value, ctx);
      return (v) => {
        const m = v as MapValue;
        if (typeof v !== "object" || v === null || !Array.isArray(m.keys) || !Array.isArray(m.values)) return fail(ctx, target, v, "type-mismatch");
        const out = ctx.asMap ? new Map<unknown, unknown>() : ({} as Record<string, unknown>);
        for (let i = 0; i < m.keys.length; i++) {
          const k = key(m.keys[i]);
          if (k instanceof ConversionError) return k.under(`{${i}}.key`);
          const val = value(m.values[i]);
          if (val instanceof ConversionError) return val.under(`{${i}}.value`);
          if (out instanceof Map) {
            out.set(k, val);
          } else {
            const kt = typeof k;
            if (kt !== "string" && kt !== "number" && kt !== "bigint" && kt !== "boolean") return fail(ctx, target, m.keys[i], "unsupported-map-key").under(`{${i}}.key`);
            setOwn(out, String(k), val);
          }
        }
        return out;
      };
    }
    case "ROW": {
      const names = type.fields.map((f) => f.name);
      const fields = type.fields.map((f) => build(f.type, ctx));
      return (v) => {
        if (!Array.isArray(v)) return fail(ctx, target, v, "type-mismatch");
        const out: Record<string, unknown> = {};
        for (let i = 0; i < fields.length; i++) {
          const r = fields[i](v[i] ?? null);
          if (r instanceof ConversionError) return r.under(`.${names[i]}`);
          setOwn(out, names[i], r);
        }
        return out;
      };
    }
  }
}
