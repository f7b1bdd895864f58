/**
 * `compact` (full compaction through the connector) on deletion-vector tables: the
 * deleted rows marked in the vectors are purged from the files, also when the table's
 * data already sits in one run at the top level (nothing to merge, only vectors to fold
 * away), and Java Paimon reads the result.
 */
import { openOracle, rowMultiset, type Description } from "@paimon-ts/oracle";
import { createTable, ctx, del, ins, loadTable, ourRows, startConnector, tapTable, tempWarehouse, upd } from "./helpers.js";

const java = openOracle("java");
afterAll(async () => {
  await java?.close();
});

const MAX_LEVEL = 5;

/** Deleted positions per data file, from the table's DELETION_VECTORS index files. */
function dvCardinalities(d: Description): Map<string, number> {
  const out = new Map<string, number>();
  for (const f of d.indexFiles) {
    if (f.indexType !== "DELETION_VECTORS") continue;
    for (const [file, r] of Object.entries(f.dvRanges ?? {})) out.set(file, Number((r as { cardinality: number }).cardinality));
  }
  return out;
}

(java ? describe : describe.skip)("compact on a deletion-vector table", () => {
  it("rewrites a single top-level run whose files carry deletion vectors, and the vectors are gone", async () => {
    const wh = tempWarehouse("connector-compact-");
    const s = await startConnector(wh, { bucketMode: "fixed", bucketCount: 1, batchAccumulationSize: 0, commitIntervalMs: 0, deletionVectors: true });
    await createTable(s.connector, tapTable("t", { id: "BIGINT", v: "STRING" }, ["id"]));
    const model = new Map<number, string>();
    const load = Array.from({ length: 50 }, (_, i) => ins({ id: String(i), v: `v${i}` }));
    for (let i = 0; i < 50; i++) model.set(i, `v${i}`);
    expect((await s.connector.writeRecord(ctx, load, "t")).errorMap.size).toBe(0);
    // deletes only: the lookup compaction marks the old rows and its own output is empty,
    // so the data stays one run at the top level, now with deleted rows
    const gone = [3, 4, 10, 27, 49];
    expect((await s.connector.writeRecord(ctx, gone.map((id) => del({ id: String(id) })), "t")).errorMap.size).toBe(0);
    for (const id of gone) model.delete(id);
    const want = rowMultiset([...model].map(([id, v]) => ({ id: String(id), v })));

    const before = await java!.describe(wh, "db.t");
    expect(before.liveFiles.map((f) => f.level)).toEqual([MAX_LEVEL]);
    expect([...dvCardinalities(before)]).toEqual([[before.liveFiles[0].fileName, gone.length]]);
    expect(rowMultiset((await java!.readTable(wh, "db.t")).rows)).toEqual(want);

    // a new session, as `paimon-ts compact` runs: the vectors come from the index file
    await s.connector.stop();
    const s2 = await startConnector(wh, { deletionVectors: true });
    const info = await s2.connector.compact("t");
    expect(info?.snapshotIds).toHaveLength(1);
    const t = await loadTable(wh, "db.t");
    expect((await t.snapshots.snapshot(BigInt(info!.snapshotIds[0]))).commitKind).toBe("COMPACT");

    const after = await java!.describe(wh, "db.t");
    expect(after.liveFiles).toHaveLength(1);
    expect(after.liveFiles[0]).toMatchObject({ level: MAX_LEVEL, rowCount: model.size });
    expect(after.liveFiles[0].fileName).not.toBe(before.liveFiles[0].fileName);
    expect(dvCardinalities(after).size).toBe(0);
    expect(rowMultiset((await java!.readTable(wh, "db.t")).rows)).toEqual(want);
    expect(rowMultiset(await ourRows(wh, "db.t"))).toEqual(want);

    // nothing left to fold away: a second compaction commits nothing
    const latest = (await t.snapshots.latestId())!;
    expect((await s2.connector.compact("t"))?.snapshotIds ?? []).toEqual([]);
    expect(await (await loadTable(wh, "db.t")).snapshots.latestId()).toBe(latest);
    await s2.connector.stop();
  });

  it("merges several runs and folds the vectors of their files away", async () => {
    const wh = tempWarehouse("connector-compact-");
    const s = await startConnector(wh, { bucketMode: "fixed", bucketCount: 2, batchAccumulationSize: 0, commitIntervalMs: 0, deletionVectors: true });
    await createTable(s.connector, tapTable("t", { id: "BIGINT", v: "STRING" }, ["id"]));
    const model = new Map<number, string>();
    const put = (id: number, v: string) => (model.set(id, v), ins({ id: String(id), v }));
    await s.connector.writeRecord(ctx, Array.from({ length: 200 }, (_, i) => put(i, `v${i}`)), "t");
    for (let round = 1; round <= 3; round++) {
      const events = [];
      for (let id = round; id < 200; id += 9) {
        if (!model.has(id)) continue;
        if (id % 2 === 0) {
          model.delete(id);
          events.push(del({ id: String(id) }));
        } else {
          const old = model.get(id)!;
          model.set(id, `r${round}`);
          events.push(upd({ id: String(id), v: old }, { id: String(id), v: `r${round}` }));
        }
      }
      events.push(put(1000 + round, `new${round}`));
      expect((await s.connector.writeRecord(ctx, events, "t")).errorMap.size).toBe(0);
    }
    const want = rowMultiset([...model].map(([id, v]) => ({ id: String(id), v })));
    const before = await java!.describe(wh, "db.t");
    expect(dvCardinalities(before).size).toBeGreaterThan(0);
    expect(new Set(before.liveFiles.map((f) => f.level)).size).toBeGreaterThan(1);

    expect((await s.connector.compact("t"))?.snapshotIds).toHaveLength(1);
    const after = await java!.describe(wh, "db.t");
    expect(after.liveFiles.every((f) => f.level === MAX_LEVEL)).toBe(true);
    expect(after.liveFiles.reduce((n, f) => n + Number(f.rowCount), 0)).toBe(model.size);
    expect(dvCardinalities(after).size).toBe(0);
    expect(rowMultiset((await java!.readTable(wh, "db.t")).rows)).toEqual(want);
    expect(rowMultiset(await ourRows(wh, "db.t"))).toEqual(want);
    await s.connector.stop();
  });
});
