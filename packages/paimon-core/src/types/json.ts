/**
 * Data types in the JSON form of schema files: atomic types as their SQL string,
 * composite types as objects (`{"type":"ARRAY","element":…}`), ROW fields with ids.
 */
import { DataField, DataType, asSQLString } from "./datatype.js";
import { parseTypeString } from "./parse.js";

export type TypeJson = string | { [key: string]: unknown };

export function typeToJson(t: DataType): TypeJson {
  const suffix = t.nullable ? "" : " NOT NULL";
  switch (t.root) {
    case "ARRAY":
    case "MULTISET":
      return { type: t.root + suffix, element: typeToJson(t.element) };
    case "MAP":
      return { type: "MAP" + suffix, key: typeToJson(t.key), value: typeToJson(t.value) };
    case "ROW":
      return { type: "ROW" + suffix, fields: t.fields.map(fieldToJson) };
    default:
      return asSQLString(t);
  }
}

export function fieldToJson(f: DataField): Record<string, unknown> {
  const out: Record<string, unknown> = { id: f.id, name: f.name, type: typeToJson(f.type) };
  if (f.description !== undefined && f.description !== null) out.description = f.description;
  if (f.defaultValue !== undefined && f.defaultValue !== null) out.defaultValue = f.defaultValue;
  return out;
}

export class TypeJsonError extends Error {
  override name = "TypeJsonError";
}

export function typeFromJson(j: unknown, where = "type"): DataType {
  if (typeof j === "string") return parseTypeString(j);
  if (j === null || typeof j !== "object" || Array.isArray(j)) {
    throw new TypeJsonError(`${where}: expected a type string or object, got ${JSON.stringify(j)}`);
  }
  const o = j as Record<string, unknown>;
  if (typeof o.type !== "string") throw new TypeJsonError(`${where}: composite type without a "type" member`);
  // Java matches the kind by prefix and nullability by `contains("NOT NULL")`, and
  // pypaimon writes e.g. "MAP<STRING NOT NULL, BIGINT>" there: read it the way Java does.
  const m = /^(ARRAY|MULTISET|MAP|ROW)/.exec(o.type);
  if (!m) throw new TypeJsonError(`${where}: unknown composite type ${JSON.stringify(o.type)}`);
  const nullable = !o.type.includes("NOT NULL");
  switch (m[1].toUpperCase()) {
    case "ARRAY":
      return { root: "ARRAY", element: typeFromJson(o.element, `${where}.element`), nullable };
    case "MULTISET":
      return { root: "MULTISET", element: typeFromJson(o.element, `${where}.element`), nullable };
    case "MAP":
      return { root: "MAP", key: typeFromJson(o.key, `${where}.key`), value: typeFromJson(o.value, `${where}.value`), nullable };
    default: {
      if (!Array.isArray(o.fields)) throw new TypeJsonError(`${where}: ROW without fields`);
      return { root: "ROW", fields: o.fields.map((f, i) => fieldFromJson(f, `${where}.fields[${i}]`)), nullable };
    }
  }
}

export function fieldFromJson(j: unknown, where = "field"): DataField {
  if (j === null || typeof j !== "object") throw new TypeJsonError(`${where}: expected an object`);
  const o = j as Record<string, unknown>;
  if (typeof o.id !== "number" || !Number.isInteger(o.id)) throw new TypeJsonError(`${where}: missing integer "id"`);
  if (typeof o.name !== "string") throw new TypeJsonError(`${where}: missing "name"`);
  const f: DataField = { id: o.id, name: o.name, type: typeFromJson(o.type, `${where} (${o.name})`) };
  if (typeof o.description === "string") f.description = o.description;
  if (typeof o.defaultValue === "string") f.defaultValue = o.defaultValue;
  return f;
}
