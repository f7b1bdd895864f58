import { DataTypes as T, parseTypeString } from "@paimon-ts/paimon-core";
import { ConversionError, valueToPaimon } from "../src/index.js";
import { checkToPaimon, fails, ts, type Case } from "./helpers.js";

const utc = (iso: string): number => new Date(iso).getTime();

describe("to Paimon: null and NOT NULL", () => {
  const cases: Case[] = [
    ["null in a nullable column", T.INT(), null, null],
    ["undefined (missing) in a nullable column", T.STRING(), undefined, null],
    ["null in a NOT NULL column", T.INT(false), null, fails("null-not-allowed")],
    ["undefined in a NOT NULL column", T.TIMESTAMP(3, false), undefined, fails("null-not-allowed")],
    ["null in a nullable native ARRAY (Java rejected even this)", T.ARRAY(T.INT()), null, null],
  ];
  it.each(cases)("%s", (...c) => checkToPaimon(c));
});

describe("to Paimon: exact integers", () => {
  const cases: Case[] = [
    ["TINYINT number", T.TINYINT(), 127, 127],
    ["TINYINT min", T.TINYINT(), -128, -128],
    ["TINYINT overflow", T.TINYINT(), 128, fails("out-of-range")],
    ["SMALLINT overflow", T.SMALLINT(), -32769, fails("out-of-range")],
    ["INT max", T.INT(), 2147483647, 2147483647],
    ["INT overflow", T.INT(), 2147483648, fails("out-of-range")],
    ["INT from bigint", T.INT(), 42n, 42],
    ["INT from out-of-range bigint", T.INT(), 2n ** 40n, fails("out-of-range")],
    ["INT fraction", T.INT(), 1.5, fails("not-an-integer")],
    ["INT whole double", T.INT(), 3.0, 3],
    ["INT -0 becomes 0", T.INT(), -0, 0],
    ["INT NaN", T.INT(), NaN, fails("not-finite")],
    ["INT Infinity", T.INT(), Infinity, fails("not-finite")],
    ["INT numeric string", T.INT(), " -42 ", -42],
    ["INT whole decimal string", T.INT(), "12.000", 12],
    ["INT exponent string", T.INT(), "1.5e3", 1500],
    ["INT fractional string", T.INT(), "1.5", fails("not-an-integer")],
    ["INT string overflow", T.INT(), "2147483648", fails("out-of-range")],
    ["INT empty string", T.INT(), "", fails("invalid-number")],
    ["INT non-numeric string", T.INT(), "12abc", fails("invalid-number")],
    ["INT locale decimal comma", T.INT(), "1,5", fails("invalid-number")],
    ["INT thousands separator", T.INT(), "1 000", fails("invalid-number")],
    ["INT non-ASCII digits", T.INT(), "١٢٣", fails("invalid-number")],
    ["INT hex", T.INT(), "0x10", fails("invalid-number")],
    ["INT strings refused on request (Java's rule)", T.INT(), "1", fails("type-mismatch"), { numericStrings: false }],
    ["INT boolean", T.INT(), true, fails("type-mismatch")],
    ["INT Date", T.INT(), new Date(0), fails("type-mismatch")],
    ["BIGINT beyond 2^53 from bigint", T.BIGINT(), 9007199254740993n, 9007199254740993n],
    ["BIGINT from string, exact", T.BIGINT(), "9223372036854775807", 9223372036854775807n],
    ["BIGINT min from string", T.BIGINT(), "-9223372036854775808", -9223372036854775808n],
    ["BIGINT overflow string", T.BIGINT(), "9223372036854775808", fails("out-of-range")],
    ["BIGINT overflow bigint", T.BIGINT(), -(2n ** 63n) - 1n, fails("out-of-range")],
    ["BIGINT overflow double 2^63", T.BIGINT(), 2 ** 63, fails("out-of-range")],
    ["BIGINT integral double is taken exactly", T.BIGINT(), 2 ** 60, 2n ** 60n],
    ["BIGINT number", T.BIGINT(), -5, -5n],
    ["BIGINT -0", T.BIGINT(), -0, 0n],
    ["BIGINT fraction", T.BIGINT(), 0.5, fails("not-an-integer")],
    ["BIGINT NaN", T.BIGINT(), NaN, fails("not-finite")],
    ["BIGINT huge exponent", T.BIGINT(), "1e999999999", fails("out-of-range")],
    ["BIGINT tiny exponent", T.BIGINT(), "1e-999999999", fails("not-an-integer")],
    ["BIGINT zero with huge exponent", T.BIGINT(), "0e999999999", 0n],
  ];
  it.each(cases)("%s", (...c) => checkToPaimon(c));
});

