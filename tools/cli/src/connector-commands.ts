/**
 * The commands that go through the Tapdata connector: test, tables, create, write, drop,
 * clear, compact, expire, snapshots and serve. They take the connector's own configuration
 * (CONN.json, see config-file.ts), so what works here works in Tapdata.
 */
import {
  MemoryKVMap,
  PaimonConnector,
  TestResult,
  describeError,
  lineLog,
  readStateFile,
  serve,
  writeStateFile,
  type Log,
  type TapField,
  type TapTable,
  type TestItem,
} from "@paimon-ts/connector";
import { expireSnapshotsOf, snapshotRows } from "./maintenance.js";
import { createReadStream, existsSync, readFileSync, statSync } from "node:fs";
import { createInterface } from "node:readline";
import { flagString, parseArgs, type ParsedArgs } from "./args.js";
import { loadConfig, splitTableName, type CliConfig } from "./config-file.js";
import { progressBar } from "./progress.js";

type Out = (s: string) => void;

const CONFIG = "--config CONN.json | --warehouse W";

function usage(cmd: string, rest: string): string {
  return `usage: paimon-ts ${cmd} ${rest}`;
}

/** A log on stderr, quiet below warnings (or `quietBelow`) unless --verbose. */
function cliLog(args: ParsedArgs, quietBelow: "warn" | "error" = "warn"): Log {
  return lineLog((l) => process.stderr.write(`paimon-ts: ${l}\n`), args.flags.has("verbose") ? "debug" : quietBelow);
}

export interface OpenedConnector {
  connector: PaimonConnector;
  close(): Promise<void>;
}

/** A connector on the configuration, with the database of `<db>.<table>` and an optional state file. */
export async function openConnector(cfg: CliConfig, database: string | undefined, log: Log, stateFile?: string): Promise<OpenedConnector> {
  const connector = new PaimonConnector({ recordEncoding: "canonical" });
  const stateMap = new MemoryKVMap<unknown>(stateFile ? readStateFile(stateFile) : {}, stateFile ? (s) => writeStateFile(stateFile, s) : undefined);
  const connectionConfig = database === undefined ? cfg.connectionConfig : { ...cfg.connectionConfig, database };
  await connector.init({ connectionConfig, nodeConfig: cfg.nodeConfig, tableNodeConfig: cfg.tableNodeConfig, stateMap, log });
  return { connector, close: () => connector.stop() };
}

async function withConnector<T>(cfg: CliConfig, database: string | undefined, log: Log, fn: (c: PaimonConnector) => Promise<T>, stateFile?: string): Promise<T> {
  const { connector, close } = await openConnector(cfg, database, log, stateFile);
  try {
    return await fn(connector);
  } finally {
    await close();
  }
}

// ------------------------------------------------------------------ test

const TEST_USAGE = usage("test", CONFIG);

export async function testCommand(argv: string[], out: Out): Promise<number> {
  const args = parseArgs(argv, ["verbose"]);
  const cfg = loadConfig(args, TEST_USAGE);
  const items: TestItem[] = [];
  const connector = new PaimonConnector();
  const options = await connector.connectionTest({ connectionConfig: cfg.connectionConfig, nodeConfig: cfg.nodeConfig, log: cliLog(args) }, (i) => {
    items.push(i);
    const tag = i.result === TestResult.SUCCESSFULLY ? "ok  " : i.result === TestResult.SUCCESSFULLY_WITH_WARN ? "warn" : "FAIL";
    out(`${tag} ${i.item}: ${i.information ?? ""}\n`);
  });
  if (options.connectionString) out(`connection: ${options.connectionString}\n`);
  return items.length > 0 && items.every((i) => i.result !== TestResult.FAILED) ? 0 : 1;
}

// ------------------------------------------------------------------ tables

const TABLES_USAGE = usage("tables", `${CONFIG} [<database>] [--json]`);

export async function tablesCommand(argv: string[], out: Out): Promise<number> {
  const args = parseArgs(argv, ["json", "verbose"]);
  const cfg = loadConfig(args, TABLES_USAGE);
  const db = args.positional[0];
  const connector = new PaimonConnector();
  const connectionConfig = db ? { ...cfg.connectionConfig, database: db } : cfg.connectionConfig;
  const database = db ?? (cfg.connectionConfig.database as string | undefined) ?? "default";
  const tables: TapTable[] = [];
  await connector.discoverSchema({ connectionConfig, log: cliLog(args) }, null, 100, (b) => tables.push(...b));
  if (args.flags.has("json")) {
    out(JSON.stringify(tables) + "\n");
    return 0;
  }
  for (const t of tables) {
    const fields = Object.values(t.nameFieldMap ?? {}) as TapField[];
    const pk = t.defaultPrimaryKeys ?? [];
    out(`${database}.${t.id}\t${fields.length} columns\tprimary key [${pk.join(", ")}]\tpartition keys [${(t.partitionKeys ?? []).join(", ")}]\n`);
  }
  return 0;
}

