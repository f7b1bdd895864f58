/**
 * Test-only helpers for the read tests: a FileIO that counts the data-file reads, a
 * reference (tree-walking, three-valued) evaluator of predicates independent of
 * `BoundPredicate`, a deterministic random predicate generator, and canonical row keys.
 */
import type { FileIO, FileStatus, OutputSink, WriteOptions } from "@paimon-ts/fileio";
import { canonicalEncode } from "../src/data/canonical.js";
import { statsComparator } from "../src/data/stats.js";
import type { InternalValue } from "../src/data/values.js";
import type { Predicate } from "../src/read/predicate.js";
import { resultRows, type TableReadResult } from "../src/read/reader.js";
import type { DataField } from "../src/types/datatype.js";

/** Delegates to another FileIO and records which data files were read, and how many bytes. */
export class CountingFileIO implements FileIO {
  /** Data-file paths read (whole or by range), one entry per call. */
  readonly dataReads: string[] = [];
  dataBytes = 0;

  constructor(private readonly inner: FileIO) {}

  get scheme(): string {
    return this.inner.scheme;
  }

  private note(path: string, bytes: number): void {
    const name = path.slice(path.lastIndexOf("/") + 1);
    if (name.startsWith("data-") || name.startsWith("changelog-")) {
      this.dataReads.push(path);
      this.dataBytes += bytes;
    }
  }

  /** Distinct data file names read since the last reset. */
  filesRead(): string[] {
    return [...new Set(this.dataReads.map((p) => p.slice(p.lastIndexOf("/") + 1)))].sort();
  }

  reset(): void {
    this.dataReads.length = 0;
    this.dataBytes = 0;
  }

