/**
 * Calendar and time-zone arithmetic without a tz library: proleptic-Gregorian day
 * numbers, ISO-8601 parsing, and UTC offsets of IANA zones read from Intl.DateTimeFormat.
 */

export const MILLIS_PER_DAY = 86_400_000;
export const NANOS_PER_MILLI = 1_000_000n;
export const NANOS_PER_SECOND = 1_000_000_000n;
export const NANOS_PER_DAY = 86_400_000_000_000n;

export function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return (a % b !== 0n) && ((a < 0n) !== (b < 0n)) ? q - 1n : q;
}

export function floorMod(a: bigint, b: bigint): bigint {
  return a - floorDiv(a, b) * b;
}

/** Days since 1970-01-01 of a proleptic-Gregorian date (year 0 = 1 BC). */
export function daysFromCivil(y: number, m: number, d: number): number {
  // The era-based day count (Hinnant, "chrono-compatible low-level date algorithms").
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = (m + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

export function civilFromDays(days: number): { year: number; month: number; day: number } {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

function daysInMonth(y: number, m: number): number {
  if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

function validDate(y: number, m: number, d: number): boolean {
  return m >= 1 && m <= 12 && d >= 1 && d <= daysInMonth(y, m);
}

const DATE_RE = /^([+-]\d{4,6}|\d{4})-(\d{2})-(\d{2})$/;
const TIME_RE = /^(\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?$/;
const DATETIME_RE =
  /^([+-]\d{4,6}|\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?\s*(Z|[+-]\d{2}(?::?\d{2}(?::?\d{2})?)?)?)?$/i;

/** "YYYY-MM-DD" (or an expanded ±YYYYYY year) as epoch days. */
export function parseIsoDate(s: string): number | undefined {
  const m = DATE_RE.exec(s);
  if (!m) return undefined;
  const y = Number(m[1]), mo = Number(m[2]), d = Number(m[3]);
  return validDate(y, mo, d) ? daysFromCivil(y, mo, d) : undefined;
}

function fractionNanos(f: string | undefined): bigint {
  return f === undefined ? 0n : BigInt(f.padEnd(9, "0"));
}

/** "HH:mm[:ss[.fffffffff]]" as nanoseconds of the day. */
export function parseIsoTime(s: string): bigint | undefined {
  const m = TIME_RE.exec(s);
  if (!m) return undefined;
  const h = Number(m[1]), mi = Number(m[2]), sec = m[3] === undefined ? 0 : Number(m[3]);
  if (h > 23 || mi > 59 || sec > 59) return undefined;
  return BigInt((h * 60 + mi) * 60 + sec) * NANOS_PER_SECOND + fractionNanos(m[4]);
}

function parseOffsetSeconds(z: string): number {
  if (z === "Z" || z === "z") return 0;
  const sign = z[0] === "-" ? -1 : 1;
  const digits = z.slice(1).replace(/:/g, "");
  const h = Number(digits.slice(0, 2)), mi = Number(digits.slice(2, 4) || "0"), s = Number(digits.slice(4, 6) || "0");
  if (h > 18 || mi > 59 || s > 59) return NaN;
  return sign * (h * 3600 + mi * 60 + s);
}

/**
 * An ISO-8601 date-time ("2024-05-06T07:08:09.123456789+08:00", a space instead of 'T',
 * an optional offset, or a bare date). Returns the wall clock as nanoseconds since the
 * epoch read as UTC, and the offset in seconds when the text has one.
 */
export function parseIsoDateTime(s: string): { wallNanos: bigint; offsetSeconds: number | undefined } | undefined {
  const m = DATETIME_RE.exec(s);
  if (!m) return undefined;
  const y = Number(m[1]), mo = Number(m[2]), d = Number(m[3]);
  if (!validDate(y, mo, d)) return undefined;
  const h = m[4] === undefined ? 0 : Number(m[4]), mi = m[5] === undefined ? 0 : Number(m[5]), sec = m[6] === undefined ? 0 : Number(m[6]);
  if (h > 23 || mi > 59 || sec > 59) return undefined;
  let offsetSeconds: number | undefined;
  if (m[8] !== undefined) {
    offsetSeconds = parseOffsetSeconds(m[8]);
    if (Number.isNaN(offsetSeconds)) return undefined;
  }
  const wallNanos =
    BigInt(daysFromCivil(y, mo, d)) * NANOS_PER_DAY + BigInt((h * 60 + mi) * 60 + sec) * NANOS_PER_SECOND + fractionNanos(m[7]);
  return { wallNanos, offsetSeconds };
}

/** `±HH:mm[:ss]`, the id of a fixed-offset zone. */
function offsetId(ms: number): string {
  if (ms === 0) return "UTC";
  const a = Math.abs(ms) / 1000;
  const h = Math.floor(a / 3600), mi = Math.floor((a % 3600) / 60), s = a % 60;
  return `${ms < 0 ? "-" : "+"}${String(h).padStart(2, "0")}:${String(mi).padStart(2, "0")}${s ? `:${String(s).padStart(2, "0")}` : ""}`;
}

/** The instants Intl can format: ±8.64e15 ms, the range of a JS Date. */
export const MAX_INTL_MILLIS = 8_640_000_000_000_000;

/**
 * A time zone: UTC, a fixed offset, or an IANA region. Offsets are in milliseconds and
 * follow Intl's tz data (including historical local mean time, which has seconds).
 */
export interface Zone {
  readonly id: string;
  readonly fixed: boolean;
  /** The offset (wall − UTC) in effect at an instant. Throws RangeError outside ±8.64e15 ms for IANA zones. */
  offsetAt(epochMillis: number): number;
  /**
   * The instant of a wall-clock time. Like java.time: in an overlap the earlier offset
   * wins; in a gap the wall clock is moved forward by the length of the gap.
   */
  instantOf(wallMillis: number): number;
}

class FixedZone implements Zone {
  readonly fixed = true;
  constructor(readonly id: string, private readonly offset: number) {}
  offsetAt(): number {
    return this.offset;
  }
  instantOf(wallMillis: number): number {
    return wallMillis - this.offset;
  }
}

const BUCKET = 900_000; // 15 minutes
const CACHE_LIMIT = 50_000;

class RegionZone implements Zone {
  readonly fixed = false;
  private readonly fmt: Intl.DateTimeFormat;
  // Offsets per 15-minute bucket; a bucket is cached only when its two ends agree, so a
  // transition inside it is always computed exactly.
  private readonly cache = new Map<number, number>();

  constructor(readonly id: string) {
    this.fmt = new Intl.DateTimeFormat("en-US", {
      timeZone: id,
      hourCycle: "h23",
      era: "short",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
  }

  private exact(ms: number): number {
    if (!(Math.abs(ms) <= MAX_INTL_MILLIS)) throw new RangeError("instant outside the range of Intl time-zone data");
    const secondMs = Math.floor(ms / 1000) * 1000;
    let y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0, bc = false;
    for (const p of this.fmt.formatToParts(secondMs)) {
      switch (p.type) {
        case "year": y = Number(p.value); break;
        case "month": mo = Number(p.value); break;
        case "day": d = Number(p.value); break;
        case "hour": h = Number(p.value); break;
        case "minute": mi = Number(p.value); break;
        case "second": s = Number(p.value); break;
        case "era": bc = p.value === "BC" || p.value === "B"; break;
      }
    }
    if (bc) y = 1 - y;
    const wall = daysFromCivil(y, mo, d) * MILLIS_PER_DAY + ((h * 60 + mi) * 60 + s) * 1000;
    return wall - secondMs;
  }

  offsetAt(ms: number): number {
    const b = Math.floor(ms / BUCKET);
    const hit = this.cache.get(b);
    if (hit !== undefined) return hit;
    const start = b * BUCKET;
    const end = start + BUCKET - 1;
    if (Math.abs(start) > MAX_INTL_MILLIS || Math.abs(end) > MAX_INTL_MILLIS) return this.exact(ms);
    const a = this.exact(start);
    if (a === this.exact(end)) {
      if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
      this.cache.set(b, a);
      return a;
    }
    return this.exact(ms);
  }

  instantOf(wall: number): number {
    // The offsets around this wall time: at most one transition lies within a day of it.
    const before = this.offsetAt(wall - MILLIS_PER_DAY);
    const after = this.offsetAt(wall + MILLIS_PER_DAY);
    let best: number | undefined;
    for (const o of before === after ? [before] : [before, after]) {
      const instant = wall - o;
      if (this.offsetAt(instant) === o && (best === undefined || instant < best)) best = instant;
    }
    if (best !== undefined) return best;
    // Two transitions within two days can hide the valid offset from both probes.
    const o = this.offsetAt(wall - before);
    if (this.offsetAt(wall - o) === o) return wall - o;
    // A gap: keep the offset from before it, which moves the wall clock forward.
    return wall - before;
  }
}

const FIXED_RE = /^(?:UTC|GMT|UT)?([+-])(\d{1,2})(?::?(\d{2}))?(?::?(\d{2}))?$/i;
const zones = new Map<string, Zone>();

export const UTC: Zone = new FixedZone("UTC", 0);

/**
 * Resolves "UTC", "Z", "+08:00", "-0530", "GMT+8" or an IANA id ("Asia/Shanghai").
 * Throws RangeError for anything else, at configuration time rather than per value.
 */
export function zoneOf(id: string): Zone {
  const cached = zones.get(id);
  if (cached) return cached;
  let zone: Zone;
  const trimmed = id.trim();
  if (/^(?:UTC|GMT|UT|Z|Etc\/UTC|Etc\/GMT|Etc\/UCT|UCT|Zulu)$/i.test(trimmed)) {
    zone = UTC;
  } else {
    const m = FIXED_RE.exec(trimmed);
    if (m) {
      const h = Number(m[2]), mi = Number(m[3] ?? "0"), s = Number(m[4] ?? "0");
      if (h > 18 || mi > 59 || s > 59) throw new RangeError(`invalid time zone offset ${JSON.stringify(id)}`);
      const ms = (m[1] === "-" ? -1 : 1) * ((h * 60 + mi) * 60 + s) * 1000;
      zone = ms === 0 ? UTC : new FixedZone(offsetId(ms), ms);
    } else {
      try {
        const canonical = new Intl.DateTimeFormat("en-US", { timeZone: trimmed }).resolvedOptions().timeZone;
        zone = canonical === "UTC" ? UTC : new RegionZone(canonical);
      } catch {
        throw new RangeError(`unknown time zone ${JSON.stringify(id)}`);
      }
    }
  }
  zones.set(id, zone);
  return zone;
}
