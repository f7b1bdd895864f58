/**
 * Java's text forms of numbers and date-times, needed wherever Paimon puts `toString()`
 * output into paths or keys (partition directories). Everything here follows the JDK's
 * documented rules; see each function.
 */

// ---------------------------------------------------------------------------------------
// Double.toString / Float.toString

/**
 * `Double.toString(x)` as specified since JDK 19 (shortest decimal that rounds back to x;
 * see the report for JDK ≤ 18, which sometimes printed longer digit strings).
 */
export function javaDoubleToString(x: number): string {
  return floatingToString(x, false);
}

/** `Float.toString(f)` (JDK 19+ rules) of a float32 value (`x` is rounded with Math.fround first). */
export function javaFloatToString(x: number): string {
  return floatingToString(Math.fround(x), true);
}

const scratch = new DataView(new ArrayBuffer(8));

interface Binary {
  /** x = m · 2^e exactly */
  m: bigint;
  e: number;
  /** the gap to the next smaller value is half the gap above (x is a power of two above MIN_NORMAL) */
  closerBelow: boolean;
}

function decompose(x: number, isFloat: boolean): Binary {
  let fraction: number;
  let biased: number;
  let fractionBits: number;
  let bias: number;
  if (isFloat) {
    scratch.setFloat32(0, x);
    const bits = scratch.getUint32(0);
    fraction = bits & 0x7fffff;
    biased = (bits >>> 23) & 0xff;
    fractionBits = 23;
    bias = 150;
  } else {
    scratch.setFloat64(0, x);
    const hi = scratch.getUint32(0);
    fraction = (hi & 0xfffff) * 2 ** 32 + scratch.getUint32(4);
    biased = (hi >>> 20) & 0x7ff;
    fractionBits = 52;
    bias = 1075;
  }
  if (biased === 0) return { m: BigInt(fraction), e: 1 - bias, closerBelow: false };
  return { m: BigInt(fraction) + (1n << BigInt(fractionBits)), e: biased - bias, closerBelow: fraction === 0 && biased > 1 };
}

const pow10Cache: bigint[] = [1n];
function pow10(n: number): bigint {
  for (let i = pow10Cache.length; i <= n; i++) pow10Cache[i] = pow10Cache[i - 1] * 10n;
  return pow10Cache[n];
}

interface Candidate {
  c: bigint;
  q: number;
}

/**
 * Java's selection (javadoc of Double.toString, JDK 19+): among decimals that round to x
 * pick the shortest; if the shortest has one digit, two-digit ones also compete
 * (Double.MIN_VALUE is 4.9E-324, not 5E-324); the closest to x wins, ties to an even digit.
 */
function shortestDecimal(x: number, isFloat: boolean): Candidate {
  const { m, e, closerBelow } = decompose(x, isFloat);
  // x exactly as N / 10^F
  const F = Math.max(0, -e);
  const N = e >= 0 ? m << BigInt(e) : m * 5n ** BigInt(-e);
  const digits = N.toString().length;
  const k = digits - F; // 10^(k-1) <= x < 10^k
  const inclusive = (m & 1n) === 0n; // round-half-even: a tie rounds to x iff its mantissa is even
  const lowerUnits = 4n * m - (closerBelow ? 1n : 2n); // bounds in units of 2^(e-2)
  const upperUnits = 4n * m + 2n;

  const roundsToX = (c: bigint, q: number): boolean => {
    // compare c·10^q with bound·2^(e-2) in integers
    const left = c * pow10(Math.max(q, 0)) * (1n << BigInt(Math.max(2 - e, 0)));
    const scale = pow10(Math.max(-q, 0)) * (1n << BigInt(Math.max(e - 2, 0)));
    const lo = lowerUnits * scale;
    const hi = upperUnits * scale;
    return inclusive ? left >= lo && left <= hi : left > lo && left < hi;
  };

  const candidatesOfLength = (n: number): Candidate[] => {
    const q = k - n;
    const drop = digits - n;
    let floor: bigint;
    let inexact: boolean;
    if (drop >= 0) {
      const p = pow10(drop);
      floor = N / p;
      inexact = N % p !== 0n;
    } else {
      floor = N * pow10(-drop);
      inexact = false;
    }
    const out: Candidate[] = [];
    if (floor > 0n && roundsToX(floor, q)) out.push({ c: floor, q });
    if (inexact && roundsToX(floor + 1n, q)) out.push({ c: floor + 1n, q });
    return out;
  };

  const maxDigits = isFloat ? 9 : 17;
  for (let n = 1; n <= maxDigits; n++) {
    const found = candidatesOfLength(n);
    if (found.length === 0) continue;
    if (n === 1) found.push(...candidatesOfLength(2));
    return closest(found, N, F);
  }
  throw new Error(`no decimal rounds to ${x}`);
}

