/**
 * Test helpers for the data-file format tests: the canonical JSON encoding of
 * /work/shared/fixtures/pypaimon/ENCODING.md (to compare what we read with the fixtures'
 * expected rows), fixture lookup, and a strict deep-equality for internal values.
 */
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fieldFromJson } from "../src/types/json.js";
import type { DataField, DataType } from "../src/types/datatype.js";
import type { InternalValue, MapValue, Timestamp } from "../src/data/values.js";
import type { ColumnBatch } from "../src/data/vector.js";
import { batchRows } from "../src/data/vector.js";

export const SHARED = join(__dirname, "../../../../shared");
export const FIXTURES = join(SHARED, "fixtures/pypaimon");
export const WAREHOUSE = join(FIXTURES, "warehouse/fx.db");

// ---------------------------------------------------------------------------------------
// Canonical encoding

const MILLIS_PER_DAY = 86_400_000n;

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b < 0n ? q - 1n : q;
}

function isoDate(days: bigint): string {
  const d = new Date(Number(days * MILLIS_PER_DAY));
  const y = d.getUTCFullYear();
  const yy = y < 0 ? "-" + String(-y).padStart(4, "0") : String(y).padStart(4, "0");
  return `${yy}-${String(d.getUTCMonth() + 1).padStart(2, "0")}-${String(d.getUTCDate()).padStart(2, "0")}`;
}

function timeOfDay(nanosOfDay: bigint, p: number): string {
  const secs = Number(nanosOfDay / 1_000_000_000n);
  const frac = (nanosOfDay % 1_000_000_000n).toString().padStart(9, "0");
  const hh = String(Math.floor(secs / 3600)).padStart(2, "0");
  const mm = String(Math.floor(secs / 60) % 60).padStart(2, "0");
  const ss = String(secs % 60).padStart(2, "0");
  return `${hh}:${mm}:${ss}` + (p > 0 ? "." + frac.slice(0, p) : "");
}

export function decimalString(u: bigint, s: number): string {
  const neg = u < 0n;
  let digits = (neg ? -u : u).toString();
  if (digits.length < s + 1) digits = digits.padStart(s + 1, "0");
  const int = digits.slice(0, digits.length - s);
  const frac = s > 0 ? "." + digits.slice(digits.length - s) : "";
  return (neg ? "-" : "") + int + frac;
}

function floatJson(x: number): number | string {
  if (Number.isNaN(x)) return "NaN";
  if (x === Infinity) return "Infinity";
  if (x === -Infinity) return "-Infinity";
  return x;
}

function byCodePoint(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
}

/** The canonical JSON value of an internal value of type `t` (ENCODING.md). */
export function canonical(v: InternalValue, t: DataType): unknown {
  if (v === null || v === undefined) return null;
  switch (t.root) {
    case "BOOLEAN":
    case "TINYINT":
    case "SMALLINT":
    case "INT":
    case "CHAR":
    case "VARCHAR":
      return v;
    case "BIGINT":
      return (v as bigint).toString();
    case "FLOAT":
    case "DOUBLE":
      return floatJson(v as number);
    case "DECIMAL":
      return decimalString(v as bigint, t.scale);
    case "BINARY":
    case "VARBINARY":
      return Buffer.from(v as Uint8Array).toString("base64");
    case "DATE":
      return isoDate(BigInt(v as number));
    case "TIME":
      return timeOfDay(BigInt(v as number) * 1_000_000n, t.precision);
    case "TIMESTAMP":
    case "TIMESTAMP_LTZ": {
      const ts = v as Timestamp;
      const nanos = ts.millis * 1_000_000n + BigInt(ts.nanoOfMilli);
      const dayNanos = MILLIS_PER_DAY * 1_000_000n;
      const days = floorDiv(nanos, dayNanos);
      const s = `${isoDate(days)}T${timeOfDay(nanos - days * dayNanos, t.precision)}`;
      return t.root === "TIMESTAMP_LTZ" ? s + "Z" : s;
    }
    case "ARRAY":
      return (v as InternalValue[]).map((e) => canonical(e, t.element));
    case "MAP":
    case "MULTISET": {
      const m = v as MapValue;
      const kt = t.root === "MAP" ? t.key : t.element;
      const vt: DataType = t.root === "MAP" ? t.value : { root: "INT", nullable: false };
      const pairs = m.keys.map((k, i) => [canonical(k, kt), canonical(m.values[i], vt)] as [unknown, unknown]);
      pairs.sort((p, q) => byCodePoint(JSON.stringify(p[0]), JSON.stringify(q[0])));
      return pairs;
    }
    case "ROW": {
      const r = v as InternalValue[];
      const o: Record<string, unknown> = {};
      t.fields.forEach((f, i) => (o[f.name] = canonical(r[i], f.type)));
      return o;
    }
  }
}

