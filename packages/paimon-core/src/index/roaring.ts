/**
 * 32-bit Roaring bitmaps in the portable serialization format (RoaringFormatSpec),
 * byte-identical to Java's `org.roaringbitmap.RoaringBitmap` as Paimon uses it.
 *
 * Byte identity needs more than the format: which container kind (array, bitmap, run)
 * Java writes depends on the container's history, because `runOptimize` keeps an
 * existing run container when it is merely "not larger" but turns an array into runs
 * only when that is strictly smaller. So containers here keep their kind through
 * deserialization, `add` and `or` exactly as Java's classes do, and `runOptimize` applies
 * Java's per-kind rules.
 */

const ARRAY = 0;
const BITMAP = 1;
const RUN = 2;

/** Java `ArrayContainer.DEFAULT_MAX_SIZE`: an array container never holds more. */
const MAX_ARRAY = 4096;
const BITMAP_BYTES = 8192;
const WORDS = 2048; // 32-bit words of a bitmap container

// module-level aliases: global lookups are slow inside vm sandboxes such as jest's
const imul = Math.imul;
const clz32 = Math.clz32;

const COOKIE_NO_RUN = 12346;
const COOKIE_RUN = 12347;
/** With runs, the offset header is written only from this many containers on. */
const NO_OFFSET_THRESHOLD = 4;

interface ArrayContainer {
  kind: typeof ARRAY;
  card: number;
  /** sorted low 16 bits; capacity may exceed card */
  values: Uint16Array;
}
interface BitmapContainer {
  kind: typeof BITMAP;
  card: number;
  words: Uint32Array;
}
interface RunContainer {
  kind: typeof RUN;
  nRuns: number;
  /** pairs (start, length - 1); capacity may exceed 2·nRuns */
  runs: Uint16Array;
}
type Container = ArrayContainer | BitmapContainer | RunContainer;

// ---------------------------------------------------------------------------------------
// Container primitives

function cardinality(c: Container): number {
  if (c.kind !== RUN) return c.card;
  let n = 0;
  for (let i = 0; i < c.nRuns; i++) n += c.runs[2 * i + 1] + 1;
  return n;
}

function isFullRun(c: Container): boolean {
  return c.kind === RUN && c.nRuns === 1 && c.runs[0] === 0 && c.runs[1] === 0xffff;
}

function fullRun(): RunContainer {
  return { kind: RUN, nRuns: 1, runs: Uint16Array.of(0, 0xffff) };
}

/** First index in `a[0, n)` whose value is >= x. */
function lowerBound(a: Uint16Array, n: number, x: number): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Index of the last run starting at or before x, or -1. */
function runIndex(c: RunContainer, x: number): number {
  let lo = 0;
  let hi = c.nRuns - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (c.runs[2 * mid] <= x) {
      found = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return found;
}

function containerContains(c: Container, x: number): boolean {
  switch (c.kind) {
    case ARRAY: {
      const i = lowerBound(c.values, c.card, x);
      return i < c.card && c.values[i] === x;
    }
    case BITMAP:
      return (c.words[x >>> 5] & (1 << (x & 31))) !== 0;
    case RUN: {
      const i = runIndex(c, x);
      return i >= 0 && x - c.runs[2 * i] <= c.runs[2 * i + 1];
    }
  }
}

function toWords(c: Container): Uint32Array {
  if (c.kind === BITMAP) return c.words.slice();
  const w = new Uint32Array(WORDS);
  if (c.kind === ARRAY) {
    for (let i = 0; i < c.card; i++) w[c.values[i] >>> 5] |= 1 << (c.values[i] & 31);
  } else {
    for (let i = 0; i < c.nRuns; i++) {
      const start = c.runs[2 * i];
      const end = start + c.runs[2 * i + 1];
      for (let v = start; v <= end; v++) w[v >>> 5] |= 1 << (v & 31);
    }
  }
  return w;
}

function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24) & 0xff;
}

function wordsCard(w: Uint32Array): number {
  let n = 0;
  for (let i = 0; i < WORDS; i++) if (w[i] !== 0) n += popcount(w[i]);
  return n;
}

