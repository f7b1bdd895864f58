import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  SchemaChangeError,
  TableSchema,
  addColumn,
  applySchemaChanges,
  createTableSchema,
  dropColumn,
  removeOption,
  renameColumn,
  schemaFromJson,
  setOption,
  supportsImplicitCast,
  updateColumnComment,
  updateColumnDefaultValue,
  updateColumnNullability,
  updateColumnPosition,
  updateColumnType,
  updateComment,
} from "../src/schema/index.js";
import { DataTypes, RowType, asSQLString, parseTypeString } from "../src/types/index.js";

const DB = join(__dirname, "../../../../shared/fixtures/pypaimon/warehouse/fx.db");
const fixture = (t: string, id: number): TableSchema => schemaFromJson(readFileSync(join(DB, t, "schema", `schema-${id}`), "utf8"));
const T = parseTypeString;
const ctx = { tableName: "db.t", timeMillis: 99n };

function base(): TableSchema {
  return createTableSchema({
    tableName: "db.t",
    columns: [
      { name: "id", type: T("INT") },
      { name: "dt", type: T("STRING") },
      { name: "v", type: T("STRING") },
      { name: "seq", type: T("BIGINT") },
      { name: "r", type: T("ROW<x INT, y ROW<z INT>>") },
      { name: "arr", type: T("ARRAY<ROW<p INT>>") },
    ],
    primaryKeys: ["id", "dt"],
    partitionKeys: ["dt"],
    options: { bucket: "2", "sequence.field": "seq,v", "fields.v.aggregate-function": "last_value", "fields.g.sequence-group": "v,seq" },
    timeMillis: 1n,
  });
}

function errorOf(f: () => unknown): SchemaChangeError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(SchemaChangeError);
    return e as SchemaChangeError;
  }
  throw new Error("expected a SchemaChangeError");
}

describe("reproduces the fixture evolutions", () => {
  const strip = (s: TableSchema) => ({ ...s, timeMillis: 0n });
  it("schema_evolution_append: add c DOUBLE, rename a → a_renamed, drop b", () => {
    const s0 = fixture("schema_evolution_append", 0);
    const s1 = addColumn(s0, "c", DataTypes.DOUBLE(), {}, { hasSnapshots: true });
    expect(strip(s1)).toEqual(strip(fixture("schema_evolution_append", 1)));
    const s2 = renameColumn(s1, "a", "a_renamed");
    expect(strip(s2)).toEqual(strip(fixture("schema_evolution_append", 2)));
    const s3 = dropColumn(s2, "b");
    expect(strip(s3)).toEqual(strip(fixture("schema_evolution_append", 3)));
    expect(s3.highestFieldId).toBe(3);
  });

  it("schema_evolution_pk: add extra BIGINT", () => {
    const s1 = addColumn(fixture("schema_evolution_pk", 0), "extra", DataTypes.BIGINT());
    expect(strip(s1)).toEqual(strip(fixture("schema_evolution_pk", 1)));
  });
});

describe("common rules", () => {
  it("each change gives id + 1, version 3 and the new time", () => {
    const s = { ...base(), version: 2 };
    const n = updateComment(s, "hello", ctx);
    expect([n.id, n.version, n.timeMillis, n.comment]).toEqual([1n, 3, 99n, "hello"]);
    expect(s.comment).toBeNull(); // inputs are not mutated
    const many = applySchemaChanges(s, [
      { type: "setOption", key: "a", value: "1" },
      { type: "addColumn", path: "w", dataType: T("INT") },
      { type: "updateComment", comment: null },
    ]);
    expect(many.id).toBe(1n);
    expect(many.options.a).toBe("1");
    expect(many.fields.at(-1)!.name).toBe("w");
  });

  it("errors name the table, the column and the reason", () => {
    const e = errorOf(() => dropColumn(base(), "id", ctx));
    expect([e.table, e.column, e.reason]).toEqual(["db.t", "id", "primary key columns cannot be dropped"]);
    expect(e.message).toBe("table db.t, column id: primary key columns cannot be dropped");
  });
});

