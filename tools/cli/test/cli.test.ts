import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { run } from "../src/index.js";

async function cli(args: string[]): Promise<{ code: number; text: string }> {
  let text = "";
  const code = await run(args, (s) => (text += s));
  return { code, text };
}

const ndjson = (text: string) => text.split("\n").filter((l) => l.length > 0).map((l) => JSON.parse(l));

interface Described {
  schema: { options: Record<string, string> };
  snapshots: { commitKind: string }[];
  liveFiles: { partition: Record<string, unknown>; level: number; rowCount: number; fileName: string }[];
  indexFiles: { indexType: string; deletionVectors?: { dataFile: string; deletedRows: number }[] }[];
}

describe("paimon-ts demo", () => {
  /** The summary's numbers, checked against the table itself. */
  async function checkSummary(wh: string, text: string, dv: boolean): Promise<void> {
    const rows = ndjson((await cli(["scan", "--warehouse", wh, "demo.orders"])).text);
    expect(rows.length).toBeGreaterThan(3000);
    expect(Object.keys(rows[0])).toEqual(["region", "order_id", "customer", "amount", "status", "created_at", "discount"]);
    expect(text).toContain(`rows        ${rows.length} in demo.orders`);
    const d = JSON.parse((await cli(["describe", "--warehouse", wh, "demo.orders"])).text) as Described;
    const kinds = d.snapshots.map((x) => x.commitKind);
    const count = (k: string) => kinds.filter((x) => x === k).length;
    // the load (3000 rows) is one commit, then two CDC commits; a deletion-vector commit is an
    // APPEND and a COMPACT snapshot, a merge-on-read one an APPEND alone at this size
    expect(count("APPEND")).toBe(3);
    expect(count("COMPACT")).toBe(dv ? 3 : 0);
    const fileRows = d.liveFiles.reduce((n, f) => n + f.rowCount, 0);
    const marked = d.indexFiles.flatMap((f) => f.deletionVectors ?? []).reduce((n, v) => n + v.deletedRows, 0);
    const vectorFiles = d.indexFiles.filter((f) => f.indexType === "DELETION_VECTORS").length;
    expect(text).toMatch(new RegExp(`snapshots {3}${kinds.length} \\(${dv ? "3 APPEND, 3 COMPACT" : "3 APPEND"}; latest ${kinds.length}, 3 commits by paimon-ts-[0-9a-f]{32}\\)`));
    if (dv) {
      expect(text).toContain("created: primary key (region, order_id), partitioned by region, 4 buckets, deletion vectors on (merge-on-write)");
      expect(text).toContain(`mode        deletion vectors on (merge-on-write): each commit an APPEND and a COMPACT snapshot; ${marked} rows marked deleted in ${vectorFiles} index files`);
      expect(text).toMatch(new RegExp(`data files {2}${d.liveFiles.length} live, [\\d.]+ MiB, in 3 partitions, ${fileRows} rows \\(${marked} marked deleted\\)`));
      // the CDC updated rows loaded before: their old versions are marked, not merged away
      expect(marked).toBeGreaterThan(0);
      expect(fileRows - marked).toBe(rows.length);
      expect(d.liveFiles.every((f) => f.level > 0)).toBe(true);
    } else {
      expect(text).toContain("created: primary key (region, order_id), partitioned by region, 4 buckets, deletion vectors off (merge-on-read)");
      expect(text).toContain("mode        deletion vectors off (merge-on-read): readers merge the sorted runs");
      expect(text).toMatch(new RegExp(`data files {2}${d.liveFiles.length} live, [\\d.]+ MiB, in 3 partitions, ${fileRows} rows\n`));
      expect(vectorFiles).toBe(0);
    }
  }

  it("streams CDC through the connector, verifies the table and summarizes (deletion vectors on by default)", async () => {
    const wh = mkdtempSync(join(tmpdir(), "cli-demo-"));
    const { code, text } = await cli(["demo", "--warehouse", wh, "--rows", "3000"]);
    expect(code).toBe(0);
    expect(text).toMatch(/ok {3}Connection: Warehouse .* is reachable/);
    expect(text).toMatch(/verified: the table holds exactly the \d+ rows the stream produced/);
    expect(text).toMatch(/events {6}\d+ \(3000 initial, \d+ CDC\) in [\d.]+ s = \d+ events\/s/);
    expect(text).toMatch(/region +order_id +customer +amount +status +created_at +discount/);
    await checkSummary(wh, text, true);
  });

  it("runs on a merge-on-read table with --deletion-vectors false", async () => {
    const wh = mkdtempSync(join(tmpdir(), "cli-demo-"));
    const { code, text } = await cli(["demo", "--warehouse", wh, "--rows", "3000", "--deletion-vectors", "false"]);
    expect(code).toBe(0);
    expect(text).toMatch(/verified: the table holds exactly the \d+ rows the stream produced/);
    await checkSummary(wh, text, false);
    await expect(cli(["demo", "--warehouse", wh, "--deletion-vectors", "no"])).rejects.toThrow("--deletion-vectors needs true or false");
  });

  it("prints usage for unknown commands", async () => {
    const spy = jest.spyOn(process.stderr, "write").mockImplementation(() => true);
    expect(await run(["nope"])).toBe(2);
    expect(String(spy.mock.calls[0][0])).toContain("unknown command 'nope'");
    spy.mockRestore();
    expect((await cli(["help"])).text).toContain("write --config CONN.json <db>.<table> --events EVENTS.ndjson");
  });
});

