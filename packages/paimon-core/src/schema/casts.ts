/**
 * Which column type changes are allowed by `updateColumnType`: a conservative subset of
 * Paimon's implicit (widening) casts (`DataTypeCasts`), so every old value can be read as
 * the new type without loss of range.
 *
 * * integers widen TINYINT → SMALLINT → INT → BIGINT, and go to FLOAT, DOUBLE, or a
 *   DECIMAL with at least 3 / 5 / 10 / 19 integer digits;
 * * FLOAT → DOUBLE; DECIMAL → DOUBLE; DECIMAL(p, s) → DECIMAL(p', s') with s' ≥ s and
 *   p' − s' ≥ p − s;
 * * CHAR(n) → CHAR(m ≥ n) or VARCHAR(m ≥ n); VARCHAR(n) → VARCHAR(m ≥ n) (STRING is the
 *   maximum); likewise BINARY/VARBINARY/BYTES;
 * * TIME, TIMESTAMP and TIMESTAMP_LTZ: precision may grow; DATE → TIMESTAMP;
 * * ARRAY/MULTISET/MAP: element (key, value) types by the same rules;
 * * nested types may not go from nullable to NOT NULL.
 *
 * ROW columns are changed field by field with nested paths, not here. Java additionally
 * allows explicit (narrowing) casts unless `disable-explicit-type-casting=true`; they are
 * deliberately not supported.
 */
import { DataType, asSQLString } from "../types/datatype.js";

const INT_RANK: Partial<Record<DataType["root"], number>> = { TINYINT: 1, SMALLINT: 2, INT: 3, BIGINT: 4 };
const INT_DIGITS: Partial<Record<DataType["root"], number>> = { TINYINT: 3, SMALLINT: 5, INT: 10, BIGINT: 19 };

/**
 * Null when `from` can be changed to `to`; otherwise the reason. Top-level nullability is
 * not checked here (callers apply the NULL → NOT NULL rule themselves).
 */
export function implicitCastProblem(from: DataType, to: DataType): string | null {
  const ok = castable(from, to);
  return ok ? null : `cannot change type ${asSQLString(from, true)} to ${asSQLString(to, true)} (only widening changes are supported)`;
}

export function supportsImplicitCast(from: DataType, to: DataType): boolean {
  return castable(from, to);
}

function nestedNullOk(from: DataType, to: DataType): boolean {
  return !(from.nullable && !to.nullable);
}

function castable(from: DataType, to: DataType): boolean {
  if (asSQLString(from, true) === asSQLString(to, true) && from.root !== "ROW" && !hasNested(from)) return true;
  const fr = INT_RANK[from.root];
  switch (to.root) {
    case "SMALLINT":
    case "INT":
    case "BIGINT":
    case "TINYINT":
      return fr !== undefined && INT_RANK[to.root]! >= fr;
    case "FLOAT":
      return fr !== undefined || from.root === "FLOAT";
    case "DOUBLE":
      return fr !== undefined || from.root === "FLOAT" || from.root === "DOUBLE" || from.root === "DECIMAL";
    case "DECIMAL":
      if (fr !== undefined) return to.precision - to.scale >= INT_DIGITS[from.root]!;
      if (from.root === "DECIMAL") return to.scale >= from.scale && to.precision - to.scale >= from.precision - from.scale;
      return false;
    case "CHAR":
      return from.root === "CHAR" && to.length >= from.length;
    case "VARCHAR":
      return (from.root === "CHAR" || from.root === "VARCHAR") && to.length >= from.length;
    case "BINARY":
      return from.root === "BINARY" && to.length >= from.length;
    case "VARBINARY":
      return (from.root === "BINARY" || from.root === "VARBINARY") && to.length >= from.length;
    case "TIME":
      return from.root === "TIME" && to.precision >= from.precision;
    case "TIMESTAMP":
      return (from.root === "TIMESTAMP" && to.precision >= from.precision) || from.root === "DATE";
    case "TIMESTAMP_LTZ":
      return from.root === "TIMESTAMP_LTZ" && to.precision >= from.precision;
    case "BOOLEAN":
    case "DATE":
      return from.root === to.root;
    case "ARRAY":
    case "MULTISET":
      return from.root === to.root && nestedNullOk(from.element, to.element) && castable(from.element, to.element);
    case "MAP":
      return (
        from.root === "MAP" &&
        nestedNullOk(from.key, to.key) &&
        nestedNullOk(from.value, to.value) &&
        castable(from.key, to.key) &&
        castable(from.value, to.value)
      );
    case "ROW":
      return (
        from.root === "ROW" &&
        from.fields.length === to.fields.length &&
        from.fields.every((f, i) => f.name === to.fields[i].name && nestedNullOk(f.type, to.fields[i].type) && castable(f.type, to.fields[i].type))
      );
  }
}

function hasNested(t: DataType): boolean {
  return t.root === "ARRAY" || t.root === "MULTISET" || t.root === "MAP";
}
