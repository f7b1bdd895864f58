/**
 * Schema-driven Avro datum readers and writers, compiled once per schema into closures.
 *
 * Values:
 * | Avro            | JS                                              |
 * |-----------------|-------------------------------------------------|
 * | null            | `null`                                          |
 * | boolean         | `boolean`                                       |
 * | int             | `number`                                        |
 * | long            | `bigint` (writers also accept safe-integer numbers) |
 * | float, double   | `number`                                        |
 * | bytes, fixed    | `Uint8Array`                                    |
 * | string, enum    | `string`                                        |
 * | array           | `Array`                                         |
 * | map             | `Map<string, V>` (writers also accept plain objects) |
 * | record          | plain object keyed by field name                |
 * | union           | the value of the selected branch, unwrapped     |
 *
 * Reading with a reader schema applies Avro schema resolution: record fields are matched
 * **by name** (and reader-field aliases); writer fields unknown to the reader are skipped;
 * reader fields missing in the writer get their default, or `null` when their type is a
 * union containing null; record names are not compared; numeric promotions
 * int→long→float→double and string↔bytes apply; unions are resolved branch by branch.
 */
import { JsonValue, isJsonObject, stringifyJson } from "../util/json.js";
import { AvroDecoder, AvroEncoder } from "./binary.js";
import { AvroField, AvroRecord, AvroType, AvroUnion } from "./schema.js";

export type DatumReader = (d: AvroDecoder) => unknown;
export type DatumSkipper = (d: AvroDecoder) => void;
export type DatumWriter = (e: AvroEncoder, v: unknown) => void;

export class AvroResolutionError extends Error {
  override name = "AvroResolutionError";
}

export class AvroEncodeError extends Error {
  override name = "AvroEncodeError";
  constructor(
    message: string,
    readonly path: string[] = [],
  ) {
    super(message);
  }
}

function typeName(t: AvroType): string {
  return t.kind === "record" || t.kind === "enum" || t.kind === "fixed" ? t.fullName : t.kind;
}

// ------------------------------------------------------------------ skipping

function compileSkipper(t: AvroType, cache: Map<AvroType, DatumSkipper>): DatumSkipper {
  const hit = cache.get(t);
  if (hit) return hit;
  let fn: DatumSkipper;
  // placeholder for recursive types
  cache.set(t, (d) => fn(d));
  switch (t.kind) {
    case "null":
      fn = () => {};
      break;
    case "boolean":
      fn = (d) => d.skip(1);
      break;
    case "int":
      fn = (d) => void d.readInt();
      break;
    case "long":
      fn = (d) => void d.readLong();
      break;
    case "float":
      fn = (d) => d.skip(4);
      break;
    case "double":
      fn = (d) => d.skip(8);
      break;
    case "bytes":
    case "string":
      fn = (d) => d.skipBytes();
      break;
    case "fixed": {
      const n = t.size;
      fn = (d) => d.skip(n);
      break;
    }
    case "enum":
      fn = (d) => void d.readInt();
      break;
    case "array":
    case "map": {
      const isMap = t.kind === "map";
      const item = compileSkipper(t.kind === "array" ? t.items : t.values, cache);
      fn = (d) => {
        for (;;) {
          let n = d.readLongAsNumber("block count");
          if (n === 0) return;
          if (n < 0) {
            const size = d.readLongAsNumber("block size");
            d.skip(size);
            continue;
          }
          for (; n > 0; n--) {
            if (isMap) d.skipBytes();
            item(d);
          }
        }
      };
      break;
    }
    case "record": {
      const fields = t.fields.map((f) => compileSkipper(f.type, cache));
      fn = (d) => {
        for (let i = 0; i < fields.length; i++) fields[i](d);
      };
      break;
    }
    case "union": {
      const branches = t.branches.map((b) => compileSkipper(b, cache));
      fn = (d) => {
        const i = d.readInt();
        const b = branches[i];
        if (!b) throw new AvroResolutionError(`union branch index ${i} out of range`);
        b(d);
      };
      break;
    }
  }
  cache.set(t, fn);
  return fn;
}