// ------------------------------------------------------------------ create

const CREATE_USAGE = usage("create", `${CONFIG} <db>.<table> --table TABLE.json`);

interface TableFile {
  fields: { name: string; dataType: string; nullable?: boolean; primaryKeyPos?: number; comment?: string }[];
  partitionKeys?: string[];
  options?: Record<string, string>;
  comment?: string;
}

/** TABLE.json as the TapTable Tapdata would send. */
export function tapTableFromFile(name: string, t: TableFile, source: string): TapTable {
  if (!t || !Array.isArray(t.fields) || t.fields.length === 0) throw new Error(`${source}: expected {"fields": [{"name", "dataType", "nullable", "primaryKeyPos"}, ...]}`);
  const nameFieldMap: Record<string, TapField> = {};
  t.fields.forEach((f, i) => {
    if (!f || typeof f.name !== "string" || typeof f.dataType !== "string") throw new Error(`${source}: fields[${i}] needs a string name and dataType`);
    const tf: TapField = { name: f.name, dataType: f.dataType, nullable: f.nullable ?? true };
    if (f.primaryKeyPos !== undefined && f.primaryKeyPos > 0) {
      tf.primaryKeyPos = f.primaryKeyPos;
      tf.isPrimaryKey = true;
    }
    if (f.comment) tf.comment = f.comment;
    nameFieldMap[f.name] = tf;
  });
  const options: Record<string, string> = {};
  for (const [k, v] of Object.entries(t.options ?? {})) options[k] = String(v);
  return { id: name, name, nameFieldMap, partitionKeys: t.partitionKeys, options, comment: t.comment };
}

export async function createCommand(argv: string[], out: Out): Promise<number> {
  const args = parseArgs(argv, ["verbose"]);
  const cfg = loadConfig(args, CREATE_USAGE);
  const { database, table } = splitTableName(args.positional[0], CREATE_USAGE);
  const file = flagString(args, "table");
  if (!file) throw new Error(CREATE_USAGE);
  let parsed: TableFile;
  try {
    parsed = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw new Error(`cannot read ${file}: ${(e as Error).message}`);
  }
  const tap = tapTableFromFile(table, parsed, file);
  return withConnector(cfg, database, cliLog(args), async (c) => {
    const r = await c.createTableV2({ connectionConfig: {} }, { type: 206, tableId: table, table: tap });
    if (!r.tableExists) {
      out(`created ${database}.${table}\n`);
      return 0;
    }
    if (!r.differences || r.differences.length === 0) {
      out(`${database}.${table} exists and matches\n`);
      return 0;
    }
    out(`${database}.${table} exists and differs (left unchanged):\n`);
    for (const d of r.differences) out(`  - ${d}\n`);
    return 3;
  });
}

// ------------------------------------------------------------------ write

const WRITE_USAGE = usage("write", `${CONFIG} <db>.<table> --events EVENTS.ndjson [--state FILE] [--batch N] [--max-errors N]`);

export interface WriteReport {
  lines: number;
  resumedAfter: number;
  inserted: number;
  updated: number;
  deleted: number;
  refused: number;
  skippedReplays: number;
  commits: number;
  errors: { line: number; message: string }[];
  seconds: number;
}

/**
 * Streams an NDJSON file of events into a table. Each event's stream offset is its line
 * number, committed atomically with the data; a rerun with the same state file resumes
 * after the last committed line, so a crash never loses or duplicates a record.
 */
