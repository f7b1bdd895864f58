import { readFileSync } from "node:fs";
import { join } from "node:path";
import { DataTypes as T, type DataType } from "../src/types/datatype.js";
import { binaryRowWrite } from "../src/data/binary-row.js";
import {
  DEFAULT_STATS_MODE,
  emptySimpleStats,
  isNoneStats,
  NONE_STATS,
  parseStatsMode,
  simpleStatsFromBinary,
  simpleStatsFromBinaryDense,
  simpleStatsToBinary,
  simpleStatsToBinaryDense,
  statsCollect,
  statsComparator,
  statsConvert,
  truncateMax,
  truncateMin,
  type SimpleColStats,
} from "../src/data/stats.js";
import { timestamp, type InternalValue } from "../src/data/values.js";
import { vectorOf } from "../src/data/vector.js";

const SPEC = join(__dirname, "../../../../shared/paimon-spec");
const vectors = readFileSync(join(SPEC, "java-vectors.txt"), "utf8");
const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex");
const grab = (re: RegExp): RegExpExecArray => {
  const m = re.exec(vectors);
  if (m === null) throw new Error(`vector ${re} not found`);
  return m;
};

describe("SimpleStats against java-vectors.txt (BINARY.md §2.4)", () => {
  it("truncate(16) over {'abcdefghijklmnopqrstuvwxyz','abc',null}", () => {
    const m = grab(/truncate\(16\) over \{'abcdefghijklmnopqrstuvwxyz','abc',null\}: min=(\S+) max=(\S+) nulls=(\d+)/);
    const s = statsCollect(T.STRING(), vectorOf(T.STRING(), ["abcdefghijklmnopqrstuvwxyz", "abc", null]), parseStatsMode("truncate(16)"));
    expect(s).toEqual({ min: m[1], max: m[2], nullCount: BigInt(m[3]) });
    // and the rows Java serialized for them
    const enc = simpleStatsToBinary([T.STRING()], [s]);
    expect(hex(enc.minValues)).toBe(grab(/truncated min row=([0-9a-f]+)/)[1]);
    expect(hex(enc.maxValues)).toBe(grab(/truncated max row=([0-9a-f]+)/)[1]);
    expect(enc.nullCounts).toEqual([1n]);
    expect(simpleStatsFromBinary([T.STRING()], enc)).toEqual([s]);
  });

  it("truncate(16) over {'z'*20}", () => {
    const m = grab(/truncate\(16\) over \{'z'\*20\}: min=(\S+) max=(\S+)/);
    expect(statsCollect(T.STRING(), vectorOf(T.STRING(), ["z".repeat(20)]))).toEqual({ min: m[1], max: m[2], nullCount: 0n });
  });

  it("convert example (footer stats through truncate(16))", () => {
    const m = grab(/convert example: min=(\S+) max=(\S+)/);
    const full: SimpleColStats = { min: "abcdefghijklmnopqrstuvwxyz", max: "abcdefghijklmnopqrstuvwxyz", nullCount: 0n };
    expect(statsConvert(T.STRING(), full, DEFAULT_STATS_MODE)).toEqual({ min: m[1], max: m[2], nullCount: 0n });
  });

  it("two-column file (id INT, name STRING) with rows (1,'alice'),(2,'bob'),(3,null)", () => {
    const fields = [{ name: "id", type: T.INT() }, { name: "name", type: T.STRING() }];
    const cols = [vectorOf(T.INT(), [1, 2, 3]), vectorOf(T.STRING(), ["alice", "bob", null])];
    const stats = fields.map((f, i) => statsCollect(f.type, cols[i]));
    const { stats: enc, valueStatsCols } = simpleStatsToBinaryDense(fields, stats);
    expect(hex(enc.minValues)).toBe(grab(/_MIN_VALUES=([0-9a-f]+)/)[1]);
    expect(hex(enc.maxValues)).toBe(grab(/_MAX_VALUES=([0-9a-f]+)/)[1]);
    expect(enc.nullCounts).toEqual([0n, 1n]);
    expect(valueStatsCols).toBeNull();
    expect(simpleStatsFromBinaryDense(fields, null, enc)).toEqual(stats);
  });
});

