import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { fieldFromJson, canonicalDecode, canonicalEncode, formatDate, formatTimestamp, parseTypeString, timestamp, daysFromCivil } from "../src/index.js";

const EXPECTED = join(__dirname, "../../../../shared/fixtures/pypaimon/expected");

describe("canonical encoding", () => {
  it("formats dates and timestamps before 1970 by floor division", () => {
    expect(formatDate(-1)).toBe("1969-12-31");
    expect(formatDate(0)).toBe("1970-01-01");
    expect(formatDate(daysFromCivil(2024, 2, 29))).toBe("2024-02-29");
    expect(formatTimestamp(timestamp(-1n, 0), 3)).toBe("1969-12-31T23:59:59.999");
    expect(formatTimestamp(timestamp(-1n, 999_999), 9)).toBe("1969-12-31T23:59:59.999999999");
    expect(formatTimestamp(timestamp(1700000000123n, 456789), 9)).toBe("2023-11-14T22:13:20.123456789");
  });

  it("rejects values that would lose precision", () => {
    expect(() => canonicalDecode(parseTypeString("DECIMAL(5, 2)"), "1.234")).toThrow(/rounding/);
    expect(() => canonicalDecode(parseTypeString("DECIMAL(5, 2)"), "1234.5")).toThrow(/overflows/);
    expect(() => canonicalDecode(parseTypeString("BIGINT"), "9223372036854775808")).toThrow(/out of range/);
    expect(() => canonicalDecode(parseTypeString("INT"), 1.5)).toThrow(/integer/);
    expect(() => canonicalDecode(parseTypeString("DATE"), "2023-02-30")).toThrow(/invalid DATE/);
  });

  // every expected row of every fixture decodes to internal values and encodes back unchanged
  const files = readdirSync(EXPECTED).filter((f) => f.endsWith(".json"));
  it.each(files.map((f) => [f]))("%s round-trips", (f) => {
    const exp = JSON.parse(readFileSync(join(EXPECTED, f), "utf8"));
    // column types from the schema as stored (the JSON form parses every type)
    const byName = new Map(exp.schema.fields.map((f: unknown) => { const d = fieldFromJson(f); return [d.name, d.type]; }));
    const types = exp.columns.map((c: { name: string }) => byName.get(c.name));
    let checked = 0;
    for (const row of exp.rows) {
      exp.columns.forEach((c: { name: string }, i: number) => {
        const t = types[i];
        const internal = canonicalDecode(t, row[c.name]);
        expect(canonicalEncode(t, internal)).toEqual(row[c.name]);
        checked++;
      });
    }
    expect(types.every((t: unknown) => t !== undefined)).toBe(true);
    expect(checked).toBe(exp.rows.length * exp.columns.length);
  });
});