describe("addColumn", () => {
  it("appends with the next id; positions FIRST / AFTER / BEFORE / LAST", () => {
    const s = base();
    // id 0, dt 1, v 2, seq 3, r 4 (x 5, z 6, y 7), arr 8 (p 9)
    expect(s.highestFieldId).toBe(9);
    const a = addColumn(s, "n", T("INT"));
    expect(a.fields.at(-1)).toEqual({ id: 10, name: "n", type: T("INT") });
    expect(a.highestFieldId).toBe(10);
    expect(addColumn(s, "n", T("INT"), { position: { kind: "FIRST" } }).fields[0].name).toBe("n");
    expect(addColumn(s, "n", T("INT"), { position: { kind: "AFTER", column: "id" } }).fields.map((f) => f.name)).toEqual(["id", "n", "dt", "v", "seq", "r", "arr"]);
    expect(addColumn(s, "n", T("INT"), { position: { kind: "BEFORE", column: "v" } }).fields.map((f) => f.name)).toEqual(["id", "dt", "n", "v", "seq", "r", "arr"]);
    expect(addColumn(s, "n", T("INT"), { position: { kind: "LAST" } }).fields.at(-1)!.name).toBe("n");
    expect(errorOf(() => addColumn(s, "n", T("INT"), { position: { kind: "AFTER", column: "nope" } })).reason).toMatch(/reference column nope/);
  });

  it("numbers nested ROW fields like ReassignFieldId, keeps description and default", () => {
    const a = addColumn(base(), "nested", T("ROW<a INT, b ROW<c INT>>"), { description: "d", defaultValue: "x" });
    const f = a.fields.at(-1)!;
    expect(f.id).toBe(10);
    expect(f.description).toBe("d");
    expect(f.defaultValue).toBe("x");
    const row = f.type as RowType;
    const inner = row.fields[1].type as RowType;
    expect([row.fields[0].id, inner.fields[0].id, row.fields[1].id]).toEqual([11, 12, 13]);
    expect(a.highestFieldId).toBe(13);
  });

  it("adds nested fields by path, also inside array elements", () => {
    const a = addColumn(base(), ["r", "y", "w"], T("STRING"), { position: { kind: "FIRST" } });
    const y = ((a.fields[4].type as RowType).fields[1].type as RowType).fields;
    expect(y.map((f) => [f.name, f.id])).toEqual([
      ["w", 10],
      ["z", 6],
    ]);
    const b = addColumn(base(), ["arr", "element", "q"], T("INT"));
    expect(asSQLString(b.fields[5].type)).toBe("ARRAY<ROW<`p` INT, `q` INT>>");
    expect(errorOf(() => addColumn(base(), ["v", "x"], T("INT"))).reason).toMatch(/v is of type STRING and has no nested field x/);
    expect(errorOf(() => addColumn(base(), ["nope", "x"], T("INT"))).reason).toMatch(/column nope does not exist/);
  });

  it("rejects NOT NULL and existing names", () => {
    expect(errorOf(() => addColumn(base(), "n", T("INT NOT NULL"))).reason).toMatch(/must be nullable/);
    expect(errorOf(() => addColumn(base(), "v", T("INT"))).reason).toMatch(/column v already exists/);
    expect(errorOf(() => addColumn(base(), ["r", "x"], T("INT"))).reason).toMatch(/column r.x already exists/);
  });

  it("add-column-before-partition puts new top-level columns before the first partition column", () => {
    const s = setOption(base(), "add-column-before-partition", "true");
    expect(addColumn(s, "n", T("INT")).fields.map((f) => f.name).slice(0, 3)).toEqual(["id", "n", "dt"]);
  });
});

