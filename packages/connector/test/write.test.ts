/**
 * writeRecord: row kinds, per-record errors, micro-batches, initial-sync chunks, and the
 * exactly-once bookkeeping (commit user, identifiers, committed offsets, replays).
 */
import { RowKind, type FileStoreTable, type Snapshot } from "@paimon-ts/paimon-core";
import { MemoryKVMap, OFFSET_PROPERTY, STATE_KEY_PREFIX, snapshotChanges } from "../src/index.js";
import { byKey, createTable, ctx, del, ins, loadTable, ourRows, startConnector, tapTable, tempWarehouse, upd } from "./helpers.js";

const ORDERS = { id: "BIGINT", name: "STRING", qty: "INT", price: "DECIMAL(10,2)", ts: "TIMESTAMP(3)" };

/** The newest APPEND snapshot: a deletion-vector table follows each one with a COMPACT snapshot. */
async function lastAppend(t: FileStoreTable): Promise<Snapshot> {
  const ids = await t.snapshots.listIds();
  for (let i = ids.length - 1; i >= 0; i--) {
    const s = await t.snapshots.snapshot(ids[i]);
    if (s.commitKind === "APPEND") return s;
  }
  throw new Error(`table ${t.name} has no APPEND snapshot`);
}

/** The snapshots that carry writes (COMPACT ones come with every commit of a deletion-vector table). */
async function writeSnapshots(t: FileStoreTable): Promise<Snapshot[]> {
  const all = await Promise.all((await t.snapshots.listIds()).map((id) => t.snapshots.snapshot(id)));
  return all.filter((x) => x.commitKind !== "COMPACT");
}

