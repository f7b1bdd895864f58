/**
 * Dynamic-bucket assignment (`bucket = -1` on primary-key tables; BINARY.md §6,
 * METADATA.md §6): a single writer per partition keeps the key-hash → bucket map of the
 * partition, loaded from the HASH index files of the snapshot it started from. Known
 * hashes keep their bucket; a new hash goes to the first bucket (ascending id) holding
 * fewer than `dynamic-bucket.target-row-num` hashes, else to the smallest unused bucket
 * id (up to `dynamic-bucket.max-buckets`), else to a random existing bucket. Every bucket
 * that gains hashes gets a complete new HASH index file in the same commit.
 */
import { InvalidInputError } from "@paimon-ts/fileio";
import { readHashIndex, writeHashIndex } from "../index/hash-index.js";

/** An open-addressing int32 → int32 map (the partition's hash → bucket index). */
export class IntIntMap {
  private keys: Int32Array;
  private vals: Int32Array;
  private used: Uint8Array;
  private count = 0;

  constructor(capacity = 1024) {
    let cap = 16;
    while (cap < capacity * 2) cap *= 2;
    this.keys = new Int32Array(cap);
    this.vals = new Int32Array(cap);
    this.used = new Uint8Array(cap);
  }

  get size(): number {
    return this.count;
  }

  private slot(k: number): number {
    let h = Math.imul(k ^ (k >>> 16), 0x85ebca6b);
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
    h ^= h >>> 16;
    const mask = this.keys.length - 1;
    let i = h & mask;
    while (this.used[i] === 1 && this.keys[i] !== k) i = (i + 1) & mask;
    return i;
  }

  /** The value, or -1 when absent (buckets are never negative). */
  get(k: number): number {
    const i = this.slot(k);
    return this.used[i] === 1 ? this.vals[i] : -1;
  }

  set(k: number, v: number): void {
    const i = this.slot(k);
    if (this.used[i] !== 1) {
      this.used[i] = 1;
      this.keys[i] = k;
      this.count++;
      this.vals[i] = v;
      if (this.count * 2 > this.keys.length) this.grow();
      return;
    }
    this.vals[i] = v;
  }

  private grow(): void {
    const { keys, vals, used } = this;
    this.keys = new Int32Array(keys.length * 2);
    this.vals = new Int32Array(keys.length * 2);
    this.used = new Uint8Array(keys.length * 2);
    this.count = 0;
    for (let i = 0; i < keys.length; i++) if (used[i] === 1) this.set(keys[i], vals[i]);
  }

  forEach(fn: (k: number, v: number) => void): void {
    for (let i = 0; i < this.keys.length; i++) if (this.used[i] === 1) fn(this.keys[i], this.vals[i]);
  }
}

/** The hash index of one partition. */
export class PartitionIndex {
  readonly hashToBucket: IntIntMap;
  /** Buckets still below the target, with their hash counts, ascending. */
  private readonly nonFull = new Map<number, number>();
  /** Every bucket of the partition. */
  readonly buckets = new Set<number>();
  /** Buckets that gained hashes since the last `takeChanged()`. */
  private changed = new Set<number>();

  private constructor(
    private readonly targetRowNum: number,
    hashes: IntIntMap,
    counts: Map<number, number>,
  ) {
    this.hashToBucket = hashes;
    for (const b of [...counts.keys()].sort((a, b) => a - b)) {
      this.nonFull.set(b, counts.get(b) as number);
      this.buckets.add(b);
    }
  }

  static empty(targetRowNum: number): PartitionIndex {
    return new PartitionIndex(targetRowNum, new IntIntMap(), new Map());
  }

  /** Builds the index from the partition's HASH index files (bucket, file bytes). */
  static fromFiles(targetRowNum: number, files: readonly { bucket: number; bytes: Uint8Array }[]): PartitionIndex {
    const total = files.reduce((s, f) => s + f.bytes.length / 4, 0);
    const map = new IntIntMap(Math.max(total, 1024));
    const counts = new Map<number, number>();
    for (const f of files) {
      const hashes = readHashIndex(f.bytes);
      for (let i = 0; i < hashes.length; i++) map.set(hashes[i], f.bucket);
      counts.set(f.bucket, (counts.get(f.bucket) ?? 0) + hashes.length);
    }
    return new PartitionIndex(targetRowNum, map, counts);
  }

  /**
   * The bucket of a key hash. `maxBuckets` is `dynamic-bucket.max-buckets` (-1 = no
   * limit but the 32767 ids); `maxAssigned` the largest bucket id the writer has handed
   * out in any partition (Java's assigner-wide `maxBucketId`).
   */
  assign(hash: number, maxBuckets: number, maxAssigned: number, random: () => number = Math.random): number {
    const known = this.hashToBucket.get(hash);
    if (known >= 0) return known;
    for (const [bucket, count] of this.nonFull) {
      if (count < this.targetRowNum) {
        this.nonFull.set(bucket, count + 1);
        return this.record(hash, bucket);
      }
      this.nonFull.delete(bucket);
    }
    const globalMaxId = (maxBuckets === -1 ? 32767 : maxBuckets) - 1;
    if (this.buckets.size === 0 || maxAssigned < globalMaxId) {
      for (let i = 0; i <= globalMaxId; i++) {
        if (!this.buckets.has(i)) {
          this.buckets.add(i);
          this.insertNonFull(i, 1);
          return this.record(hash, i);
        }
      }
      if (maxBuckets === -1) {
        throw new InvalidInputError(`too many dynamic buckets (${globalMaxId + 1}); increase dynamic-bucket.target-row-num (${this.targetRowNum})`);
      }
    }
    const all = [...this.buckets];
    return this.record(hash, all[Math.floor(random() * all.length)]);
  }

  private insertNonFull(bucket: number, count: number): void {
    // keep ascending order (Java iterates a HashMap of small ints, i.e. ascending ids)
    const entries = [...this.nonFull.entries(), [bucket, count] as [number, number]].sort((a, b) => a[0] - b[0]);
    this.nonFull.clear();
    for (const [b, c] of entries) this.nonFull.set(b, c);
  }

  private record(hash: number, bucket: number): number {
    this.hashToBucket.set(hash, bucket);
    this.changed.add(bucket);
    return bucket;
  }

  /** Buckets that gained hashes, and clears the set. */
  takeChanged(): number[] {
    const out = [...this.changed].sort((a, b) => a - b);
    this.changed = new Set();
    return out;
  }

  /** HASH index file bytes for every given bucket: all hashes of that bucket, ascending. */
  indexFiles(buckets: readonly number[]): Map<number, Uint8Array> {
    const want = new Set(buckets);
    const lists = new Map<number, number[]>();
    for (const b of buckets) lists.set(b, []);
    this.hashToBucket.forEach((h, b) => {
      if (want.has(b)) (lists.get(b) as number[]).push(h);
    });
    const out = new Map<number, Uint8Array>();
    for (const [b, hs] of lists) out.set(b, writeHashIndex(hs.sort((x, y) => x - y)));
    return out;
  }
}
