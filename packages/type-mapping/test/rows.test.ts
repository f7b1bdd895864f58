import { DataTypes as T, parseTypeString } from "@paimon-ts/paimon-core";
import {
  paimonColumnFromTapField,
  RowConversionError,
  rowFromPaimon,
  rowToPaimon,
  tapFieldsFromPaimon,
  type TapField,
} from "../src/index.js";

describe("rows", () => {
  const fields = [
    { name: "id", type: T.BIGINT(false) },
    { name: "name", type: T.STRING() },
    { name: "price", type: T.DECIMAL(10, 2) },
    { name: "at", type: T.TIMESTAMP_LTZ(3) },
    { name: "tags", type: T.STRING() }, // a TapArray stored as JSON
    { name: "attrs", type: parseTypeString("MAP<STRING, INT>") }, // an existing native column
  ];

  it("record → row in schema order; absent columns are null, extra members ignored", () => {
    const conv = rowToPaimon(fields);
    expect(conv({ extra: 1, id: 7, price: "9.995", at: new Date(1500), tags: ["a", 1], attrs: { x: "2" } })).toEqual([
      7n,
      null,
      100n * 10n,
      { millis: 1500n, nanoOfMilli: 0 },
      '["a",1]',
      { keys: ["x"], values: [2] },
    ]);
    expect(conv(new Map<string, unknown>([["id", 1n]]))).toEqual([1n, null, null, null, null, null]);
  });

  it("row → record, JSON columns decoded on request", () => {
    const conv = rowFromPaimon(fields, { columns: { tags: { json: true } } });
    expect(conv([7n, "n", 1000n, { millis: 1500n, nanoOfMilli: 0 }, '["a",1]', { keys: ["x"], values: [2] }])).toEqual({
      id: 7n,
      name: "n",
      price: "10.00",
      at: { seconds: 1, nanos: 500_000_000 },
      tags: ["a", 1],
      attrs: { x: 2 },
    });
  });

  it("per-column options override shared ones", () => {
    const conv = rowToPaimon(
      [
        { name: "a", type: T.INT() },
        { name: "b", type: T.INT() },
      ],
      { numericStrings: false, columns: { b: { numericStrings: true } } },
    );
    const e = conv({ a: "1", b: "2" }) as RowConversionError;
    expect(e.errors.map((x) => x.field)).toEqual(["a"]);
  });

  it("a whole table: discover, create from the discovered fields, write and read back", () => {
    const schema = [
      { id: 0, name: "id", type: T.INT(false) },
      { id: 1, name: "amount", type: T.DECIMAL(12, 4) },
      { id: 2, name: "ts", type: T.TIMESTAMP(9) },
      { id: 3, name: "d", type: T.DATE() },
      { id: 4, name: "t", type: T.TIME(0) },
      { id: 5, name: "bin", type: T.VARBINARY(4) },
    ];
    const tap: TapField[] = tapFieldsFromPaimon(schema, ["id"]);
    const created = tap.map((f) => paimonColumnFromTapField(f, { nullability: "from-field" }));
    expect(created.map((c) => c.type)).toEqual(schema.map((f) => f.type));
    const record = {
      id: 1,
      amount: "-12345678.1234",
      ts: { seconds: -86400, nanos: 1 },
      d: { seconds: -86400, nanos: 0 },
      t: { seconds: 3600, nanos: 0 },
      bin: new Uint8Array([1, 2, 3, 4]),
    };
    const internal = rowToPaimon(created)(record);
    expect(internal).not.toBeInstanceOf(RowConversionError);
    expect(rowFromPaimon(created)(internal as never)).toEqual({ ...record, amount: "-12345678.1234" });
  });
});
