/**
 * The Tapdata PDK contract, as TypeScript shapes (PDK 2.0.8 / tapdata-common-lib). Field
 * names follow the PDK's JSON form so these objects cross the `serve` bridge unchanged.
 * Only what this connector reads or produces is modelled; everything else passes through.
 */
import type { TapField as MappingTapField } from "@paimon-ts/type-mapping";

export type DataMap = Record<string, unknown>;

// ------------------------------------------------------------------ logging

/** The PDK log; messages may contain `{}` placeholders filled from the arguments. */
export interface Log {
  debug(message: string, ...args: unknown[]): void;
  info(message: string, ...args: unknown[]): void;
  warn(message: string, ...args: unknown[]): void;
  error(message: string, ...args: unknown[]): void;
}

export function formatLog(message: string, args: unknown[]): string {
  let i = 0;
  const text = message.replace(/\{\}/g, () => (i < args.length ? String(args[i++]) : "{}"));
  const rest = args.slice(i).filter((a) => !(a instanceof Error));
  const err = args.find((a) => a instanceof Error) as Error | undefined;
  return [text, ...rest.map(String), ...(err ? [err.message] : [])].join(" ");
}

/** A log that drops everything (the default when a context has none). */
export const SILENT_LOG: Log = { debug() {}, info() {}, warn() {}, error() {} };

