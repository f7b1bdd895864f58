/**
 * A parser for Paimon's SQL type strings: the atomic forms found in schema files
 * (`DECIMAL(10, 2) NOT NULL`, `TIMESTAMP(3) WITH LOCAL TIME ZONE`) and, for people and
 * tools, composite forms (`ARRAY<INT>`, `MAP<STRING, BIGINT>`, `ROW<a INT, b STRING>`).
 * ROW fields parsed from a string get id -1; callers assign ids (see `assignFieldIds`).
 */
import { DataField, DataType, MAX_LENGTH } from "./datatype.js";

export class TypeParseError extends Error {
  override name = "TypeParseError";
}

type Tok = { kind: "word" | "num" | "punct" | "quoted" | "str"; text: string; pos: number };

function tokenize(s: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i];
    if (/\s/.test(c)) {
      i++;
    } else if (/[A-Za-z_]/.test(c)) {
      const st = i;
      while (i < s.length && /[A-Za-z0-9_]/.test(s[i])) i++;
      out.push({ kind: "word", text: s.slice(st, i), pos: st });
    } else if (/[0-9]/.test(c)) {
      const st = i;
      while (i < s.length && /[0-9]/.test(s[i])) i++;
      out.push({ kind: "num", text: s.slice(st, i), pos: st });
    } else if (c === "`") {
      const st = i++;
      let t = "";
      while (i < s.length) {
        if (s[i] === "`" && s[i + 1] === "`") { t += "`"; i += 2; continue; }
        if (s[i] === "`") break;
        t += s[i++];
      }
      if (s[i] !== "`") throw new TypeParseError(`unterminated quoted identifier at ${st} in ${JSON.stringify(s)}`);
      i++;
      out.push({ kind: "quoted", text: t, pos: st });
    } else if (c === "'") {
      const st = i++;
      let t = "";
      while (i < s.length) {
        if (s[i] === "'" && s[i + 1] === "'") { t += "'"; i += 2; continue; }
        if (s[i] === "'") break;
        t += s[i++];
      }
      if (s[i] !== "'") throw new TypeParseError(`unterminated string at ${st} in ${JSON.stringify(s)}`);
      i++;
      out.push({ kind: "str", text: t, pos: st });
    } else if ("(),<>:".includes(c)) {
      out.push({ kind: "punct", text: c, pos: i++ });
    } else {
      throw new TypeParseError(`unexpected character ${JSON.stringify(c)} at ${i} in ${JSON.stringify(s)}`);
    }
  }
  return out;
}

class Parser {
  private i = 0;
  constructor(private readonly src: string, private readonly toks: Tok[]) {}

  fail(msg: string): never {
    const t = this.toks[this.i];
    throw new TypeParseError(`${msg} at ${t ? `position ${t.pos}` : "end"} in type ${JSON.stringify(this.src)}`);
  }
  peekWord(): string | undefined {
    const t = this.toks[this.i];
    return t && t.kind === "word" ? t.text.toUpperCase() : undefined;
  }
  peekPunct(p: string): boolean {
    const t = this.toks[this.i];
    return !!t && t.kind === "punct" && t.text === p;
  }
  expectPunct(p: string): void {
    if (!this.peekPunct(p)) this.fail(`expected '${p}'`);
    this.i++;
  }
  acceptWord(w: string): boolean {
    if (this.peekWord() === w) { this.i++; return true; }
    return false;
  }
  expectWord(w: string): void {
    if (!this.acceptWord(w)) this.fail(`expected ${w}`);
  }
  number(): number {
    const t = this.toks[this.i];
    if (!t || t.kind !== "num") this.fail("expected a number");
    this.i++;
    return Number(t.text);
  }
  optParams(): number[] | undefined {
    if (!this.peekPunct("(")) return undefined;
    this.i++;
    const ps = [this.number()];
    while (this.peekPunct(",")) { this.i++; ps.push(this.number()); }
    this.expectPunct(")");
    return ps;
  }
  done(): boolean {
    return this.i >= this.toks.length;
  }