describe("to Paimon: DECIMAL, HALF_UP and overflow", () => {
  const d52 = T.DECIMAL(5, 2);
  const cases: Case[] = [
    ["half up from string", d52, "1.235", 124n],
    ["half up, negative (away from zero)", d52, "-1.235", -124n],
    ["below half", d52, "1.2349999", 123n],
    ["number via its shortest text (1.005, like BigDecimal.valueOf)", d52, 1.005, 101n],
    ["number 0.125", T.DECIMAL(3, 2), 0.125, 13n],
    ["number -0.125", T.DECIMAL(3, 2), -0.125, -13n],
    ["scale up from bigint", d52, 123n, 12300n],
    ["exponent string", d52, "1e2", 10000n],
    ["trimmed string", d52, " 12.5 ", 1250n],
    ["max", d52, "999.99", 99999n],
    ["overflow", d52, "1000.00", fails("decimal-overflow")],
    ["overflow only after rounding", d52, "999.995", fails("decimal-overflow")],
    ["just below the rounding overflow", d52, "999.994", 99999n],
    ["overflow from bigint", d52, 1000n, fails("decimal-overflow")],
    ["overflow from number", d52, -1e10, fails("decimal-overflow")],
    ["tiny rounds to zero", d52, "1e-400", 0n],
    ["huge overflows", d52, "1e400", fails("decimal-overflow")],
    ["38 nines", T.DECIMAL(38, 0), "9".repeat(38), BigInt("9".repeat(38))],
    ["39 digits", T.DECIMAL(38, 0), `1${"0".repeat(38)}`, fails("decimal-overflow")],
    ["half up at scale 10", T.DECIMAL(38, 10), 5e-11, 1n],
    ["below half at scale 10", T.DECIMAL(38, 10), 4.9e-11, 0n],
    ["bigint beyond 2^64", T.DECIMAL(20, 0), 12345678901234567890n, 12345678901234567890n],
    ["decimal comma", d52, "12,5", fails("invalid-number")],
    ["empty", d52, "", fails("invalid-number")],
    ["text", d52, "abc", fails("invalid-number")],
    ["Infinity text", d52, "Infinity", fails("invalid-number")],
    ["NaN", d52, NaN, fails("not-finite")],
    ["Infinity", d52, -Infinity, fails("not-finite")],
    ["boolean", d52, false, fails("type-mismatch")],
    ["strings always accepted, as in Java", d52, "1.5", 150n, { numericStrings: false }],
  ];
  it.each(cases)("%s", (...c) => checkToPaimon(c));
});

