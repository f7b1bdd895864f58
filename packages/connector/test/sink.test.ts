/**
 * Commit failures at the table-session level, with a FileIO that fails on purpose: a
 * commit whose failure is reported after its snapshot landed is accepted once; a commit
 * that really failed fences the table; a new session resumes from the committed offset;
 * a deletion-vector commit whose COMPACT snapshot failed after its APPEND one landed is
 * repaired by the next commit, and, when the process died in between, by the next
 * session's first commit even in buckets that session does not write.
 */
import { PermissionError, type FileIO } from "@paimon-ts/fileio";
import { LocalFileIO } from "@paimon-ts/fileio-local";
import { FileSystemCatalog, RowKind } from "@paimon-ts/paimon-core";
import { MemoryKVMap, SinkFencedError, TableSink } from "../src/index.js";
import { ourRows, tempWarehouse, testLog } from "./helpers.js";

type Mode = "ok" | "lose-answer" | "refuse" | "refuse-compact";

/** LocalFileIO whose snapshot publication can be made to fail. */
function faultyIO(): { io: FileIO; mode: { value: Mode } } {
  const local = new LocalFileIO();
  const mode = { value: "ok" as Mode };
  const io = new Proxy(local, {
    get(target, prop, receiver) {
      if (prop === "createIfAbsent") {
        return async (path: string, data: Uint8Array) => {
          const snapshot = /\/snapshot\/snapshot-\d+$/.test(path);
          if (snapshot && mode.value === "refuse") throw new PermissionError(path, "injected: publication refused");
          if (snapshot && mode.value === "refuse-compact" && new TextDecoder().decode(data).includes('"commitKind" : "COMPACT"')) {
            mode.value = "ok";
            throw new PermissionError(path, "injected: compaction snapshot refused");
          }
          await target.createIfAbsent(path, data);
          if (snapshot && mode.value === "lose-answer") {
            mode.value = "ok";
            throw new Error("injected: connection reset after the request was sent");
          }
        };
      }
      const v = Reflect.get(target, prop, receiver);
      return typeof v === "function" ? v.bind(target) : v;
    },
  }) as FileIO;
  return { io, mode };
}

async function setup(options: Record<string, string> = {}) {
  const wh = tempWarehouse("connector-sink-");
  const { io, mode } = faultyIO();
  const catalog = new FileSystemCatalog(io, wh);
  await catalog.createDatabase("db");
  await catalog.createTable("db.t", {
    columns: [
      { name: "id", type: { root: "INT", nullable: false } },
      { name: "v", type: { root: "VARCHAR", length: 2147483647, nullable: true } },
    ],
    primaryKeys: ["id"],
    options: { bucket: "2", "commit.max-retries": "1", "commit.min-retry-wait": "1 ms", "commit.max-retry-wait": "2 ms", ...options },
  });
  const state = new MemoryKVMap<unknown>();
  const log = testLog();
  const open = (c = catalog) => TableSink.open(c, { database: "db", table: "t" }, state, { batchAccumulationSize: 1000, commitIntervalMs: 0, log });
  const row = (id: number, v: string) => ({ kind: RowKind.INSERT, row: [id, v] });
  return { wh, mode, catalog, open, row, log };
}

