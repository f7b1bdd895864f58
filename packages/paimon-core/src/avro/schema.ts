/**
 * Avro schemas: parsing the JSON form into a tree of {@link AvroType} nodes, and printing
 * a tree back in the compact form of Java's `Schema.toString()` (the form Java puts in the
 * `avro.schema` header of a container file).
 */
import { JsonValue, isJsonObject, parseJson, quoteJsonString, stringifyJson } from "../util/json.js";

export type AvroPrimitiveKind = "null" | "boolean" | "int" | "long" | "float" | "double" | "bytes" | "string";

export interface AvroPrimitive {
  kind: AvroPrimitiveKind;
  logicalType?: string;
  /** Other attributes (e.g. `precision`, `scale`), kept for printing. */
  props?: Record<string, JsonValue>;
}

export interface AvroField {
  name: string;
  type: AvroType;
  /** The JSON default value, when the field declares one (`null` is a valid default). */
  default?: JsonValue;
  hasDefault: boolean;
  aliases?: string[];
  doc?: string;
}

export interface AvroRecord {
  kind: "record";
  name: string;
  namespace?: string;
  fullName: string;
  fields: AvroField[];
  doc?: string;
  aliases?: string[];
  props?: Record<string, JsonValue>;
}

export interface AvroEnum {
  kind: "enum";
  name: string;
  namespace?: string;
  fullName: string;
  symbols: string[];
  default?: string;
  doc?: string;
  props?: Record<string, JsonValue>;
}

export interface AvroFixed {
  kind: "fixed";
  name: string;
  namespace?: string;
  fullName: string;
  size: number;
  logicalType?: string;
  props?: Record<string, JsonValue>;
}

export interface AvroArray {
  kind: "array";
  items: AvroType;
  logicalType?: string;
  props?: Record<string, JsonValue>;
}

export interface AvroMap {
  kind: "map";
  values: AvroType;
  logicalType?: string;
  props?: Record<string, JsonValue>;
}

export interface AvroUnion {
  kind: "union";
  branches: AvroType[];
}

export type AvroNamed = AvroRecord | AvroEnum | AvroFixed;
export type AvroType = AvroPrimitive | AvroRecord | AvroEnum | AvroFixed | AvroArray | AvroMap | AvroUnion;

export class AvroSchemaError extends Error {
  override name = "AvroSchemaError";
}

const PRIMITIVES = new Set<string>(["null", "boolean", "int", "long", "float", "double", "bytes", "string"]);
const NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;

function splitName(name: string, ns: string | undefined): { name: string; namespace?: string; fullName: string } {
  const dot = name.lastIndexOf(".");
  if (dot >= 0) {
    const namespace = name.slice(0, dot);
    const simple = name.slice(dot + 1);
    return { name: simple, namespace: namespace || undefined, fullName: name };
  }
  return { name, namespace: ns || undefined, fullName: ns ? `${ns}.${name}` : name };
}

class SchemaParser {
  readonly named = new Map<string, AvroNamed>();