describe("stats collection", () => {
  it("parses stats modes like SimpleColStatsCollector.from", () => {
    expect(parseStatsMode("None")).toEqual({ kind: "none" });
    expect(parseStatsMode("counts")).toEqual({ kind: "counts" });
    expect(parseStatsMode("FULL")).toEqual({ kind: "full" });
    expect(parseStatsMode("Truncate(128)")).toEqual({ kind: "truncate", length: 128 });
    expect(() => parseStatsMode("truncate(0)")).toThrow();
    expect(() => parseStatsMode("truncate(x)")).toThrow(/Unexpected/);
  });

  it("none and counts modes", () => {
    const v = vectorOf(T.INT(), [3, null, 1]);
    expect(statsCollect(T.INT(), v, { kind: "none" })).toBe(NONE_STATS);
    expect(statsCollect(T.INT(), v, { kind: "counts" })).toEqual({ min: null, max: null, nullCount: 1n });
    expect(statsCollect(T.INT(), v, { kind: "full" })).toEqual({ min: 1, max: 3, nullCount: 1n });
    expect(statsCollect(T.INT(), vectorOf(T.INT(), [null, null]))).toEqual({ min: null, max: null, nullCount: 2n });
  });

  it("nested types get a null count but no min/max", () => {
    const t = T.ARRAY(T.INT());
    expect(statsCollect(t, vectorOf(t, [[1], null, [0]]), { kind: "full" })).toEqual({ min: null, max: null, nullCount: 1n });
    expect(statsComparator(T.MAP(T.INT(), T.INT()))).toBeNull();
    expect(statsComparator(T.ROW([]))).toBeNull();
  });

  it("reads typed-array columns", () => {
    const t = T.BIGINT();
    const v = { type: t, length: 4, values: new BigInt64Array([5n, -7n, 0n, 99n]), nulls: new Uint8Array([0, 0, 0, 1]) };
    expect(statsCollect(t, v)).toEqual({ min: -7n, max: 5n, nullCount: 1n });
    const f = T.FLOAT();
    const fv = { type: f, length: 2, values: new Float32Array([0, -0]), nulls: null };
    const s = statsCollect(f, fv);
    expect(Object.is(s.min, -0)).toBe(true);
    expect(Object.is(s.max, 0)).toBe(true);
  });

  it("orders like Java's compareTo", () => {
    const d = statsComparator(T.DOUBLE())!;
    expect([NaN, 1, -0, Infinity, 0, -Infinity].sort(d)).toEqual([-Infinity, -0, 0, 1, Infinity, NaN]);
    const s = statsComparator(T.STRING())!;
    // UTF-8 byte order: U+FFFF sorts before U+10000, although UTF-16 says otherwise
    expect(s("\uffff", "\u{10000}")).toBeLessThan(0);
    expect("\uffff" < "\u{10000}").toBe(false);
    expect(s("ab", "abc")).toBeLessThan(0);
    expect(s("b", "abc")).toBeGreaterThan(0);
    expect(s("a\ud800", "a\u{10000}")).toBeLessThan(0); // lone surrogate is '?' in Java's bytes
    const b = statsComparator(T.BYTES())!;
    expect(b(new Uint8Array([0x80]), new Uint8Array([0x7f, 0xff]))).toBeGreaterThan(0);
    const ts = statsComparator(T.TIMESTAMP(9))!;
    expect(ts(timestamp(1n, 5), timestamp(1n, 6))).toBeLessThan(0);
    expect(ts(timestamp(-1n, 999999), timestamp(0n))).toBeLessThan(0);
    expect(statsComparator(T.BOOLEAN())!(false, true)).toBeLessThan(0);
    expect(statsComparator(T.DECIMAL(38, 2))!(10n ** 30n, -(10n ** 30n))).toBeGreaterThan(0);
  });

  it("truncates by code points and bumps the last bumpable one", () => {
    const t = T.STRING();
    expect(truncateMin(t, "😀".repeat(20), 16)).toBe("😀".repeat(16));
    expect(truncateMax(t, "😀".repeat(20), 16)).toBe("😀".repeat(15) + "😁");
    expect(truncateMax(t, "a".repeat(16), 16)).toBe("a".repeat(16));
    expect(truncateMax(t, "a\u{10ffff}\u{10ffff}x", 3)).toBe("b");
    expect(truncateMax(t, "\u{10ffff}".repeat(5), 3)).toBeUndefined();
    // a lone surrogate is '?' to Java, so it is bumped to '@' (paimon-bundle 1.4.2: min 613f, max 6140)
    expect(truncateMin(t, "a\ud800bc", 2)).toBe("a?");
    expect(truncateMax(t, "a\ud800bc", 2)).toBe("a@");
    // Java bumps U+D7FF to a lone surrogate, which its encoder writes as '?'
    expect(truncateMax(t, "\ud7ff\ud7ffz", 2)).toBe("\ud7ff\ud800");
    expect(Buffer.from(binaryRowWrite([t], [truncateMax(t, "\ud7ff\ud7ffz", 2) as string])).toString("hex")).toBe("0000000000000000ed9fbf3f00000084");
  });

  it("truncates bytes and gives up on all-0xFF prefixes", () => {
    const t = T.BYTES();
    const v = new Uint8Array([1, 2, 0xff, 0xff, 9]);
    expect(truncateMin(t, v, 4)).toEqual(new Uint8Array([1, 2, 0xff, 0xff]));
    expect(truncateMax(t, v, 4)).toEqual(new Uint8Array([1, 3]));
    expect(truncateMax(t, new Uint8Array([0xff, 0xff, 0]), 2)).toBeUndefined();
    const s = statsCollect(t, vectorOf(t, [new Uint8Array([0xff, 0xff, 1]), null, new Uint8Array([0])]), { kind: "truncate", length: 2 });
    // the max could not be bumped: Java stops collecting and keeps only the null count
    expect(s).toEqual({ min: null, max: null, nullCount: 1n });
  });

  it("compares new values with the truncated running min/max, as Java's collector does", () => {
    const t = T.STRING();
    const a = "abcdefghijklmnopX";
    const b = "abcdefghijklmnopZ";
    const s = statsCollect(t, vectorOf(t, [a, b, "abc"]));
    expect(s).toEqual({ min: "abc", max: "abcdefghijklmnoq", nullCount: 0n });
    const failed = statsCollect(t, vectorOf(t, ["\u{10ffff}".repeat(17), "a", null, null]));
    expect(failed).toEqual({ min: null, max: null, nullCount: 2n });
    // convert drops min and max too when the max cannot be bumped
    expect(statsConvert(t, { min: "a", max: "\u{10ffff}".repeat(17), nullCount: 3n })).toEqual({ min: null, max: null, nullCount: 3n });
    expect(statsConvert(t, { min: "a", max: "b", nullCount: 3n }, { kind: "counts" })).toEqual({ min: null, max: null, nullCount: 3n });
    expect(statsConvert(t, { min: "a", max: "b", nullCount: 3n }, { kind: "none" })).toBe(NONE_STATS);
  });

  it("copies byte min/max out of the column", () => {
    const buf = new Uint8Array([5, 6]);
    const s = statsCollect(T.BYTES(), vectorOf(T.BYTES(), [buf]), { kind: "full" });
    buf[0] = 0;
    expect(s.min).toEqual(new Uint8Array([5, 6]));
  });
});