describe("table session commits", () => {
  it("accepts a commit whose snapshot landed although the store reported a failure", async () => {
    const { wh, mode, open, row } = await setup();
    const sink = await open();
    await sink.write([row(1, "a")], 1);
    mode.value = "lose-answer";
    const info = await sink.commit("test");
    expect(info).toMatchObject({ identifier: 1n, offset: 1 });
    expect(sink.failure).toBeNull();
    await sink.write([row(2, "b")], 2);
    expect((await sink.commit("test"))?.identifier).toBe(2n);
    await sink.close(true);
    expect((await ourRows(wh, "db.t")).map((r) => r.id).sort()).toEqual([1, 2]);
  });

  it("fences the table after a failed commit and resumes in a new session", async () => {
    const { wh, mode, open, row } = await setup();
    const sink = await open();
    await sink.write([row(1, "a")], 1);
    await sink.commit("test");
    await sink.write([row(2, "b")], 2);
    mode.value = "refuse";
    await expect(sink.commit("test")).rejects.toThrow(/injected: publication refused/);
    await expect(sink.write([row(3, "c")], 3)).rejects.toThrow(SinkFencedError);
    await expect(sink.write([row(3, "c")], 3)).rejects.toThrow(/fenced after a failed write or commit .*restart the task/);
    mode.value = "ok";
    const again = await open();
    expect(again.committedOffset).toBe(1);
    expect(again.nextIdentifier).toBe(2n);
    expect(again.isCommitted(1)).toBe(true);
    expect(again.isCommitted(2)).toBe(false);
    await again.write([row(2, "b"), row(3, "c")], 3);
    await again.close(true);
    expect((await ourRows(wh, "db.t")).map((r) => r.id).sort()).toEqual([1, 2, 3]);
  });

  it("deletion vectors: when the APPEND snapshot of a commit lands and its COMPACT one does not, the next commit compacts from the table's files, also in a bucket it does not write", async () => {
    const { wh, mode, catalog, open, row, log } = await setup({ "deletion-vectors.enabled": "true" });
    const sink = await open();
    await sink.write([row(1, "a"), row(2, "b"), row(3, "c")], 1);
    expect((await sink.commit("test"))?.snapshotIds).toEqual([1n, 2n]);
    await sink.write([row(1, "a2"), row(4, "d")], 2);
    mode.value = "refuse-compact";
    const info = await sink.commit("test");
    // the rows and the offset landed with the APPEND snapshot: the commit counts
    expect(info).toMatchObject({ identifier: 2n, offset: 2, snapshotIds: [3n] });
    expect(sink.failure).toBeNull();
    expect(log.lines.some((l) => /commit 2 reported a failure but its snapshot exists/.test(l))).toBe(true);
    let t = await catalog.getTable("db.t");
    expect((await t.snapshots.latest())?.commitKind).toBe("APPEND");
    // readers of a deletion-vector table skip level 0: the new rows wait for a compaction
    expect((await t.liveEntries((await t.snapshots.latest())!)).some((e) => e.file.level === 0)).toBe(true);
    // only id 3 (the other bucket) is written now: the writer sees that its compaction of
    // ids 1 and 4 did not land, reloads their bucket from the table and takes it up again
    await sink.write([row(3, "c3")], 3);
    expect((await sink.commit("test"))?.snapshotIds).toEqual([4n, 5n]);
    t = await catalog.getTable("db.t");
    const latest = (await t.snapshots.latest())!;
    expect(latest.commitKind).toBe("COMPACT");
    expect((await t.liveEntries(latest)).filter((e) => e.file.level === 0)).toEqual([]);
    expect((await ourRows(wh, "db.t")).sort((a, b) => Number(a.id) - Number(b.id))).toEqual([
      { id: 1, v: "a2" },
      { id: 2, v: "b" },
      { id: 3, v: "c3" },
      { id: 4, v: "d" },
    ]);
    await sink.close(true);
  });

  it.each([
    ["deletion vectors", { "deletion-vectors.enabled": "true" }, "a2", "c3"],
    ["first-row", { "merge-engine": "first-row" }, "a", "c"],
    ["lookup changelog", { "changelog-producer": "lookup", "deletion-vectors.enabled": "true" }, "a2", "c3"],
  ])("%s: rows a crashed session left at level 0 (its COMPACT snapshot never landed) are compacted by the next session, which writes only another bucket", async (_n, options, v1, v3) => {
    const { wh, mode, catalog, open, row } = await setup(options);
    const sink = await open();
    await sink.write([row(1, "a"), row(2, "b"), row(3, "c")], 1);
    expect((await sink.commit("test"))?.snapshotIds).toEqual([1n, 2n]);
    await sink.write([row(1, "a2"), row(4, "d")], 2);
    mode.value = "refuse-compact";
    expect(await sink.commit("test")).toMatchObject({ identifier: 2n, offset: 2, snapshotIds: [3n] });
    // the process dies: nothing more of this session reaches the table
    await sink.close(false);
    let t = await catalog.getTable("db.t");
    const level0 = async () => new Set((await t.liveEntries((await t.snapshots.latest())!)).filter((e) => e.file.level === 0).map((e) => e.bucket));
    expect([...(await level0())]).toEqual([0]);
    expect((await ourRows(wh, "db.t")).map((r) => r.id).sort()).toEqual([1, 2, 3]);

    const again = await open();
    // exactly-once: the crashed commit counts (its rows and offset landed with the APPEND snapshot)
    expect(again.nextIdentifier).toBe(3n);
    expect(again.committedOffset).toBe(2);
    expect(again.isCommitted(2)).toBe(true);
    await again.write([row(3, "c3")], 3);
    const info = await again.commit("test");
    expect(info).toMatchObject({ identifier: 3n, offset: 3, snapshotIds: [4n, 5n] });
    t = await catalog.getTable("db.t");
    expect((await t.snapshots.snapshot(5n)).commitKind).toBe("COMPACT");
    expect((await level0()).size).toBe(0);
    expect((await ourRows(wh, "db.t")).sort((a, b) => Number(a.id) - Number(b.id))).toEqual([
      { id: 1, v: v1 },
      { id: 2, v: "b" },
      { id: 3, v: v3 },
      { id: 4, v: "d" },
    ]);
    await again.close(true);
  });

  it("logs the level-0 repair once per writer, and nothing when no bucket needs it", async () => {
    const { mode, open, row, log } = await setup({ "deletion-vectors.enabled": "true" });
    const sink = await open();
    await sink.write([row(1, "a"), row(3, "c")], 1);
    await sink.commit("test");
    expect(log.lines.filter((l) => /level-0/.test(l))).toEqual([]);
    await sink.write([row(4, "d")], 2);
    mode.value = "refuse-compact";
    await sink.commit("test");
    await sink.close(false);
    const again = await open();
    await again.write([row(3, "c3")], 3);
    await again.write([row(2, "b")], 4);
    expect(log.lines.filter((l) => /level-0/.test(l))).toEqual(["INFO table db.t: 1 bucket(s) hold level-0 files an earlier writer left uncompacted; the next commit compacts them"]);
    await again.close(true);
    const third = await open();
    await third.write([row(5, "e")], 5);
    await third.close(true);
    expect(log.lines.filter((l) => /level-0/.test(l))).toHaveLength(1);
  });
});
