import { DataTypes, parseTypeString, type DataType } from "@paimon-ts/paimon-core";
import {
  DataTypeExpressions,
  dataTypeFromPaimon,
  floatBounds,
  PAIMON_DATA_TYPES,
  paimonColumnFromTapField,
  paimonTypeFromDataType,
  paimonTypeFromTapType,
  tapFieldFromPaimon,
  tapFieldsFromPaimon,
  tapTypeFromPaimon,
  TypeMappingError,
  type TapType,
  type TapTypeName,
} from "../src/index.js";

const f = DataTypes;
const row = (...fields: [string, DataType][]): DataType => f.ROW(fields.map(([name, type], i) => f.FIELD(i, name, type)));

// Every Paimon type root, with its discovered string and TapType.
const DISCOVERY: [DataType, string, TapType][] = [
  [f.BOOLEAN(), "BOOLEAN", { type: "TapBoolean" }],
  [f.TINYINT(), "TINYINT", { type: "TapNumber", bit: 8, precision: 3, minValue: "-128", maxValue: "127" }],
  [f.SMALLINT(), "SMALLINT", { type: "TapNumber", bit: 16, precision: 5, minValue: "-32768", maxValue: "32767" }],
  [f.INT(), "INT", { type: "TapNumber", bit: 32, precision: 10, minValue: "-2147483648", maxValue: "2147483647" }],
  [f.BIGINT(), "BIGINT", { type: "TapNumber", bit: 64, precision: 19, minValue: "-9223372036854775808", maxValue: "9223372036854775807" }],
  [f.FLOAT(), "FLOAT", { type: "TapNumber", bit: 32, precision: 7, scale: 7, fixed: false, minValue: floatBounds(32)[0], maxValue: floatBounds(32)[1] }],
  [f.DOUBLE(), "DOUBLE", { type: "TapNumber", bit: 64, precision: 15, scale: 15, fixed: false, minValue: floatBounds(64)[0], maxValue: floatBounds(64)[1] }],
  [f.DECIMAL(10, 2), "DECIMAL(10, 2)", { type: "TapNumber", precision: 10, scale: 2, fixed: true, minValue: "-99999999.99", maxValue: "99999999.99" }],
  [f.DECIMAL(38, 10), "DECIMAL(38, 10)", { type: "TapNumber", precision: 38, scale: 10, fixed: true, minValue: `-${"9".repeat(28)}.${"9".repeat(10)}`, maxValue: `${"9".repeat(28)}.${"9".repeat(10)}` }],
  [f.DECIMAL(5, 5), "DECIMAL(5, 5)", { type: "TapNumber", precision: 5, scale: 5, fixed: true, minValue: "-0.99999", maxValue: "0.99999" }],
  [f.CHAR(4), "CHAR(4)", { type: "TapString", bytes: 4, fixed: true }],
  [f.VARCHAR(10), "VARCHAR(10)", { type: "TapString", bytes: 10 }],
  [f.VARCHAR(100000), "VARCHAR(100000)", { type: "TapString", bytes: 100000 }],
  [f.STRING(), "STRING", { type: "TapString", bytes: 2147483647 }],
  [f.BINARY(16), "BINARY(16)", { type: "TapBinary", bytes: 16, fixed: true }],
  [f.VARBINARY(8), "VARBINARY(8)", { type: "TapBinary", bytes: 8 }],
  [f.BYTES(), "BYTES", { type: "TapBinary", bytes: 2147483647 }],
  [f.DATE(), "DATE", { type: "TapDate", min: "0001-01-01", max: "9999-12-31" }],
  [f.TIME(0), "TIME(0)", { type: "TapTime", fraction: 0, defaultFraction: 3, min: "00:00:00", max: "23:59:59" }],
  [f.TIME(3), "TIME(3)", { type: "TapTime", fraction: 3, defaultFraction: 3, min: "00:00:00", max: "23:59:59" }],
  [f.TIMESTAMP(3), "TIMESTAMP(3)", { type: "TapDateTime", fraction: 3, defaultFraction: 6, min: "0001-01-01 00:00:00", max: "9999-12-31 23:59:59" }],
  [f.TIMESTAMP(9), "TIMESTAMP(9)", { type: "TapDateTime", fraction: 9, defaultFraction: 6, min: "0001-01-01 00:00:00", max: "9999-12-31 23:59:59" }],
  [
    f.TIMESTAMP_LTZ(6),
    "TIMESTAMP(6) WITH LOCAL TIME ZONE",
    { type: "TapDateTime", fraction: 6, defaultFraction: 6, withTimeZone: true, min: "0001-01-01 00:00:00", max: "9999-12-31 23:59:59" },
  ],
  [f.ARRAY(f.INT()), "ARRAY<INT>", { type: "TapArray" }],
  [f.MULTISET(f.STRING()), "MULTISET<STRING>", { type: "TapArray" }],
  [f.MAP(f.STRING(), f.BIGINT()), "MAP<STRING, BIGINT>", { type: "TapMap" }],
  [row(["a", f.INT()], ["b", f.STRING()]), "ROW<`a` INT, `b` STRING>", { type: "TapMap" }],
];

