/**
 * The Tapdata connector for Apache Paimon, on paimon-ts: the PDK functions as methods of
 * one object. A host (the `paimon-ts serve` bridge, the CLI, or tests) calls `init` with
 * the context, then the functions, then `stop`.
 *
 * The connector is thin: catalog, schema evolution, writers, commits and reads are
 * paimon-core's; type and value mapping is @paimon-ts/type-mapping's. What lives here is
 * the PDK contract: forms and options, per-record errors, micro-batch cadence, the
 * exactly-once bookkeeping and offset acknowledgement.
 */
import { randomUUID } from "node:crypto";
import { isNotFound, joinPath, safeName } from "@paimon-ts/fileio";
import {
  FileSystemCatalog,
  asSQLString,
  bucketMode as paimonBucketMode,
  type DataType,
  type FileStoreTable,
  type Identifier,
  type SchemaChange,
  type TableSchema,
  withNullability,
} from "@paimon-ts/paimon-core";
import { paimonColumnFromTapField, paimonTypeFromDataType, tapFieldsFromPaimon, type CreateOptions } from "@paimon-ts/type-mapping";
import {
  ConfigError,
  connectionString,
  parseConnectionConfig,
  parseNodeConfig,
  secretValues,
  tableNodeConfig,
  tableOptionsFromNode,
  applyDeletionVectors,
  DELETION_VECTORS_OPTION,
  type DeletionVectorsDecision,
  type ConnectionConfig,
  type NodeConfig,
} from "./config.js";
import { describeError, scrubError, withTimeout } from "./errors.js";
import {
  EventType,
  INFO_SYNC_STAGE,
  MemoryKVMap,
  SILENT_LOG,
  TestResult,
  emptyWriteResult,
  tableFields,
  tablePrimaryKeys,
  type ConnectionOptions,
  type CreateTableOptions,
  type DataMap,
  type HeartbeatEvent,
  type KVMap,
  type Log,
  type StreamReadConsumer,
  type TapAlterFieldAttributesEvent,
  type TapAlterFieldNameEvent,
  type TapCallbackOffset,
  type TapClearTableEvent,
  type TapConnectionContext,
  type TapConnectorContext,
  type TapCreateTableEvent,
  type TapDropFieldEvent,
  type TapDropTableEvent,
  type TapEvent,
  type TapField,
  type TapNewFieldEvent,
  type TapTable,
  type TestItem,
  type WriteListResult,
} from "./pdk.js";
import { batchRead, countRows, streamRead, timestampToStreamOffset, type ReadOptions } from "./read.js";
import { RecordConverter, RecordError, normalizeRecordEvent, type RecordEncoding, type RowOp } from "./records.js";
import { DDL_CAPABILITIES } from "./spec.js";
import { TableSink, type CommitInfo } from "./sink.js";
import { stateKey } from "./state.js";
import { openStorage, type Storage } from "./storage.js";

export interface PaimonConnectorOptions {
  /** How record values are encoded, in writes and in reads (default "tapdata"). */
  recordEncoding?: RecordEncoding;
  /** Per-step timeout of the connection test (default 30 s). */
  testTimeoutMs?: number;
  /** Minimum time between snapshot-expiration runs of one table (default 60 s; < 0 disables). */
  expireIntervalMs?: number;
  now?: () => number;
}

/** What a write call did, beyond the PDK result. */
export interface WriteSummary {
  skippedReplays: number;
  commits: CommitInfo[];
}

interface Session {
  cfg: ConnectionConfig;
  node: NodeConfig;
  perTable: Record<string, Record<string, unknown>> | undefined;
  storage: Storage;
  catalog: FileSystemCatalog;
  stateMap: KVMap<unknown>;
  log: Log;
  secrets: string[];
  flushOffset?: (o: TapCallbackOffset) => void;
}

interface PendingAck {
  payload: TapCallbackOffset;
  required: Map<TableSink, number>;
}

/** The settings of the user's DML policy choices that paimon-ts honours natively. */
const SUPPORTED_POLICIES: Record<string, string[]> = {
  dml_insert_policy: ["update_on_exists"],
  dml_update_policy: ["insert_on_nonexists"],
};

function offsetOf(e: TapEvent): unknown {
  return e.info?.streamOffset ?? e.info?.offset;
}

export class PaimonConnector {
  private session: Session | null = null;
  private readonly sinks = new Map<string, Promise<TableSink>>();
  private pendingAck: PendingAck | null = null;
  private readonly encoding: RecordEncoding;
  private readonly converters = new WeakMap<TableSchema, Map<string, RecordConverter>>();
  private asyncFailure: Error | null = null;
  private readonly streamStops = new Set<() => void>();

  constructor(private readonly opts: PaimonConnectorOptions = {}) {
    this.encoding = opts.recordEncoding ?? "tapdata";
  }

  // ---------------------------------------------------------------- lifecycle

  /** Validates the configuration and opens the warehouse. */
  async init(ctx: TapConnectorContext): Promise<void> {
    if (this.session) return;
    this.session = await this.openSession(ctx);
    const log = this.session.log;
    for (const cap of ctx.connectorCapabilities ?? []) {
      const ok = SUPPORTED_POLICIES[cap.id];
      if (ok && cap.alternative && !ok.includes(cap.alternative)) {
        log.warn("{} = {} is not supported: Paimon primary-key tables upsert, so {} applies", cap.id, cap.alternative, ok[0]);
      }
    }
    log.info("Paimon connector started: {} (database {})", connectionString(this.session.cfg), this.session.cfg.database);
  }

