/**
 * The table options the write path acts on (METADATA.md §9), parsed once per writer, and
 * the checks that refuse tables this writer cannot serve correctly.
 */
import { InvalidInputError, UnsupportedError } from "@paimon-ts/fileio";
import { DEFAULT_STATS_MODE, parseStatsMode, type StatsMode } from "../data/stats.js";
import type { TableSchema } from "../schema/table-schema.js";
import { bucketOption } from "../schema/table-schema.js";
import { boolOption as bool, coreOptions, intOption as int, memorySizeOption, parseMemorySize, type CoreOptions } from "../table/options.js";

// re-exported: the write path's callers and tests import it from here
export { parseMemorySize };

export interface WriteOptions {
  core: CoreOptions;
  bucket: number;
  /** `target-file-size`: 128 MiB for primary-key tables, 256 MiB for append tables (Java's defaults). */
  targetFileSize: number;
  /** `write-buffer-size` (256 MiB): memory of the primary-key write buffers of one writer. */
  writeBufferSize: number;
  fileFormat: string;
  /** `file.compression` (zstd). */
  compression: "zstd" | "snappy" | "gzip" | "lz4" | "none";
  /** `file.compression.zstd-level` (1), or `parquet.compression.codec.zstd.level`. */
  zstdLevel: number;
  dataFilePrefix: string;
  /** `metadata.stats-mode` (truncate(16)). */
  statsMode: string;
  /** `metadata.stats-mode.per.level`: level → mode. */
  statsModePerLevel: Map<number, string>;
  /** `metadata.stats-dense-store` (true). */
  statsDenseStore: boolean;
  /** `metadata.stats-keep-first-n-columns` (-1 = off). */
  statsKeepFirstNColumns: number;
  /** `dynamic-bucket.target-row-num` (2 000 000). */
  dynamicBucketTargetRowNum: number;
  /** `dynamic-bucket.max-buckets` (-1 = unlimited, i.e. 32767 ids). */
  dynamicBucketMaxBuckets: number;
  /** `num-sorted-run.compaction-trigger` (5). */
  numSortedRunCompactionTrigger: number;
  /** `num-sorted-run.stop-trigger` (trigger + 3). */
  numSortedRunStopTrigger: number;
  /** `num-levels` (trigger + 1). */
  numLevels: number;
  /** `compaction.max-size-amplification-percent` (200). */
  maxSizeAmplificationPercent: number;
  /** `compaction.size-ratio` (1). */
  sizeRatio: number;
  /** Files below this size are rewritten rather than upgraded by compaction (`target-file-size` / 10 × 7). */
  compactionFileSize: number;
  /** `write-only` (false): never compact. */
  writeOnly: boolean;
  /** `deletion-vectors.enabled` on a primary-key table: lookup compaction writes deletion vectors (merge on write). */
  deletionVectors: boolean;
  /** `deletion-vectors.bitmap64` (false): v2 (64-bit) vectors instead of v1. */
  deletionVectorsBitmap64: boolean;
  /** `lookup.cache-max-memory-size` (256 MiB): bound of the lookup compaction's key cache. */
  lookupCacheMaxMemory: number;
  /** `changelog-producer` (none): what changelog files a primary-key write produces. */
  changelogProducer: ChangelogProducer;
  /**
   * Java's `CoreOptions.needLookup()`: first-row, `changelog-producer=lookup`, deletion
   * vectors or `force-lookup` — compaction takes level-0 files up before each commit,
   * looking their keys up in the levels above.
   */
  needLookup: boolean;
  /** `changelog-producer.row-deduplicate` (false): no -U/+U pair when a key's value did not change. */
  changelogRowDeduplicate: boolean;
  /** `changelog-producer.row-deduplicate-ignore-fields`: columns left out of that comparison. */
  changelogRowDeduplicateIgnoreFields: string[];
  /** `changelog-file.prefix` (changelog-). */
  changelogFilePrefix: string;
  /** `changelog-file.compression` (the data files' compression when unset). */
  changelogCompression: WriteOptions["compression"];
  /** `changelog-file.stats-mode` (the data files' mode of the level when unset). */
  changelogStatsMode: string | null;
  raw: Record<string, string>;
}

export type ChangelogProducer = "none" | "input" | "lookup" | "full-compaction";

const PRODUCERS: readonly ChangelogProducer[] = ["none", "input", "lookup", "full-compaction"];



