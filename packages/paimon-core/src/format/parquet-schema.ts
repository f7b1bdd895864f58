/**
 * The Parquet schema Java Paimon writes for a row type (BINARY.md §8.1–8.4):
 * message `paimon_schema`, OPTIONAL/REQUIRED from nullability, field ids on every field,
 * parquet-java's 3-level LIST and MAP layouts, and the synthetic element/key/value ids.
 */
import type { SchemaElement } from "hyparquet";
import type { DataField, DataType } from "../types/datatype.js";
import { FormatError } from "./common.js";

export const PARQUET_MESSAGE_NAME = "paimon_schema";

/** `Integer.MAX_VALUE / 4`: base of the synthetic ids of list elements and map keys/values. */
const STRUCTURED_BASE = 536870911;
const DEPTH_LIMIT = 1024;

/** Field id of the element of an ARRAY with id `f` at nesting depth `d` (int32 wrap-around). */
export function arrayElementFieldId(f: number, d: number): number {
  return (STRUCTURED_BASE + Math.imul(f, DEPTH_LIMIT) + d) | 0;
}

export function mapKeyFieldId(f: number, d: number): number {
  return (STRUCTURED_BASE - Math.imul(f, DEPTH_LIMIT) - d) | 0;
}

export function mapValueFieldId(f: number, d: number): number {
  return (STRUCTURED_BASE + Math.imul(f, DEPTH_LIMIT) + d) | 0;
}

/** Smallest n with 2^(8n-1) ≥ 10^p: the FIXED_LEN_BYTE_ARRAY width of a DECIMAL(p, s), p > 18. */
export function decimalFixedLength(precision: number): number {
  let n = 1;
  while (2n ** BigInt(8 * n - 1) < 10n ** BigInt(precision)) n++;
  return n;
}

/** How a Paimon leaf type is stored physically (what parquet-write must produce). */
export type LeafKind =
  | "boolean"
  | "int32"
  | "int64"
  | "float"
  | "double"
  | "decimal32"
  | "decimal64"
  | "decimalFixed"
  | "string"
  | "binary"
  | "tsMillis"
  | "tsMicros"
  | "int96";

export function leafKind(t: DataType): LeafKind {
  switch (t.root) {
    case "BOOLEAN":
      return "boolean";
    case "TINYINT":
    case "SMALLINT":
    case "INT":
    case "DATE":
    case "TIME":
      return "int32";
    case "BIGINT":
      return "int64";
    case "FLOAT":
      return "float";
    case "DOUBLE":
      return "double";
    case "DECIMAL":
      return t.precision <= 9 ? "decimal32" : t.precision <= 18 ? "decimal64" : "decimalFixed";
    case "CHAR":
    case "VARCHAR":
      return "string";
    case "BINARY":
    case "VARBINARY":
      return "binary";
    case "TIMESTAMP":
    case "TIMESTAMP_LTZ":
      return t.precision <= 3 ? "tsMillis" : t.precision <= 6 ? "tsMicros" : "int96";
    default:
      throw new FormatError(`not a Parquet leaf type: ${t.root}`);
  }
}