  private async openSession(ctx: TapConnectionContext & { stateMap?: KVMap<unknown> }, fastFail = false): Promise<Session> {
    const log = ctx.log ?? SILENT_LOG;
    if (!ctx.connectionConfig || Object.keys(ctx.connectionConfig).length === 0) throw new ConfigError(["the connection configuration is empty"]);
    const cfg = parseConnectionConfig(ctx.connectionConfig);
    const secrets = secretValues(cfg);
    // node settings may not override the database (as in the Java connector)
    const nodeRaw = ctx.nodeConfig ? { ...ctx.nodeConfig } : undefined;
    if (nodeRaw) delete nodeRaw.database;
    const node = parseNodeConfig(nodeRaw);
    let storage: Storage;
    try {
      storage = await openStorage(cfg, (m) => log.warn(m), fastFail);
    } catch (e) {
      throw scrubError(e, secrets);
    }
    return {
      cfg,
      node,
      perTable: ctx.tableNodeConfig,
      storage,
      catalog: new FileSystemCatalog(storage.io, storage.warehouse),
      stateMap: ctx.stateMap ?? new MemoryKVMap(),
      log,
      secrets,
      flushOffset: ctx.flushOffsetCallback,
    };
  }

  private get s(): Session {
    if (!this.session) throw new Error("the connector is not initialized: call init first");
    return this.session;
  }

  /** Commits what is buffered, acknowledges what became durable, and releases everything. */
  async stop(_ctx?: TapConnectionContext): Promise<void> {
    const session = this.session;
    if (!session) return;
    for (const stop of this.streamStops) stop();
    const errors: Error[] = [];
    for (const [name, p] of this.sinks) {
      try {
        const sink = await p;
        await sink.exclusive(() => sink.close(true));
      } catch (e) {
        errors.push(new Error(`table ${name}: ${describeError(e, session.secrets)}`));
      }
    }
    this.sinks.clear();
    if (errors.length === 0) this.tryAck();
    this.session = null;
    await session.storage.io.close().catch(() => undefined);
    if (errors.length > 0) throw new Error(`stopping the Paimon connector failed: ${errors.map((e) => e.message).join("; ")}`);
  }

  // ---------------------------------------------------------------- connection test

  /**
   * Tests the connection for real, one item per check: the warehouse answers, the
   * credentials are accepted, a probe file is written, read back and deleted under the
   * warehouse, and the database exists or can be created.
   */
  async connectionTest(ctx: TapConnectionContext, consumer: (item: TestItem) => void): Promise<ConnectionOptions> {
    const timeout = this.opts.testTimeoutMs ?? 30_000;
    const emit = (item: string, ok: boolean, information: string, warn = false) =>
      consumer({ item, result: ok ? (warn ? TestResult.SUCCESSFULLY_WITH_WARN : TestResult.SUCCESSFULLY) : TestResult.FAILED, information });
    const skipAll = (items: string[], why: string) => items.forEach((i) => emit(i, false, `not tested: ${why}`));
    let session: Session;
    try {
      session = await withTimeout(this.openSession({ ...ctx, log: ctx.log ?? SILENT_LOG }, true), timeout, "opening the storage");
    } catch (e) {
      const msg = e instanceof ConfigError ? e.message : describeError(e);
      emit("Connection", false, `Cannot use this configuration: ${scrubAll(msg, ctx.connectionConfig)}`);
      skipAll(["Login", "Write", "Database"], "the connection could not be opened");
      return {};
    }
    const { io, warehouse } = session.storage;
    const secrets = session.secrets;
    const options: ConnectionOptions = {
      connectionString: connectionString(session.cfg),
      capabilities: DDL_CAPABILITIES.map((id) => ({ id, type: "DDL" as const })),
    };
    try {
      // 1. reachable
      let exists: boolean;
      try {
        exists = await withTimeout(io.exists(warehouse), timeout, `the ${session.cfg.storageType} storage`);
      } catch (e) {
        emit("Connection", false, `Cannot reach the warehouse ${warehouse}: ${describeError(e, secrets)}`);
        skipAll(["Login", "Write", "Database"], "the warehouse is not reachable");
        return options;
      }
      emit("Connection", true, exists ? `Warehouse ${warehouse} is reachable` : `Storage is reachable; the warehouse ${warehouse} does not exist yet and will be created`);
      // 2. credentials: listing needs them on every store
      try {
        if (exists) await withTimeout(io.list(warehouse), timeout, "listing the warehouse");
        else await withTimeout(io.mkdirs(warehouse), timeout, "creating the warehouse");
        emit("Login", true, loginText(session.cfg));
      } catch (e) {
        emit("Login", false, `The ${session.cfg.storageType} storage refused the credentials or the user: ${describeError(e, secrets)}`);
        skipAll(["Write", "Database"], "the credentials were refused");
        return options;
      }
      // 3. write, read back, delete a probe file
      const probe = joinPath(warehouse, `.paimon-ts-connection-test-${randomUUID()}`);
      const payload = new TextEncoder().encode(`paimon-ts connection test ${new Date().toISOString()}`);
      try {
        await withTimeout(io.createIfAbsent(probe, payload), timeout, "writing the probe file");
        const back = await withTimeout(io.readFile(probe), timeout, "reading the probe file");
        if (back.length !== payload.length || !back.every((b, i) => b === payload[i])) throw new Error("the probe file read back differs from what was written");
        const deleted = await withTimeout(io.delete(probe), timeout, "deleting the probe file");
        if (!deleted || (await io.exists(probe))) throw new Error("the probe file could not be deleted");
        emit("Write", true, `Wrote, read back and deleted a probe file under ${warehouse}`);
      } catch (e) {
        await io.delete(probe).catch(() => undefined);
        emit("Write", false, `Cannot write to the warehouse ${warehouse}: ${describeError(e, secrets)}`);
        skipAll(["Database"], "the warehouse is not writable");
        return options;
      }
      // 4. database
      const db = session.cfg.database;
      try {
        if (await withTimeout(session.catalog.databaseExists(db), timeout, "checking the database")) {
          const n = (await session.catalog.listTables(db)).length;
          emit("Database", true, `Database '${db}' exists (${n} table${n === 1 ? "" : "s"})`);
        } else {
          await withTimeout(session.catalog.createDatabase(db, true), timeout, "creating the database");
          emit("Database", true, `Database '${db}' did not exist and was created`);
        }
      } catch (e) {
        emit("Database", false, `Database '${db}' is missing and cannot be created: ${describeError(e, secrets)}`);
      }
      return options;
    } finally {
      if (session !== this.session) await session.storage.io.close().catch(() => undefined);
    }
  }

