/**
 * A JSON parser and serializer that keep 64-bit integers exact.
 *
 * * Parsing: integer literals (no fraction, no exponent) outside the safe-integer range of
 *   a double are returned as `bigint`; every other number is a `number`.
 * * Serializing: a `bigint` is written as a bare JSON number. `undefined` members are
 *   left out (like `JSON.stringify`). A {@link RawJson} value is written verbatim.
 * * Pretty printing in the style of Jackson's `DefaultPrettyPrinter`, which is how Java
 *   Paimon writes schema, snapshot and tag files:
 *
 *   ```
 *   {
 *     "a" : 1,
 *     "list" : [ "x", "y" ],
 *     "objects" : [ {
 *       "id" : 0
 *     }, {
 *       "id" : 1
 *     } ],
 *     "empty" : { },
 *     "none" : [ ]
 *   }
 *   ```
 */

export type JsonValue = null | boolean | number | bigint | string | RawJson | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue | undefined;
}

/** A pre-formatted JSON fragment (for example a number like `4.000000000`) written verbatim. */
export class RawJson {
  constructor(readonly text: string) {}
}

export class JsonParseError extends Error {
  override name = "JsonParseError";
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER);

class Parser {
  private i = 0;
  constructor(private readonly s: string) {}

  fail(msg: string): never {
    const at = Math.min(this.i, this.s.length);
    const line = this.s.slice(0, at).split("\n").length;
    throw new JsonParseError(`${msg} at offset ${at} (line ${line})`);
  }