describe("SimpleStats encoding", () => {
  it("EMPTY_STATS is arity-0 rows and no null counts", () => {
    const e = emptySimpleStats();
    expect(hex(e.minValues)).toBe("00".repeat(12));
    expect(hex(e.maxValues)).toBe("00".repeat(12));
    expect(e.nullCounts).toEqual([]);
  });

  it("dense mode drops NONE columns and names the survivors", () => {
    const fields = [
      { name: "a", type: T.INT() },
      { name: "b", type: T.STRING() },
      { name: "c", type: T.DECIMAL(20, 2) },
    ];
    const stats: SimpleColStats[] = [{ min: 1, max: 9, nullCount: 0n }, NONE_STATS, { min: null, max: null, nullCount: 4n }];
    const { stats: enc, valueStatsCols } = simpleStatsToBinaryDense(fields, stats);
    expect(valueStatsCols).toEqual(["a", "c"]);
    expect(enc.nullCounts).toEqual([0n, 4n]);
    // a null non-compact decimal still reserves its 16 bytes (Java's row writer)
    expect(enc.minValues.length).toBe(4 + 8 + 16 + 16);
    const back = simpleStatsFromBinaryDense(fields, valueStatsCols, enc);
    expect(back).toEqual(stats);
    expect(isNoneStats(back[1])).toBe(true);

    const none = simpleStatsToBinaryDense(fields, [NONE_STATS, NONE_STATS, NONE_STATS]);
    expect(none.valueStatsCols).toEqual([]);
    expect(hex(none.stats.minValues)).toBe("00".repeat(12));
    expect(none.stats.nullCounts).toEqual([]);
    expect(() => simpleStatsFromBinaryDense(fields, ["zz"], enc)).toThrow(/zz/);
  });

  it("round-trips stats of every flat type", () => {
    const cols: [DataType, InternalValue[]][] = [
      [T.BOOLEAN(), [true, false, null]],
      [T.TINYINT(), [5, -3, 7]],
      [T.SMALLINT(), [300, -300, null]],
      [T.DATE(), [19723, 0, -5]],
      [T.TIME(3), [5, 86_399_999, null]],
      [T.DOUBLE(), [1.5, NaN, -2]],
      [T.DECIMAL(10, 2), [12345n, -5n, null]],
      [T.DECIMAL(30, 4), [10n ** 29n, -(10n ** 29n), 0n]],
      [T.TIMESTAMP(3), [timestamp(5n), timestamp(-5n), null]],
      [T.TIMESTAMP(6), [timestamp(5n, 1000), timestamp(5n, 2000), null]],
      [T.BYTES(), [new Uint8Array([1]), new Uint8Array([0, 9]), null]],
      [T.STRING(), ["x", "é".repeat(30), null]],
    ];
    const types = cols.map(([t]) => t);
    const stats = cols.map(([t, vs]) => statsCollect(t, vectorOf(t, vs)));
    expect(stats[5]).toEqual({ min: -2, max: NaN, nullCount: 0n });
    expect(stats[11]).toEqual({ min: "x", max: "é".repeat(15) + "ê", nullCount: 1n });
    expect(simpleStatsFromBinary(types, simpleStatsToBinary(types, stats))).toEqual(stats);
    expect(simpleStatsFromBinary(types, { ...simpleStatsToBinary(types, stats), nullCounts: null }).every((s) => s.nullCount === null)).toBe(true);
  });
});