describe("to Paimon: FLOAT, DOUBLE, BOOLEAN", () => {
  const cases: Case[] = [
    ["DOUBLE number", T.DOUBLE(), 1.5, 1.5],
    ["DOUBLE -0 kept", T.DOUBLE(), -0, -0],
    ["DOUBLE string", T.DOUBLE(), "2.5e-3", 0.0025],
    ["DOUBLE bigint", T.DOUBLE(), 3n, 3],
    ["DOUBLE bigint beyond double", T.DOUBLE(), 2n ** 1024n, fails("out-of-range")],
    ["DOUBLE text overflow", T.DOUBLE(), "1e999", fails("out-of-range")],
    ["DOUBLE hex text", T.DOUBLE(), "0x10", fails("invalid-number")],
    ["DOUBLE NaN", T.DOUBLE(), NaN, fails("not-finite")],
    ["DOUBLE -Infinity", T.DOUBLE(), -Infinity, fails("not-finite")],
    ["DOUBLE NaN allowed", T.DOUBLE(), NaN, NaN, { allowNonFinite: true }],
    ["DOUBLE Infinity text allowed", T.DOUBLE(), "-Infinity", -Infinity, { allowNonFinite: true }],
    ["DOUBLE string refused on request", T.DOUBLE(), "1", fails("type-mismatch"), { numericStrings: false }],
    ["DOUBLE boolean", T.DOUBLE(), true, fails("type-mismatch")],
    ["FLOAT rounds to float32", T.FLOAT(), 0.1, Math.fround(0.1)],
    ["FLOAT overflow", T.FLOAT(), 1e39, fails("out-of-range")],
    ["FLOAT max", T.FLOAT(), 3.4028234663852886e38, 3.4028234663852886e38],
    ["BOOLEAN true", T.BOOLEAN(), true, true],
    ["BOOLEAN false", T.BOOLEAN(), false, false],
    ["BOOLEAN from 1 (refused, as in Java)", T.BOOLEAN(), 1, fails("type-mismatch")],
    ["BOOLEAN from text", T.BOOLEAN(), "true", fails("type-mismatch")],
  ];
  it.each(cases)("%s", (...c) => checkToPaimon(c));
});

describe("to Paimon: CHAR, VARCHAR, STRING", () => {
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  const cases: Case[] = [
    ["string", T.STRING(), "héllo", "héllo"],
    ["number stringified (legacy STRING columns take numeric CDC)", T.STRING(), 42, "42"],
    ["double stringified", T.STRING(), 1.5, "1.5"],
    ["bigint stringified", T.STRING(), 12345678901234567890n, "12345678901234567890"],
    ["boolean stringified", T.STRING(), true, "true"],
    ["Date as ISO-8601 UTC", T.STRING(), new Date(0), "1970-01-01T00:00:00.000Z"],
    ["invalid Date", T.STRING(), new Date(NaN), fails("invalid-format")],
    ["array as JSON", T.STRING(), [1, "a", null, 12345678901234567890n], '[1,"a",null,12345678901234567890]'],
    ["object as JSON", T.STRING(), { b: 1, a: [true] }, '{"b":1,"a":[true]}'],
    ["object as JSON, sorted keys", T.STRING(), { b: 1, a: [true] }, '{"a":[true],"b":1}', { sortJsonKeys: true }],
    ["Map as JSON", T.STRING(), new Map([["k", 1]]), '{"k":1}'],
    ["NaN inside JSON", T.STRING(), { a: [1, NaN] }, fails("not-finite", "{0}[1]")],
    ["cycle inside JSON", T.STRING(), cyclic, fails("unsupported-in-json", "{0}")],
    ["class instance inside JSON", T.STRING(), { a: new (class Secret {})() }, fails("unsupported-in-json", "{0}")],
    ["bytes refused", T.STRING(), new Uint8Array([65]), fails("type-mismatch")],
    ["symbol refused", T.STRING(), Symbol("x"), fails("type-mismatch")],
    ["unpaired surrogate", T.STRING(), "a\uD800b", fails("invalid-unicode")],
    ["paired surrogates", T.STRING(), "😀", "😀"],
    ["length not enforced by default (as in Java)", T.VARCHAR(3), "abcd", "abcd"],
    ["length enforced on request", T.VARCHAR(3), "abcd", fails("too-long"), { enforceLength: true }],
    ["length counts code points", T.VARCHAR(3), "😀😀😀", "😀😀😀", { enforceLength: true }],
    ["CHAR length", T.CHAR(2), "abc", fails("too-long"), { enforceLength: true }],
    ["STRING is never too long", T.STRING(), "x".repeat(10_000), "x".repeat(10_000), { enforceLength: true }],
    ["YEAR stored as CHAR(4)", T.CHAR(4), 2024, "2024"],
    ["JSON column: a string is JSON-quoted", T.STRING(), "a", '"a"', { json: true }],
    ["JSON column: a number", T.STRING(), 5, "5", { json: true }],
    ["JSON column: a big integer stays exact", T.STRING(), 12345678901234567890n, "12345678901234567890", { json: true }],
    ["JSON column: bytes as base64", T.STRING(), new Uint8Array([1, 2]), '"AQI="', { json: true }],
    ["JSON column: a Date as ISO text", T.STRING(), new Date(0), '"1970-01-01T00:00:00.000Z"', { json: true }],
    ["JSON column: NaN", T.STRING(), NaN, fails("not-finite"), { json: true }],
    ["JSON column: null is SQL NULL", T.STRING(), null, null, { json: true }],
  ];
  it.each(cases)("%s", (...c) => checkToPaimon(c));
});