function forEachInWords(w: Uint32Array, fn: (v: number) => void): void {
  for (let i = 0; i < WORDS; i++) {
    let word = w[i];
    while (word !== 0) {
      const bit = 31 - clz32(word & -word);
      fn(i * 32 + bit);
      word &= word - 1;
    }
  }
}

function wordsToArray(w: Uint32Array, card: number): ArrayContainer {
  const values = new Uint16Array(card);
  let k = 0;
  forEachInWords(w, (v) => (values[k++] = v));
  return { kind: ARRAY, card, values };
}

function wordsToRuns(w: Uint32Array): RunContainer {
  const runs: number[] = [];
  let start = -1;
  for (let i = 0; i < WORDS; i++) {
    const word = w[i];
    // whole words inside or outside a run need no bit scan
    if ((word === 0 && start < 0) || (word === 0xffffffff && start >= 0)) continue;
    for (let bit = 0; bit < 32; bit++) {
      const set = (word & (1 << bit)) !== 0;
      if (set && start < 0) start = i * 32 + bit;
      else if (!set && start >= 0) {
        runs.push(start, i * 32 + bit - 1 - start);
        start = -1;
      }
    }
  }
  if (start >= 0) runs.push(start, 0xffff - start);
  return { kind: RUN, nRuns: runs.length / 2, runs: Uint16Array.from(runs) };
}

function numberOfRuns(c: Container): number {
  switch (c.kind) {
    case RUN:
      return c.nRuns;
    case ARRAY: {
      let n = 0;
      for (let i = 0; i < c.card; i++) if (i === 0 || c.values[i] !== c.values[i - 1] + 1) n++;
      return n;
    }
    case BITMAP: {
      // a run starts at every set bit whose predecessor is clear
      let n = 0;
      let carry = 0;
      for (let i = 0; i < WORDS; i++) {
        const w = c.words[i];
        n += popcount((w & ~((w << 1) | carry)) >>> 0);
        carry = w >>> 31;
      }
      return n;
    }
  }
}

/** Bytes of a container's payload (Java `getArraySizeInBytes`). */
function payloadBytes(c: Container): number {
  return c.kind === ARRAY ? 2 * c.card : c.kind === BITMAP ? BITMAP_BYTES : 2 + 4 * c.nRuns;
}

/** Java `RunContainer.toEfficientContainer`: keep runs unless array or bitmap is strictly smaller. */
function toEfficient(c: RunContainer): Container {
  const card = cardinality(c);
  if (2 + 4 * c.nRuns <= Math.min(BITMAP_BYTES, 2 * card + 2)) return c;
  const w = toWords(c);
  return card <= MAX_ARRAY ? wordsToArray(w, card) : { kind: BITMAP, card, words: w };
}

/** Java `Container.runOptimize` per kind. */
function runOptimizeContainer(c: Container): Container {
  switch (c.kind) {
    case ARRAY:
      return 2 * c.card > 2 + 4 * numberOfRuns(c) ? wordsToRuns(toWords(c)) : c;
    case BITMAP:
      return BITMAP_BYTES > 2 + 4 * numberOfRuns(c) ? wordsToRuns(c.words) : c;
    case RUN:
      return toEfficient(c);
  }
}

function containerAdd(c: Container, x: number): Container {
  switch (c.kind) {
    case ARRAY: {
      const i = lowerBound(c.values, c.card, x);
      if (i < c.card && c.values[i] === x) return c;
      if (c.card >= MAX_ARRAY) {
        const words = toWords(c);
        words[x >>> 5] |= 1 << (x & 31);
        return { kind: BITMAP, card: c.card + 1, words };
      }
      if (c.card === c.values.length) {
        const grown = new Uint16Array(Math.min(MAX_ARRAY, Math.max(4, c.values.length * 2)));
        grown.set(c.values);
        c.values = grown;
      }
      c.values.copyWithin(i + 1, i, c.card);
      c.values[i] = x;
      c.card++;
      return c;
    }
    case BITMAP: {
      const bit = 1 << (x & 31);
      if ((c.words[x >>> 5] & bit) === 0) {
        c.words[x >>> 5] |= bit;
        c.card++;
      }
      return c;
    }
    case RUN:
      runAdd(c, x);
      return c;
  }
}

