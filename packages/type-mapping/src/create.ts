/**
 * Table creation: a Tapdata field as a Paimon column.
 *
 * The dataType string (what the engine picked from PAIMON_DATA_TYPES) decides when it is
 * recognised; otherwise the TapType does; otherwise the column is STRING, as in the Java
 * connector. Defaults for bare names follow the Java connector: DECIMAL(38,10), TIME(3),
 * TIMESTAMP(6), TIMESTAMP(6) WITH LOCAL TIME ZONE, and unbounded CHAR, VARCHAR, BINARY
 * and VARBINARY.
 */
import {
  DataTypes,
  MAX_LENGTH,
  parseTypeString,
  withNullability,
  type DataType,
} from "@paimon-ts/paimon-core";
import { TypeMappingError } from "./errors.js";
import type { TapField, TapNumber, TapType } from "./tap-types.js";

export interface CreateOptions {
  /**
   * ARRAY/MAP/ROW/MULTISET sources: "json" (default) stores them as JSON text in STRING,
   * as the Java connector does; "native" creates the nested Paimon type when the dataType
   * spells it out (`ARRAY<INT>`, `ROW<a INT>`), and still falls back to JSON otherwise,
   * since a TapArray or TapMap alone does not say what its elements are.
   */
  nested?: "json" | "native";
  /**
   * "always-nullable" (default, as in Java): every column is nullable (Paimon still makes
   * primary-key columns NOT NULL). "from-field": TapField.nullable === false, or NOT NULL
   * in the dataType, gives a NOT NULL column.
   */
  nullability?: "always-nullable" | "from-field";
  /**
   * A TapNumber with more than 38 digits (no dataType to say otherwise): "error"
   * (default) or "string" to keep the digits as text.
   */
  wideDecimal?: "error" | "string";
}

/** How the connector must treat a column's values. */
export type ColumnEncoding = "native" | "json";

export interface PaimonColumn {
  name: string;
  type: DataType;
  description?: string;
  /**
   * "json": nested values live as JSON text in a STRING column; read it back with
   * `valueFromPaimon(type, { json: true })` to get the structure.
   */
  encoding: ColumnEncoding;
}

interface Mapped {
  type: DataType;
  json: boolean;
  notNull: boolean;
}

const NESTED = new Set(["ARRAY", "MAP", "ROW", "MULTISET"]);
const JSONISH = new Set(["ARRAY", "MAP", "ROW", "MULTISET", "VARIANT", "JSON"]);

function invalid(field: string | undefined, dataType: string, reason: string): never {
  throw new TypeMappingError("PAIMON_INVALID_DATA_TYPE", field, dataType, reason);
}

function lengthArg(field: string | undefined, dataType: string, n: number | undefined): number {
  if (n === undefined) return MAX_LENGTH;
  if (n <= 0) invalid(field, dataType, "a length must be positive");
  return Math.min(n, MAX_LENGTH);
}