function closest(cands: Candidate[], N: bigint, F: number): Candidate {
  // distances in units of 10^-(F+20); q >= -(F+17) for every candidate
  const Z = F + 20;
  const xs = N * pow10(20);
  let best = cands[0];
  let bestDist = -1n;
  for (const cand of cands) {
    const v = cand.c * pow10(cand.q + Z);
    const d = v > xs ? v - xs : xs - v;
    if (bestDist < 0n || d < bestDist || (d === bestDist && lastDigitEven(cand) && !lastDigitEven(best))) {
      best = cand;
      bestDist = d;
    }
  }
  return best;
}

function lastDigitEven(cand: Candidate): boolean {
  let c = cand.c;
  while (c % 10n === 0n && c !== 0n) c /= 10n;
  return c % 2n === 0n;
}

/** Digits (no trailing zeros) and exponent of the decimal Java prints, by the exact method. */
function exactDigits(x: number, isFloat: boolean): [string, number] {
  const { c, q } = shortestDecimal(x, isFloat);
  const s = c.toString();
  return [s.replace(/0+$/, ""), s.length - 1 + q];
}

const MIN_NORMAL_DOUBLE = 2 ** -1022;
const MIN_NORMAL_FLOAT = 2 ** -126;

/**
 * The same digits through the engine's own number printing where that is provably the
 * same choice: JS's shortest round-trip digits equal Java's for normal doubles (the
 * two-digit rule only matters for subnormals), and for normal floats the closest
 * n-digit decimal that rounds back is found with toPrecision. Anything in doubt
 * (subnormals, a possible tie, a decimal landing exactly between two floats) takes the
 * exact path.
 */
function fastDigits(x: number, isFloat: boolean): [string, number] | null {
  if (!isFloat) {
    if (x < MIN_NORMAL_DOUBLE) return null;
    const [mant, ex] = x.toExponential().split("e");
    return [mant.replace(".", ""), Number(ex)];
  }
  if (x < MIN_NORMAL_FLOAT) return null;
  for (let n = 1; n <= 9; n++) {
    const s = x.toPrecision(n);
    const y = Number(s);
    if (Math.fround(y) !== x) continue;
    if (y !== x && isFloatMidpoint(y, x)) return null;
    // x may sit exactly between two n-digit decimals: toPrecision then picks the larger,
    // Java the even one
    if (/5(e|$)/.test(x.toPrecision(n + 1))) return null;
    const [mant, ex] = y.toExponential(n - 1).split("e");
    return [mant.replace(".", "").replace(/0+$/, ""), Number(ex)];
  }
  return null;
}

/** Whether y lies exactly halfway between float x and its neighbour on y's side (double rounding risk). */
function isFloatMidpoint(y: number, x: number): boolean {
  scratch.setFloat32(0, x);
  const bits = scratch.getUint32(0);
  scratch.setUint32(0, y > x ? bits + 1 : bits - 1);
  const neighbour = scratch.getFloat32(0);
  return y === (x + neighbour) / 2;
}

function floatingToString(x: number, isFloat: boolean, exact = false): string {
  if (Number.isNaN(x)) return "NaN";
  if (x === Infinity) return "Infinity";
  if (x === -Infinity) return "-Infinity";
  if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
  const sign = x < 0 ? "-" : "";
  const abs = Math.abs(x);
  const [s, exp] = (exact ? null : fastDigits(abs, isFloat)) ?? exactDigits(abs, isFloat);
  // Java: plain notation for 10^-3 <= |x| < 10^7, else d.dddE<exp>; always a digit after '.'
  if (exp >= 0 && exp < 7) {
    const int = s.length > exp + 1 ? s.slice(0, exp + 1) : s.padEnd(exp + 1, "0");
    const frac = s.length > exp + 1 ? s.slice(exp + 1) : "0";
    return `${sign}${int}.${frac}`;
  }
  if (exp < 0 && exp >= -3) return `${sign}0.${"0".repeat(-exp - 1)}${s}`;
  return `${sign}${s[0]}.${s.length > 1 ? s.slice(1) : "0"}E${exp}`;
}

