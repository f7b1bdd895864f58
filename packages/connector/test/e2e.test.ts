/**
 * A whole life of the connector, checked by the real Paimon implementations after every
 * step: connection test; create a fixed-bucket and a dynamic-bucket partitioned table;
 * initial sync of 100,000 rows each (in bounded snapshots); CDC updates (some moving a row
 * to another partition), deletes and inserts; DDL add and rename column; clear; more
 * writes; drop. After each step Java Paimon 1.4.2 and pypaimon 2.1.0 read each table, and
 * both must equal the model this test keeps (and so must our own reader). The fixed-bucket
 * table has the default (deletion vectors on), the dynamic-bucket one opts out
 * (merge-on-read), so the whole life runs in both modes. A second test does the same for
 * deletion-vector tables of both bucket modes next to a merge-on-read one, down to the
 * deletion-vector index files.
 */
import { openOracle, rowMultiset, type Description, type Oracle } from "@paimon-ts/oracle";
import { TestResult, type TestItem } from "../src/index.js";
import { createTable, ctx, loadTable, ourRows, startConnector, tapTable, tempWarehouse, type Started } from "./helpers.js";

jest.setTimeout(900_000);

const java = openOracle("java");
const py = openOracle("python");
afterAll(async () => {
  await java?.close();
  await py?.close();
});

const ROWS = 100_000;
const TABLES = ["orders_fixed", "orders_dynamic"] as const;
/** The fixed-bucket table takes the default (deletion vectors on), the dynamic one opts out. */
const dvOn = (t: string) => t === "orders_fixed";
type Row = Record<string, unknown>;

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

const REGIONS = ["eu", "us", "apac", "latam"];
const pad = (n: number, w = 2) => String(n).padStart(w, "0");

class Model {
  readonly rows = new Map<string, Row>();
  constructor(private readonly random: () => number) {}
  key(r: Row): string {
    return `${r.region}|${r.id}`;
  }
  pick<T>(a: readonly T[]): T {
    return a[Math.floor(this.random() * a.length)];
  }
  row(id: number, extra: Row = {}): Row {
    const r = this.random;
    const ms = Date.UTC(2024, 0, 1) + Math.floor(r() * 86400_000 * 365);
    const d = new Date(ms);
    return {
      region: this.pick(REGIONS),
      id: String(id),
      customer: `customer-${Math.floor(r() * 5000)}`,
      amount: `${Math.floor(r() * 1e7)}.${pad(Math.floor(r() * 100))}`,
      qty: Math.floor(r() * 1000) - 100,
      price: Math.round(r() * 1e6) / 64,
      created: `${d.toISOString().slice(0, 19)}.${pad(Math.floor(r() * 1e6), 6)}`,
      day: d.toISOString().slice(0, 10),
      flag: r() < 0.5,
      payload: Buffer.from([Math.floor(r() * 256), Math.floor(r() * 256)]).toString("base64"),
      ...extra,
    };
  }
}

const timing = process.env.E2E_TIMING === "1";
const mark = (what: string, t0: number) => timing && process.stderr.write(`${what}: ${Date.now() - t0} ms\n`);

async function checkAll(s: Started, wh: string, table: string, model: Model, oracles: Oracle[]): Promise<void> {
  let t0 = Date.now();
  await s.connector.flush();
  mark("flush", t0);
  t0 = Date.now();
  const want = rowMultiset([...model.rows.values()]);
  // our own reader is checked against the fixtures elsewhere; here it joins on small tables
  if (model.rows.size <= 5000) expect(rowMultiset(await ourRows(wh, `db.${table}`))).toEqual(want);
  mark(`ours ${model.rows.size}`, t0);
  // the two oracles are separate processes: read in parallel
  t0 = Date.now();
  const results = await Promise.all(oracles.map((o) => o.readTable(wh, `db.${table}`)));
  mark("oracle reads", t0);
  oracles.forEach((o, i) => {
    expect({ oracle: o.name, table, rows: results[i].rows.length }).toEqual({ oracle: o.name, table, rows: model.rows.size });
    expect(rowMultiset(results[i].rows)).toEqual(want);
  });
}