/** Canonical row objects of a batch for the given fields (positional). */
export function canonicalRows(batch: ColumnBatch, fields: DataField[]): Record<string, unknown>[] {
  return batchRows(batch).map((row) => {
    const o: Record<string, unknown> = {};
    fields.forEach((f, i) => (o[f.name] = canonical(row[i], f.type)));
    return o;
  });
}

function sortedStringify(x: unknown): string {
  if (Array.isArray(x)) return "[" + x.map(sortedStringify).join(",") + "]";
  if (x !== null && typeof x === "object") {
    const o = x as Record<string, unknown>;
    return "{" + Object.keys(o).sort().map((k) => JSON.stringify(k) + ":" + sortedStringify(o[k])).join(",") + "}";
  }
  return JSON.stringify(x);
}

/** Rows as a sorted list of canonical texts: equal lists ⇔ equal multisets of rows. */
export function rowMultiset(rows: unknown[]): string[] {
  return rows.map(sortedStringify).sort();
}

// ---------------------------------------------------------------------------------------
// Fixtures

export interface LiveFile {
  partition: Record<string, unknown>;
  bucket: number;
  level: number;
  rowCount: number;
  schemaId: number;
  fileName: string;
}

export interface Expected {
  table: string;
  schemaId: number;
  schema: { fields: unknown[]; primaryKeys: string[]; partitionKeys: string[]; options: Record<string, string> };
  rows: Record<string, unknown>[];
  liveFiles: LiveFile[];
}

export function loadExpected(table: string): Expected {
  return JSON.parse(readFileSync(join(FIXTURES, "expected", `fx.${table}.json`), "utf8")) as Expected;
}

export function schemaFields(table: string, schemaId: number): DataField[] {
  const json = JSON.parse(readFileSync(join(WAREHOUSE, table, "schema", `schema-${schemaId}`), "utf8")) as { fields: unknown[] };
  return json.fields.map((f, i) => fieldFromJson(f, `fields[${i}]`));
}

/** Finds a data file by name anywhere under the table directory (partition/bucket dirs). */
export function findDataFile(table: string, fileName: string): string {
  const stack = [join(WAREHOUSE, table)];
  while (stack.length) {
    const dir = stack.pop()!;
    for (const e of readdirSync(dir)) {
      const p = join(dir, e);
      if (e === fileName) return p;
      if (statSync(p).isDirectory()) stack.push(p);
    }
  }
  throw new Error(`data file ${fileName} not found in ${table}`);
}

export function listDataFiles(table: string): string[] {
  const out: string[] = [];
  const stack = [join(WAREHOUSE, table)];
  while (stack.length) {
    const dir = stack.pop()!;
    if (!existsSync(dir)) continue;
    for (const e of readdirSync(dir)) {
      const p = join(dir, e);
      if (statSync(p).isDirectory()) stack.push(p);
      else if (e.startsWith("data-")) out.push(p);
    }
  }
  return out.sort();
}

// ---------------------------------------------------------------------------------------
// Strict equality of internal values (NaN = NaN, -0 ≠ 0, bytes by content)

export function sameValue(a: InternalValue, b: InternalValue): boolean {
  if (a === null || b === null) return a === b;
  if (typeof a === "number" || typeof b === "number") return Object.is(a, b);
  if (typeof a !== "object" || typeof b !== "object") return a === b;
  if (a instanceof Uint8Array || b instanceof Uint8Array) {
    return a instanceof Uint8Array && b instanceof Uint8Array && Buffer.compare(Buffer.from(a), Buffer.from(b)) === 0;
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => sameValue(x, b[i]));
  }
  if ("millis" in a || "millis" in b) {
    const x = a as Timestamp;
    const y = b as Timestamp;
    return x.millis === y.millis && x.nanoOfMilli === y.nanoOfMilli;
  }
  const m = a as MapValue;
  const n = b as MapValue;
  return sameValue(m.keys, n.keys) && sameValue(m.values, n.values);
}

/** A readable form of an internal value for failure messages. */
export function show(v: unknown): string {
  return JSON.stringify(v, (_k, x) =>
    typeof x === "bigint" ? `${x}n` : x instanceof Uint8Array ? `bytes:${Buffer.from(x).toString("hex")}` : typeof x === "number" && !Number.isFinite(x) ? String(x) : Object.is(x, -0) ? "-0" : x,
  );
}
