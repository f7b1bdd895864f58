/**
 * Table DDL and discovery: createTableV2 (mapping, node options, existing tables compared),
 * drop, clear, createIndex, field DDL as schema evolution (idempotent on replay),
 * discoverSchema and tableCount.
 */
import { asSQLString } from "@paimon-ts/paimon-core";
import { PaimonConnector, type TapTable } from "../src/index.js";
import { byKey, createTable, ctx, del, ins, loadTable, ourRows, startConnector, tapTable, tempWarehouse, upd } from "./helpers.js";

describe("createTableV2", () => {
  it("maps the fields and honours the node settings", async () => {
    const wh = tempWarehouse();
    const { connector, log } = await startConnector(wh, {
      bucketMode: "fixed",
      bucketCount: 3,
      fileFormat: "avro",
      compression: "snappy",
      enableAutoCompaction: false,
      targetFileSize: 64,
      tableProperties: [{ propKey: "snapshot.num-retained.max", propValue: "50" }],
    }, { tableNodeConfig: { orders: { partitionKey: ["dt"] } } });
    const t = tapTable("orders", { id: "BIGINT", dt: "DATE", amount: "DECIMAL", t: "TIME", ts: "TIMESTAMP", note: "VARCHAR(20)", tags: "ARRAY<STRING>", y: "YEAR" }, ["id", "dt"]);
    (t.nameFieldMap as Record<string, { nullable?: boolean; comment?: string }>).note.nullable = false;
    (t.nameFieldMap as Record<string, { nullable?: boolean; comment?: string }>).amount.comment = "total";
    expect(await createTable(connector, t)).toEqual({ tableExists: false });
    const table = await loadTable(wh, "db.orders");
    const s = table.schema;
    expect(s.fields.map((f) => `${f.name} ${asSQLString(f.type)}`)).toEqual([
      "id BIGINT NOT NULL",
      "dt DATE NOT NULL",
      "amount DECIMAL(38, 10)",
      "t TIME(3)",
      "ts TIMESTAMP(6)",
      "note VARCHAR(20) NOT NULL",
      "tags STRING",
      "y CHAR(4)",
    ]);
    expect(s.fields[2].description).toBe("total");
    expect(s.primaryKeys).toEqual(["id", "dt"]);
    expect(s.partitionKeys).toEqual(["dt"]);
    expect(s.options).toMatchObject({ bucket: "3", "file.format": "avro", "file.compression": "snappy", "write-only": "true", "target-file-size": "64mb", "snapshot.num-retained.max": "50" });
    expect(log.lines.find((l) => l.startsWith("INFO created table"))).not.toContain("50");
    await connector.stop();
  });

  it("reports how an existing table differs instead of silently using it", async () => {
    const wh = tempWarehouse();
    const { connector } = await startConnector(wh, { bucketMode: "fixed", bucketCount: 2 });
    await createTable(connector, tapTable("t", { id: "INT", v: "STRING" }, ["id"]));
    expect(await createTable(connector, tapTable("t", { id: "INT", v: "STRING" }, ["id"]))).toEqual({ tableExists: true, differences: [] });
    await connector.stop();
    const again = await startConnector(wh, { bucketMode: "dynamic" });
    const r = await createTable(again.connector, tapTable("t", { id: "BIGINT", w: "STRING" }, ["w"]));
    expect(r.tableExists).toBe(true);
    expect(r.differences).toEqual([
      "column id is INT in the table, BIGINT in the source",
      "column w (STRING) is missing from the table",
      "column v exists only in the table",
      "primary key is [id] in the table, [w] in the source",
      "bucket is 2 (HASH_FIXED) in the table, -1 requested",
    ]);
    expect(again.log.lines.some((l) => l.startsWith("WARN table db.t exists and differs"))).toBe(true);
    await again.connector.stop();
  });

  it("refuses tables paimon-ts could not write, before creating anything", async () => {
    const wh = tempWarehouse();
    const { connector } = await startConnector(wh, { partitionKey: ["dt"] });
    await expect(createTable(connector, tapTable("x", { id: "INT", dt: "DATE" }, ["id"]))).rejects.toThrow(/must contain every partition key \[dt\]/);
    await expect(createTable(connector, tapTable("y", { id: "INT", dt: "DATE", t: "TIME(6)" }, ["id", "dt"]))).rejects.toThrow(/PAIMON_TIME_PRECISION_UNSUPPORTED/);
    await expect(createTable(connector, tapTable("z", { id: "INT", dt: "DATE" }, ["id", "dt"], { options: { bucket: "-2" } }))).rejects.toThrow(/postpone buckets/);
    expect(await connector.catalog.databaseExists("db")).toBe(false);
    await connector.stop();
  });
});