function leafElement(name: string, t: DataType, id: number): SchemaElement {
  const e: SchemaElement = { name, repetition_type: t.nullable ? "OPTIONAL" : "REQUIRED", field_id: id };
  switch (t.root) {
    case "BOOLEAN":
      e.type = "BOOLEAN";
      break;
    case "TINYINT":
      e.type = "INT32";
      e.converted_type = "INT_8";
      e.logical_type = { type: "INTEGER", bitWidth: 8, isSigned: true };
      break;
    case "SMALLINT":
      e.type = "INT32";
      e.converted_type = "INT_16";
      e.logical_type = { type: "INTEGER", bitWidth: 16, isSigned: true };
      break;
    case "INT":
      e.type = "INT32";
      break;
    case "BIGINT":
      e.type = "INT64";
      break;
    case "FLOAT":
      e.type = "FLOAT";
      break;
    case "DOUBLE":
      e.type = "DOUBLE";
      break;
    case "DECIMAL":
      if (t.precision <= 9) e.type = "INT32";
      else if (t.precision <= 18) e.type = "INT64";
      else {
        e.type = "FIXED_LEN_BYTE_ARRAY";
        e.type_length = decimalFixedLength(t.precision);
      }
      e.converted_type = "DECIMAL";
      e.scale = t.scale;
      e.precision = t.precision;
      e.logical_type = { type: "DECIMAL", precision: t.precision, scale: t.scale };
      break;
    case "CHAR":
    case "VARCHAR":
      e.type = "BYTE_ARRAY";
      e.converted_type = "UTF8";
      e.logical_type = { type: "STRING" };
      break;
    case "BINARY":
    case "VARBINARY":
      e.type = "BYTE_ARRAY";
      break;
    case "DATE":
      e.type = "INT32";
      e.converted_type = "DATE";
      e.logical_type = { type: "DATE" };
      break;
    case "TIME":
      e.type = "INT32";
      e.converted_type = "TIME_MILLIS";
      e.logical_type = { type: "TIME", isAdjustedToUTC: true, unit: "MILLIS" };
      break;
    case "TIMESTAMP":
    case "TIMESTAMP_LTZ": {
      const utc = t.root === "TIMESTAMP_LTZ";
      if (t.precision <= 3) {
        e.type = "INT64";
        e.converted_type = "TIMESTAMP_MILLIS";
        e.logical_type = { type: "TIMESTAMP", isAdjustedToUTC: utc, unit: "MILLIS" };
      } else if (t.precision <= 6) {
        e.type = "INT64";
        e.converted_type = "TIMESTAMP_MICROS";
        e.logical_type = { type: "TIMESTAMP", isAdjustedToUTC: utc, unit: "MICROS" };
      } else {
        e.type = "INT96";
      }
      break;
    }
    default:
      throw new FormatError(`not a Parquet leaf type: ${t.root}`);
  }
  return e;
}

/**
 * Appends the schema elements of one field (depth-first, parquet's flat schema order).
 * `fieldId` is the id the element carries, `ownerId`/`depth` feed the synthetic ids of
 * nested element/key/value nodes: Java passes the enclosing ARRAY/MAP's id down with
 * depth + 1, while ROW fields restart at depth 0 with their own ids.
 */
function appendType(out: SchemaElement[], name: string, t: DataType, fieldId: number, ownerId: number, depth: number): void {
  const repetition_type = t.nullable ? "OPTIONAL" : "REQUIRED";
  switch (t.root) {
    case "ARRAY": {
      out.push({ name, repetition_type, num_children: 1, converted_type: "LIST", logical_type: { type: "LIST" }, field_id: fieldId });
      out.push({ name: "list", repetition_type: "REPEATED", num_children: 1 });
      appendType(out, "element", t.element, arrayElementFieldId(ownerId, depth + 1), ownerId, depth + 1);
      return;
    }
    case "MAP":
    case "MULTISET": {
      const keyType: DataType = t.root === "MAP" ? { ...t.key, nullable: false } : { ...t.element, nullable: false };
      const valueType: DataType = t.root === "MAP" ? t.value : { root: "INT", nullable: false };
      out.push({ name, repetition_type, num_children: 1, converted_type: "MAP", logical_type: { type: "MAP" }, field_id: fieldId });
      out.push({ name: "key_value", repetition_type: "REPEATED", num_children: 2 });
      appendType(out, "key", keyType, mapKeyFieldId(ownerId, depth + 1), ownerId, depth + 1);
      appendType(out, "value", valueType, mapValueFieldId(ownerId, depth + 1), ownerId, depth + 1);
      return;
    }
    case "ROW": {
      out.push({ name, repetition_type, num_children: t.fields.length, field_id: fieldId });
      for (const f of t.fields) appendType(out, f.name, f.type, f.id, f.id, 0);
      return;
    }
    default:
      out.push(leafElement(name, t, fieldId));
  }
}

/** The flat Parquet schema (root first) Java Paimon writes for `fields`. */
export function paimonToParquetSchema(fields: DataField[]): SchemaElement[] {
  const out: SchemaElement[] = [{ name: PARQUET_MESSAGE_NAME, num_children: fields.length }];
  for (const f of fields) appendType(out, f.name, f.type, f.id, f.id, 0);
  return out;
}