function parsePerLevel(v: string | undefined, key: string): Map<number, string> {
  const out = new Map<number, string>();
  if (v === undefined || v.trim() === "") return out;
  for (const part of v.split(",")) {
    const i = part.indexOf(":");
    const level = Number(part.slice(0, i).trim());
    if (i < 0 || !Number.isInteger(level)) throw new InvalidInputError(`option '${key}': expected 'level:value,...', got ${JSON.stringify(v)}`);
    out.set(level, part.slice(i + 1).trim());
  }
  return out;
}

const COMPRESSIONS = ["zstd", "snappy", "gzip", "lz4", "none"] as const;

function writeCompression(value: string, tableName: string, key: string): WriteOptions["compression"] {
  let c = value.trim().toLowerCase();
  if (c === "uncompressed") c = "none";
  if (c === "lz4_raw") c = "lz4";
  if (!(COMPRESSIONS as readonly string[]).includes(c)) throw new UnsupportedError(`table ${tableName}: ${key} '${value}' is not supported for writing (use ${COMPRESSIONS.join(", ")})`);
  return c as WriteOptions["compression"];
}

/** Reads and checks the write options of a table. */
export function writeOptions(schema: TableSchema, tableName: string): WriteOptions {
  const core = coreOptions(schema);
  const o = schema.options;
  const pk = schema.primaryKeys.length > 0;
  const ctx = `table ${tableName}: `;
  const intOption = (o: Record<string, string>, key: string, dflt: number) => int(o, key, dflt, ctx);
  const boolOption = (o: Record<string, string>, key: string, dflt: boolean) => bool(o, key, dflt, ctx);
  const targetFileSize = memorySizeOption(o, "target-file-size", pk ? 128 * 1024 ** 2 : 256 * 1024 ** 2, ctx);
  const trigger = intOption(o, "num-sorted-run.compaction-trigger", 5);
  const compression = writeCompression(core.fileCompression, tableName, "file.compression");
  const producer = core.changelogProducer as ChangelogProducer;
  if (!PRODUCERS.includes(producer)) throw new InvalidInputError(`table ${tableName}: option 'changelog-producer' must be one of ${PRODUCERS.join(", ")}, got ${JSON.stringify(o["changelog-producer"])}`);
  const changelogProducer: ChangelogProducer = pk ? producer : "none";
  const changelogStatsMode = o["changelog-file.stats-mode"] ?? null;
  if (changelogStatsMode !== null) parseStatsMode(changelogStatsMode);
  const zstdLevel = intOption(o, "parquet.compression.codec.zstd.level", intOption(o, "file.compression.zstd-level", 1));
  const statsMode = o["metadata.stats-mode"] ?? "truncate(16)";
  parseStatsMode(statsMode); // fail early on a bad value
  return {
    core,
    bucket: bucketOption(schema),
    targetFileSize,
    writeBufferSize: memorySizeOption(o, "write-buffer-size", 256 * 1024 ** 2, ctx),
    fileFormat: core.fileFormat,
    compression,
    zstdLevel,
    dataFilePrefix: o["data-file.prefix"] ?? "data-",
    statsMode,
    statsModePerLevel: parsePerLevel(o["metadata.stats-mode.per.level"], "metadata.stats-mode.per.level"),
    statsDenseStore: boolOption(o, "metadata.stats-dense-store", true),
    statsKeepFirstNColumns: intOption(o, "metadata.stats-keep-first-n-columns", -1),
    dynamicBucketTargetRowNum: intOption(o, "dynamic-bucket.target-row-num", 2_000_000),
    dynamicBucketMaxBuckets: intOption(o, "dynamic-bucket.max-buckets", -1),
    numSortedRunCompactionTrigger: trigger,
    numSortedRunStopTrigger: Math.max(trigger, intOption(o, "num-sorted-run.stop-trigger", trigger + 3)),
    numLevels: intOption(o, "num-levels", trigger + 1),
    maxSizeAmplificationPercent: intOption(o, "compaction.max-size-amplification-percent", 200),
    sizeRatio: intOption(o, "compaction.size-ratio", 1),
    compactionFileSize: Math.floor(targetFileSize / 10) * 7,
    writeOnly: boolOption(o, "write-only", false),
    deletionVectors: pk && core.deletionVectors,
    deletionVectorsBitmap64: boolOption(o, "deletion-vectors.bitmap64", false),
    lookupCacheMaxMemory: memorySizeOption(o, "lookup.cache-max-memory-size", 256 * 1024 ** 2, ctx),
    changelogProducer,
    needLookup: core.needLookup,
    changelogRowDeduplicate: boolOption(o, "changelog-producer.row-deduplicate", false),
    changelogRowDeduplicateIgnoreFields: (o["changelog-producer.row-deduplicate-ignore-fields"] ?? "")
      .split(",")
      .map((f) => f.trim())
      .filter((f) => f !== ""),
    changelogFilePrefix: o["changelog-file.prefix"] ?? "changelog-",
    changelogCompression: o["changelog-file.compression"] !== undefined ? writeCompression(o["changelog-file.compression"], tableName, "changelog-file.compression") : compression,
    changelogStatsMode,
    raw: o,
  };
}

