/** batchRead (resumable), batchCount, timestampToStreamOffset and streamRead with row kinds. */
import { openOracle, type RowKindShort } from "@paimon-ts/oracle";
import { planSnapshotChanges, readChanges } from "@paimon-ts/paimon-core";
import type { PaimonConnector, TapEvent } from "../src/index.js";
import { createTable, ctx, del, ins, loadTable, startConnector, tapTable, tempWarehouse, upd } from "./helpers.js";

const java = openOracle("java");
afterAll(async () => {
  await java?.close();
});

type Ev = TapEvent & { after?: Record<string, unknown>; before?: Record<string, unknown>; tableId?: string };

describe("batch read", () => {
  it("reads the latest snapshot in batches and resumes from an offset", async () => {
    const wh = tempWarehouse();
    const { connector } = await startConnector(wh, { bucketMode: "fixed", bucketCount: 3 });
    await createTable(connector, tapTable("t", { id: "INT", v: "STRING" }, ["id"]));
    await connector.writeRecord(ctx, Array.from({ length: 25 }, (_, i) => ins({ id: i, v: `v${i}` })), "t");
    await connector.writeRecord(ctx, [del({ id: 0 })], "t");
    await connector.flush();
    expect(await connector.batchCount(ctx, "t")).toBe(24);
    const batches: { events: Ev[]; offset: unknown }[] = [];
    await connector.batchRead(ctx, "t", undefined, 10, (events, offset) => void batches.push({ events: events as Ev[], offset }));
    expect(batches.map((b) => b.events.length)).toEqual([10, 10, 4]);
    expect(batches[0].events[0]).toMatchObject({ type: 300, tableId: "t", after: { id: expect.any(Number), v: expect.any(String) } });
    const all = batches.flatMap((b) => b.events.map((e) => e.after!.id as number)).sort((a, b) => a - b);
    expect(all).toEqual(Array.from({ length: 24 }, (_, i) => i + 1));
    // resume after the first batch: the rest, exactly once
    const rest: Ev[] = [];
    await connector.batchRead(ctx, "t", batches[0].offset, 100, (events) => void rest.push(...(events as Ev[])));
    expect(rest.map((e) => e.after!.id).sort()).toEqual(batches.slice(1).flatMap((b) => b.events.map((e) => e.after!.id)).sort());
    // a missing table reads as empty
    const none: unknown[] = [];
    await connector.batchRead(ctx, "nope", undefined, 10, (e) => void none.push(...e));
    expect(none).toEqual([]);
    await connector.stop();
  });

  it("counts append tables from the file statistics", async () => {
    const wh = tempWarehouse();
    const { connector } = await startConnector(wh);
    await createTable(connector, tapTable("log", { msg: "STRING" }));
    await connector.writeRecord(ctx, Array.from({ length: 7 }, () => ins({ msg: "x" })), "log");
    await connector.flush();
    expect(await connector.batchCount(ctx, "log")).toBe(7);
    await connector.stop();
  });
});

