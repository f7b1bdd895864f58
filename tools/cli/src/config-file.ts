/**
 * CONN.json: the connector's connection fields and node fields in one flat object, plus
 * optional per-table node fields under "tables":
 *
 *   {"warehouse": "/data/wh", "storageType": "local", "database": "default",
 *    "bucketMode": "fixed", "bucketCount": 4, "tables": {"orders": {"partitionKey": ["dt"]}}}
 *
 * A relative local warehouse is resolved against the directory of the file. `--warehouse W`
 * stands for {"warehouse": W} (local disk, or the store its URI names).
 */
import { CONNECTION_DEFAULTS, CONNECTION_FORM, PER_TABLE_FIELDS } from "@paimon-ts/connector";
import { readFileSync } from "node:fs";
import { dirname, isAbsolute, resolve } from "node:path";
import { flagString, type ParsedArgs } from "./args.js";

export interface CliConfig {
  connectionConfig: Record<string, unknown>;
  nodeConfig: Record<string, unknown>;
  tableNodeConfig: Record<string, Record<string, unknown>>;
  /** Where it came from, for messages. */
  source: string;
}

// the connection form decides which keys are connection settings; everything else is node config
const CONNECTION_KEYS = new Set(Object.keys(CONNECTION_FORM.properties));

function storageOfUri(w: string): string | undefined {
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\//.exec(w)?.[1]?.toLowerCase();
  if (scheme === "hdfs") return "hdfs";
  if (scheme === "s3" || scheme === "s3a") return "s3";
  if (scheme === "oss") return "oss";
  return undefined;
}

/** Splits a flat configuration object into connection, node and per-table settings. */
export function splitConfig(raw: Record<string, unknown>, baseDir: string, source: string): CliConfig {
  const connectionConfig: Record<string, unknown> = {};
  const nodeConfig: Record<string, unknown> = {};
  let tableNodeConfig: Record<string, Record<string, unknown>> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (k === "tables") {
      if (v === null || typeof v !== "object" || Array.isArray(v)) throw new Error(`${source}: "tables" must map table names to settings`);
      tableNodeConfig = v as Record<string, Record<string, unknown>>;
    } else if (CONNECTION_KEYS.has(k)) connectionConfig[k] = v;
    else nodeConfig[k] = v;
  }
  const w = connectionConfig.warehouse;
  const storage = (connectionConfig.storageType as string | undefined) ?? CONNECTION_DEFAULTS.storageType;
  if (typeof w === "string" && storage === "local" && !/^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(w) && !isAbsolute(w)) connectionConfig.warehouse = resolve(baseDir, w);
  for (const [t, cfg] of Object.entries(tableNodeConfig)) {
    for (const k of Object.keys(cfg ?? {})) {
      if (!(PER_TABLE_FIELDS as readonly string[]).includes(k)) throw new Error(`${source}: tables.${t}.${k} is not a per-table setting (per-table: ${PER_TABLE_FIELDS.join(", ")})`);
    }
  }
  return { connectionConfig, nodeConfig, tableNodeConfig, source };
}

/** The configuration of `--config FILE` or `--warehouse W` (exactly one is needed). */
export function loadConfig(args: ParsedArgs, usage: string): CliConfig {
  const file = flagString(args, "config");
  const warehouse = flagString(args, "warehouse");
  if (file && warehouse) throw new Error(`give --config or --warehouse, not both\n${usage}`);
  if (file) {
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(file, "utf8"));
    } catch (e) {
      throw new Error(`cannot read the configuration ${file}: ${(e as Error).message}`);
    }
    if (raw === null || typeof raw !== "object" || Array.isArray(raw)) throw new Error(`${file}: expected a JSON object`);
    return splitConfig(raw as Record<string, unknown>, dirname(resolve(file)), file);
  }
  if (warehouse) {
    const storageType = storageOfUri(warehouse) ?? "local";
    return splitConfig({ warehouse, storageType }, process.cwd(), "--warehouse");
  }
  throw new Error(usage);
}

/** `<db>.<table>`: the first dot separates. */
export function splitTableName(text: string | undefined, usage: string): { database: string; table: string } {
  if (!text) throw new Error(usage);
  const i = text.indexOf(".");
  if (i <= 0 || i === text.length - 1) throw new Error(`expected <database>.<table>, got ${JSON.stringify(text)}\n${usage}`);
  return { database: text.slice(0, i), table: text.slice(i + 1) };
}
