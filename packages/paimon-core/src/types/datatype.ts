/**
 * Paimon's logical data types. A type is plain data (a discriminated union on `root`)
 * so it can be compared, copied and pattern-matched without classes.
 */

export type TypeRoot =
  | "BOOLEAN"
  | "TINYINT"
  | "SMALLINT"
  | "INT"
  | "BIGINT"
  | "FLOAT"
  | "DOUBLE"
  | "DECIMAL"
  | "CHAR"
  | "VARCHAR"
  | "BINARY"
  | "VARBINARY"
  | "DATE"
  | "TIME"
  | "TIMESTAMP"
  | "TIMESTAMP_LTZ"
  | "ARRAY"
  | "MULTISET"
  | "MAP"
  | "ROW";

interface Base {
  nullable: boolean;
}

export interface BooleanType extends Base { root: "BOOLEAN" }
export interface TinyIntType extends Base { root: "TINYINT" }
export interface SmallIntType extends Base { root: "SMALLINT" }
export interface IntType extends Base { root: "INT" }
export interface BigIntType extends Base { root: "BIGINT" }
export interface FloatType extends Base { root: "FLOAT" }
export interface DoubleType extends Base { root: "DOUBLE" }
export interface DecimalType extends Base { root: "DECIMAL"; precision: number; scale: number }
/** STRING is VARCHAR(MAX_LENGTH). */
export interface CharType extends Base { root: "CHAR"; length: number }
export interface VarCharType extends Base { root: "VARCHAR"; length: number }
/** BYTES is VARBINARY(MAX_LENGTH). */
export interface BinaryType extends Base { root: "BINARY"; length: number }
export interface VarBinaryType extends Base { root: "VARBINARY"; length: number }
export interface DateType extends Base { root: "DATE" }
export interface TimeType extends Base { root: "TIME"; precision: number }
export interface TimestampType extends Base { root: "TIMESTAMP"; precision: number }
export interface LocalZonedTimestampType extends Base { root: "TIMESTAMP_LTZ"; precision: number }
export interface ArrayType extends Base { root: "ARRAY"; element: DataType }
export interface MultisetType extends Base { root: "MULTISET"; element: DataType }
export interface MapType extends Base { root: "MAP"; key: DataType; value: DataType }
export interface RowType extends Base { root: "ROW"; fields: DataField[] }

export type DataType =
  | BooleanType
  | TinyIntType
  | SmallIntType
  | IntType
  | BigIntType
  | FloatType
  | DoubleType
  | DecimalType
  | CharType
  | VarCharType
  | BinaryType
  | VarBinaryType
  | DateType
  | TimeType
  | TimestampType
  | LocalZonedTimestampType
  | ArrayType
  | MultisetType
  | MapType
  | RowType;

export interface DataField {
  id: number;
  name: string;
  type: DataType;
  description?: string;
  defaultValue?: string;
}

/** Java's `Integer.MAX_VALUE`: the length of STRING and BYTES. */
export const MAX_LENGTH = 2147483647;

export const DataTypes = {
  BOOLEAN: (nullable = true): BooleanType => ({ root: "BOOLEAN", nullable }),
  TINYINT: (nullable = true): TinyIntType => ({ root: "TINYINT", nullable }),
  SMALLINT: (nullable = true): SmallIntType => ({ root: "SMALLINT", nullable }),
  INT: (nullable = true): IntType => ({ root: "INT", nullable }),
  BIGINT: (nullable = true): BigIntType => ({ root: "BIGINT", nullable }),
  FLOAT: (nullable = true): FloatType => ({ root: "FLOAT", nullable }),
  DOUBLE: (nullable = true): DoubleType => ({ root: "DOUBLE", nullable }),
  DECIMAL: (precision: number, scale: number, nullable = true): DecimalType => ({ root: "DECIMAL", precision, scale, nullable }),
  CHAR: (length: number, nullable = true): CharType => ({ root: "CHAR", length, nullable }),
  VARCHAR: (length: number, nullable = true): VarCharType => ({ root: "VARCHAR", length, nullable }),
  STRING: (nullable = true): VarCharType => ({ root: "VARCHAR", length: MAX_LENGTH, nullable }),
  BINARY: (length: number, nullable = true): BinaryType => ({ root: "BINARY", length, nullable }),
  VARBINARY: (length: number, nullable = true): VarBinaryType => ({ root: "VARBINARY", length, nullable }),
  BYTES: (nullable = true): VarBinaryType => ({ root: "VARBINARY", length: MAX_LENGTH, nullable }),
  DATE: (nullable = true): DateType => ({ root: "DATE", nullable }),
  TIME: (precision = 0, nullable = true): TimeType => ({ root: "TIME", precision, nullable }),
  TIMESTAMP: (precision = 6, nullable = true): TimestampType => ({ root: "TIMESTAMP", precision, nullable }),
  TIMESTAMP_LTZ: (precision = 6, nullable = true): LocalZonedTimestampType => ({ root: "TIMESTAMP_LTZ", precision, nullable }),
  ARRAY: (element: DataType, nullable = true): ArrayType => ({ root: "ARRAY", element, nullable }),
  MULTISET: (element: DataType, nullable = true): MultisetType => ({ root: "MULTISET", element, nullable }),
  MAP: (key: DataType, value: DataType, nullable = true): MapType => ({ root: "MAP", key, value, nullable }),
  ROW: (fields: DataField[], nullable = true): RowType => ({ root: "ROW", fields, nullable }),
  FIELD: (id: number, name: string, type: DataType, description?: string): DataField =>
    description === undefined ? { id, name, type } : { id, name, type, description },
};

