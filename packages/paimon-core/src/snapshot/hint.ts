/**
 * Hint files `snapshot/EARLIEST` and `snapshot/LATEST` (METADATA.md §3.2): the decimal id
 * and nothing else (no newline: Java's `Long.parseLong` rejects one).
 */

export const EARLIEST_HINT = "EARLIEST";
export const LATEST_HINT = "LATEST";

const MAX_LONG = 9223372036854775807n;

/** The content to write: the id's digits only. */
export function formatHint(id: bigint | number): string {
  const b = BigInt(id);
  if (b < 0n || b > MAX_LONG) throw new RangeError(`hint id out of range: ${b}`);
  return b.toString();
}

/**
 * Parses a hint. Returns null when the content is not a valid non-negative long (Java
 * treats that as a missing hint and falls back to listing). Surrounding whitespace is
 * tolerated on read, although a writer must not produce it.
 */
export function parseHint(content: string | Uint8Array): bigint | null {
  const text = typeof content === "string" ? content : new TextDecoder().decode(content);
  const t = text.trim();
  if (!/^\d{1,19}$/.test(t)) return null;
  const v = BigInt(t);
  return v > MAX_LONG ? null : v;
}
