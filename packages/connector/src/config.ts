/**
 * The connection and node settings of spec.json, decoded and validated with io-ts.
 *
 * Decoding never echoes a value: messages name the field and what was expected, because
 * the connection form holds credentials. Defaults are the Java connector's.
 */
import { isLeft } from "fp-ts/lib/Either.js";
import * as t from "io-ts";

export class ConfigError extends Error {
  override name = "ConfigError";
  constructor(readonly problems: string[]) {
    super(`invalid configuration: ${problems.join("; ")}`);
  }
}

// ------------------------------------------------------------------ small codecs

/** A number, or a numeric string as forms sometimes send (never echoed on failure). */
const NumberLike = new t.Type<number, number, unknown>(
  "number",
  (u): u is number => typeof u === "number",
  (u, c) => {
    if (typeof u === "number" && Number.isFinite(u)) return t.success(u);
    if (typeof u === "string" && /^\s*-?\d+(\.\d+)?\s*$/.test(u)) return t.success(Number(u));
    return t.failure(u, c);
  },
  t.identity,
);

const BooleanLike = new t.Type<boolean, boolean, unknown>(
  "boolean",
  (u): u is boolean => typeof u === "boolean",
  (u, c) => {
    if (typeof u === "boolean") return t.success(u);
    if (u === "true" || u === "false") return t.success(u === "true");
    return t.failure(u, c);
  },
  t.identity,
);

function intRange(name: string, min: number, max: number): t.Type<number, number, unknown> {
  return new t.Type<number, number, unknown>(
    `${name} (an integer in ${min}..${max})`,
    (u): u is number => typeof u === "number" && Number.isInteger(u) && u >= min && u <= max,
    (u, c) => {
      const r = NumberLike.validate(u, c);
      if (isLeft(r)) return t.failure(u, c);
      const n = r.right;
      return Number.isInteger(n) && n >= min && n <= max ? t.success(n) : t.failure(u, c);
    },
    t.identity,
  );
}

const KeyValue = t.type({ propKey: t.string, propValue: t.union([t.string, NumberLike, BooleanLike]) });
const KeyValueList = t.array(KeyValue);
const StringList = t.array(t.string);

// ------------------------------------------------------------------ connection

export const STORAGE_TYPES = ["local", "hdfs", "s3", "oss"] as const;
export type StorageType = (typeof STORAGE_TYPES)[number];

const ConnectionCodec = t.partial({
  warehouse: t.string,
  storageType: t.keyof({ local: null, hdfs: null, s3: null, oss: null }),
  s3Endpoint: t.string,
  s3AccessKey: t.string,
  s3SecretKey: t.string,
  s3Region: t.string,
  s3Properties: KeyValueList,
  hdfsHost: t.string,
  hdfsPort: intRange("port", 1, 65535),
  hdfsHttpPort: intRange("port", 1, 65535),
  hdfsUser: t.string,
  ossEndpoint: t.string,
  ossAccessKey: t.string,
  ossSecretKey: t.string,
  database: t.string,
});

export interface ConnectionConfig {
  warehouse: string;
  storageType: StorageType;
  s3Endpoint?: string;
  s3AccessKey?: string;
  s3SecretKey?: string;
  s3Region?: string;
  s3Properties: { propKey: string; propValue: string }[];
  hdfsHost?: string;
  /** NameNode RPC port, as named in `hdfs://host:port` URIs (9000). */
  hdfsPort: number;
  /** WebHDFS HTTP port, which paimon-ts actually talks to (9870). */
  hdfsHttpPort: number;
  hdfsUser: string;
  ossEndpoint?: string;
  ossAccessKey?: string;
  ossSecretKey?: string;
  database: string;
}

export const CONNECTION_DEFAULTS = {
  storageType: "local" as StorageType,
  s3Properties: [
    { propKey: "fs.s3a.connection.maximum", propValue: "1000" },
    { propKey: "fs.s3a.connection.establish.timeout", propValue: "5000" },
  ],
  hdfsPort: 9000,
  hdfsHttpPort: 9870,
  hdfsUser: "hadoop",
  database: "default",
};

