/** `scan` and `describe`: read-only views of a table, in the canonical JSON encoding. */
import { openStorage, parseConnectionConfig } from "@paimon-ts/connector";
import { FileIORegistry } from "@paimon-ts/fileio";
import { registerLocal } from "@paimon-ts/fileio-local";
import {
  FileSystemCatalog,
  canonicalEncode,
  deserializeBinaryRow,
  partitionFields,
  readTableBatches,
  vectorGet,
  snapshotToJsonObject,
  type FileStoreTable,
} from "@paimon-ts/paimon-core";
import { resolve as resolvePath } from "node:path";
import { flagString, parseArgs, type ParsedArgs } from "./args.js";
import { loadConfig } from "./config-file.js";

export async function openCatalog(warehouse: string): Promise<FileSystemCatalog> {
  const registry = registerLocal(new FileIORegistry());
  // people type relative local paths; the library takes absolute paths and URIs only
  const resolved = /^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(warehouse) ? warehouse : resolvePath(warehouse);
  const { io, uri } = await registry.create(resolved);
  return new FileSystemCatalog(io, uri.uri);
}

/**
 * The table of `--warehouse W <db>.<table>` (local paths and URIs the local registry
 * knows), or of `--config CONN.json <db>.<table>` (any storage the connector supports).
 */
async function openTableFromArgs(args: ParsedArgs, cmd: string): Promise<FileStoreTable> {
  const table = args.positional[0];
  const usage = `usage: paimon-ts ${cmd} (--warehouse <dir-or-uri> | --config CONN.json) <db>.<table>`;
  if (!table || (!args.flags.has("warehouse") && !args.flags.has("config"))) throw new Error(usage);
  const warehouse = flagString(args, "warehouse");
  if (warehouse !== undefined && !args.flags.has("config") && !/^(hdfs|s3a?|oss):\/\//i.test(warehouse)) return (await openCatalog(warehouse)).getTable(table);
  const cfg = parseConnectionConfig(loadConfig(args, usage).connectionConfig);
  const storage = await openStorage(cfg);
  return new FileSystemCatalog(storage.io, storage.warehouse).getTable(table);
}

function jsonLine(v: unknown): string {
  return JSON.stringify(v, (_k, x) => (typeof x === "bigint" ? (Number.isSafeInteger(Number(x)) ? Number(x) : x.toString()) : x));
}

export async function scan(argv: string[], out: (s: string) => void): Promise<number> {
  const args = parseArgs(argv);
  const t = await openTableFromArgs(args, "scan [--snapshot N | --tag NAME]");
  const snapshot = flagString(args, "snapshot");
  const tag = flagString(args, "tag");
  // batch by batch, so a table larger than memory streams out
  const r = await readTableBatches(t, { snapshotId: snapshot === undefined ? undefined : BigInt(snapshot), tag });
  for await (const b of r.batches) {
    const lines: string[] = [];
    for (let row = 0; row < b.numRows; row++) {
      const o: Record<string, unknown> = {};
      r.fields.forEach((f, i) => (o[f.name] = canonicalEncode(f.type, vectorGet(b.columns[i], row))));
      lines.push(JSON.stringify(o) + "\n");
    }
    out(lines.join(""));
  }
  return 0;
}

async function describeTable(t: FileStoreTable): Promise<unknown> {
  const schemaText = new TextDecoder().decode(await t.io.readFile(t.paths.schema(t.schema.id)));
  const snapshots = [];
  for (const id of await t.snapshots.listIds()) {
    const s = await t.snapshots.snapshot(id);
    snapshots.push({ id: s.id, commitKind: s.commitKind, schemaId: s.schemaId, totalRecordCount: s.totalRecordCount, deltaRecordCount: s.deltaRecordCount, commitUser: s.commitUser, commitIdentifier: s.commitIdentifier.toString() });
  }
  const latest = await t.snapshots.latest();
  const pFields = partitionFields(t.schema);
  const partitionObject = (bytes: Uint8Array) => {
    const values = deserializeBinaryRow(pFields.map((f) => f.type), bytes);
    return Object.fromEntries(pFields.map((f, i) => [f.name, canonicalEncode(f.type, values[i])]));
  };
  const liveFiles = latest
    ? (await t.liveEntries(latest)).map((e) => ({
        partition: partitionObject(e.partition),
        bucket: e.bucket,
        totalBuckets: e.totalBuckets,
        level: e.file.level,
        rowCount: e.file.rowCount,
        deleteRowCount: e.file.deleteRowCount,
        minSequenceNumber: e.file.minSequenceNumber,
        maxSequenceNumber: e.file.maxSequenceNumber,
        schemaId: e.file.schemaId,
        fileName: e.file.fileName,
      }))
    : [];
  const indexFiles = latest
    ? (await t.indexEntries(latest)).map((e) => ({
        partition: partitionObject(e.partition),
        bucket: e.bucket,
        indexType: e.indexFile.indexType,
        fileName: e.indexFile.fileName,
        fileSize: e.indexFile.fileSize,
        rowCount: e.indexFile.rowCount,
        // the rows each vector marks deleted in a live data file
        ...(e.indexFile.dvRanges ? { deletionVectors: e.indexFile.dvRanges.map((r) => ({ dataFile: r.dataFileName, deletedRows: r.cardinality })) } : {}),
      }))
    : [];
  return {
    table: t.name,
    schemaId: t.schema.id,
    schema: JSON.parse(schemaText),
    latestSnapshot: latest ? snapshotToJsonObject(latest) : null,
    snapshots,
    liveFiles,
    indexFiles,
  };
}

export async function describe(argv: string[], out: (s: string) => void): Promise<number> {
  const args = parseArgs(argv);
  const t = await openTableFromArgs(args, "describe");
  out(jsonLine(await describeTable(t)) + "\n");
  return 0;
}