  async readFile(path: string): Promise<Uint8Array> {
    const b = await this.inner.readFile(path);
    this.note(path, b.length);
    return b;
  }
  async readRange(path: string, start: number, end: number): Promise<Uint8Array> {
    const b = await this.inner.readRange(path, start, end);
    this.note(path, b.length);
    return b;
  }
  newOutputSink(path: string, options?: WriteOptions): Promise<OutputSink> {
    return this.inner.newOutputSink(path, options);
  }
  createIfAbsent(path: string, data: Uint8Array): Promise<void> {
    return this.inner.createIfAbsent(path, data);
  }
  overwrite(path: string, data: Uint8Array): Promise<void> {
    return this.inner.overwrite(path, data);
  }
  exists(path: string): Promise<boolean> {
    return this.inner.exists(path);
  }
  stat(path: string): Promise<FileStatus> {
    return this.inner.stat(path);
  }
  list(path: string): Promise<FileStatus[]> {
    return this.inner.list(path);
  }
  listRecursive(path: string): AsyncIterable<FileStatus> {
    return this.inner.listRecursive(path);
  }
  mkdirs(path: string): Promise<void> {
    return this.inner.mkdirs(path);
  }
  delete(path: string): Promise<boolean> {
    return this.inner.delete(path);
  }
  deleteRecursive(path: string): Promise<void> {
    return this.inner.deleteRecursive(path);
  }
  rename(from: string, to: string): Promise<void> {
    return this.inner.rename(from, to);
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

// ---------------------------------------------------------------------------------------
// Reference evaluation

type Tri = boolean | null;

function not3(x: Tri): Tri {
  return x === null ? null : !x;
}

/** SQL three-valued evaluation of a predicate on a row, straight from the definition. */
export function eval3(p: Predicate, fields: readonly DataField[], row: readonly InternalValue[]): Tri {
  const col = (name: string) => {
    const i = fields.findIndex((f) => f.name === name);
    if (i < 0) throw new Error(`no column ${name}`);
    return i;
  };
  switch (p.op) {
    case "and": {
      const xs = p.children.map((c) => eval3(c, fields, row));
      return xs.includes(false) ? false : xs.includes(null) ? null : true;
    }
    case "or": {
      const xs = p.children.map((c) => eval3(c, fields, row));
      return xs.includes(true) ? true : xs.includes(null) ? null : false;
    }
    case "not":
      return not3(eval3(p.child, fields, row));
    case "isNull":
      return row[col(p.column)] === null;
    case "isNotNull":
      return row[col(p.column)] !== null;
    case "in": {
      const i = col(p.column);
      const x = row[i];
      if (x === null) return null;
      const cmp = statsComparator(fields[i].type)!;
      if (p.values.some((v) => v !== null && cmp(x, v) === 0)) return true;
      return p.values.includes(null) ? null : false;
    }
    default: {
      const i = col(p.column);
      const x = row[i];
      if (x === null || p.value === null) return null;
      const c = statsComparator(fields[i].type)!(x, p.value);
      return { eq: c === 0, ne: c !== 0, lt: c < 0, le: c <= 0, gt: c > 0, ge: c >= 0 }[p.op];
    }
  }
}

// ---------------------------------------------------------------------------------------
// Random predicates

/** mulberry32: a small deterministic PRNG. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A random predicate over the comparable columns of `fields`, with literals taken from
 * the rows (so they hit), or NULL now and then; depth-limited and/or/not on top.
 */
export function randomPredicate(rand: () => number, fields: readonly DataField[], rows: readonly InternalValue[][], depth = 2): Predicate {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
  if (depth > 0 && rand() < 0.35) {
    const r = rand();
    if (r < 0.15) return { op: "not", child: randomPredicate(rand, fields, rows, depth - 1) };
    const n = 2 + Math.floor(rand() * 2);
    const children = Array.from({ length: n }, () => randomPredicate(rand, fields, rows, depth - 1));
    return { op: r < 0.6 ? "and" : "or", children };
  }
  const comparable = fields.map((f, i) => ({ f, i })).filter(({ f }) => statsComparator(f.type) !== null);
  const { f, i } = comparable.length > 0 && rand() < 0.9 ? pick(comparable) : pick(fields.map((f, i) => ({ f, i })));
  const values = rows.map((r) => r[i]).filter((v) => v !== null);
  if (statsComparator(f.type) === null || values.length === 0 || rand() < 0.1) {
    return { op: rand() < 0.5 ? "isNull" : "isNotNull", column: f.name };
  }
  const value = (): InternalValue => (rand() < 0.03 ? null : pick(values));
  const r = rand();
  if (r < 0.15) return { op: "in", column: f.name, values: Array.from({ length: 1 + Math.floor(rand() * 3) }, value) };
  const op = pick(["eq", "eq", "ne", "lt", "le", "gt", "ge"] as const);
  return { op, column: f.name, value: value() };
}

/** Stable multiset keys of rows (canonical JSON per column). */
export function rowKeys(fields: readonly DataField[], rows: readonly (readonly InternalValue[])[]): string[] {
  return rows.map((r) => JSON.stringify(fields.map((f, i) => canonicalEncode(f.type, r[i])))).sort();
}

export function resultKeys(r: TableReadResult): string[] {
  return rowKeys(r.fields, resultRows(r));
}

/** A predicate as readable text (for test names and failure messages). */
export function showPredicate(p: Predicate): string {
  const lit = (v: InternalValue): string => {
    if (typeof v === "bigint") return `${v}n`;
    if (v instanceof Uint8Array) return `0x${Buffer.from(v).toString("hex")}`;
    return JSON.stringify(v, (_k, x) => (typeof x === "bigint" ? `${x}n` : x));
  };
  switch (p.op) {
    case "and":
    case "or":
      return `(${p.children.map(showPredicate).join(` ${p.op} `)})`;
    case "not":
      return `not ${showPredicate(p.child)}`;
    case "isNull":
    case "isNotNull":
      return `${p.column} ${p.op}`;
    case "in":
      return `${p.column} in [${p.values.map(lit).join(", ")}]`;
    default:
      return `${p.column} ${p.op} ${lit(p.value)}`;
  }
}
