import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import {
  SchemaFormatError,
  SchemaValidationError,
  TableSchema,
  bucketKeys,
  bucketMode,
  bucketOption,
  createTableSchema,
  crossPartitionUpdate,
  parseSchemaFileName,
  schemaFileName,
  schemaFromJson,
  schemaToJson,
  trimmedPrimaryKeys,
  validateTableSchema,
} from "../src/schema/index.js";
import { DataTypes, parseTypeString } from "../src/types/index.js";
import { parseJson } from "../src/util/json.js";

const SPEC = readFileSync(join(__dirname, "../../../../shared/paimon-spec/METADATA.md"), "utf8");
const FIXTURES = join(__dirname, "../../../../shared/fixtures/pypaimon");
const DB = join(FIXTURES, "warehouse/fx.db");

function specJson(marker: string): string {
  const at = SPEC.indexOf(marker);
  expect(at).toBeGreaterThan(0);
  const start = SPEC.indexOf("```json\n", at) + "```json\n".length;
  return SPEC.slice(start, SPEC.indexOf("\n```", start));
}

/**
 * What Java makes of a pypaimon schema file: pypaimon writes `"comment": null` and a
 * redundant `nullable` member in composite types (Java writes neither), and writes a MAP's
 * `type` member as `MAP<STRING NOT NULL, BIGINT>`, which Java (and our type parser) read
 * by prefix and `contains("NOT NULL")`, i.e. as `MAP NOT NULL`.
 */
function javaShape(v: unknown, top = true): unknown {
  if (Array.isArray(v)) return v.map((x) => javaShape(x, false));
  if (v && typeof v === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      if (k === "nullable" && !top) continue;
      if (k === "comment" && x === null && top) continue;
      const m = k === "type" && typeof x === "string" ? /^(ARRAY|MULTISET|MAP|ROW)</.exec(x) : null;
      out[k] = m ? m[1] + ((x as string).includes("NOT NULL") ? " NOT NULL" : "") : javaShape(x, false);
    }
    return out;
  }
  return v;
}

