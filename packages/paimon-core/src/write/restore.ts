/**
 * What a writer restores from the latest snapshot when it starts: the live data files
 * of each (partition, bucket) — their levels and max sequence number — and the live
 * index files (dynamic-bucket HASH indexes).
 */
import { toHex } from "../manifest/bytes.js";
import type { DataFileMeta, IndexManifestEntry, ManifestEntry } from "../manifest/model.js";
import type { Snapshot } from "../snapshot/snapshot.js";
import type { FileStoreTable } from "../table/table.js";

export interface RestoredBucket {
  partition: Uint8Array;
  bucket: number;
  totalBuckets: number;
  files: DataFileMeta[];
}

export class RestoredState {
  private constructor(
    readonly snapshot: Snapshot | null,
    /** By `<partition hex>/<bucket>`. */
    readonly buckets: Map<string, RestoredBucket>,
    readonly indexEntries: IndexManifestEntry[],
  ) {}

  static async load(table: FileStoreTable, snapshot?: Snapshot | null): Promise<RestoredState> {
    const s = snapshot === undefined ? await table.snapshots.latest() : snapshot;
    if (s === null) return new RestoredState(null, new Map(), []);
    const entries: ManifestEntry[] = await table.liveEntries(s);
    const buckets = new Map<string, RestoredBucket>();
    for (const e of entries) {
      const key = bucketKey(e.partition, e.bucket);
      let b = buckets.get(key);
      if (!b) {
        b = { partition: e.partition, bucket: e.bucket, totalBuckets: e.totalBuckets, files: [] };
        buckets.set(key, b);
      }
      b.files.push(e.file);
    }
    return new RestoredState(s, buckets, await table.indexEntries(s));
  }

  bucket(partition: Uint8Array | string, bucket: number): RestoredBucket | undefined {
    return this.buckets.get(bucketKey(partition, bucket));
  }

  /** Buckets of one partition. */
  bucketsOf(partitionHex: string): RestoredBucket[] {
    return [...this.buckets.values()].filter((b) => toHex(b.partition) === partitionHex);
  }

  /** `_TOTAL_BUCKETS` the live files of a partition carry (null when none has a positive count). */
  totalBucketsOf(partitionHex: string): number | null {
    for (const b of this.buckets.values()) if (b.totalBuckets > 0 && toHex(b.partition) === partitionHex) return b.totalBuckets;
    return null;
  }
}

export function bucketKey(partition: Uint8Array | string, bucket: number): string {
  return `${typeof partition === "string" ? partition : toHex(partition)}/${bucket}`;
}

/** Max `_MAX_SEQUENCE_NUMBER` of the files, -1 when there are none. */
export function maxSequenceNumber(files: readonly DataFileMeta[]): bigint {
  let m = -1n;
  for (const f of files) if (f.maxSequenceNumber > m) m = f.maxSequenceNumber;
  return m;
}
