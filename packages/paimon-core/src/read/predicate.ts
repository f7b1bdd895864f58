/**
 * Row predicates for batch reads (`ReadOptions.filter`): a small expression tree over
 * column names with internal values (src/data/values.ts) as literals.
 *
 * Semantics are SQL's three-valued logic: a comparison with a NULL operand (column value
 * or literal) is UNKNOWN, `and`/`or`/`not` follow Kleene's rules, and a row is returned
 * only when the predicate is TRUE. `in` is UNKNOWN for a NULL value, TRUE when the value
 * equals a non-NULL list element, else UNKNOWN if the list holds a NULL, else FALSE.
 * Values are ordered as Paimon orders them (`statsComparator`): strings and bytes by
 * unsigned bytes, floating point as Java's `Double.compare` (-0.0 < 0.0, NaN greatest).
 *
 * A bound predicate is also evaluated on value ranges, to skip partitions, manifests and
 * data files that cannot hold a matching row (`mightMatch`): Kleene logic is monotone, so
 * treating what is not known as UNKNOWN never skips something that could match.
 */
import { InvalidInputError } from "@paimon-ts/fileio";
import { statsComparator } from "../data/stats.js";
import type { InternalValue, Timestamp } from "../data/values.js";
import { asSQLString, type DataField, type DataType } from "../types/datatype.js";

export type CompareOp = "eq" | "ne" | "lt" | "le" | "gt" | "ge";

/** A filter over the columns of the table (names as in the schema being read). */
export type Predicate =
  | { op: CompareOp; column: string; value: InternalValue }
  | { op: "isNull" | "isNotNull"; column: string }
  | { op: "in"; column: string; values: readonly InternalValue[] }
  | { op: "and" | "or"; children: readonly Predicate[] }
  | { op: "not"; child: Predicate };

/**
 * Builders: `Pred.and(Pred.eq("dt", 19723), Pred.gt("amount", 100n))`. Literals are
 * internal values of the column's type: BIGINT and DECIMAL (unscaled) as bigint (an
 * integer number is accepted), DATE as epoch days, TIMESTAMP as `timestamp(millis)`, …
 */
export const Pred = {
  eq: (column: string, value: InternalValue): Predicate => ({ op: "eq", column, value }),
  ne: (column: string, value: InternalValue): Predicate => ({ op: "ne", column, value }),
  lt: (column: string, value: InternalValue): Predicate => ({ op: "lt", column, value }),
  le: (column: string, value: InternalValue): Predicate => ({ op: "le", column, value }),
  gt: (column: string, value: InternalValue): Predicate => ({ op: "gt", column, value }),
  ge: (column: string, value: InternalValue): Predicate => ({ op: "ge", column, value }),
  isNull: (column: string): Predicate => ({ op: "isNull", column }),
  isNotNull: (column: string): Predicate => ({ op: "isNotNull", column }),
  in: (column: string, values: readonly InternalValue[]): Predicate => ({ op: "in", column, values }),
  and: (...children: Predicate[]): Predicate => ({ op: "and", children }),
  or: (...children: Predicate[]): Predicate => ({ op: "or", children }),
  not: (child: Predicate): Predicate => ({ op: "not", child }),
};

/** The column names a predicate refers to, each once, in order of appearance. */
export function predicateColumns(p: Predicate): string[] {
  const out = new Set<string>();
  const walk = (q: Predicate): void => {
    if ("children" in q) q.children.forEach(walk);
    else if ("child" in q) walk(q.child);
    else out.add(q.column);
  };
  walk(p);
  return [...out];
}

/**
 * What is known about the values of one column over a set of rows (a data file, a
 * manifest's partitions, one partition). A null min/max is an unknown bound, unless every
 * row is null. Bounds need not be tight: min ≤ every non-null value ≤ max.
 */
export interface ColumnBounds {
  min: InternalValue;
  max: InternalValue;
  nullCount: bigint | null;
  rowCount: bigint | null;
  /**
   * The bounds are exact values (a partition), not file statistics. Statistics of FLOAT
   * and DOUBLE columns may leave NaN out of the max (Parquet does), so without this flag
   * their max is not used.
   */
  exact?: boolean;
}

type Compare = (a: InternalValue, b: InternalValue) => number;

type Node =
  | { k: "cmp"; op: CompareOp; f: number; v: InternalValue; cmp: Compare; floating: boolean }
  | { k: "null"; not: boolean; f: number }
  | { k: "in"; not: boolean; f: number; vs: InternalValue[]; hasNull: boolean; cmp: Compare; floating: boolean }
  | { k: "and" | "or"; c: Node[] }
  | { k: "const"; v: boolean };

const NEGATE: Record<CompareOp, CompareOp> = { eq: "ne", ne: "eq", lt: "ge", ge: "lt", le: "gt", gt: "le" };

