/**
 * The benchmark's CDC stream (README.md "Generator"): splitmix64 seeded 42, six draws per
 * event, a live-key array with swap-remove. The Java (tools/oracle-java/.../Bench.java) and
 * Python (tools/oracle-py/bench.py) implementations must produce exactly the same events;
 * `streamDigest` (the SHA-256 of every event's canonical line) is what the runner compares.
 *
 * 64-bit arithmetic is done on two uint32 halves (no BigInt in the hot loop).
 */
import { createHash } from "node:crypto";

export const SEED = 42;
/** Draws per event: d0 … d5. */
export const DRAWS_PER_EVENT = 6;

/** Paimon row-kind bytes. Updates are a single +U row (no -U); deletes are -D. */
export const KIND_INSERT = 0;
export const KIND_UPDATE = 2;
export const KIND_DELETE = 3;
export const KIND_NAMES = ["+I", "-U", "+U", "-D"] as const;

/** Base of `updated_at`: 2023-11-14T22:13:20 UTC in microseconds. */
export const UPDATED_AT_BASE_MICROS = 1_700_000_000_000_000;

// GAMMA = 0x9E3779B97F4A7C15, M1 = 0xBF58476D1CE4E5B9, M2 = 0x94D049BB133111EB
const GAMMA_HI = 0x9e3779b9;
const GAMMA_LO = 0x7f4a7c15;
const M1_HI = 0xbf58476d;
const M1_LO = 0x1ce4e5b9;
const M2_HI = 0x94d049bb;
const M2_LO = 0x133111eb;

/** (ah:al) * (bh:bl) mod 2^64; the halves of the result are left in `mulOut`. */
const mulOut = { hi: 0, lo: 0 };
function mul64(ah: number, al: number, bh: number, bl: number): void {
  const a0 = al & 0xffff;
  const a1 = al >>> 16;
  const b0 = bl & 0xffff;
  const b1 = bl >>> 16;
  const p00 = a0 * b0;
  const p01 = a0 * b1;
  const p10 = a1 * b0;
  const p11 = a1 * b1;
  const mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  mulOut.lo = (((mid & 0xffff) << 16) | (p00 & 0xffff)) >>> 0;
  const high = p11 + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16);
  mulOut.hi = (high + Math.imul(ah, bl) + Math.imul(al, bh)) >>> 0;
}

/**
 * splitmix64 (Steele, Lea, Flood 2014; the reference `splitmix64.c`): state += GAMMA, then
 * the mix. `next()` leaves the output's high and low 32 bits (unsigned) in `hi` / `lo`.
 */
export class SplitMix64 {
  private sHi: number;
  private sLo: number;
  hi = 0;
  lo = 0;

  constructor(seed: number | bigint = SEED) {
    const s = BigInt.asUintN(64, BigInt(seed));
    this.sHi = Number(s >> 32n);
    this.sLo = Number(s & 0xffffffffn);
  }

  next(): void {
    // state += GAMMA
    const lo = this.sLo + GAMMA_LO;
    this.sLo = lo >>> 0;
    this.sHi = (this.sHi + GAMMA_HI + (lo > 0xffffffff ? 1 : 0)) >>> 0;
    let hi = this.sHi;
    let l = this.sLo;
    // z = (z ^ (z >>> 30)) * M1
    l = (l ^ ((l >>> 30) | (hi << 2))) >>> 0;
    hi = (hi ^ (hi >>> 30)) >>> 0;
    mul64(hi, l, M1_HI, M1_LO);
    hi = mulOut.hi;
    l = mulOut.lo;
    // z = (z ^ (z >>> 27)) * M2
    l = (l ^ ((l >>> 27) | (hi << 5))) >>> 0;
    hi = (hi ^ (hi >>> 27)) >>> 0;
    mul64(hi, l, M2_HI, M2_LO);
    hi = mulOut.hi;
    l = mulOut.lo;
    // z ^ (z >>> 31)
    this.lo = (l ^ ((l >>> 31) | (hi << 1))) >>> 0;
    this.hi = (hi ^ (hi >>> 31)) >>> 0;
  }

  /** The next output as an unsigned 64-bit bigint (tests, slow). */
  nextBigInt(): bigint {
    this.next();
    return (BigInt(this.hi) << 32n) | BigInt(this.lo);
  }
}

/** One batch of events, columnar. Row i is event `start + i`. */
export interface EventBatch {
  /** Index of the first event of the batch in the stream. */
  readonly start: number;
  readonly size: number;
  /** KIND_INSERT, KIND_UPDATE or KIND_DELETE. */
  readonly kinds: Uint8Array;
  /** Primary key (1, 2, 3, … in insertion order; < 2^53). */
  readonly id: Float64Array;
  /** `name` is "name-" + nameNum, or NULL where nameNum is -1. */
  readonly nameNum: Int32Array;
  readonly age: Int32Array;
  readonly score: Float64Array;
  /** DECIMAL(18, 2) unscaled (cents). */
  readonly amountCents: Int32Array;
  /** DATE as days since 1970-01-01. */
  readonly birthday: Int32Array;
  /** TIMESTAMP(6) as microseconds since the epoch (< 2^53). */
  readonly updatedAtMicros: Float64Array;
  readonly active: Uint8Array;
  /** `category` is "cat-" + category. */
  readonly category: Uint8Array;
  readonly qty: BigInt64Array;
}

export function nameOf(nameNum: number): string | null {
  return nameNum < 0 ? null : `name-${nameNum}`;
}

export function categoryOf(c: number): string {
  return `cat-${c}`;
}

