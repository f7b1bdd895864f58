import { DataTypeExpressions, floatBounds, PAIMON_DATA_TYPES, type DataTypeMappings, type TapType } from "../src/index.js";

// The Java connector's dataTypes, as listed in the connector reference (§1.3): the parser
// must give the same ranges and defaults from them.
const JAVA_DATA_TYPES: DataTypeMappings = {
  BOOLEAN: { to: "TapBoolean" },
  TINYINT: { to: "TapNumber", bit: 8, precision: 3, value: [-128, 127] },
  SMALLINT: { to: "TapNumber", bit: 16, precision: 5, value: [-32768, 32767] },
  INT: { to: "TapNumber", bit: 32, precision: 10, value: [-2147483648, 2147483647] },
  INTEGER: { to: "TapNumber", bit: 32, precision: 10, value: [-2147483648, 2147483647] },
  BIGINT: { to: "TapNumber", bit: 64, precision: 19, value: ["-9223372036854775808", "9223372036854775807"] },
  FLOAT: { to: "TapNumber", bit: 32, precision: 7, scale: 7, fixed: false },
  DOUBLE: { to: "TapNumber", bit: 64, precision: 15, scale: 15, fixed: false },
  "DECIMAL[($precision,$scale)]": { to: "TapNumber", precision: [1, 38], scale: [0, 38], defaultPrecision: 38, defaultScale: 10, fixed: true },
  "CHAR[($byte)]": { to: "TapString", byte: 255, fixed: true },
  "VARCHAR[($byte)]": { to: "TapString", byte: 65535 },
  STRING: { to: "TapString", byte: "2147483647" },
  "BINARY[($byte)]": { to: "TapBinary", byte: "255", fixed: true },
  "VARBINARY[($byte)]": { to: "TapBinary", byte: "65535" },
  BYTES: { to: "TapBinary", byte: "2147483647" },
  DATE: { to: "TapDate", range: ["0001-01-01", "9999-12-31"], pattern: "yyyy-MM-dd" },
  "TIME[($fraction)]": { to: "TapTime", fraction: [0, 3], defaultFraction: 3, range: ["00:00:00", "23:59:59"], pattern: "HH:mm:ss" },
  "TIMESTAMP[($fraction)]": { to: "TapDateTime", range: ["1970-01-01 00:00:00", "2038-01-19 03:14:07"], fraction: [0, 6], defaultFraction: 6 },
  "TIMESTAMP[($fraction)] WITH LOCAL TIME ZONE": {
    to: "TapDateTime",
    range: ["1970-01-01 00:00:01", "2038-01-19 03:14:07"],
    fraction: [0, 6],
    defaultFraction: 6,
    withTimeZone: true,
  },
  ARRAY: { to: "TapArray", byte: "2147483647" },
  MAP: { to: "TapMap", byte: "2147483647" },
  ROW: { to: "TapMap", byte: "2147483647" },
};

const java = new DataTypeExpressions(JAVA_DATA_TYPES);
const ours = new DataTypeExpressions(PAIMON_DATA_TYPES);