  // ---------------------------------------------------------------- discovery

  private async withSession<T>(ctx: TapConnectionContext, fn: (s: Session) => Promise<T>): Promise<T> {
    if (this.session) return fn(this.session);
    const s = await this.openSession(ctx);
    try {
      return await fn(s);
    } catch (e) {
      throw scrubError(e, s.secrets);
    } finally {
      await s.storage.io.close().catch(() => undefined);
    }
  }

  async tableCount(ctx: TapConnectionContext): Promise<number> {
    return this.withSession(ctx, async (s) => ((await s.catalog.databaseExists(s.cfg.database)) ? (await s.catalog.listTables(s.cfg.database)).length : 0));
  }

  /**
   * The tables of the database as TapTables, `tableSize` per consumer call. Tables that
   * fail to load are reported in the log (not silently skipped).
   */
  async discoverSchema(ctx: TapConnectionContext, tables: string[] | null, tableSize: number, consumer: (tables: TapTable[]) => void): Promise<void> {
    await this.withSession(ctx, async (s) => {
      if (!(await s.catalog.databaseExists(s.cfg.database))) {
        consumer([]);
        return;
      }
      let names = await s.catalog.listTables(s.cfg.database);
      if (tables && tables.length > 0) names = names.filter((n) => tables.includes(n));
      const size = tableSize > 0 ? tableSize : 20;
      let batch: TapTable[] = [];
      let emitted = false;
      for (const name of names) {
        try {
          const t = await s.catalog.getTable({ database: s.cfg.database, table: name });
          batch.push(tapTableOf(name, t.schema));
        } catch (e) {
          (ctx.log ?? s.log).warn("table {}.{} cannot be loaded and is left out: {}", s.cfg.database, name, describeError(e, s.secrets));
        }
        if (batch.length >= size) {
          consumer(batch);
          emitted = true;
          batch = [];
        }
      }
      if (batch.length > 0 || !emitted) consumer(batch);
    });
  }

  // ---------------------------------------------------------------- tables

  private ident(table: string): Identifier {
    return { database: this.s.cfg.database, table: safeName("table", table) };
  }

  private nodeFor(table: string): NodeConfig {
    return tableNodeConfig(this.s.node, this.s.perTable, table);
  }

  /**
   * Creates the table from the TapTable and the node settings, or, when it exists,
   * compares it with what would have been created and reports every difference.
   */
  async createTableV2(_ctx: TapConnectorContext, event: TapCreateTableEvent): Promise<CreateTableOptions> {
    const s = this.s;
    const tap = event.table;
    const name = tap?.id ?? event.tableId;
    if (!name) throw new Error("createTable: the event has no table");
    const ident = this.ident(name);
    const node = this.nodeFor(name);
    const desired = desiredTable(tap, node, name);
    await s.catalog.createDatabase(s.cfg.database, true);
    if (await s.catalog.tableExists(ident)) {
      const existing = await s.catalog.getTable(ident);
      const differences = compareTable(existing.schema, desired);
      if (differences.length > 0) {
        s.log.warn("table {}.{} exists and differs from the source table; it is used as it is. Differences: {}", ident.database, ident.table, differences.join("; "));
      } else {
        s.log.info("table {}.{} exists and matches", ident.database, ident.table);
      }
      return { tableExists: true, differences };
    }
    await s.catalog.createTable(ident, {
      columns: desired.columns,
      primaryKeys: desired.primaryKeys,
      partitionKeys: desired.partitionKeys,
      options: desired.options,
      comment: tap?.comment ?? null,
    });
    // option values may be secrets (tableProperties): log keys only
    s.log.info(
      "created table {}.{}: {} columns, primary key [{}], partition keys [{}], options {}",
      ident.database,
      ident.table,
      desired.columns.length,
      desired.primaryKeys.join(", "),
      desired.partitionKeys.join(", "),
      Object.keys(desired.options).sort().join(", "),
    );
    if (desired.primaryKeys.length > 0 || desired.deletionVectors.source === "explicit") s.log.info("table {}.{}: {}", ident.database, ident.table, desired.deletionVectors.note);
    if (desired.deletionVectors.enabled && desired.options["write-only"]?.trim().toLowerCase() === "true") {
      s.log.warn("table {}.{} has deletion vectors and write-only=true: readers skip level-0 files, so new rows stay invisible until a compaction job runs", ident.database, ident.table);
    }
    return { tableExists: false };
  }

