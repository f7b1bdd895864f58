/**
 * Filter pushdown and projection on tables written by paimon-ts, with a FileIO that
 * counts data-file reads: partitions, manifests and files that cannot match are not read;
 * in merged primary-key buckets only key predicates skip files (a value predicate would
 * drop a retraction or a partial update); projection fetches only the needed column
 * chunks of large Parquet files. Every filtered result equals the unfiltered read
 * filtered in JavaScript.
 */
import { randomBytes } from "node:crypto";
import { FileSystemCatalog } from "../src/catalog/catalog.js";
import type { InternalValue } from "../src/data/values.js";
import { Pred, type Predicate } from "../src/read/predicate.js";
import { RANGED_READ_MIN_BYTES, readTable, resultRows } from "../src/read/reader.js";
import { planScan } from "../src/read/scan.js";
import type { FileStoreTable } from "../src/table/table.js";
import { AppendWriter, KeyValueWriter } from "../src/write/index.js";
import { CountingFileIO, eval3, resultKeys, rowKeys, showPredicate } from "./read-helpers.js";
import { commitMessages, createTable, io, newCatalog, tempWarehouse } from "./write-helpers.js";

jest.setTimeout(120_000);

async function appendCommit(table: FileStoreTable, rows: InternalValue[][]): Promise<void> {
  const t = await table.refresh();
  const w = await AppendWriter.create(t);
  await w.writeRows(rows);
  await commitMessages(t, await w.prepareCommit());
}

async function kvCommit(table: FileStoreTable, rows: InternalValue[][], kinds?: number[], compact = false): Promise<void> {
  const t = await table.refresh();
  const w = await KeyValueWriter.create(t);
  if (rows.length > 0) await w.writeRows(rows, kinds);
  if (compact) await w.compactFull();
  await commitMessages(t, await w.prepareCommit());
}

/** Reads with the filter through a counting FileIO; checks the rows against JS filtering. */
async function check(wh: string, name: string, p: Predicate): Promise<{ files: string[]; rows: InternalValue[][]; skipped: { manifests: number; files: number } }> {
  const counting = new CountingFileIO(io);
  const table = await new FileSystemCatalog(counting, wh).getTable(name);
  const full = await readTable(table);
  const expected = resultRows(full).filter((r) => eval3(p, full.fields, r) === true);
  counting.reset();
  const got = await readTable(table, { filter: p });
  const files = counting.filesRead();
  expect([showPredicate(p), resultKeys(got)]).toEqual([showPredicate(p), rowKeys(full.fields, expected)]);
  const { skipped } = await planScan(table, { filter: p });
  return { files, rows: resultRows(got), skipped };
}

