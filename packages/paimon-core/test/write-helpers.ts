/**
 * Test-only helpers for the write tests: a temporary warehouse, committing writer
 * messages (through the real committer, src/commit's `FileStoreCommit`; a MINIMAL
 * single-writer committer — manifest files + base/delta lists + index manifest +
 * snapshot, no conflict detection, no manifest merging — is kept as a fallback, selected
 * with PAIMON_TS_WRITE_TEST_MINIMAL_COMMIT=1), and canonical-JSON conversion for
 * comparing with the Java and Python oracles.
 */
import { LocalFileIO } from "@paimon-ts/fileio-local";
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CommitMessage } from "../src/commit/message.js";
import { FileStoreCommit } from "../src/commit/index.js";
import { deserializeBinaryRow } from "../src/data/binary-row.js";
import { canonicalEncode, canonicalDecode, type CanonicalJson } from "../src/data/canonical.js";
import { simpleStatsToBinary, statsCollect } from "../src/data/stats.js";
import type { InternalValue } from "../src/data/values.js";
import { vectorOf } from "../src/data/vector.js";
import { FileSystemCatalog } from "../src/catalog/catalog.js";
import { combineIndexEntries, writeManifestFiles } from "../src/manifest/entries.js";
import { FileKind, type IndexManifestEntry, type ManifestEntry, type SimpleStats } from "../src/manifest/model.js";
import { MetadataFileNames } from "../src/manifest/naming.js";
import { indexManifestWrite, manifestListWrite } from "../src/manifest/serde.js";
import { readTable, resultRows } from "../src/read/reader.js";
import { partitionFields, type ColumnSpec } from "../src/schema/table-schema.js";
import { createSnapshot, snapshotToJson, type CommitKind, type Snapshot } from "../src/snapshot/snapshot.js";
import type { FileStoreTable } from "../src/table/table.js";
import { parseTypeString } from "../src/types/parse.js";
import type { DataField } from "../src/types/datatype.js";

export const io = new LocalFileIO();

const warehouses: string[] = [];
afterAll(() => {
  for (const w of warehouses.splice(0)) rmSync(w, { recursive: true, force: true });
});

/** A fresh temporary warehouse directory, removed after the test file. */
export function tempWarehouse(prefix = "paimon-write-"): string {
  const w = mkdtempSync(join(tmpdir(), prefix));
  warehouses.push(w);
  return w;
}

export async function newCatalog(warehouse: string, db = "db"): Promise<FileSystemCatalog> {
  const c = new FileSystemCatalog(io, warehouse);
  await c.createDatabase(db);
  return c;
}

export interface TableSpec {
  fields: { name: string; type: string }[];
  primaryKeys?: string[];
  partitionKeys?: string[];
  options?: Record<string, string>;
}

export async function createTable(catalog: FileSystemCatalog, name: string, spec: TableSpec): Promise<FileStoreTable> {
  const columns: ColumnSpec[] = spec.fields.map((f) => ({ name: f.name, type: parseTypeString(f.type) }));
  return catalog.createTable(name, { columns, primaryKeys: spec.primaryKeys, partitionKeys: spec.partitionKeys, options: spec.options ?? {} });
}

// ---------------------------------------------------------------------------------------
// Minimal committer (test only)

function partitionStatsCollector(table: FileStoreTable): (partitions: Uint8Array[]) => SimpleStats {
  const fields = partitionFields(table.schema);
  const types = fields.map((f) => f.type);
  return (partitions) => {
    const rows = partitions.map((p) => deserializeBinaryRow(types, p));
    const stats = types.map((t, i) =>
      statsCollect(
        t,
        vectorOf(
          t,
          rows.map((r) => r[i]),
        ),
        { kind: "full" },
      ),
    );
    return simpleStatsToBinary(types, stats);
  };
}