/** A log writing `LEVEL message` lines to a function (stderr by default). */
export function lineLog(write: (line: string) => void = (l) => process.stderr.write(l + "\n"), minLevel: "debug" | "info" | "warn" | "error" = "info"): Log {
  const order = { debug: 0, info: 1, warn: 2, error: 3 };
  const at = (level: keyof typeof order) => (message: string, ...args: unknown[]) => {
    if (order[level] >= order[minLevel]) write(`${level.toUpperCase()} ${formatLog(message, args)}`);
  };
  return { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}

// ------------------------------------------------------------------ key-value state

/** The PDK's KVMap: the task-scoped persisted state (`ctx.stateMap`). */
export interface KVMap<T> {
  get(key: string): T | undefined;
  put(key: string, value: T): T | undefined;
  putIfAbsent(key: string, value: T): T | undefined;
  remove(key: string): T | undefined;
  clear(): void;
  reset(): void;
}

/** An in-memory KVMap; `onChange` runs after every mutation (hosts persist from there). */
export class MemoryKVMap<T> implements KVMap<T> {
  private readonly data = new Map<string, T>();
  constructor(
    initial: Record<string, T> = {},
    private readonly onChange?: (snapshot: Record<string, T>) => void,
  ) {
    for (const [k, v] of Object.entries(initial)) this.data.set(k, v);
  }
  get(key: string): T | undefined {
    return this.data.get(key);
  }
  put(key: string, value: T): T | undefined {
    const old = this.data.get(key);
    this.data.set(key, value);
    this.changed();
    return old;
  }
  putIfAbsent(key: string, value: T): T | undefined {
    const old = this.data.get(key);
    if (old !== undefined) return old;
    this.data.set(key, value);
    this.changed();
    return undefined;
  }
  remove(key: string): T | undefined {
    const old = this.data.get(key);
    if (this.data.delete(key)) this.changed();
    return old;
  }
  clear(): void {
    this.data.clear();
    this.changed();
  }
  reset(): void {
    this.clear();
  }
  toJSON(): Record<string, T> {
    return Object.fromEntries(this.data);
  }
  private changed(): void {
    this.onChange?.(this.toJSON());
  }
}

// ------------------------------------------------------------------ contexts

export interface ConnectorCapability {
  id: string;
  alternative?: string;
}

export interface TapConnectionContext {
  id?: string;
  log?: Log;
  connectionConfig: DataMap;
  nodeConfig?: DataMap;
  /** Per-table node settings (`"x-perTable": true` fields), by table name. */
  tableNodeConfig?: Record<string, DataMap>;
  /** Called with `TapCallbackOffset` objects once their data is durable (after a commit). */
  flushOffsetCallback?: (offset: TapCallbackOffset) => void;
}

export interface TapConnectorContext extends TapConnectionContext {
  /** Task-scoped persisted state: commit users and identifiers live here. */
  stateMap?: KVMap<unknown>;
  /** The DML policies the user chose (`dml_insert_policy`, `dml_update_policy`). */
  connectorCapabilities?: ConnectorCapability[];
  /** Tables of the task, by name (used by timestampToStreamOffset). */
  tableMap?: Record<string, TapTable>;
}

// ------------------------------------------------------------------ schema

/** A Tapdata field: the type-mapping shape plus the PDK attributes the connector honours. */
export interface TapField extends MappingTapField {
  isPrimaryKey?: boolean;
  isPartitionKey?: boolean;
  partitionKeyPos?: number;
  pos?: number;
  defaultValue?: unknown;
  autoInc?: boolean;
}

export interface TapIndexField {
  name: string;
  fieldAsc?: boolean;
}

export interface TapIndex {
  name?: string;
  indexFields: TapIndexField[];
  unique?: boolean;
  coreUnique?: boolean;
  primary?: boolean;
}

export interface TapTable {
  id: string;
  name?: string;
  /** Ordered fields; a JSON object (key order) or a Map. */
  nameFieldMap?: Record<string, TapField> | Map<string, TapField>;
  defaultPrimaryKeys?: string[];
  logicPrimaries?: string[];
  indexList?: TapIndex[];
  comment?: string;
  /** Partition keys for this table (our extension; the node's partitionKey setting wins). */
  partitionKeys?: string[];
  /** Paimon table options for this table (our extension; applied after the node settings). */
  options?: Record<string, string>;
}

/** The fields of a table in order. */
export function tableFields(t: TapTable): TapField[] {
  const m = t.nameFieldMap;
  if (!m) return [];
  const list = m instanceof Map ? [...m.entries()] : Object.entries(m);
  return list.map(([name, f]) => ({ ...f, name: f.name ?? name }));
}

/**
 * `TapTable.primaryKeys(true)`: logic primaries if set; else the fields marked as primary
 * key, by primaryKeyPos; else the primary index, else the first core-unique index, else the
 * first unique index; else none.
 */
export function tablePrimaryKeys(t: TapTable): string[] {
  if (t.logicPrimaries && t.logicPrimaries.length > 0) return [...t.logicPrimaries];
  const marked = tableFields(t)
    .map((f, i) => ({ f, i }))
    .filter(({ f }) => f.isPrimaryKey === true || f.primaryKey === true || (f.primaryKeyPos ?? 0) > 0)
    .sort((a, b) => (a.f.primaryKeyPos ?? Number.MAX_SAFE_INTEGER) - (b.f.primaryKeyPos ?? Number.MAX_SAFE_INTEGER) || a.i - b.i);
  if (marked.length > 0) return marked.map(({ f }) => f.name);
  if (t.defaultPrimaryKeys && t.defaultPrimaryKeys.length > 0) return [...t.defaultPrimaryKeys];
  const idx = t.indexList ?? [];
  const pick = idx.find((i) => i.primary) ?? idx.find((i) => i.coreUnique) ?? idx.find((i) => i.unique);
  return pick ? pick.indexFields.map((f) => f.name) : [];
}

// ------------------------------------------------------------------ events

export const EventType = {
  INSERT: 300,
  DELETE: 301,
  UPDATE: 302,
  CLEAR_TABLE: 205,
  CREATE_TABLE: 206,
  DROP_TABLE: 208,
  NEW_FIELD: 209,
  ALTER_FIELD_NAME: 202,
  ALTER_FIELD_ATTRIBUTES: 201,
  DROP_FIELD: 207,
  HEARTBEAT: 501,
} as const;

export const INFO_SYNC_STAGE = "SYNC_STAGE";
export type SyncStage = "INITIAL_SYNC" | "CDC";

export interface TapEvent {
  type: number;
  time?: number;
  info?: DataMap;
}

export interface TapBaseEvent extends TapEvent {
  tableId?: string;
  referenceTime?: number;
}

export interface TapInsertRecordEvent extends TapBaseEvent {
  type: 300;
  after: DataMap;
}
export interface TapDeleteRecordEvent extends TapBaseEvent {
  type: 301;
  before: DataMap;
}
export interface TapUpdateRecordEvent extends TapBaseEvent {
  type: 302;
  before?: DataMap;
  after: DataMap;
}
export type TapRecordEvent = TapInsertRecordEvent | TapDeleteRecordEvent | TapUpdateRecordEvent;

export interface TapClearTableEvent extends TapBaseEvent {
  type: 205;
}
export interface TapCreateTableEvent extends TapBaseEvent {
  type: 206;
  table: TapTable;
}
export interface TapDropTableEvent extends TapBaseEvent {
  type: 208;
}

/** A new column; Tapdata sends a list of fields (`newFields`). */
export interface TapNewFieldEvent extends TapBaseEvent {
  type: 209;
  newFields: TapField[];
}
export interface TapAlterFieldNameEvent extends TapBaseEvent {
  type: 202;
  nameChange: { before: string; after: string };
}
/** Only the attributes that are present change (each is a `{before, after}` pair in the PDK). */
export interface TapAlterFieldAttributesEvent extends TapBaseEvent {
  type: 201;
  fieldName: string;
  dataTypeChange?: { before?: string; after: string };
  nullableChange?: { before?: boolean; after: boolean };
  commentChange?: { before?: string; after: string };
  defaultChange?: { before?: unknown; after: unknown };
}
export interface TapDropFieldEvent extends TapBaseEvent {
  type: 207;
  fieldName: string;
}

export interface HeartbeatEvent extends TapEvent {
  type: 501;
  referenceTime?: number;
}

export type TapCallbackOffset = Partial<Record<"batchOffset" | "streamOffset" | "tableId" | "syncStage" | "sourceTime" | "eventTime" | "nodeIds", unknown>>;

// ------------------------------------------------------------------ results

export interface WriteListResult<T> {
  insertedCount: number;
  modifiedCount: number;
  removedCount: number;
  /** Records that were not written, with why (never the values). */
  errorMap: Map<T, Error>;
}

export function emptyWriteResult<T>(): WriteListResult<T> {
  return { insertedCount: 0, modifiedCount: 0, removedCount: 0, errorMap: new Map() };
}

export const TestResult = { SUCCESSFULLY: 1, SUCCESSFULLY_WITH_WARN: 2, FAILED: 10 } as const;
export type TestResultCode = (typeof TestResult)[keyof typeof TestResult];

export interface TestItem {
  item: string;
  result: TestResultCode;
  information?: string;
}

export interface ConnectionOptions {
  connectionString?: string;
  capabilities?: { id: string; type: "DDL" | "OTHER"; alternatives?: string[] }[];
  timeZone?: string;
}

export interface CreateTableOptions {
  tableExists: boolean;
  /** For an existing table: how it differs from what this request would have created. */
  differences?: string[];
}

export interface StreamReadConsumer {
  accept(events: TapEvent[], offset: unknown): void | Promise<void>;
  streamReadStarted?(): void;
  streamReadEnded?(): void;
}