/**
 * The stats mode of each written field, as Java's `StatsCollectorFactories` picks it:
 * `fields.<name>.stats-mode` first; system fields (`_KEY_*`, `_SEQUENCE_NUMBER`,
 * `_VALUE_KIND`, …) truncate(128); then the table mode (per level if configured), with
 * every non-system column after the first `metadata.stats-keep-first-n-columns` at none.
 */
export function statsModesFor(fieldNames: readonly string[], opts: WriteOptions, level: number, changelog = false): StatsMode[] {
  const tableMode = (changelog ? opts.changelogStatsMode : null) ?? opts.statsModePerLevel.get(level) ?? opts.statsMode;
  const keepFirst = opts.statsKeepFirstNColumns;
  let columnCount = 0;
  return fieldNames.map((name) => {
    const fieldMode = opts.raw[`fields.${name}.stats-mode`];
    if (fieldMode !== undefined) {
      columnCount++;
      return parseStatsMode(fieldMode);
    }
    if (isSystemFieldName(name)) return { kind: "truncate", length: 128 };
    const mode: StatsMode = keepFirst >= 0 && columnCount >= keepFirst ? { kind: "none" } : tableMode === undefined ? DEFAULT_STATS_MODE : parseStatsMode(tableMode);
    columnCount++;
    return mode;
  });
}

const SYSTEM_FIELD_NAMES = new Set(["_SEQUENCE_NUMBER", "_VALUE_KIND", "_LEVEL", "rowkind", "_ROW_ID"]);

/** `SpecialFields.isSystemField(name)`. */
export function isSystemFieldName(name: string): boolean {
  return name.startsWith("_KEY_") || SYSTEM_FIELD_NAMES.has(name);
}

/** Options whose files this writer would lay out differently from Java: refused up front. */
export function checkWritable(schema: TableSchema, opts: WriteOptions, tableName: string): void {
  const o = opts.raw;
  const refuse = (msg: string): never => {
    throw new UnsupportedError(`table ${tableName}: ${msg}`);
  };
  if (opts.fileFormat !== "parquet") refuse(`writing '${opts.fileFormat}' data files is not supported yet; paimon-ts writes parquet only (set file.format=parquet)`);
  if (o["file.format.per.level"]) refuse("file.format.per.level is not supported for writing");
  if (o["data-file.path-directory"]) refuse("data-file.path-directory is not supported for writing");
  if (o["data-file.external-paths"]) refuse("data-file.external-paths is not supported for writing");
  if ((o["bucket-function.type"] ?? "default").toLowerCase() !== "default") refuse(`bucket-function.type '${o["bucket-function.type"]}' is not supported for writing`);
  if (o["row-tracking.enabled"] === "true" || o["data-evolution.enabled"] === "true") refuse("row tracking / data evolution tables are not supported for writing");
  if (schema.primaryKeys.length > 0) {
    if (opts.core.deletionVectors) {
      if (opts.core.mergeEngine === "first-row") refuse("merge-engine 'first-row' does not take deletion vectors (old rows are never deleted), as in Java; disable deletion-vectors.enabled");
    }
    // Java's SchemaValidation: a first-row table keeps only the first record of a key, so an input changelog would lie
    const producer = opts.changelogProducer;
    if (opts.core.mergeEngine === "first-row" && (producer === "input" || producer === "full-compaction")) refuse("merge-engine 'first-row' takes only changelog-producer 'none' or 'lookup', as in Java");
    if (producer === "full-compaction" && opts.core.deletionVectors) refuse("deletion vectors take only changelog-producer 'none', 'input' or 'lookup', as in Java");
    if (producer === "full-compaction" && opts.needLookup) refuse("changelog-producer 'full-compaction' with force-lookup is not supported for writing");
    const clFormat = o["changelog-file.format"];
    if (clFormat !== undefined && clFormat.trim().toLowerCase() !== "parquet") refuse(`changelog-file.format '${clFormat}' is not supported for writing; paimon-ts writes parquet changelog files only`);
    for (const f of opts.changelogRowDeduplicateIgnoreFields) {
      if (!schema.fields.some((x) => x.name === f)) refuse(`changelog-producer.row-deduplicate-ignore-fields names '${f}', which is not a column`);
    }
    if (o["rowkind.field"]) refuse("rowkind.field is not supported for writing; pass the row kinds to write()");
  }
}
