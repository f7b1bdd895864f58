/**
 * The committer (METADATA.md §7): turns commit messages into snapshots.
 *
 * One commit attempt (§7.2) reads the latest snapshot, checks conflicts where required
 * (§7.3), merges the previous base ++ delta manifests into the new base list (§4.6),
 * writes this commit's entries as the delta list, the changelog list and the complete
 * index manifest (§4.4), and publishes `snapshot-N` with create-if-absent (§7.1): two
 * committers can never both win N. A lost race is retried against the new latest
 * snapshot (with backoff); an ambiguous publish (the store may or may not have written
 * the file) is retried too, and the exactly-once check — a snapshot with the same
 * commit user, identifier and kind since the attempt's base — decides whether it landed,
 * so a commit is never applied twice and never silently lost.
 *
 * Files written by an attempt that certainly did not publish (a preparation failure or a
 * lost race) are deleted best effort. After an ambiguous publish they are kept (the
 * snapshot may reference them) until a later attempt proves that snapshot id went to
 * another commit; if the call ends before that, the orphan-file cleaner removes them.
 */
import { randomUUID } from "node:crypto";
import {
  CommitConflictError,
  CommitStateUnknownError,
  InvalidInputError,
  UnsupportedError,
  isAlreadyExists,
  isNotFound,
  isRetryable,
  joinPath,
  writeFile,
  type FileIO,
  type PaimonError,
} from "@paimon-ts/fileio";
import { deserializeBinaryRow, serializedRowArity } from "../data/binary-row.js";
import type { InternalValue } from "../data/values.js";
import { toHex } from "../manifest/bytes.js";
import { DuplicateFileError, combineIndexEntries, liveEntries, mergeEntries, writeManifestFiles, type PartitionStatsCollector } from "../manifest/entries.js";
import { mergeManifests } from "../manifest/merge.js";
import { FileKind, HASH_INDEX, type DataFileMeta, type IndexFileMeta, type IndexManifestEntry, type ManifestEntry, type ManifestFileMeta } from "../manifest/model.js";
import { MetadataFileNames } from "../manifest/naming.js";
import type { ManifestLayout } from "../manifest/schemas.js";
import { indexManifestWrite, manifestListWrite } from "../manifest/serde.js";
import { rowComparator } from "../read/key-compare.js";
import { bucketMode, partitionFields, trimmedPrimaryKeyFields } from "../schema/table-schema.js";
import { formatHint } from "../snapshot/hint.js";
import { BATCH_COMMIT_IDENTIFIER, createSnapshot, snapshotFromJson, snapshotToJson, type CommitKind, type Snapshot } from "../snapshot/snapshot.js";
import type { FileStoreTable } from "../table/table.js";
import type { DataField, DataType } from "../types/datatype.js";
import { avroCodecForCompression, type CodecName } from "../util/codec.js";
import { parseJson, isJsonObject } from "../util/json.js";
import { checkConflicts, hasDeletesOrDeletionVectors } from "./conflicts.js";
import type { CommitMessage } from "./message.js";
import { commitTableOptions, type CommitTableOptions } from "./options.js";
import { partitionSpecPredicate, partitionStatsCollector, partitionStatsMayContain, describePartition, type PartitionSpec } from "./partition.js";

export interface FileStoreCommitOptions {
  /** Default commit user for calls that do not give one (default: a random UUID). */
  commitUser?: string;
  /** Batch semantics (default true): a commit without changes creates no snapshot. */
  ignoreEmptyCommit?: boolean;
  /** Override `commit.max-retries`. */
  maxRetries?: number;
  /** Override `commit.min-retry-wait` / `commit.max-retry-wait` / `commit.timeout` (ms). */
  minRetryWaitMs?: number;
  maxRetryWaitMs?: number;
  timeoutMs?: number | null;
  /** Manifest `_FILE` layout: `head` (default) or `2.0` (what Java 1.3–2.0 write). */
  manifestLayout?: ManifestLayout;
  /** Clock for `timeMillis` and timeouts (default `Date.now`). */
  now?: () => number;
  /** Waits between retries (default `setTimeout`). */
  sleep?: (ms: number) => Promise<void>;
  /** Jitter source in [0, 1) (default `Math.random`). */
  random?: () => number;
  /** Names of new manifest files (default: a fresh factory per committer). */
  names?: MetadataFileNames;
}

export interface CommitOptions {
  /** Committer identity (default: the committer's). Keep it stable across restarts for exactly-once. */
  commitUser?: string;
  /** Transaction id (default `Long.MAX_VALUE`, the batch identifier). */
  commitIdentifier?: bigint;
  /** Snapshot `properties`. */
  properties?: Record<string, string>;
  /** New watermark; the snapshot stores max(this, previous). */
  watermark?: bigint | null;
  /** Create an APPEND snapshot even without changes (streaming semantics: records the identifier). */
  allowEmpty?: boolean;
  /** Also conflict-check plain appends (Java `appendCommitCheckConflict`). */
  checkAppendConflicts?: boolean;
  /**
   * Dynamic-bucket tables: the snapshot the writer loaded the HASH index from (null = none,
   * an empty table). When given and the commit changes HASH index files, the commit fails
   * with CommitConflictError if another commit changed the HASH index of one of those
   * partitions since: two writers could have put one key into two buckets (§6).
   */
  hashIndexBaseSnapshotId?: bigint | null;
}