export async function writeEvents(
  connector: PaimonConnector,
  table: string,
  eventsPath: string,
  opts: { batch?: number; onProgress?: (bytes: number, lines: number) => void; maxErrors?: number } = {},
): Promise<WriteReport> {
  const started = Date.now();
  const committed = await connector.committedOffset(table);
  const resumedAfter = typeof committed === "number" ? committed : typeof committed === "string" && /^\d+$/.test(committed) ? Number(committed) : 0;
  const report: WriteReport = { lines: 0, resumedAfter, inserted: 0, updated: 0, deleted: 0, refused: 0, skippedReplays: 0, commits: 0, errors: [], seconds: 0 };
  const maxErrors = opts.maxErrors ?? 1000;
  const batchSize = opts.batch ?? 1000;
  const input = eventsPath === "-" ? process.stdin : createReadStream(eventsPath);
  let bytes = 0;
  input.on("data", (d: Buffer | string) => (bytes += d.length));
  const rl = createInterface({ input, crlfDelay: Infinity });
  let batch: unknown[] = [];
  const lineOf = new Map<unknown, number>();
  const flush = async () => {
    if (batch.length === 0) return;
    const r = await connector.writeRecord({ connectionConfig: {} }, batch, table);
    report.inserted += r.insertedCount;
    report.updated += r.modifiedCount;
    report.deleted += r.removedCount;
    report.skippedReplays += r.skippedReplays;
    report.commits += r.commits.length;
    for (const [e, err] of r.errorMap) {
      report.refused++;
      if (report.errors.length < maxErrors) report.errors.push({ line: lineOf.get(e) ?? 0, message: err.message });
    }
    batch = [];
    lineOf.clear();
  };
  let n = 0;
  for await (const line of rl) {
    n++;
    if (n <= resumedAfter) continue;
    if (line.trim() === "") continue;
    report.lines++;
    let e: unknown;
    try {
      e = JSON.parse(line);
    } catch (err) {
      report.refused++;
      if (report.errors.length < maxErrors) report.errors.push({ line: n, message: `PAIMON_MALFORMED_JSON: the line is not valid JSON (${(err as Error).message.replace(/ in JSON at position \d+.*$/, "").slice(0, 80)})` });
      continue;
    }
    const ev = e !== null && typeof e === "object" && !Array.isArray(e) ? { ...(e as Record<string, unknown>), info: { ...((e as { info?: object }).info ?? {}), streamOffset: n, SYNC_STAGE: "CDC" } } : e;
    lineOf.set(ev, n);
    batch.push(ev);
    if (batch.length >= batchSize) {
      await flush();
      opts.onProgress?.(bytes, n);
    }
  }
  await flush();
  report.commits += (await connector.flush()).length;
  report.seconds = (Date.now() - started) / 1000;
  return report;
}

export async function writeCommand(argv: string[], out: Out): Promise<number> {
  const args = parseArgs(argv, ["verbose"]);
  const cfg = loadConfig(args, WRITE_USAGE);
  const { database, table } = splitTableName(args.positional[0], WRITE_USAGE);
  const events = flagString(args, "events");
  if (!events) throw new Error(WRITE_USAGE);
  if (events !== "-" && !existsSync(events)) throw new Error(`events file ${events} does not exist`);
  const stateFile = flagString(args, "state") ?? (events === "-" ? undefined : `${events}.state.json`);
  const batch = Number(flagString(args, "batch") ?? 1000);
  const maxErrors = Number(flagString(args, "max-errors") ?? 20);
  if (!Number.isInteger(batch) || batch <= 0) throw new Error("--batch needs a positive integer");
  const total = events === "-" ? 0 : statSync(events).size;
  const bar = progressBar(total, `writing ${database}.${table}`);
  // refused records are listed on stdout; the connector's warnings about them would repeat it
  const report = await withConnector(
    cfg,
    database,
    cliLog(args, "error"),
    (c) => writeEvents(c, table, events, { batch, maxErrors: 1_000_000, onProgress: (b, l) => bar.update(b, `${l} lines`) }),
    stateFile,
  );
  bar.finish();
  if (report.resumedAfter > 0) out(`resumed after line ${report.resumedAfter} (already committed)\n`);
  out(`read ${report.lines} events: ${report.inserted} inserted, ${report.updated} updated, ${report.deleted} deleted, ${report.refused} refused`);
  if (report.skippedReplays > 0) out(`, ${report.skippedReplays} replays skipped`);
  const rows = report.inserted + report.updated + report.deleted;
  out(`\n${report.commits} commit(s) in ${report.seconds.toFixed(1)} s (${Math.round(rows / Math.max(report.seconds, 0.001))} events/s)\n`);
  if (report.errors.length > 0) {
    out(`errors:\n`);
    for (const e of report.errors.slice(0, maxErrors)) out(`  line ${e.line}: ${e.message}\n`);
    if (report.refused > maxErrors) out(`  … and ${report.refused - maxErrors} more (--max-errors N shows more)\n`);
  }
  return report.refused > 0 ? 3 : 0;
}

// ------------------------------------------------------------------ drop / clear / compact

const TABLE_USAGE = (cmd: string) => usage(cmd, `${CONFIG} <db>.<table>`);

export async function dropCommand(argv: string[], out: Out): Promise<number> {
  const args = parseArgs(argv, ["verbose"]);
  const cfg = loadConfig(args, TABLE_USAGE("drop"));
  const { database, table } = splitTableName(args.positional[0], TABLE_USAGE("drop"));
  const stateFile = flagString(args, "state");
  await withConnector(cfg, database, cliLog(args), (c) => c.dropTable({ connectionConfig: {} }, { type: 208, tableId: table }), stateFile);
  out(`dropped ${database}.${table}\n`);
  return 0;
}