describe("createTableV2: deletion vectors", () => {
  const cols = { id: "BIGINT", v: "STRING" };
  const dvOf = async (wh: string, t: string) => (await loadTable(wh, `db.${t}`)).schema.options["deletion-vectors.enabled"];

  it("creates primary-key tables with deletion vectors when the setting is on, in both bucket modes, and logs the decision", async () => {
    const wh = tempWarehouse();
    const { connector, log } = await startConnector(wh, { deletionVectors: true }, { tableNodeConfig: { fixed: { bucketMode: "fixed", bucketCount: 2 } } });
    await createTable(connector, tapTable("dyn", cols, ["id"]));
    await createTable(connector, tapTable("fixed", cols, ["id"]));
    expect((await loadTable(wh, "db.dyn")).schema.options).toMatchObject({ bucket: "-1", "deletion-vectors.enabled": "true" });
    expect((await loadTable(wh, "db.fixed")).schema.options).toMatchObject({ bucket: "2", "deletion-vectors.enabled": "true" });
    expect(log.lines).toContain("INFO table db.dyn: deletion vectors on (deletionVectors=true)");
    // merge-on-write: every commit compacts level 0 away (APPEND, then COMPACT)
    await connector.writeRecord(ctx, [ins({ id: "1", v: "a" }), ins({ id: "2", v: "b" })], "fixed");
    await connector.flush();
    await connector.writeRecord(ctx, [upd({ id: "1", v: "a" }, { id: "1", v: "c" }), del({ id: "2" })], "fixed");
    await connector.stop();
    const t = await loadTable(wh, "db.fixed");
    const snaps = await Promise.all((await t.snapshots.listIds()).map((id) => t.snapshots.snapshot(id)));
    expect(snaps.map((x) => x.commitKind)).toEqual(["APPEND", "COMPACT", "APPEND", "COMPACT"]);
    const latest = (await t.snapshots.latest())!;
    expect((await t.liveEntries(latest)).filter((e) => e.file.level === 0)).toEqual([]);
    expect((await t.indexEntries(latest)).some((e) => e.indexFile.indexType === "DELETION_VECTORS")).toBe(true);
    expect(await ourRows(wh, "db.fixed")).toEqual([{ id: "1", v: "c" }]);
  });

  it("turns them on by default for primary-key tables; off when the setting is off (node or table), never without primary key", async () => {
    const wh = tempWarehouse();
    const { connector, log } = await startConnector(wh, {}, { tableNodeConfig: { off: { deletionVectors: false } } });
    await createTable(connector, tapTable("dflt", cols, ["id"]));
    await createTable(connector, tapTable("off", cols, ["id"]));
    await createTable(connector, tapTable("logs", cols));
    expect(await dvOf(wh, "dflt")).toBe("true");
    expect(await dvOf(wh, "off")).toBeUndefined();
    expect(await dvOf(wh, "logs")).toBeUndefined();
    expect(log.lines).toContain("INFO table db.dflt: deletion vectors on (deletionVectors=true)");
    expect(log.lines).toContain("INFO table db.off: deletion vectors off (deletionVectors=false)");
    expect(log.lines.some((l) => l.includes("db.logs: deletion"))).toBe(false);
    await connector.stop();
    const again = await startConnector(wh, { deletionVectors: false }, { tableNodeConfig: { on: { deletionVectors: true } } });
    await createTable(again.connector, tapTable("off2", cols, ["id"]));
    await createTable(again.connector, tapTable("on", cols, ["id"]));
    expect(await dvOf(wh, "off2")).toBeUndefined();
    expect(await dvOf(wh, "on")).toBe("true");
    await again.connector.stop();
  });

  it("lets deletion-vectors.enabled in the table properties win, and says so", async () => {
    const wh = tempWarehouse();
    const { connector, log } = await startConnector(wh, { deletionVectors: true, tableProperties: [{ propKey: "deletion-vectors.enabled", propValue: "false" }] });
    await createTable(connector, tapTable("t", cols, ["id"]));
    expect(await dvOf(wh, "t")).toBe("false");
    expect(log.lines).toContain("INFO table db.t: deletion-vectors.enabled=false from the table options (overrides deletionVectors=true)");
    await connector.stop();
    const on = await startConnector(wh, { deletionVectors: false, tableProperties: [{ propKey: "deletion-vectors.enabled", propValue: "true" }] });
    await createTable(on.connector, tapTable("u", cols, ["id"]));
    expect(await dvOf(wh, "u")).toBe("true");
    await expect(createTable(on.connector, tapTable("bad", cols, ["id"], { options: { "deletion-vectors.enabled": "1" } }))).rejects.toThrow("createTable bad: option 'deletion-vectors.enabled' must be true or false");
    expect(await on.connector.catalog.tableExists({ database: "db", table: "bad" })).toBe(false);
    await on.connector.stop();
  });

  it("never creates a first-row table with deletion vectors; not applied with automatic compaction off", async () => {
    const wh = tempWarehouse();
    const firstRow = [{ propKey: "merge-engine", propValue: "first-row" }];
    const { connector, log } = await startConnector(wh, { deletionVectors: true, tableProperties: firstRow }, { tableNodeConfig: { wo: { enableAutoCompaction: false, tableProperties: [] } } });
    await createTable(connector, tapTable("fr", cols, ["id"]));
    expect(await dvOf(wh, "fr")).toBeUndefined();
    expect(log.lines).toContain("INFO table db.fr: deletionVectors not applied: merge-engine 'first-row' does not take deletion vectors");
    await createTable(connector, tapTable("wo", cols, ["id"]));
    expect((await loadTable(wh, "db.wo")).schema.options).toMatchObject({ "write-only": "true" });
    expect(await dvOf(wh, "wo")).toBeUndefined();
    await createTable(connector, tapTable("wo2", cols, ["id"], { options: { "merge-engine": "deduplicate", "write-only": "true", "deletion-vectors.enabled": "true" } }));
    expect(await dvOf(wh, "wo2")).toBe("true");
    expect(log.lines).toContain("WARN table db.wo2 has deletion vectors and write-only=true: readers skip level-0 files, so new rows stay invisible until a compaction job runs");
    await expect(createTable(connector, tapTable("bad", cols, ["id"], { options: { "deletion-vectors.enabled": "true" } }))).rejects.toThrow(/merge-engine 'first-row' cannot be combined with deletion-vectors.enabled=true/);
    expect(await connector.catalog.tableExists({ database: "db", table: "bad" })).toBe(false);
    // the first-row table is written and read like any other
    await connector.writeRecord(ctx, [ins({ id: "1", v: "a" }), ins({ id: "1", v: "b" })], "fr");
    await connector.stop();
    expect(await ourRows(wh, "db.fr")).toEqual([{ id: "1", v: "a" }]);
  });

  it("never changes an existing table; the difference is reported", async () => {
    const wh = tempWarehouse();
    const old = await startConnector(wh, { deletionVectors: false });
    await createTable(old.connector, tapTable("t", cols, ["id"]));
    await old.connector.writeRecord(ctx, [ins({ id: "1", v: "a" })], "t");
    await old.connector.stop();
    const s = await startConnector(wh, { deletionVectors: true });
    expect(await createTable(s.connector, tapTable("t", cols, ["id"]))).toEqual({
      tableExists: true,
      differences: ["deletion vectors are off in the table, on for new tables (existing tables are not changed)"],
    });
    const t = await loadTable(wh, "db.t");
    expect(t.schema.id).toBe(0n);
    expect(t.schema.options["deletion-vectors.enabled"]).toBeUndefined();
    await s.connector.writeRecord(ctx, [upd({ id: "1", v: "a" }, { id: "1", v: "b" })], "t");
    await s.connector.stop();
    expect(await ourRows(wh, "db.t")).toEqual([{ id: "1", v: "b" }]);
    const off = await startConnector(wh, { deletionVectors: false });
    await createTable(off.connector, tapTable("dv", cols, ["id"], { options: { "deletion-vectors.enabled": "true" } }));
    expect((await createTable(off.connector, tapTable("dv", cols, ["id"]))).differences).toEqual(["deletion vectors are on in the table, off for new tables (existing tables are not changed)"]);
    await off.connector.stop();
  });
});