describe("dataTypes expressions: the Java connector's table", () => {
  const cases: [string, TapType][] = [
    ["BOOLEAN", { type: "TapBoolean" }],
    ["TINYINT", { type: "TapNumber", bit: 8, precision: 3, minValue: "-128", maxValue: "127" }],
    ["SMALLINT", { type: "TapNumber", bit: 16, precision: 5, minValue: "-32768", maxValue: "32767" }],
    ["INT", { type: "TapNumber", bit: 32, precision: 10, minValue: "-2147483648", maxValue: "2147483647" }],
    ["INTEGER", { type: "TapNumber", bit: 32, precision: 10, minValue: "-2147483648", maxValue: "2147483647" }],
    ["BIGINT", { type: "TapNumber", bit: 64, precision: 19, minValue: "-9223372036854775808", maxValue: "9223372036854775807" }],
    ["FLOAT", { type: "TapNumber", bit: 32, precision: 7, scale: 7, fixed: false, minValue: floatBounds(32)[0], maxValue: floatBounds(32)[1] }],
    ["DOUBLE", { type: "TapNumber", bit: 64, precision: 15, scale: 15, fixed: false, minValue: floatBounds(64)[0], maxValue: floatBounds(64)[1] }],
    ["DECIMAL", { type: "TapNumber", precision: 38, scale: 10, fixed: true, minValue: `-${"9".repeat(28)}.${"9".repeat(10)}`, maxValue: `${"9".repeat(28)}.${"9".repeat(10)}` }],
    ["DECIMAL(10,2)", { type: "TapNumber", precision: 10, scale: 2, fixed: true, minValue: "-99999999.99", maxValue: "99999999.99" }],
    // Paimon prints a space after the comma; parameters are trimmed, so it matches.
    ["DECIMAL(38, 0)", { type: "TapNumber", precision: 38, scale: 0, fixed: true, minValue: `-${"9".repeat(38)}`, maxValue: "9".repeat(38) }],
    ["CHAR", { type: "TapString", bytes: 255, fixed: true }],
    ["CHAR(4)", { type: "TapString", bytes: 4, fixed: true }],
    ["VARCHAR", { type: "TapString", bytes: 65535 }],
    ["VARCHAR(100000)", { type: "TapString", bytes: 100000 }],
    ["STRING", { type: "TapString", bytes: 2147483647 }],
    ["BINARY", { type: "TapBinary", bytes: 255, fixed: true }],
    ["VARBINARY(16)", { type: "TapBinary", bytes: 16 }],
    ["BYTES", { type: "TapBinary", bytes: 2147483647 }],
    ["DATE", { type: "TapDate", min: "0001-01-01", max: "9999-12-31" }],
    ["TIME", { type: "TapTime", fraction: 3, defaultFraction: 3, min: "00:00:00", max: "23:59:59" }],
    ["TIME(0)", { type: "TapTime", fraction: 0, defaultFraction: 3, min: "00:00:00", max: "23:59:59" }],
    ["TIMESTAMP", { type: "TapDateTime", fraction: 6, defaultFraction: 6, min: "1970-01-01 00:00:00", max: "2038-01-19 03:14:07" }],
    ["TIMESTAMP(3)", { type: "TapDateTime", fraction: 3, defaultFraction: 6, min: "1970-01-01 00:00:00", max: "2038-01-19 03:14:07" }],
    [
      "TIMESTAMP(6) WITH LOCAL TIME ZONE",
      { type: "TapDateTime", fraction: 6, defaultFraction: 6, withTimeZone: true, min: "1970-01-01 00:00:01", max: "2038-01-19 03:14:07" },
    ],
    ["ARRAY", { type: "TapArray" }],
    ["MAP", { type: "TapMap" }],
    ["ROW", { type: "TapMap" }],
  ];
  it.each(cases)("%s", (dataType, expected) => {
    expect(java.toTapType(dataType)).toEqual(expected);
  });

  it("matches case-insensitively and collapses whitespace", () => {
    expect(java.toTapType("decimal( 10 ,  2 )")).toEqual(java.toTapType("DECIMAL(10,2)"));
    expect(java.toTapType("  timestamp(3)   with local   time zone ")).toEqual(java.toTapType("TIMESTAMP(3) WITH LOCAL TIME ZONE"));
    expect(java.match("Integer")?.expression).toBe("INTEGER");
  });

  it("does not confuse prefixes (TIME vs TIMESTAMP, CHAR vs VARCHAR)", () => {
    expect(java.match("TIMESTAMP(6)")?.expression).toBe("TIMESTAMP[($fraction)]");
    expect(java.match("TIME(2)")?.expression).toBe("TIME[($fraction)]");
    expect(java.match("VARCHAR(3)")?.expression).toBe("VARCHAR[($byte)]");
    expect(java.match("TIMESTAMP(6) WITH LOCAL TIME ZONE")?.expression).toBe("TIMESTAMP[($fraction)] WITH LOCAL TIME ZONE");
  });

  it("Paimon's nested spellings do not match the Java table's bare keys (a reference ambiguity, fixed in ours)", () => {
    expect(java.match("ARRAY<INT>")).toBeUndefined();
    expect(java.match("MAP<STRING, INT>")).toBeUndefined();
    expect(ours.toTapType("ARRAY<INT>")).toEqual({ type: "TapArray" });
    expect(ours.toTapType("MULTISET<STRING>")).toEqual({ type: "TapArray" });
    expect(ours.toTapType("MAP<STRING, MAP<INT, ARRAY<INT>>>")).toEqual({ type: "TapMap" });
    expect(ours.toTapType("ROW<`a` INT, `b` STRING 'x, y'>")).toEqual({ type: "TapMap" });
  });

  it("unknown names and non-numeric parameters match nothing", () => {
    expect(java.toTapType("GEOMETRY")).toBeUndefined();
    expect(java.toTapType("VARCHAR(MAX)")).toBeUndefined();
    expect(java.toTapType("DECIMAL(a,b)")).toBeUndefined();
    expect(java.toTapType("INT UNSIGNED")).toBeUndefined();
  });
});