describe("the connector commands", () => {
  const dir = mkdtempSync(join(tmpdir(), "cli-conn-"));
  const conn = join(dir, "conn.json");
  writeFileSync(conn, JSON.stringify({ warehouse: "wh", storageType: "local", database: "shop", bucketMode: "fixed", bucketCount: 2, batchAccumulationSize: 3, commitIntervalMs: 0, tables: { orders: { partitionKey: ["dt"] } } }));
  writeFileSync(
    join(dir, "orders.json"),
    JSON.stringify({
      fields: [
        { name: "id", dataType: "BIGINT", nullable: false, primaryKeyPos: 1 },
        { name: "dt", dataType: "DATE", nullable: false, primaryKeyPos: 2 },
        { name: "amount", dataType: "DECIMAL(10,2)" },
        { name: "tags", dataType: "ARRAY<STRING>" },
      ],
      options: { "snapshot.num-retained.min": "1", "snapshot.num-retained.max": "100" },
    }),
  );
  const events = [
    { type: "insert", after: { id: "1", dt: "2024-01-01", amount: "10.00" } },
    { type: "insert", after: { id: "2", dt: "2024-01-01", amount: "20.00", tags: '["a"]' } },
    "{ broken json",
    { type: "insert", after: { id: "3", dt: "2024-01-02", amount: "not money" } },
    { type: "update", before: { id: "1", dt: "2024-01-01", amount: "10.00" }, after: { id: "1", dt: "2024-01-01", amount: "11.50", tags: null } },
    { type: "insert", after: { id: "4", dt: "2024-01-02", amount: "40.00", color: "red" } },
    { type: "delete", before: { id: "2", dt: "2024-01-01" } },
    { type: "insert", after: { id: null, dt: "2024-01-02" } },
    { type: "insert", after: { id: "5", dt: "2024-01-02", amount: "99999999999.99" } },
    { type: "insert", after: { id: "6", dt: "2024-01-03", amount: "6.00" } },
  ];
  writeFileSync(join(dir, "events.ndjson"), events.map((e) => (typeof e === "string" ? e : JSON.stringify(e))).join("\n") + "\n");
  const described = async (table: string) => JSON.parse((await cli(["describe", "--config", conn, table])).text) as Described;

  it("test: one line per check", async () => {
    const r = await cli(["test", "--config", conn]);
    expect(r.code).toBe(0);
    expect(r.text.split("\n").slice(0, 4).map((l) => l.slice(0, 14))).toEqual(["ok   Connectio", "ok   Login: Lo", "ok   Write: Wr", "ok   Database:"]);
    expect(r.text).toContain(`connection: file://${join(dir, "wh")}`);
    const bad = join(dir, "bad.json");
    writeFileSync(bad, JSON.stringify({ warehouse: "s3://b/w", storageType: "s3", s3Endpoint: "http://127.0.0.1:1", s3AccessKey: "AKIA-CLI", s3SecretKey: "cli-secret-value" }));
    const f = await cli(["test", "--config", bad]);
    expect(f.code).toBe(1);
    expect(f.text).toMatch(/^FAIL Connection: Cannot reach the warehouse s3:\/\/b\/w/);
    expect(f.text).not.toContain("cli-secret-value");
  });

  it("create, write with per-record errors, scan, describe, snapshots, tables", async () => {
    expect((await cli(["create", "--config", conn, "shop.orders", "--table", join(dir, "orders.json")])).text).toBe("created shop.orders\n");
    expect(await cli(["create", "--config", conn, "shop.orders", "--table", join(dir, "orders.json")])).toEqual({ code: 0, text: "shop.orders exists and matches\n" });
    const w = await cli(["write", "--config", conn, "shop.orders", "--events", join(dir, "events.ndjson")]);
    expect(w.code).toBe(3);
    expect(w.text).toContain("read 10 events: 3 inserted, 1 updated, 1 deleted, 5 refused");
    expect(w.text).toMatch(/line 3: PAIMON_MALFORMED_JSON: the line is not valid JSON/);
    expect(w.text).toMatch(/line 4: PAIMON_VALUE_CONVERSION_FAILED: table shop\.orders: after image: field=amount, target=DECIMAL\(10, 2\), source=string, rule=invalid-number/);
    expect(w.text).toMatch(/line 6: PAIMON_UNKNOWN_FIELD: .*not columns: color/);
    expect(w.text).toMatch(/line 8: PAIMON_NULL_PRIMARY_KEY/);
    expect(w.text).toMatch(/line 9: .*rule=decimal-overflow/);
    expect(w.text).not.toContain("99999999999.99");
    const rows = ndjson((await cli(["scan", "--config", conn, "shop.orders"])).text).sort((a, b) => Number(a.id) - Number(b.id));
    expect(rows).toEqual([
      { id: "1", dt: "2024-01-01", amount: "11.50", tags: null },
      { id: "6", dt: "2024-01-03", amount: "6.00", tags: null },
    ]);
    const d = JSON.parse((await cli(["describe", "--config", conn, "shop.orders"])).text);
    expect(d.schema.partitionKeys).toEqual(["dt"]);
    expect(d.schema.options).toMatchObject({ bucket: "2", "snapshot.num-retained.max": "100" });
    const snaps = ndjson((await cli(["snapshots", "--config", conn, "shop.orders", "--json"])).text);
    expect(snaps.length).toBeGreaterThanOrEqual(1);
    expect(new Set(snaps.map((s) => s.commitUser)).size).toBe(1);
    expect((await cli(["snapshots", "--config", conn, "shop.orders"])).text.split("\n")[0]).toBe("id\tkind\ttime\tschema\trecords\tdelta\tcommit user\tidentifier");
    expect((await cli(["tables", "--config", conn])).text).toBe("shop.orders\t4 columns\tprimary key [id, dt]\tpartition keys [dt]\n");
    // a rerun resumes after the last committed line: nothing is written twice
    const again = await cli(["write", "--config", conn, "shop.orders", "--events", join(dir, "events.ndjson")]);
    expect(again.text).toContain("resumed after line 10 (already committed)");
    expect(again.text).toContain("read 0 events");
    const state = Object.values(JSON.parse(readFileSync(join(dir, "events.ndjson.state.json"), "utf8"))) as string[];
    expect(state.map((v) => JSON.parse(v))).toEqual([{ version: 1, commitUser: expect.stringMatching(/^paimon-ts-/), nextIdentifier: "2", committedOffset: 10 }]);
  });

  it("compact, expire, clear, drop", async () => {
    // shop.orders has deletion vectors (the default): its one commit was an APPEND and a
    // COMPACT snapshot that left each partition one file at the top level, the deletes of
    // that commit dropped — nothing to compact, and compact says so without a snapshot
    let d = await described("shop.orders");
    expect(d.schema.options["deletion-vectors.enabled"]).toBe("true");
    expect(d.snapshots.map((x) => x.commitKind)).toEqual(["APPEND", "COMPACT"]);
    expect(d.liveFiles.map((f) => [f.partition.dt, f.level, f.rowCount])).toEqual([["2024-01-01", 5, 1], ["2024-01-03", 5, 1]]);
    expect(d.indexFiles).toEqual([]);
    expect(await cli(["compact", "--config", conn, "shop.orders"])).toEqual({ code: 0, text: "shop.orders: nothing to compact\n" });
    expect((await described("shop.orders")).snapshots).toHaveLength(2);
    // a delete marks id 6 in its top-level file: the data is one run per bucket with a
    // deleted row, and compact rewrites that file without it
    writeFileSync(join(dir, "delete.ndjson"), JSON.stringify({ type: "delete", before: { id: "6", dt: "2024-01-03" } }) + "\n");
    expect((await cli(["write", "--config", conn, "shop.orders", "--events", join(dir, "delete.ndjson")])).text).toContain("read 1 events: 0 inserted, 0 updated, 1 deleted, 0 refused");
    const files = d.liveFiles.map((f) => f.fileName);
    d = await described("shop.orders");
    expect(d.snapshots.map((x) => x.commitKind)).toEqual(["APPEND", "COMPACT", "APPEND", "COMPACT"]);
    expect(d.liveFiles.map((f) => [f.fileName, f.level])).toEqual(files.map((f) => [f, 5]));
    expect(d.indexFiles.flatMap((f) => f.deletionVectors ?? [])).toEqual([{ dataFile: files[1], deletedRows: 1 }]);
    expect(await cli(["compact", "--config", conn, "shop.orders"])).toEqual({ code: 0, text: "compacted shop.orders: snapshot 5\n" });
    d = await described("shop.orders");
    expect(d.snapshots.map((x) => x.commitKind)).toEqual(["APPEND", "COMPACT", "APPEND", "COMPACT", "COMPACT"]);
    expect(d.liveFiles.map((f) => [f.fileName, f.level])).toEqual([[files[0], 5]]);
    expect(d.indexFiles.flatMap((f) => f.deletionVectors ?? [])).toEqual([]);
    expect(await cli(["compact", "--config", conn, "shop.orders"])).toEqual({ code: 0, text: "shop.orders: nothing to compact\n" });

    const before = ndjson((await cli(["snapshots", "--config", conn, "shop.orders", "--json"])).text).length;
    const e = await cli(["expire", "--config", conn, "shop.orders", "--retain-max", "1", "--retain-min", "1", "--older-than-ms", "0"]);
    expect(e.text).toMatch(new RegExp(`^shop\\.orders: expired snapshots 1\\.\\.${before - 1} \\(${before - 1}\\)`));
    expect(ndjson((await cli(["scan", "--config", conn, "shop.orders"])).text)).toEqual([{ id: "1", dt: "2024-01-01", amount: "11.50", tags: null }]);
    expect((await cli(["clear", "--config", conn, "shop.orders"])).text).toBe("cleared shop.orders\n");
    expect((await cli(["scan", "--config", conn, "shop.orders"])).text).toBe("");
    expect((await cli(["drop", "--config", conn, "shop.orders"])).text).toBe("dropped shop.orders\n");
    expect((await cli(["tables", "--config", conn])).text).not.toContain("shop.orders");
    await expect(cli(["clear", "--config", conn, "shop.orders"])).rejects.toThrow(/shop\.orders does not exist/);
  });

  it("compact on a merge-on-read table (deletionVectors false) merges the level-0 files of its commits", async () => {
    const mor = join(dir, "mor.json");
    writeFileSync(mor, JSON.stringify({ warehouse: "wh", storageType: "local", database: "shop", bucketMode: "fixed", bucketCount: 1, batchAccumulationSize: 0, commitIntervalMs: 0, deletionVectors: false }));
    writeFileSync(join(dir, "kv.json"), JSON.stringify({ fields: [{ name: "k", dataType: "INT", nullable: false, primaryKeyPos: 1 }, { name: "v", dataType: "STRING" }] }));
    expect((await cli(["create", "--config", mor, "shop.kv", "--table", join(dir, "kv.json")])).text).toBe("created shop.kv\n");
    writeFileSync(join(dir, "kv.ndjson"), [{ type: "insert", after: { k: 1, v: "a" } }, { type: "insert", after: { k: 2, v: "b" } }, { type: "update", before: { k: 1, v: "a" }, after: { k: 1, v: "c" } }, { type: "delete", before: { k: 2 } }].map((x) => JSON.stringify(x)).join("\n") + "\n");
    // --batch 1: one commit per event, one level-0 file each
    expect((await cli(["write", "--config", mor, "shop.kv", "--events", join(dir, "kv.ndjson"), "--batch", "1"])).text).toContain("read 4 events: 2 inserted, 1 updated, 1 deleted, 0 refused");
    let d = await described("shop.kv");
    expect(d.schema.options["deletion-vectors.enabled"]).toBeUndefined();
    expect(d.snapshots.map((x) => x.commitKind)).toEqual(["APPEND", "APPEND", "APPEND", "APPEND"]);
    expect(d.liveFiles.map((f) => f.level)).toEqual([0, 0, 0, 0]);
    expect(await cli(["compact", "--config", mor, "shop.kv"])).toEqual({ code: 0, text: "compacted shop.kv: snapshot 5\n" });
    d = await described("shop.kv");
    expect(d.liveFiles.map((f) => [f.level, f.rowCount])).toEqual([[5, 1]]);
    expect(await cli(["compact", "--config", mor, "shop.kv"])).toEqual({ code: 0, text: "shop.kv: nothing to compact\n" });
    expect(ndjson((await cli(["scan", "--config", mor, "shop.kv"])).text)).toEqual([{ k: 1, v: "c" }]);
  });

  it("reports an existing table that differs (exit 3)", async () => {
    await cli(["create", "--config", conn, "shop.items", "--table", join(dir, "orders.json")]);
    writeFileSync(join(dir, "other.json"), JSON.stringify({ fields: [{ name: "id", dataType: "INT", primaryKeyPos: 1 }] }));
    const r = await cli(["create", "--config", conn, "shop.items", "--table", join(dir, "other.json")]);
    expect(r.code).toBe(3);
    expect(r.text).toContain("shop.items exists and differs (left unchanged):\n  - column id is BIGINT in the table, INT in the source\n");
  });

  it("explains usage and configuration mistakes", async () => {
    await expect(cli(["write", "--config", conn])).rejects.toThrow(/usage: paimon-ts write/);
    await expect(cli(["create", "--config", conn, "noDot", "--table", "x"])).rejects.toThrow(/expected <database>\.<table>/);
    await expect(cli(["tables"])).rejects.toThrow(/usage: paimon-ts tables --config CONN\.json \| --warehouse W/);
    const bad = join(dir, "tables-bad.json");
    writeFileSync(bad, JSON.stringify({ warehouse: "wh", tables: { t: { batchAccumulationSize: 1 } } }));
    await expect(cli(["tables", "--config", bad])).rejects.toThrow(/tables\.t\.batchAccumulationSize is not a per-table setting/);
  });
});