describe("row kinds", () => {
  it.each([false, true])("writes inserts, updates and deletes as +I, -U/+U and -D (deletionVectors %s)", async (deletionVectors) => {
    const wh = tempWarehouse();
    const { connector } = await startConnector(wh, { bucketMode: "fixed", bucketCount: 2, deletionVectors });
    await createTable(connector, tapTable("orders", ORDERS, ["id"]));
    const r = await connector.writeRecord(ctx, [
      ins({ id: "1", name: "a", qty: 1, price: "1.00", ts: "2024-01-01T00:00:00.000" }),
      ins({ id: "2", name: "b", qty: 2, price: "2.00", ts: "2024-01-01T00:00:01.000" }),
      upd({ id: "1", name: "a", qty: 1, price: "1.00", ts: "2024-01-01T00:00:00.000" }, { id: "1", name: "a2", qty: 10, price: "10.50", ts: "2024-01-02T00:00:00.000" }),
      del({ id: "2" }),
    ], "orders");
    expect([r.insertedCount, r.modifiedCount, r.removedCount, r.errorMap.size]).toEqual([2, 1, 1, 0]);
    await connector.stop();
    expect(await ourRows(wh, "db.orders")).toEqual([{ id: "1", name: "a2", qty: 10, price: "10.50", ts: "2024-01-02T00:00:00.000" }]);
    const t = await loadTable(wh, "db.orders");
    expect(t.schema.options["deletion-vectors.enabled"]).toBe(deletionVectors ? "true" : undefined);
    const ch = await snapshotChanges(t, await lastAppend(t));
    expect(ch.kind).toBe("rows");
    // the write buffer merges per key; the last kind of each key survives
    const kinds = ch.kind === "rows" ? ch.records.map((x) => [x.row[0], x.kind]) : [];
    expect(kinds).toEqual(expect.arrayContaining([[1n, RowKind.UPDATE_AFTER], [2n, RowKind.DELETE]]));
  });

  it.each([false, true])("writes a primary-key change as a delete of the old key and an insert of the new one (deletionVectors %s)", async (deletionVectors) => {
    const wh = tempWarehouse();
    const { connector } = await startConnector(wh, { commitIntervalMs: 0, batchAccumulationSize: 0, deletionVectors });
    await createTable(connector, tapTable("t", { id: "INT", v: "STRING" }, ["id"]));
    await connector.writeRecord(ctx, [ins({ id: 1, v: "x" })], "t");
    const r = await connector.writeRecord(ctx, [upd({ id: 1, v: "x" }, { id: 2, v: "y" })], "t");
    expect(r.modifiedCount).toBe(1);
    const t = await loadTable(wh, "db.t");
    const ch = await snapshotChanges(t, await lastAppend(t));
    expect(ch.kind === "rows" && ch.records.map((x) => [x.row[0], x.kind])).toEqual([
      [1, RowKind.DELETE],
      [2, RowKind.INSERT],
    ]);
    // a before image with a bad value still moves the key
    await connector.writeRecord(ctx, [ins({ id: 3, v: "z" }), upd({ id: 3, v: 12345 }, { id: 4, v: "w" }), upd({ id: 2, v: 1 }, { id: 2, v: "y2" })], "t");
    await connector.stop();
    expect(byKey(await ourRows(wh, "db.t"))).toEqual([{ id: 2, v: "y2" }, { id: 4, v: "w" }]);
  });

  it("needs before images when enablePrimaryKeyUpdate is on", async () => {
    const wh = tempWarehouse();
    const { connector } = await startConnector(wh, { enablePrimaryKeyUpdate: true });
    await createTable(connector, tapTable("t", { id: "INT", v: "STRING" }, ["id"]));
    const r = await connector.writeRecord(ctx, [ins({ id: 1, v: "x" }), upd(undefined, { id: 1, v: "y" })], "t");
    expect(r.insertedCount).toBe(1);
    expect([...r.errorMap.values()].map((e) => e.message)).toEqual([expect.stringMatching(/^PAIMON_MISSING_BEFORE_IMAGE: .*enablePrimaryKeyUpdate/)]);
    await connector.stop();
  });

  it("accepts updates without before images and key-only deletes (NOT NULL columns included)", async () => {
    const wh = tempWarehouse();
    const { connector } = await startConnector(wh);
    const t = tapTable("t", { id: "INT", v: "STRING", n: "INT" }, ["id"]);
    (t.nameFieldMap as Record<string, { nullable?: boolean }>).n.nullable = false;
    await createTable(connector, t);
    const r = await connector.writeRecord(ctx, [ins({ id: 1, v: "x", n: 1 }), ins({ id: 2, v: "y", n: 2 }), upd(undefined, { id: 1, v: "z", n: 3 }), del({ id: 2 }), ins({ id: 3, v: "w", n: null })], "t");
    expect([r.insertedCount, r.modifiedCount, r.removedCount]).toEqual([2, 1, 1]);
    expect([...r.errorMap.values()].map((e) => e.message)).toEqual([expect.stringMatching(/field=n.*target=INT NOT NULL.*rule=null-not-allowed/)]);
    await connector.stop();
    expect(await ourRows(wh, "db.t")).toEqual([{ id: 1, v: "z", n: 3 }]);
  });

  it("writes append-only tables and refuses updates and deletes there", async () => {
    const wh = tempWarehouse();
    const { connector } = await startConnector(wh);
    await createTable(connector, tapTable("log", { msg: "STRING", at: "TIMESTAMP(6)" }));
    const r = await connector.writeRecord(ctx, [ins({ msg: "a", at: "2024-01-01T00:00:00.000001" }), ins({ msg: "a", at: "2024-01-01T00:00:00.000001" }), upd({ msg: "a" }, { msg: "b" }), del({ msg: "a" })], "log");
    expect(r.insertedCount).toBe(2);
    expect([...r.errorMap.values()].map((e) => (e as unknown as { code: string }).code)).toEqual(["PAIMON_APPEND_ONLY_TABLE", "PAIMON_APPEND_ONLY_TABLE"]);
    await connector.stop();
    expect(await ourRows(wh, "db.log")).toHaveLength(2);
  });
});