describe("drop, clear, createIndex", () => {
  it.each([false, true])("clears with one TRUNCATE snapshot and keeps writing; drop removes the table and its state (deletionVectors %s)", async (deletionVectors) => {
    const wh = tempWarehouse();
    const s = await startConnector(wh, { batchAccumulationSize: 1000, deletionVectors });
    await createTable(s.connector, tapTable("t", { id: "INT", v: "STRING" }, ["id"]));
    await s.connector.writeRecord(ctx, [ins({ id: 1, v: "a" }, 1), ins({ id: 2, v: "b" }, 2)], "t");
    await s.connector.clearTable(ctx, { type: 205, tableId: "t" });
    let t = await loadTable(wh, "db.t");
    const snaps = await Promise.all((await t.snapshots.listIds()).map((id) => t.snapshots.snapshot(id)));
    // a deletion-vector table adds a COMPACT snapshot after each commit; the truncate is one snapshot
    expect(snaps.map((x) => x.commitKind)).toEqual(deletionVectors ? ["APPEND", "COMPACT", "OVERWRITE"] : ["APPEND", "OVERWRITE"]);
    expect(await ourRows(wh, "db.t")).toEqual([]);
    await s.connector.writeRecord(ctx, [ins({ id: 3, v: "c" }, 3)], "t");
    await s.connector.flush();
    expect(await ourRows(wh, "db.t")).toEqual([{ id: 3, v: "c" }]);
    expect(schemaId(t)).toBe(0n);
    await s.connector.createIndex(ctx, tapTable("t", {}), { indexList: [{}] });
    expect(s.log.lines.some((l) => /no secondary indexes; 1 index\(es\) ignored/.test(l))).toBe(true);
    await s.connector.dropTable(ctx, { type: 208, tableId: "t" });
    expect(await s.connector.catalog.tableExists({ database: "db", table: "t" })).toBe(false);
    expect(Object.keys(s.state.toJSON())).toEqual([]);
    // a recreated table starts afresh: offsets of the old one do not hide new records
    await createTable(s.connector, tapTable("t", { id: "INT", v: "STRING" }, ["id"]));
    const r = await s.connector.writeRecord(ctx, [ins({ id: 1, v: "new" }, 1)], "t");
    expect(r.skippedReplays).toBe(0);
    await s.connector.stop();
    t = await loadTable(wh, "db.t");
    expect(await ourRows(wh, "db.t")).toEqual([{ id: 1, v: "new" }]);
    await s.connector.dropTable(ctx, { type: 208, tableId: "nope" }).catch(() => undefined);
  });
});