function isTimestamp(v: unknown): v is Timestamp {
  return typeof v === "object" && v !== null && typeof (v as Timestamp).millis === "bigint" && typeof (v as Timestamp).nanoOfMilli === "number";
}

/** Checks a literal against the column type, converting the harmless cases. */
function literal(field: DataField, v: InternalValue, where: string): InternalValue {
  if (v === null) return null;
  const t = field.type;
  const bad = (): never => {
    throw new InvalidInputError(`${where}: literal ${describe(v)} is not a value of column '${field.name}' (${asSQLString(t)})`);
  };
  switch (t.root) {
    case "BOOLEAN":
      return typeof v === "boolean" ? v : bad();
    case "TINYINT":
    case "SMALLINT":
    case "INT":
    case "DATE":
    case "TIME": {
      const n = typeof v === "bigint" && v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
      return typeof n === "number" && Number.isInteger(n) ? n : bad();
    }
    case "BIGINT":
    case "DECIMAL":
      if (typeof v === "bigint") return v;
      return typeof v === "number" && Number.isSafeInteger(v) ? BigInt(v) : bad();
    case "FLOAT":
      return typeof v === "number" ? Math.fround(v) : bad();
    case "DOUBLE":
      return typeof v === "number" ? v : bad();
    case "CHAR":
    case "VARCHAR":
      return typeof v === "string" ? v : bad();
    case "BINARY":
    case "VARBINARY":
      return v instanceof Uint8Array ? v : bad();
    case "TIMESTAMP":
    case "TIMESTAMP_LTZ":
      return isTimestamp(v) ? v : bad();
    default:
      return bad();
  }
}

function describe(v: InternalValue): string {
  if (typeof v === "bigint") return `${v}n`;
  if (v instanceof Uint8Array) return `bytes[${v.length}]`;
  try {
    return JSON.stringify(v, (_k, x) => (typeof x === "bigint" ? `${x}n` : x));
  } catch {
    return String(v);
  }
}

function comparatorOf(field: DataField, where: string): Compare {
  const c = statsComparator(field.type);
  if (c === null) throw new InvalidInputError(`${where}: column '${field.name}' (${asSQLString(field.type)}) can only be tested with isNull / isNotNull`);
  return c;
}

function isFloating(t: DataType): boolean {
  return t.root === "FLOAT" || t.root === "DOUBLE";
}

/** A predicate resolved against the fields of a read schema. */
export class BoundPredicate {
  /** Indexes (into the bound fields) of the columns the predicate reads, ascending. */
  readonly fieldIndexes: number[];

  private constructor(
    private readonly root: Node,
    readonly fields: readonly DataField[],
  ) {
    const seen = new Set<number>();
    const walk = (n: Node): void => {
      if ("c" in n) n.c.forEach(walk);
      else if ("f" in n) seen.add(n.f);
    };
    walk(root);
    this.fieldIndexes = [...seen].sort((a, b) => a - b);
  }

  /** Resolves column names against `fields` and checks every literal; `where` prefixes errors. */
  static bind(p: Predicate, fields: readonly DataField[], where = "filter"): BoundPredicate {
    const index = new Map(fields.map((f, i) => [f.name, i]));
    const col = (name: string): number => {
      const i = index.get(name);
      if (i === undefined) throw new InvalidInputError(`${where}: no column '${name}' (columns: ${fields.map((f) => f.name).join(", ")})`);
      return i;
    };
    // negation normal form: nots pushed to the leaves (exact under Kleene logic)
    const build = (q: Predicate, neg: boolean): Node => {
      if (q === null || typeof q !== "object") throw new InvalidInputError(`${where}: not a predicate: ${String(q)}`);
      switch (q.op) {
        case "and":
        case "or": {
          if (!Array.isArray(q.children)) throw new InvalidInputError(`${where}: '${q.op}' needs an array of children`);
          const c = q.children.map((x) => build(x, neg));
          const k = (q.op === "and") !== neg ? "and" : "or";
          return c.length === 0 ? { k: "const", v: k === "and" } : c.length === 1 ? c[0] : { k, c };
        }
        case "not":
          return build(q.child, !neg);
        case "isNull":
        case "isNotNull":
          return { k: "null", not: (q.op === "isNotNull") !== neg, f: col(q.column) };
        case "in": {
          const f = col(q.column);
          if (!Array.isArray(q.values)) throw new InvalidInputError(`${where}: 'in' needs an array of values`);
          const cmp = comparatorOf(fields[f], where);
          const vs = q.values.map((v) => literal(fields[f], v, where));
          return { k: "in", not: neg, f, vs, hasNull: vs.includes(null), cmp, floating: isFloating(fields[f].type) };
        }
        case "eq":
        case "ne":
        case "lt":
        case "le":
        case "gt":
        case "ge": {
          const f = col(q.column);
          const cmp = comparatorOf(fields[f], where);
          return { k: "cmp", op: neg ? NEGATE[q.op] : q.op, f, v: literal(fields[f], q.value, where), cmp, floating: isFloating(fields[f].type) };
        }
        default:
          throw new InvalidInputError(`${where}: unknown predicate op '${(q as { op: unknown }).op}'`);
      }
    };
    return new BoundPredicate(build(p, false), fields);
  }

