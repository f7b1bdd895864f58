/**
 * Key order of Paimon's LSM tree: field by field, nulls first, strings and bytes by
 * unsigned bytes (UTF-8 for strings), numbers by value.
 */
import { statsComparator } from "../data/stats.js";
import type { InternalValue } from "../data/values.js";
import type { DataType } from "../types/datatype.js";
import { InvalidInputError } from "@paimon-ts/fileio";

export type RowCompare = (a: readonly InternalValue[], b: readonly InternalValue[]) => number;

export function fieldComparator(t: DataType): (a: InternalValue, b: InternalValue) => number {
  const cmp = statsComparator(t);
  if (!cmp) throw new InvalidInputError(`type ${t.root} cannot be part of a key or sequence field`);
  return (a, b) => {
    if (a === null) return b === null ? 0 : -1;
    if (b === null) return 1;
    return cmp(a, b);
  };
}

export function rowComparator(types: readonly DataType[]): RowCompare {
  const cmps = types.map(fieldComparator);
  const n = cmps.length;
  return (a, b) => {
    for (let i = 0; i < n; i++) {
      const c = cmps[i](a[i], b[i]);
      if (c !== 0) return c;
    }
    return 0;
  };
}
