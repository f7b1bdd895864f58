/**
 * What the end-to-end tests write, and how: small tables defined in canonical JSON (the
 * oracles' encoding), written and committed through paimon-core, read back through
 * paimon-core, and a reference model of what every reader must see.
 */
import {
  AppendWriter,
  FileStoreCommit,
  FileSystemCatalog,
  KeyValueWriter,
  ROW_KIND_SHORT,
  RowKind,
  canonicalDecode,
  canonicalEncode,
  parseTypeString,
  readTable,
  resultRows,
  type CanonicalJson,
  type CommitMessage,
  type FileStoreCommitOptions,
  type FileStoreTable,
  type InternalValue,
} from "@paimon-ts/paimon-core";
import { rowMultiset } from "@paimon-ts/oracle";

export type Kind = "+I" | "-U" | "+U" | "-D";
export type Row = Record<string, unknown>;
export interface Change {
  kind: Kind;
  row: Row;
}

export interface TableSpec {
  fields: { name: string; type: string }[];
  primaryKeys?: string[];
  partitionKeys?: string[];
  options?: Record<string, string>;
}

/** A partitioned primary-key table with a few types that need care (BIGINT, DECIMAL, TIMESTAMP, DOUBLE, NULLs). */
export const ORDERS: TableSpec = {
  fields: [
    { name: "dt", type: "STRING NOT NULL" },
    { name: "id", type: "INT NOT NULL" },
    { name: "name", type: "STRING" },
    { name: "qty", type: "BIGINT" },
    { name: "price", type: "DECIMAL(10, 2)" },
    { name: "ts", type: "TIMESTAMP(3)" },
    { name: "ok", type: "BOOLEAN" },
    { name: "score", type: "DOUBLE" },
  ],
  primaryKeys: ["dt", "id"],
  partitionKeys: ["dt"],
  options: { bucket: "2" },
};

/** An append table (bucket-unaware) for concurrent writers: every row names its writer, round and sequence. */
export const EVENTS: TableSpec = {
  fields: [
    { name: "writer", type: "STRING NOT NULL" },
    { name: "round", type: "INT NOT NULL" },
    { name: "seq", type: "INT NOT NULL" },
    { name: "payload", type: "STRING" },
  ],
  options: { bucket: "-1" },
};

export function order(dt: string, id: number, version: number): Row {
  return {
    dt,
    id,
    name: version % 5 === 4 ? null : `${dt.slice(-2)}-${id}-v${version}`,
    qty: String(BigInt(id) * 1_000_000_007n + BigInt(version)),
    price: `${id * 3 + version}.${String((id * 7 + version) % 100).padStart(2, "0")}`,
    ts: `2024-0${1 + (version % 9)}-1${id % 10}T0${version % 10}:1${id % 6}:00.${String(id * 37 + version).padStart(3, "0").slice(-3)}`,
    ok: version % 3 === 0 ? null : (id + version) % 2 === 0,
    score: version === 2 ? -0.0 : id / 8 + version,
  };
}

const D1 = "2024-01-01";
const D2 = "2024-01-02";
const D3 = "2024-01-03";
const ins = (dt: string, id: number, v = 0): Change => ({ kind: "+I", row: order(dt, id, v) });
const upd = (dt: string, id: number, from: number, to: number): Change[] => [
  { kind: "-U", row: order(dt, id, from) },
  { kind: "+U", row: order(dt, id, to) },
];
const del = (dt: string, id: number, v = 0): Change => ({ kind: "-D", row: order(dt, id, v) });

/**
 * The commits of the primary-key workload: inserts into two partitions; updates (-U/+U
 * and a bare +U), deletes (one of a missing key), a delete and re-insert in one batch;
 * a third partition; then (the caller compacts) more changes on top of the compacted files.
 */
export function orderCommits(): Change[][] {
  const first = [D1, D2].flatMap((dt) => Array.from({ length: 10 }, (_, i) => ins(dt, i + 1)));
  const second = [...upd(D1, 1, 0, 1), ...upd(D2, 2, 0, 1), { kind: "+U", row: order(D1, 2, 1) } as Change, del(D1, 3), del(D2, 99), del(D2, 4), ins(D2, 4, 2), ins(D2, 11, 0)];
  const third = [...Array.from({ length: 5 }, (_, i) => ins(D3, i + 1)), ...upd(D1, 5, 0, 3), del(D2, 6), ...upd(D1, 1, 1, 4)];
  const afterCompaction = [...upd(D1, 1, 4, 5), del(D3, 2), ins(D1, 12, 0), ...upd(D2, 11, 0, 2), del(D1, 10)];
  return [first, second, third, afterCompaction];
}