/** The fields whose values are secrets (never logged, never in errors or state). */
export const SECRET_FIELDS = ["s3AccessKey", "s3SecretKey", "ossAccessKey", "ossSecretKey"] as const;

/** A key of s3Properties whose value must be treated as a secret. */
export function isSecretKey(key: string): boolean {
  return /secret|password|token|credential|access\.key|accesskey/i.test(key);
}

function problems(errors: t.Errors): string[] {
  const out = new Set<string>();
  for (const e of errors) {
    // the first context entry is the root codec; union alternatives add their index
    const keys = e.context.slice(1).filter((c) => c.key !== "" && !(c.type instanceof t.UnionType));
    const where = keys.map((c) => c.key).join(".") || "(root)";
    const expected = e.context[e.context.length - 1]?.type.name ?? "a valid value";
    out.add(`${where}: expected ${expected}`);
  }
  return [...out];
}

function blank(s: string | undefined): boolean {
  return s === undefined || s.trim() === "";
}

function trimOrUndefined(s: string | undefined): string | undefined {
  return blank(s) ? undefined : s!.trim();
}

/** Decodes and validates the connection form; throws ConfigError listing every problem. */
export function parseConnectionConfig(raw: unknown): ConnectionConfig {
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) throw new ConfigError(["the connection configuration must be an object"]);
  const r = ConnectionCodec.decode(raw);
  if (isLeft(r)) throw new ConfigError(problems(r.left));
  const v = r.right;
  const cfg: ConnectionConfig = {
    warehouse: (v.warehouse ?? "").trim(),
    storageType: v.storageType ?? CONNECTION_DEFAULTS.storageType,
    s3Endpoint: trimOrUndefined(v.s3Endpoint),
    s3AccessKey: trimOrUndefined(v.s3AccessKey),
    s3SecretKey: blank(v.s3SecretKey) ? undefined : v.s3SecretKey,
    s3Region: trimOrUndefined(v.s3Region),
    s3Properties: (v.s3Properties ?? CONNECTION_DEFAULTS.s3Properties).map((p) => ({ propKey: p.propKey.trim(), propValue: String(p.propValue) })),
    hdfsHost: trimOrUndefined(v.hdfsHost),
    hdfsPort: v.hdfsPort ?? CONNECTION_DEFAULTS.hdfsPort,
    hdfsHttpPort: v.hdfsHttpPort ?? CONNECTION_DEFAULTS.hdfsHttpPort,
    hdfsUser: trimOrUndefined(v.hdfsUser) ?? CONNECTION_DEFAULTS.hdfsUser,
    ossEndpoint: trimOrUndefined(v.ossEndpoint),
    ossAccessKey: trimOrUndefined(v.ossAccessKey),
    ossSecretKey: blank(v.ossSecretKey) ? undefined : v.ossSecretKey,
    database: trimOrUndefined(v.database) ?? CONNECTION_DEFAULTS.database,
  };
  const bad: string[] = [];
  if (cfg.warehouse === "") bad.push("warehouse: required (a path such as /data/warehouse, or a URI such as s3://bucket/warehouse)");
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\//.exec(cfg.warehouse)?.[1]?.toLowerCase();
  switch (cfg.storageType) {
    case "local":
      if (scheme !== undefined && scheme !== "file") bad.push(`warehouse: a ${scheme}:// URI needs storageType ${schemeStorage(scheme) ?? "matching it"}, not local`);
      if (scheme === undefined && cfg.warehouse !== "" && !cfg.warehouse.startsWith("/")) bad.push("warehouse: a local warehouse must be an absolute path");
      break;
    case "hdfs":
      if (scheme !== undefined && scheme !== "hdfs") bad.push(`warehouse: storageType hdfs needs an hdfs:// URI or a path, not ${scheme}://`);
      if (scheme === undefined && cfg.hdfsHost === undefined) bad.push("hdfsHost: required when the warehouse is a path (or give the warehouse as hdfs://namenode:9000/path)");
      break;
    case "s3":
      if (scheme !== undefined && scheme !== "s3" && scheme !== "s3a") bad.push(`warehouse: storageType s3 needs an s3:// or s3a:// URI or bucket/path, not ${scheme}://`);
      if ((cfg.s3AccessKey === undefined) !== (cfg.s3SecretKey === undefined)) {
        bad.push("s3AccessKey/s3SecretKey: give both, or neither to use the default AWS credential chain (environment, profile, instance role)");
      }
      if (cfg.s3Endpoint !== undefined && !/^https?:\/\/[^/\s]+/i.test(cfg.s3Endpoint)) bad.push("s3Endpoint: expected an http:// or https:// URL");
      break;
    case "oss":
      if (scheme !== undefined && scheme !== "oss") bad.push(`warehouse: storageType oss needs an oss:// URI or bucket/path, not ${scheme}://`);
      if (cfg.ossEndpoint === undefined) bad.push("ossEndpoint: required (e.g. https://oss-cn-hangzhou.aliyuncs.com)");
      else if (!/^https?:\/\/[^/\s]+/i.test(cfg.ossEndpoint)) bad.push("ossEndpoint: expected an http:// or https:// URL");
      if (cfg.ossAccessKey === undefined) bad.push("ossAccessKey: required");
      if (cfg.ossSecretKey === undefined) bad.push("ossSecretKey: required");
      break;
  }
  if (!/^[^/\\.\s][^/\\]*$/.test(cfg.database)) bad.push("database: a name without '/', '\\' or a leading '.'");
  if (bad.length > 0) throw new ConfigError(bad);
  return cfg;
}

