/**
 * The `dataTypes` expressions of a connector spec, and the TapType a concrete type
 * string denotes under them.
 *
 * Expression syntax (as the PDK documents it): literal text matched case-insensitively;
 * `$name` captures a parameter; `[...]` is optional. `DECIMAL[($precision,$scale)]`
 * matches `DECIMAL`, `decimal(10,2)` and `DECIMAL(38, 10)`. Keys without parameters or
 * options match exactly and are tried first; the others are tried in table order, as the
 * engine does. Whitespace in a type string is collapsed and parameters are trimmed, so
 * Paimon's `DECIMAL(38, 10)` (with a space) matches.
 *
 * Attribute semantics: a parameter beats `default*`, which beats the top of the range;
 * numeric bounds come from the parameters (precision and scale, or bit), else from
 * `value`, else from `bit`, else from the default precision and scale. Bounds are exact
 * and scale-aware: DECIMAL(10,2) spans ±99999999.99.
 */
import { canonicalDecimalText, formatDecimal, pow10 } from "./decimal.js";
import type { DataTypeMapping, DataTypeMappings, TapType } from "./tap-types.js";

export interface DataTypeMatch {
  /** The key of the table entry that matched. */
  expression: string;
  mapping: DataTypeMapping;
  /** Captured parameters, trimmed, by name (without the `$`). */
  params: Record<string, string>;
}

interface Compiled {
  expression: string;
  mapping: DataTypeMapping;
  regex: RegExp;
  vars: string[];
  /** Lower-cased literal text before the first `$` or `[`: a cheap pre-filter. */
  prefix: string;
}

const VAR_CHAR = /[A-Za-z0-9_]/;

function escapeRegex(c: string): string {
  return /[\\^$.*+?()[\]{}|/]/.test(c) ? `\\${c}` : c;
}

function compile(expression: string, mapping: DataTypeMapping): Compiled {
  const vars: string[] = [];
  let re = "";
  let prefix = "";
  let prefixDone = false;
  const src = expression.trim().replace(/\s+/g, " ");
  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    if (c === "$") {
      prefixDone = true;
      let name = "";
      while (i + 1 < src.length && VAR_CHAR.test(src[i + 1])) name += src[++i];
      vars.push(name);
      re += "(.*)";
    } else if (c === "[") {
      prefixDone = true;
      re += "(?:\\s*(?:";
    } else if (c === "]") {
      re += "))?";
    } else if (c === " ") {
      if (!prefixDone) prefix += c;
      re += "\\s+";
    } else {
      if (!prefixDone) prefix += c;
      re += escapeRegex(c);
    }
  }
  return { expression, mapping, regex: new RegExp(`^${re}$`, "i"), vars, prefix: prefix.toLowerCase() };
}

/** A compiled `dataTypes` table. Build once; matching is then a map lookup or a few regexes. */
export class DataTypeExpressions {
  private readonly exact = new Map<string, Compiled>();
  private readonly patterns: Compiled[] = [];

  constructor(readonly table: DataTypeMappings) {
    for (const [expression, mapping] of Object.entries(table)) {
      const c = compile(expression, mapping);
      if (c.vars.length === 0 && !expression.includes("[")) this.exact.set(expression.trim().replace(/\s+/g, " ").toLowerCase(), c);
      else this.patterns.push(c);
    }
  }

  /** The entry a type string matches, or undefined. */
  match(dataType: string): DataTypeMatch | undefined {
    const s = dataType.trim().replace(/\s+/g, " ");
    const lower = s.toLowerCase();
    const hit = this.exact.get(lower);
    if (hit) return { expression: hit.expression, mapping: hit.mapping, params: {} };
    for (const c of this.patterns) {
      if (!lower.startsWith(c.prefix)) continue;
      const m = c.regex.exec(s);
      if (!m) continue;
      const params: Record<string, string> = {};
      c.vars.forEach((v, i) => {
        if (m[i + 1] !== undefined) params[v] = m[i + 1].trim();
      });
      return { expression: c.expression, mapping: c.mapping, params };
    }
    return undefined;
  }

  /**
   * The TapType of a type string, with exact attributes, or undefined when no entry
   * matches or a numeric parameter is not a number.
   */
  toTapType(dataType: string): TapType | undefined {
    const m = this.match(dataType);
    return m ? tapTypeOfMatch(m, dataType) : undefined;
  }
}

/** "64k", "16m", "4g", "2147483647" → a count; undefined if it is not one. */
function sizeOf(v: number | string | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v === "number") return v;
  const m = /^\s*(\d+)\s*([kmgt]?)\s*$/i.exec(v);
  if (!m) return undefined;
  const mult = { "": 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 }[m[2].toLowerCase() as "" | "k" | "m" | "g" | "t"];
  return Number(m[1]) * mult;
}

function intParam(params: Record<string, string>, name: string): number | undefined | null {
  const p = params[name];
  if (p === undefined || p === "") return undefined;
  return /^[+-]?\d+$/.test(p) ? Number(p) : null;
}

