/**
 * A least-recently-used cache bounded by entry count and by total weight (bytes). Used by
 * the table for manifests and snapshots, which are immutable but can be numerous: a
 * long-lived process must not keep every one it ever read.
 */
export interface LruLimits {
  /** Most entries kept (at least 1). */
  maxEntries: number;
  /** Most total weight kept (default unbounded); an entry heavier than this is not kept. */
  maxWeight?: number;
}

export class LruCache<K, V> {
  private readonly map = new Map<K, { value: V; weight: number }>();
  private total = 0;
  readonly maxEntries: number;
  readonly maxWeight: number;

  constructor(limits: LruLimits) {
    this.maxEntries = Math.max(1, Math.floor(limits.maxEntries));
    this.maxWeight = limits.maxWeight ?? Number.POSITIVE_INFINITY;
  }

  /** The value, marked as most recently used. */
  get(key: K): V | undefined {
    const e = this.map.get(key);
    if (e === undefined) return undefined;
    this.map.delete(key);
    this.map.set(key, e);
    return e.value;
  }

  /** The value without touching its recency. */
  peek(key: K): V | undefined {
    return this.map.get(key)?.value;
  }

  has(key: K): boolean {
    return this.map.has(key);
  }

  set(key: K, value: V, weight = 0): void {
    this.delete(key);
    if (weight > this.maxWeight) return; // would push out everything else
    this.map.set(key, { value, weight });
    this.total += weight;
    this.evict();
  }

  /**
   * Sets the weight of an entry once it is known (e.g. when a cached promise resolves),
   * only if the key still maps to `value`.
   */
  setWeight(key: K, value: V, weight: number): void {
    const e = this.map.get(key);
    if (e === undefined || e.value !== value) return;
    if (weight > this.maxWeight) {
      this.delete(key);
      return;
    }
    this.total += weight - e.weight;
    e.weight = weight;
    this.evict();
  }

  delete(key: K): boolean {
    const e = this.map.get(key);
    if (e === undefined) return false;
    this.map.delete(key);
    this.total -= e.weight;
    return true;
  }

  clear(): void {
    this.map.clear();
    this.total = 0;
  }

  keys(): K[] {
    return [...this.map.keys()];
  }

  get size(): number {
    return this.map.size;
  }

  /** Total weight of the entries kept. */
  get weight(): number {
    return this.total;
  }

  private evict(): void {
    for (const [k, e] of this.map) {
      if (this.map.size <= this.maxEntries && this.total <= this.maxWeight) return;
      this.map.delete(k);
      this.total -= e.weight;
    }
  }
}