// ------------------------------------------------------------------ defaults

/** Converts a JSON default value (as written in a schema) to the JS value of `t`. */
export function defaultValue(t: AvroType, j: JsonValue | undefined, where: string): unknown {
  const bad = (): never => {
    throw new AvroResolutionError(`${where}: default ${stringifyJson(j ?? null)} does not match type ${typeName(t)}`);
  };
  switch (t.kind) {
    case "null":
      return j === null ? null : bad();
    case "boolean":
      return typeof j === "boolean" ? j : bad();
    case "int":
      return typeof j === "number" && Number.isInteger(j) ? j : bad();
    case "long":
      return typeof j === "bigint" ? j : typeof j === "number" && Number.isInteger(j) ? BigInt(j) : bad();
    case "float":
    case "double":
      return typeof j === "number" ? j : typeof j === "bigint" ? Number(j) : bad();
    case "string":
      return typeof j === "string" ? j : bad();
    case "enum":
      return typeof j === "string" && t.symbols.includes(j) ? j : bad();
    case "bytes":
    case "fixed": {
      if (typeof j !== "string") return bad();
      const out = new Uint8Array(j.length);
      for (let i = 0; i < j.length; i++) out[i] = j.charCodeAt(i) & 0xff;
      return out;
    }
    case "array":
      return Array.isArray(j) ? j.map((x, i) => defaultValue(t.items, x, `${where}[${i}]`)) : bad();
    case "map":
      return isJsonObject(j) ? new Map(Object.entries(j).map(([k, v]) => [k, defaultValue(t.values, v as JsonValue, `${where}.${k}`)])) : bad();
    case "record": {
      if (!isJsonObject(j)) return bad();
      const o: Record<string, unknown> = {};
      for (const f of t.fields) {
        if (Object.prototype.hasOwnProperty.call(j, f.name)) o[f.name] = defaultValue(f.type, j[f.name] as JsonValue, `${where}.${f.name}`);
        else if (f.hasDefault) o[f.name] = defaultValue(f.type, f.default, `${where}.${f.name}`);
        else bad();
      }
      return o;
    }
    case "union":
      // the default of a union belongs to its first branch (Avro spec); accept any branch
      for (const b of t.branches) {
        try {
          return defaultValue(b, j, where);
        } catch {
          // try the next branch
        }
      }
      return bad();
  }
}

// ------------------------------------------------------------------ reading

interface Ctx {
  readers: Map<AvroType, Map<AvroType | undefined, DatumReader>>;
  skippers: Map<AvroType, DatumSkipper>;
}

function cached(ctx: Ctx, w: AvroType, r: AvroType | undefined, make: (self: { fn?: DatumReader }) => DatumReader): DatumReader {
  let byReader = ctx.readers.get(w);
  if (!byReader) ctx.readers.set(w, (byReader = new Map()));
  const hit = byReader.get(r);
  if (hit) return hit;
  const self: { fn?: DatumReader } = {};
  byReader.set(r, (d) => self.fn!(d));
  self.fn = make(self);
  byReader.set(r, self.fn);
  return self.fn;
}

/** Can values of writer type `w` be read as reader type `r` (shallow check, for union branch matching)? */
function matches(w: AvroType, r: AvroType): boolean {
  if (w.kind === r.kind) {
    if (w.kind === "fixed") return w.size === (r as typeof w).size && (w.name === (r as typeof w).name || w.fullName === (r as typeof w).fullName);
    if (w.kind === "enum") return w.name === (r as typeof w).name || w.fullName === (r as typeof w).fullName;
    return true;
  }
  return promotable(w, r);
}

function promotable(w: AvroType, r: AvroType): boolean {
  switch (w.kind) {
    case "int":
      return r.kind === "long" || r.kind === "float" || r.kind === "double";
    case "long":
      return r.kind === "float" || r.kind === "double";
    case "float":
      return r.kind === "double";
    case "string":
      return r.kind === "bytes";
    case "bytes":
      return r.kind === "string";
    default:
      return false;
  }
}