  parse(j: JsonValue | undefined, ns: string | undefined, where: string): AvroType {
    if (typeof j === "string") {
      if (PRIMITIVES.has(j)) return { kind: j as AvroPrimitiveKind };
      const full = j.includes(".") ? j : ns ? `${ns}.${j}` : j;
      const t = this.named.get(full) ?? this.named.get(j);
      if (!t) throw new AvroSchemaError(`${where}: unknown type ${JSON.stringify(j)}`);
      return t;
    }
    if (Array.isArray(j)) {
      const branches = j.map((b, i) => this.parse(b, ns, `${where}[${i}]`));
      const seen = new Set<string>();
      for (const b of branches) {
        if (b.kind === "union") throw new AvroSchemaError(`${where}: a union cannot directly contain a union`);
        const key = b.kind === "record" || b.kind === "enum" || b.kind === "fixed" ? b.fullName : b.kind;
        if (seen.has(key)) throw new AvroSchemaError(`${where}: duplicate ${key} in union`);
        seen.add(key);
      }
      return { kind: "union", branches };
    }
    if (!isJsonObject(j)) throw new AvroSchemaError(`${where}: invalid schema ${stringifyJson(j ?? null)}`);
    const type = j.type;
    const props = (skip: string[]): Record<string, JsonValue> | undefined => {
      const out: Record<string, JsonValue> = {};
      let any = false;
      for (const k of Object.keys(j)) {
        if (skip.includes(k)) continue;
        out[k] = j[k] as JsonValue;
        any = true;
      }
      return any ? out : undefined;
    };
    const logical = typeof j.logicalType === "string" ? j.logicalType : undefined;
    if (typeof type === "string" && PRIMITIVES.has(type)) {
      const t: AvroPrimitive = { kind: type as AvroPrimitiveKind };
      if (logical) t.logicalType = logical;
      const p = props(["type", "logicalType"]);
      if (p) t.props = p;
      return t;
    }
    switch (type) {
      case "record":
      case "error": {
        if (typeof j.name !== "string") throw new AvroSchemaError(`${where}: record without a name`);
        const n = splitName(j.name, typeof j.namespace === "string" ? j.namespace : ns);
        if (!NAME_RE.test(n.name)) throw new AvroSchemaError(`${where}: invalid record name ${JSON.stringify(n.name)}`);
        const rec: AvroRecord = { kind: "record", ...n, fields: [] };
        if (typeof j.doc === "string") rec.doc = j.doc;
        if (Array.isArray(j.aliases)) rec.aliases = j.aliases.filter((a): a is string => typeof a === "string");
        const p = props(["type", "name", "namespace", "fields", "doc", "aliases"]);
        if (p) rec.props = p;
        this.define(rec, where);
        if (!Array.isArray(j.fields)) throw new AvroSchemaError(`${where}: record ${n.fullName} without fields`);
        const names = new Set<string>();
        for (const [i, f] of j.fields.entries()) {
          if (!isJsonObject(f) || typeof f.name !== "string") throw new AvroSchemaError(`${where}.fields[${i}]: field without a name`);
          if (names.has(f.name)) throw new AvroSchemaError(`${where}: duplicate field ${f.name} in record ${n.fullName}`);
          names.add(f.name);
          const field: AvroField = {
            name: f.name,
            type: this.parse(f.type as JsonValue, n.namespace, `${where}.${f.name}`),
            hasDefault: Object.prototype.hasOwnProperty.call(f, "default"),
          };
          if (field.hasDefault) field.default = f.default as JsonValue;
          if (Array.isArray(f.aliases)) field.aliases = f.aliases.filter((a): a is string => typeof a === "string");
          if (typeof f.doc === "string") field.doc = f.doc;
          rec.fields.push(field);
        }
        return rec;
      }
      case "enum": {
        if (typeof j.name !== "string") throw new AvroSchemaError(`${where}: enum without a name`);
        if (!Array.isArray(j.symbols) || !j.symbols.every((s) => typeof s === "string")) throw new AvroSchemaError(`${where}: enum without symbols`);
        const n = splitName(j.name, typeof j.namespace === "string" ? j.namespace : ns);
        const e: AvroEnum = { kind: "enum", ...n, symbols: j.symbols as string[] };
        if (typeof j.default === "string") e.default = j.default;
        if (typeof j.doc === "string") e.doc = j.doc;
        const p = props(["type", "name", "namespace", "symbols", "default", "doc", "aliases"]);
        if (p) e.props = p;
        this.define(e, where);
        return e;
      }
      case "fixed": {
        if (typeof j.name !== "string") throw new AvroSchemaError(`${where}: fixed without a name`);
        if (typeof j.size !== "number" || !Number.isInteger(j.size) || j.size < 0) throw new AvroSchemaError(`${where}: fixed without a valid size`);
        const n = splitName(j.name, typeof j.namespace === "string" ? j.namespace : ns);
        const f: AvroFixed = { kind: "fixed", ...n, size: j.size };
        if (logical) f.logicalType = logical;
        const p = props(["type", "name", "namespace", "size", "logicalType", "aliases"]);
        if (p) f.props = p;
        this.define(f, where);
        return f;
      }
      case "array": {
        const a: AvroArray = { kind: "array", items: this.parse(j.items as JsonValue, ns, `${where}.items`) };
        if (logical) a.logicalType = logical;
        const p = props(["type", "items", "logicalType"]);
        if (p) a.props = p;
        return a;
      }
      case "map": {
        const m: AvroMap = { kind: "map", values: this.parse(j.values as JsonValue, ns, `${where}.values`) };
        if (logical) m.logicalType = logical;
        const p = props(["type", "values", "logicalType"]);
        if (p) m.props = p;
        return m;
      }
      default:
        // {"type": "someNamedType"} or {"type": {...}}
        if (typeof type === "string" || Array.isArray(type) || isJsonObject(type)) return this.parse(type as JsonValue, ns, where);
        throw new AvroSchemaError(`${where}: invalid type ${stringifyJson((type as JsonValue) ?? null)}`);
    }
  }

  define(t: AvroNamed, where: string): void {
    if (this.named.has(t.fullName)) throw new AvroSchemaError(`${where}: type ${t.fullName} is defined twice`);
    this.named.set(t.fullName, t);
  }
}

