/**
 * Merge-on-read of tables that need lookup (`changelog-producer = lookup`, `force-lookup`)
 * without deletion vectors, against Java Paimon 1.4.2. Their lookup compaction writes a
 * key's merged row at a level above the older rows it already includes, and leaves those
 * older rows where they are; Java's read (LookupMergeFunction) merges per key only the
 * level-0 records and the newest record above level 0. Java writes each table so that keys
 * sit on level 0 (write-only commits) and on several levels above it; our reader
 * (readSplit, readSplitBatches with small batches, projections, filters) must return what
 * Java returns, which equals a model of the writes. Aggregates that are not idempotent
 * (sum, product, listagg) are what an all-levels merge gets wrong.
 */
import { openOracle, rowMultiset } from "@paimon-ts/oracle";
import { RowKind, type InternalValue } from "../src/data/values.js";
import { needLookup, readMergeFunction, type LeveledRecord } from "../src/read/merge.js";
import { Pred, type Predicate } from "../src/read/predicate.js";
import { readSplit, readSplitBatches, readTable, readTableBatches, resultRows } from "../src/read/reader.js";
import { planScan } from "../src/read/scan.js";
import type { TableSchema } from "../src/schema/table-schema.js";
import type { FileStoreTable } from "../src/table/table.js";
import type { DataField } from "../src/types/datatype.js";
import { parseTypeString } from "../src/types/parse.js";
import { canonicalRows, internalRows, newCatalog, tempWarehouse, type CanonicalRow, type TableSpec } from "./write-helpers.js";

jest.setTimeout(600_000);

const java = openOracle("java");
afterAll(async () => {
  await java?.close();
});