function pickReaderBranch(w: AvroType, r: AvroUnion): AvroType | undefined {
  // exact kind/name first, then by-kind for records (names are not compared), then promotions
  const exact = r.branches.find((b) => b.kind === w.kind && typeName(b) === typeName(w));
  if (exact) return exact;
  const sameKind = r.branches.find((b) => b.kind === w.kind && matches(w, b));
  if (sameKind) return sameKind;
  if (w.kind === "record") return r.branches.find((b) => b.kind === "record");
  return r.branches.find((b) => promotable(w, b));
}

const utf8 = new TextDecoder("utf-8");
const utf8e = new TextEncoder();

function compileReader(w: AvroType, r: AvroType | undefined, ctx: Ctx, where: string): DatumReader {
  return cached(ctx, w, r, () => {
    if (w.kind === "union") {
      const branches = w.branches.map((wb, i) => {
        let rb: AvroType | undefined;
        if (r === undefined) rb = undefined;
        else if (r.kind === "union") rb = pickReaderBranch(wb, r);
        else rb = matches(wb, r) || (wb.kind === "record" && r.kind === "record") ? r : undefined;
        if (r !== undefined && rb === undefined) {
          const msg = `${where}: writer union branch ${i} (${typeName(wb)}) has no counterpart in the reader type ${typeName(r)}`;
          return (() => {
            throw new AvroResolutionError(msg);
          }) as DatumReader;
        }
        return compileReader(wb, rb, ctx, where);
      });
      return (d) => {
        const i = d.readInt();
        const b = branches[i];
        if (!b) throw new AvroResolutionError(`${where}: union branch index ${i} out of range`);
        return b(d);
      };
    }
    if (r !== undefined && r.kind === "union") {
      const rb = pickReaderBranch(w, r);
      if (!rb) throw new AvroResolutionError(`${where}: writer type ${typeName(w)} matches no branch of the reader union`);
      return compileReader(w, rb, ctx, where);
    }
    if (r !== undefined && r.kind !== w.kind && !(promotable(w, r))) {
      throw new AvroResolutionError(`${where}: writer type ${typeName(w)} cannot be read as ${typeName(r)}`);
    }
    switch (w.kind) {
      case "null":
        return () => null;
      case "boolean":
        return (d) => d.readBoolean();
      case "int":
        if (r?.kind === "long") return (d) => BigInt(d.readInt());
        return (d) => d.readInt();
      case "long":
        if (r?.kind === "float" || r?.kind === "double") return (d) => Number(d.readLong());
        return (d) => d.readLong();
      case "float":
        return (d) => d.readFloat();
      case "double":
        return (d) => d.readDouble();
      case "bytes":
        if (r?.kind === "string") return (d) => utf8.decode(d.readBytes());
        return (d) => d.readBytes();
      case "string":
        if (r?.kind === "bytes") return (d) => utf8e.encode(d.readString());
        return (d) => d.readString();
      case "fixed": {
        if (r && r.kind === "fixed" && r.size !== w.size) throw new AvroResolutionError(`${where}: fixed size ${w.size} cannot be read as size ${r.size}`);
        const n = w.size;
        return (d) => d.readFixed(n);
      }
      case "enum": {
        const symbols = w.symbols;
        if (r && r.kind === "enum") {
          const rs = new Set(r.symbols);
          const dflt = r.default;
          return (d) => {
            const i = d.readInt();
            const s = symbols[i];
            if (s === undefined) throw new AvroResolutionError(`${where}: enum index ${i} out of range`);
            if (rs.has(s)) return s;
            if (dflt !== undefined) return dflt;
            throw new AvroResolutionError(`${where}: enum symbol ${s} unknown to the reader`);
          };
        }
        return (d) => {
          const i = d.readInt();
          const s = symbols[i];
          if (s === undefined) throw new AvroResolutionError(`${where}: enum index ${i} out of range`);
          return s;
        };
      }
      case "array": {
        const item = compileReader(w.items, r ? (r as typeof w).items : undefined, ctx, `${where}[]`);
        return (d) => {
          const out: unknown[] = [];
          for (;;) {
            let n = d.readLongAsNumber("array block count");
            if (n === 0) return out;
            if (n < 0) {
              d.readLongAsNumber("array block size");
              n = -n;
            }
            for (; n > 0; n--) out.push(item(d));
          }
        };
      }
      case "map": {
        const val = compileReader(w.values, r ? (r as typeof w).values : undefined, ctx, `${where}{}`);
        return (d) => {
          const out = new Map<string, unknown>();
          for (;;) {
            let n = d.readLongAsNumber("map block count");
            if (n === 0) return out;
            if (n < 0) {
              d.readLongAsNumber("map block size");
              n = -n;
            }
            for (; n > 0; n--) {
              const k = d.readString();
              out.set(k, val(d));
            }
          }
        };
      }
      case "record":
        return compileRecordReader(w, r as AvroRecord | undefined, ctx, where);
    }
  });
}

