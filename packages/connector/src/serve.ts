/**
 * The host process: the connector behind a JSON-lines protocol on stdin/stdout, so an
 * engine in another runtime (Tapdata's JVM) can drive it. The protocol is documented in
 * the package README ("serve protocol"); in short:
 *
 *   request       {"id": 1, "method": "writeRecord", "params": {...}}
 *   response      {"id": 1, "ok": true, "result": ...} | {"id": 1, "ok": false, "error": {"name", "message"}}
 *   notification  {"event": "log" | "state" | "flushOffset" | "batch" | "stream", ...}
 *
 * Requests run one at a time in arrival order, except `streamRead` and `batchRead`, which
 * run alongside and report their data as notifications tagged with their request id, and
 * `stopStreamRead`/`ping`, which answer at once.
 */
import { renameSync, writeFileSync, readFileSync, existsSync } from "node:fs";
import { createInterface } from "node:readline";
import type { Readable, Writable } from "node:stream";
import { PaimonConnector } from "./connector.js";
import { describeError } from "./errors.js";
import { MemoryKVMap, formatLog, type DataMap, type Log, type TapEvent } from "./pdk.js";
import type { RecordEncoding } from "./records.js";
import { SPEC } from "./spec.js";

export interface ServeOptions {
  input: Readable;
  output: Writable;
  /** Persist the task state here (atomically, after every change); loaded at start. */
  stateFile?: string;
  encoding?: RecordEncoding;
  /** Forward log lines as notifications at or above this level (default info). */
  logLevel?: "debug" | "info" | "warn" | "error";
  /** Also copy log lines here (e.g. stderr). */
  logSink?: (line: string) => void;
}

interface Request {
  id: number | string;
  method: string;
  params?: Record<string, unknown>;
}

function json(v: unknown): string {
  return JSON.stringify(v, (_k, x) => (typeof x === "bigint" ? x.toString() : x instanceof Uint8Array ? Buffer.from(x).toString("base64") : x instanceof Map ? Object.fromEntries(x) : x));
}

/** Reads a state file (a JSON object), or {} when absent. */
export function readStateFile(path: string): Record<string, unknown> {
  if (!existsSync(path)) return {};
  const text = readFileSync(path, "utf8");
  if (text.trim() === "") return {};
  const o = JSON.parse(text);
  if (o === null || typeof o !== "object" || Array.isArray(o)) throw new Error(`state file ${path} does not hold a JSON object`);
  return o as Record<string, unknown>;
}

/** Writes a state file atomically (temp file + rename). */
export function writeStateFile(path: string, state: Record<string, unknown>): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(state, null, 2) + "\n");
  renameSync(tmp, path);
}

export const SERVE_METHODS = [
  "ping",
  "spec",
  "capabilities",
  "init",
  "stop",
  "connectionTest",
  "discoverSchema",
  "tableCount",
  "createTableV2",
  "dropTable",
  "clearTable",
  "createIndex",
  "writeRecord",
  "afterInitialSync",
  "flush",
  "processControl",
  "newField",
  "alterFieldName",
  "alterFieldAttributes",
  "dropField",
  "batchRead",
  "batchCount",
  "streamRead",
  "stopStreamRead",
  "timestampToStreamOffset",
  "committedOffset",
  "stats",
] as const;

