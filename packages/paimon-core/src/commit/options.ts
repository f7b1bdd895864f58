/**
 * The table options the committer, snapshot expiration and orphan cleaning act on
 * (METADATA.md §9), with Paimon's duration ("1 h", "10 ms") and memory-size ("8 mb")
 * value syntax (the parsers live in `src/table/options.ts`, re-exported here).
 */
import { boolOption, intOption, parseDurationMs, parseMemorySize } from "../table/options.js";

export { parseDurationMs, parseMemorySize };



function durationOption(o: Record<string, string>, key: string, dflt: number | null): number | null {
  const v = o[key];
  return v === undefined ? dflt : parseDurationMs(v, key);
}

function sizeOption(o: Record<string, string>, key: string, dflt: number): number {
  const v = o[key];
  return v === undefined ? dflt : parseMemorySize(v, key);
}

export interface CommitTableOptions {
  /** `manifest.target-file-size` (8 MiB). */
  manifestTargetFileSize: number;
  /** `manifest.merge-min-count` (30). */
  manifestMergeMinCount: number;
  /** `manifest.full-compaction-threshold-size` (16 MiB). */
  manifestFullCompactionThresholdSize: number;
  /** `manifest.compression` (zstd). */
  manifestCompression: string;
  /** `file.compression.zstd-level` (1). */
  zstdLevel: number;
  /** `commit.max-retries` (10). */
  commitMaxRetries: number;
  /** `commit.timeout` (unbounded = null). */
  commitTimeoutMs: number | null;
  /** `commit.min-retry-wait` (10 ms). */
  commitMinRetryWaitMs: number;
  /** `commit.max-retry-wait` (10 s). */
  commitMaxRetryWaitMs: number;
  /** `dynamic-partition-overwrite` (true). */
  dynamicPartitionOverwrite: boolean;
  /** `overwrite-upgrade` (true). */
  overwriteUpgrade: boolean;
  /** `num-levels` (default `num-sorted-run.compaction-trigger` + 1 = 6). */
  numLevels: number;
  /** `snapshot.num-retained.min` (10). */
  snapshotNumRetainedMin: number;
  /** `snapshot.num-retained.max` (Integer.MAX_VALUE). */
  snapshotNumRetainedMax: number;
  /** `snapshot.time-retained` (1 h). */
  snapshotTimeRetainedMs: number;
  /** `snapshot.expire.limit` (50). */
  snapshotExpireLimit: number;
  /** `row-tracking.enabled` (false); not supported by this committer. */
  rowTracking: boolean;
  /** `data-evolution.enabled` (false); not supported by this committer. */
  dataEvolution: boolean;
}

export const INTEGER_MAX = 2147483647;

export function commitTableOptions(o: Record<string, string>): CommitTableOptions {
  const trigger = intOption(o, "num-sorted-run.compaction-trigger", 5);
  return {
    manifestTargetFileSize: sizeOption(o, "manifest.target-file-size", 8 * 1024 * 1024),
    manifestMergeMinCount: intOption(o, "manifest.merge-min-count", 30),
    manifestFullCompactionThresholdSize: sizeOption(o, "manifest.full-compaction-threshold-size", 16 * 1024 * 1024),
    manifestCompression: o["manifest.compression"] ?? "zstd",
    zstdLevel: intOption(o, "file.compression.zstd-level", 1),
    commitMaxRetries: intOption(o, "commit.max-retries", 10),
    commitTimeoutMs: durationOption(o, "commit.timeout", null),
    commitMinRetryWaitMs: durationOption(o, "commit.min-retry-wait", 10) as number,
    commitMaxRetryWaitMs: durationOption(o, "commit.max-retry-wait", 10_000) as number,
    dynamicPartitionOverwrite: boolOption(o, "dynamic-partition-overwrite", true),
    overwriteUpgrade: boolOption(o, "overwrite-upgrade", true),
    numLevels: intOption(o, "num-levels", trigger + 1),
    snapshotNumRetainedMin: intOption(o, "snapshot.num-retained.min", 10),
    snapshotNumRetainedMax: intOption(o, "snapshot.num-retained.max", INTEGER_MAX),
    snapshotTimeRetainedMs: durationOption(o, "snapshot.time-retained", 3_600_000) as number,
    snapshotExpireLimit: intOption(o, "snapshot.expire.limit", 50),
    rowTracking: boolOption(o, "row-tracking.enabled", false),
    dataEvolution: boolOption(o, "data-evolution.enabled", false),
  };
}