function compileRecordReader(w: AvroRecord, r: AvroRecord | undefined, ctx: Ctx, where: string): DatumReader {
  if (!r) {
    const names = w.fields.map((f) => f.name);
    const readers = w.fields.map((f) => compileReader(f.type, undefined, ctx, `${where}.${f.name}`));
    const n = names.length;
    return (d) => {
      const o: Record<string, unknown> = {};
      for (let i = 0; i < n; i++) o[names[i]] = readers[i](d);
      return o;
    };
  }
  const byName = new Map<string, AvroField>();
  for (const f of r.fields) {
    byName.set(f.name, f);
    for (const a of f.aliases ?? []) if (!byName.has(a)) byName.set(a, f);
  }
  const steps: { name?: string; read?: DatumReader; skip?: DatumSkipper }[] = [];
  const present = new Set<string>();
  for (const wf of w.fields) {
    const rf = byName.get(wf.name);
    if (rf && !present.has(rf.name)) {
      present.add(rf.name);
      steps.push({ name: rf.name, read: compileReader(wf.type, rf.type, ctx, `${where}.${rf.name}`) });
    } else {
      steps.push({ skip: compileSkipper(wf.type, ctx.skippers) });
    }
  }
  const fills: { name: string; value: unknown }[] = [];
  for (const rf of r.fields) {
    if (present.has(rf.name)) continue;
    if (rf.hasDefault) fills.push({ name: rf.name, value: defaultValue(rf.type, rf.default, `${where}.${rf.name}`) });
    else if (rf.type.kind === "union" && rf.type.branches.some((b) => b.kind === "null")) fills.push({ name: rf.name, value: null });
    else throw new AvroResolutionError(`${where}: field ${rf.name} is missing in the writer schema and has no default`);
  }
  const immutable = (v: unknown): boolean => v === null || typeof v !== "object";
  const generated = generateRecordReader(steps, fills, immutable);
  if (generated) return generated;
  return (d) => {
    const o: Record<string, unknown> = {};
    for (let i = 0; i < steps.length; i++) {
      const s = steps[i];
      if (s.read) o[s.name!] = s.read(d);
      else s.skip!(d);
    }
    for (let i = 0; i < fills.length; i++) {
      const f = fills[i];
      o[f.name] = immutable(f.value) ? f.value : structuredClone(f.value);
    }
    return o;
  };
}

/**
 * Generates `d => { const v0 = r0(d); s1(d); …; return { "a": v0, …, "filled": c0() } }`:
 * one object literal per record type gives every decoded record the same hidden class,
 * which is several times faster than adding properties one by one. Field names are
 * embedded as JSON string literals. Returns undefined where code generation is unavailable.
 */
