/**
 * Tables written by Java Paimon 1.4.2 (the oracle), read by paimon-ts exactly as Java
 * reads them, at the latest snapshot and at every earlier one:
 * (a) a partitioned append table (DATE partitions, a NULL partition) across several
 *     commits with schema evolution in between (add, rename, drop and re-add, widen),
 *     a stats-mode change and a compaction;
 * (b) a primary-key table with deletion vectors: Java's lookup compaction leaves files at
 *     several LSM levels and DELETION_VECTORS index files;
 * (c) a primary-key table without DVs whose buckets hold several levels at once
 *     (universal compaction), plus a `sequence.field` table with DATE partitions;
 * (d) partial-update and aggregation tables, with retractions and compaction.
 * On each, filtered reads (random predicates, pruned by Java's own statistics: truncated
 * strings, Parquet float stats without NaN) equal unfiltered reads filtered in JavaScript.
 */
import { openOracle, rowMultiset, type Description, type WriteResult } from "@paimon-ts/oracle";
import { FileSystemCatalog } from "../src/catalog/catalog.js";
import { readTable, resultRows } from "../src/read/reader.js";
import { planScan } from "../src/read/scan.js";
import { eval3, prng, randomPredicate, resultKeys, rowKeys, showPredicate } from "./read-helpers.js";
import { canonicalRows, io, tempWarehouse } from "./write-helpers.js";

jest.setTimeout(600_000);

const java = openOracle("java");
afterAll(async () => {
  await java?.close();
});
const whenJava = java ? describe : describe.skip;
const wh = tempWarehouse("paimon-read-java-");

type Row = Record<string, unknown>;
type Commit = { rows: { kind: "+I" | "-U" | "+U" | "-D"; row: Row }[]; compact?: "full" } | { compactOnly: "full" } | { alter: Record<string, unknown>[] };

async function javaWrite(table: string, create: Record<string, unknown>, commits: Commit[]): Promise<WriteResult> {
  return java!.request<WriteResult>("write", { warehouse: wh, table, create, commits });
}

const ins = (row: Row) => ({ kind: "+I" as const, row });
const upd = (row: Row) => ({ kind: "+U" as const, row });
const ub = (row: Row) => ({ kind: "-U" as const, row });
const del = (row: Row) => ({ kind: "-D" as const, row });

/** Our read equals Java's, latest and at every snapshot; returns the snapshot count. */
async function sameAsJava(name: string): Promise<number> {
  const t = await new FileSystemCatalog(io, wh).getTable(name);
  const ids = await t.snapshots.listIds();
  for (const id of [undefined, ...ids]) {
    const j = await java!.readTable(wh, name, id === undefined ? {} : { snapshot: Number(id) });
    const ours = await readTable(t, { snapshotId: id });
    const what = `${name}@${id ?? "latest"}`;
    expect([what, ours.fields.map((f) => f.name)]).toEqual([what, j.columns.map((c) => c.name)]);
    expect([what, rowMultiset(canonicalRows(ours.fields, resultRows(ours)))]).toEqual([what, rowMultiset(j.rows)]);
  }
  return ids.length;
}

/** Random filters, pruned with Java's statistics, equal JS filtering of the full read. */
async function filtersExact(name: string, seed: number, n = 40): Promise<{ files: number; manifests: number }> {
  const t = await new FileSystemCatalog(io, wh).getTable(name);
  const rand = prng(seed);
  const skipped = { files: 0, manifests: 0 };
  for (const snapshotId of [undefined, ...(await t.snapshots.listIds())]) {
    const full = await readTable(t, { snapshotId });
    const rows = resultRows(full);
    const count = snapshotId === undefined ? n : 6;
    for (let k = 0; k < count; k++) {
      const p = randomPredicate(rand, full.fields, rows);
      const got = await readTable(t, { snapshotId, filter: p });
      const what = `${name}@${snapshotId ?? "latest"} ${showPredicate(p)}`;
      expect([what, resultKeys(got)]).toEqual([what, rowKeys(full.fields, rows.filter((r) => eval3(p, full.fields, r) === true))]);
      const plan = await planScan(t, { snapshotId, filter: p });
      skipped.files += plan.skipped.files;
      skipped.manifests += plan.skipped.manifests;
    }
  }
  return skipped;
}