/** Runs the protocol until the input ends; resolves after the connector has stopped. */
export async function serve(opts: ServeOptions): Promise<void> {
  const out = opts.output;
  const send = (msg: unknown) => {
    out.write(json(msg) + "\n");
  };
  const levels = { debug: 0, info: 1, warn: 2, error: 3 } as const;
  const min = levels[opts.logLevel ?? "info"];
  const log: Log = Object.fromEntries(
    (Object.keys(levels) as (keyof typeof levels)[]).map((level) => [
      level,
      (message: string, ...args: unknown[]) => {
        if (levels[level] < min) return;
        const text = formatLog(message, args);
        opts.logSink?.(`${level.toUpperCase()} ${text}`);
        send({ event: "log", level, message: text });
      },
    ]),
  ) as unknown as Log;
  const initialState = opts.stateFile ? readStateFile(opts.stateFile) : {};
  const connector = new PaimonConnector({ recordEncoding: opts.encoding ?? "canonical" });
  let stateMap: MemoryKVMap<unknown> | null = null;

  const ctxOf = (p: Record<string, unknown>) => ({
    connectionConfig: (p.connectionConfig as DataMap) ?? {},
    nodeConfig: p.nodeConfig as DataMap | undefined,
    tableNodeConfig: p.tableNodeConfig as Record<string, DataMap> | undefined,
    log,
  });

  const handlers: Record<string, (p: Record<string, unknown>, id: Request["id"]) => Promise<unknown>> = {
    ping: async () => "pong",
    spec: async () => SPEC,
    capabilities: async () => PaimonConnector.capabilities(),
    init: async (p) => {
      const given = (p.state as Record<string, unknown> | undefined) ?? initialState;
      stateMap = new MemoryKVMap<unknown>(given, (snapshot) => {
        if (opts.stateFile) writeStateFile(opts.stateFile, snapshot);
        send({ event: "state", state: snapshot });
      });
      await connector.init({
        ...ctxOf(p),
        stateMap,
        connectorCapabilities: p.connectorCapabilities as { id: string; alternative?: string }[] | undefined,
        flushOffsetCallback: (offset) => send({ event: "flushOffset", offset }),
      });
      return { state: stateMap.toJSON() };
    },
    stop: async () => {
      await connector.stop();
      return null;
    },
    connectionTest: async (p) => {
      const items: unknown[] = [];
      const options = await connector.connectionTest(ctxOf(p), (i) => items.push(i));
      return { items, options };
    },
    discoverSchema: async (p) => {
      const tables: unknown[] = [];
      await connector.discoverSchema(ctxOf(p), (p.tables as string[] | undefined) ?? null, Number(p.tableSize ?? 0), (b) => tables.push(...b));
      return { tables };
    },
    tableCount: async (p) => connector.tableCount(ctxOf(p)),
    createTableV2: async (p) => connector.createTableV2({ connectionConfig: {} }, { type: 206, table: p.table as never, tableId: (p.table as { id?: string })?.id }),
    dropTable: async (p) => connector.dropTable({ connectionConfig: {} }, { type: 208, tableId: p.tableId as string }),
    clearTable: async (p) => connector.clearTable({ connectionConfig: {} }, { type: 205, tableId: p.tableId as string }),
    createIndex: async (p) => connector.createIndex({ connectionConfig: {} }, (p.table as never) ?? { id: p.tableId }, { indexList: p.indexList as unknown[] }),
    writeRecord: async (p) => {
      const events = (p.events as unknown[]) ?? [];
      const r = await connector.writeRecord({ connectionConfig: {} }, events, p.tableId as string);
      const index = new Map(events.map((e, i) => [e, i]));
      return {
        insertedCount: r.insertedCount,
        modifiedCount: r.modifiedCount,
        removedCount: r.removedCount,
        skippedReplays: r.skippedReplays,
        errors: [...r.errorMap].map(([e, err]) => ({ index: index.get(e), code: (err as { code?: string }).code, message: err.message })),
        commits: r.commits,
      };
    },
    afterInitialSync: async (p) => connector.afterInitialSync({ connectionConfig: {} }, p.tableId as string),
    flush: async () => connector.flush(),
    processControl: async (p) => connector.processControl({ connectionConfig: {} }, (p.event ?? p) as TapEvent),
    newField: async (p) => connector.newField({ connectionConfig: {} }, { type: 209, ...(p as object) } as never),
    alterFieldName: async (p) => connector.alterFieldName({ connectionConfig: {} }, { type: 202, ...(p as object) } as never),
    alterFieldAttributes: async (p) => connector.alterFieldAttributes({ connectionConfig: {} }, { type: 201, ...(p as object) } as never),
    dropField: async (p) => connector.dropField({ connectionConfig: {} }, { type: 207, ...(p as object) } as never),
    batchRead: async (p, id) => {
      let rows = 0;
      await connector.batchRead({ connectionConfig: {} }, p.tableId as string, p.offset, Number(p.batchSize ?? 1000), (events, offset) => {
        rows += events.length;
        send({ event: "batch", id, events, offset });
      });
      return { rows };
    },
    batchCount: async (p) => connector.batchCount({ connectionConfig: {} }, p.tableId as string),
    streamRead: async (p, id) => {
      let events = 0;
      await connector.streamRead(
        { connectionConfig: {} },
        (p.tables as string[]) ?? [],
        p.offset,
        Number(p.recordSize ?? 1000),
        {
          accept: (batch, offset) => {
            events += batch.length;
            send({ event: "stream", id, events: batch, offset });
          },
          streamReadStarted: () => send({ event: "streamStarted", id }),
        },
        Number(p.pollIntervalMs ?? 1000),
      );
      return { events };
    },
    stopStreamRead: async () => {
      connector.stopStreamRead();
      return null;
    },
    timestampToStreamOffset: async (p) => connector.timestampToStreamOffset({ connectionConfig: {} }, p.time === undefined || p.time === null ? null : Number(p.time)),
    committedOffset: async (p) => connector.committedOffset(p.tableId as string),
    stats: async () => connector.stats(),
  };

  let queue: Promise<void> = Promise.resolve();
  const running = new Set<Promise<void>>();
  const handle = async (req: Request) => {
    const h = handlers[req.method];
    if (!h) {
      send({ id: req.id, ok: false, error: { name: "UnknownMethod", message: `unknown method '${String(req.method).slice(0, 60)}'; methods: ${SERVE_METHODS.join(", ")}` } });
      return;
    }
    try {
      const result = await h(req.params ?? {}, req.id);
      send({ id: req.id, ok: true, result: result ?? null });
    } catch (e) {
      send({ id: req.id, ok: false, error: { name: e instanceof Error ? e.name : "Error", code: (e as { code?: unknown })?.code, message: describeError(e) } });
    }
  };

  const rl = createInterface({ input: opts.input, crlfDelay: Infinity });
  for await (const line of rl) {
    if (line.trim() === "") continue;
    let req: Request;
    try {
      req = JSON.parse(line);
      if (req === null || typeof req !== "object" || typeof req.method !== "string") throw new Error("a request needs a string 'method'");
    } catch (e) {
      send({ id: null, ok: false, error: { name: "ProtocolError", message: `not a request: ${(e as Error).message}` } });
      continue;
    }
    if (req.method === "streamRead" || req.method === "batchRead") {
      const p = handle(req).finally(() => running.delete(p));
      running.add(p);
    } else if (req.method === "stopStreamRead" || req.method === "ping") {
      await handle(req);
    } else {
      queue = queue.then(() => handle(req));
    }
  }
  connector.stopStreamRead();
  await queue;
  await Promise.all(running);
  // end of input: commit what is buffered, like a stop request
  await connector.stop().catch((e: unknown) => send({ event: "log", level: "error", message: `stop failed: ${describeError(e)}` }));
}