  /** Whether the row is selected (the predicate is TRUE); `get(i)` is the value of field i. */
  test(get: (fieldIndex: number) => InternalValue): boolean {
    return evaluate(this.root, get, null) === true;
  }

  /**
   * The three-valued result when only some columns are known (`known(i)`); the others are
   * UNKNOWN. FALSE means no value of the unknown columns can make the row match.
   */
  evaluatePartial(get: (fieldIndex: number) => InternalValue, known: (fieldIndex: number) => boolean): boolean | null {
    return evaluate(this.root, get, known);
  }

  /**
   * False only when no row described by the bounds can match; `bounds(i)` undefined means
   * nothing is known about field i.
   */
  mightMatch(bounds: (fieldIndex: number) => ColumnBounds | undefined): boolean {
    return might(this.root, bounds);
  }
}

function evaluate(n: Node, get: (f: number) => InternalValue, known: ((f: number) => boolean) | null): boolean | null {
  switch (n.k) {
    case "const":
      return n.v;
    case "and": {
      let r: boolean | null = true;
      for (const c of n.c) {
        const x = evaluate(c, get, known);
        if (x === false) return false;
        if (x === null) r = null;
      }
      return r;
    }
    case "or": {
      let r: boolean | null = false;
      for (const c of n.c) {
        const x = evaluate(c, get, known);
        if (x === true) return true;
        if (x === null) r = null;
      }
      return r;
    }
    case "null": {
      if (known !== null && !known(n.f)) return null;
      return (get(n.f) === null) !== n.not;
    }
    case "cmp": {
      if (known !== null && !known(n.f)) return null;
      const x = get(n.f);
      if (x === null || n.v === null) return null;
      return compareResult(n.op, n.cmp(x, n.v));
    }
    case "in": {
      if (known !== null && !known(n.f)) return null;
      const x = get(n.f);
      if (x === null) return null;
      let r: boolean | null = n.hasNull ? null : false;
      for (const v of n.vs) {
        if (v !== null && n.cmp(x, v) === 0) {
          r = true;
          break;
        }
      }
      return r === null ? null : r !== n.not;
    }
  }
}

function compareResult(op: CompareOp, c: number): boolean {
  switch (op) {
    case "eq":
      return c === 0;
    case "ne":
      return c !== 0;
    case "lt":
      return c < 0;
    case "le":
      return c <= 0;
    case "gt":
      return c > 0;
    case "ge":
      return c >= 0;
  }
}

function isNaNValue(v: InternalValue): boolean {
  return typeof v === "number" && Number.isNaN(v);
}

function might(n: Node, bounds: (f: number) => ColumnBounds | undefined): boolean {
  switch (n.k) {
    case "const":
      return n.v;
    case "and":
      return n.c.every((c) => might(c, bounds));
    case "or":
      return n.c.some((c) => might(c, bounds));
    default:
      break;
  }
  const b = bounds(n.f);
  if (b === undefined) return true;
  const allNull = b.nullCount !== null && b.rowCount !== null && b.nullCount >= b.rowCount;
  if (n.k === "null") {
    if (n.not) return !allNull; // isNotNull
    return b.nullCount === null || b.nullCount > 0n; // isNull
  }
  if (allNull) return false; // every comparison is UNKNOWN
  // the usable bounds: NaN bounds and (for statistics) floating maxima are unknown
  let lo: InternalValue = b.min;
  let hi: InternalValue = b.max;
  if (n.floating) {
    if (isNaNValue(lo)) lo = null;
    if (!b.exact || isNaNValue(hi)) hi = null;
  }
  const cmp = n.cmp;
  const single = lo !== null && hi !== null && cmp(lo, hi) === 0;
  if (n.k === "in") {
    if (n.not) {
      if (n.hasNull) return false; // NOT IN (…, NULL) is never TRUE
      return !(single && n.vs.some((v) => cmp(lo, v) === 0));
    }
    return n.vs.some((v) => v !== null && (lo === null || cmp(lo, v) <= 0) && (hi === null || cmp(v, hi) <= 0));
  }
  const v = n.v;
  if (v === null) return false;
  switch (n.op) {
    case "eq":
      return (lo === null || cmp(lo, v) <= 0) && (hi === null || cmp(v, hi) <= 0);
    case "ne":
      return !(single && cmp(lo, v) === 0);
    case "lt":
      return lo === null || cmp(lo, v) < 0;
    case "le":
      return lo === null || cmp(lo, v) <= 0;
    case "gt":
      return hi === null || cmp(hi, v) > 0;
    case "ge":
      return hi === null || cmp(hi, v) >= 0;
  }
}