function schemeStorage(scheme: string): StorageType | undefined {
  return scheme === "hdfs" ? "hdfs" : scheme === "s3" || scheme === "s3a" ? "s3" : scheme === "oss" ? "oss" : scheme === "file" ? "local" : undefined;
}

/**
 * The warehouse as a URI: kept when it has a scheme; otherwise `hdfs://host:port/path`,
 * `s3://bucket/path` (from `bucket/path`), `oss://bucket/path`, or the local path.
 */
export function warehouseUri(cfg: ConnectionConfig): string {
  const w = cfg.warehouse;
  if (/^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//.test(w)) return w.replace(/^file:\/\//i, "") || "/";
  const rel = w.replace(/^\/+/, "");
  switch (cfg.storageType) {
    case "local":
      return w;
    case "hdfs":
      return `hdfs://${cfg.hdfsHost}:${cfg.hdfsPort}/${rel}`;
    case "s3":
      return `s3://${rel}`;
    case "oss":
      return `oss://${rel}`;
  }
}

/** A description of where the warehouse is, without credentials (ConnectionOptions.connectionString). */
export function connectionString(cfg: ConnectionConfig): string {
  const uri = warehouseUri(cfg);
  switch (cfg.storageType) {
    case "local":
      return uri.startsWith("/") ? `file://${uri}` : uri;
    case "hdfs":
      return `${uri} (WebHDFS port ${cfg.hdfsHttpPort}, user ${cfg.hdfsUser})`;
    case "s3":
      return cfg.s3Endpoint ? `${uri} (endpoint ${stripUserInfo(cfg.s3Endpoint)})` : uri;
    case "oss":
      return `${uri} (endpoint ${stripUserInfo(cfg.ossEndpoint ?? "")})`;
  }
}

function stripUserInfo(url: string): string {
  return url.replace(/^(https?:\/\/)[^@/]*@/i, "$1");
}

/** The connection settings safe to log or store: secrets replaced by "***". */
export function redactConnection(raw: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...raw };
  for (const k of SECRET_FIELDS) if (out[k] !== undefined && out[k] !== "") out[k] = "***";
  if (Array.isArray(out.s3Properties)) {
    out.s3Properties = (out.s3Properties as { propKey?: unknown; propValue?: unknown }[]).map((p) =>
      typeof p?.propKey === "string" && isSecretKey(p.propKey) ? { ...p, propValue: "***" } : p,
    );
  }
  return out;
}

