/**
 * The read side: batch reads that can resume, counts, and a stream of the changes of new
 * snapshots with their row kinds.
 *
 * The stream takes each snapshot's changes from paimon-core's incremental read
 * (`nextSnapshotWithChanges`, `readChanges`), which follows Java Paimon's streaming read per
 * `changelog-producer`: none — the new data files of APPEND snapshots as written; input —
 * their changelog files; lookup / full-compaction — the changelog files of the COMPACT
 * snapshots the compaction wrote (with -U/+U pairs). +I becomes an insert, -U followed by +U
 * of the same key an update with before and after, a lone +U an update with after only, -D
 * (or a lone -U) a delete. Snapshots without changes are skipped; an OVERWRITE snapshot that
 * leaves the table empty (truncate) becomes a clear-table event, another OVERWRITE the rows
 * it added.
 *
 * NOTE: an OVERWRITE that replaces non-empty data is delivered as the inserts of its new
 * rows only (Java's stream skips it, or with `streaming-read-overwrite` reads a diff that
 * paimon-core does not compute).
 */
import {
  RowKind,
  SnapshotOutOfRangeError,
  canonicalEncode,
  changeSourceOf,
  nextSnapshotWithChanges,
  planScan,
  planSnapshotChanges,
  readChanges,
  readSplitBatches,
  DEFAULT_READ_BATCH_SIZE,
  vectorGet,
  type DataField,
  type FileStoreTable,
  type InternalRow,
  type Snapshot,
} from "@paimon-ts/paimon-core";
import { rowFromPaimon, RowConversionError } from "@paimon-ts/type-mapping";
import { EventType, type Log, type StreamReadConsumer, type TapEvent } from "./pdk.js";
import type { RecordEncoding } from "./records.js";

export interface ReadOptions {
  encoding: RecordEncoding;
  log: Log;
}

type RowEncoder = (row: InternalRow) => Record<string, unknown>;

function rowEncoder(fields: readonly DataField[], encoding: RecordEncoding): RowEncoder {
  if (encoding === "canonical") {
    return (row) => {
      const o: Record<string, unknown> = {};
      fields.forEach((f, i) => (o[f.name] = canonicalEncode(f.type, row[i] ?? null)));
      return o;
    };
  }
  const conv = rowFromPaimon(fields);
  return (row) => {
    const r = conv(row);
    if (r instanceof RowConversionError) throw r;
    return r;
  };
}

// ------------------------------------------------------------------ batch

interface BatchOffset {
  snapshotId: string;
  rows: number;
}

function parseBatchOffset(o: unknown): BatchOffset | null {
  if (o === null || typeof o !== "object") return null;
  const r = o as Record<string, unknown>;
  if ((typeof r.snapshotId === "string" || typeof r.snapshotId === "number") && typeof r.rows === "number") return { snapshotId: String(r.snapshotId), rows: r.rows };
  return null;
}

/**
 * Emits the rows of the latest snapshot (or of the offset's snapshot, from the offset's
 * row on) as insert events, `batchSize` per call, each with the offset to resume after it.
 */
export async function batchRead(
  table: FileStoreTable,
  name: string,
  offset: unknown,
  batchSize: number,
  consumer: (events: TapEvent[], offset: unknown) => void | Promise<void>,
  opts: ReadOptions,
): Promise<void> {
  const resume = parseBatchOffset(offset);
  let plan;
  try {
    plan = await planScan(table, resume ? { snapshotId: BigInt(resume.snapshotId) } : {});
  } catch (e) {
    if (!resume) throw e;
    opts.log.warn("batch read of {}: snapshot {} of the offset is gone; reading the latest snapshot from the start", name, resume.snapshotId);
    plan = await planScan(table);
  }
  if (!plan.snapshot) return;
  const snapshotId = plan.snapshot.id.toString();
  const skip = resume && resume.snapshotId === snapshotId ? resume.rows : 0;
  const schema = await table.schemas.schema(plan.snapshot.schemaId);
  const encode = rowEncoder(schema.fields, opts.encoding);
  const size = batchSize > 0 ? batchSize : 1000;
  let position = 0;
  let batch: TapEvent[] = [];
  // streamed batch by batch: memory follows the batch size and the split's sorted runs, not the table
  for (const split of plan.splits) {
    for await (const b of readSplitBatches(table, split, schema, { batchSize: Math.max(size, DEFAULT_READ_BATCH_SIZE) })) {
      if (position + b.numRows <= skip) {
        position += b.numRows; // delivered before the resume: skip without encoding
        continue;
      }
      for (let i = 0; i < b.numRows; i++, position++) {
        if (position < skip) continue;
        const row = b.columns.map((c) => vectorGet(c, i));
        batch.push({ type: EventType.INSERT, tableId: name, after: encode(row) } as TapEvent);
        if (batch.length >= size) {
          await consumer(batch, { snapshotId, rows: position + 1 });
          batch = [];
        }
      }
    }
  }
  if (batch.length > 0) await consumer(batch, { snapshotId, rows: position });
}