  ws(): void {
    const s = this.s;
    let i = this.i;
    for (;;) {
      const c = s.charCodeAt(i);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) i++;
      else break;
    }
    this.i = i;
  }

  value(depth: number): JsonValue {
    if (depth > 10000) this.fail("nesting too deep");
    this.ws();
    const c = this.s.charCodeAt(this.i);
    switch (c) {
      case 0x7b /* { */:
        return this.object(depth);
      case 0x5b /* [ */:
        return this.array(depth);
      case 0x22 /* " */:
        return this.string();
      case 0x74 /* t */:
        return this.literal("true", true);
      case 0x66 /* f */:
        return this.literal("false", false);
      case 0x6e /* n */:
        return this.literal("null", null);
      default:
        if (c === 0x2d || (c >= 0x30 && c <= 0x39)) return this.number();
        if (Number.isNaN(c)) this.fail("unexpected end of input");
        this.fail(`unexpected character ${JSON.stringify(this.s[this.i])}`);
    }
  }

  literal<T>(word: string, v: T): T {
    if (this.s.startsWith(word, this.i)) {
      this.i += word.length;
      return v;
    }
    this.fail(`invalid literal`);
  }

  number(): number | bigint {
    const s = this.s;
    const start = this.i;
    let i = start;
    if (s.charCodeAt(i) === 0x2d) i++;
    const intStart = i;
    if (s.charCodeAt(i) === 0x30) {
      i++;
    } else {
      if (!(s.charCodeAt(i) >= 0x31 && s.charCodeAt(i) <= 0x39)) {
        this.i = i;
        this.fail("invalid number");
      }
      while (s.charCodeAt(i) >= 0x30 && s.charCodeAt(i) <= 0x39) i++;
    }
    const intEnd = i;
    let integral = true;
    if (s.charCodeAt(i) === 0x2e /* . */) {
      integral = false;
      i++;
      const fs = i;
      while (s.charCodeAt(i) >= 0x30 && s.charCodeAt(i) <= 0x39) i++;
      if (i === fs) {
        this.i = i;
        this.fail("invalid number: digits expected after '.'");
      }
    }
    const e = s.charCodeAt(i);
    if (e === 0x65 || e === 0x45) {
      integral = false;
      i++;
      if (s.charCodeAt(i) === 0x2b || s.charCodeAt(i) === 0x2d) i++;
      const es = i;
      while (s.charCodeAt(i) >= 0x30 && s.charCodeAt(i) <= 0x39) i++;
      if (i === es) {
        this.i = i;
        this.fail("invalid number: digits expected in the exponent");
      }
    }
    this.i = i;
    const text = s.slice(start, i);
    // 15 digits always fit in a double exactly; longer integers are checked.
    if (integral && intEnd - intStart > 15) {
      const b = BigInt(text);
      if (b > MAX_SAFE || b < MIN_SAFE) return b;
      return Number(b);
    }
    return Number(text);
  }

  string(): string {
    const s = this.s;
    let i = this.i + 1;
    let out = "";
    let chunk = i;
    for (;;) {
      const c = s.charCodeAt(i);
      if (c === 0x22) {
        out += s.slice(chunk, i);
        this.i = i + 1;
        return out;
      }
      if (c === 0x5c /* \ */) {
        out += s.slice(chunk, i);
        const n = s[i + 1];
        switch (n) {
          case '"': out += '"'; break;
          case "\\": out += "\\"; break;
          case "/": out += "/"; break;
          case "b": out += "\b"; break;
          case "f": out += "\f"; break;
          case "n": out += "\n"; break;
          case "r": out += "\r"; break;
          case "t": out += "\t"; break;
          case "u": {
            const hex = s.slice(i + 2, i + 6);
            if (!/^[0-9a-fA-F]{4}$/.test(hex)) {
              this.i = i;
              this.fail("invalid \\u escape");
            }
            out += String.fromCharCode(parseInt(hex, 16));
            i += 4;
            break;
          }
          default:
            this.i = i;
            this.fail("invalid escape");
        }
        i += 2;
        chunk = i;
        continue;
      }
      if (Number.isNaN(c)) {
        this.i = i;
        this.fail("unterminated string");
      }
      if (c < 0x20) {
        this.i = i;
        this.fail("control character in string");
      }
      i++;
    }
  }

  array(depth: number): JsonValue[] {
    this.i++;
    const out: JsonValue[] = [];
    this.ws();
    if (this.s.charCodeAt(this.i) === 0x5d) {
      this.i++;
      return out;
    }
    for (;;) {
      out.push(this.value(depth + 1));
      this.ws();
      const c = this.s.charCodeAt(this.i);
      if (c === 0x2c) {
        this.i++;
        continue;
      }
      if (c === 0x5d) {
        this.i++;
        return out;
      }
      this.fail("expected ',' or ']'");
    }
  }

  object(depth: number): JsonObject {
    this.i++;
    const out: JsonObject = {};
    this.ws();
    if (this.s.charCodeAt(this.i) === 0x7d) {
      this.i++;
      return out;
    }
    for (;;) {
      this.ws();
      if (this.s.charCodeAt(this.i) !== 0x22) this.fail("expected a member name");
      const key = this.string();
      this.ws();
      if (this.s.charCodeAt(this.i) !== 0x3a) this.fail("expected ':'");
      this.i++;
      const v = this.value(depth + 1);
      if (key === "__proto__") Object.defineProperty(out, key, { value: v, enumerable: true, writable: true, configurable: true });
      else out[key] = v;
      this.ws();
      const c = this.s.charCodeAt(this.i);
      if (c === 0x2c) {
        this.i++;
        continue;
      }
      if (c === 0x7d) {
        this.i++;
        return out;
      }
      this.fail("expected ',' or '}'");
    }
  }

  parse(): JsonValue {
    const v = this.value(0);
    this.ws();
    if (this.i < this.s.length) this.fail("unexpected trailing content");
    return v;
  }
}

/** Parses JSON text; integers beyond ±(2^53 − 1) become `bigint`. A leading BOM is ignored. */
export function parseJson(text: string): JsonValue {
  return new Parser(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text).parse();
}

/** Parses UTF-8 JSON bytes. */
export function parseJsonBytes(bytes: Uint8Array): JsonValue {
  return parseJson(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
}

const HEX = "0123456789ABCDEF";

/**
 * Quotes a string the way Jackson does: `"` and `\` escaped, `\b \t \n \f \r` as short
 * escapes, other control characters below U+0020 as `\u00XX` (upper-case hex); everything
 * else, including non-ASCII, `/`, U+007F and U+2028, is written as is.
 */
export function quoteJsonString(s: string): string {
  let out = '"';
  let chunk = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x20 && c !== 0x22 && c !== 0x5c) continue;
    out += s.slice(chunk, i);
    chunk = i + 1;
    switch (c) {
      case 0x22: out += '\\"'; break;
      case 0x5c: out += "\\\\"; break;
      case 0x08: out += "\\b"; break;
      case 0x09: out += "\\t"; break;
      case 0x0a: out += "\\n"; break;
      case 0x0c: out += "\\f"; break;
      case 0x0d: out += "\\r"; break;
      default: out += "\\u00" + HEX[c >> 4] + HEX[c & 15];
    }
  }
  return out + s.slice(chunk) + '"';
}

