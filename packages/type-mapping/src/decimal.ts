/**
 * Exact decimal arithmetic on bigint: parsing decimal text, HALF_UP rescaling and
 * formatting. Numbers never pass through floating point here, so "0.1" stays 1×10⁻¹.
 */

/** value = unscaled × 10^-scale; scale may be negative (from an exponent). */
export interface Decimal {
  unscaled: bigint;
  scale: number;
}

// Only ASCII digits, '.', and an exponent: no thousands separators, no locale forms, no
// hex, no "Infinity" — the string forms Number() would accept beyond plain decimals.
const DECIMAL_RE = /^([+-])?(?:(\d+)(?:\.(\d*))?|\.(\d+))(?:[eE]([+-]?\d+))?$/;

/** Exponents are clamped here so that absurd ones ("1e999999999") stay cheap. */
const MAX_EXPONENT = 1_000_000;
/**
 * No Paimon number has more than 39 digits, so any shift past this is an overflow (or a
 * zero) and is answered with a sentinel instead of a bigint with a million digits.
 */
const MAX_SHIFT = 400;
function beyondAnyType(neg: boolean): bigint {
  return neg ? -pow10(MAX_SHIFT + 1) : pow10(MAX_SHIFT + 1);
}

export function parseDecimal(text: string): Decimal | undefined {
  const m = DECIMAL_RE.exec(text);
  if (!m) return undefined;
  const intPart = m[2] ?? "";
  const fracPart = m[3] ?? m[4] ?? "";
  const exp = m[5] === undefined ? 0 : Number(m[5]);
  let digits = intPart + fracPart;
  let scale = fracPart.length - Math.max(-MAX_EXPONENT, Math.min(MAX_EXPONENT, exp));
  // Trailing fraction zeros carry no value; dropping them textually keeps "1.000…0" cheap.
  if (scale > 0) {
    const trimmed = digits.replace(/0+$/, "");
    const drop = Math.min(scale, digits.length - trimmed.length);
    digits = digits.slice(0, digits.length - drop);
    scale -= drop;
  }
  let unscaled = BigInt(digits || "0");
  if (m[1] === "-") unscaled = -unscaled;
  return { unscaled, scale: unscaled === 0n ? 0 : scale };
}

/** A finite double as the decimal its shortest round-trip text denotes (like Java's BigDecimal.valueOf(double)). */
export function decimalFromNumber(n: number): Decimal {
  return parseDecimal(String(n))!;
}

const POW10: bigint[] = [1n];
export function pow10(n: number): bigint {
  if (n < 0) throw new RangeError("negative power of ten");
  while (POW10.length <= n) POW10.push(POW10[POW10.length - 1] * 10n);
  return POW10[n];
}

export function digitCount(u: bigint): number {
  const a = u < 0n ? -u : u;
  return a === 0n ? 1 : a.toString().length;
}

/** The unscaled value at `scale`, rounding HALF_UP (ties away from zero) when digits are dropped. */
export function rescaleHalfUp(d: Decimal, scale: number): bigint {
  const shift = scale - d.scale;
  if (d.unscaled === 0n) return 0n;
  if (shift >= 0) {
    if (shift > MAX_SHIFT) return beyondAnyType(d.unscaled < 0n);
    return d.unscaled * pow10(shift);
  }
  const drop = -shift;
  const neg = d.unscaled < 0n;
  const a = neg ? -d.unscaled : d.unscaled;
  // More dropped digits than the number has: |value| < 0.1 ulp, which rounds to zero.
  if (drop > digitCount(a)) return 0n;
  const div = pow10(drop);
  let q = a / div;
  if ((a % div) * 2n >= div) q += 1n;
  return neg ? -q : q;
}

/** The exact integer a decimal denotes, or undefined if it has a non-zero fraction. */
export function decimalToInteger(d: Decimal): bigint | undefined {
  if (d.scale <= 0) {
    if (d.unscaled === 0n) return 0n;
    if (-d.scale > MAX_SHIFT) return beyondAnyType(d.unscaled < 0n);
    return d.unscaled * pow10(-d.scale);
  }
  if (d.unscaled === 0n) return 0n;
  if (d.scale > MAX_SHIFT) return undefined;
  const div = pow10(d.scale);
  return d.unscaled % div === 0n ? d.unscaled / div : undefined;
}

/** Plain notation with exactly `scale` fraction digits: (-5n, 2) → "-0.05". */
export function formatDecimal(unscaled: bigint, scale: number): string {
  const neg = unscaled < 0n;
  let digits = (neg ? -unscaled : unscaled).toString();
  if (scale > 0) {
    if (digits.length <= scale) digits = "0".repeat(scale - digits.length + 1) + digits;
    digits = `${digits.slice(0, digits.length - scale)}.${digits.slice(digits.length - scale)}`;
  } else if (scale < 0) {
    digits = digits === "0" ? "0" : digits + "0".repeat(-scale);
  }
  return neg ? `-${digits}` : digits;
}

/** Canonical plain text of a decimal string or number ("1E3" → "1000", "-0.50" → "-0.5"). */
export function canonicalDecimalText(v: string | number | bigint): string {
  const d = typeof v === "bigint" ? { unscaled: v, scale: 0 } : typeof v === "number" ? decimalFromNumber(v) : parseDecimal(v.trim());
  if (!d || Math.abs(d.scale) > MAX_SHIFT) throw new RangeError("not a decimal number of a sensible size");
  let { unscaled, scale } = d;
  while (scale > 0 && unscaled % 10n === 0n) {
    unscaled /= 10n;
    scale--;
  }
  if (scale < 0) {
    unscaled *= pow10(-scale);
    scale = 0;
  }
  return formatDecimal(unscaled, scale);
}
