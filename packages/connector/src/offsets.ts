/**
 * Source offsets. They are opaque to the connector except for one thing: when they are
 * totally ordered — integers (numbers, bigints or decimal strings) or arrays of them,
 * compared left to right — a replayed record at or before the committed offset is
 * recognised and skipped, which is what makes a replay after a crash exactly-once even
 * for append-only tables. Other offsets are still recorded with each commit.
 */

type Pos = bigint | Pos[];

function toPos(v: unknown): Pos | undefined {
  if (typeof v === "number") return Number.isInteger(v) ? BigInt(v) : undefined;
  if (typeof v === "bigint") return v;
  if (typeof v === "string" && /^-?\d{1,40}$/.test(v)) return BigInt(v);
  if (Array.isArray(v) && v.length > 0) {
    const parts = v.map(toPos);
    return parts.every((p) => p !== undefined) ? (parts as Pos[]) : undefined;
  }
  return undefined;
}

function cmp(a: Pos, b: Pos): number | null {
  if (typeof a === "bigint" && typeof b === "bigint") return a < b ? -1 : a > b ? 1 : 0;
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.min(a.length, b.length); i++) {
      const c = cmp(a[i], b[i]);
      if (c === null) return null;
      if (c !== 0) return c;
    }
    return a.length - b.length;
  }
  return null;
}

/** -1/0/1 when both offsets are ordered positions, null when they cannot be compared. */
export function compareOffsets(a: unknown, b: unknown): number | null {
  const pa = toPos(a);
  const pb = toPos(b);
  if (pa === undefined || pb === undefined) return null;
  const c = cmp(pa, pb);
  return c === null ? null : Math.sign(c);
}

/** JSON for an offset (bigints as strings); undefined when it cannot be stored. */
export function offsetToJson(v: unknown): string | undefined {
  try {
    return JSON.stringify(v, (_k, x) => (typeof x === "bigint" ? x.toString() : x));
  } catch {
    return undefined;
  }
}

export function offsetFromJson(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