describe("stream read", () => {
  // a commit to a deletion-vector table is an APPEND snapshot (the rows) and a COMPACT one
  // (level 0 merged away, deleted rows marked), which carries no changes for the stream
  it.each([false, true])("emits the changes of new snapshots with their row kinds, and resumes from its offset (deletionVectors %s)", async (deletionVectors) => {
    const wh = tempWarehouse();
    const { connector } = await startConnector(wh, { batchAccumulationSize: 0, commitIntervalMs: 0, deletionVectors });
    await createTable(connector, tapTable("t", { id: "INT", v: "STRING" }, ["id"]));
    await connector.writeRecord(ctx, [ins({ id: 1, v: "before the stream" })], "t");
    const kinds = async () => {
      const t = await loadTable(wh, "db.t");
      return Promise.all((await t.snapshots.listIds()).map(async (id) => (await t.snapshots.snapshot(id)).commitKind));
    };
    expect(await kinds()).toEqual(deletionVectors ? ["APPEND", "COMPACT"] : ["APPEND"]);
    // the latest snapshot: after one write to a deletion-vector table, its COMPACT snapshot
    const start = await connector.timestampToStreamOffset({ connectionConfig: {}, tableMap: { t: tapTable("t", {}) } }, null);
    expect(start).toEqual({ t: deletionVectors ? "2" : "1" });

    const got: { events: Ev[]; offset: unknown }[] = [];
    let started = false;
    const reading = connector.streamRead(ctx, ["t"], start, 100, { accept: (events, offset) => void got.push({ events: events as Ev[], offset }), streamReadStarted: () => (started = true) }, 20);
    await connector.writeRecord(ctx, [ins({ id: 2, v: "a" }), ins({ id: 3, v: "b" })], "t");
    await connector.writeRecord(ctx, [upd({ id: 2, v: "a" }, { id: 2, v: "A" })], "t");
    await connector.writeRecord(ctx, [del({ id: 3 })], "t");
    await connector.writeRecord(ctx, [upd({ id: 1, v: "x" }, { id: 5, v: "moved" })], "t");
    await connector.clearTable(ctx, { type: 205, tableId: "t" });
    const until = Date.now() + 5000;
    while (got.flatMap((g) => g.events).length < 7 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 100)); // nothing more may arrive
    connector.stopStreamRead();
    await reading;
    expect(started).toBe(true);
    // one delivery per write, at its APPEND snapshot; the COMPACT snapshots deliver nothing
    const at = (ids: number[]) => ids.map((id) => ({ t: String(id) }));
    expect(got.map((g) => g.events.length)).toEqual([2, 1, 1, 2, 1]);
    expect(got.map((g) => g.offset)).toEqual(deletionVectors ? at([3, 5, 7, 9, 11]) : at([2, 3, 4, 5, 7]));
    const events = got.flatMap((g) => g.events).map((e) => [e.type, e.before ?? null, e.after ?? null]);
    expect(events).toEqual([
      [300, null, { id: 2, v: "a" }],
      [300, null, { id: 3, v: "b" }],
      // changelog-producer none: the write buffer keeps the last row of a key per commit (+U)
      [302, null, { id: 2, v: "A" }],
      [301, { id: 3, v: null }, null],
      [301, { id: 1, v: "x" }, null],
      [300, null, { id: 5, v: "moved" }],
      [205, null, null],
    ]);
    // five commits, then the truncate; merge-on-read compacts once, when its fifth sorted
    // run reaches num-sorted-run.compaction-trigger
    expect(await kinds()).toEqual(deletionVectors ? [...Array<string[]>(5).fill(["APPEND", "COMPACT"]).flat(), "OVERWRITE"] : [...Array<string>(5).fill("APPEND"), "COMPACT", "OVERWRITE"]);

    // resume from a mid-stream offset: exactly the later events
    const again: Ev[] = [];
    const r2 = connector.streamRead(ctx, ["t"], got[1].offset, 100, { accept: (events) => void again.push(...(events as Ev[])) }, 20);
    const until2 = Date.now() + 5000;
    while (again.length < events.length - got[0].events.length - got[1].events.length && Date.now() < until2) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 100)); // nothing more may arrive
    connector.stopStreamRead();
    await r2;
    expect(again.map((e) => e.type)).toEqual(events.slice(got[0].events.length + got[1].events.length).map((e) => e[0]));
    await connector.stop();
  });

  it("splits a large snapshot and records how much of it was delivered", async () => {
    const wh = tempWarehouse();
    const { connector } = await startConnector(wh, { batchAccumulationSize: 0 });
    await createTable(connector, tapTable("log", { n: "INT" }));
    const got: { n: number; offset: unknown }[] = [];
    const reading = connector.streamRead(ctx, ["log"], { log: null }, 4, { accept: (events, offset) => void got.push({ n: events.length, offset }) }, 20);
    await connector.writeRecord(ctx, Array.from({ length: 10 }, (_, i) => ins({ n: i })), "log");
    const until = Date.now() + 5000;
    while (got.reduce((s, g) => s + g.n, 0) < 10 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    connector.stopStreamRead();
    await reading;
    expect(got).toEqual([
      { n: 4, offset: { log: { snapshotId: "0", delivered: 4 } } },
      { n: 4, offset: { log: { snapshotId: "0", delivered: 8 } } },
      { n: 2, offset: { log: "1" } },
    ]);
    const rest: number[] = [];
    const r2 = connector.streamRead(ctx, ["log"], got[0].offset, 100, { accept: (events) => void rest.push(...events.map((e) => (e as Ev).after!.n as number)) }, 20);
    const until2 = Date.now() + 5000;
    while (rest.length < 6 && Date.now() < until2) await new Promise((r) => setTimeout(r, 20));
    connector.stopStreamRead();
    await r2;
    expect(rest).toHaveLength(6);
    await connector.stop();
  });
});