function schemaId(t: { schema: { id: bigint } }): bigint {
  return t.schema.id;
}

describe("field DDL", () => {
  it("adds, renames, retypes and drops columns as schema evolution, between writes", async () => {
    const wh = tempWarehouse();
    const s = await startConnector(wh, { batchAccumulationSize: 1000 });
    const c = s.connector;
    await createTable(c, tapTable("t", { id: "INT", v: "STRING", n: "INT", gone: "STRING" }, ["id"]));
    await c.writeRecord(ctx, [ins({ id: 1, v: "a", n: 1, gone: "x" })], "t");
    await c.newField(ctx, { type: 209, tableId: "t", newFields: [{ name: "extra", dataType: "DECIMAL(5,2)", nullable: false }] });
    await c.writeRecord(ctx, [ins({ id: 2, v: "b", n: 2, gone: "y", extra: "1.50" })], "t");
    await c.alterFieldName(ctx, { type: 202, tableId: "t", nameChange: { before: "v", after: "label" } });
    await c.alterFieldAttributes(ctx, { type: 201, tableId: "t", fieldName: "n", dataTypeChange: { after: "BIGINT" }, commentChange: { after: "count" } });
    await c.dropField(ctx, { type: 207, tableId: "t", fieldName: "gone" });
    const r = await c.writeRecord(ctx, [upd({ id: 1 }, { id: 1, label: "A", n: "9007199254740993", extra: null }), ins({ id: 3, label: "c", n: "3", extra: "3.00" }), ins({ id: 4, v: "old name" })], "t");
    expect([r.insertedCount, r.modifiedCount]).toEqual([1, 1]);
    expect([...r.errorMap.values()][0].message).toMatch(/PAIMON_UNKNOWN_FIELD: .*not columns: v /);
    // replayed DDL is recognised
    await c.newField(ctx, { type: 209, tableId: "t", newFields: [{ name: "extra", dataType: "DECIMAL(5,2)" }] });
    await c.alterFieldName(ctx, { type: 202, tableId: "t", nameChange: { before: "v", after: "label" } });
    await c.dropField(ctx, { type: 207, tableId: "t", fieldName: "gone" });
    await c.alterFieldAttributes(ctx, { type: 201, tableId: "t", fieldName: "n", dataTypeChange: { after: "BIGINT" } });
    await c.stop();
    const t = await loadTable(wh, "db.t");
    expect(t.schema.id).toBe(4n);
    expect(t.schema.fields.map((f) => `${f.name} ${asSQLString(f.type)}${f.description ? ` '${f.description}'` : ""}`)).toEqual(["id INT NOT NULL", "label STRING", "n BIGINT 'count'", "extra DECIMAL(5, 2)"]);
    expect(byKey(await ourRows(wh, "db.t"))).toEqual([
      { id: 1, label: "A", n: "9007199254740993", extra: null },
      { id: 2, label: "b", n: "2", extra: "1.50" },
      { id: 3, label: "c", n: "3", extra: "3.00" },
    ]);
  });

  it("explains DDL Paimon refuses", async () => {
    const wh = tempWarehouse();
    const { connector } = await startConnector(wh);
    await createTable(connector, tapTable("t", { id: "INT", v: "BIGINT" }, ["id"]));
    await expect(connector.alterFieldAttributes(ctx, { type: 201, tableId: "t", fieldName: "v", dataTypeChange: { after: "INT" } })).rejects.toThrow(/column v/);
    await expect(connector.dropField(ctx, { type: 207, tableId: "t", fieldName: "id" })).rejects.toThrow(/primary key columns cannot be dropped/);
    await connector.stop();
  });
});