  /** Drops the table (buffered rows are discarded) and forgets its commit state. */
  async dropTable(_ctx: TapConnectorContext, event: TapDropTableEvent): Promise<void> {
    const name = requireTable(event.tableId);
    const ident = this.ident(name);
    const p = this.sinks.get(name);
    this.sinks.delete(name);
    if (p) {
      const sink = await p.catch(() => null);
      if (sink) {
        await sink.exclusive(async () => {
          await sink.close(false);
          sink.forget();
        });
      }
    } else {
      // a table dropped by an earlier task keeps no stale committed offset either
      this.s.stateMap.remove(stateKey(this.s.catalog.warehouse, `${ident.database}.${ident.table}`));
    }
    await this.s.catalog.dropTable(ident, { ignoreIfNotExists: true });
    this.s.log.info("dropped table {}.{}", ident.database, ident.table);
  }

  /** TRUNCATE: buffered rows are committed, then one snapshot empties the table (schema, options and location stay). */
  async clearTable(_ctx: TapConnectorContext, event: TapClearTableEvent): Promise<void> {
    const name = requireTable(event.tableId);
    if (!(await this.s.catalog.tableExists(this.ident(name)))) {
      this.s.log.warn("clear table {}: the table does not exist; nothing to do", name);
      return;
    }
    const sink = await this.sink(name);
    const id = await sink.exclusive(() => sink.truncate());
    this.s.log.info("cleared table {} (snapshot {})", sink.name, id);
    this.tryAck();
  }

  /** Paimon has no secondary indexes (only the primary key): accepted and logged. */
  async createIndex(_ctx: TapConnectorContext, table: TapTable, event: { indexList?: unknown[] }): Promise<void> {
    this.session?.log.info("create index on {}: Paimon tables have no secondary indexes; {} index(es) ignored", table?.id ?? "?", event?.indexList?.length ?? 0);
  }

  // ---------------------------------------------------------------- write

  private sink(name: string): Promise<TableSink> {
    let p = this.sinks.get(name);
    if (!p) {
      const s = this.s;
      const node = this.nodeFor(name);
      p = TableSink.open(s.catalog, this.ident(name), s.stateMap, {
        batchAccumulationSize: node.batchAccumulationSize,
        commitIntervalMs: node.commitIntervalMs,
        expireIntervalMs: this.opts.expireIntervalMs,
        log: s.log,
        now: this.opts.now,
      }).catch((e: unknown) => {
        this.sinks.delete(name);
        if (isNotFound(e)) throw new Error(`table ${s.cfg.database}.${name} does not exist: create it first (createTable)`);
        throw e;
      });
      this.sinks.set(name, p);
    }
    return p;
  }

  private converter(sink: TableSink, node: NodeConfig): RecordConverter {
    const schema = sink.table.schema;
    let byOpts = this.converters.get(schema);
    if (!byOpts) this.converters.set(schema, (byOpts = new Map()));
    const key = `${node.ignoreUnknownFields}/${node.enablePrimaryKeyUpdate}`;
    let c = byOpts.get(key);
    if (!c) {
      c = new RecordConverter(schema, sink.name, {
        encoding: this.encoding,
        ignoreUnknownFields: node.ignoreUnknownFields,
        requireBeforeForUpdate: node.enablePrimaryKeyUpdate,
      });
      byOpts.set(key, c);
    }
    return c;
  }

  /**
   * Writes insert/update/delete events. Bad records go to the result's errorMap and the
   * rest is written; replays of committed records are skipped. Commits happen when
   * `batchAccumulationSize` rows are buffered or `commitIntervalMs` has passed (initial
   * sync included, so a large initial load lands in bounded snapshots).
   */
  async writeRecord(
    _ctx: TapConnectorContext,
    events: readonly unknown[],
    table: TapTable | string,
    consumer?: (r: WriteListResult<unknown>) => void,
  ): Promise<WriteListResult<unknown> & WriteSummary> {
    this.throwAsyncFailure();
    const name = requireTable(typeof table === "string" ? table : table?.id);
    const result: WriteListResult<unknown> & WriteSummary = { ...emptyWriteResult<unknown>(), skippedReplays: 0, commits: [] };
    const sink = await this.sink(name);
    const node = this.nodeFor(name);
    await sink.exclusive(async () => {
      const conv = this.converter(sink, node);
      const ops: RowOp[] = [];
      let lastOffset: unknown = undefined;
      let inserted = 0, modified = 0, removed = 0;
      for (const raw of events) {
        const offset = raw !== null && typeof raw === "object" ? offsetOf(raw as TapEvent) : undefined;
        if (sink.isCommitted(offset)) {
          result.skippedReplays++;
          continue;
        }
        if (offset !== undefined) lastOffset = offset;
        const e = normalizeRecordEvent(raw);
        if (e instanceof RecordError) {
          result.errorMap.set(raw, e);
          continue;
        }
        const c = conv.convertEvent(e);
        if (c instanceof RecordError) {
          result.errorMap.set(raw, c);
          continue;
        }
        for (const op of c.ops) ops.push(op);
        if (c.counter === "inserted") inserted++;
        else if (c.counter === "modified") modified++;
        else removed++;
      }
      await sink.write(ops, lastOffset);
      result.insertedCount += inserted;
      result.modifiedCount += modified;
      result.removedCount += removed;
      const reason = sink.dueBySize() ? "size" : sink.dueByTime() ? "time" : null;
      if (reason) {
        const info = await sink.commit(reason);
        if (info) result.commits.push(info);
      }
      sink.scheduleTimer(() => this.timerCommit(sink));
    });
    if (result.errorMap.size > 0) {
      this.s.log.warn("table {}: {} of {} record(s) refused; first: {}", sink.name, result.errorMap.size, events.length, [...result.errorMap.values()][0].message);
    }
    if (result.commits.length > 0) this.tryAck();
    consumer?.(result);
    return result;
  }