describe("to Paimon: BINARY, VARBINARY, BYTES", () => {
  const cases: Case[] = [
    ["Uint8Array", T.BYTES(), new Uint8Array([1, 2]), new Uint8Array([1, 2])],
    ["Buffer becomes a plain Uint8Array view", T.BYTES(), Buffer.from([1, 2]), new Uint8Array([1, 2])],
    ["ArrayBuffer", T.BYTES(), new Uint8Array([3]).buffer, new Uint8Array([3])],
    ["base64 text refused (ambiguous)", T.BYTES(), "AQI=", fails("type-mismatch")],
    ["number array refused", T.BYTES(), [1, 2], fails("type-mismatch")],
    ["length enforced on request", T.BINARY(1), new Uint8Array([1, 2]), fails("too-long"), { enforceLength: true }],
    ["VARBINARY within length", T.VARBINARY(2), new Uint8Array([1, 2]), new Uint8Array([1, 2]), { enforceLength: true }],
  ];
  it.each(cases)("%s", (...c) => checkToPaimon(c));

  it("does not copy the bytes", () => {
    const buf = Buffer.from([9, 9, 9]);
    const out = valueToPaimon(T.BYTES())(buf) as Uint8Array;
    expect(out.constructor).toBe(Uint8Array);
    expect(out.buffer).toBe(buf.buffer);
  });
});

describe("to Paimon: DATE", () => {
  const cases: Case[] = [
    ["epoch days", T.DATE(), 19782, 19782],
    ["negative epoch days", T.DATE(), -1, -1],
    ["ISO date", T.DATE(), "2024-02-29", 19782],
    ["ISO date before the epoch", T.DATE(), "1969-12-31", -1],
    ["year 1", T.DATE(), "0001-01-01", -719162],
    ["expanded year", T.DATE(), "+10000-01-01", 2932897],
    ["not a leap year", T.DATE(), "2023-02-29", fails("invalid-format")],
    ["a bare number as text (refused, as in Java)", T.DATE(), "12", fails("invalid-format")],
    ["Date before the epoch floors (-1 s is day -1)", T.DATE(), new Date(-1000), -1],
    ["Date at UTC midnight", T.DATE(), new Date("2024-02-29T00:00:00Z"), 19782],
    ["DateTime {seconds: -1} floors to day -1 (the date codec's tested rule)", T.DATE(), { seconds: -1, nano: 0 }, -1],
    ["DateTime late in the day", T.DATE(), { seconds: 86399, nanos: 999_999_999 }, 0],
    ["DateTime with bigint seconds", T.DATE(), { seconds: 86400n }, 1],
    ["bad DateTime", T.DATE(), { seconds: 1.5 }, fails("invalid-format")],
    ["fractional days", T.DATE(), 1.5, fails("not-an-integer")],
    ["beyond int32", T.DATE(), 2 ** 31, fails("out-of-range")],
    ["int32 max as bigint", T.DATE(), 2147483647n, 2147483647],
    ["invalid Date", T.DATE(), new Date(NaN), fails("invalid-format")],
    ["boolean", T.DATE(), true, fails("type-mismatch")],
  ];
  it.each(cases)("%s", (...c) => checkToPaimon(c));
});