export function withNullability<T extends DataType>(t: T, nullable: boolean): T {
  return t.nullable === nullable ? t : { ...t, nullable };
}

/** Types whose values have a fixed width in a BinaryRow slot (Java `BinaryRow.isInFixedLengthPart`). */
export function isFixedLength(t: DataType): boolean {
  switch (t.root) {
    case "BOOLEAN":
    case "TINYINT":
    case "SMALLINT":
    case "INT":
    case "BIGINT":
    case "FLOAT":
    case "DOUBLE":
    case "DATE":
    case "TIME":
      return true;
    case "DECIMAL":
      return t.precision <= 18;
    case "TIMESTAMP":
    case "TIMESTAMP_LTZ":
      return t.precision <= 3;
    default:
      return false;
  }
}

export function isNested(t: DataType): boolean {
  return t.root === "ARRAY" || t.root === "MAP" || t.root === "MULTISET" || t.root === "ROW";
}

/** Structural equality, ignoring field descriptions. */
export function typeEquals(a: DataType, b: DataType, ignoreNullability = false): boolean {
  return asSQLString(a, ignoreNullability) === asSQLString(b, ignoreNullability) && idsEqual(a, b);
}

function idsEqual(a: DataType, b: DataType): boolean {
  if (a.root === "ROW" && b.root === "ROW") {
    return a.fields.length === b.fields.length && a.fields.every((f, i) => f.id === b.fields[i].id && idsEqual(f.type, b.fields[i].type));
  }
  if ((a.root === "ARRAY" || a.root === "MULTISET") && a.root === b.root) return idsEqual(a.element, (b as ArrayType).element);
  if (a.root === "MAP" && b.root === "MAP") return idsEqual(a.key, b.key) && idsEqual(a.value, b.value);
  return true;
}

function nn(t: DataType, ignoreNullability: boolean): string {
  return t.nullable || ignoreNullability ? "" : " NOT NULL";
}

/** The SQL form Java prints (`DataType.asSQLString`), e.g. `DECIMAL(10, 2) NOT NULL`. */
export function asSQLString(t: DataType, ignoreNullability = false): string {
  const s = nn(t, ignoreNullability);
  switch (t.root) {
    case "DECIMAL":
      return `DECIMAL(${t.precision}, ${t.scale})${s}`;
    case "CHAR":
      return `CHAR(${t.length})${s}`;
    case "VARCHAR":
      return (t.length === MAX_LENGTH ? "STRING" : `VARCHAR(${t.length})`) + s;
    case "BINARY":
      return `BINARY(${t.length})${s}`;
    case "VARBINARY":
      return (t.length === MAX_LENGTH ? "BYTES" : `VARBINARY(${t.length})`) + s;
    case "TIME":
      return `TIME(${t.precision})${s}`;
    case "TIMESTAMP":
      return `TIMESTAMP(${t.precision})${s}`;
    case "TIMESTAMP_LTZ":
      return `TIMESTAMP(${t.precision}) WITH LOCAL TIME ZONE${s}`;
    case "ARRAY":
      return `ARRAY<${asSQLString(t.element, ignoreNullability)}>${s}`;
    case "MULTISET":
      return `MULTISET<${asSQLString(t.element, ignoreNullability)}>${s}`;
    case "MAP":
      return `MAP<${asSQLString(t.key, ignoreNullability)}, ${asSQLString(t.value, ignoreNullability)}>${s}`;
    case "ROW":
      return `ROW<${t.fields.map((f) => `\`${f.name}\` ${asSQLString(f.type, ignoreNullability)}${f.description !== undefined ? ` '${f.description.replace(/'/g, "''")}'` : ""}`).join(", ")}>${s}`;
    default:
      return t.root + s;
  }
}
