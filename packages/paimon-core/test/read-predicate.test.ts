/**
 * The predicate model of `ReadOptions.filter`: SQL three-valued semantics on rows, range
 * reasoning on statistics, and — on every readable pypaimon fixture, latest and every
 * snapshot — filtered reads equal unfiltered reads filtered in JavaScript, with and
 * without projection. The statistics every fixture file carries are checked to really
 * bound the file's values, as decoded and mapped by the reader.
 */
import { LocalFileIO } from "@paimon-ts/fileio-local";
import { joinPath } from "@paimon-ts/fileio";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { statsComparator } from "../src/data/stats.js";
import { timestamp, type InternalValue } from "../src/data/values.js";
import { vectorGet } from "../src/data/vector.js";
import { formatFromFileName, readDataFile } from "../src/format/index.js";
import { FileSystemCatalog } from "../src/catalog/catalog.js";
import { keyStatsBounds, valueStatsBounds, castBound } from "../src/read/file-bounds.js";
import { BoundPredicate, Pred, predicateColumns, type ColumnBounds, type Predicate } from "../src/read/predicate.js";
import { readTable, resultRows } from "../src/read/reader.js";
import { planScan } from "../src/read/scan.js";
import { keyField } from "../src/read/system-fields.js";
import { trimmedPrimaryKeyFields } from "../src/schema/table-schema.js";
import type { DataField } from "../src/types/datatype.js";
import { parseTypeString } from "../src/types/parse.js";
import { eval3, prng, randomPredicate, resultKeys, rowKeys, showPredicate } from "./read-helpers.js";

const FIXTURES = join(__dirname, "../../../../shared/fixtures/pypaimon");
const index = JSON.parse(readFileSync(join(FIXTURES, "index.json"), "utf8"));
const catalog = new FileSystemCatalog(new LocalFileIO(), join(FIXTURES, "warehouse"));
const tables: { table: string; features: string[] }[] = index.tables;
const readable = tables.filter((t) => !t.features.includes("orc")).map((t) => t.table);

const F = (name: string, type: string): DataField => ({ id: 0, name, type: parseTypeString(type) });
const FIELDS: DataField[] = [F("i", "INT"), F("s", "STRING"), F("d", "DOUBLE"), F("b", "BIGINT"), F("ts", "TIMESTAMP(6)"), F("a", "ARRAY<INT>")].map((f, id) => ({ ...f, id }));

function test(p: Predicate, row: InternalValue[]): boolean {
  return BoundPredicate.bind(p, FIELDS).test((i) => row[i]);
}