describe("to Paimon: TIME precision units", () => {
  const cases: Case[] = [
    ["TIME(3) millis", T.TIME(3), 1001, 1001],
    ["TIME(0) whole seconds", T.TIME(0), 1000, 1000],
    ["TIME(0) refuses 1001 (the Java test)", T.TIME(0), 1001, fails("excess-precision")],
    ["TIME(1) tenths", T.TIME(1), 1100, 1100],
    ["TIME(1) refuses hundredths", T.TIME(1), 1110, fails("excess-precision")],
    ["TIME(2) hundredths", T.TIME(2), 1110, 1110],
    ["TIME(2) refuses millis", T.TIME(2), 1111, fails("excess-precision")],
    ["TIME(0) truncates on request", T.TIME(0), 1999, 1000, { excessPrecision: "truncate" }],
    ["last millisecond of the day", T.TIME(3), 86_399_999, 86_399_999],
    ["a whole day", T.TIME(3), 86_400_000, fails("out-of-range")],
    ["negative", T.TIME(3), -1, fails("out-of-range")],
    ["fraction of a millisecond", T.TIME(3), 1.5, fails("not-an-integer")],
    ["bigint", T.TIME(3), 5n, 5],
    ["text", T.TIME(3), "12:34:56.789", 45_296_789],
    ["text, zero sub-millisecond digits", T.TIME(3), "12:34:56.789000", 45_296_789],
    ["text, sub-millisecond digits", T.TIME(3), "12:34:56.7891", fails("excess-precision")],
    ["text without seconds", T.TIME(0), "12:34", 45_240_000],
    ["text 24:00", T.TIME(0), "24:00:00", fails("invalid-format")],
    ["DateTime-style time of day", T.TIME(3), { seconds: 3600, nano: 1_000_000 }, 3_600_001],
    ["sub-millisecond nanos (refused, as the Java time codec does)", T.TIME(3), { seconds: 3600, nanos: 1 }, fails("excess-precision")],
    ["seconds beyond the day", T.TIME(3), { seconds: 86400 }, fails("out-of-range")],
    ["Date on 1970-01-01", T.TIME(3), new Date(5000), 5000],
    ["Date on another day", T.TIME(3), new Date(86_400_000), fails("out-of-range")],
    ["existing TIME(6) column behaves as TIME(3)", T.TIME(6), 1001, 1001],
    ["existing TIME(6) column, micro digits", T.TIME(6), "00:00:00.000001", fails("excess-precision")],
    ["boolean", T.TIME(3), false, fails("type-mismatch")],
  ];
  it.each(cases)("%s", (...c) => checkToPaimon(c));
});