export interface OverwriteOptions extends CommitOptions {
  /**
   * Static partition spec to overwrite (a subset of the partition keys; `{}` or undefined
   * = the whole table). Used in static mode; in dynamic mode (as in Java and pypaimon) the
   * overwritten partitions are those of the new files, and the spec only checks that the
   * new files lie inside it.
   */
  partition?: PartitionSpec;
  /** Dynamic partition overwrite (default: the option `dynamic-partition-overwrite`, true). Ignored for unpartitioned tables. */
  dynamic?: boolean;
}

/** The entries of one snapshot. */
interface SnapshotChanges {
  data: ManifestEntry[];
  changelog: ManifestEntry[];
  index: IndexManifestEntry[];
}

interface CommitParams {
  kind: CommitKind;
  detectConflicts: boolean;
  commitUser: string;
  identifier: bigint;
  watermark: bigint | null;
  properties: Record<string, string> | null;
  operation: string | null;
  /** ANALYZE commits: the new statistics file (otherwise inherited while the schema is unchanged). */
  statistics?: string;
  hashIndexBaseSnapshotId?: bigint | null;
}

type Attempt =
  | { status: "committed"; id: bigint }
  | { status: "lost"; error: unknown }
  | { status: "retry"; error: unknown }
  | { status: "unknown"; error: unknown; id: bigint; written: string[] };

/** The entries a set of messages produce (Java `ManifestEntryChanges`). */
interface CollectedChanges {
  appendData: ManifestEntry[];
  appendChangelog: ManifestEntry[];
  appendIndex: IndexManifestEntry[];
  compactData: ManifestEntry[];
  compactChangelog: ManifestEntry[];
  compactIndex: IndexManifestEntry[];
}

const MAX_LONG = 9223372036854775807n;

function entry(kind: FileKind, m: CommitMessage, file: DataFileMeta): ManifestEntry {
  return { kind, partition: m.partition, bucket: m.bucket, totalBuckets: m.totalBuckets, file };
}

function indexEntry(kind: FileKind, m: CommitMessage, indexFile: IndexFileMeta): IndexManifestEntry {
  return { kind, partition: m.partition, bucket: m.bucket, indexFile };
}

function collectChanges(messages: readonly CommitMessage[]): CollectedChanges {
  const c: CollectedChanges = { appendData: [], appendChangelog: [], appendIndex: [], compactData: [], compactChangelog: [], compactIndex: [] };
  for (const m of messages) {
    for (const f of m.newFiles) c.appendData.push(entry(FileKind.ADD, m, f));
    for (const f of m.deletedFiles ?? []) c.appendData.push(entry(FileKind.DELETE, m, f));
    for (const f of m.changelogFiles ?? []) c.appendChangelog.push(entry(FileKind.ADD, m, f));
    // deleted index files before new ones, as Java's ManifestEntryChanges: a bucket-unaware DV index
    // file replaced by one holding some of its vectors must be gone before the new one is added
    for (const f of m.deletedIndexFiles ?? []) c.appendIndex.push(indexEntry(FileKind.DELETE, m, f));
    for (const f of m.newIndexFiles ?? []) c.appendIndex.push(indexEntry(FileKind.ADD, m, f));
    for (const f of m.compactBefore ?? []) c.compactData.push(entry(FileKind.DELETE, m, f));
    for (const f of m.compactAfter ?? []) c.compactData.push(entry(FileKind.ADD, m, f));
    for (const f of m.compactChangelogFiles ?? []) c.compactChangelog.push(entry(FileKind.ADD, m, f));
    for (const f of m.compactDeletedIndexFiles ?? []) c.compactIndex.push(indexEntry(FileKind.DELETE, m, f));
    for (const f of m.compactIndexFiles ?? []) c.compactIndex.push(indexEntry(FileKind.ADD, m, f));
  }
  return c;
}

function rowCountOf(entries: readonly ManifestEntry[], kind: FileKind): bigint {
  let n = 0n;
  for (const e of entries) if (e.kind === kind) n += e.file.rowCount;
  return n;
}

/** An error of a commit whose first snapshot landed before its second part failed. */
export interface PartialCommitFailure {
  /** Ids of the snapshots this call did create before the failure. */
  committedSnapshotIds: bigint[];
}

/**
 * The COMPACT part of a commit can fail after its APPEND/OVERWRITE part landed (as in
 * Java). The error then says so, and carries the ids already committed, so that a caller
 * does not re-commit the new files.
 */
async function partial(committed: readonly bigint[], p: Promise<bigint>): Promise<bigint> {
  try {
    return await p;
  } catch (e) {
    if (committed.length > 0 && e instanceof Error) {
      e.message += ` (snapshot ${committed.join(", ")} of the same commit was already committed; only the compaction part failed)`;
      (e as Error & PartialCommitFailure).committedSnapshotIds = [...committed];
    }
    throw e;
  }
}

function defaultSleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Errors after which a publish certainly did not write anything. */
function definitivePublishFailure(e: unknown): boolean {
  const code = (e as PaimonError | undefined)?.code;
  return code === "PERMISSION" || code === "INVALID_PATH" || code === "INVALID_INPUT" || code === "UNSUPPORTED";
}

export class FileStoreCommit {
  readonly commitUser: string;
  private readonly io: FileIO;
  private readonly options: CommitTableOptions;
  private readonly pFields: DataField[];
  private readonly keyTypes: DataType[] | null;
  private readonly bucketUnaware: boolean;
  private readonly names: MetadataFileNames;
  private readonly codec: CodecName;
  private readonly ignoreEmptyCommit: boolean;
  private readonly maxRetries: number;
  private readonly minWait: number;
  private readonly maxWait: number;
  private readonly timeoutMs: number | null;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;
  private readonly layout: ManifestLayout;
  private readonly statsCollector: PartitionStatsCollector;
  private readonly mayContain: (meta: ManifestFileMeta, partitions: Uint8Array[]) => boolean;
  private readonly statsSchemaCache = new Map<string, bigint | null>();

  constructor(
    readonly table: FileStoreTable,
    opts: FileStoreCommitOptions = {},
  ) {
    this.io = table.io;
    const schema = table.schema;
    this.options = commitTableOptions(schema.options);
    this.pFields = partitionFields(schema);
    this.keyTypes = schema.primaryKeys.length > 0 ? trimmedPrimaryKeyFields(schema).map((f) => f.type) : null;
    this.bucketUnaware = bucketMode(schema) === "BUCKET_UNAWARE";
    this.names = opts.names ?? new MetadataFileNames();
    this.codec = avroCodecForCompression(this.options.manifestCompression);
    this.commitUser = opts.commitUser ?? randomUUID();
    const ignoreEmpty = schema.options["snapshot.ignore-empty-commit"];
    this.ignoreEmptyCommit = opts.ignoreEmptyCommit ?? (ignoreEmpty === undefined ? true : ignoreEmpty.trim().toLowerCase() !== "false");
    this.maxRetries = opts.maxRetries ?? this.options.commitMaxRetries;
    this.minWait = opts.minRetryWaitMs ?? this.options.commitMinRetryWaitMs;
    this.maxWait = opts.maxRetryWaitMs ?? this.options.commitMaxRetryWaitMs;
    this.timeoutMs = opts.timeoutMs !== undefined ? opts.timeoutMs : this.options.commitTimeoutMs;
    this.now = opts.now ?? Date.now;
    this.sleep = opts.sleep ?? defaultSleep;
    this.random = opts.random ?? Math.random;
    this.layout = opts.manifestLayout ?? "head";
    const pTypes = this.pFields.map((f) => f.type);
    this.statsCollector = partitionStatsCollector(pTypes);
    this.mayContain = partitionStatsMayContain(pTypes);
  }

  // ---------------------------------------------------------------- public API

  /**
   * Commits the messages: the new files (and deletions, changelog, index changes) as an
   * APPEND snapshot — OVERWRITE when it deletes files or changes deletion vectors — then
   * the compaction results as a COMPACT snapshot with the same identifier. Returns the
   * ids of the snapshots created (none for an empty batch commit).
   */
  async commit(messages: readonly CommitMessage[], opts: CommitOptions = {}): Promise<bigint[]> {
    this.checkSupported();
    this.validateMessages(messages);
    const params = this.baseParams(opts);
    const c = collectChanges(messages);
    this.checkNoDuplicates(c);
    const ids: bigint[] = [];
    const appendEmpty = c.appendData.length === 0 && c.appendChangelog.length === 0 && c.appendIndex.length === 0;
    if (!appendEmpty || opts.allowEmpty || !this.ignoreEmptyCommit) {
      const overwrite = hasDeletesOrDeletionVectors(c.appendData, c.appendIndex);
      const changes: SnapshotChanges = { data: c.appendData, changelog: c.appendChangelog, index: c.appendIndex };
      ids.push(
        await this.tryCommit(async () => changes, {
          ...params,
          kind: overwrite ? "OVERWRITE" : "APPEND",
          detectConflicts: overwrite || opts.checkAppendConflicts === true,
        }),
      );
    }
    if (c.compactData.length > 0 || c.compactChangelog.length > 0 || c.compactIndex.length > 0) {
      const changes: SnapshotChanges = { data: c.compactData, changelog: c.compactChangelog, index: c.compactIndex };
      ids.push(await partial(ids, this.tryCommit(async () => changes, { ...params, kind: "COMPACT", detectConflicts: true })));
    }
    return ids;
  }

