import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  AvroDecoder,
  AvroEncodeError,
  AvroEncoder,
  AvroResolutionError,
  AvroSchemaError,
  AvroType,
  avroSchemaToJson,
  createDatumReader,
  createDatumSkipper,
  createDatumWriter,
  parseAvroSchema,
} from "../src/avro/index.js";

const SPEC = readFileSync(join(__dirname, "../../../../shared/paimon-spec/METADATA.md"), "utf8");

function roundTrip(schema: AvroType, value: unknown, reader?: AvroType): unknown {
  const e = new AvroEncoder();
  createDatumWriter(schema)(e, value);
  const d = new AvroDecoder(e.toBytes());
  const out = createDatumReader(schema, reader)(d);
  expect(d.remaining).toBe(0);
  return out;
}

function encode(schema: AvroType, value: unknown): Uint8Array {
  const e = new AvroEncoder();
  createDatumWriter(schema)(e, value);
  return e.toBytes();
}

describe("schema parsing and printing", () => {
  const specSchemas = SPEC.split("\n").filter((l) => l.startsWith('{"type":"record"'));
  it.each(specSchemas.map((s, i) => [i, s]))("spec schema %d prints back exactly as Java's Schema.toString", (_i, s) => {
    expect(avroSchemaToJson(parseAvroSchema(s))).toBe(s);
  });

  it("resolves named references and namespaces", () => {
    const t = parseAvroSchema({
      type: "record",
      name: "a.b.Node",
      fields: [
        { name: "v", type: "int" },
        { name: "next", type: ["null", "Node"], default: null },
        { name: "e", type: { type: "enum", name: "E", symbols: ["X", "Y"] } },
        { name: "f", type: { type: "fixed", name: "F", size: 2 } },
        { name: "g", type: "a.b.E" },
      ],
    });
    expect(avroSchemaToJson(t)).toBe(
      '{"type":"record","name":"Node","namespace":"a.b","fields":[{"name":"v","type":"int"},{"name":"next","type":["null","Node"],"default":null},{"name":"e","type":{"type":"enum","name":"E","symbols":["X","Y"]}},{"name":"f","type":{"type":"fixed","name":"F","size":2}},{"name":"g","type":"E"}]}',
    );
    const list = { v: 1, next: { v: 2, next: null, e: "Y", f: new Uint8Array([1, 2]), g: "X" }, e: "X", f: new Uint8Array([3, 4]), g: "Y" };
    expect(roundTrip(t, list)).toEqual(list);
  });

  it.each([
    ['{"type":"record","name":"r","fields":[{"name":"a","type":"int"},{"name":"a","type":"int"}]}', /duplicate field a/],
    ['{"type":"record","name":"r","fields":[{"name":"a","type":"Missing"}]}', /unknown type "Missing"/],
    ['["null","int","int"]', /duplicate int/],
    ['{"type":"fixed","name":"f"}', /size/],
    ["{", /invalid schema JSON/],
  ])("rejects %s", (s, re) => {
    expect(() => parseAvroSchema(s)).toThrow(re);
    expect(() => parseAvroSchema(s)).toThrow(AvroSchemaError);
  });

  it("keeps logical types and extra properties", () => {
    const s = '{"type":"bytes","logicalType":"decimal","precision":10,"scale":2}';
    expect(avroSchemaToJson(parseAvroSchema(s))).toBe(s);
    expect(avroSchemaToJson(parseAvroSchema('{"type":"long","logicalType":"timestamp-millis"}'))).toBe('{"type":"long","logicalType":"timestamp-millis"}');
  });
});

