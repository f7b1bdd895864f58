/**
 * `compact` on append-only tables (no primary key): many small commits, then the
 * connector's full compaction — Java's per-bucket full compaction for fixed buckets, its
 * compaction job's plan for bucket-unaware tables — leaves fewer files in a COMPACT
 * snapshot, and Java Paimon reads the same rows.
 */
import { openOracle, rowMultiset } from "@paimon-ts/oracle";
import { createTable, ctx, ins, loadTable, ourRows, startConnector, tapTable, tempWarehouse } from "./helpers.js";

jest.setTimeout(300_000);

const java = openOracle("java");
afterAll(async () => {
  await java?.close();
});

async function liveFiles(wh: string): Promise<number> {
  const t = await loadTable(wh, "db.t");
  const s = await t.snapshots.latest();
  return s === null ? 0 : (await t.liveEntries(s)).length;
}

describe.each([
  { mode: "dynamic" as const, commits: 7, filesAfter: 1, properties: [] },
  // 4 commits: below compaction.min.file-num, so the writer itself has not compacted yet
  { mode: "fixed" as const, commits: 4, filesAfter: 2, properties: [{ propKey: "bucket-key", propValue: "id" }] },
])("compact on an append table ($mode buckets)", ({ mode, commits, filesAfter, properties }) => {
  it("rewrites the small files of many commits into fewer, and Java reads the same rows", async () => {
    const wh = tempWarehouse("connector-append-compact-");
    const s = await startConnector(wh, { bucketMode: mode, bucketCount: 2, batchAccumulationSize: 0, commitIntervalMs: 0, tableProperties: properties });
    await createTable(s.connector, tapTable("t", { id: "BIGINT", v: "STRING" }));
    for (let c = 0; c < commits; c++) {
      const rows = Array.from({ length: 20 }, (_, i) => ins({ id: String(c * 20 + i), v: `v${c}-${i}` }));
      expect((await s.connector.writeRecord(ctx, rows, "t")).errorMap.size).toBe(0);
    }
    const before = await ourRows(wh, "db.t");
    expect(before).toHaveLength(commits * 20);
    expect(await liveFiles(wh)).toBe(commits * (mode === "fixed" ? 2 : 1));

    const info = await s.connector.compact("t");
    expect(info?.snapshotIds).toHaveLength(1);
    const table = await loadTable(wh, "db.t");
    expect((await table.snapshots.latest())?.commitKind).toBe("COMPACT");
    expect(await liveFiles(wh)).toBe(filesAfter);
    expect(rowMultiset(await ourRows(wh, "db.t"))).toEqual(rowMultiset(before));
    if (java) expect(rowMultiset((await java.readTable(wh, "db.t")).rows)).toEqual(rowMultiset(before));

    // nothing left to compact: no snapshot
    expect((await s.connector.compact("t"))?.snapshotIds ?? []).toEqual([]);
    // the session keeps writing after its compaction
    expect((await s.connector.writeRecord(ctx, [ins({ id: "9999", v: "last" })], "t")).errorMap.size).toBe(0);
    expect(await ourRows(wh, "db.t")).toHaveLength(commits * 20 + 1);
    await s.connector.stop();
  });
});