  /**
   * INSERT OVERWRITE (§7.5): one OVERWRITE snapshot that deletes every live file and index
   * file of the overwritten partitions (recomputed against the latest snapshot on each
   * retry) and adds the new files. Dynamic mode with no new files changes nothing and
   * creates no snapshot. Changelog files are not committed by an overwrite (as in Java);
   * compaction results in the messages follow as a COMPACT snapshot.
   */
  async overwrite(messages: readonly CommitMessage[], opts: OverwriteOptions = {}): Promise<bigint[]> {
    this.checkSupported();
    this.validateMessages(messages);
    const c = collectChanges(messages);
    this.checkNoDuplicates(c);
    if (c.appendData.some((e) => e.kind === FileKind.DELETE)) {
      throw new InvalidInputError(`table ${this.table.name}: an overwrite cannot carry deleted files (they are replaced anyway)`);
    }
    const params = this.baseParams(opts);
    const partitioned = this.pFields.length > 0;
    const dynamic = partitioned && (opts.dynamic ?? this.options.dynamicPartitionOverwrite);
    const spec = opts.partition && Object.keys(opts.partition).length > 0 ? opts.partition : null;
    const staticFilter = spec ? partitionSpecPredicate(this.pFields, [spec], this.table.name) : null;
    if (staticFilter) {
      for (const e of c.appendData) {
        if (!staticFilter(e.partition)) {
          throw new InvalidInputError(
            `table ${this.table.name}: trying to overwrite partition ${JSON.stringify(spec, (_k, v) => (typeof v === "bigint" ? v.toString() : v))}, ` +
              `but the new file ${e.file.fileName} in ${describePartition(this.pFields, e.partition)} does not belong to it`,
          );
        }
      }
    }
    let filter: ((p: Uint8Array) => boolean) | null = staticFilter;
    let skip = false;
    if (dynamic) {
      if (c.appendData.length === 0) skip = true;
      const touched = new Set(c.appendData.map((e) => toHex(e.partition)));
      filter = (p) => touched.has(toHex(p));
    }
    const hasCompaction = c.compactData.length > 0 || c.compactIndex.length > 0 || c.compactChangelog.length > 0;
    const adds = hasCompaction ? c.appendData : this.tryUpgrade(c.appendData);
    const ids: bigint[] = [];
    if (!skip) ids.push(await this.tryOverwrite(filter, adds, c.appendIndex, params));
    if (hasCompaction) {
      const changes: SnapshotChanges = { data: c.compactData, changelog: c.compactChangelog, index: c.compactIndex };
      ids.push(await partial(ids, this.tryCommit(async () => changes, { ...params, kind: "COMPACT", detectConflicts: true })));
    }
    return ids;
  }

  /** TRUNCATE TABLE: an OVERWRITE snapshot deleting every live data and index file (`operation` TRUNCATE). */
  async truncateTable(opts: Omit<CommitOptions, "allowEmpty" | "checkAppendConflicts"> = {}): Promise<bigint> {
    this.checkSupported();
    return this.tryOverwrite(null, [], [], { ...this.baseParams(opts), operation: "TRUNCATE" });
  }

  /** Drops partitions: an OVERWRITE snapshot deleting the live files of every matching partition (`operation` TRUNCATE). */
  async dropPartitions(partitions: readonly PartitionSpec[], opts: Omit<CommitOptions, "allowEmpty" | "checkAppendConflicts"> = {}): Promise<bigint> {
    this.checkSupported();
    if (partitions.length === 0) throw new InvalidInputError(`table ${this.table.name}: the partition list cannot be empty`);
    if (this.pFields.length === 0) throw new InvalidInputError(`table ${this.table.name} is not partitioned`);
    for (const p of partitions) {
      if (Object.keys(p).length === 0) throw new InvalidInputError(`table ${this.table.name}: an empty partition spec would drop the whole table; use truncateTable`);
    }
    const filter = partitionSpecPredicate(this.pFields, partitions, this.table.name);
    return this.tryOverwrite(filter, [], [], { ...this.baseParams(opts), operation: "TRUNCATE" });
  }

  /**
   * An ANALYZE snapshot (no data change) that publishes a table-statistics file already
   * written to `statistics/<name>` (JSON with at least `schemaId`). Later commits keep
   * referencing it while the latest schema id equals its `schemaId`.
   */
  async commitStatistics(statisticsFile: string, opts: Omit<CommitOptions, "allowEmpty" | "checkAppendConflicts"> = {}): Promise<bigint> {
    this.checkSupported();
    if (!/^[^/\\]+$/.test(statisticsFile)) throw new InvalidInputError(`invalid statistics file name ${JSON.stringify(statisticsFile)}`);
    if (!(await this.io.exists(joinPath(this.table.path, "statistics", statisticsFile)))) {
      throw new InvalidInputError(`table ${this.table.name}: statistics file ${statisticsFile} does not exist`);
    }
    const empty: SnapshotChanges = { data: [], changelog: [], index: [] };
    return this.tryCommit(async () => empty, { ...this.baseParams(opts), kind: "ANALYZE", detectConflicts: false, statistics: statisticsFile, hashIndexBaseSnapshotId: undefined });
  }

  /**
   * The identifiers not yet committed by `commitUser` (§7.4): those greater than the
   * identifier of the user's latest snapshot. `identifiers` must be ascending.
   */
  async filterCommitted(commitUser: string, identifiers: readonly bigint[]): Promise<bigint[]> {
    for (let i = 1; i < identifiers.length; i++) {
      if (identifiers[i] < identifiers[i - 1]) throw new InvalidInputError("committables must be sorted by identifier before filtering");
    }
    const latest = await latestSnapshotOfUser(this.table, commitUser);
    if (!latest) return [...identifiers];
    return identifiers.filter((id) => id > latest.commitIdentifier);
  }

  // ---------------------------------------------------------------- helpers

