/**
 * The in-memory sort buffer of one primary-key bucket (Java's `SortBufferWriteBuffer`):
 * records are kept column by column with their sequence numbers and row kinds; a flush
 * sorts them by key, then (`sequence.field`, `_SEQUENCE_NUMBER`), applies the table's
 * merge function to every run of equal keys and yields one sorted run with unique keys.
 *
 * Merging follows Java's `ReducerMergeFunctionWrapper`: a key with a single record is
 * written as is (a -D included, so it deletes older data); several records go through
 * `mergeFunctionFor`, and the result keeps the surviving record's sequence number. When
 * the merge function yields nothing (partial-update/aggregation `remove-record-on-delete`)
 * a -D carrying the last record's values and sequence number is written, as Java does,
 * so the deletion still reaches older files.
 */
import { RowKind, type InternalValue } from "../data/values.js";
import type { ColumnBatch } from "../data/vector.js";
import type { KeyValueRecord } from "../read/merge.js";
import { compareWithinKey, physicalBatch, type KeyValueLayout } from "./kv-layout.js";

/** Fixed per-record overhead on top of the values: sequence, kind, index slots. */
export const WRITE_BUFFER_RECORD_OVERHEAD = 8 + 1 + 4 + 16;

const HIGH_UNITS = /[\uD800-\uFFFF]/;

/**
 * A direct comparator for a single integer, bigint or string key column (nulls first),
 * or null when the generic row comparator is needed. Strings compare with JS `<`, which
 * matches UTF-8 byte order as long as no value holds surrogates or U+E000..U+FFFF.
 */
function singleKeyCompare(root: string, col: InternalValue[], n: number): ((a: number, b: number) => number) | null {
  const ints = root === "TINYINT" || root === "SMALLINT" || root === "INT" || root === "DATE" || root === "TIME";
  const bigints = root === "BIGINT" || root === "DECIMAL";
  const strings = root === "CHAR" || root === "VARCHAR";
  if (!ints && !bigints && !strings) return null;
  if (strings) for (let i = 0; i < n; i++) if (col[i] !== null && HIGH_UNITS.test(col[i] as string)) return null;
  return (a, b) => {
    const x = col[a] as number | bigint | string | null;
    const y = col[b] as number | bigint | string | null;
    if (x === y) return 0;
    if (x === null) return -1;
    if (y === null) return 1;
    return x < y ? -1 : x > y ? 1 : 0;
  };
}

export class WriteBuffer {
  private columns: InternalValue[][];
  private seqs = new BigInt64Array(1024);
  private kinds = new Uint8Array(1024);
  private count = 0;
  private memory = 0;

  constructor(readonly layout: KeyValueLayout) {
    this.columns = layout.fields.map(() => []);
  }

  get size(): number {
    return this.count;
  }

  /** Estimated bytes held (values on the JS heap plus per-record overhead). */
  get memoryBytes(): number {
    return this.memory;
  }

  /**
   * Adds rows `rows[0..count)` of `batch` (table columns), with kinds `kinds[row]`,
   * numbered `firstSeq`, `firstSeq + 1`, …; `rowMemory[row]` is each row's estimate.
   */
  add(batch: ColumnBatch, rows: ArrayLike<number>, count: number, kinds: Uint8Array, firstSeq: bigint, rowMemory: Float64Array): void {
    this.ensure(this.count + count);
    const cols = batch.columns;
    for (let c = 0; c < cols.length; c++) {
      const vec = cols[c];
      const vals = vec.values as ArrayLike<InternalValue>;
      const nulls = vec.nulls;
      const out = this.columns[c];
      for (let j = 0; j < count; j++) {
        const r = rows[j];
        const x = nulls !== null && nulls[r] === 1 ? null : vals[r];
        out.push(x === undefined ? null : x);
      }
    }
    let seq = firstSeq;
    for (let j = 0; j < count; j++) {
      const r = rows[j];
      this.seqs[this.count] = seq++;
      this.kinds[this.count] = kinds[r];
      this.count++;
      this.memory += rowMemory[r] + WRITE_BUFFER_RECORD_OVERHEAD;
    }
  }