describe("datum round trips", () => {
  const all = parseAvroSchema({
    type: "record",
    name: "All",
    fields: [
      { name: "n", type: "null" },
      { name: "b", type: "boolean" },
      { name: "i", type: "int" },
      { name: "l", type: "long" },
      { name: "f", type: "float" },
      { name: "d", type: "double" },
      { name: "by", type: "bytes" },
      { name: "s", type: "string" },
      { name: "arr", type: { type: "array", items: ["null", "long"] } },
      { name: "m", type: { type: "map", values: "string" } },
      { name: "u", type: ["null", "string", "long", { type: "array", items: "int" }] },
      { name: "opt", type: ["null", { type: "record", name: "Inner", fields: [{ name: "x", type: "int" }] }], default: null },
    ],
  });

  it("every type", () => {
    const v = {
      n: null,
      b: true,
      i: -5,
      l: 9223372036854775807n,
      f: 0.5,
      d: Math.PI,
      by: new Uint8Array([0, 255]),
      s: "ü",
      arr: [1n, null, -3n],
      m: new Map([
        ["a", "1"],
        ["b", "2"],
      ]),
      u: [1, 2],
      opt: { x: 3 },
    };
    expect(roundTrip(all, v)).toEqual(v);
    expect(roundTrip(all, { ...v, u: "str", opt: null })).toEqual({ ...v, u: "str", opt: null });
    expect(roundTrip(all, { ...v, u: 7n })).toEqual({ ...v, u: 7n });
    // plain objects are accepted for maps; a missing field with a default is written as the default
    const { opt: _opt, ...noOpt } = v;
    expect(roundTrip(all, { ...noOpt, m: { k: "v" } })).toEqual({ ...v, m: new Map([["k", "v"]]), opt: null });
  });

  it("skippers consume exactly one datum", () => {
    const v = { n: null, b: false, i: 1, l: 2n, f: 1, d: 2, by: new Uint8Array(3), s: "x", arr: [], m: new Map(), u: null, opt: null };
    const e = new AvroEncoder();
    createDatumWriter(all)(e, v);
    e.writeInt(42);
    const d = new AvroDecoder(e.toBytes());
    createDatumSkipper(all)(d);
    expect(d.readInt()).toBe(42);
  });

  it("errors name the path of the bad value", () => {
    const t = parseAvroSchema({
      type: "record",
      name: "R",
      fields: [{ name: "outer", type: { type: "record", name: "O", fields: [{ name: "list", type: { type: "array", items: "long" } }] } }],
    });
    expect(() => encode(t, { outer: { list: [1n, "x"] } })).toThrow(AvroEncodeError);
    expect(() => encode(t, { outer: { list: [1n, "x"] } })).toThrow('at outer.list[1]: expected long, got "x"');
    expect(() => encode(t, { outer: {} })).toThrow("at outer: missing value for field list");
    expect(() => encode(parseAvroSchema('"int"'), 2 ** 31)).toThrow(/expected int/);
    expect(() => encode(parseAvroSchema('"long"'), 1.5)).toThrow(/expected long/);
  });

  it("blocked arrays with negative counts (byte sizes) are read", () => {
    // items: long; one block of -2 items with a byte size, then the end marker
    const e = new AvroEncoder();
    e.writeLong(-2);
    e.writeLong(2);
    e.writeLong(1);
    e.writeLong(2);
    e.writeLong(0);
    const t = parseAvroSchema('{"type":"array","items":"long"}');
    expect(createDatumReader(t)(new AvroDecoder(e.toBytes()))).toEqual([1n, 2n]);
  });
});

describe("schema resolution", () => {
  const writer = parseAvroSchema({
    type: "record",
    name: "W",
    fields: [
      { name: "a", type: "int" },
      { name: "gone", type: { type: "map", values: { type: "array", items: "string" } } },
      { name: "b", type: ["null", "string"], default: null },
      { name: "c", type: "float" },
      { name: "rec", type: { type: "record", name: "WR", fields: [{ name: "x", type: "int" }, { name: "y", type: "string" }] } },
      { name: "items", type: { type: "array", items: { type: "record", name: "It", fields: [{ name: "f0", type: "string" }] } } },
    ],
  });
  const reader = parseAvroSchema({
    type: "record",
    name: "SomethingElse",
    fields: [
      { name: "rec", type: { type: "record", name: "Other", fields: [{ name: "y", type: "string" }, { name: "z", type: ["null", "long"], default: null }] } },
      { name: "a", type: "long" },
      { name: "b", type: ["null", "string"], default: null },
      { name: "c", type: "double" },
      { name: "missing", type: ["null", "int"], default: null },
      { name: "withDefault", type: "string", default: "dflt" },
      { name: "items", type: ["null", { type: "array", items: ["null", { type: "record", name: "It2", fields: [{ name: "f0", type: "string" }] }] }], default: null },
    ],
  });

  it("matches fields by name, skips unknown ones, fills missing ones, promotes numbers", () => {
    const bytes = encode(writer, {
      a: 7,
      gone: new Map([["k", ["v", "w"]]]),
      b: "B",
      c: 1.5,
      rec: { x: 1, y: "Y" },
      items: [{ f0: "p" }, { f0: "q" }],
    });
    const d = new AvroDecoder(bytes);
    const out = createDatumReader(writer, reader)(d);
    expect(d.remaining).toBe(0);
    expect(out).toEqual({ a: 7n, b: "B", c: 1.5, rec: { y: "Y", z: null }, missing: null, withDefault: "dflt", items: [{ f0: "p" }, { f0: "q" }] });
  });

  it("a writer union branch the reader lacks fails when met, not before", () => {
    const w = parseAvroSchema('["null","string","int"]');
    const r = parseAvroSchema('["null","string"]');
    const read = createDatumReader(w, r);
    expect(read(new AvroDecoder(encode(w, "ok")))).toBe("ok");
    expect(() => read(new AvroDecoder(encode(w, 5)))).toThrow(AvroResolutionError);
  });

  it("rejects incompatible types and required fields without defaults", () => {
    expect(() => createDatumReader(parseAvroSchema('"string"'), parseAvroSchema('"int"'))).toThrow(/cannot be read as int/);
    const w = parseAvroSchema('{"type":"record","name":"r","fields":[]}');
    const r = parseAvroSchema('{"type":"record","name":"r","fields":[{"name":"x","type":"long"}]}');
    expect(() => createDatumReader(w, r)).toThrow(/field x is missing in the writer schema and has no default/);
  });

  it("string <-> bytes and enum symbols by name", () => {
    expect(roundTrip(parseAvroSchema('"string"'), "hé", parseAvroSchema('"bytes"'))).toEqual(new TextEncoder().encode("hé"));
    const we = parseAvroSchema('{"type":"enum","name":"E","symbols":["A","B","C"]}');
    const re = parseAvroSchema('{"type":"enum","name":"E","symbols":["C","A"],"default":"A"}');
    expect(roundTrip(we, "C", re)).toBe("C");
    expect(roundTrip(we, "B", re)).toBe("A");
  });
});