describe("schema JSON", () => {
  const example = specJson("Example (a Java-shaped file for");

  it("createTableSchema + schemaToJson give the spec's Java example byte for byte", () => {
    const s = createTableSchema({
      columns: [
        { name: "k", type: DataTypes.INT() },
        { name: "v", type: DataTypes.STRING() },
        { name: "dt", type: DataTypes.STRING() },
      ],
      primaryKeys: ["k", "dt"],
      partitionKeys: ["dt"],
      options: { bucket: "4" },
      timeMillis: 1720496663041n,
    });
    expect(schemaToJson(s)).toBe(example);
    expect(schemaFromJson(example)).toEqual(s);
    expect(trimmedPrimaryKeys(s)).toEqual(["k"]);
    expect(bucketKeys(s)).toEqual(["k"]);
    expect(bucketMode(s)).toBe("HASH_FIXED");
  });

  it("writes comment, descriptions and default values; nested types as objects", () => {
    const s = createTableSchema({
      columns: [
        { name: "id", type: DataTypes.BIGINT(), description: "the key" },
        { name: "m", type: parseTypeString("MAP<STRING NOT NULL, ROW<x INT, y ARRAY<BIGINT>>> NOT NULL"), defaultValue: "{}" },
      ],
      comment: "orders",
      timeMillis: 5n,
    });
    const text = schemaToJson(s);
    expect(text).toContain('"description" : "the key"');
    expect(text).toContain('"comment" : "orders",\n  "timeMillis" : 5\n}');
    expect(text).toContain('"type" : {\n      "type" : "MAP NOT NULL",\n      "key" : "STRING NOT NULL",\n      "value" : {\n        "type" : "ROW",\n        "fields" : [ {');
    expect(s.highestFieldId).toBe(3); // id 0, m 1, x 2, y 3 (array elements have no ids)
    expect(schemaFromJson(text)).toEqual(s);
  });

  const files = readdirSync(DB).flatMap((t) => readdirSync(join(DB, t, "schema")).map((f) => join(t, "schema", f)));
  it("finds the fixture schemas", () => expect(files.length).toBeGreaterThan(35));

  it.each(files.map((f) => [f]))("%s parses, validates and re-serializes to equal values", (rel) => {
    const text = readFileSync(join(DB, rel), "utf8");
    const s = schemaFromJson(text, rel);
    expect(schemaFileName(s.id)).toBe(rel.split("/").at(-1));
    expect(s.version).toBe(3);
    validateTableSchema(s, rel.split("/")[0]);
    expect(parseJson(schemaToJson(s))).toEqual(javaShape(parseJson(text)));
    expect(schemaFromJson(schemaToJson(s))).toEqual(s);
  });

  it.each(readdirSync(DB).map((t) => [t]))("fx.%s: keys, options and bucket mode as expected", (t) => {
    const exp = JSON.parse(readFileSync(join(FIXTURES, "expected", `fx.${t}.json`), "utf8"));
    const s = schemaFromJson(readFileSync(join(DB, t, "schema", `schema-${exp.schemaId}`), "utf8"));
    expect(s.primaryKeys).toEqual(exp.primaryKeys);
    expect(s.partitionKeys).toEqual(exp.partitionKeys);
    expect(s.options).toEqual(exp.options);
    expect(bucketMode(s)).toBe(exp.bucketMode);
  });

  it("applies the compatibility rules of old schema versions", () => {
    const v1 = schemaFromJson('{"id":0,"fields":[],"highestFieldId":-1,"partitionKeys":[],"primaryKeys":[],"options":{}}');
    expect(v1.version).toBe(1);
    expect(v1.options).toEqual({ bucket: "1", "file.format": "orc" });
    expect(v1.timeMillis).toBe(0n);
    expect(v1.comment).toBeNull();
    const v2 = schemaFromJson('{"version":2,"id":0,"fields":[],"highestFieldId":-1,"partitionKeys":[],"primaryKeys":[],"options":{"file.format":"parquet"}}');
    expect(v2.options).toEqual({ "file.format": "parquet" });
    const v2b = schemaFromJson('{"version":2,"id":0,"fields":[],"highestFieldId":-1,"partitionKeys":[],"primaryKeys":[],"options":{"bucket":2}}');
    expect(v2b.options).toEqual({ bucket: "2", "file.format": "orc" });
    const v3 = schemaFromJson('{"version":3,"id":0,"fields":[],"highestFieldId":-1,"partitionKeys":[],"primaryKeys":[],"options":{}}');
    expect(v3.options).toEqual({});
  });

  it.each([
    ['{"version":3}', /missing "id"/],
    ['{"version":3,"id":0,"fields":[{"name":"a","type":"INT"}],"highestFieldId":0,"partitionKeys":[],"primaryKeys":[],"options":{}}', /fields\[0\]: missing integer "id"/],
    ['{"version":3,"id":0,"fields":[{"id":0,"name":"a","type":"NOPE"}],"highestFieldId":0,"partitionKeys":[],"primaryKeys":[],"options":{}}', /unknown type NOPE/],
    ['{"version":3,"id":0,"fields":[],"highestFieldId":0,"partitionKeys":"x","primaryKeys":[],"options":{}}', /partitionKeys/],
    ["[", /invalid JSON/],
  ])("rejects %s", (text, re) => {
    expect(() => schemaFromJson(text, "schema-0")).toThrow(SchemaFormatError);
    expect(() => schemaFromJson(text, "schema-0")).toThrow(re);
  });

  it("schema file names", () => {
    expect(parseSchemaFileName("schema-10")).toBe(10n);
    expect(parseSchemaFileName(".schema-1.x.tmp")).toBeNull();
  });
});