describe("discovery: Paimon type → Tapdata field", () => {
  it.each(DISCOVERY.map(([t, s, tt]) => [s, t, tt] as const))("%s", (s, t, tt) => {
    expect(dataTypeFromPaimon(t)).toBe(s);
    expect(tapTypeFromPaimon(t)).toEqual(tt);
  });

  it("agrees with what the engine derives from the dataTypes table for the same string", () => {
    const ex = new DataTypeExpressions(PAIMON_DATA_TYPES);
    for (const [t] of DISCOVERY) expect(ex.toTapType(dataTypeFromPaimon(t))).toEqual(tapTypeFromPaimon(t));
  });

  it("reports nullability separately and drops only the column's own NOT NULL", () => {
    const t = f.ARRAY(f.INT(false), false);
    expect(tapFieldFromPaimon({ name: "xs", type: t })).toEqual({ name: "xs", dataType: "ARRAY<INT NOT NULL>", nullable: false, tapType: { type: "TapArray" } });
    expect(tapFieldFromPaimon({ name: "n", type: f.DECIMAL(10, 2, false) })).toMatchObject({ dataType: "DECIMAL(10, 2)", nullable: false });
  });

  it("marks primary keys 1-based in key order and passes descriptions as comments", () => {
    const fields = [f.FIELD(0, "a", f.INT(false)), f.FIELD(1, "b", f.STRING(), "the b"), f.FIELD(2, "c", f.BIGINT(false))];
    const tap = tapFieldsFromPaimon(fields, ["c", "a"]);
    expect(tap.map((x) => [x.name, x.primaryKey, x.primaryKeyPos, x.comment])).toEqual([
      ["a", true, 2, undefined],
      ["b", undefined, undefined, "the b"],
      ["c", true, 1, undefined],
    ]);
  });
});