/** Inserts x into a run container, extending or fusing neighbouring runs (stays a run container, as in Java). */
function runAdd(c: RunContainer, x: number): void {
  const i = runIndex(c, x);
  const r = c.runs;
  if (i >= 0) {
    const start = r[2 * i];
    const end = start + r[2 * i + 1];
    if (x <= end) return;
    if (x === end + 1) {
      if (i + 1 < c.nRuns && r[2 * i + 2] === x + 1) {
        r[2 * i + 1] = r[2 * i + 2] + r[2 * i + 3] - start;
        removeRun(c, i + 1);
      } else {
        r[2 * i + 1]++;
      }
      return;
    }
  }
  if (i + 1 < c.nRuns && r[2 * i + 2] === x + 1) {
    r[2 * i + 2] = x;
    r[2 * i + 3]++;
    return;
  }
  insertRun(c, i + 1, x);
}

function removeRun(c: RunContainer, i: number): void {
  c.runs.copyWithin(2 * i, 2 * i + 2, 2 * c.nRuns);
  c.nRuns--;
}

function insertRun(c: RunContainer, i: number, x: number): void {
  if (2 * c.nRuns + 2 > c.runs.length) {
    const grown = new Uint16Array(Math.max(8, c.runs.length * 2));
    grown.set(c.runs.subarray(0, 2 * c.nRuns));
    c.runs = grown;
  }
  c.runs.copyWithin(2 * i + 2, 2 * i, 2 * c.nRuns);
  c.runs[2 * i] = x;
  c.runs[2 * i + 1] = 0;
  c.nRuns++;
}

function cloneContainer(c: Container): Container {
  switch (c.kind) {
    case ARRAY:
      return { kind: ARRAY, card: c.card, values: c.values.slice(0, c.card) };
    case BITMAP:
      return { kind: BITMAP, card: c.card, words: c.words.slice() };
    case RUN:
      return { kind: RUN, nRuns: c.nRuns, runs: c.runs.slice(0, 2 * c.nRuns) };
  }
}

/**
 * `a.ior(b)`: the union, in the container kind Java's in-place OR returns for this pair
 * of kinds (arrays stay arrays up to 4096 values; anything with a bitmap becomes a bitmap,
 * or a full run container; run unions go through toEfficientContainer).
 */
function containerOr(a: Container, b: Container): Container {
  if (isFullRun(a)) return a;
  if (isFullRun(b)) return fullRun();
  const w = toWords(a);
  if (b.kind === BITMAP) {
    for (let i = 0; i < WORDS; i++) w[i] |= b.words[i];
  } else {
    const bw = toWords(b);
    for (let i = 0; i < WORDS; i++) w[i] |= bw[i];
  }
  const card = wordsCard(w);
  if (a.kind === ARRAY && b.kind === ARRAY) return card <= MAX_ARRAY ? wordsToArray(w, card) : { kind: BITMAP, card, words: w };
  if (a.kind === BITMAP && b.kind === ARRAY) return { kind: BITMAP, card, words: w }; // Java skips the full check here
  if (a.kind === BITMAP || b.kind === BITMAP) return card === 0x10000 ? fullRun() : { kind: BITMAP, card, words: w };
  return toEfficient(wordsToRuns(w));
}

function forEachInContainer(c: Container, base: number, fn: (v: number) => void): void {
  switch (c.kind) {
    case ARRAY:
      for (let i = 0; i < c.card; i++) fn(base + c.values[i]);
      return;
    case BITMAP:
      forEachInWords(c.words, (v) => fn(base + v));
      return;
    case RUN:
      for (let i = 0; i < c.nRuns; i++) {
        const start = c.runs[2 * i];
        const end = start + c.runs[2 * i + 1];
        for (let v = start; v <= end; v++) fn(base + v);
      }
  }
}

// ---------------------------------------------------------------------------------------

/** A set of unsigned 32-bit integers (JS numbers 0 .. 2^32-1). */
export class RoaringBitmap32 {
  private keys: number[] = [];
  private containers: Container[] = [];

