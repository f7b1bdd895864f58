import { readFileSync } from "node:fs";
import { join } from "node:path";
import { DataTypes as T, type DataType } from "../src/types/datatype.js";
import { parseTypeString } from "../src/types/parse.js";
import {
  javaDoubleToString,
  javaFloatingToStringExact,
  javaFloatToString,
  javaLocalDateTimeToString,
  javaLocalDateToString,
  paimonFormatDate,
  paimonFormatTime,
  paimonFormatTimestamp,
  plainDecimalString,
  isJavaWhitespace,
} from "../src/data/java-format.js";
import {
  DEFAULT_PARTITION_NAME,
  escapePathName,
  partitionPath,
  partitionPathFromSpec,
  partitionSpec,
  partitionSpecFromPath,
  partitionValueToString,
  unescapePathName,
} from "../src/data/partition-path.js";
import { timestamp, type InternalValue } from "../src/data/values.js";

const SPEC = join(__dirname, "../../../../shared/paimon-spec");

/** Java's printed input value (LocalDateTime, BigDecimal, ...) → internal value. */
function fromJavaText(t: DataType, s: string): InternalValue {
  if (s === "null") return null;
  switch (t.root) {
    case "DATE":
    case "TIME":
    case "INT":
      return Number(s);
    case "DOUBLE":
      return Number(s);
    case "FLOAT":
      return Math.fround(Number(s));
    case "BOOLEAN":
      return s === "true";
    case "DECIMAL": {
      const [int, frac = ""] = s.split(".");
      return BigInt(int + frac.padEnd(t.scale, "0"));
    }
    case "TIMESTAMP": {
      const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d(?::\d\d)?)(?:\.(\d+))?$/.exec(s)!;
      const digits = (m[2] ?? "").padEnd(9, "0");
      return timestamp(BigInt(Date.parse(m[1] + "Z")) + BigInt(digits.slice(0, 3)), Number(digits.slice(3)));
    }
    default:
      return s;
  }
}

describe("java-partition-paths.txt", () => {
  const lines = readFileSync(join(SPEC, "java-partition-paths.txt"), "utf8").split("\n").filter((l) => l.trim() !== "");
  const parsed = lines.map((line) => {
    const m = /^legacy=(true|false)\s*: (ROW<.*>) {2}\[(.*)\] {2}-> {2}(.*)$/.exec(line);
    if (m === null) throw new Error(`unparsed line: ${line}`);
    return { legacy: m[1] === "true", row: parseTypeString(m[2]), values: m[3], path: m[4], line };
  });

  it("parses every line", () => expect(parsed.length).toBe(30));

  it.each(parsed.map((p) => [p.line, p] as const))("%s", (_line, p) => {
    if (p.row.root !== "ROW") throw new Error("expected a ROW type");
    const fields = p.row.fields.map((f) => ({ name: f.name, type: f.type }));
    // one field: the whole text; several: Java's List.toString joined them with ", "
    const texts = fields.length === 1 ? [p.values] : p.values.split(", ");
    const values = fields.map((f, i) => fromJavaText(f.type, texts[i]));
    expect(partitionPath(fields, values, { legacyName: p.legacy })).toBe(p.path);
    // and the path parses back to the value strings
    const spec = partitionSpecFromPath(p.path);
    expect(partitionPathFromSpec(spec)).toBe(p.path);
    expect(spec).toEqual(partitionSpec(fields, values, { legacyName: p.legacy }));
  });
});

