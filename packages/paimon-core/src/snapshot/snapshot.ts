/**
 * Snapshot files `snapshot/snapshot-<id>` (METADATA.md §3.1): the model, and JSON in the
 * key order Java writes, with null-valued optional keys omitted. All longs are bigint
 * (`commitIdentifier` of batch commits is 2^63 − 1).
 */
import {
  JsonObject,
  JsonShapeError,
  JsonStyle,
  JsonValue,
  isJsonObject,
  jsonToBigInt,
  jsonToInt,
  jsonToString,
  parseJson,
  stringifyJson,
} from "../util/json.js";

export type CommitKind = "APPEND" | "COMPACT" | "OVERWRITE" | "ANALYZE";
export const COMMIT_KINDS: readonly CommitKind[] = ["APPEND", "COMPACT", "OVERWRITE", "ANALYZE"];

/** `commitIdentifier` of batch commits (`Long.MAX_VALUE`). */
export const BATCH_COMMIT_IDENTIFIER = 9223372036854775807n;
export const CURRENT_SNAPSHOT_VERSION = 3;
export const FIRST_SNAPSHOT_ID = 1n;

export interface Snapshot {
  version: number;
  /** Random UUID of this snapshot (2.0+). */
  uuid: string | null;
  id: bigint;
  schemaId: bigint;
  baseManifestList: string;
  baseManifestListSize: bigint | null;
  deltaManifestList: string;
  deltaManifestListSize: bigint | null;
  changelogManifestList: string | null;
  changelogManifestListSize: bigint | null;
  indexManifest: string | null;
  commitUser: string;
  /** Informational build string (Java HEAD, pypaimon). */
  writerVersion: string | null;
  commitIdentifier: bigint;
  commitKind: CommitKind;
  timeMillis: bigint;
  totalRecordCount: bigint;
  deltaRecordCount: bigint;
  changelogRecordCount: bigint | null;
  watermark: bigint | null;
  statistics: string | null;
  properties: Record<string, string> | null;
  nextRowId: bigint | null;
  /** Logical operation (2.0+): `TRUNCATE`, `OVERWRITE`, … */
  operation: string | null;
}

export class SnapshotFormatError extends Error {
  override name = "SnapshotFormatError";
}

/** The keys in the order Java declares (and writes) them. */
export const SNAPSHOT_KEYS = [
  "version",
  "uuid",
  "id",
  "schemaId",
  "baseManifestList",
  "baseManifestListSize",
  "deltaManifestList",
  "deltaManifestListSize",
  "changelogManifestList",
  "changelogManifestListSize",
  "indexManifest",
  "commitUser",
  "writerVersion",
  "commitIdentifier",
  "commitKind",
  "timeMillis",
  "totalRecordCount",
  "deltaRecordCount",
  "changelogRecordCount",
  "watermark",
  "statistics",
  "properties",
  "nextRowId",
  "operation",
] as const satisfies readonly (keyof Snapshot)[];

type Init = Pick<Snapshot, "id" | "schemaId" | "baseManifestList" | "deltaManifestList" | "commitUser" | "commitKind" | "timeMillis"> & Partial<Snapshot>;

/** A snapshot with defaults for everything optional (version 3, batch identifier, zero counts). */
export function createSnapshot(init: Init): Snapshot {
  return {
    version: CURRENT_SNAPSHOT_VERSION,
    uuid: null,
    baseManifestListSize: null,
    deltaManifestListSize: null,
    changelogManifestList: null,
    changelogManifestListSize: null,
    indexManifest: null,
    writerVersion: null,
    commitIdentifier: BATCH_COMMIT_IDENTIFIER,
    totalRecordCount: 0n,
    deltaRecordCount: 0n,
    changelogRecordCount: null,
    watermark: null,
    statistics: null,
    properties: null,
    nextRowId: null,
    operation: null,
    ...init,
  };
}

/** The JSON object of a snapshot, Java's key order, nulls omitted. */
export function snapshotToJsonObject(s: Snapshot): JsonObject {
  const o: JsonObject = {};
  for (const k of SNAPSHOT_KEYS) {
    const v = s[k];
    if (v === null || v === undefined) continue;
    o[k] = k === "properties" ? { ...(v as Record<string, string>) } : (v as JsonValue);
  }
  return o;
}