describe("renameColumn", () => {
  it("keeps the id and rewrites primary keys and options that name the column", () => {
    const s = renameColumn(base(), "v", "value", ctx);
    expect(s.fields[2]).toEqual({ id: 2, name: "value", type: T("STRING") });
    expect(s.options).toEqual({ bucket: "2", "sequence.field": "seq,value", "fields.value.aggregate-function": "last_value", "fields.g.sequence-group": "value,seq" });
    const k = renameColumn(base(), "id", "key");
    expect(k.primaryKeys).toEqual(["key", "dt"]);
    const bk = renameColumn(createTableSchema({ columns: [{ name: "a", type: T("INT") }, { name: "b", type: T("INT") }], options: { bucket: "2", "bucket-key": "a" } }), "a", "c");
    expect(bk.options["bucket-key"]).toBe("c");
  });

  it("renames nested fields", () => {
    const s = renameColumn(base(), ["r", "y", "z"], "zz");
    expect(asSQLString(s.fields[4].type)).toBe("ROW<`x` INT, `y` ROW<`zz` INT>>");
  });

  it("rejects partition columns and name clashes", () => {
    expect(errorOf(() => renameColumn(base(), "dt", "day")).reason).toBe("partition columns cannot be renamed");
    expect(errorOf(() => renameColumn(base(), "v", "seq")).reason).toMatch(/already exists/);
    expect(errorOf(() => renameColumn(base(), "nope", "x")).reason).toMatch(/does not exist/);
  });
});

describe("dropColumn", () => {
  it("removes the field and keeps highestFieldId", () => {
    const s = dropColumn(base(), "arr");
    expect(s.fields.map((f) => f.name)).toEqual(["id", "dt", "v", "seq", "r"]);
    expect(s.highestFieldId).toBe(9);
    expect(asSQLString(dropColumn(base(), ["r", "x"]).fields[4].type)).toBe("ROW<`y` ROW<`z` INT>>");
  });

  it("rejects keys, the last column and columns still referenced by options", () => {
    expect(errorOf(() => dropColumn(base(), "dt")).reason).toBe("partition columns cannot be dropped");
    expect(errorOf(() => dropColumn(base(), "id")).reason).toBe("primary key columns cannot be dropped");
    expect(errorOf(() => dropColumn(base(), ["r", "y", "z"])).reason).toBe("cannot drop the last field of a nested row");
    const one = createTableSchema({ columns: [{ name: "a", type: T("INT") }] });
    expect(errorOf(() => dropColumn(one, "a")).reason).toBe("cannot drop the last column of a table");
    const e = errorOf(() => dropColumn(base(), "seq", ctx));
    expect(e.column).toBe("seq");
    expect(e.message).toMatch(/sequence field seq is not a column/);
  });
});