async function describeTable(name: string): Promise<Description> {
  return java!.describe(wh, name);
}

const LONG = "a string well beyond the sixteen code points of truncate(16) stats";

whenJava("Java-written tables read as Java reads them", () => {
  it("(a) partitioned append table with schema evolution between commits", async () => {
    await javaWrite(
      "db.append_evo",
      {
        fields: [
          { name: "id", type: "INT NOT NULL" },
          { name: "dt", type: "DATE" },
          { name: "name", type: "STRING" },
          { name: "score", type: "INT" },
          { name: "d", type: "DOUBLE" },
          { name: "amount", type: "DECIMAL(10, 2)" },
        ],
        partitionKeys: ["dt"],
        options: {},
      },
      [
        {
          rows: [
            ins({ id: 1, dt: "2024-01-01", name: "alice", score: 10, d: 1.5, amount: "10.25" }),
            ins({ id: 2, dt: "2024-01-01", name: `${LONG} 1`, score: -3, d: "NaN", amount: "-0.01" }),
            ins({ id: 3, dt: "2024-01-02", name: `${LONG} 2`, score: null, d: -0.0, amount: null }),
            ins({ id: 4, dt: null, name: null, score: 2147483647, d: "Infinity", amount: "99999999.99" }),
            ins({ id: 5, dt: "1969-12-31", name: "日本語 ✓ 😀", score: 0, d: 0.0, amount: "0.00" }),
          ],
        },
        {
          alter: [
            { addColumn: { name: "extra", type: "STRING", after: "id" } },
            { renameColumn: { from: "name", to: "title" } },
            { updateColumnType: { name: "score", type: "BIGINT" } },
            { updateColumnType: { name: "amount", type: "DECIMAL(12, 4)" } },
          ],
        },
        {
          rows: [
            ins({ id: 6, extra: "x", dt: "2024-01-02", title: "bob", score: "9007199254740993", d: 2.25, amount: "12345678.9012" }),
            ins({ id: 7, extra: null, dt: null, title: `${LONG} 3`, score: "-5", d: "NaN", amount: "-1.0000" }),
          ],
        },
        { alter: [{ dropColumn: "d" }, { addColumn: { name: "d", type: "DOUBLE" } }] },
        {
          rows: [
            ins({ id: 8, extra: "y", dt: "2024-01-01", title: "carol", score: "8", amount: "0.5000", d: 8.5 }),
            ins({ id: 9, extra: "z", dt: "2024-01-03", title: null, score: null, amount: null, d: null }),
          ],
        },
        { alter: [{ setOption: { key: "metadata.stats-mode", value: "full" } }] },
        {
          rows: [
            ins({ id: 10, extra: LONG, dt: "2024-01-03", title: `${LONG} 4`, score: "10", amount: "1.0000", d: -1 }),
            ins({ id: 11, extra: "w", dt: null, title: "dave", score: "11", amount: "2.0000", d: "NaN" }),
          ],
        },
        { compactOnly: "full" },
        { rows: [ins({ id: 12, extra: "v", dt: "2024-01-01", title: "erin", score: "12", amount: "3.0000", d: 12 })] },
        // a change after the last commit: the latest read already shows it (Java reads the
        // latest snapshot with the table's current schema)
        { alter: [{ addColumn: { name: "late", type: "INT", first: true } }, { renameColumn: { from: "extra", to: "extra2" } }] },
      ],
    );
    const d = await describeTable("db.append_evo");
    expect(d.schemaId).toBe(4);
    expect(d.snapshots[d.snapshots.length - 1].schemaId).toBe(3);
    expect(new Set(d.liveFiles.map((f) => f.schemaId)).size).toBeGreaterThan(1);
    expect(d.liveFiles.some((f) => f.partition.dt === null)).toBe(true);
    expect(await sameAsJava("db.append_evo")).toBeGreaterThanOrEqual(6);
    const skipped = await filtersExact("db.append_evo", 11);
    expect(skipped.files).toBeGreaterThan(0);
  });

  it("(b) primary-key table with deletion vectors: several levels and DV index files", async () => {
    const commits: Commit[] = [];
    for (let c = 0; c < 6; c++) {
      const rows: { kind: "+I" | "-U" | "+U" | "-D"; row: Row }[] = [];
      for (let i = 0; i < 20; i++) rows.push(ins({ k: c * 20 + i, v: `v${c}-${i}`, n: String(c * 100 + i), ...(c >= 3 ? { extra: c * 1000 + i } : {}) }));
      for (let i = 0; i < c * 20; i += 7) rows.push(upd({ k: i, v: `u${c}-${i}`, n: String(-i), ...(c >= 3 ? { extra: -i } : {}) }));
      if (c > 1) rows.push(del({ k: c * 3 }));
      commits.push({ rows });
      if (c === 2) commits.push({ alter: [{ addColumn: { name: "extra", type: "INT" } }] });
    }
    await javaWrite(
      "db.pk_dv",
      {
        fields: [
          { name: "k", type: "INT NOT NULL" },
          { name: "v", type: "STRING" },
          { name: "n", type: "BIGINT" },
        ],
        primaryKeys: ["k"],
        options: { bucket: "2", "deletion-vectors.enabled": "true" },
      },
      commits,
    );
    const d = await describeTable("db.pk_dv");
    expect(d.snapshots.map((s) => s.commitKind)).toContain("COMPACT");
    expect(new Set(d.liveFiles.map((f) => f.level)).size).toBeGreaterThan(1);
    const dvFiles = d.indexFiles.filter((f) => f.indexType === "DELETION_VECTORS");
    expect(dvFiles.length).toBeGreaterThan(0);
    expect(dvFiles.some((f) => Object.keys(f.dvRanges ?? {}).length > 0)).toBe(true);
    await sameAsJava("db.pk_dv");
    const skipped = await filtersExact("db.pk_dv", 22);
    expect(skipped.files).toBeGreaterThan(0);
  });

  it("(c) primary-key table with several LSM levels, no DV", async () => {
    const commits: Commit[] = [];
    for (let c = 0; c < 9; c++) {
      const rows: { kind: "+I" | "-U" | "+U" | "-D"; row: Row }[] = [];
      for (let i = 0; i < 10; i++) rows.push(ins({ k: c * 10 + i, v: `v${c}-${i}`, n: String(c * 100 + i) }));
      for (let i = 0; i < c * 10; i += 7) rows.push(ub({ k: i, v: "old", n: "0" }), upd({ k: i, v: `u${c}-${i}`, n: String(-i) }));
      if (c > 1) rows.push(del({ k: c * 3 }));
      commits.push(c === 3 ? { rows, compact: "full" } : { rows });
    }
    await javaWrite(
      "db.pk_lsm",
      {
        fields: [
          { name: "k", type: "INT NOT NULL" },
          { name: "v", type: "STRING" },
          { name: "n", type: "BIGINT" },
        ],
        primaryKeys: ["k"],
        options: { bucket: "1", "num-sorted-run.compaction-trigger": "3" },
      },
      commits,
    );
    const d = await describeTable("db.pk_lsm");
    const levels = new Set(d.liveFiles.map((f) => f.level));
    expect(levels.has(0)).toBe(true);
    expect(levels.size).toBeGreaterThan(1);
    expect(d.liveFiles.some((f) => (f.deleteRowCount ?? 0) > 0)).toBe(true);
    await sameAsJava("db.pk_lsm");
    const skipped = await filtersExact("db.pk_lsm", 33);
    expect(skipped.files).toBeGreaterThan(0);
  });

  it("(c) sequence.field table, DATE partitions in the primary key", async () => {
    await javaWrite(
      "db.pk_seq",
      {
        fields: [
          { name: "dt", type: "DATE NOT NULL" },
          { name: "k", type: "BIGINT NOT NULL" },
          { name: "ts", type: "TIMESTAMP(3)" },
          { name: "v", type: "STRING" },
        ],
        primaryKeys: ["dt", "k"],
        partitionKeys: ["dt"],
        options: { bucket: "2", "sequence.field": "ts" },
      },
      [
        {
          rows: [
            ins({ dt: "2024-01-01", k: "1", ts: "2024-01-01T00:00:05.000", v: "newest" }),
            ins({ dt: "2024-01-01", k: "2", ts: "2024-01-01T00:00:01.000", v: "a" }),
            ins({ dt: "2024-01-02", k: "1", ts: "2024-01-02T00:00:01.000", v: "b" }),
          ],
        },
        {
          rows: [
            upd({ dt: "2024-01-01", k: "1", ts: "2024-01-01T00:00:03.000", v: "older, loses" }),
            upd({ dt: "2024-01-01", k: "2", ts: "2024-01-01T00:00:02.000", v: "a2" }),
            ins({ dt: "2024-01-03", k: "9", ts: null, v: "no ts" }),
          ],
        },
        { rows: [del({ dt: "2024-01-02", k: "1", ts: "2024-01-02T00:00:09.000", v: "b" }), ins({ dt: "2024-01-03", k: "10", ts: "2024-01-03T00:00:00.000", v: "c" })] },
        { compactOnly: "full" },
        { rows: [upd({ dt: "2024-01-03", k: "10", ts: "2024-01-03T00:00:01.000", v: "c2" })] },
      ],
    );
    await sameAsJava("db.pk_seq");
    await filtersExact("db.pk_seq", 44, 30);
  });

  it("(d) partial-update table", async () => {
    await javaWrite(
      "db.pk_partial",
      {
        fields: [
          { name: "k", type: "INT NOT NULL" },
          { name: "a", type: "STRING" },
          { name: "b", type: "BIGINT" },
          { name: "c", type: "DOUBLE" },
        ],
        primaryKeys: ["k"],
        options: { bucket: "2", "merge-engine": "partial-update", "partial-update.remove-record-on-delete": "true" },
      },
      [
        { rows: [ins({ k: 1, a: "a1" }), ins({ k: 2, b: "2" }), ins({ k: 3, a: "a3", b: "3", c: 3.5 })] },
        { rows: [ins({ k: 1, b: "10" }), ins({ k: 2, a: "a2", c: -1 }), ins({ k: 4, c: 4 })] },
        { rows: [ins({ k: 1, c: 0.5 }), del({ k: 3 })], compact: "full" },
        { rows: [ins({ k: 3, b: "33" }), ins({ k: 4, a: "a4" }), ins({ k: 1, a: "a1-new" })] },
        { rows: [ins({ k: 5, a: "a5" })] },
      ],
    );
    await sameAsJava("db.pk_partial");
    await filtersExact("db.pk_partial", 55, 30);
  });

  it("(d) aggregation table", async () => {
    const noRetract = ["mx", "mn", "l", "ba", "bo", "fv", "fnn", "p"];
    await javaWrite(
      "db.pk_agg",
      {
        fields: [
          { name: "k", type: "INT NOT NULL" },
          { name: "s", type: "BIGINT" },
          { name: "mx", type: "INT" },
          { name: "mn", type: "DOUBLE" },
          { name: "l", type: "STRING" },
          { name: "lv", type: "STRING" },
          { name: "lnn", type: "STRING" },
          { name: "ba", type: "BOOLEAN" },
          { name: "bo", type: "BOOLEAN" },
          { name: "fv", type: "STRING" },
          { name: "fnn", type: "STRING" },
          { name: "p", type: "BIGINT" },
        ],
        primaryKeys: ["k"],
        options: {
          bucket: "1",
          "merge-engine": "aggregation",
          "fields.s.aggregate-function": "sum",
          "fields.mx.aggregate-function": "max",
          "fields.mn.aggregate-function": "min",
          "fields.l.aggregate-function": "listagg",
          "fields.lv.aggregate-function": "last_value",
          "fields.ba.aggregate-function": "bool_and",
          "fields.bo.aggregate-function": "bool_or",
          "fields.fv.aggregate-function": "first_value",
          "fields.fnn.aggregate-function": "first_non_null_value",
          "fields.p.aggregate-function": "product",
          ...Object.fromEntries(noRetract.map((f) => [`fields.${f}.ignore-retract`, "true"])),
        },
      },
      [
        {
          rows: [
            ins({ k: 1, s: "5", mx: 3, mn: 2.5, l: "x", lv: "first", lnn: "n1", ba: true, bo: false, fv: null, fnn: null, p: "2" }),
            ins({ k: 2, s: "-1", mx: null, mn: null, l: null, lv: null, lnn: null, ba: null, bo: null, fv: "f2", fnn: "g2", p: null }),
          ],
        },
        {
          rows: [
            ins({ k: 1, s: "7", mx: 9, mn: -1, l: "y", lv: null, lnn: null, ba: false, bo: true, fv: "late", fnn: "g1", p: "3" }),
            ins({ k: 3, s: "1", mx: 1, mn: 1, l: "z", lv: "z", lnn: "z", ba: true, bo: true, fv: "f3", fnn: "f3", p: "4" }),
          ],
        },
        { rows: [ub({ k: 1, s: "5", mx: 3, mn: 2.5, l: "x", lv: "first", lnn: "n1", ba: true, bo: false, fv: null, fnn: null, p: "2" }), ins({ k: 2, s: "10", l: "w" })], compact: "full" },
        { rows: [ins({ k: 3, s: "100", mx: 0, mn: 0.5, l: "q", lv: "last", lnn: null, ba: false, bo: false, fv: "nope", fnn: "nope", p: "-1" }), del({ k: 2, s: "9", l: "v" })] },
      ],
    );
    await sameAsJava("db.pk_agg");
    await filtersExact("db.pk_agg", 66, 30);
  });
});

