/**
 * The demo job: a CDC stream through the Tapdata connector into a local warehouse.
 *
 * 1. connection test of the embedded configuration (local storage);
 * 2. createTable `demo.orders`: primary key (region, order_id), partitioned by region,
 *    4 fixed buckets;
 * 3. initial load of N generated orders (INITIAL_SYNC, committed in bounded chunks);
 * 4. CDC: status and amount updates, deletes, a new column `discount` (schema
 *    evolution), updates that fill it, and new orders;
 * 5. the table is read back and compared with the model the generator kept, then a
 *    summary (rows, table mode, snapshots, files, events/s) and a sample of the table are
 *    printed. The table takes the connector's defaults, deletion vectors included (on:
 *    every commit is an APPEND and a COMPACT snapshot; `--deletion-vectors false` makes a
 *    merge-on-read table).
 */
import { PaimonConnector, lineLog, type TapCallbackOffset } from "@paimon-ts/connector";
import { canonicalEncode, readTable, resultRows } from "@paimon-ts/paimon-core";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { flagString, parseArgs } from "./args.js";

/** The embedded CONN.json of the demo (the warehouse is filled in). */
export const DEMO_CONFIG = {
  storageType: "local",
  database: "demo",
  bucketMode: "fixed",
  bucketCount: 4,
  batchAccumulationSize: 20_000,
  commitIntervalMs: 0,
};

type Row = Record<string, unknown>;

