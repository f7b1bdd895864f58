/**
 * Partition helpers of the committer: the `_PARTITION_STATS` collector of manifest files
 * (min/max/null counts of the partition rows, "full" mode, all fields), the partition
 * pruning test full manifest compaction uses, partition-spec predicates for overwrite and
 * drop-partition, and partition rendering for error messages.
 */
import { InvalidInputError } from "@paimon-ts/fileio";
import { deserializeBinaryRow } from "../data/binary-row.js";
import { partitionSpec } from "../data/partition-path.js";
import { simpleStatsFromBinary, simpleStatsToBinary, statsComparator, type SimpleColStats } from "../data/stats.js";
import type { InternalValue } from "../data/values.js";
import type { PartitionStatsCollector } from "../manifest/entries.js";
import { toHex } from "../manifest/bytes.js";
import { emptyStats, type ManifestFileMeta } from "../manifest/model.js";
import type { DataField, DataType } from "../types/datatype.js";

type Cmp = (a: InternalValue, b: InternalValue) => number;

function comparators(types: readonly DataType[]): Cmp[] {
  return types.map((t) => {
    const c = statsComparator(t);
    if (!c) throw new InvalidInputError(`a ${t.root} column cannot be a partition key`);
    return c;
  });
}

/** Decodes serialized partition rows, once per distinct row. */
class PartitionDecoder {
  private readonly cache = new Map<string, InternalValue[]>();
  constructor(private readonly types: readonly DataType[]) {}
  decode(bytes: Uint8Array): InternalValue[] {
    const key = toHex(bytes);
    let v = this.cache.get(key);
    if (!v) {
      v = deserializeBinaryRow(this.types, bytes);
      if (this.cache.size > 10_000) this.cache.clear();
      this.cache.set(key, v);
    }
    return v;
  }
}

/**
 * The `_PARTITION_STATS` of a manifest file: min and max of every partition field over
 * the entries (Java collects them in "full" mode: no truncation) and the number of entries
 * whose value is null. Unpartitioned tables get empty stats (arity-0 rows, no counts).
 */
export function partitionStatsCollector(partitionTypes: readonly DataType[]): PartitionStatsCollector {
  if (partitionTypes.length === 0) return () => emptyStats();
  const cmps = comparators(partitionTypes);
  const decoder = new PartitionDecoder(partitionTypes);
  const n = partitionTypes.length;
  return (partitions) => {
    const min: InternalValue[] = new Array(n).fill(null);
    const max: InternalValue[] = new Array(n).fill(null);
    const nulls: bigint[] = new Array(n).fill(0n);
    for (const p of partitions) {
      const values = decoder.decode(p);
      for (let i = 0; i < n; i++) {
        const v = values[i];
        if (v === null) {
          nulls[i]++;
          continue;
        }
        if (min[i] === null || cmps[i](v, min[i]) < 0) min[i] = v;
        if (max[i] === null || cmps[i](v, max[i]) > 0) max[i] = v;
      }
    }
    const stats: SimpleColStats[] = min.map((m, i) => ({ min: m, max: max[i], nullCount: nulls[i] }));
    return simpleStatsToBinary(partitionTypes, stats);
  };
}

/**
 * Whether a manifest's partition stats may contain any of these partitions (used by full
 * manifest compaction to leave untouched manifests that cannot hold a deleted file).
 * Unknown or undecodable stats answer true.
 */
export function partitionStatsMayContain(partitionTypes: readonly DataType[]): (meta: ManifestFileMeta, partitions: Uint8Array[]) => boolean {
  if (partitionTypes.length === 0) return () => true;
  const cmps = comparators(partitionTypes);
  const decoder = new PartitionDecoder(partitionTypes);
  return (meta, partitions) => {
    let stats: SimpleColStats[];
    try {
      stats = simpleStatsFromBinary(partitionTypes, meta.partitionStats);
    } catch {
      return true;
    }
    return partitions.some((p) => {
      const values = decoder.decode(p);
      return values.every((v, i) => {
        const s = stats[i];
        if (v === null) return s.nullCount === null || s.nullCount > 0n;
        if (s.min === null || s.max === null) return true;
        return cmps[i](s.min, v) <= 0 && cmps[i](v, s.max) <= 0;
      });
    });
  };
}

/** A partition spec: values by partition column (a subset of the partition keys). */
export type PartitionSpec = Record<string, InternalValue>;

/**
 * A predicate over serialized partition rows that holds when every column named in one
 * of the specs has the given value (null matches the null/default partition). An empty
 * spec matches everything.
 */
export function partitionSpecPredicate(fields: readonly DataField[], specs: readonly PartitionSpec[], table: string): (partition: Uint8Array) => boolean {
  const types = fields.map((f) => f.type);
  const cmps = fields.length === 0 ? [] : comparators(types);
  const compiled = specs.map((spec) =>
    Object.entries(spec).map(([name, value]) => {
      const i = fields.findIndex((f) => f.name === name);
      if (i < 0) throw new InvalidInputError(`table ${table}: '${name}' is not a partition key (partition keys: ${fields.map((f) => f.name).join(", ") || "none"})`);
      return { i, value };
    }),
  );
  const decoder = new PartitionDecoder(types);
  return (partition) => {
    const values = decoder.decode(partition);
    return compiled.some((conds) =>
      conds.every(({ i, value }) => (value === null ? values[i] === null : values[i] !== null && cmps[i](values[i], value) === 0)),
    );
  };
}

/** `dt=2024-01-01/region=eu` (CAST-style values, for messages), or `<unpartitioned>`. */
export function describePartition(fields: readonly DataField[], partition: Uint8Array): string {
  if (fields.length === 0) return "<unpartitioned>";
  try {
    const values = deserializeBinaryRow(
      fields.map((f) => f.type),
      partition,
    );
    return partitionSpec(fields, values, { legacyName: false })
      .map(([k, v]) => `${k}=${v}`)
      .join("/");
  } catch {
    return `0x${toHex(partition)}`;
  }
}