  private checkSupported(): void {
    if (this.options.rowTracking || this.options.dataEvolution) {
      throw new UnsupportedError(`table ${this.table.name}: committing to tables with row tracking or data evolution is not supported by paimon-ts`);
    }
  }

  private validateMessages(messages: readonly CommitMessage[]): void {
    const arity = this.pFields.length;
    for (const m of messages) {
      let a: number;
      try {
        a = serializedRowArity(m.partition);
      } catch (e) {
        throw new InvalidInputError(`table ${this.table.name}: invalid partition bytes in a commit message: ${(e as Error).message}`);
      }
      if (a !== arity) throw new InvalidInputError(`table ${this.table.name}: a commit message's partition has ${a} fields, the table has ${arity} partition keys`);
      if (!Number.isInteger(m.bucket)) throw new InvalidInputError(`table ${this.table.name}: invalid bucket ${String(m.bucket)}`);
    }
  }

  /** A file added twice by one commit would corrupt the table; cheap to check without I/O. */
  private checkNoDuplicates(c: CollectedChanges): void {
    for (const entries of [c.appendData, c.compactData, c.appendChangelog, c.compactChangelog]) {
      try {
        mergeEntries(entries);
      } catch (e) {
        if (e instanceof DuplicateFileError) throw new InvalidInputError(`table ${this.table.name}: the commit adds the same file twice: ${e.message}`);
        throw e;
      }
    }
  }

  private baseParams(opts: CommitOptions): Omit<CommitParams, "kind" | "detectConflicts"> & { kind: CommitKind; detectConflicts: boolean } {
    const identifier = opts.commitIdentifier ?? BATCH_COMMIT_IDENTIFIER;
    if (identifier < -MAX_LONG - 1n || identifier > MAX_LONG) throw new InvalidInputError(`commit identifier ${identifier} is not a Java long`);
    const props = opts.properties && Object.keys(opts.properties).length > 0 ? { ...opts.properties } : null;
    return {
      kind: "APPEND",
      detectConflicts: false,
      commitUser: opts.commitUser ?? this.commitUser,
      identifier,
      watermark: opts.watermark ?? null,
      properties: props,
      operation: null,
      hashIndexBaseSnapshotId: opts.hashIndexBaseSnapshotId,
    };
  }

  /** Java `tryUpgrade`: overwrite files of PK fixed-bucket tables go straight to the max level when their key ranges allow. */
  private tryUpgrade(adds: ManifestEntry[]): ManifestEntry[] {
    if (!this.options.overwriteUpgrade || this.keyTypes === null || adds.length === 0) return adds;
    if (adds.some((e) => e.file.level > 0 || e.bucket < 0)) return adds;
    const keyTypes = this.keyTypes;
    const cmp = rowComparator(keyTypes);
    const maxLevel = this.options.numLevels - 1;
    const groups = new Map<string, ManifestEntry[]>();
    for (const e of adds) {
      const k = `${toHex(e.partition)}/${e.bucket}`;
      let g = groups.get(k);
      if (!g) groups.set(k, (g = []));
      g.push(e);
    }
    const out: ManifestEntry[] = [];
    for (const g of groups.values()) {
      const sorted = g
        .map((e) => ({ e, min: deserializeBinaryRow(keyTypes, e.file.minKey) as InternalValue[], max: deserializeBinaryRow(keyTypes, e.file.maxKey) as InternalValue[] }))
        .sort((a, b) => cmp(a.min, b.min));
      let overlap = false;
      for (let i = 1; i < sorted.length && !overlap; i++) if (cmp(sorted[i - 1].max, sorted[i].min) >= 0) overlap = true;
      if (overlap) out.push(...g);
      else out.push(...g.map((e) => ({ ...e, file: { ...e.file, level: maxLevel } })));
    }
    return out;
  }

  private tryOverwrite(
    filter: ((p: Uint8Array) => boolean) | null,
    adds: ManifestEntry[],
    indexChanges: IndexManifestEntry[],
    params: Omit<CommitParams, "kind" | "detectConflicts">,
  ): Promise<bigint> {
    const provider = async (latest: Snapshot | null): Promise<SnapshotChanges> => {
      if (!latest) return { data: [...adds], changelog: [], index: [...indexChanges] };
      const live = await this.table.liveEntries(latest);
      const deletes = live.filter((e) => filter === null || filter(e.partition)).map((e) => ({ ...e, kind: FileKind.DELETE }));
      const liveIndex = await this.table.indexEntries(latest);
      const indexDeletes = liveIndex.filter((e) => filter === null || filter(e.partition)).map((e) => ({ ...e, kind: FileKind.DELETE }));
      return { data: [...deletes, ...adds], changelog: [], index: [...indexDeletes, ...indexChanges] };
    };
    // an overwrite rebuilds the index of its partitions from scratch: no base to compare with
    return this.tryCommit(provider, { ...params, kind: "OVERWRITE", detectConflicts: true, hashIndexBaseSnapshotId: undefined });
  }

  private backoff(retry: number): number {
    const base = Math.min(this.minWait * 2 ** Math.min(retry, 30), this.maxWait);
    return Math.round(base + base * 0.2 * this.random());
  }