/** Every secret value in a connection configuration (to scrub messages coming from libraries). */
export function secretValues(cfg: ConnectionConfig): string[] {
  const vals = [cfg.s3AccessKey, cfg.s3SecretKey, cfg.ossAccessKey, cfg.ossSecretKey, ...cfg.s3Properties.filter((p) => isSecretKey(p.propKey)).map((p) => p.propValue)];
  return vals.filter((v): v is string => typeof v === "string" && v.length >= 4);
}

/** The text with every secret replaced by "***". */
export function scrub(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) out = out.split(s).join("***");
  return out;
}

// ------------------------------------------------------------------ node

export type BucketMode = "dynamic" | "fixed";

const NodeCodec = t.partial({
  partitionKey: t.union([StringList, t.string]),
  bucketMode: t.string,
  bucketCount: intRange("bucketCount", 1, 32767),
  fileFormat: t.string,
  compression: t.string,
  tableProperties: KeyValueList,
  writeBufferSize: intRange("writeBufferSize (MB)", 1, 65536),
  batchAccumulationSize: intRange("batchAccumulationSize", 0, 100_000_000),
  commitIntervalMs: intRange("commitIntervalMs", 0, 86_400_000),
  enableAutoCompaction: BooleanLike,
  targetFileSize: intRange("targetFileSize (MB)", 1, 65536),
  enablePrimaryKeyUpdate: BooleanLike,
  ignoreUnknownFields: BooleanLike,
  deletionVectors: BooleanLike,
});

export interface NodeConfig {
  partitionKey: string[];
  bucketMode: BucketMode;
  bucketCount: number;
  fileFormat: "" | "parquet" | "avro";
  compression: "" | "none" | "snappy" | "lz4" | "zstd" | "gzip";
  tableProperties: { propKey: string; propValue: string }[];
  /** MB. */
  writeBufferSize: number;
  batchAccumulationSize: number;
  commitIntervalMs: number;
  enableAutoCompaction: boolean;
  /** MB. */
  targetFileSize: number;
  enablePrimaryKeyUpdate: boolean;
  ignoreUnknownFields: boolean;
  /**
   * New primary-key tables get `deletion-vectors.enabled=true` (merge-on-write); see
   * `applyDeletionVectors` for when it does not apply. Existing tables are never changed.
   */
  deletionVectors: boolean;
}

export const NODE_DEFAULTS: NodeConfig = {
  partitionKey: [],
  bucketMode: "dynamic",
  bucketCount: 4,
  fileFormat: "",
  compression: "",
  tableProperties: [],
  writeBufferSize: 256,
  batchAccumulationSize: 100_000,
  commitIntervalMs: 30_000,
  enableAutoCompaction: true,
  targetFileSize: 128,
  enablePrimaryKeyUpdate: false,
  ignoreUnknownFields: false,
  // on: merge-on-write costs about what merge-on-read costs when it compacts, spread over
  // every commit, and every reader reads the table cheaper (docs/benchmarks.md "Deletion vectors")
  deletionVectors: true,
};

/** Fields that may differ per table (`"x-perTable": true`). */
export const PER_TABLE_FIELDS = ["partitionKey", "bucketMode", "bucketCount", "fileFormat", "compression", "tableProperties", "enableAutoCompaction", "targetFileSize", "enablePrimaryKeyUpdate", "deletionVectors"] as const;

const FILE_FORMATS = ["", "parquet", "avro"];
const COMPRESSIONS = ["", "none", "snappy", "lz4", "zstd", "gzip"];

