/**
 * The JSON used for nested values stored in STRING columns (the default for ARRAY, MAP
 * and ROW sources, as in the Java connector).
 *
 * Choice for 64-bit and decimal numbers: **exact JSON numbers**, never quoted. A bigint
 * is written with all its digits; a JS number is written in its shortest round-trip form,
 * and an integral number beyond 2^53 in exponent form so that it reads back as a number.
 * Reading (decodeJson) returns an integer literal as a number when it is a safe integer
 * and as a bigint otherwise, so no digit is ever lost. The one thing that does not
 * survive is the JS type of a small bigint (5n reads back as 5): JSON has no type tags
 * and the numeric value is what other engines (Spark, Flink, Trino JSON functions) see.
 *
 * Exactly reversible: null, booleans, finite numbers except -0, bigints (up to that type
 * note), strings (unpaired surrogates included, as \u escapes), arrays, plain objects.
 * One-way, documented conversions: Date → ISO-8601 string, Uint8Array → base64 string,
 * Map → object (string, number, bigint or boolean keys), undefined object members
 * omitted and undefined array slots written as null (as JSON.stringify does).
 * Stable: the same value always gives the same text, and encode(decode(t)) === t for
 * any text t this module produced. Keys keep JS property order unless sortKeys is set.
 */

import { ConversionError, valueKind } from "./errors.js";

export interface JsonProblem {
  problem: "not-finite" | "unsupported-in-json" | "invalid-format" | "duplicate-map-key";
  path: string;
}

export function isJsonProblem(v: unknown): v is JsonProblem {
  return typeof v === "object" && v !== null && "problem" in v && "path" in v;
}