  /**
   * The commit loop: attempts until one publishes, the outcome is known, or retries run
   * out. While an ambiguous attempt (publish outcome unknown, targeting snapshot N) is
   * unresolved, every retry first runs the exactly-once check; once the latest snapshot
   * is at least N and none of [first target, latest] is ours, the attempt certainly did
   * not land (N belongs to someone else), and its files are deleted. Any failure while an
   * attempt is unresolved surfaces as CommitStateUnknownError, never as a plain error a
   * caller might answer by committing again.
   */
  private async tryCommit(provider: (latest: Snapshot | null) => Promise<SnapshotChanges>, params: CommitParams): Promise<bigint> {
    const started = this.now();
    const what = `${params.kind} commit of user ${params.commitUser} with identifier ${params.identifier} to table ${this.table.name}`;
    let checkFrom: bigint | null = null;
    let pending: { id: bigint; written: string[]; error: unknown }[] = [];
    let lastError: unknown = null;
    for (let attempt = 0; ; attempt++) {
      let outcome: Attempt;
      try {
        const latest = await this.table.snapshots.latest();
        if (checkFrom !== null) {
          const done = await this.findCommitted(checkFrom, latest, params);
          if (done !== null) return done;
          const latestId = latest?.id ?? 0n;
          const resolved = pending.filter((p) => p.id <= latestId);
          pending = pending.filter((p) => p.id > latestId);
          for (const p of resolved) await this.deleteQuietly(p.written);
        }
        const changes = await provider(latest);
        checkFrom ??= (latest?.id ?? 0n) + 1n;
        outcome = await this.tryCommitOnce(latest, changes, params);
      } catch (e) {
        if (pending.length > 0) {
          throw new CommitStateUnknownError(`${what}: an earlier attempt may have landed as snapshot ${pending[0].id}, and retrying failed: ${(e as Error)?.message}`, { cause: e });
        }
        if (!isRetryable(e)) throw e;
        outcome = { status: "retry", error: e };
      }
      if (outcome.status === "committed") return outcome.id;
      lastError = outcome.error;
      if (outcome.status === "unknown") pending.push({ id: outcome.id, written: outcome.written, error: outcome.error });
      const elapsed = this.now() - started;
      if (attempt >= this.maxRetries || (this.timeoutMs !== null && elapsed > this.timeoutMs)) {
        if (pending.length > 0) {
          // one attempt may still have landed: the caller must not assume either outcome
          const done = await this.findCommitted(checkFrom ?? 1n, await this.table.snapshots.latest(), params).catch(() => null);
          if (done !== null) return done;
          throw new CommitStateUnknownError(`${what}: the outcome is unknown after ${attempt + 1} attempts (last error: ${(lastError as Error)?.message})`, { cause: lastError });
        }
        throw new CommitConflictError(
          `${what} failed after ${attempt + 1} attempts in ${elapsed} ms; other jobs may be committing to the same table concurrently (last error: ${(lastError as Error)?.message})`,
          { cause: lastError },
        );
      }
      await this.sleep(this.backoff(attempt));
    }
  }

  /** Exactly-once check (§7.2 step 2): a snapshot in [from, latest] with our user, identifier and kind. */
  private async findCommitted(from: bigint, latest: Snapshot | null, p: CommitParams): Promise<bigint | null> {
    if (!latest) return null;
    for (let id = latest.id; id >= from; id--) {
      let s: Snapshot;
      try {
        s = await this.table.snapshots.snapshot(id);
      } catch (e) {
        if (isNotFound(e)) break; // expired
        throw e;
      }
      if (s.commitUser === p.commitUser && s.commitIdentifier === p.identifier && s.commitKind === p.kind) return s.id;
    }
    return null;
  }

