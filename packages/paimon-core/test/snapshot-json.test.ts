/** The BigInt-safe JSON module (used for snapshot, tag and schema files). */
import { JsonParseError, RawJson, parseJson, quoteJsonString, stringifyJson } from "../src/util/json.js";

describe("parseJson", () => {
  it("keeps integers beyond 2^53 exact as bigint, others as number", () => {
    const v = parseJson('{"a": 9223372036854775807, "b": -9223372036854775808, "c": 9007199254740993, "d": 9007199254740991, "e": 1.5, "f": 1e20, "g": -0, "h": 123456789012345678901234567890}') as Record<string, unknown>;
    expect(v).toEqual({
      a: 9223372036854775807n,
      b: -9223372036854775808n,
      c: 9007199254740993n,
      d: 9007199254740991,
      e: 1.5,
      f: 1e20,
      g: -0,
      h: 123456789012345678901234567890n,
    });
  });

  it("parses the full grammar like JSON.parse", () => {
    const samples = [
      '{"s":"a\\"b\\\\c\\/d\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude00","arr":[true,false,null,[],{}],"n":-12.5e-3,"z":0}',
      "  [ 1 , 2 ,\n 3 ]\t",
      '"just a string"',
      "null",
      '{"__proto__": 1, "x": {"__proto__": {"y": 2}}}',
    ];
    for (const s of samples) expect(parseJson(s)).toEqual(JSON.parse(s));
    const proto = parseJson('{"__proto__": 1}') as Record<string, unknown>;
    expect(Object.getPrototypeOf(proto)).toBe(Object.prototype);
    expect(Object.keys(proto)).toEqual(["__proto__"]);
  });

  it.each(["", "{", '{"a" 1}', "[1,]", "01", "1.", "-", '"\\x"', '"a', "tru", "1 2", '{"a":1,}', '"\u0001"'])("rejects %j", (s) => {
    expect(() => parseJson(s)).toThrow(JsonParseError);
  });

  it("names the offset and line of an error", () => {
    expect(() => parseJson('{\n  "a": 1,\n  "b": x\n}')).toThrow(/offset 19 \(line 3\)/);
  });
});

describe("stringifyJson", () => {
  it("writes bigints as bare numbers and drops undefined members", () => {
    expect(stringifyJson({ a: 9223372036854775807n, b: undefined, c: [1, undefined as never, "x"], d: new RawJson("4.000000000") })).toBe(
      '{"a":9223372036854775807,"c":[1,null,"x"],"d":4.000000000}',
    );
  });

  it("round-trips values exactly", () => {
    const v = { big: -9223372036854775808n, list: [1, 2.5, "é😀\u2028", null, true, { x: [] }], empty: {} };
    expect(parseJson(stringifyJson(v))).toEqual(v);
    expect(parseJson(stringifyJson(v, "jackson"))).toEqual(v);
  });

  it("escapes strings like Jackson", () => {
    expect(quoteJsonString('a"b\\c/\u0001\u001f\u007f\b\t\n\f\r é\u2028😀')).toBe('"a\\"b\\\\c/\\u0001\\u001F\u007f\\b\\t\\n\\f\\r é\u2028😀"');
  });

  it("rejects values JSON cannot hold", () => {
    expect(() => stringifyJson(NaN)).toThrow(/NaN/);
    expect(() => stringifyJson({ f: () => 1 } as never)).not.toThrow();
    expect(() => stringifyJson(Symbol("x") as never)).toThrow(TypeError);
  });

  it("pretty-prints in Jackson's default style", () => {
    const v = {
      version: 3,
      fields: [
        { id: 0, name: "k", type: "INT NOT NULL" },
        { id: 1, name: "m", type: { type: "MAP", key: "STRING NOT NULL", value: "INT" } },
      ],
      keys: ["a", "b"],
      nested: [[1, 2], []],
      options: { bucket: "4" },
      none: {},
      empty: [],
      big: 9223372036854775807n,
    };
    expect(stringifyJson(v, "jackson")).toBe(
      [
        "{",
        '  "version" : 3,',
        '  "fields" : [ {',
        '    "id" : 0,',
        '    "name" : "k",',
        '    "type" : "INT NOT NULL"',
        "  }, {",
        '    "id" : 1,',
        '    "name" : "m",',
        '    "type" : {',
        '      "type" : "MAP",',
        '      "key" : "STRING NOT NULL",',
        '      "value" : "INT"',
        "    }",
        "  } ],",
        '  "keys" : [ "a", "b" ],',
        '  "nested" : [ [ 1, 2 ], [ ] ],',
        '  "options" : {',
        '    "bucket" : "4"',
        "  },",
        '  "none" : { },',
        '  "empty" : [ ],',
        '  "big" : 9223372036854775807',
        "}",
      ].join("\n"),
    );
    expect(stringifyJson([], "jackson")).toBe("[ ]");
    expect(stringifyJson("x", "jackson")).toBe('"x"');
  });
});