/** The exact (BigInt) implementation behind javaDoubleToString/javaFloatToString, for cross-checking. */
export function javaFloatingToStringExact(x: number, isFloat: boolean): string {
  return floatingToString(isFloat ? Math.fround(x) : x, isFloat, true);
}

// ---------------------------------------------------------------------------------------
// java.time text forms

const MILLIS_PER_DAY = 86_400_000;

/** Proleptic Gregorian (year, month, day) of an epoch day (`LocalDate.ofEpochDay`). */
export function civilFromEpochDay(epochDay: number): [number, number, number] {
  const z = epochDay + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  return [year, month, day];
}

const two = (n: number): string => (n < 10 ? "0" : "") + n;

/** `LocalDate.toString()`: at least 4 year digits, a sign for years before 0 and '+' beyond 9999. */
export function javaLocalDateToString(epochDay: number): string {
  const [y, m, d] = civilFromEpochDay(epochDay);
  let year: string;
  if (Math.abs(y) < 1000) year = (y < 0 ? "-" : "") + String(Math.abs(y)).padStart(4, "0");
  else year = (y > 9999 ? "+" : "") + y;
  return `${year}-${two(m)}-${two(d)}`;
}

/** `LocalTime.toString()`: seconds and fraction only when non-zero; fraction in groups of 3 digits. */
export function javaLocalTimeToString(nanoOfDay: number): string {
  const h = Math.floor(nanoOfDay / 3_600_000_000_000);
  const min = Math.floor(nanoOfDay / 60_000_000_000) % 60;
  const sec = Math.floor(nanoOfDay / 1_000_000_000) % 60;
  const nano = nanoOfDay % 1_000_000_000;
  let s = `${two(h)}:${two(min)}`;
  if (sec > 0 || nano > 0) {
    s += `:${two(sec)}`;
    if (nano > 0) {
      if (nano % 1_000_000 === 0) s += "." + String(nano / 1_000_000).padStart(3, "0");
      else if (nano % 1000 === 0) s += "." + String(nano / 1000).padStart(6, "0");
      else s += "." + String(nano).padStart(9, "0");
    }
  }
  return s;
}

/** Epoch day and nano-of-day of a Timestamp (`Timestamp.toLocalDateTime`, floor semantics). */
export function splitEpochMillis(millis: bigint, nanoOfMilli: number): { epochDay: number; nanoOfDay: number } {
  const day = BigInt(MILLIS_PER_DAY);
  let epochDay = millis / day;
  let ms = millis % day;
  if (ms < 0n) {
    epochDay -= 1n;
    ms += day;
  }
  return { epochDay: Number(epochDay), nanoOfDay: Number(ms) * 1_000_000 + nanoOfMilli };
}

/** `LocalDateTime.toString()` of a Timestamp: `2024-01-01T10:00`, `2024-01-01T10:00:01.123400`. */
export function javaLocalDateTimeToString(millis: bigint, nanoOfMilli: number): string {
  const { epochDay, nanoOfDay } = splitEpochMillis(millis, nanoOfMilli);
  return `${javaLocalDateToString(epochDay)}T${javaLocalTimeToString(nanoOfDay)}`;
}

// Paimon's DateTimeUtils (the CAST-to-STRING forms). They print years with exactly four
// '0'+digit characters computed with Java int arithmetic, so years outside 0..9999 come
// out garbled; that is reproduced, not fixed.

function int4(i: number): string {
  const d = (x: number): string => String.fromCharCode(48 + (Math.trunc(i / x) % 10));
  return d(1000) + d(100) + d(10) + String.fromCharCode(48 + (i % 10));
}

function int2(i: number): string {
  return String.fromCharCode(48 + (Math.trunc(i / 10) % 10)) + String.fromCharCode(48 + (i % 10));
}

const EPOCH_JULIAN = 2440588;