/** The table after the changes, by the deduplicate merge engine: the last change of a key wins; -U/-D remove it. */
export function applyChanges(state: Map<string, Row>, changes: readonly Change[], keys: readonly string[]): Map<string, Row> {
  const next = new Map(state);
  for (const c of changes) {
    const k = JSON.stringify(keys.map((f) => c.row[f]));
    if (c.kind === "-U" || c.kind === "-D") next.delete(k);
    else next.set(k, c.row);
  }
  return next;
}

// ---------------------------------------------------------------------------- core

const KIND_OF: Record<Kind, RowKind> = { "+I": RowKind.INSERT, "-U": RowKind.UPDATE_BEFORE, "+U": RowKind.UPDATE_AFTER, "-D": RowKind.DELETE };
export const kindShort = (k: RowKind): string => ROW_KIND_SHORT[k];

export async function createTable(catalog: FileSystemCatalog, name: string, spec: TableSpec): Promise<FileStoreTable> {
  await catalog.createDatabase(name.slice(0, name.indexOf(".")));
  return catalog.createTable(name, {
    columns: spec.fields.map((f) => ({ name: f.name, type: parseTypeString(f.type) })),
    primaryKeys: spec.primaryKeys,
    partitionKeys: spec.partitionKeys,
    options: spec.options ?? {},
  });
}

/** Canonical rows → internal values in the table's column order (missing columns are NULL). */
export function toInternal(table: FileStoreTable, rows: readonly Row[]): InternalValue[][] {
  const fields = table.schema.fields;
  return rows.map((r) => fields.map((f) => canonicalDecode(f.type, (r[f.name] ?? null) as CanonicalJson)));
}

export interface CommitSpec {
  commitUser: string;
  identifier: bigint;
  /** A full compaction of every touched and live bucket, committed as a COMPACT snapshot after the data. */
  compactFull?: boolean;
  commitOptions?: FileStoreCommitOptions;
}

/** A fresh writer on the latest table: the changes (and a full compaction), then prepareCommit. */
export async function prepare(table: FileStoreTable, changes: readonly Change[], compactFull = false): Promise<CommitMessage[]> {
  const t = await table.refresh();
  if (t.schema.primaryKeys.length > 0) {
    const w = await KeyValueWriter.create(t);
    if (changes.length > 0) await w.writeRows(toInternal(t, changes.map((x) => x.row)), changes.map((x) => KIND_OF[x.kind]));
    if (compactFull) await w.compactFull();
    return w.prepareCommit();
  }
  if (changes.some((x) => x.kind !== "+I")) throw new Error("append tables take inserts only");
  const w = await AppendWriter.create(t);
  await w.writeRows(toInternal(t, changes.map((x) => x.row)));
  return w.prepareCommit();
}

/**
 * One batch job: `prepare`, then a FileStoreCommit with the given user and identifier.
 * Returns the snapshot ids created.
 */
export async function writeAndCommit(table: FileStoreTable, changes: readonly Change[], c: CommitSpec): Promise<{ ids: bigint[]; messages: CommitMessage[] }> {
  const messages = await prepare(table, changes, c.compactFull);
  const committer = new FileStoreCommit(await table.refresh(), { commitUser: c.commitUser, ...c.commitOptions });
  const ids = await committer.commit(messages, { commitIdentifier: c.identifier });
  return { ids, messages };
}

/** paimon-core's read of the table (latest or a given snapshot), as canonical rows. */
export async function ourRows(table: FileStoreTable, snapshotId?: bigint | number): Promise<Row[]> {
  const fresh = await table.refresh();
  const r = await readTable(fresh, snapshotId === undefined ? {} : { snapshotId: BigInt(snapshotId) });
  return resultRows(r).map((row) => Object.fromEntries(r.fields.map((f, i) => [f.name, canonicalEncode(f.type, row[i])])));
}

/** Canonical rows as a sorted multiset of stable texts (compare these with toEqual). */
export const multiset = (rows: readonly Row[]): string[] => rowMultiset([...rows]);

export interface SnapshotInfo {
  id: bigint;
  commitUser: string;
  commitIdentifier: bigint;
  commitKind: string;
  totalRecordCount: bigint;
  deltaRecordCount: bigint;
}

/** Every snapshot of the table, read by paimon-core (ids 1..latest; none may be missing). */
export async function snapshotsOf(table: FileStoreTable): Promise<SnapshotInfo[]> {
  const t = await table.refresh();
  const ids = await t.snapshots.listIds();
  const out: SnapshotInfo[] = [];
  for (const id of ids) {
    const s = await t.snapshots.snapshot(id);
    out.push({ id: s.id, commitUser: s.commitUser, commitIdentifier: s.commitIdentifier, commitKind: s.commitKind, totalRecordCount: s.totalRecordCount, deltaRecordCount: s.deltaRecordCount });
  }
  return out;
}