  private timerCommit(sink: TableSink): void {
    void sink
      .exclusive(async () => {
        if (sink.failure) return;
        if (sink.dueByTime()) await sink.commit("time");
        sink.scheduleTimer(() => this.timerCommit(sink));
      })
      .then(
        () => this.tryAck(),
        (e: unknown) => {
          this.asyncFailure ??= e instanceof Error ? e : new Error(String(e));
          this.session?.log.error("table {}: scheduled commit failed: {}", sink.name, describeError(e, this.session?.secrets ?? []));
        },
      );
  }

  private throwAsyncFailure(): void {
    if (this.asyncFailure) throw new Error(`a scheduled commit failed earlier; restart the task (records after the committed offset are replayed): ${describeError(this.asyncFailure, this.session?.secrets ?? [])}`);
  }

  /** Commits what the initial sync of the table left in the buffer. */
  async afterInitialSync(_ctx: TapConnectorContext, table: TapTable | string): Promise<void> {
    this.throwAsyncFailure();
    const name = requireTable(typeof table === "string" ? table : table?.id);
    const sink = await this.sink(name);
    await sink.exclusive(() => sink.commit("initial sync done", true));
    this.tryAck();
  }

  /** Commits every table's buffer now. */
  async flush(): Promise<CommitInfo[]> {
    const out: CommitInfo[] = [];
    for (const p of this.sinks.values()) {
      const sink = await p;
      const info = await sink.exclusive(() => sink.commit("flush", true));
      if (info) out.push(info);
    }
    this.tryAck();
    return out;
  }

  /**
   * A heartbeat from the engine: its offset is acknowledged (flushOffsetCallback) once
   * every table that received records before it has committed them. A newer heartbeat
   * replaces one still waiting.
   */
  async processControl(_ctx: TapConnectorContext, event: HeartbeatEvent | TapEvent): Promise<void> {
    this.throwAsyncFailure();
    if (event.type !== EventType.HEARTBEAT) return;
    const s = this.s;
    if (!s.flushOffset) return;
    const info = event.info ?? {};
    const stage = info.syncStage ?? info[INFO_SYNC_STAGE];
    if (stage !== "CDC") return;
    const required = new Map<TableSink, number>();
    for (const p of this.sinks.values()) {
      const sink = await p;
      if (sink.writtenGeneration > sink.committedGeneration) required.set(sink, sink.writtenGeneration);
    }
    this.pendingAck = {
      payload: {
        streamOffset: info.streamOffset,
        syncStage: "CDC",
        sourceTime: info.sourceTime,
        nodeIds: info.nodeIds,
        eventTime: (event as HeartbeatEvent).referenceTime,
      },
      required,
    };
    this.tryAck();
  }

  private tryAck(): void {
    const p = this.pendingAck;
    const s = this.session;
    if (!p || !s?.flushOffset) return;
    for (const [sink, gen] of p.required) if (sink.committedGeneration < gen) return;
    this.pendingAck = null;
    s.flushOffset(p.payload);
  }

  /** The catalog of the open session (for maintenance tools). */
  get catalog(): FileSystemCatalog {
    return this.s.catalog;
  }

  /** The database of the open session. */
  get database(): string {
    return this.s.cfg.database;
  }

  /** Full compaction of a primary-key table: buffered rows are committed, then every bucket is rewritten. */
  async compact(table: string): Promise<CommitInfo | null> {
    this.throwAsyncFailure();
    const sink = await this.sink(requireTable(table));
    return sink.exclusive(async () => {
      await sink.commit("before compaction");
      return sink.compactFull();
    });
  }

  /** The source offset committed last for a table (from its snapshot after a restart). */
  async committedOffset(table: string): Promise<unknown> {
    const sink = await this.sink(requireTable(table));
    return sink.committedOffset;
  }

  /** Write statistics of the tables this connector wrote to. */
  async stats(): Promise<Record<string, { rowsWritten: number; commits: number; snapshots: number; commitUser: string; nextIdentifier: string }>> {
    const out: Record<string, { rowsWritten: number; commits: number; snapshots: number; commitUser: string; nextIdentifier: string }> = {};
    for (const p of this.sinks.values()) {
      const sink = await p;
      out[sink.name] = { ...sink.stats, commitUser: sink.commitUser, nextIdentifier: sink.nextIdentifier.toString() };
    }
    return out;
  }