export type JsonStyle = "compact" | "jackson";

function numberText(n: number): string {
  if (!Number.isFinite(n)) throw new TypeError(`cannot serialize ${n} as JSON`);
  return Object.is(n, -0) ? "-0.0" : String(n);
}

function isPresent(v: unknown): boolean {
  return v !== undefined && typeof v !== "function" && typeof v !== "symbol";
}

function writeCompact(v: JsonValue | undefined, out: string[]): void {
  if (v === null) out.push("null");
  else if (typeof v === "string") out.push(quoteJsonString(v));
  else if (typeof v === "number") out.push(numberText(v));
  else if (typeof v === "bigint") out.push(v.toString());
  else if (typeof v === "boolean") out.push(v ? "true" : "false");
  else if (v instanceof RawJson) out.push(v.text);
  else if (Array.isArray(v)) {
    out.push("[");
    v.forEach((x, i) => {
      if (i > 0) out.push(",");
      writeCompact(isPresent(x) ? x : null, out);
    });
    out.push("]");
  } else if (typeof v === "object") {
    out.push("{");
    let first = true;
    for (const k of Object.keys(v)) {
      const x = v[k];
      if (!isPresent(x)) continue;
      if (!first) out.push(",");
      first = false;
      out.push(quoteJsonString(k), ":");
      writeCompact(x, out);
    }
    out.push("}");
  } else {
    throw new TypeError(`cannot serialize a ${typeof v} as JSON`);
  }
}

/**
 * Jackson `DefaultPrettyPrinter`: objects break lines and indent two spaces per object
 * nesting level; arrays stay on the line (`[ a, b ]`) and do not add indentation.
 */
function writeJackson(v: JsonValue | undefined, level: number, out: string[]): void {
  if (Array.isArray(v)) {
    if (v.length === 0) {
      out.push("[ ]");
      return;
    }
    out.push("[ ");
    v.forEach((x, i) => {
      if (i > 0) out.push(", ");
      writeJackson(isPresent(x) ? x : null, level, out);
    });
    out.push(" ]");
  } else if (v !== null && typeof v === "object" && !(v instanceof RawJson)) {
    const keys = Object.keys(v).filter((k) => isPresent(v[k]));
    if (keys.length === 0) {
      out.push("{ }");
      return;
    }
    const inner = "\n" + "  ".repeat(level + 1);
    out.push("{");
    keys.forEach((k, i) => {
      out.push(i > 0 ? "," + inner : inner, quoteJsonString(k), " : ");
      writeJackson(v[k], level + 1, out);
    });
    out.push("\n" + "  ".repeat(level) + "}");
  } else {
    writeCompact(v, out);
  }
}

/** Serializes a value: `compact` (no whitespace) or `jackson` (Java's pretty style, no trailing newline). */
export function stringifyJson(v: JsonValue, style: JsonStyle = "compact"): string {
  const out: string[] = [];
  if (style === "jackson") writeJackson(v, 0, out);
  else writeCompact(v, out);
  return out.join("");
}

// ------------------------------------------------------------------ typed accessors

export class JsonShapeError extends Error {
  override name = "JsonShapeError";
}

export function isJsonObject(v: unknown): v is JsonObject {
  return v !== null && typeof v === "object" && !Array.isArray(v) && !(v instanceof RawJson);
}

/** An integral JSON number as bigint (accepts number or bigint); throws otherwise. */
export function jsonToBigInt(v: unknown, what: string): bigint {
  if (typeof v === "bigint") return v;
  if (typeof v === "number" && Number.isInteger(v)) return BigInt(v);
  throw new JsonShapeError(`${what}: expected an integer, got ${describe(v)}`);
}

/** An integral JSON number within the safe range as number; throws otherwise. */
export function jsonToInt(v: unknown, what: string): number {
  if (typeof v === "number" && Number.isInteger(v)) return v;
  throw new JsonShapeError(`${what}: expected an integer, got ${describe(v)}`);
}

export function jsonToString(v: unknown, what: string): string {
  if (typeof v === "string") return v;
  throw new JsonShapeError(`${what}: expected a string, got ${describe(v)}`);
}

function describe(v: unknown): string {
  if (v === undefined) return "nothing";
  if (typeof v === "bigint") return v.toString();
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}