/** Decodes node settings over the defaults (`base`); per-table settings are decoded over the node's. */
export function parseNodeConfig(raw: unknown, base: NodeConfig = NODE_DEFAULTS, what = "node"): NodeConfig {
  if (raw === undefined || raw === null) return base;
  if (typeof raw !== "object" || Array.isArray(raw)) throw new ConfigError([`${what}: the settings must be an object`]);
  const r = NodeCodec.decode(raw);
  if (isLeft(r)) throw new ConfigError(problems(r.left).map((p) => `${what}.${p}`));
  const v = r.right;
  const bad: string[] = [];
  const mode = v.bucketMode === undefined || v.bucketMode === "" ? base.bucketMode : v.bucketMode;
  if (mode === "postpone") bad.push(`${what}.bucketMode: postpone is not supported (its files stay invisible until a compaction job re-buckets them); use dynamic or fixed`);
  else if (mode !== "dynamic" && mode !== "fixed") bad.push(`${what}.bucketMode: expected dynamic or fixed`);
  const format = v.fileFormat === undefined ? base.fileFormat : v.fileFormat.trim().toLowerCase();
  if (!FILE_FORMATS.includes(format)) bad.push(`${what}.fileFormat: expected one of parquet, avro or empty (ORC, CSV and JSON data files are not supported by paimon-ts)`);
  const compression = v.compression === undefined ? base.compression : v.compression.trim().toLowerCase();
  if (!COMPRESSIONS.includes(compression)) bad.push(`${what}.compression: expected one of none, snappy, lz4, zstd, gzip or empty`);
  const partitionKey = v.partitionKey === undefined ? base.partitionKey : typeof v.partitionKey === "string" ? v.partitionKey.split(",").map((s) => s.trim()).filter((s) => s) : v.partitionKey.map((s) => s.trim()).filter((s) => s);
  const tableProperties = (v.tableProperties ?? base.tableProperties).map((p) => ({ propKey: p.propKey.trim(), propValue: String(p.propValue) }));
  for (const p of tableProperties) {
    if (p.propKey === "compression") bad.push(`${what}.tableProperties: 'compression' is not a Paimon option; use 'file.compression'`);
    if (p.propKey === "sink.parallelism") bad.push(`${what}.tableProperties: 'sink.parallelism' is a Flink option and means nothing here`);
  }
  if (bad.length > 0) throw new ConfigError(bad);
  return {
    partitionKey,
    bucketMode: mode as BucketMode,
    bucketCount: v.bucketCount ?? base.bucketCount,
    fileFormat: format as NodeConfig["fileFormat"],
    compression: compression as NodeConfig["compression"],
    tableProperties,
    writeBufferSize: v.writeBufferSize ?? base.writeBufferSize,
    batchAccumulationSize: v.batchAccumulationSize ?? base.batchAccumulationSize,
    commitIntervalMs: v.commitIntervalMs ?? base.commitIntervalMs,
    enableAutoCompaction: v.enableAutoCompaction ?? base.enableAutoCompaction,
    targetFileSize: v.targetFileSize ?? base.targetFileSize,
    enablePrimaryKeyUpdate: v.enablePrimaryKeyUpdate ?? base.enablePrimaryKeyUpdate,
    ignoreUnknownFields: v.ignoreUnknownFields ?? base.ignoreUnknownFields,
    deletionVectors: v.deletionVectors ?? base.deletionVectors,
  };
}

/** The settings for one table: the node's, overridden by the table's own per-table fields. */
export function tableNodeConfig(node: NodeConfig, perTable: Record<string, Record<string, unknown>> | undefined, table: string): NodeConfig {
  const raw = perTable?.[table];
  if (!raw) return node;
  const only: Record<string, unknown> = {};
  for (const k of PER_TABLE_FIELDS) if (raw[k] !== undefined) only[k] = raw[k];
  return parseNodeConfig(only, node, `tables.${table}`);
}

/**
 * Paimon options for a new table from the node settings, in the Java connector's order;
 * `tableProperties` come last and win.
 */
