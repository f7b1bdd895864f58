/** The JSON-lines host: every connector method over stdin/stdout, with state and offset notifications. */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { serve } from "../src/index.js";
import { ourRows, tempWarehouse } from "./helpers.js";

interface Msg {
  id?: number | null;
  ok?: boolean;
  result?: unknown;
  error?: { name: string; message: string };
  event?: string;
  [k: string]: unknown;
}

class Client {
  readonly input = new PassThrough();
  readonly output = new PassThrough();
  readonly messages: Msg[] = [];
  private buf = "";
  private next = 1;
  private waiters = new Map<number, (m: Msg) => void>();
  readonly done: Promise<void>;

  constructor(stateFile?: string) {
    this.output.on("data", (d: Buffer) => {
      this.buf += d.toString();
      let i: number;
      while ((i = this.buf.indexOf("\n")) >= 0) {
        const line = this.buf.slice(0, i);
        this.buf = this.buf.slice(i + 1);
        const m = JSON.parse(line) as Msg;
        this.messages.push(m);
        if (typeof m.id === "number" && m.ok !== undefined) this.waiters.get(m.id)?.(m);
      }
    });
    this.done = serve({ input: this.input, output: this.output, stateFile });
  }

  send(line: string): void {
    this.input.write(line + "\n");
  }

  call(method: string, params: Record<string, unknown> = {}): Promise<Msg> {
    const id = this.next++;
    return new Promise((resolve) => {
      this.waiters.set(id, resolve);
      this.send(JSON.stringify({ id, method, params }));
    });
  }

  async ok(method: string, params: Record<string, unknown> = {}): Promise<unknown> {
    const m = await this.call(method, params);
    if (!m.ok) throw new Error(`${method}: ${m.error?.message}`);
    return m.result;
  }

  async close(): Promise<void> {
    this.input.end();
    await this.done;
  }
}

const TABLE = {
  id: "orders",
  nameFieldMap: {
    id: { name: "id", dataType: "BIGINT", primaryKeyPos: 1 },
    amount: { name: "amount", dataType: "DECIMAL(10,2)" },
    at: { name: "at", dataType: "TIMESTAMP(3)" },
  },
};

