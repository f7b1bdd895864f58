/**
 * Incremental reads of tables written by others than Java: the pypaimon fixtures (checked
 * against both Java's and pypaimon's streaming reads) and tables paimon-ts writes itself
 * (changelog-producer none, input and lookup, append-only), checked against Java's
 * streaming read of the same warehouse.
 */
import { openOracle } from "@paimon-ts/oracle";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "@paimon-ts/oracle";
import { FileSystemCatalog } from "../src/catalog/catalog.js";
import { RowKind, type InternalValue } from "../src/data/values.js";
import { readChanges, planSnapshotChanges, readSnapshotChanges } from "../src/read/changes.js";
import type { FileStoreTable } from "../src/table/table.js";
import { AppendWriter, KeyValueWriter } from "../src/write/index.js";
import { compareStream, ourStream } from "./read-changes-helpers.js";
import { commitMessages, createTable, io, newCatalog, tempWarehouse } from "./write-helpers.js";

jest.setTimeout(300_000);

const java = openOracle("java");
const python = openOracle("python");
afterAll(async () => {
  await java?.close();
  await python?.close();
});

const FIXTURES = join(REPO_ROOT, "../shared/fixtures/pypaimon");
const FX_WH = join(FIXTURES, "warehouse");
const index = JSON.parse(readFileSync(join(FIXTURES, "index.json"), "utf8")) as unknown;

/** The fixture tables we can read: not ORC (unsupported), not Java-refused data evolution. */
function fixtureTables(): string[] {
  const names = new Set<string>();
  const walk = (v: unknown) => {
    if (typeof v === "string" && /^fx\.[a-z0-9_]+$/.test(v)) names.add(v);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v !== null && typeof v === "object") Object.entries(v).forEach(([k, x]) => (/^fx\.[a-z0-9_]+$/.test(k) ? names.add(k) : walk(x)));
  };
  walk(index);
  return [...names].filter((n) => !/orc/.test(n) && n !== "fx.dv_data_evolution").sort();
}

function expectedOf(name: string): { primaryKeys?: string[]; schema?: { primaryKeys?: string[] }; snapshots: { id: number; commitKind: string }[] } {
  return JSON.parse(readFileSync(join(FIXTURES, "expected", `${name}.json`), "utf8"));
}

describe("pypaimon fixtures", () => {
  const tables = fixtureTables();
  it("lists the fixture tables", () => {
    expect(tables.length).toBeGreaterThan(20);
  });
  const both = java && python ? it.each(tables) : it.skip.each(tables);
  both("%s: our stream equals Java's and pypaimon's", async (name) => {
    const table = await new FileSystemCatalog(io, FX_WH).getTable(name);
    const pk = table.schema.primaryKeys;
    // pypaimon 2.0 named DATE partitions by their value; Java and pypaimon 2.1 by epoch days
    const tableOptions = table.schema.partitionKeys.length > 0 ? { "partition.legacy-name": "false" } : undefined;
    // pypaimon streams as the table's schema; Java as the schema of the snapshot it starts at
    const p = await compareStream(python!, FX_WH, name, pk, {}, 1, tableOptions);
    const appends = expectedOf(name).snapshots.filter((s) => s.commitKind === "APPEND").length;
    expect(p.snapshots.length).toBe(appends);
    // Java misreads pypaimon's TIMESTAMP(9) and NULL MAP values (tools/oracle-java README, "Known differences")
    if (name === "fx.types_parquet") return;
    const first = await table.snapshots.snapshot(1n);
    const j = await compareStream(java!, FX_WH, name, pk, { schema: await table.schemas.schema(first.schemaId) }, 1, tableOptions);
    expect(j.snapshots.map((s) => s.id)).toEqual(p.snapshots.map((s) => s.id));
  });
});

const FIELDS = [
  { name: "id", type: "BIGINT NOT NULL" },
  { name: "dt", type: "STRING NOT NULL" },
  { name: "v", type: "STRING" },
];

async function writeKv(t: FileStoreTable, rows: InternalValue[][], kinds: RowKind[], compact = false): Promise<void> {
  const w = await KeyValueWriter.create(await t.refresh());
  await w.writeRows(rows, kinds);
  if (compact) await w.compactFull();
  await commitMessages(t, await w.prepareCommit());
}