describe("create: dataType string → Paimon type", () => {
  // The seed table, read backwards, plus the Java connector's documented defaults.
  const cases: [string, DataType][] = [
    ["BOOLEAN", f.BOOLEAN()],
    ["TINYINT", f.TINYINT()],
    ["SMALLINT", f.SMALLINT()],
    ["INT", f.INT()],
    ["INTEGER", f.INT()],
    ["BIGINT", f.BIGINT()],
    ["FLOAT", f.FLOAT()],
    ["DOUBLE", f.DOUBLE()],
    ["DOUBLE PRECISION", f.DOUBLE()],
    ["DECIMAL", f.DECIMAL(38, 10)],
    ["DECIMAL(10,2)", f.DECIMAL(10, 2)],
    ["DECIMAL(38, 10)", f.DECIMAL(38, 10)],
    ["NUMERIC(7)", f.DECIMAL(7, 0)],
    ["CHAR", f.CHAR(2147483647)],
    ["CHAR(4)", f.CHAR(4)],
    ["VARCHAR", f.STRING()],
    ["VARCHAR(10)", f.VARCHAR(10)],
    ["STRING", f.STRING()],
    ["BINARY", f.BINARY(2147483647)],
    ["BINARY(16)", f.BINARY(16)],
    ["VARBINARY", f.BYTES()],
    ["VARBINARY(8)", f.VARBINARY(8)],
    ["VARBINARY(99999999999)", f.BYTES()], // clamped to the maximum length
    ["BYTES", f.BYTES()],
    ["DATE", f.DATE()],
    ["TIME", f.TIME(3)],
    ["TIME(0)", f.TIME(0)],
    ["TIMESTAMP", f.TIMESTAMP(6)],
    ["TIMESTAMP(3)", f.TIMESTAMP(3)],
    ["TIMESTAMP(9)", f.TIMESTAMP(9)],
    ["TIMESTAMP WITH LOCAL TIME ZONE", f.TIMESTAMP_LTZ(6)],
    ["TIMESTAMP(3) WITH LOCAL TIME ZONE", f.TIMESTAMP_LTZ(3)],
    ["TIMESTAMP_LTZ", f.TIMESTAMP_LTZ(6)],
    ["TIMESTAMP_LTZ(0)", f.TIMESTAMP_LTZ(0)],
    ["ARRAY", f.STRING()],
    ["MAP", f.STRING()],
    ["ROW", f.STRING()],
    ["MULTISET", f.STRING()],
    ["VARIANT", f.STRING()],
    ["ARRAY<INT>", f.STRING()],
    ["MAP<STRING, INT>", f.STRING()],
    ["YEAR", f.CHAR(4)],
    // UNSIGNED widens to the next type that holds the whole range (Java fell back to STRING).
    ["TINYINT UNSIGNED", f.SMALLINT()],
    ["SMALLINT UNSIGNED", f.INT()],
    ["INT UNSIGNED", f.BIGINT()],
    ["INT(10) UNSIGNED ZEROFILL", f.BIGINT()],
    ["BIGINT UNSIGNED", f.DECIMAL(20, 0)],
    ["DECIMAL(10,2) UNSIGNED", f.DECIMAL(10, 2)],
    ["INT(11)", f.INT()],
    ["BIGINT NOT NULL", f.BIGINT()],
  ];
  it.each(cases)("%s", (s, t) => {
    expect(paimonTypeFromDataType(s)).toEqual(t);
  });

  it("is locale independent: lower case, odd spacing, and no locale-sensitive string calls", () => {
    const upper = jest.spyOn(String.prototype, "toLocaleUpperCase");
    const lower = jest.spyOn(String.prototype, "toLocaleLowerCase");
    try {
      expect(paimonTypeFromDataType("  timestamp(3)   with local time zone")).toEqual(f.TIMESTAMP_LTZ(3));
      expect(paimonTypeFromDataType("integer")).toEqual(f.INT());
      expect(paimonTypeFromDataType("time(2)")).toEqual(f.TIME(2));
      expect(paimonTypeFromDataType("decimal( 12 , 4 )")).toEqual(f.DECIMAL(12, 4));
      expect(paimonTypeFromDataType("bigint")).toEqual(f.BIGINT());
      expect(upper).not.toHaveBeenCalled();
      expect(lower).not.toHaveBeenCalled();
    } finally {
      upper.mockRestore();
      lower.mockRestore();
    }
    // A dotless ı is not an i: non-ASCII names are unknown, never "corrected".
    expect(paimonTypeFromDataType("ınt")).toBeUndefined();
  });

  it("unknown names are undefined (the field's TapType, or STRING, decides)", () => {
    expect(paimonTypeFromDataType("GEOMETRY")).toBeUndefined();
    expect(paimonTypeFromDataType("MEDIUMINT")).toBeUndefined();
    expect(paimonTypeFromDataType("")).toBeUndefined();
  });

  const invalid: [string, string][] = [
    ["DECIMAL(2,3)", "PAIMON_INVALID_DATA_TYPE"],
    ["DECIMAL(39,2)", "PAIMON_INVALID_DATA_TYPE"],
    ["DECIMAL(0)", "PAIMON_INVALID_DATA_TYPE"],
    ["TIME(4)", "PAIMON_TIME_PRECISION_UNSUPPORTED"],
    ["TIME(9)", "PAIMON_TIME_PRECISION_UNSUPPORTED"],
    ["TIMESTAMP(10)", "PAIMON_INVALID_DATA_TYPE"],
    ["CHAR(0)", "PAIMON_INVALID_DATA_TYPE"],
    ["VARCHAR()", "PAIMON_INVALID_DATA_TYPE"],
    ["VARCHAR(10", "PAIMON_INVALID_DATA_TYPE"],
    ["VARCHAR(MAX)", "PAIMON_INVALID_DATA_TYPE"],
    ["DECIMAL((10),2)", "PAIMON_INVALID_DATA_TYPE"],
    ["DATE(3)", "PAIMON_INVALID_DATA_TYPE"],
    ["DECIMAL(1,2,3)", "PAIMON_INVALID_DATA_TYPE"],
  ];
  it.each(invalid)("%s is refused with %s", (s, code) => {
    expect(() => paimonTypeFromDataType(s, {}, "col")).toThrow(TypeMappingError);
    try {
      paimonTypeFromDataType(s, {}, "col");
    } catch (e) {
      expect((e as TypeMappingError).code).toBe(code);
      expect((e as TypeMappingError).field).toBe("col");
    }
  });

  it("native nested types on request", () => {
    const native = { nested: "native" } as const;
    expect(paimonTypeFromDataType("ARRAY<INT NOT NULL>", native)).toEqual(f.ARRAY(f.INT(false)));
    expect(paimonTypeFromDataType("MAP<STRING, ARRAY<BIGINT>>", native)).toEqual(f.MAP(f.STRING(), f.ARRAY(f.BIGINT())));
    expect(paimonTypeFromDataType("ROW<`a` INT, `b` STRING>", native)).toEqual(parseTypeString("ROW<a INT, b STRING>"));
    // A bare keyword says nothing about elements: still JSON.
    expect(paimonTypeFromDataType("ARRAY", native)).toEqual(f.STRING());
    expect(() => paimonTypeFromDataType("ARRAY<WHAT>", native)).toThrow(TypeMappingError);
  });

  it("discover → create is the identity for every Paimon type (nested ones in native mode)", () => {
    for (const [t] of DISCOVERY) {
      const nested = ["ARRAY", "MULTISET", "MAP", "ROW"].includes(t.root);
      const back = paimonTypeFromDataType(dataTypeFromPaimon(t), { nested: nested ? "native" : "json" });
      // ROW fields parsed from text carry id -1 until the schema assigns ids.
      expect(dataTypeFromPaimon(back!)).toBe(dataTypeFromPaimon(t));
      if (!nested) expect(back).toEqual(t);
    }
  });
});