function parseDataType(dataType: string, opts: CreateOptions, field: string | undefined): Mapped | undefined {
  const s = dataType.trim().replace(/\s+/g, " ");
  if (!s) return undefined;

  const nested = /^([A-Za-z_]+)\s*[<(]/.exec(s);
  if (nested && NESTED.has(nested[1].toUpperCase()) && (s.includes("<") || nested[1].toUpperCase() === "ROW")) {
    if (opts.nested !== "native") return { type: DataTypes.STRING(), json: true, notNull: false };
    try {
      const t = parseTypeString(s);
      return { type: withNullability(t, true), json: false, notNull: !t.nullable };
    } catch (e) {
      invalid(field, dataType, (e as Error).message);
    }
  }

  // Type names are ASCII; comparing after an ASCII-only upper-casing keeps this
  // independent of any locale (no Turkish dotless-i surprises).
  if (/[^\x20-\x7e]/.test(s)) return undefined;
  const open = s.indexOf("("), close = s.lastIndexOf(")");
  let args: number[] = [];
  let name = s;
  if (open >= 0 || close >= 0) {
    if (open < 0 || close < open || s.indexOf("(", open + 1) >= 0 || s.indexOf(")") !== close) invalid(field, dataType, "unbalanced or nested parentheses");
    const inner = s.slice(open + 1, close).trim();
    if (!inner) invalid(field, dataType, "empty parentheses");
    const parts = inner.split(",").map((p) => p.trim());
    if (parts.some((p) => !/^\d+$/.test(p))) invalid(field, dataType, "type arguments must be non-negative integers");
    args = parts.map(Number);
    name = `${s.slice(0, open)} ${s.slice(close + 1)}`;
  }
  name = name.trim().replace(/\s+/g, " ").toUpperCase();

  let notNull = false, unsigned = false;
  for (let changed = true; changed; ) {
    changed = false;
    for (const [suffix, apply] of [
      [" NOT NULL", () => (notNull = true)],
      [" NULL", () => undefined],
      [" UNSIGNED", () => (unsigned = true)],
      [" SIGNED", () => undefined],
      [" ZEROFILL", () => undefined],
    ] as const) {
      if (name.endsWith(suffix) && name.length > suffix.length) {
        name = name.slice(0, -suffix.length);
        apply();
        changed = true;
      }
    }
  }

  const noArgs = (): void => {
    if (args.length) invalid(field, dataType, `${name} takes no arguments`);
  };
  const atMost = (n: number): void => {
    if (args.length > n) invalid(field, dataType, `${name} takes at most ${n} argument(s)`);
  };
  const plain = (type: DataType): Mapped => ({ type, json: false, notNull });

  switch (name) {
    case "BOOLEAN":
      noArgs();
      return plain(DataTypes.BOOLEAN());
    // Integer arguments are MySQL display widths, which carry no range.
    case "TINYINT":
      atMost(1);
      return plain(unsigned ? DataTypes.SMALLINT() : DataTypes.TINYINT());
    case "SMALLINT":
      atMost(1);
      return plain(unsigned ? DataTypes.INT() : DataTypes.SMALLINT());
    case "INT":
    case "INTEGER":
      atMost(1);
      return plain(unsigned ? DataTypes.BIGINT() : DataTypes.INT());
    case "BIGINT":
      atMost(1);
      return plain(unsigned ? DataTypes.DECIMAL(20, 0) : DataTypes.BIGINT());
    case "FLOAT":
      noArgs();
      return plain(DataTypes.FLOAT());
    case "DOUBLE":
    case "DOUBLE PRECISION":
      noArgs();
      return plain(DataTypes.DOUBLE());
    case "DECIMAL":
    case "NUMERIC":
    case "DEC": {
      atMost(2);
      const p = args[0] ?? 38, sc = args.length === 0 ? 10 : args[1] ?? 0;
      if (p < 1 || p > 38) invalid(field, dataType, "DECIMAL precision must be between 1 and 38");
      if (sc > p) invalid(field, dataType, "DECIMAL scale must not exceed the precision");
      return plain(DataTypes.DECIMAL(p, sc));
    }
    case "CHAR":
    case "CHARACTER":
      atMost(1);
      return plain(DataTypes.CHAR(lengthArg(field, dataType, args[0])));
    case "VARCHAR":
    case "CHARACTER VARYING":
      atMost(1);
      return plain(DataTypes.VARCHAR(lengthArg(field, dataType, args[0])));
    case "STRING":
      noArgs();
      return plain(DataTypes.STRING());
    case "BINARY":
      atMost(1);
      return plain(DataTypes.BINARY(lengthArg(field, dataType, args[0])));
    case "VARBINARY":
    case "BINARY VARYING":
      atMost(1);
      return plain(DataTypes.VARBINARY(lengthArg(field, dataType, args[0])));
    case "BYTES":
      noArgs();
      return plain(DataTypes.BYTES());
    case "DATE":
      noArgs();
      return plain(DataTypes.DATE());
    case "TIME":
    case "TIME WITHOUT TIME ZONE": {
      atMost(1);
      const p = args[0] ?? 3;
      // Paimon keeps TIME as milliseconds of the day: more digits could not be stored.
      if (p > 3) throw new TypeMappingError("PAIMON_TIME_PRECISION_UNSUPPORTED", field, dataType, "TIME precision above 3 cannot be stored (TIME values are milliseconds of the day)");
      return plain(DataTypes.TIME(p));
    }
    case "TIMESTAMP":
    case "TIMESTAMP WITHOUT TIME ZONE":
    case "TIMESTAMP WITH LOCAL TIME ZONE":
    case "TIMESTAMP_LTZ": {
      atMost(1);
      const p = args[0] ?? 6;
      if (p > 9) invalid(field, dataType, "TIMESTAMP precision must be between 0 and 9");
      return plain(name === "TIMESTAMP WITH LOCAL TIME ZONE" || name === "TIMESTAMP_LTZ" ? DataTypes.TIMESTAMP_LTZ(p) : DataTypes.TIMESTAMP(p));
    }
    case "YEAR":
      atMost(1);
      return plain(DataTypes.CHAR(4));
    default:
      if (JSONISH.has(name)) {
        noArgs();
        return { type: DataTypes.STRING(), json: true, notNull };
      }
      return undefined;
  }
}

/**
 * A dataType string as a Paimon type (nullable unless opts.nullability is "from-field"
 * and the string says NOT NULL). Undefined when the name is not recognised; throws
 * TypeMappingError when it is recognised but invalid (DECIMAL(2,3), TIME(4), CHAR(0)…).
 */
export function paimonTypeFromDataType(dataType: string, opts: CreateOptions = {}, field?: string): DataType | undefined {
  const m = parseDataType(dataType, opts, field);
  if (!m) return undefined;
  return opts.nullability === "from-field" && m.notNull ? withNullability(m.type, false) : m.type;
}

function integerType(n: TapNumber, opts: CreateOptions, field: string | undefined): DataType {
  const whole = (s: string | undefined): bigint | undefined => (s !== undefined && /^-?\d+$/.test(s) ? BigInt(s) : undefined);
  let min = whole(n.minValue);
  let max = whole(n.maxValue);
  if ((min === undefined || max === undefined) && n.bit !== undefined) {
    const b = BigInt(n.bit);
    min = n.unsigned ? 0n : -(1n << (b - 1n));
    max = n.unsigned ? (1n << b) - 1n : (1n << (b - 1n)) - 1n;
  }
  if ((min === undefined || max === undefined) && n.precision !== undefined) {
    max = 10n ** BigInt(n.precision) - 1n;
    min = n.unsigned ? 0n : -max;
  }
  if (min === undefined || max === undefined) return DataTypes.DECIMAL(38, 10);
  const fits = (lo: bigint, hi: bigint): boolean => min! >= lo && max! <= hi;
  if (fits(-128n, 127n)) return DataTypes.TINYINT();
  if (fits(-32768n, 32767n)) return DataTypes.SMALLINT();
  if (fits(-2147483648n, 2147483647n)) return DataTypes.INT();
  if (fits(-9223372036854775808n, 9223372036854775807n)) return DataTypes.BIGINT();
  const digits = Math.max((min < 0n ? -min : min).toString().length, max.toString().length);
  return decimalOrWide(digits, 0, opts, field);
}

function decimalOrWide(precision: number, scale: number, opts: CreateOptions, field: string | undefined): DataType {
  if (precision <= 38) return DataTypes.DECIMAL(Math.max(precision, 1), scale);
  if (opts.wideDecimal === "string") return DataTypes.STRING();
  throw new TypeMappingError("PAIMON_DECIMAL_PRECISION_UNSUPPORTED", field, undefined, `a number with ${precision} digits does not fit Paimon's DECIMAL (at most 38)`);
}

function numberType(n: TapNumber, opts: CreateOptions, field: string | undefined): DataType {
  const scale = n.scale ?? 0;
  if (n.fixed === false) {
    if (n.bit !== undefined) return n.bit <= 32 ? DataTypes.FLOAT() : DataTypes.DOUBLE();
    return (n.precision ?? 16) <= 7 ? DataTypes.FLOAT() : DataTypes.DOUBLE();
  }
  if (scale > 0) {
    const precision = n.precision ?? 38;
    if (precision > 38) {
      if (opts.wideDecimal === "string") return DataTypes.STRING();
      throw new TypeMappingError("PAIMON_DECIMAL_PRECISION_UNSUPPORTED", field, undefined, `DECIMAL precision ${precision} is above 38`);
    }
    return DataTypes.DECIMAL(Math.max(precision, scale, 1), Math.min(scale, 38));
  }
  if (scale < 0) {
    // A negative scale (Oracle NUMBER(5,-2)) is an integer with precision − scale digits.
    return decimalOrWide((n.precision ?? 38) - scale, 0, opts, field);
  }
  // An exact decimal with scale 0 stays a DECIMAL, even if its range would fit BIGINT.
  if (n.fixed === true && n.bit === undefined && n.precision !== undefined) return decimalOrWide(n.precision, 0, opts, field);
  return integerType(n, opts, field);
}

function mapTapType(t: TapType, opts: CreateOptions, field: string | undefined): Mapped {
  const plain = (type: DataType, json = false): Mapped => ({ type, json, notNull: false });
  switch (t.type) {
    case "TapBoolean":
      return plain(DataTypes.BOOLEAN());
    case "TapNumber":
      return plain(numberType(t, opts, field));
    case "TapString":
      if (t.bytes === undefined || t.bytes >= MAX_LENGTH) return plain(DataTypes.STRING());
      return plain(t.fixed ? DataTypes.CHAR(Math.max(1, t.bytes)) : DataTypes.VARCHAR(Math.max(1, t.bytes)));
    case "TapBinary":
      if (t.bytes === undefined || t.bytes >= MAX_LENGTH) return plain(DataTypes.BYTES());
      return plain(t.fixed ? DataTypes.BINARY(Math.max(1, t.bytes)) : DataTypes.VARBINARY(Math.max(1, t.bytes)));
    case "TapDate":
      return plain(DataTypes.DATE());
    case "TapDateTime": {
      const p = t.fraction ?? t.defaultFraction ?? 6;
      if (p < 0 || p > 9) throw new TypeMappingError("PAIMON_INVALID_DATA_TYPE", field, undefined, "a TapDateTime fraction must be between 0 and 9");
      return plain(t.withTimeZone ? DataTypes.TIMESTAMP_LTZ(p) : DataTypes.TIMESTAMP(p));
    }
    case "TapTime":
      // The engine clamps a finer source fraction to the target's maximum, 3; values
      // that really have sub-millisecond digits are then refused one by one.
      return plain(DataTypes.TIME(Math.max(0, Math.min(3, t.fraction ?? t.defaultFraction ?? 3))));
    case "TapYear":
      return plain(DataTypes.CHAR(4));
    case "TapArray":
    case "TapMap":
    case "TapRaw":
      return plain(DataTypes.STRING(), true);
  }
}

/** A TapType as a Paimon type (always nullable). Throws TypeMappingError for impossible numbers. */
export function paimonTypeFromTapType(tapType: TapType, opts: CreateOptions = {}, field?: string): DataType {
  return mapTapType(tapType, opts, field).type;
}

/** A TapField as a Paimon column: type, description (the field's comment) and encoding. */
export function paimonColumnFromTapField(field: TapField, opts: CreateOptions = {}): PaimonColumn {
  let m: Mapped | undefined;
  if (typeof field.dataType === "string") m = parseDataType(field.dataType, opts, field.name);
  if (!m && field.tapType) m = mapTapType(field.tapType, opts, field.name);
  m ??= { type: DataTypes.STRING(), json: false, notNull: false };
  // The engine sends nested values under STRING (the codec override), so the TapType is
  // what reveals that a STRING column holds JSON.
  const tt = field.tapType?.type;
  const json = m.json || (m.type.root === "VARCHAR" && (tt === "TapArray" || tt === "TapMap" || tt === "TapRaw"));
  const notNull = opts.nullability === "from-field" && (m.notNull || field.nullable === false);
  const col: PaimonColumn = { name: field.name, type: withNullability(m.type, !notNull), encoding: json ? "json" : "native" };
  if (field.comment !== undefined && field.comment !== "") col.description = field.comment;
  return col;
}