describe("bad input", () => {
  it("reports each bad record precisely, without its values, and writes the good ones", async () => {
    const wh = tempWarehouse();
    const { connector, log } = await startConnector(wh);
    await createTable(connector, tapTable("t", { id: "BIGINT", qty: "INT", price: "DECIMAL(6,2)", f: "FLOAT", d: "DATE", b: "BYTES" }, ["id"]));
    const SECRET = "SECRET-VALUE-42";
    const good = [ins({ id: "1", qty: 1, price: "1.25", f: 1.5, d: "2024-02-29", b: "AAEC" }), ins({ id: "2" }), ins({ id: "3", qty: -2147483648 })];
    const bad = [
      ins({ id: "10", qty: SECRET }), // wrong type
      ins({ id: null, qty: 1 }), // null primary key
      ins({ qty: 1 }), // missing primary key
      ins({ id: "11", extra_col: SECRET }), // unknown field (named: field names are metadata)
      ins({ id: "12", qty: 2147483648 }), // INT overflow
      ins({ id: "13", price: "12345.67" }), // DECIMAL(6,2) overflow
      ins({ id: "14", f: 1e39 }), // FLOAT overflow
      ins({ id: "99999999999999999999" }), // BIGINT overflow
      ins({ id: "15", d: "2023-02-29" }), // no such day
      { type: "upsert", after: { id: "16" } }, // unknown event type
      "not an object",
      ins({ id: "17", price: "1.234" }), // more digits than the scale
      upd({ id: "1" }, { id: "1", qty: 5 }), // incomplete after image of a deduplicate table
    ];
    const events = [good[0], ...bad.slice(0, 6), good[1], ...bad.slice(6), good[2]];
    const r = await connector.writeRecord(ctx, events, "t");
    expect(r.insertedCount).toBe(3);
    expect(r.errorMap.size).toBe(bad.length);
    const msg = (e: unknown) => r.errorMap.get(e)!.message;
    expect(msg(bad[0])).toMatch(/field=qty.*target=INT.*source=string.*rule=type-mismatch/);
    expect(msg(bad[1])).toMatch(/^PAIMON_NULL_PRIMARY_KEY: table db\.t: .*primary key field: id/);
    expect(msg(bad[2])).toMatch(/^PAIMON_NULL_PRIMARY_KEY/);
    expect(msg(bad[3])).toMatch(/^PAIMON_UNKNOWN_FIELD: .*not columns: extra_col \(columns: id, qty, price, f, d, b;/);
    expect(msg(bad[4])).toMatch(/field=qty.*rule=out-of-range/);
    expect(msg(bad[5])).toMatch(/field=price.*target=DECIMAL\(6, 2\).*rule=decimal-overflow/);
    expect(msg(bad[6])).toMatch(/field=f.*target=FLOAT.*rule=out-of-range/);
    expect(msg(bad[7])).toMatch(/field=id.*target=BIGINT NOT NULL.*rule=out-of-range/);
    expect(msg(bad[8])).toMatch(/field=d.*target=DATE.*rule=invalid-format.*YYYY-MM-DD/);
    expect(msg(bad[9])).toMatch(/^PAIMON_INVALID_EVENT: unknown event type 'upsert'/);
    expect(msg(bad[10])).toMatch(/^PAIMON_INVALID_EVENT: an event must be a JSON object/);
    expect(msg(bad[11])).toMatch(/field=price.*rule=excess-precision/);
    expect(msg(bad[12])).toMatch(/^PAIMON_INCOMPLETE_UPDATE_AFTER: .*lacks column\(s\) price, f, d, b/);
    for (const e of r.errorMap.values()) {
      expect(e.message).not.toContain(SECRET);
      expect(e.message).not.toContain("12345.67");
    }
    expect(log.lines.join("\n")).not.toContain(SECRET);
    // the writer stays healthy
    await connector.writeRecord(ctx, [ins({ id: "4", qty: 4 })], "t");
    await connector.stop();
    expect(byKey(await ourRows(wh, "db.t")).map((x) => x.id)).toEqual(["1", "2", "3", "4"]);
  });

  it("converts Tapdata values through type-mapping in the tapdata encoding", async () => {
    const wh = tempWarehouse();
    const { connector } = await startConnector(wh, {}, { recordEncoding: "tapdata" });
    await createTable(connector, tapTable("t", { id: "BIGINT", at: "TIMESTAMP(3)", day: "DATE", raw: "BYTES", tags: "STRING", price: "DECIMAL(10,2)" }, ["id"]));
    const r = await connector.writeRecord(ctx, [
      { type: 300, after: { id: 1n, at: new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 6)), day: { seconds: 86400 * 3, nanos: 0 }, raw: new Uint8Array([1, 2]), tags: ["a", "b"], price: 12.345 } },
      { type: 300, after: { id: 2, at: "not a time" } },
    ], "t");
    expect(r.insertedCount).toBe(1);
    expect([...r.errorMap.values()][0].message).toMatch(/field=at.*rule=invalid-format/);
    await connector.stop();
    expect(await ourRows(wh, "db.t")).toEqual([{ id: "1", at: "2024-01-02T03:04:05.006", day: "1970-01-04", raw: "AQI=", tags: '["a","b"]', price: "12.35" }]);
  });
});