/** Rows of the latest snapshot: the record count for append tables, a merged scan for primary-key tables. */
export async function countRows(table: FileStoreTable): Promise<number> {
  const latest = await table.snapshots.latest();
  if (!latest) return 0;
  if (table.schema.primaryKeys.length === 0 && table.options.deletionVectors !== true) {
    const entries = await table.liveEntries(latest);
    return entries.reduce((n, e) => n + Number(e.file.rowCount), 0);
  }
  const plan = await planScan(table, { snapshotId: latest.id });
  // one column is enough to count the merged rows; batches keep memory bounded
  const columns = [table.schema.primaryKeys[0] ?? table.schema.fields[0].name];
  let n = 0;
  for (const split of plan.splits) for await (const b of readSplitBatches(table, split, table.schema, { columns })) n += b.numRows;
  return n;
}

/** The id of the latest snapshot committed at or before `time` (the latest when null). */
export async function timestampToStreamOffset(table: FileStoreTable, time: number | null): Promise<string | null> {
  const latest = await table.snapshots.latestId();
  if (latest === null) return null;
  if (time === null) return latest.toString();
  const earliest = (await table.snapshots.earliestId()) ?? 1n;
  for (let id = latest; id >= earliest; id--) {
    const s = await table.snapshots.snapshot(id).catch(() => null);
    if (s && Number(s.timeMillis) <= time) return id.toString();
  }
  return null;
}

// ------------------------------------------------------------------ stream

export interface ChangeRecord {
  kind: RowKind;
  row: InternalRow;
}

export type SnapshotChanges = { kind: "rows"; records: ChangeRecord[] } | { kind: "truncate" } | { kind: "none" };

/**
 * The changes a snapshot made, from paimon-core's incremental read: what Java's streaming
 * read returns for it (changelog-producer none: the new data files as written; input: the
 * changelog of APPEND snapshots; lookup/full-compaction: the changelog of COMPACT
 * snapshots), read as the snapshot's schema. An OVERWRITE snapshot, which Java's stream
 * skips, is a truncate when it leaves the table empty, else the rows it added.
 */
export async function snapshotChanges(table: FileStoreTable, snapshot: Snapshot): Promise<SnapshotChanges> {
  const source = changeSourceOf(table, snapshot, { overwriteAddedFiles: true });
  if (source === null) return { kind: "none" };
  if (source === "overwrite" && (await table.liveEntries(snapshot)).length === 0) return { kind: "truncate" };
  const plan = await planSnapshotChanges(table, snapshot, { schema: "snapshot", overwriteAddedFiles: true });
  const records: ChangeRecord[] = [];
  for await (const b of readChanges(table, plan)) {
    for (let i = 0; i < b.numRows; i++) {
      records.push({ kind: b.rowKinds[i] as RowKind, row: b.columns.map((c) => vectorGet(c, i)) });
    }
  }
  return records.length === 0 ? { kind: "none" } : { kind: "rows", records };
}

function keyOf(row: InternalRow, idx: number[]): string {
  return JSON.stringify(
    idx.map((i) => row[i]),
    (_k, v) => (typeof v === "bigint" ? `${v}n` : v instanceof Uint8Array ? Buffer.from(v).toString("base64") : v),
  );
}

/**
 * Change records to PDK events, fed record by record (a snapshot's changes arrive in
 * batches): -U followed by +U of the same key becomes one update, so a -U is held until
 * the next record (or the end) shows what it is.
 */
class ChangeEventBuilder {
  private held: InternalRow | null = null;

  constructor(
    private readonly name: string,
    private readonly pkIndexes: number[],
    private readonly encode: RowEncoder,
  ) {}