const withJava = java ? describe : describe.skip;
withJava("tables written by paimon-ts", () => {
  const I = RowKind.INSERT;
  const UA = RowKind.UPDATE_AFTER;
  const UB = RowKind.UPDATE_BEFORE;
  const D = RowKind.DELETE;
  const cases: [string, Record<string, string>][] = [
    ["none", { bucket: "2" }],
    ["none, deletion vectors", { bucket: "2", "deletion-vectors.enabled": "true" }],
    ["input", { bucket: "2", "changelog-producer": "input" }],
    ["lookup", { bucket: "2", "changelog-producer": "lookup" }],
    ["lookup, deletion vectors", { bucket: "2", "changelog-producer": "lookup", "deletion-vectors.enabled": "true" }],
    ["lookup, dynamic bucket", { bucket: "-1", "changelog-producer": "lookup", "dynamic-bucket.target-row-num": "3" }],
    ["full-compaction", { bucket: "2", "changelog-producer": "full-compaction" }],
  ];
  it.each(cases)("primary-key table, changelog-producer %s", async (_label, options) => {
    const wh = tempWarehouse("changes-ours-");
    const c = await newCatalog(wh);
    const t = await createTable(c, "db.t", { fields: FIELDS, primaryKeys: ["id", "dt"], partitionKeys: ["dt"], options });
    const r = (id: number, dt: string, v: string | null): InternalValue[] => [BigInt(id), dt, v];
    await writeKv(
      t,
      Array.from({ length: 10 }, (_, i) => r(i, i % 2 ? "b" : "a", `v${i}`)),
      Array.from({ length: 10 }, () => I),
    );
    await writeKv(t, [r(1, "b", "v1"), r(1, "b", "v1x"), r(2, "a", "v2x"), r(3, "b", "v3"), r(100, "b", "new")], [UB, UA, UA, D, I]);
    await writeKv(t, [r(4, "a", "v4a"), r(4, "a", "v4b"), r(5, "b", "v5"), r(5, "b", "back")], [UA, UA, D, I], true);
    // full-compaction writes changes only when it compacts: compact the last commit too
    await writeKv(t, [r(100, "b", "new"), r(6, "a", "v6x")], [D, UA], options["changelog-producer"] === "full-compaction");
    const j = await compareStream(java!, wh, "db.t", ["id", "dt"]);
    expect(j.snapshots.length).toBeGreaterThanOrEqual(options["changelog-producer"] === "full-compaction" ? 2 : 4);
    const kinds = new Set(j.snapshots.flatMap((s) => s.rows.map((x) => x.kind)));
    expect(kinds.has("-D")).toBe(true);
    if (options["changelog-producer"]) expect(kinds.has("-U")).toBe(true);
  });

  it("append-only table: the appended rows as +I, batch by batch", async () => {
    const wh = tempWarehouse("changes-ours-append-");
    const c = await newCatalog(wh);
    const t = await createTable(c, "db.a", { fields: FIELDS, partitionKeys: ["dt"], options: { bucket: "-1" } });
    for (let k = 0; k < 3; k++) {
      const w = await AppendWriter.create(await t.refresh());
      await w.writeRows(Array.from({ length: 4 }, (_, i) => [BigInt(k * 10 + i), i % 2 ? "a" : "b", `r${k}${i}`]));
      await commitMessages(t, await w.prepareCommit());
    }
    const j = await compareStream(java!, wh, "db.a", []);
    expect(j.snapshots.map((s) => s.rows.length)).toEqual([4, 4, 4]);
    // readChanges yields one columnar batch per file, each with its partition and kinds
    const fresh = await t.refresh();
    const plan = await planSnapshotChanges(fresh, 2n, { projection: ["v"] });
    const batches = [];
    for await (const b of readChanges(fresh, plan)) batches.push(b);
    expect(batches.length).toBe(plan.splits.reduce((s, x) => s + x.files.length, 0));
    expect(batches.every((b) => b.names.join() === "v" && b.sequenceNumbers === null && b.rowKinds.every((k) => k === RowKind.INSERT))).toBe(true);
    expect(batches.map((b) => b.partitionValues[0]).sort()).toEqual(["a", "b"]);
    expect((await readSnapshotChanges(fresh, 2n)).batches.reduce((s, b) => s + b.numRows, 0)).toBe(4);
    expect((await ourStream(wh, "db.a")).map((s) => s.id)).toEqual([1, 2, 3]);
  });
});