function generateRecordReader(
  steps: { name?: string; read?: DatumReader; skip?: DatumSkipper }[],
  fills: { name: string; value: unknown }[],
  immutable: (v: unknown) => boolean,
): DatumReader | undefined {
  const fns: unknown[] = [];
  const body: string[] = [];
  const props: string[] = [];
  steps.forEach((st, i) => {
    fns.push(st.read ?? st.skip);
    if (st.read) {
      body.push(`const v${i} = f${i}(d);`);
      props.push(`${JSON.stringify(st.name)}: v${i}`);
    } else {
      body.push(`f${i}(d);`);
    }
  });
  fills.forEach((f, j) => {
    const i = steps.length + j;
    fns.push(f.value);
    props.push(`${JSON.stringify(f.name)}: ${immutable(f.value) ? `f${i}` : `structuredClone(f${i})`}`);
  });
  const params = fns.map((_, i) => `f${i}`);
  try {
    const factory = new Function(...params, `return function readRecord(d) { ${body.join(" ")} return { ${props.join(", ")} }; };`);
    return factory(...fns) as DatumReader;
  } catch {
    return undefined;
  }
}

/**
 * Compiles a reader for data written with `writer`; with `reader`, the result has the shape
 * of the reader schema (see the module comment for the resolution rules).
 */
export function createDatumReader(writer: AvroType, reader?: AvroType): DatumReader {
  return compileReader(writer, reader, { readers: new Map(), skippers: new Map() }, "$");
}

export function createDatumSkipper(t: AvroType): DatumSkipper {
  return compileSkipper(t, new Map());
}

// ------------------------------------------------------------------ writing

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v) && !(v instanceof Uint8Array) && !(v instanceof Map);
}

function valueMatches(t: AvroType, v: unknown): boolean {
  switch (t.kind) {
    case "null":
      return v === null || v === undefined;
    case "boolean":
      return typeof v === "boolean";
    case "int":
      return typeof v === "number" && Number.isInteger(v) && v >= -2147483648 && v <= 2147483647;
    case "long":
      return typeof v === "bigint" || (typeof v === "number" && Number.isSafeInteger(v));
    case "float":
    case "double":
      return typeof v === "number";
    case "bytes":
      return v instanceof Uint8Array;
    case "fixed":
      return v instanceof Uint8Array && v.length === t.size;
    case "string":
      return typeof v === "string";
    case "enum":
      return typeof v === "string" && t.symbols.includes(v);
    case "array":
      return Array.isArray(v);
    case "map":
      return v instanceof Map || isPlainObject(v);
    case "record":
      return isPlainObject(v);
    case "union":
      return t.branches.some((b) => valueMatches(b, v));
  }
}

function describeValue(v: unknown): string {
  if (v === undefined) return "undefined";
  if (v === null) return "null";
  if (typeof v === "bigint") return `${v}n`;
  if (v instanceof Uint8Array) return `Uint8Array(${v.length})`;
  if (typeof v === "string") return JSON.stringify(v.length > 40 ? v.slice(0, 40) + "…" : v);
  if (typeof v === "object") return Array.isArray(v) ? `array(${v.length})` : "object";
  return String(v);
}

function fail(t: AvroType, v: unknown): never {
  throw new AvroEncodeError(`expected ${typeName(t)}, got ${describeValue(v)}`);
}