describe("partition values", () => {
  const f = (name: string, type: DataType) => ({ name, type });

  it("uses the default name for null, empty and Java-whitespace-only values", () => {
    const fields = [f("a", T.STRING())];
    for (const blank of [null, "", " ", "\t\n", "\u3000", "\u2028", "\u001f"]) {
      expect(partitionPath(fields, [blank])).toBe(`a=${DEFAULT_PARTITION_NAME}/`);
    }
    // no-break spaces are not whitespace for Java
    expect(partitionPath(fields, ["\u00a0"])).toBe("a=\u00a0/");
    expect(partitionPath(fields, [null], { defaultName: "none" })).toBe("a=none/");
    expect(partitionPath([], [])).toBe("");
  });

  it("agrees with Character.isWhitespace on every UTF-16 unit (list printed by JDK 17)", () => {
    const javaList = "9,a,b,c,d,1c,1d,1e,1f,20,1680,2000,2001,2002,2003,2004,2005,2006,2008,2009,200a,2028,2029,205f,3000".split(",").map((h) => parseInt(h, 16));
    const mine: number[] = [];
    for (let c = 0; c < 0x10000; c++) if (isJavaWhitespace(c)) mine.push(c);
    expect(mine).toEqual(javaList);
  });

  it("renders each type like Java (legacy toString and CAST to STRING)", () => {
    const cases: [DataType, InternalValue, string, string][] = [
      [T.BOOLEAN(), false, "false", "false"],
      [T.TINYINT(), -5, "-5", "-5"],
      [T.BIGINT(), -9223372036854775808n, "-9223372036854775808", "-9223372036854775808"],
      [T.DECIMAL(38, 18), -1234567890123456789012345678n, "-1234567890.123456789012345678", "-1234567890.123456789012345678"],
      [T.DECIMAL(5, 0), 123n, "123", "123"],
      // year -1: DateTimeUtils.int4 prints digits as (char)('0' + digit) and the last one is -1
      [T.DATE(), -719529, "-719529", "000/-12-31"],
      [T.DATE(), 2932897, "2932897", "0000-01-01"], // year 10000; both confirmed with paimon-bundle 1.4.2
      [T.TIME(3), 45296500, "45296500", "12:34:56.5"],
      [T.TIME(3), 45296000, "45296000", "12:34:56.0"],
      [T.TIME(0), 45296789, "45296789", "12:34:56"],
      [T.TIMESTAMP(9), timestamp(-1n, 999999), "1969-12-31T23:59:59.999999999", "1969-12-31 23:59:59.999999999"],
      [T.TIMESTAMP(0), timestamp(0n), "1970-01-01T00:00", "1970-01-01 00:00:00"],
      [T.TIMESTAMP_LTZ(3), timestamp(1704103201120n), "2024-01-01T10:00:01.120", "2024-01-01 10:00:01.120"],
      [T.DOUBLE(), -0, "-0.0", "-0.0"],
      [T.FLOAT(), 1e-5, "1.0E-5", "1.0E-5"],
      [T.VARBINARY(10), new TextEncoder().encode("é/x"), "", "é/x"],
    ];
    for (const [type, value, legacy, cast] of cases) {
      if (legacy === "") expect(() => partitionValueToString(type, value, true)).toThrow(/legacy-name/);
      else expect(partitionValueToString(type, value, true)).toBe(legacy);
      expect(partitionValueToString(type, value, false)).toBe(cast);
    }
    expect(() => partitionValueToString(T.ARRAY(T.INT()), [1])).toThrow(/partition column/);
  });

  it("LocalDate/LocalDateTime.toString match java.time (printed by JDK 17)", () => {
    const dates: [number, string][] = [
      [0, "1970-01-01"], [19723, "2024-01-01"], [-1, "1969-12-31"], [-719528, "0000-01-01"], [-719529, "-0001-12-31"],
      [-719162, "0001-01-01"], [2932896, "9999-12-31"], [2932897, "+10000-01-01"], [-365, "1969-01-01"], [11016, "2000-02-29"],
      [-678942, "0111-02-14"], [60, "1970-03-02"], [-25567, "1900-01-01"], [47482, "2100-01-01"], [-1000000, "-0768-02-04"], [1000000, "4707-11-29"],
    ];
    for (const [d, s] of dates) expect(javaLocalDateToString(d)).toBe(s);
    const stamps: [bigint, number, string][] = [
      [0n, 0, "1970-01-01T00:00"], [1704103200000n, 0, "2024-01-01T10:00"], [1704103201123n, 400000, "2024-01-01T10:00:01.123400"],
      [-1n, 999999, "1969-12-31T23:59:59.999999999"], [-1n, 0, "1969-12-31T23:59:59.999"], [1704103201000n, 1, "2024-01-01T10:00:01.000000001"],
      [1704103201120n, 0, "2024-01-01T10:00:01.120"], [253402300800000n, 0, "+10000-01-01T00:00"], [-62135596800001n, 0, "0000-12-31T23:59:59.999"],
      [-62167219200000n, 5000, "0000-01-01T00:00:00.000005"],
    ];
    for (const [ms, nanos, s] of stamps) expect(javaLocalDateTimeToString(ms, nanos)).toBe(s);
  });

  it("the CAST forms follow Paimon's DateTimeUtils", () => {
    expect(paimonFormatDate(19723)).toBe("2024-01-01");
    expect(paimonFormatDate(11016)).toBe("2000-02-29");
    expect(paimonFormatDate(-719162)).toBe("0001-01-01");
    for (let d = -800000; d < 3000000; d += 997) {
      // within years 0..9999 the Julian-day algorithm agrees with the proleptic Gregorian calendar
      const iso = javaLocalDateToString(d);
      if (/^\d{4}-/.test(iso)) expect(paimonFormatDate(d)).toBe(iso);
    }
    expect(paimonFormatTime(-1, 3)).toBe("23:59:59.999");
    expect(paimonFormatTime(3_600_000, 6)).toBe("01:00:00.0");
    expect(paimonFormatTimestamp(1704103201123n, 400000, 3)).toBe("2024-01-01 10:00:01.1234");
    expect(paimonFormatTimestamp(1704103201000n, 0, 3)).toBe("2024-01-01 10:00:01.000");
    expect(paimonFormatTimestamp(1704103201000n, 0, 0)).toBe("2024-01-01 10:00:01");
  });

  it("DECIMAL is BigDecimal.toPlainString", () => {
    expect(plainDecimalString(150n, 2)).toBe("1.50");
    expect(plainDecimalString(-5n, 2)).toBe("-0.05");
    expect(plainDecimalString(0n, 2)).toBe("0.00");
    expect(plainDecimalString(123n, 0)).toBe("123");
  });
});