describe("discovery", () => {
  it("lists tables as TapTables with types, keys, partitions and the PRIMARY index", async () => {
    const wh = tempWarehouse();
    const { connector } = await startConnector(wh);
    await createTable(connector, tapTable("a", { id: "BIGINT", dt: "DATE", v: "DECIMAL(10,2)", ts: "TIMESTAMP(3) WITH LOCAL TIME ZONE" }, ["id", "dt"], { partitionKeys: ["dt"] }));
    await createTable(connector, tapTable("b", { msg: "STRING" }));
    await connector.writeRecord(ctx, [ins({ id: "1", dt: "2024-01-01" }), del({ id: "1", dt: "2024-01-01" })], "a");
    await connector.stop();

    const fresh = new PaimonConnector();
    const conn = { connectionConfig: { warehouse: wh, database: "db" } };
    expect(await fresh.tableCount(conn)).toBe(2);
    expect(await fresh.tableCount({ connectionConfig: { warehouse: wh, database: "none" } })).toBe(0);
    const batches: TapTable[][] = [];
    await fresh.discoverSchema(conn, null, 1, (b) => batches.push(b));
    expect(batches.map((b) => b.map((t) => t.id))).toEqual([["a"], ["b"]]);
    const a = batches[0][0];
    expect(a.defaultPrimaryKeys).toEqual(["id", "dt"]);
    expect(a.partitionKeys).toEqual(["dt"]);
    expect(a.indexList).toEqual([{ name: "PRIMARY", unique: true, coreUnique: true, primary: true, indexFields: [{ name: "id", fieldAsc: true }, { name: "dt", fieldAsc: true }] }]);
    const f = a.nameFieldMap as unknown as Record<string, Record<string, unknown>>;
    expect(Object.keys(f)).toEqual(["id", "dt", "v", "ts"]);
    expect(f.id).toMatchObject({ dataType: "BIGINT", nullable: false, primaryKey: true, isPrimaryKey: true, primaryKeyPos: 1, tapType: { type: "TapNumber", bit: 64 } });
    expect(f.dt).toMatchObject({ dataType: "DATE", primaryKeyPos: 2, isPartitionKey: true, partitionKeyPos: 1 });
    expect(f.v).toMatchObject({ dataType: "DECIMAL(10, 2)", nullable: true, tapType: { type: "TapNumber", precision: 10, scale: 2 } });
    expect(f.ts).toMatchObject({ dataType: "TIMESTAMP(3) WITH LOCAL TIME ZONE", tapType: { type: "TapDateTime", withTimeZone: true } });
    const only: TapTable[] = [];
    await fresh.discoverSchema(conn, ["b"], 10, (b) => only.push(...b));
    expect(only.map((t) => t.id)).toEqual(["b"]);
    expect(await fresh.batchCount(ctx, "a").catch((e) => e.message)).toMatch(/not initialized/);
  });
});