describe("row semantics (SQL three-valued logic)", () => {
  const row: InternalValue[] = [5, "abc", -0, 7n, timestamp(1000n, 5), [1]];
  const nulls: InternalValue[] = [null, null, null, null, null, null];

  it("compares by the column type", () => {
    expect(test(Pred.eq("i", 5), row)).toBe(true);
    expect(test(Pred.lt("i", 6), row)).toBe(true);
    expect(test(Pred.ge("i", 6), row)).toBe(false);
    expect(test(Pred.gt("s", "ab"), row)).toBe(true);
    expect(test(Pred.le("s", "abb"), row)).toBe(false);
    expect(test(Pred.eq("b", 7), row)).toBe(true); // an integer number is accepted for BIGINT
    expect(test(Pred.gt("ts", timestamp(1000n, 4)), row)).toBe(true);
    expect(test(Pred.in("i", [1, 5]), row)).toBe(true);
    // Java's Double.compare: -0.0 < 0.0
    expect(test(Pred.eq("d", 0), row)).toBe(false);
    expect(test(Pred.lt("d", 0), row)).toBe(true);
  });

  it("NULL operands are UNKNOWN, and NOT UNKNOWN is UNKNOWN", () => {
    for (const p of [Pred.eq("i", 5), Pred.ne("i", 5), Pred.lt("i", 5), Pred.in("i", [5])]) {
      expect(test(p, nulls)).toBe(false);
      expect(test(Pred.not(p), nulls)).toBe(false);
    }
    expect(test(Pred.eq("i", null), row)).toBe(false);
    expect(test(Pred.ne("i", null), row)).toBe(false);
    expect(test(Pred.isNull("i"), nulls)).toBe(true);
    expect(test(Pred.not(Pred.isNull("i")), nulls)).toBe(false);
    expect(test(Pred.isNotNull("a"), row)).toBe(true);
    // in with a NULL element: TRUE on a match, else UNKNOWN (so NOT IN is never TRUE)
    expect(test(Pred.in("i", [null, 5]), row)).toBe(true);
    expect(test(Pred.in("i", [null, 6]), row)).toBe(false);
    expect(test(Pred.not(Pred.in("i", [null, 6])), row)).toBe(false);
    expect(test(Pred.not(Pred.in("i", [6])), row)).toBe(true);
  });

  it("and/or follow Kleene's tables", () => {
    const unknown = Pred.eq("i", null);
    expect(test(Pred.or(unknown, Pred.eq("i", 5)), row)).toBe(true);
    expect(test(Pred.and(unknown, Pred.eq("i", 5)), row)).toBe(false);
    expect(test(Pred.not(Pred.and(unknown, Pred.eq("i", 6))), row)).toBe(true); // NOT FALSE
    expect(test(Pred.not(Pred.or(unknown, Pred.eq("i", 6))), row)).toBe(false); // NOT UNKNOWN
    expect(test(Pred.and(), row)).toBe(true);
    expect(test(Pred.or(), row)).toBe(false);
  });

  it("agrees with the reference evaluator on random predicates, negated or not", () => {
    const rand = prng(7);
    const rows: InternalValue[][] = [row, nulls, [1, "", Number.NaN, -3n, timestamp(-5n), null], [5, "abd", 0, 7n, timestamp(1000n, 5), []]];
    for (let n = 0; n < 500; n++) {
      const p = randomPredicate(rand, FIELDS, rows, 3);
      for (const r of rows) {
        expect([showPredicate(p), test(p, r)]).toEqual([showPredicate(p), eval3(p, FIELDS, r) === true]);
        expect([showPredicate(Pred.not(p)), test(Pred.not(p), r)]).toEqual([showPredicate(Pred.not(p)), eval3(Pred.not(p), FIELDS, r) === true]);
      }
    }
  });

  it("rejects unknown columns, wrong literal types and comparisons of nested types", () => {
    expect(() => BoundPredicate.bind(Pred.eq("nope", 1), FIELDS)).toThrow(/no column 'nope'/);
    expect(() => BoundPredicate.bind(Pred.eq("i", "1"), FIELDS)).toThrow(/not a value of column 'i'/);
    expect(() => BoundPredicate.bind(Pred.eq("b", 1.5), FIELDS)).toThrow(/not a value of column 'b'/);
    expect(() => BoundPredicate.bind(Pred.eq("a", [1]), FIELDS)).toThrow(/isNull/);
    expect(() => BoundPredicate.bind({ op: "like", column: "s" } as unknown as Predicate, FIELDS)).toThrow(/unknown predicate op/);
    expect(predicateColumns(Pred.and(Pred.eq("i", 1), Pred.not(Pred.isNull("s")), Pred.gt("i", 0)))).toEqual(["i", "s"]);
  });
});