export async function clearCommand(argv: string[], out: Out): Promise<number> {
  const args = parseArgs(argv, ["verbose"]);
  const cfg = loadConfig(args, TABLE_USAGE("clear"));
  const { database, table } = splitTableName(args.positional[0], TABLE_USAGE("clear"));
  const stateFile = flagString(args, "state");
  await withConnector(cfg, database, cliLog(args), async (c) => {
    if (!(await c.catalog.tableExists({ database, table }))) throw new Error(`table ${database}.${table} does not exist`);
    await c.clearTable({ connectionConfig: {} }, { type: 205, tableId: table });
  }, stateFile);
  out(`cleared ${database}.${table}\n`);
  return 0;
}

export async function compactCommand(argv: string[], out: Out): Promise<number> {
  const args = parseArgs(argv, ["verbose"]);
  const cfg = loadConfig(args, TABLE_USAGE("compact"));
  const { database, table } = splitTableName(args.positional[0], TABLE_USAGE("compact"));
  const stateFile = flagString(args, "state");
  const info = await withConnector(cfg, database, cliLog(args), (c) => c.compact(table), stateFile);
  out(info && info.snapshotIds.length > 0 ? `compacted ${database}.${table}: snapshot ${info.snapshotIds.join(", ")}\n` : `${database}.${table}: nothing to compact\n`);
  return 0;
}

// ------------------------------------------------------------------ expire / snapshots

const EXPIRE_USAGE = usage("expire", `${CONFIG} <db>.<table> [--retain-min N] [--retain-max N] [--older-than-ms MS]`);

export async function expireCommand(argv: string[], out: Out): Promise<number> {
  const args = parseArgs(argv, ["verbose"]);
  const cfg = loadConfig(args, EXPIRE_USAGE);
  const { database, table } = splitTableName(args.positional[0], EXPIRE_USAGE);
  const num = (k: string) => {
    const v = flagString(args, k);
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw new Error(`--${k} needs a non-negative integer`);
    return n;
  };
  const r = await withConnector(cfg, database, cliLog(args), async (c) =>
    expireSnapshotsOf(await c.catalog.getTable({ database, table }), { retainMin: num("retain-min"), retainMax: num("retain-max"), timeRetainedMs: num("older-than-ms") }),
  );
  out(
    r.expiredSnapshots.length === 0
      ? `${database}.${table}: no snapshot to expire (earliest ${r.earliest ?? "none"})\n`
      : `${database}.${table}: expired snapshots ${r.expiredSnapshots[0]}..${r.expiredSnapshots[r.expiredSnapshots.length - 1]} (${r.expiredSnapshots.length}), deleted ${r.deletedDataFiles.length} data file(s) and ${r.deletedManifestFiles.length} metadata file(s); earliest is now ${r.earliest}\n`,
  );
  return 0;
}

const SNAPSHOTS_USAGE = usage("snapshots", `${CONFIG} <db>.<table> [--json]`);

export async function snapshotsCommand(argv: string[], out: Out): Promise<number> {
  const args = parseArgs(argv, ["json", "verbose"]);
  const cfg = loadConfig(args, SNAPSHOTS_USAGE);
  const { database, table } = splitTableName(args.positional[0], SNAPSHOTS_USAGE);
  const rows = await withConnector(cfg, database, cliLog(args), async (c) => snapshotRows(await c.catalog.getTable({ database, table })));
  if (args.flags.has("json")) {
    for (const r of rows) out(JSON.stringify(r) + "\n");
    return 0;
  }
  out(`id\tkind\ttime\tschema\trecords\tdelta\tcommit user\tidentifier\n`);
  for (const r of rows) out(`${r.id}\t${r.commitKind}\t${r.time}\t${r.schemaId}\t${r.totalRecordCount}\t${r.deltaRecordCount}\t${r.commitUser}\t${r.commitIdentifier}\n`);
  return 0;
}

// ------------------------------------------------------------------ serve

export async function serveCommand(argv: string[]): Promise<number> {
  const args = parseArgs(argv, ["verbose", "quiet"]);
  const encoding = flagString(args, "encoding") ?? "canonical";
  if (encoding !== "canonical" && encoding !== "tapdata") throw new Error("--encoding is canonical or tapdata");
  const level = flagString(args, "log-level") ?? (args.flags.has("verbose") ? "debug" : "info");
  if (!["debug", "info", "warn", "error"].includes(level)) throw new Error("--log-level is debug, info, warn or error");
  await serve({
    input: process.stdin,
    output: process.stdout,
    stateFile: flagString(args, "state"),
    encoding,
    logLevel: level as "debug" | "info" | "warn" | "error",
    logSink: args.flags.has("quiet") ? undefined : (l) => process.stderr.write(`paimon-ts serve: ${l}\n`),
  });
  return 0;
}

export { describeError };
