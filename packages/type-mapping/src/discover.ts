/**
 * Discovery: Paimon columns as Tapdata fields. The type string is Paimon's SQL form
 * without the top-level NOT NULL (nullability is reported separately), and the TapType
 * is what that string denotes under PAIMON_DATA_TYPES, so the engine and this package
 * always agree on a column's ranges.
 */
import { asSQLString, withNullability, type DataField, type DataType } from "@paimon-ts/paimon-core";
import { PAIMON_DATA_TYPES } from "./data-types.js";
import { DataTypeExpressions } from "./expressions.js";
import type { TapField, TapType } from "./tap-types.js";

let expressions: DataTypeExpressions | undefined;
function paimonExpressions(): DataTypeExpressions {
  return (expressions ??= new DataTypeExpressions(PAIMON_DATA_TYPES));
}

/**
 * `DECIMAL(10, 2)`, `TIMESTAMP(6) WITH LOCAL TIME ZONE`, `ARRAY<INT NOT NULL>`: the
 * column's own NOT NULL is dropped, nested ones are kept (the Java connector's textual
 * replace turned `ARRAY<INT NOT NULL>` into `ARRAY<INT >`).
 */
export function dataTypeFromPaimon(type: DataType): string {
  return asSQLString(withNullability(type, true));
}

export function tapTypeFromPaimon(type: DataType): TapType {
  const t = paimonExpressions().toTapType(dataTypeFromPaimon(type));
  // Every Paimon type has an entry; a miss means the table and paimon-core disagree.
  if (!t) throw new Error(`no dataTypes entry matches Paimon type ${dataTypeFromPaimon(type)}`);
  return t;
}

/** One column as a TapField. `primaryKeyPos` is 1-based, as in the PDK. */
export function tapFieldFromPaimon(field: Pick<DataField, "name" | "type" | "description">, primaryKeyPos?: number): TapField {
  const f: TapField = {
    name: field.name,
    dataType: dataTypeFromPaimon(field.type),
    nullable: field.type.nullable,
    tapType: tapTypeFromPaimon(field.type),
  };
  if (primaryKeyPos !== undefined) {
    f.primaryKey = true;
    f.primaryKeyPos = primaryKeyPos;
  }
  if (field.description !== undefined) f.comment = field.description;
  return f;
}

/** A table's columns in schema order, primary-key fields marked in primary-key order. */
export function tapFieldsFromPaimon(fields: readonly Pick<DataField, "name" | "type" | "description">[], primaryKeys: readonly string[] = []): TapField[] {
  return fields.map((f) => {
    const pk = primaryKeys.indexOf(f.name);
    return tapFieldFromPaimon(f, pk >= 0 ? pk + 1 : undefined);
  });
}