(java && py ? describe : describe.skip)("the connector's whole life, read back by Java Paimon and pypaimon", () => {
  it("connection test, create, 100k initial sync, CDC, DDL, clear, more writes, drop", async () => {
    const oracles = [java!, py!];
    const wh = tempWarehouse("connector-e2e-");

    // 1. connection test
    const items: TestItem[] = [];
    const { PaimonConnector } = await import("../src/index.js");
    await new PaimonConnector().connectionTest({ connectionConfig: { warehouse: wh, database: "db" } }, (i) => items.push(i));
    expect(items.map((i) => [i.item, i.result])).toEqual([["Connection", TestResult.SUCCESSFULLY], ["Login", TestResult.SUCCESSFULLY], ["Write", TestResult.SUCCESSFULLY], ["Database", TestResult.SUCCESSFULLY]]);

    // 2. create: fixed buckets and dynamic buckets, both partitioned by region
    const s = await startConnector(
      wh,
      { batchAccumulationSize: 30_000, commitIntervalMs: 0, partitionKey: ["region"] },
      { tableNodeConfig: { orders_fixed: { bucketMode: "fixed", bucketCount: 4 }, orders_dynamic: { bucketMode: "dynamic", deletionVectors: false, tableProperties: [{ propKey: "dynamic-bucket.target-row-num", propValue: "20000" }] } } },
    );
    const columns = { region: "STRING", id: "BIGINT", customer: "VARCHAR(40)", amount: "DECIMAL(12,2)", qty: "INT", price: "DOUBLE", created: "TIMESTAMP(6)", day: "DATE", flag: "BOOLEAN", payload: "BYTES" };
    const models = new Map<string, Model>();
    for (const [i, t] of TABLES.entries()) {
      expect(await createTable(s.connector, tapTable(t, columns, ["region", "id"]))).toEqual({ tableExists: false });
      models.set(t, new Model(rng(1000 + i)));
      const d = await java!.describe(wh, `db.${t}`);
      expect(d.schema).toMatchObject({ primaryKeys: ["region", "id"], partitionKeys: ["region"] });
      expect((d.schema as { options: Record<string, string> }).options).toMatchObject({ bucket: t === "orders_fixed" ? "4" : "-1" });
      expect((d.schema as { options: Record<string, string> }).options["deletion-vectors.enabled"]).toBe(dvOn(t) ? "true" : undefined);
      await checkAll(s, wh, t, models.get(t)!, oracles);
    }

    // 3. initial sync: 100,000 rows per table, committed in chunks of 30,000
    for (const t of TABLES) {
      const m = models.get(t)!;
      for (let start = 1; start <= ROWS; start += 5000) {
        const events = [];
        for (let id = start; id < start + 5000 && id <= ROWS; id++) {
          const row = m.row(id);
          m.rows.set(m.key(row), row);
          events.push({ type: "insert", after: row, info: { SYNC_STAGE: "INITIAL_SYNC" } });
        }
        const r = await s.connector.writeRecord(ctx, events, t);
        expect(r.errorMap.size).toBe(0);
      }
      await s.connector.afterInitialSync(ctx, t);
      const table = await loadTable(wh, `db.${t}`);
      const snaps = await Promise.all((await table.snapshots.listIds()).map((id) => table.snapshots.snapshot(id)));
      expect(snaps.filter((x) => x.commitKind === "APPEND").map((x) => Number(x.deltaRecordCount))).toEqual([30_000, 30_000, 30_000, 10_000]);
      // merge-on-write compacts level 0 away after every commit, merge-on-read not this early
      expect(snaps.map((x) => x.commitKind)).toEqual(dvOn(t) ? Array<string[]>(4).fill(["APPEND", "COMPACT"]).flat() : Array<string>(4).fill("APPEND"));
      await checkAll(s, wh, t, m, oracles);
    }
    const dyn = await java!.describe(wh, "db.orders_dynamic");
    expect(new Set(dyn.liveFiles.map((f) => f.bucket)).size).toBeGreaterThan(1); // dynamic buckets grew

    // 4. CDC: updates (some moving rows to another partition), deletes, inserts
    for (const t of TABLES) {
      const m = models.get(t)!;
      const keys = [...m.rows.keys()];
      const events = [];
      for (let i = 0; i < 5000; i++) {
        const before = m.rows.get(m.pick(keys));
        if (!before) continue;
        const move = i % 10 === 0;
        const after = { ...before, qty: (before.qty as number) + 1, amount: "1.00", region: move ? REGIONS[(REGIONS.indexOf(before.region as string) + 1) % REGIONS.length] : before.region };
        if (move && m.rows.has(m.key(after))) continue;
        m.rows.delete(m.key(before));
        m.rows.set(m.key(after), after);
        events.push({ type: "update", before, after, info: { SYNC_STAGE: "CDC" } });
      }
      for (let i = 0; i < 2000; i++) {
        const k = m.pick(keys);
        const before = m.rows.get(k);
        if (!before) continue;
        m.rows.delete(k);
        events.push({ type: "delete", before: { region: before.region, id: before.id }, info: { SYNC_STAGE: "CDC" } });
      }
      for (let id = ROWS + 1; id <= ROWS + 1000; id++) {
        const row = m.row(id);
        m.rows.set(m.key(row), row);
        events.push({ type: "insert", after: row, info: { SYNC_STAGE: "CDC" } });
      }
      const r = await s.connector.writeRecord(ctx, events, t);
      expect(r.errorMap.size).toBe(0);
      await checkAll(s, wh, t, m, oracles);
    }

    // 5. DDL: add a column, write it, rename a column, write under the new name
    for (const t of TABLES) {
      const m = models.get(t)!;
      await s.connector.newField(ctx, { type: 209, tableId: t, newFields: [{ name: "note", dataType: "STRING" }] });
      for (const r of m.rows.values()) r.note = null;
      const some = [...m.rows.values()].slice(0, 300);
      await s.connector.writeRecord(ctx, some.map((before) => {
        const after = { ...before, note: `note-${before.id}` };
        m.rows.set(m.key(after), after);
        return { type: "update", before, after };
      }), t);
      await checkAll(s, wh, t, m, oracles);

      await s.connector.alterFieldName(ctx, { type: 202, tableId: t, nameChange: { before: "customer", after: "client" } });
      for (const r of m.rows.values()) {
        r.client = r.customer;
        delete r.customer;
      }
      const more = [...m.rows.values()].slice(300, 600);
      const r = await s.connector.writeRecord(ctx, more.map((before) => {
        const after = { ...before, client: `renamed-${before.id}` };
        m.rows.set(m.key(after), after);
        return { type: "update", before, after };
      }), t);
      expect(r.errorMap.size).toBe(0);
      await checkAll(s, wh, t, m, oracles);
    }

    // 6. clear: one TRUNCATE snapshot
    for (const t of TABLES) {
      const m = models.get(t)!;
      await s.connector.clearTable(ctx, { type: 205, tableId: t });
      m.rows.clear();
      await checkAll(s, wh, t, m, oracles);
    }

    // 7. more writes after the clear
    for (const t of TABLES) {
      const m = models.get(t)!;
      const events = [];
      for (let id = 1; id <= 2000; id++) {
        const row: Row = { ...m.row(id), note: id % 2 ? "again" : null };
        row.client = row.customer;
        delete row.customer;
        m.rows.set(m.key(row), row);
        events.push({ type: "insert", after: row });
      }
      for (const [k, before] of [...m.rows].slice(0, 100)) {
        m.rows.delete(k);
        events.push({ type: "delete", before });
      }
      expect((await s.connector.writeRecord(ctx, events, t)).errorMap.size).toBe(0);
      await checkAll(s, wh, t, m, oracles);
    }

    // 8. drop
    for (const t of TABLES) {
      await s.connector.dropTable(ctx, { type: 208, tableId: t });
      expect(await s.connector.catalog.tableExists({ database: "db", table: t })).toBe(false);
      await expect(java!.readTable(wh, `db.${t}`)).rejects.toThrow();
      await expect(py!.readTable(wh, `db.${t}`)).rejects.toThrow();
    }
    await s.connector.stop();
    expect(Object.keys(s.state.toJSON())).toEqual([]);
  });

  it("deletion-vector tables (deletionVectors on, the default): CDC read identically, deletions in DV index files", async () => {
    const oracles = [java!, py!];
    const wh = tempWarehouse("connector-e2e-dv-");
    const dvTables = ["dv_fixed", "dv_dynamic", "mor"] as const;
    // the default makes the first two; the third opts out per table
    const s = await startConnector(
      wh,
      { batchAccumulationSize: 0, commitIntervalMs: 0 },
      { tableNodeConfig: { dv_fixed: { bucketMode: "fixed", bucketCount: 2, partitionKey: ["region"] }, dv_dynamic: { bucketMode: "dynamic" }, mor: { deletionVectors: false } } },
    );
    const columns = { region: "STRING", id: "BIGINT", customer: "VARCHAR(40)", amount: "DECIMAL(12,2)", qty: "INT", price: "DOUBLE", created: "TIMESTAMP(6)", day: "DATE", flag: "BOOLEAN", payload: "BYTES" };
    const models = new Map<string, Model>();
    for (const [i, t] of dvTables.entries()) {
      expect(await createTable(s.connector, tapTable(t, columns, ["region", "id"]))).toEqual({ tableExists: false });
      models.set(t, new Model(rng(2000 + i)));
      const d = await java!.describe(wh, `db.${t}`);
      expect((d.schema as { options: Record<string, string> }).options["deletion-vectors.enabled"]).toBe(t === "mor" ? undefined : "true");
    }
    for (const t of dvTables) {
      const m = models.get(t)!;
      // three commits: a load, then two rounds of updates, deletes and inserts on it
      for (let round = 0; round < 3; round++) {
        const events = [];
        if (round === 0) {
          for (let id = 1; id <= 3000; id++) {
            const row = m.row(id);
            m.rows.set(m.key(row), row);
            events.push({ type: "insert", after: row });
          }
        } else {
          const keys = [...m.rows.keys()];
          for (let i = 0; i < 800; i++) {
            const before = m.rows.get(m.pick(keys));
            if (!before) continue;
            const after = { ...before, qty: (before.qty as number) + round, amount: `${round}.50` };
            m.rows.set(m.key(after), after);
            events.push({ type: "update", before, after });
          }
          for (let i = 0; i < 300; i++) {
            const k = m.pick(keys);
            const before = m.rows.get(k);
            if (!before) continue;
            m.rows.delete(k);
            events.push({ type: "delete", before: { region: before.region, id: before.id } });
          }
          for (let id = 3000 + round * 1000; id < 3200 + round * 1000; id++) {
            const row = m.row(id);
            m.rows.set(m.key(row), row);
            events.push({ type: "insert", after: row });
          }
        }
        expect((await s.connector.writeRecord(ctx, events, t)).errorMap.size).toBe(0);
        await checkAll(s, wh, t, m, oracles);
        expect(rowMultiset(await ourRows(wh, `db.${t}`))).toEqual(rowMultiset([...m.rows.values()]));
      }
      const d = await java!.describe(wh, `db.${t}`);
      const dvFiles = d.indexFiles.filter((f) => f.indexType === "DELETION_VECTORS");
      if (t === "mor") {
        expect(dvFiles).toEqual([]);
        continue;
      }
      // merge-on-write: nothing stays at level 0, and replaced rows are marked in DV index files
      expect(d.liveFiles.filter((f) => f.level === 0)).toEqual([]);
      expect(dvFiles.length).toBeGreaterThan(0);
      expect(liveRowsOf(d)).toBe(m.rows.size);
      const live = new Set(d.liveFiles.map((f) => f.fileName));
      for (const f of dvFiles) for (const name of Object.keys(f.dvRanges ?? {})) expect(live.has(name)).toBe(true);
      if (t === "dv_fixed") expect(new Set(d.liveFiles.map((f) => f.bucket))).toEqual(new Set([0, 1]));
      else expect(d.indexFiles.some((f) => f.indexType === "HASH")).toBe(true); // the dynamic bucket index, beside the DVs
    }

    // Java Paimon itself refuses what the connector refuses: first-row with deletion vectors
    await expect(
      java!.write({
        warehouse: wh,
        table: "db.first_row_dv",
        create: { fields: [{ name: "id", type: "BIGINT NOT NULL" }], primaryKeys: ["id"], options: { bucket: "1", "merge-engine": "first-row", "deletion-vectors.enabled": "true" } },
        commits: [{ rows: [{ kind: "+I", row: { id: "1" } }] }],
      }),
    ).rejects.toThrow(/first.row|deletion/i);
    await expect(createTable(s.connector, tapTable("first_row_dv", { id: "BIGINT" }, ["id"], { options: { "merge-engine": "first-row", "deletion-vectors.enabled": "true" } }))).rejects.toThrow(/cannot be combined/);
    await s.connector.stop();
  });
});

/** Live rows of the latest snapshot: row counts minus the deletion vectors' cardinalities. */
function liveRowsOf(d: Description): number {
  let n = 0;
  for (const f of d.liveFiles) n += Number(f.rowCount);
  for (const f of d.indexFiles) {
    if (f.indexType !== "DELETION_VECTORS") continue;
    for (const r of Object.values(f.dvRanges ?? {})) n -= Number((r as { cardinality: number }).cardinality);
  }
  return n;
}
