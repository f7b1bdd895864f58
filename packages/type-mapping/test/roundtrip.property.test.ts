/**
 * Property-based round trips for every Paimon type:
 *   Tapdata value → Paimon internal → Tapdata value is the identity on the canonical
 *   Tapdata form (what the read side produces), and
 *   internal → Tapdata → internal is the identity on every internal value,
 * plus the documented non-canonical inputs landing on the same internal value.
 */
import { DataTypes as T, parseTypeString, type DataType, type InternalValue } from "@paimon-ts/paimon-core";
import fc from "fast-check";
import {
  ConversionError,
  encodeJson,
  valueFromPaimon,
  valueToPaimon,
  zoneOf,
  type FromPaimonOptions,
  type ToPaimonOptions,
} from "../src/index.js";
import { formatDecimal } from "../src/decimal.js";

const RUNS = { numRuns: 200 };

function converters(type: DataType, opts: ToPaimonOptions & FromPaimonOptions = {}) {
  const { timeZone, json } = opts;
  const to = valueToPaimon(type, { timeZone, json, field: "p" });
  const from = valueFromPaimon(type, { timeZone, json, temporal: opts.temporal, mapOutput: opts.mapOutput, field: "p" });
  const ok = <V>(v: V): Exclude<V, ConversionError> => {
    if (v instanceof ConversionError) throw new Error(v.message);
    return v as Exclude<V, ConversionError>;
  };
  return { to: (v: unknown) => ok(to(v)), from: (v: InternalValue) => ok(from(v)) };
}

/** Both identities for one type. */
function roundTrips(label: string, type: DataType, tap: fc.Arbitrary<unknown>, internal: fc.Arbitrary<InternalValue>, opts: ToPaimonOptions & FromPaimonOptions = {}): void {
  it(`${label}: tap → internal → tap`, () => {
    const c = converters(type, opts);
    fc.assert(fc.property(tap, (v) => expect(c.from(c.to(v) as InternalValue)).toEqual(v)), RUNS);
  });
  it(`${label}: internal → tap → internal`, () => {
    const c = converters(type, opts);
    fc.assert(fc.property(internal, (v) => expect(c.to(c.from(v))).toEqual(v)), RUNS);
  });
}

const same = <V>(a: fc.Arbitrary<V>) => [a, a as fc.Arbitrary<InternalValue>] as const;
const LONG = { min: -(2n ** 63n), max: 2n ** 63n - 1n };

describe("round trips: scalars", () => {
  roundTrips("BOOLEAN", T.BOOLEAN(), ...same(fc.boolean()));
  roundTrips("TINYINT", T.TINYINT(), ...same(fc.integer({ min: -128, max: 127 })));
  roundTrips("SMALLINT", T.SMALLINT(), ...same(fc.integer({ min: -32768, max: 32767 })));
  roundTrips("INT", T.INT(), ...same(fc.integer()));
  roundTrips("BIGINT", T.BIGINT(), ...same(fc.bigInt(LONG)));
  roundTrips("FLOAT", T.FLOAT(), ...same(fc.float({ noNaN: true, noDefaultInfinity: true })));
  roundTrips("DOUBLE", T.DOUBLE(), ...same(fc.double({ noNaN: true, noDefaultInfinity: true })));
  roundTrips("STRING", T.STRING(), ...same(fc.string({ unit: "binary" })));
  roundTrips("CHAR(5)", T.CHAR(5), ...same(fc.string({ unit: "grapheme", maxLength: 5 })));
  roundTrips("BYTES", T.BYTES(), ...same(fc.uint8Array()));
  roundTrips("BINARY(8)", T.BINARY(8), ...same(fc.uint8Array({ minLength: 8, maxLength: 8 })));

  const decimal = fc
    .integer({ min: 1, max: 38 })
    .chain((p) => fc.integer({ min: 0, max: p }).chain((s) => fc.bigInt(-(10n ** BigInt(p)) + 1n, 10n ** BigInt(p) - 1n).map((u) => ({ p, s, u }))));
  it("DECIMAL(p, s) for every p and s: text → unscaled → text, and back", () => {
    fc.assert(
      fc.property(decimal, ({ p, s, u }) => {
        const c = converters(T.DECIMAL(p, s));
        const text = formatDecimal(u, s);
        expect(c.to(text)).toBe(u);
        expect(c.from(u)).toBe(text);
      }),
      RUNS,
    );
  });
  it("DECIMAL: any number lands on its HALF_UP rounding, the same as its text", () => {
    const c = converters(T.DECIMAL(38, 6));
    fc.assert(fc.property(fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e30, max: 1e30 }), (n) => expect(c.to(n)).toBe(c.to(String(n)))), RUNS);
  });
  it("integers: numeric text, bigint and number agree", () => {
    const c = converters(T.BIGINT());
    fc.assert(fc.property(fc.bigInt(LONG), (b) => expect(c.to(b.toString())).toBe(b)), RUNS);
    const i = converters(T.INT());
    fc.assert(fc.property(fc.integer(), (n) => expect([i.to(String(n)), i.to(BigInt(n))]).toEqual([n, n])), RUNS);
  });
});