whenJava("Java-written tables: more layouts", () => {
  const base = (extra: Record<string, string>) => ({
    fields: [
      { name: "k", type: "INT NOT NULL" },
      { name: "v", type: "STRING" },
      { name: "n", type: "BIGINT" },
    ],
    primaryKeys: ["k"],
    options: { bucket: "1", ...extra },
  });
  const commits = (): Commit[] => [
    { rows: [ins({ k: 1, v: "a", n: "1" }), ins({ k: 2, v: "b", n: "2" }), ins({ k: 3, v: "c", n: "3" })] },
    { rows: [upd({ k: 1, v: "a2", n: "10" }), del({ k: 2, v: "b", n: "2" }), ins({ k: 4, v: null, n: null })] },
    { rows: [ins({ k: 5, v: "e", n: "5" }), upd({ k: 3, v: "c2", n: "30" })], compact: "full" },
    { rows: [ins({ k: 6, v: "f", n: "6" }), del({ k: 1, v: "a2", n: "10" })] },
  ];
  it.each([
    ["thin", { "data-file.thin-mode": "true" }],
    ["thin_dv", { "data-file.thin-mode": "true", "deletion-vectors.enabled": "true" }],
    ["first_row", { "merge-engine": "first-row", "ignore-delete": "true" }],
    ["desc_seq", { "sequence.field": "n", "sequence.field.sort-order": "descending" }],
    ["stats_cols", { "metadata.stats-mode": "none", "fields.v.stats-mode": "full" }],
    ["stats_sparse", { "metadata.stats-dense-store": "false", "metadata.stats-mode": "truncate(1)" }],
    ["avro", { "file.format": "avro" }],
    ["lookup_changelog", { "changelog-producer": "lookup" }],
    ["external_paths", { "data-file.external-paths": `file://${wh}/external`, "data-file.external-paths.strategy": "round-robin" }],
    ["dynamic_bucket", { bucket: "-1", "dynamic-bucket.target-row-num": "2" }],
  ])("%s", async (name, extra) => {
    await javaWrite(`db.more_${name}`, base(extra as Record<string, string>), commits());
    await sameAsJava(`db.more_${name}`);
    await filtersExact(`db.more_${name}`, 77, 20);
  });
});