function isPlainObject(v: object): boolean {
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** Encodes a value, or says where (path only) and why it cannot be. */
export function toJsonText(value: unknown, sortKeys = false): string | JsonProblem {
  const stack = new Set<object>();
  const out: string[] = [];
  const problem = write(value, "", out, stack, sortKeys, 0);
  return problem ?? out.join("");
}

/** Nesting deeper than this is refused both ways, well before the JS stack runs out. */
export const MAX_JSON_DEPTH = 1000;

function write(v: unknown, path: string, out: string[], stack: Set<object>, sortKeys: boolean, depth: number): JsonProblem | undefined {
  switch (typeof v) {
    case "string":
      out.push(JSON.stringify(v));
      return undefined;
    case "boolean":
      out.push(v ? "true" : "false");
      return undefined;
    case "bigint":
      out.push(v.toString());
      return undefined;
    case "number":
      if (!Number.isFinite(v)) return { problem: "not-finite", path };
      // An integral double past 2^53 written as digits would read back as a bigint.
      out.push(Number.isInteger(v) && !Number.isSafeInteger(v) ? v.toExponential() : JSON.stringify(v));
      return undefined;
    case "undefined":
      out.push("null");
      return undefined;
    case "object":
      break;
    default:
      return { problem: "unsupported-in-json", path };
  }
  if (v === null) {
    out.push("null");
    return undefined;
  }
  if (v instanceof Date) {
    const t = v.getTime();
    if (Number.isNaN(t)) return { problem: "invalid-format", path };
    out.push(JSON.stringify(v.toISOString()));
    return undefined;
  }
  if (v instanceof Uint8Array) {
    out.push(JSON.stringify(Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString("base64")));
    return undefined;
  }
  if (stack.has(v) || depth >= MAX_JSON_DEPTH) return { problem: "unsupported-in-json", path };
  stack.add(v);
  try {
    if (Array.isArray(v)) {
      out.push("[");
      for (let i = 0; i < v.length; i++) {
        if (i) out.push(",");
        const p = write(v[i], `${path}[${i}]`, out, stack, sortKeys, depth + 1);
        if (p) return p;
      }
      out.push("]");
      return undefined;
    }
    let entries: [string, unknown][];
    if (v instanceof Map) {
      entries = [];
      const seen = new Set<string>();
      let i = 0;
      for (const [k, val] of v) {
        const kt = typeof k;
        if (kt !== "string" && kt !== "number" && kt !== "bigint" && kt !== "boolean") return { problem: "unsupported-in-json", path: `${path}{${i}}.key` };
        const ks = String(k);
        if (seen.has(ks)) return { problem: "duplicate-map-key", path: `${path}{${i}}.key` };
        seen.add(ks);
        entries.push([ks, val]);
        i++;
      }
    } else if (isPlainObject(v)) {
      entries = Object.entries(v);
    } else {
      return { problem: "unsupported-in-json", path };
    }
    if (sortKeys) entries.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    out.push("{");
    let first = true;
    for (let i = 0; i < entries.length; i++) {
      const [k, val] = entries[i];
      if (val === undefined) continue;
      if (!first) out.push(",");
      first = false;
      out.push(JSON.stringify(k), ":");
      // Object keys can be data (ids, e-mails), so paths name the entry's position only.
      const p = write(val, `${path}{${i}}`, out, stack, sortKeys, depth + 1);
      if (p) return p;
    }
    out.push("}");
    return undefined;
  } finally {
    stack.delete(v);
  }
}

/** Thrown by parseJsonText; carries the character offset, never the text. */
export class JsonSyntaxError extends SyntaxError {
  override name = "JsonSyntaxError";
  constructor(readonly offset: number) {
    super(`invalid JSON at offset ${offset}`);
  }
}

const NUMBER_RE = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;
const WS = new Set([0x20, 0x09, 0x0a, 0x0d]);

/** Strict RFC 8259 JSON, with integer literals beyond 2^53 as bigint. */
export function parseJsonText(text: string): unknown {
  let i = 0;
  const ws = (): void => {
    while (i < text.length && WS.has(text.charCodeAt(i))) i++;
  };
  const fail = (): never => {
    throw new JsonSyntaxError(i);
  };
  const str = (): string => {
    // Reuse the engine's string unescaping on the exact literal span.
    const start = i++;
    for (;;) {
      if (i >= text.length) fail();
      const c = text.charCodeAt(i);
      if (c === 0x22) break;
      if (c < 0x20) fail();
      i += c === 0x5c ? 2 : 1;
    }
    i++;
    try {
      return JSON.parse(text.slice(start, i)) as string;
    } catch {
      i = start;
      return fail();
    }
  };
  const value = (depth: number): unknown => {
    if (depth >= MAX_JSON_DEPTH) fail();
    ws();
    const c = text[i];
    if (c === "{") {
      i++;
      const obj: Record<string, unknown> = {};
      ws();
      if (text[i] === "}") {
        i++;
        return obj;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail();
        const k = str();
        ws();
        if (text[i] !== ":") fail();
        i++;
        const v = value(depth + 1);
        // An own "__proto__" member, as JSON.parse makes, not a prototype change.
        if (k === "__proto__") Object.defineProperty(obj, k, { value: v, writable: true, enumerable: true, configurable: true });
        else obj[k] = v;
        ws();
        if (text[i] === ",") {
          i++;
          continue;
        }
        if (text[i] === "}") {
          i++;
          return obj;
        }
        fail();
      }
    }
    if (c === "[") {
      i++;
      const arr: unknown[] = [];
      ws();
      if (text[i] === "]") {
        i++;
        return arr;
      }
      for (;;) {
        arr.push(value(depth + 1));
        ws();
        if (text[i] === ",") {
          i++;
          continue;
        }
        if (text[i] === "]") {
          i++;
          return arr;
        }
        fail();
      }
    }
    if (c === '"') return str();
    if (text.startsWith("true", i)) {
      i += 4;
      return true;
    }
    if (text.startsWith("false", i)) {
      i += 5;
      return false;
    }
    if (text.startsWith("null", i)) {
      i += 4;
      return null;
    }
    NUMBER_RE.lastIndex = i;
    const m = NUMBER_RE.exec(text);
    if (!m) return fail();
    i += m[0].length;
    if (m[1] === undefined && m[2] === undefined) {
      const n = Number(m[0]);
      return Number.isSafeInteger(n) ? n : BigInt(m[0]);
    }
    return Number(m[0]);
  };
  const v = value(0);
  ws();
  if (i !== text.length) fail();
  return v;
}

/**
 * The JSON text stored for a nested value. Throws a ConversionError (path and rule, no
 * value) for what JSON cannot hold: NaN/∞, cycles, symbols, class instances.
 */
export function encodeJson(value: unknown, opts: { sortKeys?: boolean; field?: string } = {}): string {
  const r = toJsonText(value, opts.sortKeys ?? false);
  if (typeof r === "string") return r;
  throw new ConversionError({ direction: "to-paimon", field: opts.field, path: r.path, target: "JSON", valueKind: valueKind(value), rule: r.problem });
}

/** The value of JSON text, integers beyond 2^53 as bigint. Throws a ConversionError (rule invalid-json) for bad text. */
export function decodeJson(text: string, opts: { field?: string } = {}): unknown {
  try {
    return parseJsonText(text);
  } catch (e) {
    if (e instanceof JsonSyntaxError) throw new ConversionError({ direction: "from-paimon", field: opts.field, target: "JSON", valueKind: "string", rule: "invalid-json", detail: `at offset ${e.offset}` });
    throw e;
  }
}