describe("round trips: dates and times", () => {
  const INT32 = { min: -2147483648, max: 2147483647 };
  roundTrips("DATE as DateTime", T.DATE(), fc.integer(INT32).map((d) => ({ seconds: d * 86400, nanos: 0 })), fc.integer(INT32));
  roundTrips("DATE as Date", T.DATE(), fc.integer({ min: -1e8, max: 1e8 }).map((d) => new Date(d * 86_400_000)), fc.integer({ min: -1e8, max: 1e8 }), { temporal: "date" });
  it("DATE: ISO text lands where Date does", () => {
    const c = converters(T.DATE());
    fc.assert(
      fc.property(fc.integer({ min: -719162, max: 2932896 }), (d) => {
        const iso = new Date(d * 86_400_000).toISOString().replace(/T.*$/, "");
        expect(c.to(iso)).toBe(d);
      }),
      RUNS,
    );
  });

  for (const p of [0, 1, 2, 3]) {
    const unit = 10 ** (3 - p);
    const millis = fc.integer({ min: 0, max: Math.floor(86_399_999 / unit) }).map((k) => k * unit);
    roundTrips(`TIME(${p})`, T.TIME(p), millis.map((ms) => ({ seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1e6 })), millis);
  }

  const nanosOf = (p: number, seconds: fc.Arbitrary<number>) =>
    fc.tuple(seconds, fc.integer({ min: 0, max: 10 ** p - 1 })).map(([s, f]) => ({ seconds: s, nanos: f * 10 ** (9 - p) }));
  const internalOf = (p: number, millis: fc.Arbitrary<bigint>) =>
    fc.tuple(millis, fc.integer({ min: 0, max: 999_999 })).map(([m, n]) => {
      const unit = 10 ** (9 - p);
      const total = m * 1_000_000n + BigInt(n);
      const r = ((total % BigInt(unit)) + BigInt(unit)) % BigInt(unit);
      const t = total - r;
      const ms = t >= 0n ? t / 1_000_000n : -((-t + 999_999n) / 1_000_000n);
      return { millis: ms, nanoOfMilli: Number(t - ms * 1_000_000n) };
    });
  // 0001-01-01 .. 9999-12-31 and well beyond: Paimon has no such limit.
  const wide = fc.integer({ min: -1e13, max: 1e13 });
  const wideMillis = fc.bigInt(-(10n ** 16n), 10n ** 16n);
  for (const p of [0, 3, 6, 9]) {
    roundTrips(`TIMESTAMP(${p}) in UTC`, T.TIMESTAMP(p), nanosOf(p, wide), internalOf(p, wideMillis));
    roundTrips(`TIMESTAMP_LTZ(${p}) in any zone`, T.TIMESTAMP_LTZ(p), nanosOf(p, wide), internalOf(p, wideMillis), { timeZone: "Asia/Kathmandu" });
    roundTrips(`TIMESTAMP(${p}) in a fixed zone`, T.TIMESTAMP(p), nanosOf(p, wide), internalOf(p, wideMillis), { timeZone: "-09:30" });
  }
  roundTrips("TIMESTAMP(3) as Date", T.TIMESTAMP(3), fc.integer({ min: -8.64e15, max: 8.64e15 }).map((ms) => new Date(ms)), internalOf(3, fc.bigInt(-(864n * 10n ** 13n), 864n * 10n ** 13n)), {
    temporal: "date",
  });

  it("TIMESTAMP in a DST zone: identity except where the wall clock does not exist or occurs twice", () => {
    const zone = "Europe/Berlin";
    const z = zoneOf(zone);
    const c = converters(T.TIMESTAMP(6), { timeZone: zone });
    fc.assert(
      fc.property(nanosOf(6, fc.integer({ min: -3e9, max: 5e9 })), (v) => {
        const back = c.from(c.to(v) as InternalValue) as { seconds: number; nanos: number };
        if (back.seconds !== v.seconds) {
          // The second instant of a repeated wall clock reads back as the first.
          const ms = v.seconds * 1000;
          expect(back.seconds * 1000 + z.offsetAt(back.seconds * 1000)).toBe(ms + z.offsetAt(ms));
          expect(back.seconds).toBeLessThan(v.seconds);
        } else {
          expect(back).toEqual(v);
        }
      }),
      RUNS,
    );
  });

  it("TIMESTAMP: ISO text with an offset, a Date and a DateTime of the same instant agree", () => {
    const c = converters(T.TIMESTAMP_LTZ(3));
    fc.assert(
      fc.property(fc.integer({ min: -6e13, max: 2.5e14 }), fc.integer({ min: -14, max: 14 }), (ms, h) => {
        const d = new Date(ms);
        const local = new Date(ms + h * 3_600_000).toISOString().replace("Z", "");
        const iso = `${local}${h < 0 ? "-" : "+"}${String(Math.abs(h)).padStart(2, "0")}:00`;
        const expected = c.to(d);
        expect(c.to(iso)).toEqual(expected);
        expect(c.to({ seconds: Math.floor(ms / 1000), nanos: (((ms % 1000) + 1000) % 1000) * 1e6 })).toEqual(expected);
      }),
      RUNS,
    );
  });
});