describe("Double.toString / Float.toString", () => {
  // Printed by JDK 17 and equal to the JDK 19+ (shortest) output.
  // JDK 17 differs on some values; e.g. 1e23 → "9.999999999999999E22" there, "1.0E23" since JDK 19.
  const JDK_FLOATING: [string, string, string][] = [
    ["D", "ba419d350dfe8af7", "-4.446421636188976E-28"],
    ["D", "c45c0284f083ce4", "1.5189558318407666E-249"],
    ["D", "46ee9d82b52c856d", "4.967612493611081E33"],
    ["D", "17610c99e74367bd", "4.561602440872777E-196"],
    ["D", "5e688e9961b35c88", "6.132869304281319E146"],
    ["D", "b0bfbe2076b20011", "-7.017860084113547E-74"],
    ["D", "c86c400eff88a1e3", "-7.690443792409689E40"],
    ["D", "26e6bc6f6fbddf55", "2.751485678589943E-121"],
    ["D", "bff9d9d5ee3dd852", "-1.6156825357734488"],
    ["D", "cc5c83052d68ad16", "-7.1588582055528665E59"],
    ["D", "982750f4569b5949", "-2.555236359312043E-192"],
    ["D", "402b5719d3727ff2", "13.670118911482835"],
    ["D", "2c167999289d95fa", "2.6305161135860186E-96"],
    ["D", "46302cd8c053e997", "1.2815299768796817E30"],
    ["D", "922fb35e148d9e82", "-4.3849174499425896E-221"],
    ["D", "1735c9ecc0a47def", "7.287113521378929E-197"],
    ["D", "80b069b510846b6", "6.394588115485262E-270"],
    ["D", "32f702b0d15b23ed", "3.495965784945304E-63"],
    ["D", "6aed9210c5004375", "1.1867157621731928E207"],
    ["D", "14a5c4b5b6a1caca", "3.31069738637408E-209"],
    ["F", "aee7bbe1", "-1.0538038E-10"],
    ["F", "f12bbb4b", "-8.5037376E29"],
    ["F", "aa616abe", "-2.0021048E-13"],
    ["F", "738597dc", "2.1168688E31"],
    ["F", "46976cf8", "19382.484"],
    ["F", "c3185754", "-152.34113"],
    ["F", "eb5910f1", "-2.624169E26"],
    ["F", "7096b883", "3.731665E29"],
    ["F", "62f60bdc", "2.2693768E21"],
    ["F", "268a478c", "9.595066E-16"],
    ["F", "35b353dd", "1.3360947E-6"],
    ["F", "9661a432", "-1.8227166E-25"],
    ["F", "a4c46c02", "-8.518442E-17"],
    ["F", "947c82ee", "-1.274857E-26"],
    ["F", "cc7229ce", "-6.3481656E7"],
    ["F", "2d53e28", "3.1333213E-37"],
    ["F", "f95a6723", "-7.0875786E34"],
    ["F", "887336a7", "-7.3189396E-34"],
    ["F", "4aaa0001", "5570560.5"],
    ["F", "988bd7d5", "-3.6148593E-24"],
    ["D", "4202a05f20000000", "1.0E10"],
    ["D", "3fb999999999999a", "0.1"],
    ["D", "4059000000000000", "100.0"],
    ["D", "416312d000000000", "1.0E7"],
    ["D", "416312cfe0000000", "9999999.0"],
    ["D", "3f50624dd2f1a9fc", "0.001"],
    ["D", "3f1a36e2eb1c432d", "1.0E-4"],
    ["D", "419d6f3454000000", "1.23456789E8"],
    ["D", "7fefffffffffffff", "1.7976931348623157E308"],
    ["D", "1", "4.9E-324"],
    ["D", "4", "2.0E-323"],
    ["D", "8000000000000000", "-0.0"],
    ["D", "3fd5555555555555", "0.3333333333333333"],
    ["D", "3f60624dd2f1a9fc", "0.002"],
    ["D", "3f50624dd2f1a9fc", "0.001"],
    ["D", "3f50624dd2f1a9fb", "9.999999999999998E-4"],
    ["F", "3dcccccd", "0.1"],
    ["F", "501502f9", "1.0E10"],
    ["F", "7f7fffff", "3.4028235E38"],
    ["F", "1", "1.4E-45"],
    ["F", "2", "2.8E-45"],
    ["F", "3eaaaaab", "0.33333334"],
    ["F", "4b800000", "1.6777216E7"],
    ["F", "40490fd0", "3.14159"],
    ["F", "3727c5ac", "1.0E-5"],
    ["F", "42c80000", "100.0"],
    ["F", "4b189680", "1.0E7"],
    ["F", "4b18967f", "9999999.0"],
    ["F", "3a83126f", "0.001"],
  ];
  const view = new DataView(new ArrayBuffer(8));
  const valueOf = (kind: string, bits: string): number => {
    if (kind === "D") {
      view.setBigUint64(0, BigInt("0x" + bits));
      return view.getFloat64(0);
    }
    view.setUint32(0, parseInt(bits, 16) >>> 0);
    return view.getFloat32(0);
  };

  it.each(JDK_FLOATING)("%s %s → %s", (kind, bits, expected) => {
    const x = valueOf(kind, bits);
    expect(kind === "D" ? javaDoubleToString(x) : javaFloatToString(x)).toBe(expected);
    expect(javaFloatingToStringExact(x, kind === "F")).toBe(expected);
  });

  it("prints the JDK 19+ (shortest, closest) digits where JDK ≤ 18 did not", () => {
    expect(javaDoubleToString(1e23)).toBe("1.0E23");
    expect(javaDoubleToString(2e23)).toBe("2.0E23");
    expect(javaFloatToString(2 ** -126)).toBe("1.1754944E-38");
    expect(javaFloatToString(1.13132703e18)).toBe("1.131327E18");
    expect(javaDoubleToString(Number.MIN_VALUE)).toBe("4.9E-324");
    expect(javaDoubleToString(NaN)).toBe("NaN");
    expect(javaDoubleToString(-Infinity)).toBe("-Infinity");
    expect(javaFloatToString(Infinity)).toBe("Infinity");
  });

  it("the fast paths agree with the exact algorithm on random bit patterns", () => {
    let s = 12345;
    const next = () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0);
    for (let i = 0; i < 3000; i++) {
      view.setUint32(0, next());
      view.setUint32(4, next());
      const d = view.getFloat64(0);
      const f = view.getFloat32(0);
      if (!Number.isNaN(d)) expect(javaDoubleToString(d)).toBe(javaFloatingToStringExact(d, false));
      if (!Number.isNaN(f)) expect(javaFloatToString(f)).toBe(javaFloatingToStringExact(f, true));
    }
    // float ties between two n-digit decimals go to the even digit, not up
    expect(javaFloatToString(1958238.25)).toBe("1958238.2");
    expect(javaFloatToString(-426826.625)).toBe("-426826.62");
  });

  it("every result reads back to the same value", () => {
    for (const x of [0.1, 1 / 3, 123456.789, 1e-300, 5e-324, 1.7976931348623157e308, 2 ** 53 + 2]) {
      expect(Number(javaDoubleToString(x))).toBe(x);
      expect(Math.fround(Number(javaFloatToString(x)))).toBe(Math.fround(x));
    }
  });
});