describe("to Paimon: TIMESTAMP and TIMESTAMP_LTZ", () => {
  const t0 = utc("2024-01-02T03:04:05.123Z");
  const cases: Case[] = [
    ["Date", T.TIMESTAMP(3), new Date(t0), ts(t0)],
    ["Date before the epoch", T.TIMESTAMP(3), new Date(-1), ts(-1)],
    ["DateTime with nanos (TIMESTAMP(9))", T.TIMESTAMP(9), { seconds: 1, nanos: 123_456_789 }, ts(1123, 456_789)],
    ["DateTime, PDK field name `nano`", T.TIMESTAMP(9), { seconds: "10", nano: 5 }, ts(10_000, 5)],
    ["negative epoch keeps its nanos", T.TIMESTAMP(6), { seconds: -1, nanos: 999_999_000 }, ts(-1, 999_000)],
    ["digits beyond the precision", T.TIMESTAMP(6), { seconds: 1, nanos: 123_456_789 }, fails("excess-precision")],
    ["digits beyond the precision, truncated", T.TIMESTAMP(6), { seconds: 1, nanos: 123_456_789 }, ts(1123, 456_000), { excessPrecision: "truncate" }],
    ["truncation floors before the epoch", T.TIMESTAMP(0), new Date(-1), ts(-1000), { excessPrecision: "truncate" }],
    ["TIMESTAMP(0) refuses milliseconds", T.TIMESTAMP(0), new Date(5), fails("excess-precision")],
    ["bad nanos", T.TIMESTAMP(9), { seconds: 1, nanos: 1_000_000_000 }, fails("invalid-format")],
    ["zone-less ISO text is a wall clock", T.TIMESTAMP(9), "2024-01-02T03:04:05.123456789", ts(t0, 456_789)],
    ["ISO text with a space", T.TIMESTAMP(3), "2024-01-02 03:04:05.123", ts(t0)],
    ["ISO date only", T.TIMESTAMP(0), "2024-01-02", ts(utc("2024-01-02T00:00:00Z"))],
    ["before the epoch", T.TIMESTAMP(6), "1969-12-31T23:59:59.999999", ts(-1, 999_000)],
    ["year 1", T.TIMESTAMP(0), "0001-01-01T00:00:00", ts(-62135596800000)],
    ["ISO text with an offset into TIMESTAMP: wall clock in UTC", T.TIMESTAMP(0), "2024-01-02 03:04:05+08:00", ts(utc("2024-01-01T19:04:05Z"))],
    ["… or in the configured zone", T.TIMESTAMP(0), "2024-01-02 03:04:05+08:00", ts(utc("2024-01-02T03:04:05Z")), { timeZone: "+08:00" }],
    ["instant into TIMESTAMP in an IANA zone", T.TIMESTAMP(0), new Date("2024-07-01T00:00:00Z"), ts(utc("2024-07-01T08:00:00Z")), { timeZone: "Asia/Shanghai" }],
    ["LTZ: instant stays", T.TIMESTAMP_LTZ(3), new Date(t0), ts(t0), { timeZone: "Asia/Shanghai" }],
    ["LTZ: zone-less text read in UTC by default", T.TIMESTAMP_LTZ(0), "2024-01-02 03:04:05", ts(utc("2024-01-02T03:04:05Z"))],
    ["LTZ: zone-less text read in the configured zone", T.TIMESTAMP_LTZ(0), "2024-01-02 03:04:05", ts(utc("2024-01-01T19:04:05Z")), { timeZone: "Asia/Shanghai" }],
    ["LTZ: text with an offset ignores the zone", T.TIMESTAMP_LTZ(0), "2024-01-02T03:04:05Z", ts(utc("2024-01-02T03:04:05Z")), { timeZone: "Asia/Shanghai" }],
    ["LTZ: wall clock in a DST gap moves forward", T.TIMESTAMP_LTZ(0), "2024-03-10T02:30:00", ts(utc("2024-03-10T07:30:00Z")), { timeZone: "America/New_York" }],
    ["LTZ: wall clock in a DST overlap takes the earlier offset", T.TIMESTAMP_LTZ(0), "2024-11-03T01:30:00", ts(utc("2024-11-03T05:30:00Z")), { timeZone: "America/New_York" }],
    ["TIMESTAMP: both instants of an overlap give the same wall clock (1)", T.TIMESTAMP(0), new Date("2024-11-03T05:30:00Z"), ts(utc("2024-11-03T01:30:00Z")), { timeZone: "America/New_York" }],
    ["TIMESTAMP: both instants of an overlap give the same wall clock (2)", T.TIMESTAMP(0), new Date("2024-11-03T06:30:00Z"), ts(utc("2024-11-03T01:30:00Z")), { timeZone: "America/New_York" }],
    ["Paimon Timestamp passes through", T.TIMESTAMP(9), ts(5, 7), ts(5, 7), { timeZone: "Asia/Shanghai" }],
    ["Paimon Timestamp still obeys the precision", T.TIMESTAMP(3), ts(5, 7), fails("excess-precision")],
    ["numbers are ambiguous and refused", T.TIMESTAMP(3), 1_700_000_000_000, fails("type-mismatch")],
    ["bigints too", T.TIMESTAMP_LTZ(3), 1_700_000_000_000n, fails("type-mismatch")],
    ["epoch millis on request", T.TIMESTAMP(3), 1500, ts(1500), { epochNumbers: "millis" }],
    ["epoch seconds on request", T.TIMESTAMP(3), -2, ts(-2000), { epochNumbers: "seconds" }],
    ["epoch micros on request", T.TIMESTAMP(6), 1500n, ts(1, 500_000), { epochNumbers: "micros" }],
    ["epoch nanos on request", T.TIMESTAMP(9), 1n, ts(0, 1), { epochNumbers: "nanos" }],
    ["fractional epoch number", T.TIMESTAMP(3), 1.5, fails("not-an-integer"), { epochNumbers: "millis" }],
    ["bad month", T.TIMESTAMP(3), "2024-13-01T00:00:00", fails("invalid-format")],
    ["bad day", T.TIMESTAMP(3), "2024-02-30 00:00", fails("invalid-format")],
    ["garbage", T.TIMESTAMP(3), "yesterday", fails("invalid-format")],
    ["invalid Date", T.TIMESTAMP(3), new Date(NaN), fails("invalid-format")],
    ["IANA zone beyond its data range", T.TIMESTAMP(3), { seconds: 10n ** 15n }, fails("out-of-range"), { timeZone: "Europe/Paris" }],
    ["beyond Java's long millis", T.TIMESTAMP(3), { seconds: 10n ** 17n }, fails("out-of-range")],
    ["boolean", T.TIMESTAMP(3), true, fails("type-mismatch")],
  ];
  it.each(cases)("%s", (...c) => checkToPaimon(c));

  it("an unknown zone is a configuration error, raised when the converter is built", () => {
    expect(() => valueToPaimon(T.TIMESTAMP(3), { timeZone: "Mars/Olympus" })).toThrow(RangeError);
  });
});

