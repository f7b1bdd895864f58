/**
 * The connector's `dataTypes` table: what goes into spec.json, what the engine uses to
 * pick target types, and what discovery uses to describe Paimon columns.
 *
 * Ranges and defaults are the Java connector's, except where they were wrong for Paimon
 * (each change is marked and listed in the README):
 * - TIMESTAMP and TIMESTAMP WITH LOCAL TIME ZONE span 0001–9999 instead of MySQL's
 *   1970–2038, and allow fraction 9 (Paimon stores nanoseconds).
 * - FLOAT and DOUBLE carry their real IEEE bounds.
 * - ARRAY, MULTISET, MAP and ROW also match Paimon's own spelling with type arguments
 *   (`ARRAY<INT>`, `MAP<STRING, INT>`, `ROW<…>`), which the bare keys never did.
 */
import { floatBounds } from "./expressions.js";
import type { DataTypeMappings } from "./tap-types.js";

export const PAIMON_DATA_TYPES: DataTypeMappings = {
  BOOLEAN: { to: "TapBoolean" },
  TINYINT: { to: "TapNumber", bit: 8, precision: 3, value: [-128, 127] },
  SMALLINT: { to: "TapNumber", bit: 16, precision: 5, value: [-32768, 32767] },
  INT: { to: "TapNumber", bit: 32, precision: 10, value: [-2147483648, 2147483647] },
  INTEGER: { to: "TapNumber", bit: 32, precision: 10, value: [-2147483648, 2147483647] },
  BIGINT: { to: "TapNumber", bit: 64, precision: 19, value: ["-9223372036854775808", "9223372036854775807"] },
  // changed: explicit IEEE bounds (float32 / float64 maximum finite values)
  FLOAT: { to: "TapNumber", bit: 32, precision: 7, scale: 7, fixed: false, value: floatBounds(32) },
  DOUBLE: { to: "TapNumber", bit: 64, precision: 15, scale: 15, fixed: false, value: floatBounds(64) },
  "DECIMAL[($precision,$scale)]": {
    to: "TapNumber",
    precision: [1, 38],
    scale: [0, 38],
    defaultPrecision: 38,
    defaultScale: 10,
    fixed: true,
  },
  "CHAR[($byte)]": { to: "TapString", byte: 255, fixed: true },
  "VARCHAR[($byte)]": { to: "TapString", byte: 65535 },
  STRING: { to: "TapString", byte: "2147483647" },
  "BINARY[($byte)]": { to: "TapBinary", byte: "255", fixed: true },
  "VARBINARY[($byte)]": { to: "TapBinary", byte: "65535" },
  BYTES: { to: "TapBinary", byte: "2147483647" },
  DATE: { to: "TapDate", range: ["0001-01-01", "9999-12-31"], pattern: "yyyy-MM-dd" },
  "TIME[($fraction)]": {
    to: "TapTime",
    fraction: [0, 3],
    defaultFraction: 3,
    range: ["00:00:00", "23:59:59"],
    pattern: "HH:mm:ss",
  },
  // changed: range 0001–9999 (was 1970–2038), fraction up to 9 (was 6)
  "TIMESTAMP[($fraction)]": {
    to: "TapDateTime",
    range: ["0001-01-01 00:00:00", "9999-12-31 23:59:59"],
    pattern: "yyyy-MM-dd HH:mm:ss",
    fraction: [0, 9],
    defaultFraction: 6,
  },
  "TIMESTAMP[($fraction)] WITH LOCAL TIME ZONE": {
    to: "TapDateTime",
    range: ["0001-01-01 00:00:00", "9999-12-31 23:59:59"],
    pattern: "yyyy-MM-dd HH:mm:ss",
    fraction: [0, 9],
    defaultFraction: 6,
    withTimeZone: true,
  },
  // changed: the optional <…> part lets Paimon's own type strings match
  "ARRAY[<$elementType>]": { to: "TapArray", byte: "2147483647" },
  "MULTISET[<$elementType>]": { to: "TapArray", byte: "2147483647" },
  "MAP[<$entryTypes>]": { to: "TapMap", byte: "2147483647" },
  "ROW[<$fields>]": { to: "TapMap", byte: "2147483647" },
};

/**
 * Target types the connector registers for TapTypes it stores as text (codec overrides
 * in the PDK): nested values become JSON in STRING, years become CHAR(4).
 */
export const CODEC_TARGET_TYPES = {
  TapArray: "STRING",
  TapMap: "STRING",
  TapRaw: "STRING",
  TapYear: "CHAR(4)",
} as const;