  push(kind: RowKind, row: InternalRow, out: TapEvent[]): void {
    const name = this.name;
    const held = this.held;
    if (held !== null) {
      this.held = null;
      if (kind === RowKind.UPDATE_AFTER && keyOf(row, this.pkIndexes) === keyOf(held, this.pkIndexes)) {
        out.push({ type: EventType.UPDATE, tableId: name, before: this.encode(held), after: this.encode(row) } as TapEvent);
        return;
      }
      out.push({ type: EventType.DELETE, tableId: name, before: this.encode(held) } as TapEvent);
    }
    switch (kind) {
      case RowKind.INSERT:
        out.push({ type: EventType.INSERT, tableId: name, after: this.encode(row) } as TapEvent);
        break;
      case RowKind.UPDATE_AFTER:
        out.push({ type: EventType.UPDATE, tableId: name, after: this.encode(row) } as TapEvent);
        break;
      case RowKind.UPDATE_BEFORE:
        this.held = row;
        break;
      case RowKind.DELETE:
        out.push({ type: EventType.DELETE, tableId: name, before: this.encode(row) } as TapEvent);
        break;
    }
  }

  /** A -U left at the end is a delete. */
  finish(out: TapEvent[]): void {
    if (this.held !== null) out.push({ type: EventType.DELETE, tableId: this.name, before: this.encode(this.held) } as TapEvent);
    this.held = null;
  }
}

/** Change records as PDK events: -U followed by +U of the same key becomes one update. */
export function changeEvents(name: string, pkIndexes: number[], records: ChangeRecord[], encode: RowEncoder): TapEvent[] {
  const out: TapEvent[] = [];
  const b = new ChangeEventBuilder(name, pkIndexes, encode);
  for (const r of records) b.push(r.kind, r.row, out);
  b.finish(out);
  return out;
}

/**
 * The events of one snapshot, a batch of change records at a time, so a large snapshot is
 * never held whole: yields arrays of events (possibly empty) in order.
 */
async function* snapshotEvents(table: FileStoreTable, name: string, snapshot: Snapshot, encoding: RecordEncoding): AsyncGenerator<TapEvent[]> {
  const referenceTime = Number(snapshot.timeMillis);
  const source = changeSourceOf(table, snapshot, { overwriteAddedFiles: true });
  if (source === null) return;
  if (source === "overwrite" && (await table.liveEntries(snapshot)).length === 0) {
    yield [{ type: EventType.CLEAR_TABLE, tableId: name, referenceTime } as TapEvent];
    return;
  }
  const plan = await planSnapshotChanges(table, snapshot, { schema: "snapshot", overwriteAddedFiles: true });
  const fields = plan.schema.fields;
  const pkIdx = plan.schema.primaryKeys.map((k) => fields.findIndex((f) => f.name === k));
  const builder = new ChangeEventBuilder(name, pkIdx, rowEncoder(fields, encoding));
  const stamp = (events: TapEvent[]) => {
    for (const e of events) (e as { referenceTime?: number }).referenceTime = referenceTime;
    return events;
  };
  for await (const b of readChanges(table, plan)) {
    const out: TapEvent[] = [];
    for (let i = 0; i < b.numRows; i++) {
      builder.push(
        b.rowKinds[i] as RowKind,
        b.columns.map((c) => vectorGet(c, i)),
        out,
      );
    }
    yield stamp(out);
  }
  const last: TapEvent[] = [];
  builder.finish(last);
  yield stamp(last);
}

/** Per table: the last snapshot fully delivered, and how many events of the next one were. */
interface TablePosition {
  /** 0 = before the first snapshot. */
  snapshotId: bigint;
  delivered: number;
}

function parseStreamOffset(offset: unknown, tables: string[]): Map<string, TablePosition | undefined> {
  const out = new Map<string, TablePosition | undefined>();
  const o = offset !== null && typeof offset === "object" && !Array.isArray(offset) ? (offset as Record<string, unknown>) : {};
  for (const t of tables) {
    const v = o[t];
    if (typeof v === "string" && /^\d+$/.test(v)) out.set(t, { snapshotId: BigInt(v), delivered: 0 });
    else if (typeof v === "number" && Number.isSafeInteger(v)) out.set(t, { snapshotId: BigInt(v), delivered: 0 });
    else if (v !== null && typeof v === "object" && /^\d+$/.test(String((v as Record<string, unknown>).snapshotId))) {
      const r = v as Record<string, unknown>;
      out.set(t, { snapshotId: BigInt(String(r.snapshotId)), delivered: typeof r.delivered === "number" ? r.delivered : 0 });
    } else out.set(t, v === null ? { snapshotId: 0n, delivered: 0 } : undefined);
  }
  return out;
}