  private async tryCommitOnce(latest: Snapshot | null, changes: SnapshotChanges, p: CommitParams): Promise<Attempt> {
    const newId = latest ? latest.id + 1n : 1n;
    const written: string[] = [];
    let snapshot: Snapshot;
    try {
      const schema = await this.table.schemas.latest();
      if (!schema) throw new InvalidInputError(`table ${this.table.name} has no schema`);

      if (p.hashIndexBaseSnapshotId !== undefined) await this.checkHashIndexBase(latest, changes, p.hashIndexBaseSnapshotId);

      if (p.detectConflicts) {
        const base = latest ? await this.liveEntriesOfPartitions(latest, [...changes.data.map((e) => e.partition), ...changes.index.map((e) => e.partition)]) : [];
        const baseIndex = latest ? await this.table.indexEntries(latest) : [];
        const conflict = checkConflicts({
          table: this.table.name,
          kind: p.kind,
          partitionFields: this.pFields,
          keyTypes: this.keyTypes,
          bucketUnaware: this.bucketUnaware,
          base,
          delta: changes.data,
          baseIndex,
          deltaIndex: changes.index,
          baseCommitUser: latest?.commitUser ?? null,
          commitUser: p.commitUser,
        });
        if (conflict) throw conflict;
      }

      // base list = merge(previous base ++ previous delta)
      const mergeBefore: ManifestFileMeta[] = latest ? [...(await this.table.manifestList(latest.baseManifestList)), ...(await this.table.manifestList(latest.deltaManifestList))] : [];
      const merged = await mergeManifests(
        mergeBefore,
        { read: (m) => this.table.manifestFile(m), write: (entries) => this.writeManifests(entries, written) },
        {
          targetFileSize: this.options.manifestTargetFileSize,
          mergeMinCount: this.options.manifestMergeMinCount,
          fullCompactionThresholdSize: this.options.manifestFullCompactionThresholdSize,
          mayContainPartitions: this.mayContain,
        },
      );
      const baseList = await this.writeManifestList(merged.manifests, written);

      // delta list = this commit's entries
      const deltaList = await this.writeManifestList(await this.writeManifests(changes.data, written), written);

      let changelogList: { name: string; size: bigint } | null = null;
      if (changes.changelog.length > 0) changelogList = await this.writeManifestList(await this.writeManifests(changes.changelog, written), written);

      let indexManifest = latest?.indexManifest ?? null;
      if (changes.index.length > 0) {
        const previous = latest ? await this.table.indexEntries(latest) : [];
        const combined = combineIndexEntries(previous, changes.index, { bucketUnaware: this.bucketUnaware });
        indexManifest = await this.writeIndexManifest(combined, written);
      }

      const deltaRecordCount = rowCountOf(changes.data, FileKind.ADD) - rowCountOf(changes.data, FileKind.DELETE);
      let watermark = p.watermark;
      const prevWatermark = latest?.watermark ?? null;
      if (prevWatermark !== null && (watermark === null || prevWatermark > watermark)) watermark = prevWatermark;

      snapshot = createSnapshot({
        uuid: randomUUID(),
        id: newId,
        schemaId: schema.id,
        baseManifestList: baseList.name,
        baseManifestListSize: baseList.size,
        deltaManifestList: deltaList.name,
        deltaManifestListSize: deltaList.size,
        changelogManifestList: changelogList?.name ?? null,
        changelogManifestListSize: changelogList?.size ?? null,
        indexManifest,
        commitUser: p.commitUser,
        commitIdentifier: p.identifier,
        commitKind: p.kind,
        timeMillis: BigInt(this.now()),
        totalRecordCount: (latest?.totalRecordCount ?? 0n) + deltaRecordCount,
        deltaRecordCount,
        changelogRecordCount: changelogList ? rowCountOf(changes.changelog, FileKind.ADD) : null,
        watermark,
        statistics: p.statistics ?? (await this.inheritStatistics(latest, schema.id)),
        properties: p.properties,
        nextRowId: latest?.nextRowId ?? 0n,
        operation: p.operation,
      });
    } catch (e) {
      await this.deleteQuietly(written);
      if (isRetryable(e) || isRetryable((e as { cause?: unknown } | null)?.cause)) return { status: "retry", error: e };
      throw e;
    }

    // publish (§7.1): exclusive create, never an overwrite
    const path = this.table.paths.snapshot(newId);
    try {
      await this.io.createIfAbsent(path, new TextEncoder().encode(snapshotToJson(snapshot)));
    } catch (e) {
      if (isAlreadyExists(e)) {
        await this.deleteQuietly(written);
        return { status: "lost", error: e };
      }
      if (definitivePublishFailure(e)) {
        await this.deleteQuietly(written);
        throw e;
      }
      // ambiguous: did our file land? Compare the uuid of whatever is at snapshot-N.
      try {
        const found = snapshotFromJson(new TextDecoder().decode(await this.io.readFile(path)), `table ${this.table.name} snapshot-${newId}`);
        if (found.uuid === snapshot.uuid) {
          await this.afterPublish(newId);
          return { status: "committed", id: newId };
        }
        await this.deleteQuietly(written);
        return { status: "lost", error: e };
      } catch {
        return { status: "unknown", error: e, id: newId, written };
      }
    }
    await this.afterPublish(newId);
    return { status: "committed", id: newId };
  }

  /** `LATEST` (digits only; up to 3 tries, failures ignored) and `EARLIEST` when missing. */
  private async afterPublish(id: bigint): Promise<void> {
    const bytes = new TextEncoder().encode(formatHint(id));
    for (let i = 0; i < 3; i++) {
      try {
        await this.io.overwrite(this.table.paths.hint("LATEST"), bytes);
        break;
      } catch {
        // a stale hint is harmless: readers verify it
      }
    }
    try {
      if (!(await this.io.exists(this.table.paths.hint("EARLIEST")))) {
        const earliest = await this.table.snapshots.earliestId();
        if (earliest !== null) await this.io.overwrite(this.table.paths.hint("EARLIEST"), new TextEncoder().encode(formatHint(earliest)));
      }
    } catch {
      // best effort
    }
  }