/** `user/identifier/kind` of every snapshot, sorted: with distinct identifiers, each must appear exactly once. */
export function commitKeys(snaps: readonly SnapshotInfo[]): string[] {
  return snaps.map((s) => `${s.commitUser}/${s.commitIdentifier}/${s.commitKind}`).sort();
}

// ---------------------------------------------------------------------------- exactly-once

/** The snapshot kinds a commit of these messages creates: APPEND for new data, COMPACT for compaction results. */
export function expectedKinds(messages: readonly CommitMessage[]): string[] {
  const kinds: string[] = [];
  if (messages.some((m) => m.newFiles.length > 0 || (m.deletedFiles?.length ?? 0) > 0 || (m.changelogFiles?.length ?? 0) > 0 || (m.newIndexFiles?.length ?? 0) > 0)) {
    kinds.push(messages.some((m) => (m.deletedFiles?.length ?? 0) > 0) ? "OVERWRITE" : "APPEND");
  }
  if (messages.some((m) => (m.compactBefore?.length ?? 0) > 0 || (m.compactAfter?.length ?? 0) > 0)) kinds.push("COMPACT");
  return kinds;
}

/** Kinds of the snapshots of `commitUser` with this identifier. */
export async function committedKinds(table: FileStoreTable, commitUser: string, identifier: bigint): Promise<Set<string>> {
  const out = new Set<string>();
  for (const s of await snapshotsOf(table)) if (s.commitUser === commitUser && s.commitIdentifier === identifier) out.add(s.commitKind);
  return out;
}

export interface RecoveryLog {
  /** Writer jobs (write + prepareCommit, nothing committed yet) that failed and were run again. */
  jobRetries: number;
  /** Commits that needed the caller's recovery (the committer gave up with an error). */
  recovered: number;
  /** What each recovery found and did, e.g. `u/5: APPEND had landed, committed COMPACT`. */
  outcomes: string[];
  errors: string[];
}

/**
 * The caller's side of exactly-once: commit; if the committer gives up (e.g.
 * CommitStateUnknownError after a publish whose outcome it could not learn), wait, look
 * at which snapshots of this user and identifier exist, and commit only what is missing
 * (everything, or just the compaction part). Never commits a part twice.
 */
export async function commitExactlyOnce(table: FileStoreTable, messages: CommitMessage[], c: CommitSpec, log: RecoveryLog, maxRounds = 30): Promise<void> {
  const kinds = expectedKinds(messages);
  const who = `${c.commitUser}/${c.identifier}`;
  let recovering = false;
  for (let round = 0; ; round++) {
    try {
      let toCommit = messages;
      if (recovering) {
        const done = await committedKinds(table, c.commitUser, c.identifier);
        const missing = kinds.filter((k) => !done.has(k));
        const landed = kinds.filter((k) => done.has(k));
        if (missing.length === 0) {
          log.outcomes.push(`${who}: ${landed.join("+")} had landed, committed nothing`);
          return;
        }
        log.outcomes.push(`${who}: ${landed.length ? `${landed.join("+")} had landed` : "nothing had landed"}, committing ${missing.join("+")}`);
        if (missing.length < kinds.length) {
          // the data landed, the compaction did not: commit just the compaction results
          toCommit = messages.map((m) => ({ ...m, newFiles: [], deletedFiles: [], changelogFiles: [], newIndexFiles: [], deletedIndexFiles: [] }));
        }
      }
      await new FileStoreCommit(await table.refresh(), { commitUser: c.commitUser, ...c.commitOptions }).commit(toCommit, { commitIdentifier: c.identifier });
      return;
    } catch (e) {
      log.errors.push(`${(e as Error).name}: ${(e as Error).message}`);
      if (!recovering) log.recovered++;
      recovering = true;
      if (round + 1 >= maxRounds) throw e;
      await new Promise((r) => setTimeout(r, 100 + 50 * round));
    }
  }
}

/** Runs a job that commits nothing (write + prepareCommit) again when it fails: its files are orphans at worst. */
export async function retryJob<T>(job: () => Promise<T>, log: RecoveryLog, maxRounds = 30): Promise<T> {
  for (let round = 0; ; round++) {
    try {
      return await job();
    } catch (e) {
      log.jobRetries++;
      log.errors.push(`job: ${(e as Error).name}: ${(e as Error).message}`);
      if (round + 1 >= maxRounds) throw e;
      await new Promise((r) => setTimeout(r, 100 + 50 * round));
    }
  }
}