  private ensure(n: number): void {
    if (n <= this.seqs.length) return;
    let cap = this.seqs.length;
    while (cap < n) cap *= 2;
    const s = new BigInt64Array(cap);
    s.set(this.seqs.subarray(0, this.count));
    this.seqs = s;
    const k = new Uint8Array(cap);
    k.set(this.kinds.subarray(0, this.count));
    this.kinds = k;
  }

  /** Sorts and merges the buffered records into physical key-value rows, then empties the buffer. */
  drain(): ColumnBatch {
    return this.drainWithRaw(false).merged;
  }

  /**
   * `drain()`, and with `raw` also every buffered record unmerged, in the same order
   * (key, then sequence) — the input changelog (`changelog-producer=input`).
   */
  drainWithRaw(raw: boolean): { merged: ColumnBatch; raw: ColumnBatch | null } {
    const layout = this.layout;
    const n = this.count;
    const cols = this.columns;
    const seqs = this.seqs;
    const kinds = this.kinds;
    const keyCols = layout.keyIndexes.map((i) => cols[i]);
    const nk = keyCols.length;
    const keyA: InternalValue[] = new Array(nk);
    const keyB: InternalValue[] = new Array(nk);
    const compareKeys =
      (nk === 1 ? singleKeyCompare(layout.keyTypes[0].root, keyCols[0], n) : null) ??
      ((a: number, b: number): number => {
        for (let k = 0; k < nk; k++) {
          keyA[k] = keyCols[k][a];
          keyB[k] = keyCols[k][b];
        }
        return layout.keyCompare(keyA, keyB);
      });
    const order = new Int32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    if (layout.seqIndexes.length === 0) {
      // sequence numbers grow with the insertion index: it breaks ties directly
      order.sort((a, b) => compareKeys(a, b) || a - b);
    } else {
      order.sort((a, b) => {
        const c = compareKeys(a, b);
        if (c !== 0) return c;
        return compareWithinKey(
          layout,
          (i) => cols[i][a],
          seqs[a],
          kinds[a],
          (i) => cols[i][b],
          seqs[b],
          kinds[b],
        );
      });
    }

    // the surviving record of each key: a source row (>= 0) or a merged row (-1 - index)
    const src: number[] = [];
    const outSeq: bigint[] = [];
    const outKind: number[] = [];
    const merged: InternalValue[][] = [];
    for (let i = 0; i < n; ) {
      let j = i + 1;
      while (j < n && compareKeys(order[i], order[j]) === 0) j++;
      if (j - i === 1) {
        const r = order[i];
        src.push(r);
        outSeq.push(seqs[r]);
        outKind.push(kinds[r]);
      } else {
        const group: KeyValueRecord[] = [];
        for (let g = i; g < j; g++) {
          const r = order[g];
          group.push({ seq: seqs[r], kind: kinds[r] as RowKind, row: cols.map((c) => c[r]) });
        }
        const m = layout.merge(group);
        const result = m ?? { ...group[group.length - 1], kind: RowKind.DELETE };
        src.push(-1 - merged.length);
        merged.push(result.row);
        outSeq.push(result.seq);
        outKind.push(result.kind);
      }
      i = j;
    }
    let rawBatch: ColumnBatch | null = null;
    if (raw) {
      const rawSrc = Array.from(order);
      rawBatch = physicalBatch(
        layout,
        cols,
        rawSrc,
        [],
        rawSrc.map((r) => seqs[r]),
        rawSrc.map((r) => kinds[r]),
      );
    }
    this.clear();
    return { merged: physicalBatch(layout, cols, src, merged, outSeq, outKind), raw: rawBatch };
  }

  clear(): void {
    this.columns = this.layout.fields.map(() => []);
    this.seqs = new BigInt64Array(1024);
    this.kinds = new Uint8Array(1024);
    this.count = 0;
    this.memory = 0;
  }
}