async function commitOnce(
  table: FileStoreTable,
  kind: CommitKind,
  entries: ManifestEntry[],
  indexChanges: IndexManifestEntry[],
  commitUser: string,
): Promise<bigint> {
  const names = new MetadataFileNames();
  const latest: Snapshot | null = await table.snapshots.latest();
  const prevMetas = latest ? [...(await table.manifestList(latest.baseManifestList)), ...(await table.manifestList(latest.deltaManifestList))] : [];
  const schemaId = (await table.schemas.latest())?.id ?? table.schema.id;
  const baseBytes = await manifestListWrite(prevMetas);
  const baseName = names.newManifestList();
  await io.createIfAbsent(table.paths.manifest(baseName), baseBytes);
  const written = await writeManifestFiles(entries, { newFileName: () => names.newManifestFile(), partitionStats: partitionStatsCollector(table) });
  for (const w of written) await io.createIfAbsent(table.paths.manifest(w.meta.fileName), w.bytes);
  const deltaBytes = await manifestListWrite(written.map((w) => w.meta));
  const deltaName = names.newManifestList();
  await io.createIfAbsent(table.paths.manifest(deltaName), deltaBytes);
  let indexManifest = latest?.indexManifest ?? null;
  if (indexChanges.length > 0) {
    const prev = latest ? await table.indexEntries(latest) : [];
    const all = combineIndexEntries(prev, indexChanges);
    indexManifest = names.newIndexManifest();
    await io.createIfAbsent(table.paths.manifest(indexManifest), await indexManifestWrite(all));
  }
  let delta = 0n;
  for (const e of entries) delta += e.kind === FileKind.ADD ? e.file.rowCount : -e.file.rowCount;
  const id = (latest?.id ?? 0n) + 1n;
  const snap = createSnapshot({
    id,
    uuid: randomUUID(),
    schemaId,
    baseManifestList: baseName,
    baseManifestListSize: BigInt(baseBytes.length),
    deltaManifestList: deltaName,
    deltaManifestListSize: BigInt(deltaBytes.length),
    indexManifest,
    commitUser,
    commitKind: kind,
    timeMillis: BigInt(Date.now()),
    totalRecordCount: (latest?.totalRecordCount ?? 0n) + delta,
    deltaRecordCount: delta,
    nextRowId: latest?.nextRowId ?? 0n,
  });
  await io.createIfAbsent(table.paths.snapshot(id), new TextEncoder().encode(snapshotToJson(snap)));
  await io.overwrite(table.paths.hint("LATEST"), new TextEncoder().encode(String(id)));
  if (!(await io.exists(table.paths.hint("EARLIEST")))) await io.overwrite(table.paths.hint("EARLIEST"), new TextEncoder().encode(String(id)));
  return id;
}

/**
 * Commits writer messages like Java does for one committable: an APPEND snapshot with
 * the new files and index files, then a COMPACT snapshot with the compaction changes.
 * Returns the ids of the snapshots created (none for empty messages).
 */
export async function commitMessages(table: FileStoreTable, messages: CommitMessage[], commitUser = "test-writer"): Promise<bigint[]> {
  if (process.env.PAIMON_TS_WRITE_TEST_MINIMAL_COMMIT === "1") return commitMessagesMinimal(table, messages, commitUser);
  return new FileStoreCommit(await table.refresh(), { commitUser }).commit(messages);
}

/** The minimal test committer (see the file comment). */
export async function commitMessagesMinimal(table: FileStoreTable, messages: CommitMessage[], commitUser = "test-writer"): Promise<bigint[]> {
  const ids: bigint[] = [];
  const appendEntries: ManifestEntry[] = [];
  const appendIndex: IndexManifestEntry[] = [];
  const compactEntries: ManifestEntry[] = [];
  for (const m of messages) {
    const base = { partition: m.partition, bucket: m.bucket, totalBuckets: m.totalBuckets };
    for (const f of m.newFiles) appendEntries.push({ kind: FileKind.ADD, ...base, file: f });
    for (const f of m.newIndexFiles ?? []) appendIndex.push({ kind: FileKind.ADD, partition: m.partition, bucket: m.bucket, indexFile: f });
    for (const f of m.compactBefore ?? []) compactEntries.push({ kind: FileKind.DELETE, ...base, file: f });
    for (const f of m.compactAfter ?? []) compactEntries.push({ kind: FileKind.ADD, ...base, file: f });
  }
  if (appendEntries.length > 0 || appendIndex.length > 0) ids.push(await commitOnce(table, "APPEND", appendEntries, appendIndex, commitUser));
  if (compactEntries.length > 0) ids.push(await commitOnce(table, "COMPACT", compactEntries, [], commitUser));
  return ids;
}

// ---------------------------------------------------------------------------------------
// Canonical rows

export type CanonicalRow = Record<string, unknown>;

/** Our reader's rows of a table, in canonical JSON. */
export async function ourRows(table: FileStoreTable, snapshotId?: bigint | number): Promise<CanonicalRow[]> {
  const fresh = await table.refresh();
  const r = await readTable(fresh, snapshotId === undefined ? {} : { snapshotId });
  return resultRows(r).map((row) => Object.fromEntries(r.fields.map((f, i) => [f.name, canonicalEncode(f.type, row[i])])));
}

/** Internal rows → canonical JSON objects (what the oracles print). */
export function canonicalRows(fields: readonly DataField[], rows: readonly (readonly InternalValue[])[]): CanonicalRow[] {
  return rows.map((row) => Object.fromEntries(fields.map((f, i) => [f.name, canonicalEncode(f.type, row[i])])));
}

/** Canonical JSON objects → internal rows. */
export function internalRows(fields: readonly DataField[], rows: readonly CanonicalRow[]): InternalValue[][] {
  return rows.map((r) => fields.map((f) => canonicalDecode(f.type, (r[f.name] ?? null) as CanonicalJson)));
}