describe("range reasoning (mightMatch)", () => {
  const might = (p: Predicate, b: Partial<Record<string, ColumnBounds>>) => BoundPredicate.bind(p, FIELDS).mightMatch((i) => b[FIELDS[i].name]);
  const range = (min: InternalValue, max: InternalValue, nullCount: bigint | null = 0n, rowCount: bigint | null = 10n): ColumnBounds => ({ min, max, nullCount, rowCount });

  it("skips only when no value in the bounds can match", () => {
    const i = range(10, 20);
    expect(might(Pred.eq("i", 15), { i })).toBe(true);
    expect(might(Pred.eq("i", 21), { i })).toBe(false);
    expect(might(Pred.lt("i", 10), { i })).toBe(false);
    expect(might(Pred.le("i", 10), { i })).toBe(true);
    expect(might(Pred.gt("i", 20), { i })).toBe(false);
    expect(might(Pred.ge("i", 20), { i })).toBe(true);
    expect(might(Pred.in("i", [1, 2, 30]), { i })).toBe(false);
    expect(might(Pred.in("i", [1, 12]), { i })).toBe(true);
    expect(might(Pred.ne("i", 10), { i })).toBe(true);
    expect(might(Pred.ne("i", 10), { i: range(10, 10) })).toBe(false);
    expect(might(Pred.not(Pred.in("i", [10, 11])), { i: range(10, 10) })).toBe(false);
    expect(might(Pred.not(Pred.in("i", [11, null])), { i })).toBe(false);
    expect(might(Pred.isNull("i"), { i })).toBe(false);
    expect(might(Pred.isNotNull("i"), { i })).toBe(true);
    expect(might(Pred.not(Pred.gt("i", 5)), { i })).toBe(false); // NNF: i <= 5
    expect(might(Pred.eq("i", 5), {})).toBe(true); // nothing known
    expect(might(Pred.eq("i", 5), { i: range(null, null, null) })).toBe(true);
    expect(might(Pred.gt("i", 5), { i: range(null, 3, 0n) })).toBe(false);
  });

  it("all-NULL columns match only isNull", () => {
    const i = range(null, null, 10n, 10n);
    expect(might(Pred.isNull("i"), { i })).toBe(true);
    expect(might(Pred.isNotNull("i"), { i })).toBe(false);
    expect(might(Pred.ne("i", 1), { i })).toBe(false);
    expect(might(Pred.not(Pred.eq("i", 1)), { i })).toBe(false);
  });

  it("and/or combine per column, unknown columns never skip", () => {
    const i = range(10, 20);
    expect(might(Pred.and(Pred.eq("i", 1), Pred.eq("s", "x")), { i })).toBe(false);
    expect(might(Pred.or(Pred.eq("i", 1), Pred.eq("s", "x")), { i })).toBe(true);
    expect(might(Pred.or(Pred.eq("i", 1), Pred.eq("i", 30)), { i })).toBe(false);
    expect(might(Pred.not(Pred.and(Pred.gt("i", 5), Pred.lt("i", 30))), { i })).toBe(false);
  });

  it("truncated string bounds are bounds", () => {
    // truncate(3) of values "abcdef".."abzzz": min "abc", max "ac" (last code point bumped)
    const s = range("abc", "ac");
    expect(might(Pred.eq("s", "abcdef"), { s })).toBe(true);
    expect(might(Pred.eq("s", "abzzz"), { s })).toBe(true);
    expect(might(Pred.eq("s", "ab"), { s })).toBe(false);
    expect(might(Pred.gt("s", "ac"), { s })).toBe(false);
    expect(might(Pred.ge("s", "ac"), { s })).toBe(true);
  });

  it("floating maxima from statistics are not trusted (Parquet leaves NaN out)", () => {
    const d = range(1, 2);
    expect(might(Pred.lt("d", 1), { d })).toBe(false);
    expect(might(Pred.gt("d", 5), { d })).toBe(true); // a NaN row would match
    expect(might(Pred.eq("d", Number.NaN), { d })).toBe(true);
    expect(might(Pred.gt("d", 5), { d: { ...d, exact: true } })).toBe(false);
  });

  it("stats bounds survive only exact, order-preserving type changes", () => {
    const t = (s: string) => parseTypeString(s);
    expect(castBound(t("INT"), t("BIGINT"), 5)).toBe(5n);
    expect(castBound(t("TINYINT"), t("INT"), -3)).toBe(-3);
    expect(castBound(t("FLOAT"), t("DOUBLE"), 1.5)).toBe(1.5);
    expect(castBound(t("DECIMAL(5, 2)"), t("DECIMAL(10, 4)"), 12345n)).toBe(1234500n);
    expect(castBound(t("VARCHAR(5)"), t("STRING"), "abc")).toBe("abc");
    expect(castBound(t("INT"), t("STRING"), 5)).toBeUndefined();
    expect(castBound(t("INT"), t("DOUBLE"), 5)).toBeUndefined();
    expect(castBound(t("BIGINT"), t("INT"), 5n)).toBeUndefined();
    expect(castBound(t("CHAR(3)"), t("VARCHAR(5)"), "ab ")).toBeUndefined();
  });
});