describe("round trips: nested", () => {
  const decText = fc.bigInt(-99999n, 99999n).map((u) => formatDecimal(u, 2));
  roundTrips("ARRAY<DECIMAL(5, 2)>", T.ARRAY(T.DECIMAL(5, 2)), fc.array(fc.option(decText, { nil: null })), fc.array(fc.option(fc.bigInt(-99999n, 99999n), { nil: null })));
  roundTrips("ARRAY<ARRAY<STRING>>", T.ARRAY(T.ARRAY(T.STRING())), ...same(fc.array(fc.array(fc.string()))));
  roundTrips(
    "MAP<STRING, BIGINT>",
    T.MAP(T.STRING(), T.BIGINT()),
    fc.dictionary(fc.string(), fc.bigInt(LONG)),
    // Plain objects list integer-like keys first, so those would come back reordered.
    fc
      .uniqueArray(fc.string().filter((k) => !/^(0|[1-9]\d*)$/.test(k)))
      .chain((keys) => fc.array(fc.bigInt(LONG), { minLength: keys.length, maxLength: keys.length }).map((values) => ({ keys, values }))),
  );
  roundTrips(
    "MAP<INT, STRING> as object (keys as text)",
    T.MAP(T.INT(), T.STRING()),
    fc.uniqueArray(fc.integer()).chain((ks) => fc.array(fc.string(), { minLength: ks.length, maxLength: ks.length }).map((vs) => Object.fromEntries(ks.map((k, i) => [String(k), vs[i]])))),
    fc.constant({ keys: [], values: [] }),
  );
  it("MAP<INT, STRING>: internal → object → internal keeps the entries (object key order may differ)", () => {
    const c = converters(T.MAP(T.INT(), T.STRING()));
    const arb = fc.uniqueArray(fc.integer()).chain((keys) => fc.array(fc.string(), { minLength: keys.length, maxLength: keys.length }).map((values) => ({ keys, values })));
    fc.assert(
      fc.property(arb, (m) => {
        const back = c.to(c.from(m)) as { keys: number[]; values: string[] };
        const entries = (x: { keys: number[]; values: string[] }) => x.keys.map((k, i) => [k, x.values[i]] as const).sort((a, b) => a[0] - b[0]);
        expect(entries(back)).toEqual(entries(m));
      }),
      RUNS,
    );
  });
  roundTrips(
    "MAP<TIMESTAMP(3), INT> as Map",
    T.MAP(T.TIMESTAMP(3), T.INT()),
    fc.uniqueArray(fc.integer({ min: -1e12, max: 1e12 })).map((ms) => new Map(ms.map((m, i) => [{ seconds: Math.floor(m / 1000), nanos: (((m % 1000) + 1000) % 1000) * 1e6 }, i]))),
    fc.constant({ keys: [{ millis: 5n, nanoOfMilli: 0 }], values: [1] }),
    { mapOutput: "map" },
  );

  const rowT = parseTypeString("ROW<a INT, b STRING NOT NULL, c ARRAY<DOUBLE>, d ROW<e DATE>>");
  roundTrips(
    "ROW<…> with nested ROW",
    rowT,
    fc.record({
      a: fc.option(fc.integer(), { nil: null }),
      b: fc.string(),
      c: fc.option(fc.array(fc.double({ noNaN: true, noDefaultInfinity: true })), { nil: null }),
      d: fc.option(fc.record({ e: fc.option(fc.integer({ min: -1e6, max: 1e6 }).map((x) => ({ seconds: x * 86400, nanos: 0 })), { nil: null }) }), { nil: null }),
    }),
    fc.tuple(
      fc.option(fc.integer(), { nil: null }),
      fc.string(),
      fc.option(fc.array(fc.double({ noNaN: true, noDefaultInfinity: true })), { nil: null }),
      fc.option(fc.tuple(fc.option(fc.integer({ min: -1e6, max: 1e6 }), { nil: null })), { nil: null }),
    ) as fc.Arbitrary<InternalValue>,
  );
  roundTrips(
    "MULTISET<INT> (elements grouped in first-seen order)",
    T.MULTISET(T.INT()),
    fc.uniqueArray(fc.tuple(fc.integer(), fc.integer({ min: 1, max: 3 })), { selector: (t) => t[0] }).map((ts) => ts.flatMap(([v, n]) => Array<number>(n).fill(v))),
    fc.uniqueArray(fc.integer()).chain((keys) => fc.array(fc.integer({ min: 1, max: 3 }), { minLength: keys.length, maxLength: keys.length }).map((values) => ({ keys, values }))),
  );

  // A TapArray/TapMap/TapRaw column stored as JSON text, written and read with json: true.
  const jsonValue = fc.letrec((tie) => ({
    v: fc.oneof(
      { depthSize: "small" },
      fc.constant(null),
      fc.boolean(),
      fc.string({ unit: "binary" }),
      fc.double({ noNaN: true, noDefaultInfinity: true }).filter((n) => !Object.is(n, -0)),
      fc.bigInt({ min: 2n ** 53n, max: 2n ** 80n }),
      fc.array(tie("v")),
      fc.dictionary(fc.string(), tie("v")),
    ),
  })).v;
  roundTrips(
    "JSON text in STRING",
    T.STRING(),
    jsonValue,
    // A top-level JSON null is stored as SQL NULL, so the text "null" is never written.
    jsonValue.filter((v) => v !== null).map((v) => encodeJson(v)),
    { json: true },
  );
  it("JSON text in STRING: stored text → value → the same text", () => {
    const c = converters(T.STRING(), { json: true });
    fc.assert(
      fc.property(jsonValue, (v) => {
        const text = c.to(v) as string;
        expect(c.to(c.from(text))).toBe(text);
      }),
      RUNS,
    );
  });
});