/** Serializes a snapshot; `jackson` (default) is Java's pretty style. */
export function snapshotToJson(s: Snapshot, style: JsonStyle = "jackson"): string {
  return stringifyJson(snapshotToJsonObject(s), style);
}

function opt<T>(o: JsonObject, k: string, conv: (v: unknown, what: string) => T): T | null {
  const v = o[k];
  return v === null || v === undefined ? null : conv(v, k);
}

function req<T>(o: JsonObject, k: string, conv: (v: unknown, what: string) => T, what: string): T {
  const v = o[k];
  if (v === null || v === undefined) throw new SnapshotFormatError(`${what}: missing required key "${k}"`);
  return conv(v, k);
}

function stringMap(v: unknown, what: string): Record<string, string> {
  if (!isJsonObject(v)) throw new JsonShapeError(`${what}: expected an object`);
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(v)) {
    if (typeof x !== "string") throw new JsonShapeError(`${what}.${k}: expected a string`);
    out[k] = x;
  }
  return out;
}

/**
 * Reads a snapshot from a parsed JSON object. Unknown keys (for example the legacy
 * `logOffsets`) are ignored, as Java does. Missing `version` ⇒ 1, missing record counts ⇒ 0.
 */
export function snapshotFromJsonObject(o: JsonValue, what = "snapshot"): Snapshot {
  if (!isJsonObject(o)) throw new SnapshotFormatError(`${what}: expected a JSON object`);
  try {
    const commitKind = (v: unknown, k: string): CommitKind => {
      const kind = jsonToString(v, k);
      if (!(COMMIT_KINDS as readonly string[]).includes(kind)) throw new SnapshotFormatError(`${what}: unknown commitKind ${JSON.stringify(kind)}`);
      return kind as CommitKind;
    };
    return {
      version: opt(o, "version", jsonToInt) ?? 1,
      uuid: opt(o, "uuid", jsonToString),
      id: req(o, "id", jsonToBigInt, what),
      schemaId: req(o, "schemaId", jsonToBigInt, what),
      baseManifestList: req(o, "baseManifestList", jsonToString, what),
      baseManifestListSize: opt(o, "baseManifestListSize", jsonToBigInt),
      deltaManifestList: req(o, "deltaManifestList", jsonToString, what),
      deltaManifestListSize: opt(o, "deltaManifestListSize", jsonToBigInt),
      changelogManifestList: opt(o, "changelogManifestList", jsonToString),
      changelogManifestListSize: opt(o, "changelogManifestListSize", jsonToBigInt),
      indexManifest: opt(o, "indexManifest", jsonToString),
      commitUser: req(o, "commitUser", jsonToString, what),
      writerVersion: opt(o, "writerVersion", jsonToString),
      commitIdentifier: req(o, "commitIdentifier", jsonToBigInt, what),
      commitKind: req(o, "commitKind", commitKind, what),
      timeMillis: req(o, "timeMillis", jsonToBigInt, what),
      totalRecordCount: opt(o, "totalRecordCount", jsonToBigInt) ?? 0n,
      deltaRecordCount: opt(o, "deltaRecordCount", jsonToBigInt) ?? 0n,
      changelogRecordCount: opt(o, "changelogRecordCount", jsonToBigInt),
      watermark: opt(o, "watermark", jsonToBigInt),
      statistics: opt(o, "statistics", jsonToString),
      properties: opt(o, "properties", stringMap),
      nextRowId: opt(o, "nextRowId", jsonToBigInt),
      operation: opt(o, "operation", jsonToString),
    };
  } catch (e) {
    if (e instanceof JsonShapeError) throw new SnapshotFormatError(`${what}: ${e.message}`);
    throw e;
  }
}

/** Parses snapshot JSON text (BigInt-safe). */
export function snapshotFromJson(text: string, what = "snapshot"): Snapshot {
  let j: JsonValue;
  try {
    j = parseJson(text);
  } catch (e) {
    throw new SnapshotFormatError(`${what}: invalid JSON: ${(e as Error).message}`);
  }
  return snapshotFromJsonObject(j, what);
}

/** File name of a snapshot: `snapshot-<id>`. */
export function snapshotFileName(id: bigint | number): string {
  return `snapshot-${id}`;
}

/** The id in `snapshot-<digits>`, or null for any other name (temp files, hints). */
export function parseSnapshotFileName(name: string): bigint | null {
  const m = /^snapshot-(\d+)$/.exec(name);
  return m ? BigInt(m[1]) : null;
}
