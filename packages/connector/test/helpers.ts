/** Test helpers: temporary warehouses, a connector on them, and reading tables back. */
import { LocalFileIO } from "@paimon-ts/fileio-local";
import { FileSystemCatalog, canonicalEncode, readTable, resultRows, type FileStoreTable } from "@paimon-ts/paimon-core";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MemoryKVMap, PaimonConnector, type DataMap, type KVMap, type Log, type PaimonConnectorOptions, type TapCallbackOffset, type TapField, type TapTable } from "../src/index.js";

export function tempWarehouse(prefix = "connector-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export interface TestLog extends Log {
  lines: string[];
}

export function testLog(): TestLog {
  const lines: string[] = [];
  const at = (level: string) => (m: string, ...a: unknown[]) => {
    let i = 0;
    lines.push(`${level} ${m.replace(/\{\}/g, () => String(a[i++]))}`);
  };
  return { lines, debug: at("DEBUG"), info: at("INFO"), warn: at("WARN"), error: at("ERROR") };
}

export interface Started {
  connector: PaimonConnector;
  log: TestLog;
  state: MemoryKVMap<unknown>;
  acks: TapCallbackOffset[];
}

export async function startConnector(
  warehouse: string,
  node: DataMap = {},
  opts: PaimonConnectorOptions & { state?: KVMap<unknown> | Record<string, unknown>; database?: string; tableNodeConfig?: Record<string, DataMap> } = {},
): Promise<Started> {
  const connector = new PaimonConnector({ recordEncoding: "canonical", ...opts });
  const log = testLog();
  const state = opts.state instanceof MemoryKVMap ? opts.state : new MemoryKVMap<unknown>((opts.state as Record<string, unknown> | undefined) ?? {});
  const acks: TapCallbackOffset[] = [];
  await connector.init({
    connectionConfig: { warehouse, database: opts.database ?? "db" },
    nodeConfig: node,
    tableNodeConfig: opts.tableNodeConfig,
    stateMap: state,
    log,
    flushOffsetCallback: (o) => acks.push(o),
  });
  return { connector, log, state, acks };
}

/** A TapTable from `name: dataType` pairs; `pk` lists the primary key in order. */
export function tapTable(id: string, fields: Record<string, string>, pk: string[] = [], extra: Partial<TapTable> = {}): TapTable {
  const nameFieldMap: Record<string, TapField> = {};
  for (const [name, dataType] of Object.entries(fields)) {
    const f: TapField = { name, dataType };
    const i = pk.indexOf(name);
    if (i >= 0) {
      f.primaryKeyPos = i + 1;
      f.isPrimaryKey = true;
    }
    nameFieldMap[name] = f;
  }
  return { id, name: id, nameFieldMap, ...extra };
}

export async function createTable(c: PaimonConnector, t: TapTable) {
  return c.createTableV2({ connectionConfig: {} }, { type: 206, table: t, tableId: t.id });
}

export const ctx = { connectionConfig: {} };

export const ins = (after: DataMap, offset?: unknown) => ({ type: "insert", after, ...(offset !== undefined ? { info: { streamOffset: offset } } : {}) });
export const upd = (before: DataMap | undefined, after: DataMap, offset?: unknown) => ({ type: "update", before, after, ...(offset !== undefined ? { info: { streamOffset: offset } } : {}) });
export const del = (before: DataMap, offset?: unknown) => ({ type: "delete", before, ...(offset !== undefined ? { info: { streamOffset: offset } } : {}) });

export function catalogOf(warehouse: string): FileSystemCatalog {
  return new FileSystemCatalog(new LocalFileIO(), warehouse);
}

export async function loadTable(warehouse: string, name: string): Promise<FileStoreTable> {
  return catalogOf(warehouse).getTable(name);
}

/** The table's rows (latest or given snapshot) as canonical JSON objects. */
export async function ourRows(warehouse: string, name: string, snapshot?: bigint | number): Promise<Record<string, unknown>[]> {
  const t = await loadTable(warehouse, name);
  const r = await readTable(t, snapshot === undefined ? {} : { snapshotId: snapshot });
  return resultRows(r).map((row) => Object.fromEntries(r.fields.map((f, i) => [f.name, canonicalEncode(f.type, row[i])])));
}

export function byKey(rows: Record<string, unknown>[], key = "id"): Record<string, unknown>[] {
  return [...rows].sort((a, b) => String(a[key]).localeCompare(String(b[key]), "en", { numeric: true }));
}