whenJava("Java-written tables: explicit type changes (updateColumnType beyond widening)", () => {
  // [from, to, value written before the change, value written after]
  const CASTS: [string, string, unknown, unknown][] = [
    ["STRING", "VARCHAR(2)", "日本語ab", "xy"],
    ["STRING", "VARCHAR(3)", "a😀b😀c", "x"],
    ["STRING", "CHAR(5)", "ab", "abcdefg"],
    ["STRING", "CHAR(2)", "abcdefg", "a"],
    ["CHAR(5)", "STRING", "ab", "x"],
    ["CHAR(3)", "CHAR(5)", "ab", "x"],
    ["VARCHAR(10)", "CHAR(2)", "abc", "x"],
    ["BYTES", "VARBINARY(2)", "AAECAw==", "AQ=="],
    ["BYTES", "BINARY(3)", "AQ==", "AQIDBA=="],
    ["BINARY(2)", "BINARY(4)", "AQI=", "AQ=="],
    ["INT", "STRING", 5, "x"],
    ["TINYINT", "STRING", -5, "x"],
    ["BIGINT", "STRING", "-9223372036854775808", "x"],
    ["INT", "VARCHAR(2)", 12345, "x"],
    ["INT", "CHAR(4)", 7, "x"],
    ["DECIMAL(5, 0)", "STRING", "-12", "x"],
    ["DECIMAL(10, 3)", "STRING", "0.010", "x"],
    ["BOOLEAN", "STRING", true, "s"],
    ["DATE", "STRING", "0099-01-02", "x"],
    ["TIMESTAMP(3)", "STRING", "1969-12-31T23:59:59.999", "x"],
    ["TIMESTAMP(6)", "STRING", "2024-01-02T03:04:05.120000", "x"],
    ["TIMESTAMP(0)", "STRING", "2024-01-02T03:04:05", "x"],
    ["STRING", "INT", "+42", 3],
    ["STRING", "TINYINT", "-128", 1],
    ["STRING", "BIGINT", "-9223372036854775808", "3"],
    ["BIGINT", "INT", "4294967297", 4],
    ["DOUBLE", "INT", -2.7, 1],
    ["DOUBLE", "INT", 1e20, 1],
    ["DOUBLE", "INT", "NaN", 1],
    ["DOUBLE", "BIGINT", 1e20, "1"],
    ["DOUBLE", "TINYINT", 300.5, 1],
    ["FLOAT", "SMALLINT", -40000.5, 1],
    ["DOUBLE", "FLOAT", 0.1, 0.5],
    ["BOOLEAN", "INT", true, 5],
    ["INT", "BOOLEAN", 0, true],
    ["BIGINT", "BOOLEAN", "-3", true],
    ["DECIMAL(10, 2)", "DOUBLE", "0.10", 0.5],
    ["DECIMAL(18, 2)", "DOUBLE", "90071992547409.93", 0.5],
    ["DECIMAL(20, 2)", "DOUBLE", "90071992547409.93", 0.5],
    ["DECIMAL(38, 10)", "DOUBLE", "1234567890123456789012345678.0123456789", 0.5],
    ["DECIMAL(10, 2)", "INT", "-12.99", 1],
    ["DECIMAL(20, 0)", "BIGINT", "99999999999999999999", "1"],
    ["DECIMAL(20, 0)", "INT", "-99999999999999999999", 1],
    ["DECIMAL(10, 2)", "DECIMAL(4, 1)", "12.35", "1.5"],
    ["INT", "DECIMAL(3, 1)", 123, "1.5"],
    ["TIMESTAMP(6)", "DATE", "2024-01-02T03:04:05.123456", "2024-05-05"],
    ["TIMESTAMP(6)", "TIMESTAMP(3)", "2024-01-02T03:04:05.123456", "2024-05-05T00:00:00.001"],
    ["BIGINT", "FLOAT", "16777217", 0.5],
  ];
  const col = (i: number) => `c${i}`;

  it("every column reads as Java casts it, at every snapshot; filters stay exact", async () => {
    await javaWrite(
      "db.casts",
      { fields: [{ name: "k", type: "INT NOT NULL" }, ...CASTS.map(([from], i) => ({ name: col(i), type: from }))], options: {} },
      [
        { rows: [ins({ k: 1, ...Object.fromEntries(CASTS.map(([, , v], i) => [col(i), v])) }), ins({ k: 2 })] },
        { alter: CASTS.map(([, to], i) => ({ updateColumnType: { name: col(i), type: to } })) },
        { rows: [ins({ k: 3, ...Object.fromEntries(CASTS.map(([, , , v], i) => [col(i), v])) })] },
      ],
    );
    await sameAsJava("db.casts");
    await filtersExact("db.casts", 88, 60);
  });

  it("a change paimon-ts cannot convert fails the read (TIME to STRING)", async () => {
    await javaWrite("db.cast_time", { fields: [{ name: "k", type: "INT NOT NULL" }, { name: "t", type: "TIME(3)" }], options: {} }, [
      { rows: [ins({ k: 1, t: "01:02:03.040" })] },
      { alter: [{ updateColumnType: { name: "t", type: "STRING" } }] },
    ]);
    expect((await java!.readTable(wh, "db.cast_time")).rows).toEqual([{ k: 1, t: "01:02:03.04" }]);
    const t = await new FileSystemCatalog(io, wh).getTable("db.cast_time");
    await expect(readTable(t)).rejects.toThrow(/cannot read Parquet column t .* as STRING/);
  });
});
