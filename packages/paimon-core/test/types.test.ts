import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { asSQLString, assignFieldIds, fieldFromJson, fieldToJson, highestFieldId, parseTypeString, typeFromJson, typeToJson } from "../src/index.js";

const SHARED = join(__dirname, "../../../../shared");

describe("type strings", () => {
  it.each([
    ["INT", "INT"],
    ["integer not null", "INT NOT NULL"],
    ["DECIMAL(10,2)", "DECIMAL(10, 2)"],
    ["DECIMAL", "DECIMAL(10, 0)"],
    ["STRING", "STRING"],
    ["VARCHAR(2147483647)", "STRING"],
    ["BYTES NOT NULL", "BYTES NOT NULL"],
    ["TIMESTAMP", "TIMESTAMP(6)"],
    ["TIMESTAMP(3) WITH LOCAL TIME ZONE", "TIMESTAMP(3) WITH LOCAL TIME ZONE"],
    ["TIMESTAMP_LTZ(9) NOT NULL", "TIMESTAMP(9) WITH LOCAL TIME ZONE NOT NULL"],
    ["TIME", "TIME(0)"],
    ["CHAR", "CHAR(1)"],
    ["ARRAY<INT NOT NULL>", "ARRAY<INT NOT NULL>"],
    ["MAP<STRING, BIGINT> NOT NULL", "MAP<STRING, BIGINT> NOT NULL"],
    ["ROW<a INT, `b c` STRING 'doc'>", "ROW<`a` INT, `b c` STRING 'doc'>"],
  ])("%s prints as %s", (input, printed) => {
    expect(asSQLString(parseTypeString(input))).toBe(printed);
  });

  it.each(["DECIMAL(39, 2)", "DECIMAL(5, 6)", "FOO", "INT INT", "ARRAY<INT", "MAP<INT>"])("rejects %s", (bad) => {
    expect(() => parseTypeString(bad)).toThrow(/type/);
  });
});

describe("schema JSON of every fixture round-trips", () => {
  const db = join(SHARED, "fixtures/pypaimon/warehouse/fx.db");
  const schemas = readdirSync(db).flatMap((t) =>
    readdirSync(join(db, t, "schema")).map((f) => join(db, t, "schema", f)),
  );
  it("finds schema files", () => expect(schemas.length).toBeGreaterThan(30));
  it.each(schemas.map((s) => [s.slice(db.length + 1)]))("%s", (rel) => {
    const json = JSON.parse(readFileSync(join(db, rel), "utf8"));
    // pypaimon adds a redundant "nullable" member to composite types; Java never writes it.
    const stripNullable = (v: unknown): unknown =>
      Array.isArray(v) ? v.map(stripNullable)
      : v && typeof v === "object" ? Object.fromEntries(Object.entries(v).filter(([k]) => k !== "nullable").map(([k, x]) => [k, stripNullable(x)]))
      : v;
    for (const f of json.fields) {
      const parsed = fieldFromJson(f);
      const expected = stripNullable(f) as any;
      if (typeof expected.type === "object") expected.type.type = (fieldToJson(parsed) as any).type.type;
      expect(fieldToJson(parsed)).toEqual(expected);
    }
    expect(highestFieldId(json.fields.map((f: unknown) => fieldFromJson(f)))).toBeLessThanOrEqual(json.highestFieldId);
  });
});

describe("field ids", () => {
  it("numbers like Java's ReassignFieldId", () => {
    const { fields, highestFieldId: h } = assignFieldIds([
      { name: "a", type: parseTypeString("INT") },
      { name: "b", type: parseTypeString("ROW<x INT, y ROW<z INT>>") },
      { name: "c", type: parseTypeString("INT") },
    ]);
    const b = fields[1].type as any;
    expect([fields[0].id, fields[1].id, b.fields[0].id, b.fields[1].type.fields[0].id, b.fields[1].id, fields[2].id]).toEqual([0, 1, 2, 3, 4, 5]);
    expect(h).toBe(5);
  });
  it("composite JSON", () => {
    const t = typeFromJson({ type: "MAP NOT NULL", key: "STRING NOT NULL", value: { type: "ARRAY", element: "BIGINT" } });
    expect(typeToJson(t)).toEqual({ type: "MAP NOT NULL", key: "STRING NOT NULL", value: { type: "ARRAY", element: "BIGINT" } });
  });
});
