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
  raw: Record<string, string>;
}

function bool(o: Record<string, string>, key: string, dflt: boolean): boolean {
  const v = o[key];
  if (v === undefined) return dflt;
  const l = v.trim().toLowerCase();
  if (l === "true") return true;
  if (l === "false") return false;
  throw new InvalidInputError(`option '${key}' must be true or false, got ${JSON.stringify(v)}`);
}

export function coreOptions(schema: TableSchema): CoreOptions {
  const o = schema.options;
  const engine = (o["merge-engine"] ?? "deduplicate") as MergeEngine;
  if (!["deduplicate", "partial-update", "aggregation", "first-row"].includes(engine)) {
    throw new InvalidInputError(`unknown merge-engine '${engine}'`);
  }
  const ignoreDelete = bool(o, "ignore-delete", false) || bool(o, "first-row.ignore-delete", false) || bool(o, "partial-update.ignore-delete", false) || bool(o, "deduplicate.ignore-delete", false);
  return {
    bucket: o.bucket === undefined ? -1 : Number(o.bucket),
    mergeEngine: engine,
    sequenceFields: (o["sequence.field"] ?? "").split(",").map((s) => s.trim()).filter((s) => s.length > 0),
    sequenceDescending: (o["sequence.field.sort-order"] ?? "ascending").toLowerCase() === "descending",
    ignoreDelete,
    deletionVectors: bool(o, "deletion-vectors.enabled", false),
    deletionVectorsMergeOnRead: bool(o, "deletion-vectors.merge-on-read", false),
    partitionDefaultName: o["partition.default-name"] ?? "__DEFAULT_PARTITION__",
    partitionLegacyName: bool(o, "partition.legacy-name", true),
    fileFormat: (o["file.format"] ?? "parquet").toLowerCase(),
    fileCompression: (o["file.compression"] ?? "zstd").toLowerCase(),
    manifestCompression: (o["manifest.compression"] ?? "zstd").toLowerCase(),
    partialUpdateRemoveOnDelete: bool(o, "partial-update.remove-record-on-delete", false),
    aggregationRemoveOnDelete: bool(o, "aggregation.remove-record-on-delete", false),
    postponeMergeOnRead: bool(o, "postpone.merge-on-read", false),
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
  if (unit === "") return value;
  for (const [names, factor] of SIZE_UNITS) if (names.includes(unit)) return value * factor;
  throw new InvalidInputError(`option '${key}': unknown size unit '${m[2]}' in ${JSON.stringify(text)}`);
}
