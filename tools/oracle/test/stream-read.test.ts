import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openOracle, type StreamReadResult } from "../src/index.js";

const java = openOracle("java");
const python = openOracle("python");
const withJava = java ? describe : describe.skip;
const withBoth = java && python ? describe : describe.skip;

let wh: string;
beforeAll(() => {
  wh = mkdtempSync(join(tmpdir(), "oracle-stream-"));
});
afterAll(async () => {
  await java?.close();
  await python?.close();
  rmSync(wh, { recursive: true, force: true });
});

const FIELDS = [
  { name: "id", type: "BIGINT NOT NULL" },
  { name: "v", type: "STRING" },
];
const ins = (id: number, v: string) => ({ kind: "+I" as const, row: { id: String(id), v } });

/** [snapshot id, commit kind, "kind id v" per record] in Java's order. */
function summary(r: StreamReadResult): [number, string, string[]][] {
  return r.snapshots.map((s) => [s.id, s.commitKind, s.rows.map((x) => `${x.kind} ${String(x.row.id)} ${String(x.row.v)}`)]);
}

withJava("stream-read: Java Paimon's streaming scan, per snapshot", () => {
  it("changelog-producer none: APPEND snapshots as written, COMPACT skipped, bounds honoured", async () => {
    const w = await java!.write({
      warehouse: wh,
      table: "db.none",
      create: { fields: FIELDS, primaryKeys: ["id"], options: { bucket: "1" } },
      commits: [
        { rows: [ins(1, "a"), ins(2, "b")] },
        // -U/+U of one key in one write buffer keep only the last record (+U)
        { rows: [{ kind: "-U", row: { id: "1", v: "a" } }, { kind: "+U", row: { id: "1", v: "a2" } }, { kind: "-D", row: { id: "2", v: "b" } }], compact: "full" },
        { rows: [ins(3, "c")] },
      ],
    });
    expect(w.snapshots).toEqual([1, 3, 4]); // the compacting commit is APPEND 2 + COMPACT 3
    const all = await java!.streamRead(wh, "db.none", { fromSnapshot: 1 });
    expect(all.columns.map((c) => c.name)).toEqual(["id", "v"]);
    expect(summary(all)).toEqual([
      [1, "APPEND", ["+I 1 a", "+I 2 b"]],
      [2, "APPEND", ["+U 1 a2", "-D 2 b"]],
      [4, "APPEND", ["+I 3 c"]],
    ]);
    expect(all.nextSnapshot).toBe(5);
    // toSnapshot is inclusive; the COMPACT snapshot 3 is skipped, so the range 2..3 plans only 2
    const mid = await java!.streamRead(wh, "db.none", { fromSnapshot: 2, toSnapshot: 3 });
    expect(summary(mid)).toEqual([[2, "APPEND", ["+U 1 a2", "-D 2 b"]]]);
    const proj = await java!.streamRead(wh, "db.none", { fromSnapshot: 4, projection: ["v"] });
    expect(proj.columns.map((c) => c.name)).toEqual(["v"]);
    expect(proj.snapshots.map((s) => s.rows)).toEqual([[{ kind: "+I", row: { v: "c" } }]]);
  }, 120_000);

  it("changelog-producer lookup: the changelog of the COMPACT snapshots, with -U/+U pairs", async () => {
    await java!.write({
      warehouse: wh,
      table: "db.lookup",
      create: { fields: FIELDS, primaryKeys: ["id"], options: { bucket: "1", "changelog-producer": "lookup" } },
      commits: [{ rows: [ins(1, "a"), ins(2, "b")] }, { rows: [{ kind: "+U", row: { id: "1", v: "a2" } }, { kind: "-D", row: { id: "2", v: "b" } }] }],
    });
    const r = await java!.streamRead(wh, "db.lookup", { fromSnapshot: 1 });
    expect(summary(r)).toEqual([
      [2, "COMPACT", ["+I 1 a", "+I 2 b"]],
      [4, "COMPACT", ["-U 1 a", "+U 1 a2", "-D 2 b"]],
    ]);
  }, 120_000);

  it("snapshots skipped at the end are not reported as planned", async () => {
    await java!.write({
      warehouse: wh,
      table: "db.fc",
      create: { fields: FIELDS, primaryKeys: ["id"], options: { bucket: "2", "changelog-producer": "full-compaction" } },
      commits: [{ rows: [ins(1, "a")] }, { rows: [ins(2, "b")], compact: "full" }, { rows: [ins(3, "c")] }],
    });
    const r = await java!.streamRead(wh, "db.fc", { fromSnapshot: 1 });
    // 1, 2 and 4 are APPEND snapshots without changelog; 3 is the compaction's changelog
    expect(summary(r)).toEqual([[3, "COMPACT", ["+I 1 a", "+I 2 b"]]]);
    expect(r.nextSnapshot).toBe(5);
  }, 120_000);

  it("a start beyond the latest snapshot plans nothing; a bad request fails with a message", async () => {
    const r = await java!.streamRead(wh, "db.none", { fromSnapshot: 5 });
    expect(r.snapshots).toEqual([]);
    await expect(java!.streamRead(wh, "db.none", { fromSnapshot: 1, projection: ["nope"] })).rejects.toThrow(/projection field 'nope'/);
  }, 60_000);
});

withBoth("stream-read: pypaimon's streaming read plans the same snapshots with the same records", () => {
  it.each([
    ["none", { bucket: "2" }],
    ["input", { bucket: "2", "changelog-producer": "input" }],
    ["lookup", { bucket: "2", "changelog-producer": "lookup" }],
  ])("changelog-producer %s", async (name, options) => {
    const table = `db.py_${name}`;
    await java!.write({
      warehouse: wh,
      table,
      create: { fields: FIELDS, primaryKeys: ["id"], options },
      commits: [
        { rows: [ins(1, "a"), ins(2, "b"), ins(3, "c")] },
        { rows: [{ kind: "+U", row: { id: "1", v: "a2" } }, { kind: "-D", row: { id: "2", v: "b" } }], compact: "full" },
        { rows: [ins(4, "d")] },
      ],
    });
    const j = await java!.streamRead(wh, table, { fromSnapshot: 1 });
    const p = await python!.streamRead(wh, table, { fromSnapshot: 1 });
    expect(j.snapshots.length).toBeGreaterThan(0);
    const sorted = (r: StreamReadResult) => summary(r).map(([id, kind, rows]) => [id, kind, [...rows].sort()]);
    expect(sorted(p)).toEqual(sorted(j));
    const pTo = await python!.streamRead(wh, table, { fromSnapshot: 2, toSnapshot: 3 });
    const jTo = await java!.streamRead(wh, table, { fromSnapshot: 2, toSnapshot: 3 });
    expect(sorted(pTo)).toEqual(sorted(jTo));
  }, 120_000);
});
