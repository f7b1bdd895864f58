/**
 * Merge functions of Paimon's merge engines (METADATA.md §8.3), applied to all records
 * of one key in (sequence.field, _SEQUENCE_NUMBER) order. Used by merge-on-read, by the
 * write buffer and by compaction, so the three always agree.
 */
import { InvalidInputError, UnsupportedError } from "@paimon-ts/fileio";
import { RowKind, isRetract, type InternalValue } from "../data/values.js";
import type { TableSchema } from "../schema/table-schema.js";
import type { DataType } from "../types/datatype.js";
import { coreOptions, type CoreOptions } from "../table/options.js";
import { fieldComparator } from "./key-compare.js";

export interface KeyValueRecord {
  seq: bigint;
  kind: RowKind;
  /** All table columns (value row), positional. */
  row: InternalValue[];
}

export type MergeFunction = (records: readonly KeyValueRecord[]) => KeyValueRecord | null;

/** A record of merge-on-read with the level of the data file it was read from. */
export interface LeveledRecord extends KeyValueRecord {
  level: number;
}

/**
 * Java's `CoreOptions.needLookup()`: primary-key tables whose compaction looks keys up —
 * `merge-engine = first-row`, `changelog-producer = lookup`, deletion vectors, or
 * `force-lookup`.
 */
export function needLookup(schema: TableSchema, o?: CoreOptions, tableName = "table"): boolean {
  try {
    return (o ?? coreOptions(schema)).needLookup && schema.primaryKeys.length > 0;
  } catch (e) {
    throw e instanceof InvalidInputError ? new InvalidInputError(`table ${tableName}: ${e.message}`) : e;
  }
}

/**
 * The merge of a key's records in merge-on-read (`records` in merge order, at least one).
 * A key with one record keeps it as it is (Java's `ReducerMergeFunctionWrapper`). Tables
 * that need lookup, except first-row, merge only the records at level 0 and the newest
 * one above (the lowest level ≥ 1; Java's `LookupMergeFunction`): lookup compaction wrote
 * that one as the merge of everything older, and without deletion vectors the older rows
 * stay in the levels below it, so merging them again would count them twice (sums too
 * high). A key with several records goes through the merge function even when only one
 * of them is kept, as in Java.
 */
export function readMergeFunction(schema: TableSchema, tableName = "table"): (records: readonly LeveledRecord[]) => KeyValueRecord | null {
  const o = coreOptions(schema);
  const merge = mergeFunctionFor(schema, tableName);
  if (o.mergeEngine === "first-row" || !needLookup(schema, o, tableName)) return (recs) => (recs.length === 1 ? recs[0] : merge(recs));
  return (recs) => {
    if (recs.length === 1) return recs[0];
    // the first record at the lowest level above 0: a level ≥ 1 is one sorted run, so it
    // holds a key once
    let high = -1;
    for (let i = 0; i < recs.length; i++) if (recs[i].level > 0 && (high < 0 || recs[i].level < recs[high].level)) high = i;
    return merge(high < 0 ? recs : recs.filter((r, i) => r.level <= 0 || i === high));
  };
}

type Agg = {
  /** first_value: the first record's value, null included, is final. */
  first?: boolean;
  /** Folds a new non-retract value into the accumulator. */
  agg(acc: InternalValue, v: InternalValue): InternalValue;
  /** Removes a retracted value, or throws when the function cannot. */
  retract?(acc: InternalValue, v: InternalValue): InternalValue;
};

function numericAdd(t: DataType, a: InternalValue, b: InternalValue, sign: 1 | -1): InternalValue {
  if (a === null) return sign === 1 ? b : b === null ? null : negate(t, b);
  if (b === null) return a;
  switch (t.root) {
    case "TINYINT":
    case "SMALLINT":
    case "INT": {
      const r = (a as number) + sign * (b as number);
      // Java's int arithmetic wraps
      return t.root === "INT" ? r | 0 : t.root === "SMALLINT" ? (r << 16) >> 16 : (r << 24) >> 24;
    }
    case "BIGINT": {
      const r = BigInt.asIntN(64, (a as bigint) + BigInt(sign) * (b as bigint));
      return r;
    }
    case "DECIMAL":
      return (a as bigint) + BigInt(sign) * (b as bigint);
    case "FLOAT":
      return Math.fround((a as number) + sign * (b as number));
    case "DOUBLE":
      return (a as number) + sign * (b as number);
    default:
      throw new UnsupportedError(`sum is not defined for ${t.root}`);
  }
}

function negate(t: DataType, v: InternalValue): InternalValue {
  return typeof v === "bigint" ? -v : t.root === "FLOAT" ? Math.fround(-(v as number)) : -(v as number);
}