describe("create: TapType → Paimon type", () => {
  const cases: [string, TapType, DataType][] = [
    ["TapBoolean", { type: "TapBoolean" }, f.BOOLEAN()],
    ["int8", { type: "TapNumber", bit: 8 }, f.TINYINT()],
    ["uint8", { type: "TapNumber", bit: 8, unsigned: true }, f.SMALLINT()],
    ["int16", { type: "TapNumber", bit: 16 }, f.SMALLINT()],
    ["int32", { type: "TapNumber", bit: 32 }, f.INT()],
    ["uint32", { type: "TapNumber", bit: 32, unsigned: true }, f.BIGINT()],
    ["int64", { type: "TapNumber", bit: 64 }, f.BIGINT()],
    ["uint64", { type: "TapNumber", bit: 64, unsigned: true }, f.DECIMAL(20, 0)],
    ["range fits INT", { type: "TapNumber", minValue: "-100000", maxValue: "100000" }, f.INT()],
    ["NUMBER(10)", { type: "TapNumber", precision: 10 }, f.BIGINT()],
    ["NUMBER(30)", { type: "TapNumber", precision: 30 }, f.DECIMAL(30, 0)],
    ["DECIMAL(10,0) stays DECIMAL", { type: "TapNumber", precision: 10, scale: 0, fixed: true, minValue: "-9999999999", maxValue: "9999999999" }, f.DECIMAL(10, 0)],
    ["DECIMAL(12,4)", { type: "TapNumber", precision: 12, scale: 4, fixed: true }, f.DECIMAL(12, 4)],
    ["NUMBER(5,-2)", { type: "TapNumber", precision: 5, scale: -2, fixed: true }, f.DECIMAL(7, 0)],
    ["bare TapNumber → bare DECIMAL", { type: "TapNumber" }, f.DECIMAL(38, 10)],
    ["float32", { type: "TapNumber", bit: 32, fixed: false, scale: 7, precision: 7 }, f.FLOAT()],
    ["float64", { type: "TapNumber", bit: 64, fixed: false, scale: 15, precision: 15 }, f.DOUBLE()],
    ["float by digits", { type: "TapNumber", fixed: false, precision: 15 }, f.DOUBLE()],
    ["CHAR(3)", { type: "TapString", bytes: 3, fixed: true }, f.CHAR(3)],
    ["VARCHAR(30)", { type: "TapString", bytes: 30 }, f.VARCHAR(30)],
    ["unbounded string", { type: "TapString" }, f.STRING()],
    ["huge string", { type: "TapString", bytes: 4 * 1024 ** 3 }, f.STRING()],
    ["BINARY(4)", { type: "TapBinary", bytes: 4, fixed: true }, f.BINARY(4)],
    ["VARBINARY(4)", { type: "TapBinary", bytes: 4 }, f.VARBINARY(4)],
    ["unbounded binary", { type: "TapBinary" }, f.BYTES()],
    ["TapDate", { type: "TapDate" }, f.DATE()],
    ["TapDateTime", { type: "TapDateTime" }, f.TIMESTAMP(6)],
    ["TapDateTime(3)", { type: "TapDateTime", fraction: 3 }, f.TIMESTAMP(3)],
    ["TapDateTime with zone", { type: "TapDateTime", fraction: 9, withTimeZone: true }, f.TIMESTAMP_LTZ(9)],
    ["TapTime", { type: "TapTime" }, f.TIME(3)],
    ["TapTime(0)", { type: "TapTime", fraction: 0 }, f.TIME(0)],
    ["TapTime(6) clamps like the engine", { type: "TapTime", fraction: 6 }, f.TIME(3)],
    ["TapYear", { type: "TapYear" }, f.CHAR(4)],
    ["TapArray", { type: "TapArray" }, f.STRING()],
    ["TapMap", { type: "TapMap" }, f.STRING()],
    ["TapRaw", { type: "TapRaw" }, f.STRING()],
  ];
  it.each(cases)("%s", (_n, tt, t) => {
    expect(paimonTypeFromTapType(tt)).toEqual(t);
  });

  it("numbers wider than DECIMAL(38): error by default, STRING on request", () => {
    expect(() => paimonTypeFromTapType({ type: "TapNumber", precision: 65, scale: 30, fixed: true })).toThrow(TypeMappingError);
    expect(() => paimonTypeFromTapType({ type: "TapNumber", precision: 50 })).toThrow(/PAIMON_DECIMAL_PRECISION_UNSUPPORTED/);
    expect(paimonTypeFromTapType({ type: "TapNumber", precision: 65, scale: 30, fixed: true }, { wideDecimal: "string" })).toEqual(f.STRING());
  });

  it("discover → create through the TapType is the identity for every atomic type", () => {
    for (const [t, , tt] of DISCOVERY) {
      if (["ARRAY", "MULTISET", "MAP", "ROW"].includes(t.root)) expect(paimonTypeFromTapType(tt)).toEqual(f.STRING());
      else expect(paimonTypeFromTapType(tt)).toEqual(t);
    }
  });

  it("every TapType name maps somewhere", () => {
    const names: TapTypeName[] = ["TapBoolean", "TapNumber", "TapString", "TapBinary", "TapDate", "TapDateTime", "TapTime", "TapYear", "TapArray", "TapMap", "TapRaw"];
    for (const type of names) expect(paimonTypeFromTapType({ type } as TapType)).toBeDefined();
  });
});