describe("micro-batches", () => {
  it.each([false, true])("commits by size, and the initial sync in bounded chunks (deletionVectors %s)", async (deletionVectors) => {
    const wh = tempWarehouse();
    const { connector } = await startConnector(wh, { batchAccumulationSize: 300, commitIntervalMs: 0, deletionVectors });
    await createTable(connector, tapTable("t", { id: "INT", v: "STRING" }, ["id"]));
    for (let i = 0; i < 10; i++) {
      const events = Array.from({ length: 100 }, (_, j) => ({ ...ins({ id: i * 100 + j, v: "x" }), info: { SYNC_STAGE: "INITIAL_SYNC" } }));
      await connector.writeRecord(ctx, events, "t");
    }
    let t = await loadTable(wh, "db.t");
    expect((await writeSnapshots(t)).length).toBe(3); // 300, 600, 900
    await connector.afterInitialSync(ctx, "t");
    t = await loadTable(wh, "db.t");
    const s = await writeSnapshots(t);
    expect(s.length).toBe(4);
    // merge-on-write: one COMPACT snapshot after each commit; merge-on-read: none this small
    expect((await t.snapshots.listIds()).length).toBe(deletionVectors ? 8 : 4);
    expect(s.map((x) => Number(x.deltaRecordCount))).toEqual([300, 300, 300, 100]);
    expect(new Set(s.map((x) => x.commitUser)).size).toBe(1);
    expect(s.map((x) => x.commitIdentifier)).toEqual([1n, 2n, 3n, 4n]);
    await connector.stop();
  });

  it.each([false, true])("commits by time, from a timer when no write comes (deletionVectors %s)", async (deletionVectors) => {
    const wh = tempWarehouse();
    const { connector } = await startConnector(wh, { batchAccumulationSize: 1_000_000, commitIntervalMs: 100, deletionVectors });
    await createTable(connector, tapTable("t", { id: "INT" }, ["id"]));
    await connector.writeRecord(ctx, [ins({ id: 1 })], "t");
    expect(await (await loadTable(wh, "db.t")).snapshots.latestId()).toBeNull();
    const expected = deletionVectors ? [[1n, "APPEND", 1n], [2n, "COMPACT", 1n]] : [[1n, "APPEND", 1n]];
    const kinds = async () => {
      const t = await loadTable(wh, "db.t");
      const snaps = await Promise.all((await t.snapshots.listIds()).map((id) => t.snapshots.snapshot(id)));
      return snaps.map((x) => [x.id, x.commitKind, x.commitIdentifier]);
    };
    // the timer (100 ms) commits with no further write; poll rather than sleep a fixed time, so a loaded machine does not fail it
    const deadline = Date.now() + 15_000;
    while ((await kinds()).length < expected.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(await kinds()).toEqual(expected);
    await new Promise((r) => setTimeout(r, 300)); // and nothing more: an idle timer does not commit empty batches
    expect(await kinds()).toEqual(expected);
    await connector.stop();
  });
});

describe("exactly-once", () => {
  const events = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => ins({ msg: `m${from + i}` }, from + i));

  it("skips replayed records at or before the committed offset, even in append tables", async () => {
    const wh = tempWarehouse();
    const state = new MemoryKVMap<unknown>();
    let s = await startConnector(wh, { batchAccumulationSize: 0 }, { state });
    await createTable(s.connector, tapTable("log", { msg: "STRING" }));
    await s.connector.writeRecord(ctx, events(1, 100), "log");
    await s.connector.stop();
    s = await startConnector(wh, { batchAccumulationSize: 0 }, { state });
    expect(await s.connector.committedOffset("log")).toBe(100);
    const r = await s.connector.writeRecord(ctx, events(51, 150), "log");
    expect(r.skippedReplays).toBe(50);
    expect(r.insertedCount).toBe(50);
    // a replay that ends before the committed offset does not move it back
    const r2 = await s.connector.writeRecord(ctx, events(10, 20), "log");
    expect([r2.skippedReplays, r2.insertedCount]).toEqual([11, 0]);
    await s.connector.stop();
    s = await startConnector(wh, { batchAccumulationSize: 0 }, { state });
    expect(await s.connector.committedOffset("log")).toBe(150);
    await s.connector.stop();
    const rows = await ourRows(wh, "db.log");
    expect(rows).toHaveLength(150);
    expect(new Set(rows.map((x) => x.msg)).size).toBe(150);
  });

  it("recovers identifiers and offsets from the snapshots when the state update was lost", async () => {
    const wh = tempWarehouse();
    const state = new MemoryKVMap<unknown>();
    const s1 = await startConnector(wh, { batchAccumulationSize: 0 }, { state });
    await createTable(s1.connector, tapTable("log", { msg: "STRING" }));
    await s1.connector.writeRecord(ctx, events(1, 10), "log");
    const before = new MemoryKVMap<unknown>(state.toJSON()); // state as of commit 1
    await s1.connector.writeRecord(ctx, events(11, 20), "log"); // commit 2 lands; pretend its state write was lost
    await s1.connector.stop();
    const s2 = await startConnector(wh, { batchAccumulationSize: 0 }, { state: before });
    expect(await s2.connector.committedOffset("log")).toBe(20);
    const r = await s2.connector.writeRecord(ctx, events(11, 30), "log");
    expect([r.skippedReplays, r.insertedCount]).toEqual([10, 10]);
    await s2.connector.stop();
    const t = await loadTable(wh, "db.log");
    const snaps = await Promise.all((await t.snapshots.listIds()).map((id) => t.snapshots.snapshot(id)));
    expect(snaps.map((x) => x.commitIdentifier)).toEqual([1n, 2n, 3n]);
    expect(new Set(snaps.map((x) => x.commitUser)).size).toBe(1);
    expect(await ourRows(wh, "db.log")).toHaveLength(30);
  });

  it.each([false, true])("recovers the offset of a primary-key table from its snapshots (deletionVectors %s)", async (deletionVectors) => {
    const wh = tempWarehouse();
    const state = new MemoryKVMap<unknown>();
    const rows = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => ins({ id: from + i, v: `v${from + i}` }, from + i));
    const s1 = await startConnector(wh, { batchAccumulationSize: 0, deletionVectors }, { state });
    await createTable(s1.connector, tapTable("t", { id: "INT", v: "STRING" }, ["id"]));
    await s1.connector.writeRecord(ctx, rows(1, 10), "t");
    const before = new MemoryKVMap<unknown>(state.toJSON());
    await s1.connector.writeRecord(ctx, rows(5, 20), "t"); // overlaps: updates with deletion vectors
    await s1.connector.stop();
    const s2 = await startConnector(wh, { batchAccumulationSize: 0, deletionVectors }, { state: before });
    expect(await s2.connector.committedOffset("t")).toBe(20);
    const r = await s2.connector.writeRecord(ctx, rows(11, 30), "t");
    expect([r.skippedReplays, r.insertedCount]).toEqual([10, 10]);
    await s2.connector.stop();
    const t = await loadTable(wh, "db.t");
    const snaps = await Promise.all((await t.snapshots.listIds()).map((id) => t.snapshots.snapshot(id)));
    // a deletion-vector commit is two snapshots under one identifier, both carrying the offset
    expect(snaps.map((x) => [x.commitKind, x.commitIdentifier, x.properties?.[OFFSET_PROPERTY] ?? null])).toEqual(
      deletionVectors
        ? [["APPEND", 1n, "10"], ["COMPACT", 1n, "10"], ["APPEND", 2n, "20"], ["COMPACT", 2n, "20"], ["APPEND", 3n, "30"], ["COMPACT", 3n, "30"]]
        : [["APPEND", 1n, "10"], ["APPEND", 2n, "20"], ["APPEND", 3n, "30"]],
    );
    expect(byKey(await ourRows(wh, "db.t"))).toEqual(Array.from({ length: 30 }, (_, i) => ({ id: i + 1, v: `v${i + 1}` })));
  });

  it("keeps a stable commit user and nothing but bookkeeping in the state", async () => {
    const wh = tempWarehouse();
    const s = await startConnector(wh, { batchAccumulationSize: 0 });
    await createTable(s.connector, tapTable("t", { id: "INT" }, ["id"]));
    await s.connector.writeRecord(ctx, [ins({ id: 1 }, 7)], "t");
    await s.connector.stop();
    const entries = Object.entries(s.state.toJSON());
    expect(entries).toHaveLength(1);
    expect(entries[0][0]).toMatch(new RegExp(`^${STATE_KEY_PREFIX.replace(/\./g, "\\.")}[0-9a-f]{40}$`));
    const value = JSON.parse(entries[0][1] as string);
    expect(Object.keys(value).sort()).toEqual(["commitUser", "committedOffset", "nextIdentifier", "version"]);
    expect(value).toMatchObject({ version: 1, nextIdentifier: "2", committedOffset: 7, commitUser: expect.stringMatching(/^paimon-ts-[0-9a-f]{32}$/) });
    expect(entries[0][1]).not.toContain(wh);
  });

  it("acknowledges a heartbeat's offset only once the data before it is committed", async () => {
    const wh = tempWarehouse();
    const s = await startConnector(wh, { batchAccumulationSize: 1000, commitIntervalMs: 0 });
    await createTable(s.connector, tapTable("a", { id: "INT" }, ["id"]));
    await createTable(s.connector, tapTable("b", { id: "INT" }, ["id"]));
    await s.connector.writeRecord(ctx, [ins({ id: 1 })], "a");
    await s.connector.writeRecord(ctx, [ins({ id: 1 })], "b");
    await s.connector.processControl(ctx, { type: 501, referenceTime: 5, info: { syncStage: "CDC", streamOffset: { pos: 42 }, sourceTime: 4, nodeIds: ["n1"] } });
    expect(s.acks).toEqual([]);
    await s.connector.afterInitialSync(ctx, "a");
    expect(s.acks).toEqual([]);
    await s.connector.afterInitialSync(ctx, "b");
    expect(s.acks).toEqual([{ streamOffset: { pos: 42 }, syncStage: "CDC", sourceTime: 4, nodeIds: ["n1"], eventTime: 5 }]);
    // nothing pending: acknowledged at once
    await s.connector.processControl(ctx, { type: 501, info: { syncStage: "CDC", streamOffset: 43 } });
    expect(s.acks).toHaveLength(2);
    await s.connector.stop();
  });
});