  static of(...values: number[]): RoaringBitmap32 {
    const b = new RoaringBitmap32();
    for (const v of values) b.add(v);
    return b;
  }

  private static check(x: number): number {
    // x >>> 0 equals x exactly for the integers 0 .. 2^32-1
    if (x >>> 0 !== x) throw new RangeError(`not an unsigned 32-bit integer: ${x}`);
    return x;
  }

  private indexOf(key: number): number {
    let lo = 0;
    let hi = this.keys.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const k = this.keys[mid];
      if (k === key) return mid;
      if (k < key) lo = mid + 1;
      else hi = mid - 1;
    }
    return -(lo + 1);
  }

  add(x: number): void {
    RoaringBitmap32.check(x);
    const key = x >>> 16;
    const i = this.indexOf(key);
    if (i >= 0) {
      this.containers[i] = containerAdd(this.containers[i], x & 0xffff);
    } else {
      this.keys.splice(-i - 1, 0, key);
      this.containers.splice(-i - 1, 0, { kind: ARRAY, card: 1, values: Uint16Array.of(x & 0xffff, 0, 0, 0) });
    }
  }

  /** Adds x; false if it was already present. */
  checkedAdd(x: number): boolean {
    if (this.contains(x)) return false;
    this.add(x);
    return true;
  }

  contains(x: number): boolean {
    if (x >>> 0 !== x) return false;
    const i = this.indexOf(x >>> 16);
    return i >= 0 && containerContains(this.containers[i], x & 0xffff);
  }

  get cardinality(): number {
    let n = 0;
    for (const c of this.containers) n += cardinality(c);
    return n;
  }

  isEmpty(): boolean {
    return this.containers.length === 0;
  }

  /** In-place union (Java `RoaringBitmap.or`). */
  or(other: RoaringBitmap32): void {
    if (other === this) return;
    for (let j = 0; j < other.keys.length; j++) {
      const key = other.keys[j];
      const i = this.indexOf(key);
      if (i >= 0) {
        this.containers[i] = containerOr(this.containers[i], other.containers[j]);
      } else {
        this.keys.splice(-i - 1, 0, key);
        this.containers.splice(-i - 1, 0, cloneContainer(other.containers[j]));
      }
    }
  }

  /** Java `RoaringBitmap.runOptimize`; true if any container is a run container afterwards. */
  runOptimize(): boolean {
    let any = false;
    for (let i = 0; i < this.containers.length; i++) {
      this.containers[i] = runOptimizeContainer(this.containers[i]);
      if (this.containers[i].kind === RUN) any = true;
    }
    return any;
  }

  clone(): RoaringBitmap32 {
    const b = new RoaringBitmap32();
    b.keys = this.keys.slice();
    b.containers = this.containers.map(cloneContainer);
    return b;
  }

  forEach(fn: (value: number) => void): void {
    for (let i = 0; i < this.keys.length; i++) forEachInContainer(this.containers[i], this.keys[i] * 0x10000, fn);
  }

  toArray(): number[] {
    const out: number[] = [];
    this.forEach((v) => out.push(v));
    return out;
  }

  private hasRun(): boolean {
    return this.containers.some((c) => c.kind === RUN);
  }

  serializedSizeInBytes(): number {
    const n = this.containers.length;
    const hasRun = this.hasRun();
    let size = hasRun ? 4 + ((n + 7) >> 3) + 4 * n + (n >= NO_OFFSET_THRESHOLD ? 4 * n : 0) : 8 + 8 * n;
    for (const c of this.containers) size += payloadBytes(c);
    return size;
  }

  /** The portable format as is (call `runOptimize` first to match what Paimon writes). */
  serialize(): Uint8Array {
    const out = new Uint8Array(this.serializedSizeInBytes());
    this.serializeInto(out, 0);
    return out;
  }

  /** Writes the portable format at `offset`; returns the bytes written. */
  serializeInto(out: Uint8Array, offset: number): number {
    const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
    const n = this.containers.length;
    const hasRun = this.hasRun();
    let p = offset;
    let dataStart: number;
    if (hasRun) {
      view.setUint32(p, (COOKIE_RUN | ((n - 1) << 16)) >>> 0, true);
      p += 4;
      const flagBytes = (n + 7) >> 3;
      out.fill(0, p, p + flagBytes);
      this.containers.forEach((c, i) => {
        if (c.kind === RUN) out[p + (i >> 3)] |= 1 << (i & 7);
      });
      p += flagBytes;
      dataStart = 4 + flagBytes + (n < NO_OFFSET_THRESHOLD ? 4 * n : 8 * n);
    } else {
      view.setUint32(p, COOKIE_NO_RUN, true);
      view.setUint32(p + 4, n, true);
      p += 8;
      dataStart = 8 + 8 * n;
    }
    for (let i = 0; i < n; i++) {
      view.setUint16(p, this.keys[i], true);
      view.setUint16(p + 2, cardinality(this.containers[i]) - 1, true);
      p += 4;
    }
    if (!hasRun || n >= NO_OFFSET_THRESHOLD) {
      for (const c of this.containers) {
        view.setUint32(p, dataStart, true);
        dataStart += payloadBytes(c);
        p += 4;
      }
    }
    for (const c of this.containers) {
      switch (c.kind) {
        case ARRAY:
          for (let i = 0; i < c.card; i++, p += 2) view.setUint16(p, c.values[i], true);
          break;
        case BITMAP:
          for (let i = 0; i < WORDS; i++, p += 4) view.setUint32(p, c.words[i], true);
          break;
        case RUN:
          view.setUint16(p, c.nRuns, true);
          p += 2;
          for (let i = 0; i < 2 * c.nRuns; i++, p += 2) view.setUint16(p, c.runs[i], true);
          break;
      }
    }
    return p - offset;
  }

  /** Reads the portable format at `offset`, keeping each container's kind as stored. */
  static deserialize(bytes: Uint8Array, offset = 0): RoaringBitmap32 {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    let p = offset;
    const cookie = view.getUint32(p, true);
    p += 4;
    const hasRun = (cookie & 0xffff) === COOKIE_RUN;
    if (!hasRun && cookie !== COOKIE_NO_RUN) throw new Error(`not a roaring bitmap: cookie ${cookie}`);
    let n: number;
    let runFlags: Uint8Array | null = null;
    if (hasRun) {
      n = (cookie >>> 16) + 1;
      runFlags = bytes.subarray(p, p + ((n + 7) >> 3));
      p += (n + 7) >> 3;
    } else {
      n = view.getUint32(p, true);
      p += 4;
    }
    const b = new RoaringBitmap32();
    const cards: number[] = [];
    for (let i = 0; i < n; i++) {
      b.keys.push(view.getUint16(p, true));
      cards.push(view.getUint16(p + 2, true) + 1);
      p += 4;
    }
    if (!hasRun || n >= NO_OFFSET_THRESHOLD) p += 4 * n;
    for (let i = 0; i < n; i++) {
      if (i > 0 && b.keys[i] <= b.keys[i - 1]) throw new Error("roaring bitmap keys are not ascending");
      if (runFlags !== null && (runFlags[i >> 3] & (1 << (i & 7))) !== 0) {
        const nRuns = view.getUint16(p, true);
        p += 2;
        const runs = new Uint16Array(2 * nRuns);
        for (let k = 0; k < 2 * nRuns; k++, p += 2) runs[k] = view.getUint16(p, true);
        b.containers.push({ kind: RUN, nRuns, runs });
      } else if (cards[i] > MAX_ARRAY) {
        const words = new Uint32Array(WORDS);
        for (let k = 0; k < WORDS; k++, p += 4) words[k] = view.getUint32(p, true);
        b.containers.push({ kind: BITMAP, card: cards[i], words });
      } else {
        const values = new Uint16Array(cards[i]);
        for (let k = 0; k < cards[i]; k++, p += 2) values[k] = view.getUint16(p, true);
        b.containers.push({ kind: ARRAY, card: cards[i], values });
      }
    }
    return b;
  }

  /** Container kinds in key order ("array" | "bitmap" | "run"), for diagnostics and tests. */
  containerKinds(): string[] {
    return this.containers.map((c) => (c.kind === ARRAY ? "array" : c.kind === BITMAP ? "bitmap" : "run"));
  }
}