describe("append table: partitions, manifests and files are skipped", () => {
  const wh = tempWarehouse("paimon-read-");
  const fileOf: Record<string, string> = {};

  beforeAll(async () => {
    const catalog = await newCatalog(wh);
    const t = await createTable(catalog, "db.a", {
      fields: [
        { name: "id", type: "INT" },
        { name: "p", type: "STRING" },
        { name: "v", type: "STRING" },
        { name: "n", type: "BIGINT" },
      ],
      partitionKeys: ["p"],
    });
    const rows = (from: number, p: string, vNull = false) => Array.from({ length: 100 }, (_, i): InternalValue[] => [from + i, p, vNull ? null : `v${from + i}`, (from + i) % 10 === 9 ? null : BigInt(from + i)]);
    await appendCommit(t, rows(0, "a"));
    await appendCommit(t, rows(100, "b"));
    await appendCommit(t, rows(200, "a", true));
    const plan = await planScan(await t.refresh());
    for (const s of plan.splits) for (const f of s.files) fileOf[`${s.partitionValues[0]}:${f.minSequenceNumber}`] = f.fileName;
    expect(Object.keys(fileOf)).toHaveLength(3);
  });
  const file = (p: string, seq: bigint) => fileOf[`${p}:${seq}`];

  it("a partition predicate reads one partition and skips the other partition's manifests", async () => {
    const r = await check(wh, "db.a", Pred.eq("p", "b"));
    expect(r.files).toEqual([file("b", 0n)]);
    expect(r.rows).toHaveLength(100);
    expect(r.skipped.manifests).toBeGreaterThanOrEqual(2);
  });

  it("value statistics skip files", async () => {
    expect((await check(wh, "db.a", Pred.lt("id", 50))).files).toEqual([file("a", 0n)]);
    expect((await check(wh, "db.a", Pred.and(Pred.eq("p", "a"), Pred.gt("id", 250)))).files).toEqual([file("a", 100n)]);
    expect((await check(wh, "db.a", Pred.isNotNull("v"))).files).toEqual([file("a", 0n), file("b", 0n)].sort());
    expect((await check(wh, "db.a", Pred.or(Pred.eq("id", 5), Pred.eq("id", 150)))).files).toEqual([file("a", 0n), file("b", 0n)].sort());
    expect((await check(wh, "db.a", Pred.in("v", ["v7", "v170"]))).files).toEqual([file("a", 0n), file("b", 0n)].sort());
    expect((await check(wh, "db.a", Pred.not(Pred.lt("id", 300)))).files).toEqual([]);
    expect((await check(wh, "db.a", Pred.isNull("v"))).files).toEqual([file("a", 100n)]);
  });

  it("non-prunable filters read everything and stay exact", async () => {
    expect((await check(wh, "db.a", Pred.isNull("n"))).files).toHaveLength(3);
    expect((await check(wh, "db.a", Pred.ne("v", "v3"))).rows).toHaveLength(199);
  });

  it("filter and projection combine; columns are resolved by name", async () => {
    const table = await new FileSystemCatalog(io, wh).getTable("db.a");
    const r = await readTable(table, { filter: Pred.and(Pred.ge("id", 198), Pred.le("id", 201)), projection: ["v", "id"] });
    expect(r.fields.map((f) => f.name)).toEqual(["v", "id"]);
    expect(resultRows(r).sort((x, y) => (x[1] as number) - (y[1] as number))).toEqual([
      ["v198", 198],
      ["v199", 199],
      [null, 200],
      [null, 201],
    ]);
    await expect(readTable(table, { filter: Pred.eq("nope", 1) })).rejects.toThrow(/no column 'nope'/);
  });
});

describe("primary-key table: only key predicates skip files that are merged with others", () => {
  const wh = tempWarehouse("paimon-read-");
  let table: FileStoreTable;
  const kv = (keys: number[], prefix = "v"): InternalValue[][] => keys.map((k) => [k, `${prefix}${k}`, BigInt(k)]);
  const range = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => a + i);

  beforeAll(async () => {
    const catalog = await newCatalog(wh);
    table = await createTable(catalog, "db.pk", {
      fields: [
        { name: "k", type: "INT NOT NULL" },
        { name: "v", type: "STRING" },
        { name: "n", type: "BIGINT" },
      ],
      primaryKeys: ["k"],
      options: { bucket: "1" },
    });
  });

  it("two level-0 files with disjoint keys: each is its own section, value stats skip", async () => {
    await kvCommit(table, kv(range(1, 50)));
    await kvCommit(table, kv(range(1000, 1050)));
    const r = await check(wh, "db.pk", Pred.eq("n", 1020n));
    expect(r.files).toHaveLength(1);
    expect(r.rows).toEqual([[1020, "v1020", 1020n]]);
  });

  it("an overlapping file makes one section: value predicates read all, key predicates still skip", async () => {
    await kvCommit(table, kv([40, 45, 1005, 1010], "u"));
    expect((await check(wh, "db.pk", Pred.eq("n", 1020n))).files).toHaveLength(3);
    expect((await check(wh, "db.pk", Pred.eq("v", "u45"))).rows).toEqual([[45, "u45", 45n]]);
    expect((await check(wh, "db.pk", Pred.lt("k", 20))).files).toHaveLength(1);
    expect((await check(wh, "db.pk", Pred.eq("k", 45))).files).toHaveLength(2);
    expect((await check(wh, "db.pk", Pred.and(Pred.eq("k", 1005), Pred.eq("v", "v1005")))).rows).toEqual([]);
  });

  it("a retraction is never skipped by a value predicate", async () => {
    // the -D row's value columns differ from the live row's: its value stats exclude 'v5'
    await kvCommit(table, [[5, "zzz", 0n]], [3]);
    const r = await check(wh, "db.pk", Pred.eq("v", "v5"));
    expect(r.rows).toEqual([]);
    expect((await check(wh, "db.pk", Pred.eq("k", 5))).rows).toEqual([]);
    expect((await check(wh, "db.pk", Pred.eq("k", 6))).rows).toEqual([[6, "v6", 6n]]);
  });

  it("after a full compaction the files are read raw and value stats skip again", async () => {
    await kvCommit(table, [], undefined, true);
    const plan = await planScan(await table.refresh());
    expect(plan.splits[0].files.every((f) => f.level > 0)).toBe(true);
    expect((await check(wh, "db.pk", Pred.eq("v", "nope"))).files).toEqual([]);
    expect((await check(wh, "db.pk", Pred.eq("v", "u45"))).rows).toEqual([[45, "u45", 45n]]);
  });
});

