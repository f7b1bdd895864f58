/**
 * Commit failures at the table-session level, with a FileIO that fails on purpose: a
 * commit whose failure is reported after its snapshot landed is accepted once; a commit
 * that really failed fences the table; a new session resumes from the committed offset.
 */
import { PermissionError, type FileIO } from "@paimon-ts/fileio";
import { LocalFileIO } from "@paimon-ts/fileio-local";
import { FileSystemCatalog, RowKind } from "@paimon-ts/paimon-core";
import { MemoryKVMap, SinkFencedError, TableSink } from "../src/index.js";
import { ourRows, tempWarehouse, testLog } from "./helpers.js";

type Mode = "ok" | "lose-answer" | "refuse";

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

async function setup() {
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
    options: { bucket: "2", "commit.max-retries": "1", "commit.min-retry-wait": "1 ms", "commit.max-retry-wait": "2 ms" },
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
});