  type(): DataType {
    const w = this.peekWord();
    if (!w) this.fail("expected a type name");
    this.i++;
    let t: DataType;
    const one = (d: number): number => {
      const p = this.optParams();
      if (p && p.length !== 1) this.fail(`${w} takes one parameter`);
      return p ? p[0] : d;
    };
    switch (w) {
      case "BOOLEAN": t = { root: "BOOLEAN", nullable: true }; break;
      case "TINYINT": t = { root: "TINYINT", nullable: true }; break;
      case "SMALLINT": t = { root: "SMALLINT", nullable: true }; break;
      case "INT": case "INTEGER": t = { root: "INT", nullable: true }; break;
      case "BIGINT": t = { root: "BIGINT", nullable: true }; break;
      case "FLOAT": t = { root: "FLOAT", nullable: true }; break;
      case "DOUBLE": this.acceptWord("PRECISION"); t = { root: "DOUBLE", nullable: true }; break;
      case "DECIMAL": case "NUMERIC": case "DEC": {
        const p = this.optParams() ?? [];
        if (p.length > 2) this.fail("DECIMAL takes at most two parameters");
        const precision = p[0] ?? 10, scale = p[1] ?? 0;
        if (precision < 1 || precision > 38) this.fail(`DECIMAL precision must be between 1 and 38 (got ${precision})`);
        if (scale < 0 || scale > precision) this.fail(`DECIMAL scale must be between 0 and the precision ${precision} (got ${scale})`);
        t = { root: "DECIMAL", precision, scale, nullable: true };
        break;
      }
      case "CHAR": case "CHARACTER": {
        if (this.acceptWord("VARYING")) t = { root: "VARCHAR", length: one(1), nullable: true };
        else t = { root: "CHAR", length: one(1), nullable: true };
        break;
      }
      case "VARCHAR": t = { root: "VARCHAR", length: one(1), nullable: true }; break;
      case "STRING": t = { root: "VARCHAR", length: MAX_LENGTH, nullable: true }; break;
      case "BINARY": {
        if (this.acceptWord("VARYING")) t = { root: "VARBINARY", length: one(1), nullable: true };
        else t = { root: "BINARY", length: one(1), nullable: true };
        break;
      }
      case "VARBINARY": t = { root: "VARBINARY", length: one(1), nullable: true }; break;
      case "BYTES": t = { root: "VARBINARY", length: MAX_LENGTH, nullable: true }; break;
      case "DATE": t = { root: "DATE", nullable: true }; break;
      case "TIME": {
        const p = one(0);
        if (this.acceptWord("WITHOUT")) { this.expectWord("TIME"); this.expectWord("ZONE"); }
        t = { root: "TIME", precision: p, nullable: true };
        break;
      }
      case "TIMESTAMP": {
        const p = one(6);
        if (this.acceptWord("WITH")) {
          this.expectWord("LOCAL"); this.expectWord("TIME"); this.expectWord("ZONE");
          t = { root: "TIMESTAMP_LTZ", precision: p, nullable: true };
        } else {
          if (this.acceptWord("WITHOUT")) { this.expectWord("TIME"); this.expectWord("ZONE"); }
          t = { root: "TIMESTAMP", precision: p, nullable: true };
        }
        break;
      }
      case "TIMESTAMP_LTZ": t = { root: "TIMESTAMP_LTZ", precision: one(6), nullable: true }; break;
      case "ARRAY": case "MULTISET": {
        this.expectPunct("<");
        const element = this.type();
        this.expectPunct(">");
        t = { root: w, element, nullable: true };
        break;
      }
      case "MAP": {
        this.expectPunct("<");
        const key = this.type();
        this.expectPunct(",");
        const value = this.type();
        this.expectPunct(">");
        t = { root: "MAP", key, value, nullable: true };
        break;
      }
      case "ROW": {
        const close = this.peekPunct("<") ? ">" : ")";
        this.expectPunct(close === ">" ? "<" : "(");
        const fields: DataField[] = [];
        if (!this.peekPunct(close)) {
          for (;;) {
            const nt = this.toks[this.i];
            if (!nt || (nt.kind !== "word" && nt.kind !== "quoted")) this.fail("expected a field name");
            this.i++;
            if (this.peekPunct(":")) this.i++;
            const ft = this.type();
            const f: DataField = { id: -1, name: nt.text, type: ft };
            const d = this.toks[this.i];
            if (d && d.kind === "str") { f.description = d.text; this.i++; }
            fields.push(f);
            if (this.peekPunct(",")) { this.i++; continue; }
            break;
          }
        }
        this.expectPunct(close);
        t = { root: "ROW", fields, nullable: true };
        break;
      }
      default:
        this.i--;
        this.fail(`unknown type ${w}`);
    }
    if (this.acceptWord("NOT")) {
      this.expectWord("NULL");
      t = { ...t, nullable: false };
    } else {
      this.acceptWord("NULL");
    }
    return t;
  }
}

/** Parses one type string; throws TypeParseError naming the position. */
export function parseTypeString(s: string): DataType {
  const p = new Parser(s, tokenize(s));
  const t = p.type();
  if (!p.done()) p.fail("unexpected trailing input");
  return t;
}