function rangeTop(r: number | [number, number] | undefined): number | undefined {
  return r === undefined ? undefined : Array.isArray(r) ? r[1] : r;
}

export function integerBounds(bit: number, unsigned: boolean): [string, string] {
  const b = BigInt(bit);
  return unsigned ? ["0", ((1n << b) - 1n).toString()] : [(-(1n << (b - 1n))).toString(), ((1n << (b - 1n)) - 1n).toString()];
}

/** ± the largest finite float32 / float64, exactly. */
export function floatBounds(bit: 32 | 64): [string, string] {
  const max = (bit === 32 ? ((1n << 24n) - 1n) << 104n : ((1n << 53n) - 1n) << 971n).toString();
  return [`-${max}`, max];
}

export function decimalBounds(precision: number, scale: number, unsigned: boolean): [string, string] {
  const max = formatDecimal(pow10(precision) - 1n, scale);
  return [unsigned ? "0" : `-${max}`, max];
}

function hasKeyword(dataType: string, word: string | undefined): boolean {
  return !!word && new RegExp(`(^|\\s)${word.replace(/[^A-Za-z0-9_]/g, "")}(\\s|$)`, "i").test(dataType);
}

function defined<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return o;
}

function tapTypeOfMatch({ mapping: m, params }: DataTypeMatch, dataType: string): TapType | undefined {
  switch (m.to) {
    case "TapBoolean":
    case "TapArray":
    case "TapMap":
    case "TapRaw":
      return { type: m.to };
    case "TapNumber": {
      const pBit = intParam(params, "bit"), pPrec = intParam(params, "precision"), pScale = intParam(params, "scale");
      if (pBit === null || pPrec === null || pScale === null) return undefined;
      const unsigned = hasKeyword(dataType, m.unsigned) || undefined;
      const zerofill = hasKeyword(dataType, m.zerofill) || undefined;
      let bit = pBit ?? m.defaultBit ?? m.bit;
      if (bit !== undefined && m.bitRatio) bit *= m.bitRatio;
      const precision = pPrec ?? m.defaultPrecision ?? rangeTop(m.precision);
      const scale = pScale ?? m.defaultScale ?? rangeTop(m.scale);
      let bounds: [string, string] | undefined;
      if (m.fixed === false) {
        // Binary floating point: digits say nothing about the range; the IEEE width does.
        if (m.value) bounds = [canonicalDecimalText(m.value[0]), canonicalDecimalText(m.value[1])];
        else if (bit === 32 || bit === 64) bounds = floatBounds(bit);
      } else if (pPrec !== undefined) bounds = decimalBounds(pPrec, scale ?? 0, !!unsigned);
      else if (pBit !== undefined) bounds = integerBounds(bit!, !!unsigned);
      else if (m.value) bounds = unsigned && bit !== undefined && m.fixed === undefined ? integerBounds(bit, true) : [canonicalDecimalText(m.value[0]), canonicalDecimalText(m.value[1])];
      else if (bit !== undefined && m.fixed === undefined) bounds = integerBounds(bit, !!unsigned);
      else if (precision !== undefined) bounds = decimalBounds(precision, scale ?? 0, !!unsigned);
      return defined<TapType>({
        type: "TapNumber",
        bit,
        precision,
        scale,
        fixed: m.fixed,
        unsigned,
        zerofill,
        minValue: bounds?.[0],
        maxValue: bounds?.[1],
      });
    }
    case "TapString":
    case "TapBinary": {
      const p = params.byte;
      const bytes = p !== undefined && p !== "" ? sizeOf(p) : sizeOf(m.defaultByte) ?? sizeOf(m.byte);
      if (p !== undefined && p !== "" && bytes === undefined) return undefined;
      return defined<TapType>({ type: m.to, bytes, fixed: m.fixed, byteRatio: m.byteRatio });
    }
    case "TapDate":
      return defined<TapType>({ type: "TapDate", min: rangeText(m, 0), max: rangeText(m, 1), withTimeZone: m.withTimeZone });
    case "TapDateTime":
    case "TapTime": {
      const pf = intParam(params, "fraction");
      if (pf === null) return undefined;
      const fraction = pf ?? m.defaultFraction ?? rangeTop(m.fraction);
      return defined<TapType>({
        type: m.to,
        fraction,
        defaultFraction: m.defaultFraction,
        withTimeZone: m.withTimeZone,
        min: rangeText(m, 0),
        max: rangeText(m, 1),
      });
    }
    case "TapYear": {
      const r = m.range;
      return defined<TapType>({ type: "TapYear", min: r ? Number(r[0]) : undefined, max: r ? Number(r[1]) : undefined });
    }
  }
}

function rangeText(m: DataTypeMapping, i: 0 | 1): string | undefined {
  return m.range ? String(m.range[i]) : undefined;
}