describe("paimon-ts serve protocol", () => {
  it("drives the connector: test, create, write with errors, read, stream, DDL, flush", async () => {
    const wh = tempWarehouse();
    const stateFile = join(wh, "state.json");
    const c = new Client(stateFile);
    const conn = { warehouse: wh, database: "db" };
    expect(await c.ok("ping")).toBe("pong");
    const spec = (await c.ok("spec")) as { configOptions: { connection: { properties: Record<string, unknown> } } };
    expect(Object.keys(spec.configOptions.connection.properties)).toContain("hdfsHttpPort");
    const test = (await c.ok("connectionTest", { connectionConfig: conn })) as { items: { item: string; result: number }[] };
    expect(test.items.map((i) => [i.item, i.result])).toEqual([["Connection", 1], ["Login", 1], ["Write", 1], ["Database", 1]]);
    await c.ok("init", { connectionConfig: conn, nodeConfig: { batchAccumulationSize: 2, commitIntervalMs: 0 } });
    expect(await c.ok("createTableV2", { table: TABLE })).toEqual({ tableExists: false });
    const w = (await c.ok("writeRecord", {
      tableId: "orders",
      events: [
        { type: "insert", after: { id: "1", amount: "1.50", at: "2024-01-01T00:00:00.000" }, info: { streamOffset: 1 } },
        { type: 300, after: { id: "2", amount: "oops" }, info: { streamOffset: 2 } },
        { type: "insert", after: { id: "3", amount: "3.00" }, info: { streamOffset: 3 } },
      ],
    })) as { insertedCount: number; errors: { index: number; code: string; message: string }[]; commits: unknown[] };
    expect(w.insertedCount).toBe(2);
    expect(w.errors).toEqual([{ index: 1, code: "PAIMON_VALUE_CONVERSION_FAILED", message: expect.stringMatching(/field=amount, target=DECIMAL\(10, 2\), source=string, rule=invalid-number/) }]);
    expect(w.commits).toHaveLength(1);
    const state = JSON.parse(readFileSync(stateFile, "utf8"));
    expect(Object.values(state).map((v) => JSON.parse(v as string).committedOffset)).toEqual([3]);
    expect(c.messages.some((m) => m.event === "state")).toBe(true);
    expect(await c.ok("committedOffset", { tableId: "orders" })).toBe(3);
    expect(await c.ok("batchCount", { tableId: "orders" })).toBe(2);
    const read = (await c.ok("batchRead", { tableId: "orders", batchSize: 1 })) as { rows: number };
    expect(read.rows).toBe(2);
    const batches = c.messages.filter((m) => m.event === "batch");
    expect(batches.map((b) => (b.events as { after: { id: string } }[])[0].after.id).sort()).toEqual(["1", "3"]);

    // stream: runs alongside other requests until stopStreamRead
    const stream = c.call("streamRead", { tables: ["orders"], recordSize: 10, pollIntervalMs: 20 });
    await c.ok("newField", { tableId: "orders", newFields: [{ name: "note", dataType: "STRING" }] });
    await c.ok("writeRecord", { tableId: "orders", events: [{ type: "update", after: { id: "1", amount: "9.99", at: null, note: "n" } }, { type: "delete", before: { id: "3" } }] });
    const until = Date.now() + 5000;
    while (!c.messages.some((m) => m.event === "stream") && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    await c.ok("stopStreamRead");
    const s = await stream;
    expect(s.ok).toBe(true);
    const streamed = c.messages.filter((m) => m.event === "stream").flatMap((m) => m.events as { type: number }[]);
    expect(streamed.map((e) => e.type).sort()).toEqual([301, 302]);
    expect(c.messages.some((m) => m.event === "streamStarted")).toBe(true);

    // protocol errors are answered, not fatal
    c.send("{not json");
    const unknown = await c.call("frobnicate");
    expect(unknown.ok).toBe(false);
    expect(unknown.error!.message).toMatch(/unknown method 'frobnicate'/);
    const bad = await c.call("writeRecord", { tableId: "missing", events: [] });
    expect(bad.error!.message).toMatch(/table db\.missing does not exist/);
    expect(c.messages.some((m) => m.id === null && m.ok === false && /not a request/.test(m.error!.message))).toBe(true);
    await c.ok("flush");
    await c.close();
    expect(await ourRows(wh, "db.orders")).toEqual([{ id: "1", amount: "9.99", at: null, note: "n" }]);
    expect(c.messages.some((m) => m.event === "log" && /created table db\.orders/.test(m.message as string))).toBe(true);
    expect(existsSync(stateFile + ".tmp")).toBe(false);
  });

  it("resumes with the state file: replays of committed records are skipped", async () => {
    const wh = tempWarehouse();
    const stateFile = join(wh, "state.json");
    const conn = { warehouse: wh, database: "db" };
    const events = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => ({ type: "insert", after: { msg: `m${from + i}` }, info: { streamOffset: from + i } }));
    let c = new Client(stateFile);
    await c.ok("init", { connectionConfig: conn, nodeConfig: { batchAccumulationSize: 5 } });
    await c.ok("createTableV2", { table: { id: "log", nameFieldMap: { msg: { name: "msg", dataType: "STRING" } } } });
    await c.ok("writeRecord", { tableId: "log", events: events(1, 12) });
    await c.close();
    c = new Client(stateFile);
    await c.ok("init", { connectionConfig: conn, nodeConfig: { batchAccumulationSize: 5 } });
    expect(await c.ok("committedOffset", { tableId: "log" })).toBe(12);
    const r = (await c.ok("writeRecord", { tableId: "log", events: events(8, 20) })) as { skippedReplays: number; insertedCount: number };
    expect([r.skippedReplays, r.insertedCount]).toEqual([5, 8]);
    await c.close();
    expect((await ourRows(wh, "db.log")).map((x) => x.msg).sort()).toEqual(Array.from({ length: 20 }, (_, i) => `m${i + 1}`).sort());
  });

  it("acknowledges heartbeats with flushOffset notifications after commits", async () => {
    const wh = tempWarehouse();
    const c = new Client();
    await c.ok("init", { connectionConfig: { warehouse: wh, database: "db" }, nodeConfig: { batchAccumulationSize: 100, commitIntervalMs: 0 } });
    await c.ok("createTableV2", { table: { id: "t", nameFieldMap: { id: { name: "id", dataType: "INT", primaryKeyPos: 1 } } } });
    await c.ok("writeRecord", { tableId: "t", events: [{ type: "insert", after: { id: 1 } }] });
    await c.ok("processControl", { event: { type: 501, referenceTime: 9, info: { syncStage: "CDC", streamOffset: "binlog.000001:42", sourceTime: 8, nodeIds: ["src"] } } });
    expect(c.messages.filter((m) => m.event === "flushOffset")).toEqual([]);
    await c.ok("flush");
    expect(c.messages.filter((m) => m.event === "flushOffset").map((m) => m.offset)).toEqual([{ streamOffset: "binlog.000001:42", syncStage: "CDC", sourceTime: 8, nodeIds: ["src"], eventTime: 9 }]);
    await c.close();
  });
});
