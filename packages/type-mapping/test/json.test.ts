import fc from "fast-check";
import { ConversionError, decodeJson, encodeJson, MAX_JSON_DEPTH } from "../src/index.js";

describe("JSON for nested values stored as text", () => {
  it.each([
    [null, "null"],
    [[1, -2.5, "x", true, null], '[1,-2.5,"x",true,null]'],
    [{ a: { b: [] } }, '{"a":{"b":[]}}'],
    [12345678901234567890n, "12345678901234567890"],
    [2 ** 60, "1.152921504606847e+18"],
    [1e21, "1e+21"],
    ["a\uD800", '"a\\ud800"'],
    [new Date(0), '"1970-01-01T00:00:00.000Z"'],
    [new Uint8Array([1, 2, 255]), '"AQL/"'],
    [new Map<unknown, unknown>([["a", 1], [2, 3n]]), '{"a":1,"2":3}'],
    [{ a: undefined, b: 1 }, '{"b":1}'],
    [[undefined], "[null]"],
  ])("encodes %p as %s", (v, text) => {
    expect(encodeJson(v)).toBe(text);
  });

  it("big integers are exact both ways; the JS type follows the magnitude", () => {
    expect(decodeJson("[9007199254740991, 9007199254740992, -12345678901234567890, 1.5, 1e400]")).toEqual([
      9007199254740991,
      9007199254740992n,
      -12345678901234567890n,
      1.5,
      Infinity,
    ]);
    expect(decodeJson(encodeJson(5n))).toBe(5);
    expect(decodeJson(encodeJson(2 ** 60))).toBe(2 ** 60);
  });

  it("refuses what JSON cannot hold, with a path and no value", () => {
    const cases: [unknown, string, string][] = [
      [{ x: [NaN] }, "not-finite", "{0}[0]"],
      [[Symbol("s")], "unsupported-in-json", "[0]"],
      [{ f: () => 1 }, "unsupported-in-json", "{0}"],
      [new Map([[{}, 1]]), "unsupported-in-json", "{0}.key"],
      [new Map<unknown, number>([[1, 1], ["1", 2]]), "duplicate-map-key", "{1}.key"],
      [new Set([1]), "unsupported-in-json", ""],
    ];
    for (const [v, rule, path] of cases) {
      expect(() => encodeJson(v)).toThrow(ConversionError);
      try {
        encodeJson(v, { field: "doc" });
      } catch (e) {
        expect(e).toMatchObject({ rule, path, field: "doc" });
      }
    }
  });

  it("refuses absurd nesting instead of overflowing the stack", () => {
    let deep: unknown = 1;
    for (let i = 0; i < MAX_JSON_DEPTH + 5; i++) deep = [deep];
    expect(() => encodeJson(deep)).toThrow(/unsupported-in-json/);
    expect(() => decodeJson("[".repeat(MAX_JSON_DEPTH + 5) + "]".repeat(MAX_JSON_DEPTH + 5))).toThrow(/invalid-json/);
  });

  it("parses strictly", () => {
    for (const bad of ["", "[1,]", "{'a':1}", "01", "1.", ".5", "NaN", "[1] x", '"\u0001"', "tru", '{"a" 1}', '"\\x"']) {
      expect(() => decodeJson(bad)).toThrow(ConversionError);
    }
    const o = decodeJson('{"__proto__": {"polluted": true}}') as Record<string, unknown>;
    expect(Object.getPrototypeOf(o)).toBe(Object.prototype);
    expect(Object.keys(o)).toEqual(["__proto__"]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(decodeJson(' {"a" : [ "\\u00e9\\n" , -0.5e-3 ] } ')).toEqual({ a: ["é\n", -0.0005] });
  });

  it("decode ∘ encode is the identity on JSON data (bigints beyond 2^53, numbers without -0)", () => {
    const leaf = fc.oneof(
      fc.constant(null),
      fc.boolean(),
      fc.double({ noNaN: true, noDefaultInfinity: true }).filter((n) => !Object.is(n, -0)),
      fc.bigInt().filter((b) => b > BigInt(Number.MAX_SAFE_INTEGER) || b < -BigInt(Number.MAX_SAFE_INTEGER)),
      fc.string({ unit: "binary" }),
      fc.string({ unit: "binary-ascii" }),
    );
    const value = fc.letrec((tie) => ({
      v: fc.oneof({ depthSize: "small" }, leaf, fc.array(tie("v")), fc.dictionary(fc.string(), tie("v"))),
    })).v;
    fc.assert(
      fc.property(value, (v) => {
        const text = encodeJson(v);
        expect(decodeJson(text)).toEqual(v);
        // Stable: re-encoding what was read gives the same text.
        expect(encodeJson(decodeJson(text))).toBe(text);
        // And it is real JSON.
        expect(() => JSON.parse(text)).not.toThrow();
      }),
      { numRuns: 300 },
    );
  });
});