describe("create: TapField → Paimon column", () => {
  it("the dataType wins when recognised, then the TapType, then STRING", () => {
    expect(paimonColumnFromTapField({ name: "a", dataType: "INT", tapType: { type: "TapString" } }).type).toEqual(f.INT());
    expect(paimonColumnFromTapField({ name: "a", dataType: "MEDIUMINT", tapType: { type: "TapNumber", bit: 24 } }).type).toEqual(f.INT());
    expect(paimonColumnFromTapField({ name: "a", dataType: "GEOMETRY" }).type).toEqual(f.STRING());
    expect(paimonColumnFromTapField({ name: "a" }).type).toEqual(f.STRING());
  });

  it("marks JSON columns, including STRING chosen for a TapArray/TapMap/TapRaw by the codec override", () => {
    expect(paimonColumnFromTapField({ name: "a", dataType: "ARRAY" })).toEqual({ name: "a", type: f.STRING(), encoding: "json" });
    expect(paimonColumnFromTapField({ name: "a", dataType: "STRING", tapType: { type: "TapMap" } }).encoding).toBe("json");
    expect(paimonColumnFromTapField({ name: "a", dataType: "STRING", tapType: { type: "TapString" } }).encoding).toBe("native");
    expect(paimonColumnFromTapField({ name: "a", dataType: "ARRAY<INT>" }, { nested: "native" })).toEqual({ name: "a", type: f.ARRAY(f.INT()), encoding: "native" });
  });

  it("nullability: always nullable by default (as Java); NOT NULL from the field on request", () => {
    expect(paimonColumnFromTapField({ name: "a", dataType: "INT", nullable: false }).type.nullable).toBe(true);
    expect(paimonColumnFromTapField({ name: "a", dataType: "INT", nullable: false }, { nullability: "from-field" }).type).toEqual(f.INT(false));
    expect(paimonColumnFromTapField({ name: "a", dataType: "INT NOT NULL" }, { nullability: "from-field" }).type).toEqual(f.INT(false));
    expect(paimonColumnFromTapField({ name: "a", dataType: "INT" }, { nullability: "from-field" }).type).toEqual(f.INT());
  });

  it("keeps the comment as the description", () => {
    expect(paimonColumnFromTapField({ name: "a", dataType: "INT", comment: "count" }).description).toBe("count");
  });

  it("invalid dataTypes fail the DDL with the field name", () => {
    expect(() => paimonColumnFromTapField({ name: "t", dataType: "TIME(6)" })).toThrow(/PAIMON_TIME_PRECISION_UNSUPPORTED: field=t/);
  });
});
