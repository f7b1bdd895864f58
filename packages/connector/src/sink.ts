/**
 * One table's write session: a paimon-core table writer, its committer, the commit
 * cadence (size and time micro-batches) and the exactly-once bookkeeping.
 *
 * Commits carry the task's stable commit user and the next identifier from the state
 * store, plus the source offset of the last record they contain (snapshot property
 * `tapdata.stream-offset`), so data and offset become durable in one atomic snapshot.
 * A failed commit whose fate is unknown is settled by looking for the identifier among
 * the user's snapshots; a sink whose commit really failed is fenced until the task
 * restarts and replays from the committed offset (buffered files are deleted; the data
 * files of the failed commit are left to Paimon's orphan-file cleanup).
 */
import {
  FileStoreCommit,
  createTableWriter,
  expireSnapshots,
  latestSnapshotOfUser,
  type TableWriter,
  type FileStoreTable,
  type FileSystemCatalog,
  type Identifier,
  type SchemaChange,
} from "@paimon-ts/paimon-core";
import { compareOffsets, offsetFromJson, offsetToJson } from "./offsets.js";
import type { KVMap, Log } from "./pdk.js";
import type { RowOp } from "./records.js";
import { CommitStateStore, OFFSET_PROPERTY } from "./state.js";

export interface SinkOptions {
  /** Rows after which a commit happens (≤ 0: every write call commits). */
  batchAccumulationSize: number;
  /** Milliseconds after which buffered rows are committed (≤ 0: no time trigger). */
  commitIntervalMs: number;
  /** Minimum milliseconds between two snapshot-expiration runs (default 60 s). */
  expireIntervalMs?: number;
  log: Log;
  now?: () => number;
}

export interface CommitInfo {
  table: string;
  identifier: bigint;
  snapshotIds: bigint[];
  rows: number;
  offset: unknown;
  reason: string;
}

export class SinkFencedError extends Error {
  override name = "SinkFencedError";
}

/** A FIFO lock: one operation on a table at a time. */
class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();
  run<T>(fn: () => Promise<T>): Promise<T> {
    const p = this.tail.then(fn, fn);
    this.tail = p.catch(() => undefined);
    return p;
  }
}

export class TableSink {
  private writer: TableWriter | null = null;
  private committer: FileStoreCommit;
  private readonly queue = new SerialQueue();
  private lastExpireAt = 0;
  /** Rows in the writer since the last commit. */
  pendingRows = 0;
  /** Offset of the last record handed to the writer (committed or not). */
  private lastOffset: unknown = undefined;
  private offsetDirty = false;
  /** The offset recorded by the last commit (from the snapshot after a restart). */
  committedOffset: unknown;
  lastCommitAt: number;
  /** Write calls accepted / covered by a commit (heartbeat barrier). */
  writtenGeneration = 0;
  committedGeneration = 0;
  failure: Error | null = null;
  readonly stats = { rowsWritten: 0, commits: 0, snapshots: 0 };
  private timer: NodeJS.Timeout | null = null;

  private constructor(
    private readonly catalog: FileSystemCatalog,
    readonly ident: Identifier,
    public table: FileStoreTable,
    private readonly store: CommitStateStore,
    private readonly opts: SinkOptions,
  ) {
    this.committer = new FileStoreCommit(table, { commitUser: store.commitUser });
    this.committedOffset = store.state.committedOffset;
    this.lastCommitAt = this.now();
  }

  get name(): string {
    return `${this.ident.database}.${this.ident.table}`;
  }

  get commitUser(): string {
    return this.store.commitUser;
  }

  get nextIdentifier(): bigint {
    return this.store.nextIdentifier;
  }

  private now(): number {
    return (this.opts.now ?? Date.now)();
  }

  /**
   * Opens the session: binds (or creates) the table's commit state and reconciles it with
   * the snapshots, so identifiers continue after the last commit that landed and the
   * committed offset is the one stored in that snapshot.
   */
  static async open(catalog: FileSystemCatalog, ident: Identifier, stateMap: KVMap<unknown>, opts: SinkOptions): Promise<TableSink> {
    const table = await catalog.getTable(ident);
    const store = CommitStateStore.bind(stateMap, catalog.warehouse, `${ident.database}.${ident.table}`);
    const last = await latestSnapshotOfUser(table, store.commitUser);
    if (last) {
      const next = last.commitIdentifier + 1n;
      const offset = offsetFromJson(last.properties?.[OFFSET_PROPERTY] ?? undefined);
      if (next > store.nextIdentifier || (offset !== undefined && offsetToJson(offset) !== offsetToJson(store.state.committedOffset))) {
        store.save(next > store.nextIdentifier ? next : store.nextIdentifier, offset ?? store.state.committedOffset);
        opts.log.info("table {}: state reconciled with snapshot {} of this task (next commit identifier {})", `${ident.database}.${ident.table}`, last.id, store.nextIdentifier);
      }
    }
    return new TableSink(catalog, ident, table, store, opts);
  }