export function tableOptionsFromNode(node: NodeConfig): Record<string, string> {
  const o: Record<string, string> = {};
  o.bucket = node.bucketMode === "fixed" ? String(node.bucketCount) : "-1";
  if (node.fileFormat) o["file.format"] = node.fileFormat;
  if (node.compression) o["file.compression"] = node.compression;
  if (node.writeBufferSize > 0) o["write-buffer-size"] = `${node.writeBufferSize}mb`;
  if (node.targetFileSize > 0) o["target-file-size"] = `${node.targetFileSize}mb`;
  if (!node.enableAutoCompaction) o["write-only"] = "true";
  for (const p of node.tableProperties) {
    if (p.propKey === "" || p.propValue === "") continue;
    o[p.propKey] = p.propValue;
  }
  return o;
}

export const DELETION_VECTORS_OPTION = "deletion-vectors.enabled";

/** Why a new table does or does not get deletion vectors (logged at creation). */
export interface DeletionVectorsDecision {
  enabled: boolean;
  /** `node` (the deletionVectors setting), `explicit` (the option was given), or why the setting did not apply. */
  source: "node" | "explicit" | "append-only" | "first-row" | "write-only";
  note: string;
}

/**
 * The `deletionVectors` node setting applied to the options of a new table (`options` is
 * updated in place). An explicit `deletion-vectors.enabled` (table properties or the
 * TapTable's options) always wins over the setting; the setting never enables deletion
 * vectors where they would be refused or would hide data:
 *
 * - tables without primary key: the setting does not apply (an explicit option passes through);
 * - `merge-engine=first-row`: Java Paimon refuses deletion vectors there, so the setting
 *   is not applied, and an explicit `true` is an error;
 * - `write-only=true` (automatic compaction off): readers of a deletion-vector table skip
 *   level-0 files, so rows would stay invisible until a compaction job runs; the setting
 *   is not applied (an explicit `true` is kept: the user runs compactions).
 */
export function applyDeletionVectors(options: Record<string, string>, node: NodeConfig, primaryKeys: readonly string[], table: string): DeletionVectorsDecision {
  const flag = (k: string) => options[k]?.trim().toLowerCase();
  const firstRow = flag("merge-engine") === "first-row";
  const raw = options[DELETION_VECTORS_OPTION];
  if (raw !== undefined) {
    const v = raw.trim().toLowerCase();
    if (v !== "true" && v !== "false") throw new Error(`createTable ${table}: option '${DELETION_VECTORS_OPTION}' must be true or false`);
    options[DELETION_VECTORS_OPTION] = v;
    const enabled = v === "true";
    if (enabled && firstRow && primaryKeys.length > 0) {
      throw new Error(`createTable ${table}: merge-engine 'first-row' cannot be combined with ${DELETION_VECTORS_OPTION}=true (Java Paimon refuses it: first-row never deletes old rows); remove one of the two options`);
    }
    const override = primaryKeys.length > 0 && enabled !== node.deletionVectors ? ` (overrides deletionVectors=${node.deletionVectors})` : "";
    return { enabled, source: "explicit", note: `${DELETION_VECTORS_OPTION}=${v} from the table options${override}` };
  }
  if (!node.deletionVectors) return { enabled: false, source: "node", note: "deletion vectors off (deletionVectors=false)" };
  if (primaryKeys.length === 0) return { enabled: false, source: "append-only", note: "deletionVectors does not apply: the table has no primary key" };
  if (firstRow) return { enabled: false, source: "first-row", note: "deletionVectors not applied: merge-engine 'first-row' does not take deletion vectors" };
  if (flag("write-only") === "true") {
    return { enabled: false, source: "write-only", note: "deletionVectors not applied: with automatic compaction off (write-only) new rows would stay invisible to readers until a compaction job runs" };
  }
  options[DELETION_VECTORS_OPTION] = "true";
  return { enabled: true, source: "node", note: "deletion vectors on (deletionVectors=true)" };
}