  // ---------------------------------------------------------------- field DDL

  private async alter(name: string, changes: SchemaChange[], what: string): Promise<void> {
    if (changes.length === 0) {
      this.s.log.info("table {}: {} is already in place", name, what);
      return;
    }
    const sink = await this.sink(name);
    await sink.exclusive(() => sink.alter(changes));
    this.s.log.info("table {}: {} applied (schema {})", sink.name, what, sink.table.schema.id);
    this.tryAck();
  }

  private async currentSchema(name: string): Promise<TableSchema> {
    const sink = await this.sink(name);
    await sink.exclusive(async () => {
      const latest = await sink.table.schemas.latest();
      if (latest && latest.id !== sink.table.schema.id) await sink.refresh();
    });
    return sink.table.schema;
  }

  /** New columns (nullable, at the end). A column that already exists with the same type is left alone. */
  async newField(_ctx: TapConnectorContext, event: TapNewFieldEvent): Promise<void> {
    const name = requireTable(event.tableId);
    const schema = await this.currentSchema(name);
    const changes: SchemaChange[] = [];
    for (const f of event.newFields ?? []) {
      const col = paimonColumnFromTapField(f, createOptions());
      const existing = schema.fields.find((x) => x.name === f.name);
      if (existing) {
        if (asSQLString(existing.type, true) !== asSQLString(col.type, true)) {
          throw new Error(`table ${name}: new field ${f.name} already exists as ${asSQLString(existing.type)}, not ${asSQLString(col.type)}`);
        }
        continue;
      }
      // Paimon adds columns as nullable only (existing rows have no value)
      changes.push({ type: "addColumn", path: f.name, dataType: withNullability(col.type, true), ...(col.description !== undefined ? { description: col.description } : {}) });
    }
    await this.alter(name, changes, `new field(s) ${(event.newFields ?? []).map((f) => f.name).join(", ")}`);
  }

  async alterFieldName(_ctx: TapConnectorContext, event: TapAlterFieldNameEvent): Promise<void> {
    const name = requireTable(event.tableId);
    const { before, after } = event.nameChange ?? ({} as { before?: string; after?: string });
    if (!before || !after) throw new Error(`table ${name}: alter field name needs nameChange.before and nameChange.after`);
    const schema = await this.currentSchema(name);
    const has = (n: string) => schema.fields.some((f) => f.name === n);
    // a replayed rename finds the column renamed already
    const done = !has(before) && has(after);
    await this.alter(name, done ? [] : [{ type: "renameColumn", path: before, newName: after }], `rename ${before} -> ${after}`);
  }

  async alterFieldAttributes(_ctx: TapConnectorContext, event: TapAlterFieldAttributesEvent): Promise<void> {
    const name = requireTable(event.tableId);
    const field = event.fieldName;
    if (!field) throw new Error(`table ${name}: alter field attributes needs fieldName`);
    const schema = await this.currentSchema(name);
    const existing = schema.fields.find((f) => f.name === field);
    if (!existing) throw new Error(`table ${name}: column ${field} does not exist`);
    const changes: SchemaChange[] = [];
    const dt = event.dataTypeChange?.after;
    if (dt) {
      const t = paimonTypeFromDataType(dt, createOptions(), field);
      if (!t) throw new Error(`table ${name}: column ${field}: data type ${JSON.stringify(dt)} is not a type Paimon knows`);
      if (asSQLString(t, true) !== asSQLString(existing.type, true)) changes.push({ type: "updateColumnType", path: field, newType: t, keepNullability: true });
    }
    const nullable = event.nullableChange?.after;
    if (typeof nullable === "boolean" && nullable !== existing.type.nullable) changes.push({ type: "updateColumnNullability", path: field, nullable });
    const comment = event.commentChange?.after;
    if (comment !== undefined && (comment ?? undefined) !== existing.description) changes.push({ type: "updateColumnComment", path: field, comment: comment ?? null });
    if (event.defaultChange) {
      const d = event.defaultChange.after;
      const text = d === null || d === undefined ? null : typeof d === "object" ? JSON.stringify(d) : String(d);
      if ((text ?? undefined) !== existing.defaultValue) changes.push({ type: "updateColumnDefaultValue", path: field, defaultValue: text });
    }
    await this.alter(name, changes, `attributes of ${field}`);
  }

  async dropField(_ctx: TapConnectorContext, event: TapDropFieldEvent): Promise<void> {
    const name = requireTable(event.tableId);
    const schema = await this.currentSchema(name);
    const field = event.fieldName;
    const exists = schema.fields.some((f) => f.name === field);
    await this.alter(name, exists ? [{ type: "dropColumn", path: field }] : [], `drop ${field}`);
  }

  // ---------------------------------------------------------------- read

  private async readTable(name: string): Promise<FileStoreTable | null> {
    try {
      return await this.s.catalog.getTable(this.ident(name));
    } catch (e) {
      if (isNotFound(e)) return null;
      throw e;
    }
  }

  private readOptions(): ReadOptions {
    return { encoding: this.encoding, log: this.s.log };
  }