function compileWriter(t: AvroType, cache: Map<AvroType, DatumWriter>): DatumWriter {
  const hit = cache.get(t);
  if (hit) return hit;
  let fn: DatumWriter;
  cache.set(t, (e, v) => fn(e, v));
  switch (t.kind) {
    case "null":
      fn = (_e, v) => {
        if (v !== null && v !== undefined) fail(t, v);
      };
      break;
    case "boolean":
      fn = (e, v) => (typeof v === "boolean" ? e.writeBoolean(v) : fail(t, v));
      break;
    case "int":
      fn = (e, v) => (typeof v === "number" && (v | 0) === v ? e.writeInt(v) : fail(t, v));
      break;
    case "long":
      fn = (e, v) => {
        if (typeof v === "bigint") e.writeLong(v);
        else if (typeof v === "number" && Number.isSafeInteger(v)) e.writeLong(v);
        else fail(t, v);
      };
      break;
    case "float":
      fn = (e, v) => (typeof v === "number" ? e.writeFloat(v) : fail(t, v));
      break;
    case "double":
      fn = (e, v) => (typeof v === "number" ? e.writeDouble(v) : fail(t, v));
      break;
    case "bytes":
      fn = (e, v) => (v instanceof Uint8Array ? e.writeBytes(v) : fail(t, v));
      break;
    case "string":
      fn = (e, v) => (typeof v === "string" ? e.writeString(v) : fail(t, v));
      break;
    case "fixed": {
      const n = t.size;
      fn = (e, v) => (v instanceof Uint8Array && v.length === n ? e.writeFixed(v) : fail(t, v));
      break;
    }
    case "enum": {
      const idx = new Map(t.symbols.map((s, i) => [s, i]));
      fn = (e, v) => {
        const i = typeof v === "string" ? idx.get(v) : undefined;
        if (i === undefined) fail(t, v);
        e.writeInt(i);
      };
      break;
    }
    case "array": {
      const item = compileWriter(t.items, cache);
      fn = (e, v) => {
        if (!Array.isArray(v)) fail(t, v);
        if (v.length > 0) {
          e.writeLong(v.length);
          for (let i = 0; i < v.length; i++) {
            try {
              item(e, v[i]);
            } catch (err) {
              throw withPath(err, `[${i}]`);
            }
          }
        }
        e.writeLong(0);
      };
      break;
    }
    case "map": {
      const val = compileWriter(t.values, cache);
      fn = (e, v) => {
        const entries = v instanceof Map ? [...v.entries()] : isPlainObject(v) ? Object.entries(v) : fail(t, v);
        if (entries.length > 0) {
          e.writeLong(entries.length);
          for (const [k, x] of entries) {
            if (typeof k !== "string") throw new AvroEncodeError(`map key must be a string, got ${describeValue(k)}`);
            e.writeString(k);
            try {
              val(e, x);
            } catch (err) {
              throw withPath(err, `{${k}}`);
            }
          }
        }
        e.writeLong(0);
      };
      break;
    }
    case "record": {
      const fields = t.fields.map((f) => ({
        name: f.name,
        write: compileWriter(f.type, cache),
        fallback: f.hasDefault ? { v: defaultValue(f.type, f.default, f.name) } : f.type.kind === "null" ? { v: null } : undefined,
      }));
      fn = (e, v) => {
        if (!isPlainObject(v)) fail(t, v);
        for (let i = 0; i < fields.length; i++) {
          const f = fields[i];
          let x = v[f.name];
          if (x === undefined) {
            if (!f.fallback) throw new AvroEncodeError(`missing value for field ${f.name}`);
            x = f.fallback.v;
          }
          try {
            f.write(e, x);
          } catch (err) {
            throw withPath(err, f.name);
          }
        }
      };
      break;
    }
    case "union": {
      const writers = t.branches.map((b) => compileWriter(b, cache));
      const nullIdx = t.branches.findIndex((b) => b.kind === "null");
      // the common Paimon case ["null", T] gets a direct path
      if (t.branches.length === 2 && nullIdx >= 0) {
        const other = 1 - nullIdx;
        const w = writers[other];
        fn = (e, v) => {
          if (v === null || v === undefined) e.writeInt(nullIdx);
          else {
            e.writeInt(other);
            w(e, v);
          }
        };
      } else {
        fn = (e, v) => {
          const i = v === null || v === undefined ? nullIdx : t.branches.findIndex((b) => b.kind !== "null" && valueMatches(b, v));
          if (i < 0) fail(t, v);
          e.writeInt(i);
          writers[i](e, v);
        };
      }
      break;
    }
  }
  cache.set(t, fn);
  return fn;
}

function withPath(err: unknown, seg: string): unknown {
  if (err instanceof AvroEncodeError) {
    const path = [seg, ...err.path];
    const base = err.message.replace(/^at [^:]*: /, "");
    return new AvroEncodeError(`at ${path.join(".").replace(/\.\[/g, "[")}: ${base}`, path);
  }
  return err;
}

/** Compiles a writer for values of schema `t`; errors name the path of the bad value. */
export function createDatumWriter(t: AvroType): DatumWriter {
  return compileWriter(t, new Map());
}