describe("derived keys and validation", () => {
  const cols = [
    { name: "id", type: DataTypes.INT() },
    { name: "dt", type: DataTypes.STRING() },
    { name: "v", type: DataTypes.STRING() },
    { name: "arr", type: DataTypes.ARRAY(DataTypes.INT()) },
  ];
  const make = (o: Partial<Parameters<typeof createTableSchema>[0]>): TableSchema => createTableSchema({ columns: cols, tableName: "db.t", timeMillis: 0n, ...o });

  it("bucket modes", () => {
    expect(bucketMode(make({}))).toBe("BUCKET_UNAWARE");
    expect(bucketMode(make({ options: { bucket: "3", "bucket-key": "id" } }))).toBe("HASH_FIXED");
    expect(bucketMode(make({ primaryKeys: ["id"] }))).toBe("HASH_DYNAMIC");
    expect(bucketMode(make({ primaryKeys: ["id"], partitionKeys: ["dt"] }))).toBe("KEY_DYNAMIC");
    expect(crossPartitionUpdate(make({ primaryKeys: ["id", "dt"], partitionKeys: ["dt"] }))).toBe(false);
    expect(bucketMode(make({ primaryKeys: ["id"], options: { bucket: "-2" } }))).toBe("POSTPONE_MODE");
    expect(bucketOption(make({ options: { bucket: " 8 " , "bucket-key": "id"} }))).toBe(8);
  });

  it("primary keys become NOT NULL unless primary-key.nullable; DDL options move into keys", () => {
    const s = make({ options: { "primary-key": "id, dt", partition: "dt" } });
    expect(s.primaryKeys).toEqual(["id", "dt"]);
    expect(s.partitionKeys).toEqual(["dt"]);
    expect(s.options).toEqual({});
    expect(s.fields.map((f) => f.type.nullable)).toEqual([false, false, true, true]);
    expect(make({ primaryKeys: ["id"], options: { "primary-key.nullable": "true" } }).fields[0].type.nullable).toBe(true);
    expect(() => make({ primaryKeys: ["id"], options: { "primary-key": "id" } })).toThrow(/both in the DDL and in the table options/);
  });

  it.each<[string, Partial<Parameters<typeof createTableSchema>[0]>, RegExp, string | undefined]>([
    ["unknown partition key", { partitionKeys: ["nope"] }, /partition key nope is not a column/, "nope"],
    ["unknown primary key", { primaryKeys: ["nope"] }, /primary key nope is not a column/, "nope"],
    ["PK = partition keys", { primaryKeys: ["dt"], partitionKeys: ["dt"] }, /must not be the same as the partition keys/, undefined],
    ["nested key", { primaryKeys: ["arr"] }, /key column arr must have a primitive type/, "arr"],
    ["bucket 0", { options: { bucket: "0" } }, /must be -1, -2 or a positive number/, undefined],
    ["bucket text", { options: { bucket: "x" } }, /must be an integer/, undefined],
    ["postpone append", { options: { bucket: "-2" } }, /only supported for primary-key tables/, undefined],
    ["append fixed without bucket-key", { options: { bucket: "2" } }, /must define 'bucket-key'/, undefined],
    ["bucket-key with -1", { options: { "bucket-key": "id" } }, /cannot define 'bucket-key' with bucket = -1/, undefined],
    ["bucket-key outside PK", { primaryKeys: ["id"], options: { bucket: "2", "bucket-key": "v" } }, /bucket key v must be part of the primary key/, "v"],
    ["bucket-key partition", { partitionKeys: ["dt"], options: { bucket: "2", "bucket-key": "dt" } }, /bucket key dt must not be a partition key/, "dt"],
    ["bucket-key nested", { options: { bucket: "2", "bucket-key": "arr" } }, /bucket key arr must have a primitive type/, "arr"],
    ["sequence field", { primaryKeys: ["id"], options: { "sequence.field": "ts" } }, /sequence field ts is not a column/, "ts"],
    ["merge engine", { primaryKeys: ["id"], options: { "merge-engine": "latest" } }, /unknown merge-engine "latest"/, undefined],
    ["duplicate key", { primaryKeys: ["id", "id"] }, /duplicate primary key id/, "id"],
  ])("rejects: %s", (_name, o, re, field) => {
    let err: unknown;
    try {
      make(o);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SchemaValidationError);
    expect((err as Error).message).toMatch(/^table db\.t: /);
    expect((err as Error).message).toMatch(re);
    expect((err as SchemaValidationError).table).toBe("db.t");
    expect((err as SchemaValidationError).field).toBe(field);
  });

  it("checks ids and names", () => {
    const s = make({});
    expect(() => validateTableSchema({ ...s, fields: [...s.fields, { ...s.fields[0], name: "id2" }] })).toThrow(/field id 0 of id2 is used twice/);
    expect(() => validateTableSchema({ ...s, fields: [...s.fields, { ...s.fields[0], id: 9 }] })).toThrow(/duplicate column id/);
    expect(() => validateTableSchema({ ...s, highestFieldId: 1 })).toThrow(/highestFieldId 1 is below the largest field id 3/);
    expect(() => make({ columns: [...cols, { name: "_KEY_id", type: DataTypes.INT() }], primaryKeys: ["id"] })).toThrow(/collides with a system column/);
    // a legacy v1 append schema with bucket 1 needs no bucket-key
    expect(() => validateTableSchema({ ...s, version: 1, options: { bucket: "1" } })).not.toThrow();
  });
});