/** Parses an Avro schema from its JSON text or an already-parsed JSON value. */
export function parseAvroSchema(schema: string | JsonValue): AvroType {
  let j: JsonValue;
  if (typeof schema === "string") {
    const s = schema.trim();
    // a bare primitive name is valid schema text too
    try {
      j = PRIMITIVES.has(s) ? s : parseJson(s);
    } catch (e) {
      throw new AvroSchemaError(`invalid schema JSON: ${(e as Error).message}`);
    }
  } else {
    j = schema;
  }
  return new SchemaParser().parse(j, undefined, "schema");
}

// ------------------------------------------------------------------ printing

function writeProps(p: Record<string, JsonValue> | undefined, out: string[]): void {
  if (!p) return;
  for (const [k, v] of Object.entries(p)) out.push(",", quoteJsonString(k), ":", stringifyJson(v));
}

function printType(t: AvroType, ns: string | undefined, known: Set<string>, out: string[]): void {
  switch (t.kind) {
    case "union":
      out.push("[");
      t.branches.forEach((b, i) => {
        if (i > 0) out.push(",");
        printType(b, ns, known, out);
      });
      out.push("]");
      return;
    case "record":
    case "enum":
    case "fixed": {
      if (known.has(t.fullName)) {
        out.push(quoteJsonString(t.namespace === ns ? t.name : t.fullName));
        return;
      }
      known.add(t.fullName);
      out.push('{"type":', quoteJsonString(t.kind), ',"name":', quoteJsonString(t.name));
      if (t.namespace !== ns && t.namespace !== undefined) out.push(',"namespace":', quoteJsonString(t.namespace));
      if (t.kind === "record") {
        if (t.doc !== undefined) out.push(',"doc":', quoteJsonString(t.doc));
        out.push(',"fields":[');
        t.fields.forEach((f, i) => {
          if (i > 0) out.push(",");
          out.push('{"name":', quoteJsonString(f.name), ',"type":');
          printType(f.type, t.namespace, known, out);
          if (f.doc !== undefined) out.push(',"doc":', quoteJsonString(f.doc));
          if (f.hasDefault) out.push(',"default":', stringifyJson(f.default ?? null));
          if (f.aliases?.length) out.push(',"aliases":', stringifyJson(f.aliases));
          out.push("}");
        });
        out.push("]");
        if (t.aliases?.length) out.push(',"aliases":', stringifyJson(t.aliases));
      } else if (t.kind === "enum") {
        if (t.doc !== undefined) out.push(',"doc":', quoteJsonString(t.doc));
        out.push(',"symbols":', stringifyJson(t.symbols));
        if (t.default !== undefined) out.push(',"default":', quoteJsonString(t.default));
      } else {
        out.push(',"size":', String(t.size));
        if (t.logicalType) out.push(',"logicalType":', quoteJsonString(t.logicalType));
      }
      writeProps(t.props, out);
      out.push("}");
      return;
    }
    case "array":
      out.push('{"type":"array","items":');
      printType(t.items, ns, known, out);
      if (t.logicalType) out.push(',"logicalType":', quoteJsonString(t.logicalType));
      writeProps(t.props, out);
      out.push("}");
      return;
    case "map":
      out.push('{"type":"map","values":');
      printType(t.values, ns, known, out);
      if (t.logicalType) out.push(',"logicalType":', quoteJsonString(t.logicalType));
      writeProps(t.props, out);
      out.push("}");
      return;
    default:
      if (!t.logicalType && !t.props) {
        out.push(quoteJsonString(t.kind));
        return;
      }
      out.push('{"type":', quoteJsonString(t.kind));
      if (t.logicalType) out.push(',"logicalType":', quoteJsonString(t.logicalType));
      writeProps(t.props, out);
      out.push("}");
  }
}

/**
 * Prints a schema in the compact form of Java's `Schema.toString()`: `type`, `name`,
 * `namespace` (only where it differs from the enclosing one), `fields` with `name`, `type`,
 * `default`; logical types as `{"type":"long","logicalType":"timestamp-millis"}`; a named
 * type that was already printed is referenced by name.
 */
export function avroSchemaToJson(t: AvroType): string {
  const out: string[] = [];
  printType(t, undefined, new Set(), out);
  return out.join("");
}

/** True if the union is `["null", T]` or `[T, "null"]`; returns the index of the null branch or -1. */
export function nullBranchIndex(t: AvroType): number {
  return t.kind === "union" ? t.branches.findIndex((b) => b.kind === "null") : -1;
}