  /** The table's rows at its latest snapshot as insert events; the offset resumes a read. */
  async batchRead(_ctx: TapConnectorContext, table: TapTable | string, offset: unknown, batchSize: number, consumer: (events: TapEvent[], offset: unknown) => void | Promise<void>): Promise<void> {
    const name = requireTable(typeof table === "string" ? table : table?.id);
    const t = await this.readTable(name);
    if (!t) return;
    await batchRead(t, name, offset, batchSize, consumer, this.readOptions());
  }

  /** Rows at the latest snapshot, from the snapshot's record counts when they are exact. */
  async batchCount(_ctx: TapConnectorContext, table: TapTable | string): Promise<number> {
    const name = requireTable(typeof table === "string" ? table : table?.id);
    const t = await this.readTable(name);
    return t ? countRows(t) : 0;
  }

  /** `{table: snapshotId}` of the snapshots at or before the time (latest when null). */
  async timestampToStreamOffset(ctx: TapConnectorContext, time: number | null): Promise<Record<string, string | null>> {
    const names = ctx.tableMap ? Object.keys(ctx.tableMap) : await this.s.catalog.listTables(this.s.cfg.database).catch(() => [] as string[]);
    const out: Record<string, string | null> = {};
    for (const n of names) {
      const t = await this.readTable(n);
      if (t) out[n] = await timestampToStreamOffset(t, time);
    }
    return out;
  }

  /**
   * Reads the changes of new snapshots, table by table, as record events with their row
   * kinds (+I insert, -U/+U update with before and after, -D delete, truncate as a clear
   * event). The offset (`{table: lastSnapshotId}`) is emitted with each batch and only
   * covers events already handed to the consumer. Runs until `stop` or `stopStreamRead`.
   */
  async streamRead(_ctx: TapConnectorContext, tables: string[], offset: unknown, recordSize: number, consumer: StreamReadConsumer, pollIntervalMs = 1000): Promise<void> {
    const s = this.s;
    let stopped = false;
    const stop = () => {
      stopped = true;
    };
    this.streamStops.add(stop);
    try {
      await streamRead(
        async (n) => this.readTable(n),
        tables,
        offset,
        recordSize,
        consumer,
        { ...this.readOptions(), pollIntervalMs, stopped: () => stopped || this.session !== s },
      );
    } finally {
      this.streamStops.delete(stop);
    }
  }

  stopStreamRead(): void {
    for (const stop of this.streamStops) stop();
  }

  /** The PDK functions this connector registers. */
  static capabilities(): string[] {
    return [
      "connectionTest",
      "discoverSchema",
      "tableCount",
      "createTableV2",
      "dropTable",
      "clearTable",
      "createIndex",
      "writeRecord",
      "afterInitialSync",
      "processControl",
      "newField",
      "alterFieldName",
      "alterFieldAttributes",
      "dropField",
      "batchRead",
      "batchCount",
      "streamRead",
      "timestampToStreamOffset",
    ];
  }
}

// ------------------------------------------------------------------ helpers

function requireTable(name: string | undefined): string {
  if (typeof name !== "string" || name === "") throw new Error("the event names no table (tableId)");
  return name;
}

function createOptions(): CreateOptions {
  return { nested: "json", nullability: "from-field" };
}

function loginText(cfg: ConnectionConfig): string {
  switch (cfg.storageType) {
    case "local":
      return "Local storage: no credentials; files are written as the user running the connector";
    case "hdfs":
      return `HDFS accepted user '${cfg.hdfsUser}'`;
    case "s3":
      return cfg.s3AccessKey ? "S3 accepted the access key" : "S3 accepted the default AWS credentials";
    case "oss":
      return "OSS accepted the access key";
  }
}

function scrubAll(text: string, raw: DataMap): string {
  const vals: string[] = [];
  for (const k of ["s3AccessKey", "s3SecretKey", "ossAccessKey", "ossSecretKey"]) {
    const v = raw?.[k];
    if (typeof v === "string" && v.length >= 4) vals.push(v);
  }
  let out = text;
  for (const v of vals) out = out.split(v).join("***");
  return out;
}

interface DesiredTable {
  columns: { name: string; type: DataType; description?: string }[];
  primaryKeys: string[];
  partitionKeys: string[];
  options: Record<string, string>;
  deletionVectors: DeletionVectorsDecision;
}