describe("escaping", () => {
  it("escapes exactly Java's set, with upper-case hex", () => {
    const escaped = new Set<number>();
    for (let c = 0; c < 0x20; c++) escaped.add(c);
    for (const ch of "\"#%'*/:=?\\\u007f{}[]^") escaped.add(ch.charCodeAt(0));
    for (let c = 0; c < 0x3000; c++) {
      const s = String.fromCharCode(c);
      const expected = escaped.has(c) ? "%" + c.toString(16).toUpperCase().padStart(2, "0") : s;
      expect(escapePathName(s)).toBe(expected);
    }
    expect(escapePathName("a/b")).toBe("a%2Fb");
    expect(() => escapePathName("")).toThrow();
  });

  it("unescapes like Java, including Integer.parseInt's sign quirks", () => {
    expect(unescapePathName("a%2Fb%3A")).toBe("a/b:");
    expect(unescapePathName("%zz%4")).toBe("%zz%4");
    expect(unescapePathName("%+F")).toBe("\u000f");
    expect(unescapePathName("%-1x")).toBe("%-1x");
    expect(unescapePathName("%-0")).toBe("\u0000");
    expect(unescapePathName("%e9")).toBe("\u00e9");
    for (const s of ["a b/c:d=e%f#g?h*i'j\"k\\l{m}n[o]p^q", "中文", "\u0001x\u007f"]) expect(unescapePathName(escapePathName(s))).toBe(s);
  });

  it("splits a path back the way Java's pattern does", () => {
    expect(partitionSpecFromPath("dt=2024-01-01/hr=09/")).toEqual([["dt", "2024-01-01"], ["hr", "09"]]);
    expect(partitionSpecFromPath("a=b=c")).toEqual([["a=b", "c"]]);
    expect(() => partitionSpecFromPath("nokey/")).toThrow();
  });
});