function encodeStreamOffset(pos: Map<string, TablePosition>): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (const [t, p] of pos) o[t] = p.delivered > 0 ? { snapshotId: p.snapshotId.toString(), delivered: p.delivered } : p.snapshotId.toString();
  return o;
}

export interface StreamOptions extends ReadOptions {
  pollIntervalMs: number;
  stopped: () => boolean;
}

/**
 * Polls the tables for new snapshots and hands their changes to the consumer, at most
 * `recordSize` events per call. The offset passed with a batch covers exactly the events
 * delivered so far (a snapshot delivered in parts records how many of its events went out).
 */
export async function streamRead(
  load: (name: string) => Promise<FileStoreTable | null>,
  tables: string[],
  offset: unknown,
  recordSize: number,
  consumer: StreamReadConsumer,
  opts: StreamOptions,
): Promise<void> {
  const size = recordSize > 0 ? recordSize : 1000;
  const start = parseStreamOffset(offset, tables);
  const pos = new Map<string, TablePosition>();
  for (const t of tables) {
    const given = start.get(t);
    if (given) pos.set(t, given);
    else {
      const table = await load(t);
      pos.set(t, { snapshotId: (table ? await table.snapshots.latestId() : null) ?? 0n, delivered: 0 });
    }
  }
  consumer.streamReadStarted?.();
  try {
    while (!opts.stopped()) {
      let progressed = false;
      for (const name of tables) {
        if (opts.stopped()) break;
        const table = await load(name);
        if (!table) continue;
        const p = pos.get(name)!;
        const latest = await table.snapshots.latestId();
        if (latest === null) continue;
        const earliest = (await table.snapshots.earliestId()) ?? 1n;
        let next = p.snapshotId + 1n;
        if (next < earliest) {
          opts.log.warn("stream read of {}: snapshots {}..{} expired before they were read; continuing at {}", name, next, earliest - 1n, earliest);
          next = earliest;
          p.snapshotId = earliest - 1n;
          p.delivered = 0;
        }
        while (next <= latest && !opts.stopped()) {
          let found;
          try {
            found = await nextSnapshotWithChanges(table, next, { toSnapshotId: latest, overwriteAddedFiles: true });
          } catch (e) {
            if (!(e instanceof SnapshotOutOfRangeError) || e.reason !== "expired" || e.earliestSnapshotId === null) throw e;
            // expired while we read: the changes in between are lost, say so and go on
            opts.log.warn("stream read of {}: snapshots {}..{} expired before they were read; continuing at {}", name, next, e.earliestSnapshotId - 1n, e.earliestSnapshotId);
            next = e.earliestSnapshotId;
            p.snapshotId = next - 1n;
            p.delivered = 0;
            continue;
          }
          if (found.snapshot === null) {
            // nothing up to `latest` has changes: all of it counts as delivered
            p.snapshotId = found.nextSnapshotId - 1n;
            p.delivered = 0;
            break;
          }
          const snapshot = found.snapshot;
          const id = snapshot.id;
          if (id !== p.snapshotId + 1n) {
            p.snapshotId = id - 1n;
            p.delivered = 0;
          }
          next = found.nextSnapshotId;
          // events are handed out in parts of `size`; a part is sent once a later event
          // exists, so only the last part of the snapshot moves the offset past it
          const skip = p.delivered;
          let produced = 0;
          let buffer: TapEvent[] = [];
          let complete = true;
          for await (const events of snapshotEvents(table, name, snapshot, opts.encoding)) {
            for (const e of events) {
              if (produced++ < skip) continue;
              buffer.push(e);
              if (buffer.length > size) {
                const part = buffer.slice(0, size);
                buffer = buffer.slice(size);
                p.delivered = produced - buffer.length;
                await consumer.accept(part, encodeStreamOffset(pos));
                progressed = true;
              }
            }
            if (opts.stopped()) {
              complete = false;
              break;
            }
          }
          // stopped inside the snapshot: the offset of the last part sent is where to resume
          if (!complete) break;
          p.snapshotId = id;
          p.delivered = 0;
          if (buffer.length > 0) {
            await consumer.accept(buffer, encodeStreamOffset(pos));
            progressed = true;
          }
        }
      }
      if (!progressed && !opts.stopped()) await new Promise((r) => setTimeout(r, opts.pollIntervalMs));
    }
  } finally {
    consumer.streamReadEnded?.();
  }
}