  /** The HASH index of the partitions this commit re-indexes must be what the writer loaded. */
  private async checkHashIndexBase(latest: Snapshot | null, changes: SnapshotChanges, base: bigint | null): Promise<void> {
    const hash = changes.index.filter((e) => e.indexFile.indexType === HASH_INDEX);
    if (hash.length === 0) return;
    const parts = new Set(hash.map((e) => toHex(e.partition)));
    const fingerprint = (entries: readonly IndexManifestEntry[]): string =>
      entries
        .filter((e) => e.indexFile.indexType === HASH_INDEX && parts.has(toHex(e.partition)))
        .map((e) => `${toHex(e.partition)}|${e.bucket}|${e.indexFile.fileName}`)
        .sort()
        .join(",");
    let baseEntries: IndexManifestEntry[] = [];
    if (base !== null) {
      try {
        baseEntries = await this.table.indexEntries(await this.table.snapshots.snapshot(base));
      } catch (e) {
        if (!isNotFound(e)) throw e;
        throw new CommitConflictError(`table ${this.table.name}: HASH index conflict: the writer's base snapshot ${base} no longer exists`);
      }
    }
    const now = latest ? await this.table.indexEntries(latest) : [];
    if (fingerprint(baseEntries) !== fingerprint(now)) {
      const first = hash[0];
      throw new CommitConflictError(
        `table ${this.table.name}: HASH index conflict in partition ${describePartition(this.pFields, first.partition)}: ` +
          `another commit changed the bucket index since snapshot ${base ?? "<none>"} (latest is ${latest?.id ?? "<none>"}); keys may have been assigned to two buckets`,
      );
    }
  }

  /**
   * The live entries of a snapshot in the given partitions. Manifests whose partition
   * stats exclude all of them are skipped: their ADD and DELETE entries are all elsewhere.
   */
  private async liveEntriesOfPartitions(snapshot: Snapshot, partitions: Uint8Array[]): Promise<ManifestEntry[]> {
    const distinct = [...new Map(partitions.map((p) => [toHex(p), p])).values()];
    if (distinct.length === 0) return [];
    const metas = [...(await this.table.manifestList(snapshot.baseManifestList)), ...(await this.table.manifestList(snapshot.deltaManifestList))].filter((m) =>
      this.mayContain(m, distinct),
    );
    const wanted = new Set(distinct.map(toHex));
    const entries = (await Promise.all(metas.map((m) => this.table.manifestFile(m)))).flat().filter((e) => wanted.has(toHex(e.partition)));
    return liveEntries(entries);
  }

  private async deleteQuietly(paths: readonly string[]): Promise<void> {
    await Promise.all(paths.map((p) => this.io.delete(p).catch(() => false)));
  }

  private writeOptions() {
    return { codec: this.codec, zstdLevel: this.options.zstdLevel };
  }

  private async writeManifests(entries: ManifestEntry[], written: string[]): Promise<ManifestFileMeta[]> {
    if (entries.length === 0) return [];
    const files = await writeManifestFiles(entries, {
      ...this.writeOptions(),
      layout: this.layout,
      newFileName: () => this.names.newManifestFile(),
      targetFileSize: this.options.manifestTargetFileSize,
      partitionStats: this.statsCollector,
    });
    for (const f of files) {
      const path = this.table.paths.manifest(f.meta.fileName);
      written.push(path);
      await writeFile(this.io, path, f.bytes);
    }
    return files.map((f) => f.meta);
  }

  private async writeManifestList(metas: readonly ManifestFileMeta[], written: string[]): Promise<{ name: string; size: bigint }> {
    const bytes = await manifestListWrite(metas, this.writeOptions());
    const name = this.names.newManifestList();
    const path = this.table.paths.manifest(name);
    written.push(path);
    await writeFile(this.io, path, bytes);
    return { name, size: BigInt(bytes.length) };
  }

  private async writeIndexManifest(entries: readonly IndexManifestEntry[], written: string[]): Promise<string> {
    const bytes = await indexManifestWrite(entries, this.writeOptions());
    const name = this.names.newIndexManifest();
    const path = this.table.paths.manifest(name);
    written.push(path);
    await writeFile(this.io, path, bytes);
    return name;
  }

  /** Java keeps the previous statistics file only while its schema is still the latest. */
  private async inheritStatistics(latest: Snapshot | null, schemaId: bigint): Promise<string | null> {
    const name = latest?.statistics ?? null;
    if (name === null) return null;
    let statsSchema = this.statsSchemaCache.get(name);
    if (statsSchema === undefined) {
      try {
        const j = parseJson(new TextDecoder().decode(await this.io.readFile(joinPath(this.table.path, "statistics", name))));
        const v = isJsonObject(j) ? j.schemaId : undefined;
        statsSchema = typeof v === "number" || typeof v === "bigint" ? BigInt(v) : null;
      } catch {
        statsSchema = null;
      }
      this.statsSchemaCache.set(name, statsSchema);
    }
    return statsSchema === schemaId ? name : null;
  }
}

/**
 * The latest snapshot committed by `commitUser` (§7.4): walks back from the latest
 * snapshot and stops at the first one that no longer exists (expired).
 */
export async function latestSnapshotOfUser(table: FileStoreTable, commitUser: string): Promise<Snapshot | null> {
  const latest = await table.snapshots.latestId();
  if (latest === null) return null;
  const earliest = (await table.snapshots.earliestId()) ?? 1n;
  for (let id = latest; id >= earliest; id--) {
    let s: Snapshot;
    try {
      s = await table.snapshots.snapshot(id);
    } catch (e) {
      if (isNotFound(e)) return null;
      throw e;
    }
    if (s.commitUser === commitUser) return s;
  }
  return null;
}