export class CdcGenerator {
  private readonly rng: SplitMix64;
  /** Live keys; deletes swap-remove. */
  private live: Float64Array;
  private liveLen = 0;
  private nextId = 1;
  private event = 0;

  constructor(seed: number | bigint = SEED) {
    this.rng = new SplitMix64(seed);
    this.live = new Float64Array(1024);
  }

  get eventsGenerated(): number {
    return this.event;
  }

  get liveKeys(): number {
    return this.liveLen;
  }

  /** The next `size` events. */
  next(size: number): EventBatch {
    const kinds = new Uint8Array(size);
    const id = new Float64Array(size);
    const nameNum = new Int32Array(size);
    const age = new Int32Array(size);
    const score = new Float64Array(size);
    const amountCents = new Int32Array(size);
    const birthday = new Int32Array(size);
    const updatedAtMicros = new Float64Array(size);
    const active = new Uint8Array(size);
    const category = new Uint8Array(size);
    const qty = new BigInt64Array(size);
    const r = this.rng;
    const start = this.event;
    for (let k = 0; k < size; k++) {
      const i = this.event++;
      // d0: kind and key
      r.next();
      const u = r.hi % 100;
      let key: number;
      if (this.liveLen === 0 || u >= 25) {
        key = this.nextId++;
        if (this.liveLen === this.live.length) {
          const grown = new Float64Array(this.live.length * 2);
          grown.set(this.live);
          this.live = grown;
        }
        this.live[this.liveLen++] = key;
        kinds[k] = KIND_INSERT;
      } else {
        const p = r.lo % this.liveLen;
        key = this.live[p];
        if (u < 5) {
          this.live[p] = this.live[--this.liveLen];
          kinds[k] = KIND_DELETE;
        } else kinds[k] = KIND_UPDATE;
      }
      id[k] = key;
      // d1: name, age
      r.next();
      const n = r.hi % 1_000_000;
      nameNum[k] = n % 50 === 0 ? -1 : n;
      age[k] = 18 + (r.lo % 80);
      // d2: score, amount
      r.next();
      score[k] = (r.hi / 4294967296) * 1000;
      amountCents[k] = (r.lo % 10_000_000) - 5_000_000;
      // d3: birthday, updated_at
      r.next();
      birthday[k] = (r.hi % 36_525) - 7_305;
      updatedAtMicros[k] = UPDATED_AT_BASE_MICROS + i * 1_000_000 + (r.lo % 1_000_000);
      // d4: active, category
      r.next();
      active[k] = r.hi & 1;
      category[k] = r.lo % 16;
      // d5: qty = the draw as a signed 64-bit integer
      r.next();
      qty[k] = BigInt.asIntN(64, (BigInt(r.hi) << 32n) | BigInt(r.lo));
    }
    return { start, size, kinds, id, nameNum, age, score, amountCents, birthday, updatedAtMicros, active, category, qty };
  }
}

// ---------------------------------------------------------------------------------------
// Canonical lines and digests (README.md "Digests")

const f64 = new DataView(new ArrayBuffer(8));

/** IEEE 754 bits of a double as 16 lowercase hex digits. */
export function doubleBitsHex(x: number): string {
  f64.setFloat64(0, x);
  return f64.getUint32(0).toString(16).padStart(8, "0") + f64.getUint32(4).toString(16).padStart(8, "0");
}

/** The row part of row i's canonical line (no kind). */
export function rowLine(b: EventBatch, i: number): string {
  const name = nameOf(b.nameNum[i]);
  return [
    b.id[i],
    name === null ? "\\N" : name,
    b.age[i],
    doubleBitsHex(b.score[i]),
    b.amountCents[i],
    b.birthday[i],
    b.updatedAtMicros[i],
    b.active[i],
    categoryOf(b.category[i]),
    b.qty[i],
  ].join("\t");
}

/** The canonical event line: kind, tab, row line. */
export function eventLine(b: EventBatch, i: number): string {
  return `${KIND_NAMES[b.kinds[i]]}\t${rowLine(b, i)}`;
}

/** First 8 bytes of SHA-256(line) as an unsigned 64-bit integer. */
export function rowHash(line: string): bigint {
  return createHash("sha256").update(line, "utf8").digest().readBigUInt64BE(0);
}

/**
 * Runs the generator over `rows` events in batches of `batch`, returning
 * `streamDigest` = hex SHA-256 over every event line + "\n", and the model of the final
 * table: its row count and `contentDigest` = sum of rowHash(row line) over the live keys'
 * latest rows, mod 2^64, as 16 hex digits.
 */
export function generatorDigests(rows: number, batch: number, seed: number | bigint = SEED): { streamDigest: string; finalRows: number; contentDigest: string; liveKeys: number } {
  const gen = new CdcGenerator(seed);
  const stream = createHash("sha256");
  const latest = new Map<number, bigint>();
  for (let done = 0; done < rows; ) {
    const n = Math.min(batch, rows - done);
    const b = gen.next(n);
    for (let i = 0; i < n; i++) {
      const row = rowLine(b, i);
      stream.update(`${KIND_NAMES[b.kinds[i]]}\t${row}\n`, "utf8");
      if (b.kinds[i] === KIND_DELETE) latest.delete(b.id[i]);
      else latest.set(b.id[i], rowHash(row));
    }
    done += n;
  }
  let sum = 0n;
  for (const h of latest.values()) sum = BigInt.asUintN(64, sum + h);
  return { streamDigest: stream.digest("hex"), finalRows: latest.size, contentDigest: sum.toString(16).padStart(16, "0"), liveKeys: gen.liveKeys };
}