describe("to Paimon: native nested columns (the Java connector refused them)", () => {
  const rowT = parseTypeString("ROW<a INT, b STRING NOT NULL>");
  const cases: Case[] = [
    ["ARRAY<INT>", T.ARRAY(T.INT()), [1, 2, "3", null], [1, 2, 3, null]],
    ["ARRAY element error has its index", T.ARRAY(T.INT()), [1, 1.5], fails("not-an-integer", "[1]")],
    ["ARRAY<INT NOT NULL> null element", T.ARRAY(T.INT(false)), [1, null], fails("null-not-allowed", "[1]")],
    ["ARRAY from JSON text", T.ARRAY(T.BIGINT()), "[1, 12345678901234567890]", fails("out-of-range", "[1]")],
    ["ARRAY from JSON text, exact", T.ARRAY(T.BIGINT()), "[1, 9223372036854775807]", [1n, 9223372036854775807n]],
    ["ARRAY from JSON text, refused on request", T.ARRAY(T.INT()), "[1]", fails("type-mismatch"), { jsonText: false }],
    ["ARRAY from bad JSON", T.ARRAY(T.INT()), "[1,", fails("invalid-json")],
    ["ARRAY from an object", T.ARRAY(T.INT()), { a: 1 }, fails("type-mismatch")],
    ["MAP<STRING, BIGINT> from an object", T.MAP(T.STRING(), T.BIGINT()), { a: 1, b: "2" }, { keys: ["a", "b"], values: [1n, 2n] }],
    ["MAP<INT, STRING>: object keys are text", T.MAP(T.INT(), T.STRING()), { "1": "x", "-2": "y" }, { keys: [1, -2], values: ["x", "y"] }],
    ["MAP<INT, …> keys parse even with numericStrings off", T.MAP(T.INT(), T.STRING()), { "7": "x" }, { keys: [7], values: ["x"] }, { numericStrings: false }],
    ["MAP from a Map keeps key types", T.MAP(T.BIGINT(), T.BOOLEAN()), new Map([[5n, true]]), { keys: [5n], values: [true] }],
    ["MAP duplicate keys after conversion", T.MAP(T.INT(), T.STRING()), new Map<unknown, string>([[1, "a"], ["1", "b"]]), fails("duplicate-map-key", "{1}.key")],
    ["MAP null key", T.MAP(T.STRING(), T.STRING()), new Map([[null, "x"]]), fails("null-map-key", "{0}.key")],
    ["MAP bad key", T.MAP(T.INT(), T.STRING()), { x: "1" }, fails("invalid-number", "{0}.key")],
    ["MAP bad value", T.MAP(T.STRING(), T.INT()), { a: 1, b: "x" }, fails("invalid-number", "{1}.value")],
    ["MAP from JSON text", T.MAP(T.STRING(), T.DOUBLE()), '{"a":1.5}', { keys: ["a"], values: [1.5] }],
    ["MAP from an array", T.MAP(T.STRING(), T.INT()), [1], fails("type-mismatch")],
    ["ROW from an object", rowT, { a: 1, b: "x" }, [1, "x"]],
    ["ROW missing nullable field", rowT, { b: "x" }, [null, "x"]],
    ["ROW missing NOT NULL field", rowT, { a: 1 }, fails("null-not-allowed", ".b")],
    ["ROW unknown member (never dropped silently)", rowT, { a: 1, b: "x", c: 2 }, fails("unknown-field")],
    ["ROW positional", rowT, [1, "x"], [1, "x"]],
    ["ROW positional, wrong arity", rowT, [1], fails("type-mismatch")],
    ["ROW from a Map", rowT, new Map<string, unknown>([["a", 2], ["b", "y"]]), [2, "y"]],
    ["ROW field error has its name", rowT, { a: "x", b: "y" }, fails("invalid-number", ".a")],
    ["MULTISET counts", T.MULTISET(T.STRING()), ["a", "b", "a"], { keys: ["a", "b"], values: [2, 1] }],
    ["MULTISET of numbers equal after conversion", T.MULTISET(T.INT()), [1, "1"], { keys: [1], values: [2] }],
    [
      "deeply nested paths",
      parseTypeString("ARRAY<ROW<tags MAP<STRING, ARRAY<INT>>>>"),
      [{ tags: { a: [1] } }, { tags: { a: [1], b: [2, "x"] } }],
      fails("invalid-number", "[1].tags{1}.value[1]"),
    ],
    [
      "deeply nested success",
      parseTypeString("ARRAY<ROW<ts TIMESTAMP(3), d DECIMAL(4, 1)>>"),
      [{ ts: "2024-01-02T03:04:05.123", d: "1.25" }],
      [[ts(utc("2024-01-02T03:04:05.123Z")), 13n]],
    ],
  ];
  it.each(cases)("%s", (...c) => checkToPaimon(c));

  it("errors from nested values name the failing element's own type", () => {
    const e = valueToPaimon(T.ARRAY(T.DECIMAL(3, 1)), { field: "prices" })(["1", "1000"]) as ConversionError;
    expect(e).toMatchObject({ field: "prices", path: "[1]", target: "DECIMAL(3, 1)", rule: "decimal-overflow", valueKind: "string" });
  });
});