describe("dataTypes expressions: generic syntax", () => {
  const mysqlish = new DataTypeExpressions({
    "tinyint[($m)][unsigned][zerofill]": { to: "TapNumber", bit: 8, unsigned: "unsigned", zerofill: "zerofill" },
    "decimal($precision, $scale)[unsigned]": { to: "TapNumber", precision: [1, 65], scale: [0, 30], unsigned: "unsigned", fixed: true },
    "bit($bit)": { to: "TapNumber", bit: 64 },
    "varchar($byte)": { to: "TapString", byte: "64k", defaultByte: 1 },
    mediumtext: { to: "TapString", byte: "16m" },
    "year[($m)]": { to: "TapYear", range: [1901, 2155] },
    "json": { to: "TapRaw" },
  });

  it("optional parts, unsigned and zerofill keywords", () => {
    expect(mysqlish.toTapType("tinyint")).toEqual({ type: "TapNumber", bit: 8, minValue: "-128", maxValue: "127" });
    expect(mysqlish.toTapType("tinyint(3) unsigned")).toEqual({ type: "TapNumber", bit: 8, unsigned: true, minValue: "0", maxValue: "255" });
    expect(mysqlish.toTapType("TINYINT UNSIGNED ZEROFILL")).toEqual({ type: "TapNumber", bit: 8, unsigned: true, zerofill: true, minValue: "0", maxValue: "255" });
    expect(mysqlish.toTapType("decimal(5, 2) unsigned")).toEqual({ type: "TapNumber", precision: 5, scale: 2, fixed: true, unsigned: true, minValue: "0", maxValue: "999.99" });
  });

  it("a bit parameter sets integer bounds", () => {
    expect(mysqlish.toTapType("bit(4)")).toEqual({ type: "TapNumber", bit: 4, minValue: "-8", maxValue: "7" });
  });

  it("byte sizes with k/m/g suffixes; a parameter beats the default", () => {
    expect(mysqlish.toTapType("mediumtext")).toEqual({ type: "TapString", bytes: 16 * 1024 * 1024 });
    expect(mysqlish.toTapType("varchar(20)")).toEqual({ type: "TapString", bytes: 20 });
  });

  it("TapYear ranges and TapRaw", () => {
    expect(mysqlish.toTapType("year")).toEqual({ type: "TapYear", min: 1901, max: 2155 });
    expect(mysqlish.toTapType("JSON")).toEqual({ type: "TapRaw" });
  });
});

describe("PAIMON_DATA_TYPES (ours)", () => {
  it("is plain JSON, ready for spec.json", () => {
    expect(JSON.parse(JSON.stringify(PAIMON_DATA_TYPES))).toEqual(PAIMON_DATA_TYPES);
  });

  it("keeps the Java connector's defaults", () => {
    expect(ours.toTapType("DECIMAL")).toMatchObject({ precision: 38, scale: 10, fixed: true });
    expect(ours.toTapType("TIME")).toMatchObject({ fraction: 3 });
    expect(ours.toTapType("TIMESTAMP")).toMatchObject({ fraction: 6 });
    expect(ours.toTapType("TIMESTAMP WITH LOCAL TIME ZONE")).toMatchObject({ fraction: 6, withTimeZone: true });
    expect(PAIMON_DATA_TYPES["TIME[($fraction)]"]).toMatchObject({ fraction: [0, 3], defaultFraction: 3 });
    expect(PAIMON_DATA_TYPES["DECIMAL[($precision,$scale)]"]).toMatchObject({ precision: [1, 38], scale: [0, 38], defaultPrecision: 38, defaultScale: 10, fixed: true });
    for (const k of ["CHAR[($byte)]", "VARCHAR[($byte)]", "BINARY[($byte)]", "VARBINARY[($byte)]", "STRING", "BYTES", "DATE"]) {
      expect(PAIMON_DATA_TYPES[k]).toEqual(JAVA_DATA_TYPES[k]);
    }
  });

  it("changes: TIMESTAMP range 0001–9999 and fraction 0–9; exact float bounds", () => {
    expect(ours.toTapType("TIMESTAMP(9)")).toEqual({ type: "TapDateTime", fraction: 9, defaultFraction: 6, min: "0001-01-01 00:00:00", max: "9999-12-31 23:59:59" });
    expect(ours.toTapType("FLOAT")).toMatchObject({ minValue: "-340282346638528859811704183484516925440", maxValue: "340282346638528859811704183484516925440" });
    expect(Number((ours.toTapType("DOUBLE") as { maxValue: string }).maxValue)).toBe(Number.MAX_VALUE);
  });
});