/** What createTable would create for a TapTable under the node settings. */
export function desiredTable(tap: TapTable, node: NodeConfig, name: string): DesiredTable {
  const fields = tableFields(tap);
  if (fields.length === 0) throw new Error(`createTable ${name}: the table has no fields`);
  const columns = fields.map((f: TapField) => {
    const c = paimonColumnFromTapField(f, createOptions());
    return c.description !== undefined ? { name: c.name, type: c.type, description: c.description } : { name: c.name, type: c.type };
  });
  const primaryKeys = tablePrimaryKeys(tap);
  const fromFields = fields
    .filter((f) => f.isPartitionKey || (f.partitionKeyPos ?? 0) > 0)
    .sort((a, b) => (a.partitionKeyPos ?? 0) - (b.partitionKeyPos ?? 0))
    .map((f) => f.name);
  const partitionKeys = node.partitionKey.length > 0 ? node.partitionKey : tap.partitionKeys && tap.partitionKeys.length > 0 ? tap.partitionKeys : fromFields;
  const names = new Set(columns.map((c) => c.name));
  for (const k of [...primaryKeys, ...partitionKeys]) if (!names.has(k)) throw new Error(`createTable ${name}: key field ${k} is not a field of the table`);
  const options = { ...tableOptionsFromNode(node), ...(tap.options ?? {}) };
  for (const bad of ["compression", "sink.parallelism"]) {
    if (options[bad] !== undefined) throw new Error(`createTable ${name}: option '${bad}' is not a Paimon table option${bad === "compression" ? " (use file.compression)" : ""}`);
  }
  if (String(options.bucket).trim() === "-2") {
    throw new Error(`createTable ${name}: postpone buckets (bucket = -2) are not supported: paimon-ts cannot write them (their files stay invisible until a compaction job re-buckets them)`);
  }
  if (primaryKeys.length > 0 && partitionKeys.some((k) => !primaryKeys.includes(k))) {
    throw new Error(
      `createTable ${name}: the primary key [${primaryKeys.join(", ")}] must contain every partition key [${partitionKeys.join(", ")}]; cross-partition updates need Paimon's global key index, which paimon-ts does not implement`,
    );
  }
  if (primaryKeys.length === 0 && options.bucket !== undefined && Number(options.bucket) > 0 && !options["bucket-key"]) {
    throw new Error(`createTable ${name}: a table without primary key and fixed buckets needs the option 'bucket-key' (or use the dynamic bucket mode, which appends without buckets)`);
  }
  const deletionVectors = applyDeletionVectors(options, node, primaryKeys, name);
  return { columns, primaryKeys, partitionKeys, options, deletionVectors };
}

/** Differences between an existing table and what would be created, one line each. */
export function compareTable(schema: TableSchema, d: DesiredTable): string[] {
  const out: string[] = [];
  const existing = new Map(schema.fields.map((f) => [f.name, f]));
  for (const c of d.columns) {
    const f = existing.get(c.name);
    if (!f) out.push(`column ${c.name} (${asSQLString(c.type)}) is missing from the table`);
    else if (asSQLString(f.type, true) !== asSQLString(c.type, true)) out.push(`column ${c.name} is ${asSQLString(f.type, true)} in the table, ${asSQLString(c.type, true)} in the source`);
  }
  const wanted = new Set(d.columns.map((c) => c.name));
  for (const f of schema.fields) if (!wanted.has(f.name)) out.push(`column ${f.name} exists only in the table`);
  if (schema.primaryKeys.join(",") !== d.primaryKeys.join(",")) out.push(`primary key is [${schema.primaryKeys.join(", ")}] in the table, [${d.primaryKeys.join(", ")}] in the source`);
  if (schema.partitionKeys.join(",") !== d.partitionKeys.join(",")) out.push(`partition keys are [${schema.partitionKeys.join(", ")}] in the table, [${d.partitionKeys.join(", ")}] requested`);
  const effective = (k: string) => schema.options[k];
  for (const [k, v] of Object.entries(d.options)) {
    const have = effective(k);
    if (k === "bucket") {
      const mode = paimonBucketMode(schema);
      const haveBucket = have ?? "-1";
      if (haveBucket !== v) out.push(`bucket is ${haveBucket} (${mode}) in the table, ${v} requested`);
    } else if (k === DELETION_VECTORS_OPTION) {
      // the value is a boolean, safe to show; the setting only ever applies to new tables
      const haveDv = (have ?? "false").trim().toLowerCase();
      if (haveDv !== v) out.push(`deletion vectors are ${haveDv === "true" ? "on" : "off"} in the table, ${v === "true" ? "on" : "off"} for new tables (existing tables are not changed)`);
    } else if (have !== v) out.push(`option ${k} is ${have === undefined ? "unset" : "set differently"} in the table`);
  }
  if (d.options[DELETION_VECTORS_OPTION] === undefined && schema.primaryKeys.length > 0 && schema.options[DELETION_VECTORS_OPTION]?.trim().toLowerCase() === "true") {
    out.push("deletion vectors are on in the table, off for new tables (existing tables are not changed)");
  }
  return out;
}

/** A Paimon table as a TapTable (fields in order, primary key marked, PRIMARY index). */
export function tapTableOf(name: string, schema: TableSchema): TapTable {
  const fields = tapFieldsFromPaimon(schema.fields, schema.primaryKeys);
  const nameFieldMap: Record<string, TapField> = {};
  fields.forEach((f, i) => {
    const tf: TapField = { ...f, pos: i + 1 };
    if (f.primaryKey) tf.isPrimaryKey = true;
    const pk = schema.partitionKeys.indexOf(f.name);
    if (pk >= 0) {
      tf.isPartitionKey = true;
      tf.partitionKeyPos = pk + 1;
    }
    nameFieldMap[f.name] = tf;
  });
  const t: TapTable = { id: name, name, nameFieldMap };
  if (schema.primaryKeys.length > 0) {
    t.defaultPrimaryKeys = [...schema.primaryKeys];
    t.indexList = [{ name: "PRIMARY", unique: true, coreUnique: true, primary: true, indexFields: schema.primaryKeys.map((k) => ({ name: k, fieldAsc: true })) }];
  }
  if (schema.partitionKeys.length > 0) t.partitionKeys = [...schema.partitionKeys];
  if (schema.comment) t.comment = schema.comment;
  return t;
}
