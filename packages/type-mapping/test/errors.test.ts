import { DataTypes as T, parseTypeString, type DataType } from "@paimon-ts/paimon-core";
import fc from "fast-check";
import {
  ConversionError,
  isConversionError,
  RowConversionError,
  rowFromPaimon,
  rowToPaimon,
  valueFromPaimon,
  valueKind,
  valueToPaimon,
} from "../src/index.js";

describe("error values", () => {
  it("name the field, the path, the target, the kind of value and the rule", () => {
    const e = valueToPaimon(T.INT(), { field: "age" })("12.5");
    expect(isConversionError(e)).toBe(true);
    expect(e).toBeInstanceOf(Error); // fits the PDK's per-record error map as is
    expect((e as ConversionError).toJSON()).toEqual({
      code: "PAIMON_VALUE_CONVERSION_FAILED",
      direction: "to-paimon",
      field: "age",
      path: "",
      target: "INT",
      valueKind: "string",
      rule: "not-an-integer",
      message: "PAIMON_VALUE_CONVERSION_FAILED: field=age, target=INT, source=string, rule=not-an-integer: the value has a fractional part",
    });
  });

  it("classify values by kind only", () => {
    const kinds: [unknown, string][] = [
      [null, "null"],
      [undefined, "undefined"],
      [1, "number"],
      [1n, "bigint"],
      ["s", "string"],
      [true, "boolean"],
      [Buffer.from("x"), "bytes"],
      [new ArrayBuffer(1), "bytes"],
      [new Date(), "date"],
      [{ seconds: 1, nano: 0 }, "datetime"],
      [{ millis: 1n, nanoOfMilli: 0 }, "timestamp"],
      [[1], "array"],
      [new Map(), "map"],
      [{ a: 1 }, "object"],
      [Symbol("s"), "symbol"],
      [() => 1, "function"],
    ];
    for (const [v, k] of kinds) expect(valueKind(v)).toBe(k);
  });

  // Values that would be secrets in real records: no error text may contain them.
  const SECRET = "S3CR3T-7f1c";
  const secretTypes: [DataType, (s: string) => unknown][] = [
    [T.INT(), (s) => s],
    [T.BIGINT(), (s) => `${s}9`],
    [T.DOUBLE(), (s) => s],
    [T.DECIMAL(5, 2), (s) => s],
    [T.BOOLEAN(), (s) => s],
    [T.BYTES(), (s) => s],
    [T.DATE(), (s) => s],
    [T.TIME(3), (s) => s],
    [T.TIMESTAMP(6), (s) => s],
    [T.TIMESTAMP_LTZ(6), (s) => ({ seconds: s })],
    [T.VARCHAR(3), (s) => s],
    [T.STRING(), (s) => ({ [s]: [NaN] })],
    [T.STRING(), (s) => `${s}\uD800`],
    [T.ARRAY(T.INT()), (s) => [1, s]],
    [T.ARRAY(T.INT()), (s) => `[${s}`],
    [T.MAP(T.INT(), T.STRING()), (s) => ({ [s]: "v" })],
    [T.MAP(T.STRING(), T.INT()), (s) => ({ k: s })],
    [parseTypeString("ROW<a INT>"), (s) => ({ a: 1, [s]: s })],
    [parseTypeString("ROW<a INT>"), (s) => ({ a: s })],
    [T.MULTISET(T.DATE()), (s) => [s]],
  ];

  it("never contain the value (write direction)", () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 20 }), (tail) => {
        const secret = SECRET + tail.replace(/[^A-Za-z0-9]/g, "x");
        for (const [type, make] of secretTypes) {
          const e = valueToPaimon(type, { field: "f", enforceLength: true })(make(secret));
          expect(e).toBeInstanceOf(ConversionError);
          const err = e as ConversionError;
          expect(err.message).not.toContain(SECRET);
          expect(JSON.stringify(err.toJSON())).not.toContain(SECRET);
          expect(String(err.stack)).not.toContain(SECRET);
        }
      }),
      { numRuns: 25 },
    );
  });

  it("never contain the value (read direction, whole rows)", () => {
    const fields = [
      { name: "doc", type: T.STRING() },
      { name: "m", type: T.MAP(T.BYTES(), T.INT()) },
    ];
    const e = rowFromPaimon(fields, { columns: { doc: { json: true } } })([`{"${SECRET}":`, { keys: [Buffer.from(SECRET)], values: [1] }]);
    expect(e).toBeInstanceOf(RowConversionError);
    expect((e as RowConversionError).message).not.toContain(SECRET);
    expect((e as RowConversionError).errors.map((x) => x.rule)).toEqual(["invalid-json", "unsupported-map-key"]);
  });

  it("a row error lists every failing column", () => {
    const conv = rowToPaimon([
      { name: "id", type: T.BIGINT(false) },
      { name: "price", type: T.DECIMAL(4, 2) },
      { name: "ok", type: T.BOOLEAN() },
    ]);
    const e = conv({ price: "123.456", ok: "yes" }) as RowConversionError;
    expect(e).toBeInstanceOf(RowConversionError);
    expect(e.code).toBe("PAIMON_VALUE_CONVERSION_FAILED");
    expect(e.errors.map((x) => [x.field, x.rule])).toEqual([
      ["id", "null-not-allowed"],
      ["price", "decimal-overflow"],
      ["ok", "type-mismatch"],
    ]);
    expect(e.message).toContain("id (target=BIGINT NOT NULL, source=undefined, rule=null-not-allowed)");
  });

  it("from-Paimon errors are values too", () => {
    const e = valueFromPaimon(T.STRING(), { json: true, field: "j" })("nope") as ConversionError;
    expect(e).toMatchObject({ direction: "from-paimon", field: "j", rule: "invalid-json" });
  });
});
