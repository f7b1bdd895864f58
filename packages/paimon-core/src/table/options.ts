/** Typed access to the table options readers and writers act on (METADATA.md §9). */
import { InvalidInputError } from "@paimon-ts/fileio";
import type { TableSchema } from "../schema/table-schema.js";

export type MergeEngine = "deduplicate" | "partial-update" | "aggregation" | "first-row";

export interface CoreOptions {
  bucket: number;
  mergeEngine: MergeEngine;
  sequenceFields: string[];
  sequenceDescending: boolean;
  ignoreDelete: boolean;
  deletionVectors: boolean;
  deletionVectorsMergeOnRead: boolean;
  partitionDefaultName: string;
  partitionLegacyName: boolean;
  fileFormat: string;
  fileCompression: string;
  manifestCompression: string;
  partialUpdateRemoveOnDelete: boolean;
  aggregationRemoveOnDelete: boolean;
  postponeMergeOnRead: boolean;
  /** `changelog-producer`, trimmed and lower-cased (none). */
  changelogProducer: string;
  /** `force-lookup` (false). */
  forceLookup: boolean;
  /**
   * Java's `CoreOptions.needLookup()` on a primary-key table: first-row,
   * `changelog-producer=lookup`, deletion vectors or `force-lookup`. Compaction takes level-0
   * files up before each commit, looking their keys up above; merge-on-read merges a key's
   * level-0 records with only its newest record above level 0.
   */
  needLookup: boolean;
  raw: Record<string, string>;
}

/** A boolean option (`true`/`false`, any case); `context` (e.g. `table db.t: `) prefixes the error. */
export function boolOption(o: Record<string, string>, key: string, dflt: boolean, context = ""): boolean {
  const v = o[key];
  if (v === undefined) return dflt;
  const l = v.trim().toLowerCase();
  if (l === "true") return true;
  if (l === "false") return false;
  throw new InvalidInputError(`${context}option '${key}' must be true or false, got ${JSON.stringify(v)}`);
}

/** An integer option; `context` (e.g. `table db.t: `) prefixes the error. */
export function intOption(o: Record<string, string>, key: string, dflt: number, context = ""): number {
  const v = o[key];
  if (v === undefined) return dflt;
  const n = Number(v.trim());
  if (v.trim() === "" || !Number.isInteger(n)) throw new InvalidInputError(`${context}option '${key}' must be an integer, got ${JSON.stringify(v)}`);
  return n;
}

export function coreOptions(schema: TableSchema): CoreOptions {
  const o = schema.options;
  const engine = (o["merge-engine"] ?? "deduplicate") as MergeEngine;
  if (!["deduplicate", "partial-update", "aggregation", "first-row"].includes(engine)) {
    throw new InvalidInputError(`unknown merge-engine '${engine}'`);
  }
  const ignoreDelete = boolOption(o, "ignore-delete", false) || boolOption(o, "first-row.ignore-delete", false) || boolOption(o, "partial-update.ignore-delete", false) || boolOption(o, "deduplicate.ignore-delete", false);
  const deletionVectors = boolOption(o, "deletion-vectors.enabled", false);
  const changelogProducer = (o["changelog-producer"] ?? "none").trim().toLowerCase();
  const forceLookup = boolOption(o, "force-lookup", false);
  return {
    bucket: o.bucket === undefined ? -1 : Number(o.bucket),
    mergeEngine: engine,
    sequenceFields: (o["sequence.field"] ?? "").split(",").map((s) => s.trim()).filter((s) => s.length > 0),
    sequenceDescending: (o["sequence.field.sort-order"] ?? "ascending").toLowerCase() === "descending",
    ignoreDelete,
    deletionVectors,
    deletionVectorsMergeOnRead: boolOption(o, "deletion-vectors.merge-on-read", false),
    partitionDefaultName: o["partition.default-name"] ?? "__DEFAULT_PARTITION__",
    partitionLegacyName: boolOption(o, "partition.legacy-name", true),
    fileFormat: (o["file.format"] ?? "parquet").toLowerCase(),
    fileCompression: (o["file.compression"] ?? "zstd").toLowerCase(),
    manifestCompression: (o["manifest.compression"] ?? "zstd").toLowerCase(),
    partialUpdateRemoveOnDelete: boolOption(o, "partial-update.remove-record-on-delete", false),
    aggregationRemoveOnDelete: boolOption(o, "aggregation.remove-record-on-delete", false),
    postponeMergeOnRead: boolOption(o, "postpone.merge-on-read", false),
    changelogProducer,
    forceLookup,
    needLookup: schema.primaryKeys.length > 0 && (engine === "first-row" || changelogProducer === "lookup" || deletionVectors || forceLookup),
    raw: o,
  };
}