describe("updateColumnType", () => {
  it.each([
    ["TINYINT", "SMALLINT"],
    ["TINYINT", "BIGINT"],
    ["SMALLINT", "INT"],
    ["INT", "BIGINT"],
    ["INT", "DECIMAL(10, 0)"],
    ["INT", "DECIMAL(12, 2)"],
    ["BIGINT", "DECIMAL(19, 0)"],
    ["INT", "FLOAT"],
    ["BIGINT", "DOUBLE"],
    ["FLOAT", "DOUBLE"],
    ["DECIMAL(10, 2)", "DECIMAL(12, 2)"],
    ["DECIMAL(10, 2)", "DECIMAL(11, 3)"],
    ["DECIMAL(10, 2)", "DOUBLE"],
    ["CHAR(3)", "CHAR(5)"],
    ["CHAR(3)", "VARCHAR(3)"],
    ["VARCHAR(10)", "VARCHAR(20)"],
    ["VARCHAR(10)", "STRING"],
    ["BINARY(4)", "VARBINARY(8)"],
    ["VARBINARY(4)", "BYTES"],
    ["TIME(0)", "TIME(3)"],
    ["TIMESTAMP(3)", "TIMESTAMP(6)"],
    ["TIMESTAMP(3) WITH LOCAL TIME ZONE", "TIMESTAMP(9) WITH LOCAL TIME ZONE"],
    ["DATE", "TIMESTAMP(3)"],
    ["ARRAY<INT>", "ARRAY<BIGINT>"],
    ["MAP<STRING, INT>", "MAP<STRING, DOUBLE>"],
    ["INT NOT NULL", "BIGINT"],
  ])("allows %s → %s", (from, to) => {
    expect(supportsImplicitCast(T(from), T(to))).toBe(true);
    const s = createTableSchema({ columns: [{ name: "k", type: T("INT") }, { name: "c", type: T(from) }], tableName: "db.t" });
    expect(asSQLString(updateColumnType(s, "c", T(to)).fields[1].type)).toBe(asSQLString(T(to)));
  });

  it.each([
    ["BIGINT", "INT"],
    ["INT", "SMALLINT"],
    ["INT", "DECIMAL(9, 0)"],
    ["INT", "DECIMAL(10, 2)"],
    ["DOUBLE", "FLOAT"],
    ["DOUBLE", "DECIMAL(38, 10)"],
    ["DECIMAL(10, 2)", "DECIMAL(10, 3)"],
    ["DECIMAL(10, 2)", "DECIMAL(12, 1)"],
    ["DECIMAL(10, 2)", "BIGINT"],
    ["VARCHAR(20)", "VARCHAR(10)"],
    ["STRING", "CHAR(5)"],
    ["STRING", "INT"],
    ["INT", "STRING"],
    ["BOOLEAN", "INT"],
    ["VARBINARY(8)", "BINARY(8)"],
    ["TIMESTAMP(6)", "TIMESTAMP(3)"],
    ["TIMESTAMP(6)", "DATE"],
    ["TIMESTAMP(3)", "TIMESTAMP(3) WITH LOCAL TIME ZONE"],
    ["ARRAY<INT>", "ARRAY<INT NOT NULL>"],
    ["ARRAY<BIGINT>", "ARRAY<INT>"],
    ["MAP<STRING, INT>", "ARRAY<INT>"],
  ])("rejects %s → %s with a clear error", (from, to) => {
    expect(supportsImplicitCast(T(from), T(to))).toBe(false);
    const s = createTableSchema({ columns: [{ name: "k", type: T("INT") }, { name: "c", type: T(from) }], tableName: "db.t" });
    const e = errorOf(() => updateColumnType(s, "c", T(to), {}, ctx));
    expect(e.message).toBe(`table db.t, column c: cannot change type ${asSQLString(T(from), true)} to ${asSQLString(T(to), true)} (only widening changes are supported)`);
  });

  it("nullability: NULL → NOT NULL is refused unless enabled; keepNullability keeps it", () => {
    const s = base();
    expect(errorOf(() => updateColumnType(s, "seq", T("BIGINT NOT NULL"))).reason).toMatch(/nullable column to NOT NULL/);
    const allowed = setOption(s, "alter-column-null-to-not-null.disabled", "false");
    expect(updateColumnType(allowed, "seq", T("BIGINT NOT NULL")).fields[3].type.nullable).toBe(false);
    const notNull = updateColumnNullability(allowed, "v", false);
    expect(updateColumnType(notNull, "v", T("STRING"), { keepNullability: true }).fields[2].type).toEqual(T("STRING NOT NULL"));
  });

  it("keeps nested field ids and refuses key columns", () => {
    const s = updateColumnType(base(), "r", T("ROW<x BIGINT, y ROW<z BIGINT>>"));
    const r = s.fields[4].type as RowType;
    expect([r.fields[0].id, r.fields[1].id, (r.fields[1].type as RowType).fields[0].id]).toEqual([5, 7, 6]);
    expect(errorOf(() => updateColumnType(base(), "r", T("ROW<x INT, w ROW<z INT>>"))).reason).toMatch(/cannot change type/);
    expect(updateColumnType(base(), ["r", "x"], T("BIGINT")).fields[4].type).toEqual({ ...base().fields[4].type, fields: [{ id: 5, name: "x", type: T("BIGINT") }, (base().fields[4].type as RowType).fields[1]] });
    expect(errorOf(() => updateColumnType(base(), "dt", T("STRING"))).reason).toBe("the type of a partition column cannot be changed");
    expect(errorOf(() => updateColumnType(base(), "id", T("BIGINT"))).reason).toBe("the type of a primary key column cannot be changed");
  });
});