  /** Runs `fn` with the table to itself. */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    return this.queue.run(fn);
  }

  private checkHealthy(): void {
    if (this.failure) {
      throw new SinkFencedError(
        `table ${this.name} is fenced after a failed write or commit (${this.failure.message}); restart the task: records after the committed offset will be replayed`,
      );
    }
  }

  /** Whether a record at `offset` was already committed (a replay). */
  isCommitted(offset: unknown): boolean {
    if (offset === undefined || this.committedOffset === undefined) return false;
    const c = compareOffsets(offset, this.committedOffset);
    return c !== null && c <= 0;
  }

  private async ensureWriter(): Promise<TableWriter> {
    if (!this.writer) {
      const w = await createTableWriter(this.table);
      // readers of deletion-vector and first-row tables skip level 0: rows an earlier
      // session left there (it died between the APPEND and COMPACT snapshots of a commit)
      // would stay invisible in buckets this session does not write; its next commit takes
      // them up (no-op for other tables, or when nothing is left at level 0)
      if ("compactPendingLevel0" in w) {
        const buckets = await w.compactPendingLevel0();
        if (buckets > 0) {
          this.opts.log.info("table {}: {} bucket(s) hold level-0 files an earlier writer left uncompacted; the next commit compacts them", this.name, buckets);
        }
      }
      this.writer = w;
    }
    return this.writer;
  }

  /** Hands rows to the writer (caller holds the lock). */
  async write(ops: readonly RowOp[], lastOffset: unknown): Promise<void> {
    this.checkHealthy();
    this.writtenGeneration++;
    // the recorded offset never goes back (a replayed batch may end before the committed one)
    if (lastOffset !== undefined && !this.isCommitted(lastOffset)) {
      this.lastOffset = lastOffset;
      this.offsetDirty = true;
    }
    if (ops.length === 0) return;
    const w = await this.ensureWriter();
    try {
      const rows = ops.map((o) => o.row);
      if (this.table.schema.primaryKeys.length > 0) await (w as Extract<TableWriter, { compactFull: unknown }>).writeRows(rows, Uint8Array.from(ops, (o) => o.kind));
      else await w.writeRows(rows);
    } catch (e) {
      await this.fence(e as Error);
      throw e;
    }
    this.pendingRows += ops.length;
    this.stats.rowsWritten += ops.length;
  }

  dueBySize(): boolean {
    return this.pendingRows > 0 && (this.opts.batchAccumulationSize <= 0 || this.pendingRows >= this.opts.batchAccumulationSize);
  }

  dueByTime(): boolean {
    return this.pendingRows > 0 && this.opts.commitIntervalMs > 0 && this.now() - this.lastCommitAt >= this.opts.commitIntervalMs;
  }

  /** Milliseconds until the time trigger, or null when nothing waits for it. */
  msUntilDue(): number | null {
    if (this.pendingRows === 0 || this.opts.commitIntervalMs <= 0) return null;
    return Math.max(0, this.lastCommitAt + this.opts.commitIntervalMs - this.now());
  }

  /**
   * Commits what the writer holds (caller holds the lock). `force` also commits an
   * offset-only change (records that were all skipped or refused) as an empty snapshot.
   */
  async commit(reason: string, force = false): Promise<CommitInfo | null> {
    this.checkHealthy();
    const offset = this.offsetDirty ? this.lastOffset : this.committedOffset;
    if (this.pendingRows === 0 && !(force && this.offsetDirty)) {
      this.committedGeneration = this.writtenGeneration;
      this.lastCommitAt = this.now();
      return null;
    }
    const generation = this.writtenGeneration;
    const rows = this.pendingRows;
    const id = this.store.nextIdentifier;
    const json = offset === undefined ? undefined : offsetToJson(offset);
    const properties = json !== undefined && json.length <= 64 * 1024 ? { [OFFSET_PROPERTY]: json } : undefined;
    let snapshotIds: bigint[] = [];
    try {
      const messages = this.writer ? await this.writer.prepareCommit() : [];
      try {
        snapshotIds = await this.committer.commit(messages, { commitUser: this.store.commitUser, commitIdentifier: id, properties, allowEmpty: force && messages.length === 0 });
      } catch (e) {
        // the commit may have landed before the failure was reported
        const last = await latestSnapshotOfUser(this.table, this.store.commitUser).catch(() => null);
        if (!last || last.commitIdentifier < id) throw e;
        this.opts.log.warn("table {}: commit {} reported a failure but its snapshot exists; continuing", this.name, id);
        snapshotIds = [last.id];
      }
    } catch (e) {
      await this.fence(e as Error);
      throw e;
    }
    this.store.save(id + 1n, offset);
    this.committedOffset = offset;
    this.offsetDirty = false;
    this.pendingRows = 0;
    this.committedGeneration = generation;
    this.lastCommitAt = this.now();
    this.stats.commits++;
    this.stats.snapshots += snapshotIds.length;
    this.opts.log.debug("table {}: commit {} ({}, {} rows) -> snapshot(s) {}", this.name, id, reason, rows, snapshotIds.join(","));
    await this.maybeExpire();
    return { table: this.name, identifier: id, snapshotIds, rows, offset, reason };
  }

  private async maybeExpire(): Promise<void> {
    const interval = this.opts.expireIntervalMs ?? 60_000;
    if (interval < 0 || this.now() - this.lastExpireAt < interval) return;
    this.lastExpireAt = this.now();
    try {
      const r = await expireSnapshots(this.table);
      if (r.expiredSnapshots.length > 0) this.opts.log.debug("table {}: expired {} snapshot(s)", this.name, r.expiredSnapshots.length);
    } catch (e) {
      this.opts.log.warn("table {}: snapshot expiration failed (will retry later): {}", this.name, (e as Error).message);
    }
  }

  /** Fences the session and deletes the writer's files not yet handed to a commit. */
  private async fence(e: Error): Promise<void> {
    this.failure = e;
    await this.discardWriter();
  }

  private async discardWriter(): Promise<void> {
    const w = this.writer;
    this.writer = null;
    this.pendingRows = 0;
    if (w) await w.abort().catch(() => undefined);
  }

  private async reload(): Promise<void> {
    this.table = await this.catalog.getTable(this.ident);
    this.committer = new FileStoreCommit(this.table, { commitUser: this.store.commitUser });
  }

  /** TRUNCATE: pending rows are committed first, then one OVERWRITE snapshot removes everything. */
  async truncate(): Promise<bigint> {
    await this.commit("truncate");
    this.checkHealthy();
    await this.discardWriter();
    const id = this.store.nextIdentifier;
    let snapshot: bigint;
    try {
      snapshot = await this.committer.truncateTable({ commitUser: this.store.commitUser, commitIdentifier: id, properties: this.committedOffset !== undefined ? { [OFFSET_PROPERTY]: offsetToJson(this.committedOffset) ?? "null" } : undefined });
    } catch (e) {
      const last = await latestSnapshotOfUser(this.table, this.store.commitUser).catch(() => null);
      if (!last || last.commitIdentifier < id) throw e;
      snapshot = last.id;
    }
    this.store.save(id + 1n, this.committedOffset);
    this.stats.commits++;
    this.stats.snapshots++;
    await this.reload();
    return snapshot;
  }

  /** Schema evolution: pending rows are committed under the old schema, then the change is applied. */
  async alter(changes: SchemaChange[]): Promise<void> {
    await this.commit("schema change");
    this.checkHealthy();
    await this.discardWriter();
    await this.catalog.alterTable(this.ident, changes);
    await this.reload();
  }

  /** Re-reads the table (its schema may have been changed by someone else). */
  async refresh(): Promise<void> {
    if (this.pendingRows > 0) await this.commit("refresh");
    await this.discardWriter();
    await this.reload();
  }

  /** Full compaction of every bucket, committed as a COMPACT snapshot (primary-key tables). */
  async compactFull(): Promise<CommitInfo | null> {
    this.checkHealthy();
    const w = await this.ensureWriter();
    // append tables: Java's full compaction of each bucket, or (bucket-unaware) its compaction job's plan
    await w.compactFull();
    this.pendingRows = Math.max(this.pendingRows, 1);
    const info = await this.commit("compaction");
    return info;
  }

  scheduleTimer(fire: () => void): void {
    const ms = this.msUntilDue();
    if (ms === null || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      fire();
    }, ms + 5);
    this.timer.unref?.();
  }

  clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** Ends the session; with `commit`, pending rows are committed first. */
  async close(commit: boolean): Promise<void> {
    this.clearTimer();
    try {
      if (commit && !this.failure) await this.commit("close", true);
    } finally {
      await this.discardWriter();
    }
  }

  /** Drops the state of a dropped table. */
  forget(): void {
    this.store.remove();
  }
}