/** `DateTimeUtils.formatDate` (CAST(DATE AS STRING)): `yyyy-MM-dd` via the Julian-day algorithm. */
export function paimonFormatDate(epochDay: number): string {
  const j = epochDay + EPOCH_JULIAN + 32044;
  const div = (a: number, b: number): number => Math.trunc(a / b);
  const g = div(j, 146097);
  const dg = j % 146097;
  const c = div((div(dg, 36524) + 1) * 3, 4);
  const dc = dg - c * 36524;
  const b = div(dc, 1461);
  const db = dc % 1461;
  const a = div((div(db, 365) + 1) * 3, 4);
  const da = db - a * 365;
  const y = g * 400 + c * 100 + b * 4 + a;
  const m = div(da * 5 + 308, 153) - 2;
  const d = da - div((m + 4) * 153, 5) + 122;
  const year = y - 4800 + div(m + 2, 12);
  const month = ((m + 2) % 12) + 1;
  return `${int4(year)}-${int2(month)}-${int2(d + 1)}`;
}

/**
 * `DateTimeUtils.formatTimestampMillis` (CAST(TIME(p) AS STRING)): `HH:mm:ss`, then for
 * p > 0 the millisecond digits, stopping after the last non-zero one (but at least one).
 */
export function paimonFormatTime(millisOfDay: number, precision: number): string {
  let time = millisOfDay;
  while (time < 0) time += MILLIS_PER_DAY;
  const h = Math.trunc(time / 3_600_000);
  const t2 = time % 3_600_000;
  const m = Math.trunc(t2 / 60_000);
  const t3 = t2 % 60_000;
  const s = Math.trunc(t3 / 1000);
  let ms = t3 % 1000;
  let out = `${int2(h)}:${int2(m)}:${int2(s)}`;
  if (precision > 0) {
    out += ".";
    for (let p = precision; p > 0; p--) {
      out += String.fromCharCode(48 + Math.trunc(ms / 100));
      ms = (ms % 100) * 10;
      if (ms === 0) break;
    }
  }
  return out;
}

/**
 * `DateTimeUtils.formatTimestamp(ts, precision)` (CAST(TIMESTAMP(p) AS STRING)):
 * `yyyy-MM-dd HH:mm:ss`, then the 9-digit fraction with trailing zeros removed down to p.
 */
export function paimonFormatTimestamp(millis: bigint, nanoOfMilli: number, precision: number): string {
  const { epochDay, nanoOfDay } = splitEpochMillis(millis, nanoOfMilli);
  const [y, mo, d] = civilFromEpochDay(epochDay);
  const secOfDay = Math.floor(nanoOfDay / 1_000_000_000);
  let fraction = String(nanoOfDay % 1_000_000_000).padStart(9, "0");
  while (fraction.length > precision && fraction.endsWith("0")) fraction = fraction.slice(0, -1);
  const hms = `${int2(Math.floor(secOfDay / 3600))}:${int2(Math.floor(secOfDay / 60) % 60)}:${int2(secOfDay % 60)}`;
  return `${int4(y)}-${int2(mo)}-${int2(d)} ${hms}${fraction.length > 0 ? "." + fraction : ""}`;
}

/** `BigDecimal.toPlainString()` of unscaled·10^-scale (scale ≥ 0, as for DECIMAL types). */
export function plainDecimalString(unscaled: bigint, scale: number): string {
  if (scale <= 0) return (unscaled * pow10(-scale)).toString();
  const neg = unscaled < 0n;
  const digits = (neg ? -unscaled : unscaled).toString().padStart(scale + 1, "0");
  return `${neg ? "-" : ""}${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
}

/** `Character.isWhitespace` for one UTF-16 unit (no-break spaces are not whitespace in Java). */
export function isJavaWhitespace(c: number): boolean {
  if (c <= 0x20) return c === 0x20 || (c >= 0x09 && c <= 0x0d) || (c >= 0x1c && c <= 0x1f);
  return c === 0x1680 || (c >= 0x2000 && c <= 0x2006) || (c >= 0x2008 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x205f || c === 0x3000;
}

/** `StringUtils.isNullOrWhitespaceOnly`. */
export function isNullOrWhitespaceOnly(s: string | null): boolean {
  if (s === null || s.length === 0) return true;
  for (let i = 0; i < s.length; i++) if (!isJavaWhitespace(s.charCodeAt(i))) return false;
  return true;
}