describe("other column changes", () => {
  it("nullability", () => {
    expect(updateColumnNullability(base(), "v", true).fields[2].type.nullable).toBe(true);
    expect(errorOf(() => updateColumnNullability(base(), "id", true)).reason).toBe("primary key columns cannot be nullable");
    expect(errorOf(() => updateColumnNullability(base(), "v", false)).reason).toMatch(/alter-column-null-to-not-null.disabled/);
    expect(updateColumnNullability(base(), ["r", "x"], true).fields[4]).toEqual(base().fields[4]);
  });

  it("comment, default value and position", () => {
    const c = updateColumnComment(base(), "v", "the value");
    expect(c.fields[2].description).toBe("the value");
    expect(updateColumnComment(c, "v", null).fields[2]).not.toHaveProperty("description");
    const d = updateColumnDefaultValue(base(), ["r", "x"], "0");
    expect((d.fields[4].type as RowType).fields[0].defaultValue).toBe("0");
    expect(updateColumnDefaultValue(d, ["r", "x"], null).fields[4]).toEqual(base().fields[4]);
    expect(updateColumnPosition(base(), "arr", { kind: "FIRST" }).fields.map((f) => f.name)).toEqual(["arr", "id", "dt", "v", "seq", "r"]);
    expect(updateColumnPosition(base(), "id", { kind: "AFTER", column: "v" }).fields.map((f) => f.name)).toEqual(["dt", "v", "id", "seq", "r", "arr"]);
    expect(errorOf(() => updateColumnPosition(base(), "id", { kind: "BEFORE", column: "id" })).reason).toMatch(/relative to itself/);
  });
});

describe("options", () => {
  it("set and remove", () => {
    const s = setOption(base(), "snapshot.num-retained.min", "5");
    expect(s.options["snapshot.num-retained.min"]).toBe("5");
    expect(removeOption(s, "snapshot.num-retained.min").options).not.toHaveProperty("snapshot.num-retained.min");
  });

  it("immutable options cannot change once the table has snapshots", () => {
    expect(errorOf(() => setOption(base(), "merge-engine", "first-row", ctx)).message).toBe("table db.t: option 'merge-engine' cannot be changed after the table has data");
    const bk = createTableSchema({ columns: [{ name: "a", type: T("INT") }], options: { bucket: "2", "bucket-key": "a" } });
    expect(errorOf(() => removeOption(bk, "bucket-key")).reason).toMatch(/option 'bucket-key' cannot be changed/);
    expect(errorOf(() => setOption(bk, "bucket-key", "a,a")).reason).toMatch(/cannot be changed/);
    expect(setOption(base(), "merge-engine", "first-row", { hasSnapshots: false }).options["merge-engine"]).toBe("first-row");
    // setting the current value is not a change
    const fr = setOption(base(), "merge-engine", "first-row", { hasSnapshots: false });
    expect(setOption(fr, "merge-engine", "first-row").id).toBe(2n);
  });

  it("bucket, deletion vectors and ignore-delete rules", () => {
    expect(setOption(base(), "bucket", "4").options.bucket).toBe("4");
    expect(errorOf(() => setOption(base(), "bucket", "-1")).reason).toMatch(/cannot be changed to -1/);
    const dyn = createTableSchema({ columns: [{ name: "k", type: T("INT") }], primaryKeys: ["k"] });
    expect(errorOf(() => setOption(dyn, "bucket", "4")).reason).toMatch(/cannot be changed when it is -1/);
    expect(errorOf(() => setOption(base(), "deletion-vectors.enabled", "true")).reason).toMatch(/deletion-vectors.modifiable/);
    const mod = setOption(base(), "deletion-vectors.modifiable", "true");
    expect(setOption(mod, "deletion-vectors.enabled", "true").options["deletion-vectors.enabled"]).toBe("true");
    const ign = setOption(base(), "ignore-delete", "true");
    expect(errorOf(() => setOption(ign, "ignore-delete", "false")).reason).toMatch(/from true to false/);
    expect(errorOf(() => removeOption(ign, "ignore-delete")).reason).toMatch(/from true to false/);
  });

  it("a change that breaks validation is refused with the table named", () => {
    const e = errorOf(() => setOption(base(), "merge-engine", "nope", { tableName: "db.t", hasSnapshots: false }));
    expect(e.message).toBe('table db.t: unknown merge-engine "nope" (expected one of deduplicate, partial-update, aggregation, first-row)');
  });
});
