/**
 * The Tapdata side of the mapping: the TapType model, the field shape the PDK hands a
 * connector, and the `dataTypes` entry shape of a connector's spec.json.
 *
 * Field names follow the PDK's JSON form so these objects can cross a bridge to the Java
 * engine unchanged. Numeric bounds that can exceed 2^53 (TapNumber min/max) are decimal
 * strings, never JS numbers, so nothing is rounded on the way.
 */

export type TapTypeName =
  | "TapBoolean"
  | "TapNumber"
  | "TapString"
  | "TapBinary"
  | "TapDate"
  | "TapDateTime"
  | "TapTime"
  | "TapYear"
  | "TapArray"
  | "TapMap"
  | "TapRaw";

export interface TapBoolean {
  type: "TapBoolean";
}

export interface TapNumber {
  type: "TapNumber";
  /** Two's-complement width of an integer type (8, 16, 32, 64), or the IEEE width of a float. */
  bit?: number;
  /** Decimal digits. */
  precision?: number;
  scale?: number;
  /** true for exact decimals, false for binary floating point, absent for integers. */
  fixed?: boolean;
  unsigned?: boolean;
  zerofill?: boolean;
  /** Exact bounds as plain decimal strings ("-128", "-99999999.99"). */
  minValue?: string;
  maxValue?: string;
}

export interface TapString {
  type: "TapString";
  /** Declared length. Tapdata calls it bytes; for Paimon it is a character count. */
  bytes?: number;
  fixed?: boolean;
  byteRatio?: number;
}

export interface TapBinary {
  type: "TapBinary";
  bytes?: number;
  fixed?: boolean;
  byteRatio?: number;
}

export interface TapDate {
  type: "TapDate";
  /** Bounds in the mapping's pattern, e.g. "0001-01-01". */
  min?: string;
  max?: string;
  withTimeZone?: boolean;
  bytes?: number;
}

export interface TapDateTime {
  type: "TapDateTime";
  /** Fractional-second digits. */
  fraction?: number;
  defaultFraction?: number;
  /** true for an instant (Paimon TIMESTAMP_LTZ), false/absent for a wall clock. */
  withTimeZone?: boolean;
  min?: string;
  max?: string;
  bytes?: number;
}

export interface TapTime {
  type: "TapTime";
  fraction?: number;
  defaultFraction?: number;
  withTimeZone?: boolean;
  min?: string;
  max?: string;
  bytes?: number;
}

export interface TapYear {
  type: "TapYear";
  min?: number;
  max?: number;
}

export interface TapArray {
  type: "TapArray";
}

export interface TapMap {
  type: "TapMap";
}

export interface TapRaw {
  type: "TapRaw";
}

export type TapType =
  | TapBoolean
  | TapNumber
  | TapString
  | TapBinary
  | TapDate
  | TapDateTime
  | TapTime
  | TapYear
  | TapArray
  | TapMap
  | TapRaw;

/** The parts of the PDK's TapField this package reads or produces. */
export interface TapField {
  name: string;
  /** The target-side type string (the engine picks it from the connector's dataTypes). */
  dataType?: string;
  /** Defaults to true, as in the PDK. */
  nullable?: boolean;
  tapType?: TapType;
  primaryKey?: boolean;
  primaryKeyPos?: number;
  comment?: string;
}

/** One `dataTypes` entry of a connector spec (the value side of `"DECIMAL[($precision,$scale)]": {...}`). */
export interface DataTypeMapping {
  to: TapTypeName;
  bit?: number;
  defaultBit?: number;
  bitRatio?: number;
  precision?: number | [number, number];
  defaultPrecision?: number;
  scale?: number | [number, number];
  defaultScale?: number;
  fixed?: boolean;
  /** Inclusive numeric bounds; strings keep 64-bit and float bounds exact. */
  value?: [number | string, number | string];
  byte?: number | string;
  defaultByte?: number | string;
  byteRatio?: number;
  /** The keyword that marks a type as unsigned (e.g. "unsigned"). */
  unsigned?: string;
  zerofill?: string;
  range?: [string | number, string | number];
  pattern?: string;
  fraction?: number | [number, number];
  defaultFraction?: number;
  withTimeZone?: boolean;
  queryOnly?: boolean;
  priority?: number;
}

export type DataTypeMappings = Record<string, DataTypeMapping>;