function aggregator(name: string, t: DataType, field: string, opts: Record<string, string>): Agg {
  switch (name) {
    case "sum":
      return { agg: (a, v) => numericAdd(t, a, v, 1), retract: (a, v) => numericAdd(t, a, v, -1) };
    case "product":
      return {
        agg: (a, v) => {
          if (a === null) return v;
          if (v === null) return a;
          if (typeof a === "bigint") return t.root === "BIGINT" ? BigInt.asIntN(64, a * (v as bigint)) : a * (v as bigint);
          return t.root === "FLOAT" ? Math.fround((a as number) * (v as number)) : (a as number) * (v as number);
        },
      };
    case "max":
    case "min": {
      const cmp = fieldComparator(t);
      const sign = name === "max" ? 1 : -1;
      return { agg: (a, v) => (a === null ? v : v === null ? a : sign * cmp(v, a) > 0 ? v : a) };
    }
    case "count":
      return { agg: (a, v) => (v === null ? a : numericAdd(t, a ?? zero(t), one(t), 1)), retract: (a, v) => (v === null ? a : numericAdd(t, a ?? zero(t), one(t), -1)) };
    case "last_value":
      return { agg: (_a, v) => v, retract: () => null };
    case "last_non_null_value":
      return { agg: (a, v) => (v === null ? a : v), retract: (a, v) => (v === null ? a : null) };
    case "first_value":
      // the merge loop gives the first record's value as the initial accumulator
      return { agg: (a) => a, first: true };
    case "first_non_null_value":
      return { agg: (a, v) => (a === null ? v : a) };
    case "bool_and":
      return { agg: (a, v) => (a === null ? v : v === null ? a : (a as boolean) && (v as boolean)) };
    case "bool_or":
      return { agg: (a, v) => (a === null ? v : v === null ? a : (a as boolean) || (v as boolean)) };
    case "listagg": {
      const delim = opts[`fields.${field}.list-agg-delimiter`] ?? ",";
      return { agg: (a, v) => (a === null ? v : v === null ? a : `${a as string}${delim}${v as string}`) };
    }
    default:
      throw new UnsupportedError(`aggregate function '${name}' (field ${field}) is not supported by paimon-ts`);
  }
}

function zero(t: DataType): InternalValue {
  return t.root === "BIGINT" || t.root === "DECIMAL" ? 0n : 0;
}
function one(t: DataType): InternalValue {
  return t.root === "BIGINT" ? 1n : t.root === "DECIMAL" ? 1n : 1;
}

/** Builds the merge function of a table's merge engine. */
export function mergeFunctionFor(schema: TableSchema, tableName = "table"): MergeFunction {
  const o = coreOptions(schema);
  const fields = schema.fields;
  const n = fields.length;
  const pk = new Set(schema.primaryKeys);

  const retractError = (engine: string): never => {
    throw new InvalidInputError(`table ${tableName}: merge-engine '${engine}' received a retraction (-U/-D) but 'ignore-delete' is not set`);
  };

  switch (o.mergeEngine) {
    case "deduplicate":
      return (recs) => {
        if (!o.ignoreDelete) return recs[recs.length - 1];
        for (let i = recs.length - 1; i >= 0; i--) if (!isRetract(recs[i].kind)) return recs[i];
        return null;
      };
    case "first-row":
      return (recs) => {
        for (const r of recs) {
          if (isRetract(r.kind)) {
            if (o.ignoreDelete) continue;
            retractError("first-row");
          }
          return r;
        }
        return null;
      };
    case "partial-update": {
      if (Object.keys(o.raw).some((k) => k.endsWith(".sequence-group"))) {
        throw new UnsupportedError(`table ${tableName}: partial-update sequence groups are not supported by paimon-ts yet`);
      }
      return (recs) => {
        let row: InternalValue[] | null = null;
        let last: KeyValueRecord | null = null;
        for (const r of recs) {
          last = r;
          if (isRetract(r.kind)) {
            if (o.ignoreDelete) continue;
            if (o.partialUpdateRemoveOnDelete && r.kind === RowKind.DELETE) {
              row = null;
              continue;
            }
            retractError("partial-update");
          }
          if (row === null) row = r.row.slice();
          else for (let i = 0; i < n; i++) if (r.row[i] !== null) row[i] = r.row[i];
        }
        if (row === null || last === null) return null;
        return { seq: last.seq, kind: RowKind.INSERT, row };
      };
    }
    case "aggregation": {
      const dflt = o.raw["fields.default-aggregate-function"];
      const aggs = fields.map((f) => {
        if (pk.has(f.name)) return null;
        const name = o.raw[`fields.${f.name}.aggregate-function`] ?? dflt ?? "last_non_null_value";
        return aggregator(name, f.type, f.name, o.raw);
      });
      const ignoreRetract = fields.map((f) => o.raw[`fields.${f.name}.ignore-retract`] === "true");
      return (recs) => {
        let row: InternalValue[] | null = null;
        let last: KeyValueRecord | null = null;
        for (const r of recs) {
          last = r;
          if (isRetract(r.kind)) {
            if (o.ignoreDelete) continue;
            if (o.aggregationRemoveOnDelete && r.kind === RowKind.DELETE) {
              row = null;
              continue;
            }
          }
          const fresh = row === null;
          if (row === null) row = new Array<InternalValue>(n).fill(null);
          for (let i = 0; i < n; i++) {
            const a = aggs[i];
            if (a === null) {
              row[i] = r.row[i];
              continue;
            }
            if (isRetract(r.kind)) {
              if (ignoreRetract[i]) continue;
              if (!a.retract) throw new InvalidInputError(`table ${tableName}: the aggregate function of field ${fields[i].name} cannot retract (-U/-D); set fields.${fields[i].name}.ignore-retract`);
              row[i] = a.retract(row[i], r.row[i]);
            } else {
              row[i] = a.first ? (fresh ? r.row[i] : row[i]) : a.agg(row[i], r.row[i]);
            }
          }
        }
        if (row === null || last === null) return null;
        return { seq: last.seq, kind: RowKind.INSERT, row };
      };
    }
  }
}