/** Reads the stream of `table` from its start until `count` events arrived (or 10 s). */
async function streamAll(connector: PaimonConnector, table: string, count: number, offset: unknown = { [table]: null }): Promise<{ events: Ev[]; offset: unknown }> {
  const events: Ev[] = [];
  let last: unknown;
  const reading = connector.streamRead(ctx, [table], offset, 100, { accept: (e, o) => void (events.push(...(e as Ev[])), (last = o)) }, 20);
  const until = Date.now() + 10_000;
  while (events.length < count && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
  await new Promise((r) => setTimeout(r, 100)); // nothing more may arrive
  connector.stopStreamRead();
  await reading;
  return { events, offset: last };
}

const shape = (events: Ev[]) => events.map((e) => [e.type, e.before ?? null, e.after ?? null]);

(java ? describe : describe.skip)("stream read of tables Java Paimon wrote (changelog producers, deletion vectors)", () => {
  const r = (kind: RowKindShort, id: number, v: string | null) => ({ kind, row: { id, v } });
  const commits = [
    { rows: [r("+I", 1, "a"), r("+I", 2, "b"), r("+I", 3, "c")] },
    { rows: [r("+U", 1, "a2"), r("-D", 2, "b")] },
    { rows: [r("+U", 1, "a3"), r("+I", 4, "d")], compact: "full" as const },
    { truncate: true as const },
    { rows: [r("+I", 5, "e")] },
  ];
  // the full history with before images: what a lookup (or input with -U) changelog carries
  const withBefore = [
    [300, null, { id: 1, v: "a" }],
    [300, null, { id: 2, v: "b" }],
    [300, null, { id: 3, v: "c" }],
    [302, { id: 1, v: "a" }, { id: 1, v: "a2" }],
    [301, { id: 2, v: "b" }, null],
    [302, { id: 1, v: "a2" }, { id: 1, v: "a3" }],
    [300, null, { id: 4, v: "d" }],
    [205, null, null],
    [300, null, { id: 5, v: "e" }],
  ];

  it("changelog-producer lookup: the changes come from the COMPACT snapshots, updates with before images", async () => {
    const wh = tempWarehouse();
    const w = await java!.write({
      warehouse: wh,
      table: "db.lk",
      create: { fields: [{ name: "id", type: "INT NOT NULL" }, { name: "v", type: "STRING" }], primaryKeys: ["id"], options: { bucket: "1", "changelog-producer": "lookup" } },
      commits,
    });
    const { connector } = await startConnector(wh);
    const got = await streamAll(connector, "lk", withBefore.length);
    expect(shape(got.events)).toEqual(withBefore);
    expect(got.offset).toEqual({ lk: String(w.latestSnapshotId) });
    // resuming after the truncate: only what came after it
    const truncateSnapshot = w.snapshots[3];
    const rest = await streamAll(connector, "lk", 1, { lk: String(truncateSnapshot) });
    expect(shape(rest.events)).toEqual([[300, null, { id: 5, v: "e" }]]);
    await connector.stop();
  }, 120_000);

  it("changelog-producer none with deletion vectors: level-0 files of the APPEND snapshots are read too", async () => {
    const wh = tempWarehouse();
    await java!.write({
      warehouse: wh,
      table: "db.dv",
      create: { fields: [{ name: "id", type: "INT NOT NULL" }, { name: "v", type: "STRING" }], primaryKeys: ["id"], options: { bucket: "1", "deletion-vectors.enabled": "true" } },
      commits,
    });
    const { connector } = await startConnector(wh);
    const got = await streamAll(connector, "dv", 8);
    expect(shape(got.events)).toEqual([
      [300, null, { id: 1, v: "a" }],
      [300, null, { id: 2, v: "b" }],
      [300, null, { id: 3, v: "c" }],
      [302, null, { id: 1, v: "a2" }],
      [301, { id: 2, v: "b" }, null],
      [302, null, { id: 1, v: "a3" }],
      [300, null, { id: 4, v: "d" }],
      [205, null, null],
      [300, null, { id: 5, v: "e" }],
    ]);
    await connector.stop();
  }, 120_000);

  it("a large changelog streams in parts; -U/+U pairs split between file chunks stay one update", async () => {
    const wh = tempWarehouse();
    const n = 1500;
    const row = (id: number, v: string) => ({ kind: "+I" as const, row: { id, v: `${v}${id}`.padEnd(30 + (id % 7), "x") } });
    const evens = (v: string) => Array.from({ length: n }, (_, i) => row(2 * i, v));
    const w = await java!.write({
      warehouse: wh,
      table: "db.big",
      create: { fields: [{ name: "id", type: "INT NOT NULL" }, { name: "v", type: "STRING" }], primaryKeys: ["id"], options: { bucket: "1", "changelog-producer": "lookup", "parquet.block.size": "2048" } },
      // the new key 1 shifts the -U/+U pairs of the second changelog to odd positions
      commits: [{ rows: evens("a") }, { rows: [...evens("b"), row(1, "new")] }],
    });
    // that changelog is read in chunks (row groups of a multiple of 100 rows): some start with a +U
    const t = await loadTable(wh, "db.big");
    const plan = await planSnapshotChanges(t, BigInt(w.latestSnapshotId));
    const starts: number[] = [];
    for await (const b of readChanges(t, plan)) starts.push(b.firstRowPosition);
    expect(starts.some((p) => p > 2 && p % 2 === 0)).toBe(true);

    const { connector } = await startConnector(wh);
    const events: Ev[] = [];
    const offsets: unknown[] = [];
    const reading = connector.streamRead(ctx, ["big"], { big: String(w.snapshots[0]) }, 400, { accept: (e, o) => void (events.push(...(e as Ev[])), offsets.push(o)) }, 20);
    const until = Date.now() + 20_000;
    while (events.length < n + 1 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    connector.stopStreamRead();
    await reading;
    expect(events.length).toBe(n + 1);
    expect(events[1]).toMatchObject({ type: 300, after: { id: 1 } });
    const updates = events.filter((_, i) => i !== 1);
    expect(updates.every((e, i) => e.type === 302 && e.before?.id === 2 * i && e.after?.id === 2 * i && String(e.after?.v).startsWith(`b${2 * i}`))).toBe(true);
    expect(offsets).toEqual([
      { big: { snapshotId: String(w.latestSnapshotId - 1), delivered: 400 } },
      { big: { snapshotId: String(w.latestSnapshotId - 1), delivered: 800 } },
      { big: { snapshotId: String(w.latestSnapshotId - 1), delivered: 1200 } },
      { big: String(w.latestSnapshotId) },
    ]);
    await connector.stop();
  }, 120_000);

  it("changelog-producer input: the changelog of the APPEND snapshots, as written", async () => {
    const wh = tempWarehouse();
    await java!.write({
      warehouse: wh,
      table: "db.inp",
      create: { fields: [{ name: "id", type: "INT NOT NULL" }, { name: "v", type: "STRING" }], primaryKeys: ["id"], options: { bucket: "1", "changelog-producer": "input" } },
      commits,
    });
    const { connector } = await startConnector(wh);
    const got = await streamAll(connector, "inp", 8);
    // input keeps each written record: +U without -U is an update with the after image only
    expect(shape(got.events)).toEqual([
      [300, null, { id: 1, v: "a" }],
      [300, null, { id: 2, v: "b" }],
      [300, null, { id: 3, v: "c" }],
      [302, null, { id: 1, v: "a2" }],
      [301, { id: 2, v: "b" }, null],
      [302, null, { id: 1, v: "a3" }],
      [300, null, { id: 4, v: "d" }],
      [205, null, null],
      [300, null, { id: 5, v: "e" }],
    ]);
    await connector.stop();
  }, 120_000);
});