describe("pypaimon fixtures", () => {
  const pruned = { files: 0, manifests: 0 };
  it.each(readable.map((t) => [t]))("%s: file statistics bound the file's values", async (name) => {
    const table = await catalog.getTable(name);
    for (const id of await table.snapshots.listIds()) {
      const snapshot = await table.snapshots.snapshot(id);
      const schema = await table.schemas.schema(snapshot.schemaId);
      const plan = await planScan(table, { snapshotId: id });
      const isPk = schema.primaryKeys.length > 0;
      for (const split of plan.splits) {
        for (const f of split.files) {
          const fileSchema = await table.schemas.schema(f.schemaId);
          let path = f.externalPath ?? joinPath(split.bucketPath, f.fileName);
          if (!(await table.io.exists(path)) && split.altBucketPath) path = joinPath(split.altBucketPath, f.fileName);
          const bytes = await table.io.readFile(path);
          const keyFields = isPk ? trimmedPrimaryKeyFields(schema) : [];
          const fileKeyFields = isPk ? trimmedPrimaryKeyFields(fileSchema) : [];
          const b = await readDataFile(formatFromFileName(f.fileName), bytes, [...keyFields.map(keyField), ...schema.fields], {
            fileFields: [...fileKeyFields.map(keyField), ...fileSchema.fields],
          });
          const nk = keyFields.length;
          const values = valueStatsBounds(schema.fields, fileSchema, f);
          const keys = isPk ? keyStatsBounds(schema, fileSchema, f, split.partitionValues) : null;
          const bound = (p: Predicate) => BoundPredicate.bind(p, schema.fields);
          for (let r = 0; r < b.numRows; r++) {
            schema.fields.forEach((field, c) => {
              const v = vectorGet(b.columns[nk + c], r);
              const p = v === null ? Pred.isNull(field.name) : statsComparator(field.type) === null ? Pred.isNotNull(field.name) : Pred.eq(field.name, v);
              const what = `${name}@${id} ${f.fileName} row ${r} ${showPredicate(p)}`;
              expect([what, bound(p).mightMatch(values)]).toEqual([what, true]);
            });
            for (let k = 0; k < nk; k++) {
              const v = vectorGet(b.columns[k], r);
              const p = v === null ? Pred.isNull(keyFields[k].name) : Pred.eq(keyFields[k].name, v);
              const what = `${name}@${id} ${f.fileName} key row ${r} ${showPredicate(p)}`;
              expect([what, bound(p).mightMatch(keys!)]).toEqual([what, true]);
            }
          }
        }
      }
    }
  });

  it.each(readable.map((t) => [t]))("%s: filtered reads equal JS-filtered reads (latest and every snapshot)", async (name) => {
    const table = await catalog.getTable(name);
    const rand = prng(name.length * 7919 + name.charCodeAt(3));
    const ids: (bigint | undefined)[] = [undefined, ...(await table.snapshots.listIds())];
    for (const snapshotId of ids) {
      const full = await readTable(table, { snapshotId });
      const fields = full.fields;
      const rows = resultRows(full);
      const n = snapshotId === undefined ? 40 : 12;
      for (let k = 0; k < n; k++) {
        const p = randomPredicate(rand, fields, rows);
        const expected = rows.filter((r) => eval3(p, fields, r) === true);
        const got = await readTable(table, { snapshotId, filter: p });
        const { skipped } = await planScan(table, { snapshotId, filter: p });
        pruned.files += skipped.files;
        pruned.manifests += skipped.manifests;
        const what = `${name}@${snapshotId ?? "latest"} ${showPredicate(p)}`;
        expect([what, resultKeys(got)]).toEqual([what, rowKeys(fields, expected)]);
        if (k % 4 === 0 && fields.length > 1) {
          // projection without the filter's columns
          const cols = predicateColumns(p);
          const projection = fields.map((f) => f.name).filter((c) => !cols.includes(c) || rand() < 0.3);
          if (projection.length === 0) continue;
          const idx = projection.map((c) => fields.findIndex((f) => f.name === c));
          const gotP = await readTable(table, { snapshotId, filter: p, projection });
          expect(gotP.fields.map((f) => f.name)).toEqual(projection);
          const want = rowKeys(
            idx.map((i) => fields[i]),
            expected.map((r) => idx.map((i) => r[i])),
          );
          expect([what, resultKeys(gotP)]).toEqual([what, want]);
        }
      }
    }
  });

  it("the filter prunes partitions, manifests and files of the fixtures", async () => {
    // (the random filters above, summed over the fixtures)
    expect(pruned.files).toBeGreaterThan(50);
    expect(pruned.manifests).toBeGreaterThan(5);
    const t = await catalog.getTable("fx.append_partitioned");
    const full = resultRows(await readTable(t));
    const dtIdx = t.schema.fields.findIndex((f) => f.name === "dt");
    const someDate = full.map((r) => r[dtIdx]).find((v) => v !== null)!;
    const plan = await planScan(t, { filter: Pred.eq("dt", someDate) });
    const all = await planScan(t);
    expect(plan.splits.length).toBeLessThan(all.splits.length);
    expect(plan.splits.every((s) => s.partitionValues[1] === someDate)).toBe(true);
    const nullPlan = await planScan(t, { filter: Pred.isNull("region") });
    expect(nullPlan.splits.length).toBeGreaterThan(0);
    expect(nullPlan.splits.every((s) => s.partitionValues[0] === null)).toBe(true);
  });
});