type Kind = "+I" | "-U" | "+U" | "-D";
type Rec = [kind: Kind, k: number, a: number | null, b: number | null, s: string | null, d: number | null];
interface Commit {
  recs: Rec[];
  /** Leave the commit's files at level 0 (no compaction). */
  writeOnly?: boolean;
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
type Values = [a: number | null, b: number | null, s: string | null, d: number | null];
const ins = (keys: number[], f: (k: number) => Values): Rec[] => keys.map((k) => ["+I", k, ...f(k)]);

/** Keys of the table. */
const KEYS = 410;

/**
 * Five commits: every key (but the last ten) at the max level, then fewer and fewer keys
 * rewritten by lookup compaction one level above the last (each commit's file much
 * smaller than the run below it, so the compaction does not take that run in), then two
 * write-only commits that stay at level 0, some of their keys new.
 */
function commits(retract: boolean): Commit[] {
  return [
    { recs: ins(range(1, 400), (k) => [k, 2, `a${k}`, k]) },
    {
      recs: [
        ...ins(range(1, 120), () => [100, 3, "b", 0.5]),
        ...(retract
          ? ([
              ["-U", 60, 100, null, null, null],
              ["+U", 60, 7, null, "c60", null],
              ["-D", 80, 80, null, null, null],
            ] as Rec[])
          : []),
      ],
    },
    { recs: ins(range(1, 40), () => [1000, 5, "c", 1000]) },
    { recs: ins([...range(1, 10), ...range(401, 405)], () => [10_000, 7, "d", -1]), writeOnly: true },
    {
      recs: [
        ...ins([...range(5, 15), ...range(406, 410)], () => [100_000, 11, "e", 2]),
        ...(retract ? ([["-D", 12, 1000, null, null, null]] as Rec[]) : []),
      ],
      writeOnly: true,
    },
  ];
}

interface Case {
  name: string;
  options: Record<string, string>;
  retract: boolean;
  /** The row of a key from its records in write order. */
  model(recs: Rec[]): Values;
}

const COLUMNS = [
  { name: "k", type: "INT" },
  { name: "a", type: "BIGINT" },
  { name: "b", type: "INT" },
  { name: "s", type: "STRING" },
  { name: "d", type: "DOUBLE" },
];
const FIELDS: DataField[] = COLUMNS.map((c, id) => ({ id, name: c.name, type: parseTypeString(c.type) }));

/** Aggregation: sum of a; without retractions product of b, listagg of s; else their last values; max of d. */
function aggModel(retract: boolean): (recs: Rec[]) => Values {
  return (recs) => {
    let a: number | null = null;
    let b: number | null = null;
    let s: string | null = null;
    let d: number | null = null;
    for (const [kind, , ra, rb, rs, rd] of recs) {
      const back = kind === "-U" || kind === "-D";
      if (ra !== null) a = (a ?? 0) + (back ? -ra : ra);
      if (back) continue; // b, s, d ignore retractions in the retracting case
      if (rb !== null) b = retract ? rb : (b ?? 1) * rb;
      if (rs !== null) s = retract ? rs : s === null ? rs : `${s},${rs}`;
      if (rd !== null) d = d === null ? rd : Math.max(d, rd);
    }
    return [a, b, s, d];
  };
}

const CASES: Case[] = [
  {
    name: "changelog-producer=lookup, aggregation (sum, product, listagg, max)",
    options: {
      "changelog-producer": "lookup",
      "merge-engine": "aggregation",
      "fields.a.aggregate-function": "sum",
      "fields.b.aggregate-function": "product",
      "fields.s.aggregate-function": "listagg",
      "fields.d.aggregate-function": "max",
    },
    retract: false,
    model: aggModel(false),
  },
  {
    name: "force-lookup=true, aggregation (sum with -U/+U/-D, last_non_null_value)",
    // four levels: the writes reach levels 3, 2 and 1
    options: {
      "num-levels": "4",
      "force-lookup": "true",
      "merge-engine": "aggregation",
      "fields.a.aggregate-function": "sum",
      "fields.b.aggregate-function": "last_non_null_value",
      "fields.b.ignore-retract": "true",
      "fields.s.aggregate-function": "last_non_null_value",
      "fields.s.ignore-retract": "true",
      "fields.d.aggregate-function": "max",
      "fields.d.ignore-retract": "true",
    },
    retract: true,
    model: aggModel(true),
  },
  // partial-update reads the same either way (the newest row above holds every older
  // value): the lookup merge must change nothing there
  {
    name: "changelog-producer=lookup, partial-update",
    options: { "num-levels": "4", "changelog-producer": "lookup", "merge-engine": "partial-update" },
    retract: false,
    model: (recs) => {
      const row: Values = [null, null, null, null];
      for (const r of recs) for (let i = 0; i < 4; i++) if (r[i + 2] !== null) row[i] = r[i + 2];
      return row;
    },
  },
];

function toJava(recs: Rec[]) {
  const rows = canonicalRows(
    FIELDS,
    recs.map(([, k, a, b, s, d]) => [k, a === null ? null : BigInt(a), b, s, d]),
  );
  return { rows: rows.map((row, i) => ({ kind: recs[i][0], row })) };
}

function modelRows(c: Case, all: Commit[]): string[] {
  const byKey = new Map<number, Rec[]>();
  for (const { recs } of all) for (const r of recs) byKey.set(r[1], [...(byKey.get(r[1]) ?? []), r]);
  const rows: InternalValue[][] = [];
  for (const [k, recs] of byKey) {
    const m = c.model(recs);
    rows.push([k, m[0] === null ? null : BigInt(m[0]), m[1], m[2], m[3]]);
  }
  return rowMultiset(canonicalRows(FIELDS, rows));
}

const show = (fields: readonly DataField[], rows: InternalValue[][]) => rowMultiset(canonicalRows(fields, rows));

/** Rows of the Java read that pass `p` (a comparison on one column), canonical. */
function javaFiltered(rows: CanonicalRow[], fields: readonly DataField[], keep: (row: InternalValue[]) => boolean): string[] {
  const internal = internalRows(fields, rows);
  return show(
    fields,
    internal.filter((r) => keep(r)),
  );
}

(java ? describe : describe.skip)("merge-on-read of lookup tables without deletion vectors equals Java's (LookupMergeFunction)", () => {
  it.each(CASES.map((c) => [c.name, c] as [string, Case]))("%s", async (_n, c) => {
    const wh = tempWarehouse("lookup-merge-");
    const spec: TableSpec = { fields: COLUMNS, primaryKeys: ["k"], options: { bucket: "2", "compaction.max-size-amplification-percent": "100000", ...c.options } };
    const all = commits(c.retract);
    for (const [i, commit] of all.entries()) {
      await java!.write({
        warehouse: wh,
        table: "db.t",
        create: i === 0 ? spec : undefined,
        tableOptions: commit.writeOnly ? { "write-only": "true" } : undefined,
        commits: [toJava(commit.recs)],
      });
    }
    const table: FileStoreTable = await (await newCatalog(wh)).getTable("db.t");
    const fields = table.schema.fields;

    // the layout this test is about: in some bucket, level-0 files and several levels above
    const plan = await planScan(table);
    expect(plan.splits).toHaveLength(2);
    for (const split of plan.splits) {
      const levels = new Set(split.files.map((f) => f.level));
      expect(levels.has(0)).toBe(true);
      expect([...levels].filter((l) => l > 0).length).toBeGreaterThanOrEqual(3);
      if (c.options["num-levels"] === "4") expect([...levels].sort()).toEqual([0, 1, 2, 3]);
    }

    const javaRows = (await java!.readTable(wh, "db.t")).rows;
    const ref = rowMultiset(javaRows);
    expect(ref).toEqual(modelRows(c, all));
    expect(ref).toHaveLength(KEYS);

    // readSplit, readTable, and the streaming reads with batches far smaller than a file
    const whole: InternalValue[][] = [];
    for (const split of plan.splits) {
      const b = await readSplit(table, split, plan.schema);
      whole.push(...resultRows({ fields, batches: [b], snapshotId: null }));
    }
    expect(show(fields, whole)).toEqual(ref);
    expect(show(fields, resultRows(await readTable(table)))).toEqual(ref);
    for (const batchSize of [1, 3, 7]) {
      const rows: InternalValue[][] = [];
      for (const split of plan.splits) {
        for await (const b of readSplitBatches(table, split, plan.schema, { batchSize })) {
          expect(b.numRows).toBeLessThanOrEqual(batchSize);
          rows.push(...resultRows({ fields, batches: [b], snapshotId: null }));
        }
      }
      expect(show(fields, rows)).toEqual(ref);
    }
    const stream = await readTableBatches(table, { batchSize: 4 });
    const streamed: InternalValue[][] = [];
    for await (const b of stream.batches) streamed.push(...resultRows({ fields, batches: [b], snapshotId: null }));
    expect(show(fields, streamed)).toEqual(ref);

    // a projection without the key, and filters on a merged value and on the key
    const projected = resultRows(await readTable(table, { projection: ["a", "s"] }));
    const aS = fields.filter((f) => f.name === "a" || f.name === "s");
    expect(show(aS, projected)).toEqual(
      show(
        aS,
        internalRows(fields, javaRows).map((r) => [r[1], r[3]]),
      ),
    );
    const filters: [Predicate, (r: InternalValue[]) => boolean][] = [
      [Pred.gt("a", 10_000n), (r) => r[1] !== null && (r[1] as bigint) > 10_000n],
      [Pred.le("k", 12), (r) => (r[0] as number) <= 12],
    ];
    for (const [p, keep] of filters) {
      const expected = javaFiltered(javaRows, fields, keep);
      expect(expected.length).toBeGreaterThan(0);
      expect(show(fields, resultRows(await readTable(table, { filter: p })))).toEqual(expected);
      const rows: InternalValue[][] = [];
      for (const split of (await planScan(table, { filter: p })).splits) {
        for await (const b of readSplitBatches(table, split, plan.schema, { filter: p, batchSize: 2 })) rows.push(...resultRows({ fields, batches: [b], snapshotId: null }));
      }
      expect(show(fields, rows)).toEqual(expected);
    }
  });
});

describe("readMergeFunction: which records of a key are merged", () => {
  const schema = (options: Record<string, string>): TableSchema => ({
    version: 3,
    id: 0n,
    fields: FIELDS.slice(0, 2),
    highestFieldId: 1,
    partitionKeys: [],
    primaryKeys: ["k"],
    options: { "fields.a.aggregate-function": "sum", ...options },
    comment: null,
    timeMillis: 0n,
  });
  const rec = (level: number, seq: number, a: bigint, kind = RowKind.INSERT): LeveledRecord => ({ level, seq: BigInt(seq), kind, row: [1, a] });
  const sum = (options: Record<string, string>, recs: LeveledRecord[]) => readMergeFunction(schema({ "merge-engine": "aggregation", ...options }), "t")(recs)?.row[1];

  it("lookup tables: level 0 and the record at the lowest level above it; others: every record", () => {
    // oldest first: the max level, then rewrites of it one level up each, then level 0
    const recs = [rec(5, 1, 1n), rec(4, 2, 11n), rec(3, 3, 111n), rec(0, 4, 1000n), rec(0, 5, 10000n)];
    const lookups: Record<string, string>[] = [{ "changelog-producer": "lookup" }, { "changelog-producer": " LOOKUP " }, { "force-lookup": "true" }, { "deletion-vectors.enabled": "true" }];
    for (const o of lookups) {
      expect(sum(o, recs)).toBe(11111n);
    }
    expect(sum({}, recs)).toBe(11123n);
    expect(sum({ "changelog-producer": "input" }, recs)).toBe(11123n);
    expect(sum({ "force-lookup": "false" }, recs)).toBe(11123n);
    // no record above level 0, or nothing at level 0
    expect(sum({ "changelog-producer": "lookup" }, [rec(0, 1, 1n), rec(0, 2, 2n)])).toBe(3n);
    expect(sum({ "changelog-producer": "lookup" }, [rec(5, 1, 1n), rec(2, 2, 3n), rec(3, 3, 2n)])).toBe(3n);
  });

  it("one record stays as it is; several go through the merge even when one is kept", () => {
    const lone = rec(4, 7, 5n, RowKind.DELETE);
    expect(readMergeFunction(schema({ "merge-engine": "aggregation", "changelog-producer": "lookup" }), "t")([lone])).toBe(lone);
    // the -D at level 4 is kept alone and merged: the sum retracts it from nothing
    const merged = readMergeFunction(schema({ "merge-engine": "aggregation", "changelog-producer": "lookup" }), "t")([rec(5, 1, 1n), lone]);
    expect(merged?.kind).toBe(RowKind.INSERT);
    expect(merged?.row[1]).toBe(-5n);
  });

  it("first-row is not wrapped; needLookup follows Java's CoreOptions.needLookup", () => {
    const first = readMergeFunction(schema({ "merge-engine": "first-row", "changelog-producer": "lookup" }), "t")([rec(5, 1, 1n), rec(4, 2, 2n), rec(0, 3, 3n)]);
    expect(first?.row[1]).toBe(1n);
    expect(needLookup(schema({ "merge-engine": "first-row" }))).toBe(true);
    expect(needLookup(schema({}))).toBe(false);
    expect(needLookup({ ...schema({ "changelog-producer": "lookup" }), primaryKeys: [] })).toBe(false);
    expect(() => needLookup(schema({ "force-lookup": "yes" }), undefined, "db.t")).toThrow(/db\.t.*force-lookup/);
  });
});