describe("partial-update and aggregation: value predicates wait for the merge", () => {
  it.each([
    ["partial-update", { "merge-engine": "partial-update" }, [1, 1n, 2n]],
    ["aggregation", { "merge-engine": "aggregation", "fields.a.aggregate-function": "sum", "fields.b.aggregate-function": "max" }, [1, 1n, 2n]],
  ] as const)("%s", async (_name, options, merged) => {
    const wh = tempWarehouse("paimon-read-");
    const catalog = await newCatalog(wh);
    const t = await createTable(catalog, "db.t", {
      fields: [
        { name: "k", type: "INT NOT NULL" },
        { name: "a", type: "BIGINT" },
        { name: "b", type: "BIGINT" },
      ],
      primaryKeys: ["k"],
      options: { bucket: "1", ...options },
    });
    await kvCommit(t, [[1, 1n, null]]);
    await kvCommit(t, [[1, null, 2n]]);
    // the first file alone says b is all NULL, the second that a is: neither may be skipped
    expect((await check(wh, "db.t", Pred.eq("b", 2n))).rows).toEqual([merged]);
    expect((await check(wh, "db.t", Pred.and(Pred.eq("a", 1n), Pred.eq("b", 2n)))).rows).toEqual([merged]);
    expect((await check(wh, "db.t", Pred.isNull("b"))).rows).toEqual([]);
    const projected = await readTable(await t.refresh(), { projection: ["b"], filter: Pred.eq("a", 1n) });
    expect(resultRows(projected)).toEqual([[2n]]);
  });
});

describe("projection reads only the needed column chunks of large Parquet files", () => {
  it("fetches a fraction of the file for one small column", async () => {
    const wh = tempWarehouse("paimon-read-");
    const catalog = await newCatalog(wh);
    const t = await createTable(catalog, "db.wide", {
      fields: [
        { name: "id", type: "INT" },
        { name: "big", type: "STRING" },
      ],
      options: { "file.compression": "none" },
    });
    await appendCommit(
      t,
      Array.from({ length: 30_000 }, (_, i) => [i, randomBytes(32).toString("base64")]),
    );
    const counting = new CountingFileIO(io);
    const table = await new FileSystemCatalog(counting, wh).getTable("db.wide");
    const plan = await planScan(table);
    const size = Number(plan.splits[0].files[0].fileSize);
    expect(size).toBeGreaterThan(RANGED_READ_MIN_BYTES);

    counting.reset();
    const ids = await readTable(table, { projection: ["id"] });
    expect(counting.dataBytes).toBeLessThan(size / 4);
    expect(resultRows(ids).map((r) => r[0])).toEqual(Array.from({ length: 30_000 }, (_, i) => i));

    counting.reset();
    const filtered = await readTable(table, { projection: ["id"], filter: Pred.lt("id", 3) });
    expect(resultRows(filtered)).toEqual([[0], [1], [2]]);
    expect(counting.dataBytes).toBeLessThan(size / 4);

    counting.reset();
    const all = await readTable(table);
    expect(all.batches.reduce((n, b) => n + b.numRows, 0)).toBe(30_000);
    expect(counting.dataBytes).toBeGreaterThanOrEqual(size);
  });
});