/** mulberry32: a small deterministic PRNG, so every run generates the same stream. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const REGIONS = ["eu", "us", "apac"];
const STATUSES = ["new", "paid", "shipped", "delivered", "returned"];
const CUSTOMERS = ["Ada", "Grace", "Linus", "Margaret", "Ken", "Barbara", "Dennis", "Frances", "Alan", "Radia", "Tim", "Hedy"];

function pad(n: number, w = 2): string {
  return String(n).padStart(w, "0");
}

function timestamp(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)}`;
}

function money(cents: number): string {
  return `${Math.floor(cents / 100)}.${pad(cents % 100)}`;
}

function keyOf(r: Row): string {
  return `${r.region}/${r.order_id}`;
}

function table(rows: Row[], columns: string[]): string {
  const cell = (v: unknown) => (v === null || v === undefined ? "null" : String(v));
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  const line = (vals: string[]) => vals.map((v, i) => v.padEnd(widths[i])).join("  ").trimEnd();
  return [line(columns), line(widths.map((w) => "-".repeat(w))), ...rows.map((r) => line(columns.map((c) => cell(r[c]))))].join("\n") + "\n";
}

export async function demo(argv: string[], out: (s: string) => void): Promise<number> {
  const args = parseArgs(argv, ["verbose"]);
  const given = flagString(args, "warehouse");
  const warehouse = given ? resolve(given) : mkdtempSync(join(tmpdir(), "paimon-ts-demo-"));
  const rowsWanted = Number(flagString(args, "rows") ?? 50_000);
  if (!Number.isInteger(rowsWanted) || rowsWanted < 10) throw new Error("--rows needs an integer of at least 10");
  const random = rng(Number(flagString(args, "seed") ?? 42));
  const pick = <T>(a: readonly T[]) => a[Math.floor(random() * a.length)];
  const log = lineLog((l) => process.stderr.write(`demo: ${l}\n`), args.flags.has("verbose") ? "debug" : "warn");
  const started = Date.now();

  out(`paimon-ts demo: a CDC stream through the Tapdata connector into Apache Paimon\n`);
  out(`warehouse: ${warehouse}\n\n`);

  const dvFlag = flagString(args, "deletion-vectors");
  if (dvFlag !== undefined && dvFlag !== "true" && dvFlag !== "false") throw new Error("--deletion-vectors needs true or false");
  const conn = { ...DEMO_CONFIG, ...(dvFlag !== undefined ? { deletionVectors: dvFlag === "true" } : {}), warehouse };
  const connector = new PaimonConnector({ recordEncoding: "canonical" });
  out(`1. connection test\n`);
  let ok = true;
  await connector.connectionTest({ connectionConfig: conn }, (i) => {
    ok &&= i.result !== 10;
    out(`   ${i.result === 10 ? "FAIL" : "ok  "} ${i.item}: ${i.information}\n`);
  });
  if (!ok) return 1;

  const acked: TapCallbackOffset[] = [];
  const { storageType: _s, database: _d, warehouse: _w, ...node } = conn;
  await connector.init({ connectionConfig: conn, nodeConfig: node, log, flushOffsetCallback: (o) => acked.push(o) });
  let events = 0;
  const t0 = Date.now();
  try {
    out(`\n2. create table demo.orders\n`);
    const created = await connector.createTableV2(
      { connectionConfig: {} },
      {
        type: 206,
        table: {
          id: "orders",
          nameFieldMap: {
            region: { name: "region", dataType: "STRING", primaryKeyPos: 1, nullable: false },
            order_id: { name: "order_id", dataType: "BIGINT", primaryKeyPos: 2, nullable: false },
            customer: { name: "customer", dataType: "STRING" },
            amount: { name: "amount", dataType: "DECIMAL(12,2)" },
            status: { name: "status", dataType: "STRING" },
            created_at: { name: "created_at", dataType: "TIMESTAMP(3)" },
          },
          partitionKeys: ["region"],
        },
      },
    );
    const dvOn = (await connector.catalog.getTable({ database: "demo", table: "orders" })).schema.options["deletion-vectors.enabled"] === "true";
    const mode = dvOn ? "deletion vectors on (merge-on-write)" : "deletion vectors off (merge-on-read)";
    out(created.tableExists ? `   exists already${created.differences?.length ? ` (differs: ${created.differences.join("; ")})` : ""}, ${mode}\n` : `   created: primary key (region, order_id), partitioned by region, 4 buckets, ${mode}\n`);

    const model = new Map<string, Row>();
    let refused = 0;
    const write = async (batch: Row[], stage: "INITIAL_SYNC" | "CDC") => {
      for (const e of batch) e.info = { SYNC_STAGE: stage };
      const r = await connector.writeRecord({ connectionConfig: {} }, batch, "orders");
      refused += r.errorMap.size;
      events += batch.length;
    };

    out(`\n3. initial load: ${rowsWanted} orders\n`);
    const base = Date.UTC(2024, 0, 1);
    let batch: Row[] = [];
    for (let i = 1; i <= rowsWanted; i++) {
      const row: Row = {
        region: pick(REGIONS),
        order_id: String(i),
        customer: pick(CUSTOMERS),
        amount: money(100 + Math.floor(random() * 100_000)),
        status: "new",
        created_at: timestamp(base + i * 60_000 + Math.floor(random() * 1000)),
      };
      model.set(keyOf(row), row);
      batch.push({ type: "insert", after: row });
      if (batch.length === 5000) {
        await write(batch, "INITIAL_SYNC");
        batch = [];
      }
    }
    await write(batch, "INITIAL_SYNC");
    await connector.afterInitialSync({ connectionConfig: {} }, "orders");
    out(`   committed in chunks of ${DEMO_CONFIG.batchAccumulationSize} rows\n`);

    const keys = () => [...model.keys()];
    const updates = Math.max(1, Math.floor(rowsWanted / 10));
    const deletes = Math.max(1, Math.floor(rowsWanted / 50));
    out(`\n4. CDC: ${updates} updates, ${deletes} deletes, new column discount, ${updates} more updates, ${Math.floor(rowsWanted / 20)} new orders\n`);
    batch = [];
    const all = keys();
    for (let i = 0; i < updates; i++) {
      const before = model.get(pick(all))!;
      const after = { ...before, status: pick(STATUSES), amount: money(100 + Math.floor(random() * 100_000)) };
      model.set(keyOf(after), after);
      batch.push({ type: "update", before, after });
    }
    for (let i = 0; i < deletes; i++) {
      const k = pick(all);
      const before = model.get(k);
      if (!before) continue;
      model.delete(k);
      batch.push({ type: "delete", before: { region: before.region, order_id: before.order_id } });
    }
    await write(batch, "CDC");

    await connector.newField({ connectionConfig: {} }, { type: 209, tableId: "orders", newFields: [{ name: "discount", dataType: "DECIMAL(5,2)" }] });
    for (const r of model.values()) r.discount = null;
    batch = [];
    const live = keys();
    for (let i = 0; i < updates; i++) {
      const before = model.get(pick(live))!;
      const after = { ...before, discount: money(Math.floor(random() * 2000)), status: pick(STATUSES) };
      model.set(keyOf(after), after);
      batch.push({ type: "update", before, after });
    }
    for (let i = 1; i <= Math.floor(rowsWanted / 20); i++) {
      const row: Row = {
        region: pick(REGIONS),
        order_id: String(rowsWanted + i),
        customer: pick(CUSTOMERS),
        amount: money(100 + Math.floor(random() * 100_000)),
        status: "new",
        created_at: timestamp(base + (rowsWanted + i) * 60_000),
        discount: null,
      };
      model.set(keyOf(row), row);
      batch.push({ type: "insert", after: row });
    }
    await write(batch, "CDC");
    await connector.flush();
    const stats = (await connector.stats())["demo.orders"];
    const seconds = (Date.now() - t0) / 1000;

    out(`\n5. read back and check\n`);
    const t = await connector.catalog.getTable({ database: "demo", table: "orders" });
    const r = await readTable(t);
    const rows = resultRows(r).map((row) => Object.fromEntries(r.fields.map((f, i) => [f.name, canonicalEncode(f.type, row[i])])));
    let mismatches = 0;
    for (const row of rows) {
      const want = model.get(keyOf(row));
      if (!want || Object.keys(want).some((k) => k !== "info" && want[k] !== row[k])) mismatches++;
    }
    const verified = mismatches === 0 && rows.length === model.size && refused === 0;
    out(verified ? `   verified: the table holds exactly the ${model.size} rows the stream produced\n` : `   MISMATCH: ${rows.length} rows read, ${model.size} expected, ${mismatches} differ, ${refused} refused\n`);

    const latest = await t.snapshots.latest();
    const files = latest ? await t.liveEntries(latest) : [];
    const bytes = files.reduce((s, e) => s + Number(e.file.fileSize), 0);
    const fileRows = files.reduce((s, e) => s + Number(e.file.rowCount), 0);
    // rows replaced or deleted since the files were written, until a compaction rewrites them
    const vectors = (latest ? await t.indexEntries(latest) : []).filter((e) => e.indexFile.indexType === "DELETION_VECTORS");
    const marked = vectors.reduce((s, e) => s + (e.indexFile.dvRanges ?? []).reduce((a, r) => a + Number(r.cardinality ?? 0n), 0), 0);
    const ids = await t.snapshots.listIds();
    const kinds = new Map<string, number>();
    for (const id of ids) {
      const k = (await t.snapshots.snapshot(id)).commitKind;
      kinds.set(k, (kinds.get(k) ?? 0) + 1);
    }
    out(`\nsummary\n`);
    out(`   events      ${events} (${rowsWanted} initial, ${events - rowsWanted} CDC) in ${seconds.toFixed(1)} s = ${Math.round(events / Math.max(seconds, 0.001))} events/s\n`);
    out(`   rows        ${rows.length} in demo.orders (schema ${t.schema.id}: ${t.schema.fields.map((f) => f.name).join(", ")})\n`);
    out(`   mode        ${dvOn ? `${mode}: each commit an APPEND and a COMPACT snapshot; ${marked} rows marked deleted in ${vectors.length} index files` : `${mode}: readers merge the sorted runs`}\n`);
    out(`   snapshots   ${ids.length} (${[...kinds].map(([k, n]) => `${n} ${k}`).join(", ")}; latest ${latest?.id ?? "-"}, ${stats?.commits ?? 0} commits by ${stats?.commitUser ?? "-"})\n`);
    out(`   data files  ${files.length} live, ${(bytes / 1024 / 1024).toFixed(2)} MiB, in ${new Set(files.map((f) => Buffer.from(f.partition).toString("hex"))).size} partitions, ${fileRows} rows${dvOn ? ` (${marked} marked deleted)` : ""}\n`);
    out(`   total time  ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    const sample = rows.sort((a, b) => Number(a.order_id) - Number(b.order_id)).slice(0, 8);
    out(`\nsample (first orders by id)\n`);
    out(table(sample, r.fields.map((f) => f.name)));
    out(`\nnext: pnpm -s paimon-ts scan --warehouse ${warehouse} demo.orders | head\n`);
    out(`      pnpm -s paimon-ts snapshots --warehouse ${warehouse} demo.orders\n`);
    return verified ? 0 : 1;
  } finally {
    await connector.stop();
  }
}
