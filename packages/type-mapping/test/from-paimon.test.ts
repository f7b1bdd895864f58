import { DataTypes as T, parseTypeString, type DataType, type InternalValue } from "@paimon-ts/paimon-core";
import { ConversionError, valueFromPaimon, type FromPaimonOptions } from "../src/index.js";
import { ts } from "./helpers.js";

const utc = (iso: string): number => new Date(iso).getTime();

type ReadCase = [label: string, type: DataType, internal: InternalValue, expected: unknown, opts?: FromPaimonOptions];

describe("from Paimon: every type", () => {
  const cases: ReadCase[] = [
    ["null", T.INT(), null, null],
    ["BOOLEAN", T.BOOLEAN(), true, true],
    ["TINYINT", T.TINYINT(), -128, -128],
    ["INT", T.INT(), 7, 7],
    ["BIGINT as bigint", T.BIGINT(), 9223372036854775807n, 9223372036854775807n],
    ["BIGINT as text", T.BIGINT(), -5n, "-5", { bigintOutput: "string" }],
    ["FLOAT", T.FLOAT(), Math.fround(0.1), Math.fround(0.1)],
    ["DOUBLE", T.DOUBLE(), -0, -0],
    ["DECIMAL as exact text with its scale", T.DECIMAL(10, 2), 150n, "1.50"],
    ["DECIMAL negative below one", T.DECIMAL(10, 3), -5n, "-0.005"],
    ["DECIMAL scale 0", T.DECIMAL(38, 0), 10n ** 37n, `1${"0".repeat(37)}`],
    ["DECIMAL as number", T.DECIMAL(10, 2), 150n, 1.5, { decimalOutput: "number" }],
    ["STRING", T.STRING(), "x", "x"],
    ["STRING holding JSON, decoded", T.STRING(), '{"a":[1,12345678901234567890]}', { a: [1, 12345678901234567890n] }, { json: true }],
    ["STRING holding JSON, left alone by default", T.STRING(), '{"a":1}', '{"a":1}'],
    ["BYTES", T.BYTES(), new Uint8Array([1]), new Uint8Array([1])],
    ["DATE as DateTime", T.DATE(), -1, { seconds: -86400, nanos: 0 }],
    ["DATE as Date", T.DATE(), 19782, new Date("2024-02-29T00:00:00Z"), { temporal: "date" }],
    ["TIME as DateTime", T.TIME(3), 45_296_789, { seconds: 45_296, nanos: 789_000_000 }],
    ["TIME as Date on 1970-01-01", T.TIME(3), 5000, new Date(5000), { temporal: "date" }],
    ["TIMESTAMP(9) keeps nanos", T.TIMESTAMP(9), ts(1123, 456_789), { seconds: 1, nanos: 123_456_789 }],
    ["TIMESTAMP before the epoch", T.TIMESTAMP(6), ts(-1, 999_000), { seconds: -1, nanos: 999_999_000 }],
    ["TIMESTAMP as Date drops sub-millisecond digits", T.TIMESTAMP(9), ts(1123, 456_789), new Date(1123), { temporal: "date" }],
    ["TIMESTAMP wall clock read in a zone", T.TIMESTAMP(0), ts(utc("2024-07-01T08:00:00Z")), { seconds: utc("2024-07-01T00:00:00Z") / 1000, nanos: 0 }, { timeZone: "Asia/Shanghai" }],
    ["TIMESTAMP_LTZ ignores the zone", T.TIMESTAMP_LTZ(3), ts(1500), { seconds: 1, nanos: 500_000_000 }, { timeZone: "Asia/Shanghai" }],
    ["ARRAY", T.ARRAY(T.DECIMAL(3, 1)), [15n, null], ["1.5", null]],
    ["MULTISET expands counts", T.MULTISET(T.STRING()), { keys: ["a", "b"], values: [2, 1] }, ["a", "a", "b"]],
    ["MAP as object, keys as text", T.MAP(T.INT(), T.BIGINT()), { keys: [1, -2], values: [1n, null] }, { "1": 1n, "-2": null }],
    ["MAP as Map, keys keep types", T.MAP(T.INT(), T.STRING()), { keys: [1], values: ["x"] }, new Map([[1, "x"]]), { mapOutput: "map" }],
    ["MAP with a __proto__ key stays a plain member", T.MAP(T.STRING(), T.INT()), { keys: ["__proto__"], values: [1] }, JSON.parse('{"__proto__":1}')],
    ["ROW as object", parseTypeString("ROW<a INT, b ARRAY<STRING>>"), [1, ["x"]], { a: 1, b: ["x"] }],
  ];
  // Rest parameters: a fixed arity longer than a row would make jest pass a done callback.
  it.each(cases)("%s", (...[, type, internal, expected, opts]: ReadCase) => {
    const out = valueFromPaimon(type, { field: "col", ...opts })(internal);
    if (out instanceof ConversionError) throw new Error(out.message);
    expect(out).toEqual(expected);
  });

  it("failures are values too", () => {
    const bad: [DataType, InternalValue, string, FromPaimonOptions?][] = [
      [T.STRING(), "{", "invalid-json", { json: true }],
      [T.MAP(T.BYTES(), T.INT()), { keys: [new Uint8Array([1])], values: [1] }, "unsupported-map-key"],
      [T.DATE(), 2_000_000_000, "out-of-range", { temporal: "date" }],
      [T.TIMESTAMP(3), ts(10n ** 17n), "out-of-range", { temporal: "date" }],
      [T.INT(), "1", "type-mismatch"],
      [T.ARRAY(T.INT()), [1, "x"], "type-mismatch"],
    ];
    for (const [type, v, rule, opts] of bad) {
      const out = valueFromPaimon(type, { field: "c", ...opts })(v);
      expect(out).toBeInstanceOf(ConversionError);
      expect((out as ConversionError).rule).toBe(rule);
      expect((out as ConversionError).direction).toBe("from-paimon");
    }
  });
});