// ---------------------------------------------------------------------------------------
// Value syntax of duration and memory-size options (moved here from src/commit/options.ts)

const DURATION_UNITS: [string[], number][] = [
  [["ns", "nano", "nanos", "nanosecond", "nanoseconds"], 1e-6],
  [["us", "µs", "micro", "micros", "microsecond", "microseconds"], 1e-3],
  [["ms", "milli", "millis", "millisecond", "milliseconds"], 1],
  [["s", "sec", "secs", "second", "seconds"], 1000],
  [["m", "min", "mins", "minute", "minutes"], 60_000],
  [["h", "hour", "hours"], 3_600_000],
  [["d", "day", "days"], 86_400_000],
];

/** Parses a duration option (`"1 h"`, `"30min"`, `"100"` = millis) into milliseconds. */
export function parseDurationMs(text: string, key = "duration"): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-zµ]*)\s*$/i.exec(text);
  if (!m) throw new InvalidInputError(`option '${key}': invalid duration ${JSON.stringify(text)}`);
  const value = Number(m[1]);
  const unit = m[2].toLowerCase();
  if (unit === "") return value;
  for (const [names, factor] of DURATION_UNITS) if (names.includes(unit)) return Math.floor(value * factor);
  throw new InvalidInputError(`option '${key}': unknown time unit '${m[2]}' in ${JSON.stringify(text)}`);
}

const SIZE_UNITS: [string[], number][] = [
  [["b", "bytes"], 1],
  [["k", "kb", "kibibytes"], 1024],
  [["m", "mb", "mebibytes"], 1024 ** 2],
  [["g", "gb", "gibibytes"], 1024 ** 3],
  [["t", "tb", "tebibytes"], 1024 ** 4],
];

/** Parses a memory-size option (`"8 mb"`, `"16MB"`, `"1024"` = bytes) into bytes. */
export function parseMemorySize(text: string, key = "size"): number {
  const m = /^\s*(\d+)\s*([a-z]*)\s*$/i.exec(text);
  if (!m) throw new InvalidInputError(`option '${key}': invalid memory size ${JSON.stringify(text)}`);
  const value = Number(m[1]);
  const unit = m[2].toLowerCase();
  const factor = unit === "" ? 1 : SIZE_UNITS.find(([names]) => names.includes(unit))?.[1];
  if (factor === undefined) throw new InvalidInputError(`option '${key}': unknown size unit '${m[2]}' in ${JSON.stringify(text)}`);
  const bytes = value * factor;
  if (!Number.isSafeInteger(bytes)) throw new InvalidInputError(`option '${key}': memory size ${JSON.stringify(text)} is too large`);
  return bytes;
}

/** A memory-size option in bytes; `context` (e.g. `table db.t: `) prefixes the error. */
export function memorySizeOption(o: Record<string, string>, key: string, dflt: number, context = ""): number {
  const v = o[key];
  if (v === undefined) return dflt;
  try {
    return parseMemorySize(v, key);
  } catch (e) {
    throw new InvalidInputError(`${context}${(e as Error).message}`);
  }
}
