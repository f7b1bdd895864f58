/**
 * Comparing rows in the canonical JSON of shared/fixtures/pypaimon/ENCODING.md:
 * parsed values, as multisets, with floats compared as doubles.
 */

function normalize(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(normalize);
  if (v !== null && typeof v === "object") {
    const o = v as Record<string, unknown>;
    return Object.fromEntries(Object.keys(o).sort().map((k) => [k, normalize(o[k])]));
  }
  if (typeof v === "number" && Object.is(v, -0)) return "-0.0";
  return v;
}

/** A stable text for a row: keys sorted, -0.0 kept distinct. */
export function rowKey(row: unknown): string {
  return JSON.stringify(normalize(row));
}

/** Sorted row keys: compare two of these with toEqual for a multiset comparison. */
export function rowMultiset(rows: unknown[]): string[] {
  return rows.map(rowKey).sort();
}
