import { RoaringBitmap32 } from "../src/index/roaring.js";
import { crc32 } from "../src/index/crc32.js";

const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex");

/**
 * Scenarios run through Java's org.roaringbitmap.RoaringBitmap (compiled from the
 * RoaringBitmap sources) with a small op language; the final bitmap is run-optimized and
 * serialized as Paimon does. Ops: `A+lo..hi:step` adds, `A~` writes (with runOptimize) and
 * reads back, `A!` run-optimizes in place, `A|=B` ORs B into A.
 * Columns: name, ops, cardinality, byte length, CRC-32 of the bytes, bytes (when short).
 */
const JAVA_SCENARIOS: [string, string, number, number, string, string][] = [
  ["fresh-run-4", "A+0..3", 4, 15, "c1261839", "3b3000000100000300010000000300"],
  ["fresh-5", "A+0..3 A+10", 5, 26, "eea2a840", "3a30000001000000000004001000000000000100020003000a00"],
  ["reload-add-keeps-run", "A+0..3 A~ A+10", 5, 19, "61fd5915", "3b30000001000004000200000003000a000000"],
  ["reload-add2-keeps-run", "A+0..3 A~ A+10 A+20", 6, 23, "5255139f", "3b30000001000005000300000003000a00000014000000"],
  ["reload-add3-to-array", "A+0..3 A~ A+10 A+20 A+30", 7, 30, "774c1376", "3a30000001000000000006001000000000000100020003000a0014001e00"],
  ["optimized-add-keeps-run", "A+0..3 A! A+10 A+20", 6, 23, "5255139f", "3b30000001000005000300000003000a00000014000000"],
  ["array-to-bitmap-4097", "A+0..8192:2", 4097, 8208, "2b4ad20d", ""],
  ["array-4096", "A+0..8190:2", 4096, 8208, "f54972cd", ""],
  ["array-4096-dup", "A+0..8190:2 A+0", 4096, 8208, "f54972cd", ""],
  ["bitmap-to-run", "A+0..4999 A+6000..9999", 9000, 19, "c8c07c1e", "3b300000010000272302000000871370179f0f"],
  ["bitmap-stays", "A+0..20000:3", 6667, 8208, "e448094d", ""],
  ["reload-bitmap-add", "A+0..20000:3 A~ A+1", 6668, 8208, "14d46998", ""],
  ["run-many-containers", "A+0..99 A+65536..65600 A+131072..131073 A+196608..196700 A+262144", 261, 69, "b672061b", "3b3004000b00006300010040000200010003005c00040000002d00000033000000390000003d0000004300000001000000630001000000400000000100010000005c000000"],
  ["array-many-containers", "A+0 A+65536 A+131072 A+196608 A+262144:1 A+327680..327690:2", 11, 78, "db8d0e65", "3a30000006000000000000000100000002000000030000000400000005000500380000003a0000003c0000003e000000400000004200000000000000000000000000000002000400060008000a00"],
  ["high-keys", "A+4294967295 A+2147483648 A+2147483647 A+65535", 4, 48, "f8b21fce", "3a3000000400000000000000ff7f000000800000ffff0000280000002a0000002c0000002e000000ffffffff0000ffff"],
  ["or-aa-small", "A+1..9:2 B+2..10:2 A|=B", 10, 15, "12b58b1e", "3b3000000100000900010001000900"],
  ["or-aa-big-disjoint", "A+0..5998:2 B+1..5999:2 A|=B", 6000, 15, "ae80aee1", "3b3000000100006f17010000006f17"],
  ["or-aa-big-overlap", "A+0..5998:2 B+0..5998:2 A|=B", 3000, 6016, "d1fee717", ""],
  ["or-ab", "A+5 B+0..20000:3 A|=B", 6668, 8208, "65791b82", ""],
  ["or-ba-full", "A+0..65534 A! B+65535 A~ A|=B", 65536, 15, "6edf1230", "3b300000010000ffff01000000ffff"],
  ["or-ba", "A+0..20000:3 B+1..7 A|=B", 6672, 8208, "882a2f5c", ""],
  ["or-ar", "A+100..103 B+0..50 B~ A|=B", 55, 19, "a61df675", "3b300000010000360002000000320064000300"],
  ["or-ar-tie", "A+20 B+0..3 B~ A|=B", 5, 19, "d13b79b9", "3b300000010000040002000000030014000000"],
  ["or-ra-tie", "A+0..3 A~ B+20 A|=B", 5, 19, "d13b79b9", "3b300000010000040002000000030014000000"],
  ["or-rr", "A+0..3 A~ B+10..13 B~ A|=B", 8, 19, "3d4ed826", "3b30000001000007000200000003000a000300"],
  ["or-rb", "A+0..300 A~ B+0..30000:3 A|=B", 10201, 8208, "a98b9a0f", ""],
  ["or-br", "A+0..30000:3 B+0..300 B~ A|=B", 10201, 8208, "a98b9a0f", ""],
  ["or-rfull", "A+0..65535 A~ B+7 A|=B", 65536, 15, "6edf1230", "3b300000010000ffff01000000ffff"],
  ["or-other-only", "A+5 B+70000 B+140000..140010 B~ A|=B", 13, 27, "8f928718", "3b30020004000000000100000002000a00050070110100e0220a00"],
  ["or-empty-into", "B+1..5 A|=B", 5, 15, "3c1ee082", "3b3000000100000400010001000400"],
  ["reload-array-tie", "A+0..2 A~ A+100", 4, 24, "5f0777ee", "3a3000000100000000000300100000000000010002006400"],
  ["empty", "", 0, 8, "d94c358e", "3a30000000000000"],
];

function writeAndRead(b: RoaringBitmap32): RoaringBitmap32 {
  b.runOptimize();
  return RoaringBitmap32.deserialize(b.serialize());
}

function run(ops: string): RoaringBitmap32 {
  const v: Record<string, RoaringBitmap32> = { A: new RoaringBitmap32(), B: new RoaringBitmap32() };
  for (const op of ops.split(/\s+/).filter((o) => o !== "")) {
    if (op === "A|=B") {
      v.A.or(v.B);
      continue;
    }
    const x = op[0];
    if (op[1] === "~") v[x] = writeAndRead(v[x]);
    else if (op[1] === "!") v[x].runOptimize();
    else {
      const m = /^(\d+)(?:\.\.(\d+))?(?::(\d+))?$/.exec(op.slice(2))!;
      const lo = Number(m[1]);
      const hi = m[2] === undefined ? lo : Number(m[2]);
      const step = m[3] === undefined ? 1 : Number(m[3]);
      for (let y = lo; y <= hi; y += step) v[x].add(y);
    }
  }
  return v.A;
}

describe("RoaringBitmap32 against Java's RoaringBitmap", () => {
  it.each(JAVA_SCENARIOS)("%s: %s", (_name, ops, card, length, crc, bytes) => {
    const b = run(ops);
    expect(b.cardinality).toBe(card);
    b.runOptimize();
    const out = b.serialize();
    expect(out.length).toBe(length);
    expect(b.serializedSizeInBytes()).toBe(length);
    if (bytes !== "") expect(hex(out)).toBe(bytes);
    expect(crc32(out).toString(16)).toBe(crc);
    // reading Java's bytes back gives the same set and the same bytes
    const back = RoaringBitmap32.deserialize(out);
    expect(back.toArray()).toEqual(b.toArray());
    expect(hex(back.serialize())).toBe(hex(out));
  });
});

describe("RoaringBitmap32 basics", () => {
  it("adds, checks and iterates unsigned values in order", () => {
    const b = RoaringBitmap32.of(7, 0xffffffff, 65536, 3, 7, 0x80000000);
    expect(b.toArray()).toEqual([3, 7, 65536, 0x80000000, 0xffffffff]);
    expect(b.cardinality).toBe(5);
    expect(b.contains(0xffffffff)).toBe(true);
    expect(b.contains(8)).toBe(false);
    expect(b.contains(-1)).toBe(false);
    expect(b.checkedAdd(3)).toBe(false);
    expect(b.checkedAdd(4)).toBe(true);
    expect(() => b.add(-1)).toThrow(RangeError);
    expect(() => b.add(2 ** 32)).toThrow(RangeError);
    expect(() => b.add(1.5)).toThrow(RangeError);
    expect(new RoaringBitmap32().isEmpty()).toBe(true);
  });

  it("add into run containers extends, fuses and inserts runs", () => {
    const b = RoaringBitmap32.of(10, 11, 12, 20, 21, 22);
    b.runOptimize();
    expect(b.containerKinds()).toEqual(["run"]);
    for (const x of [13, 19, 15, 14, 16, 18, 17, 5, 30, 12]) b.add(x);
    expect(b.containerKinds()).toEqual(["run"]);
    expect(b.toArray()).toEqual([5, ...Array.from({ length: 13 }, (_, i) => 10 + i), 30]);
    const ref = RoaringBitmap32.of(...b.toArray());
    expect(b.cardinality).toBe(ref.cardinality);
  });

  it("clone is independent and or of itself is a no-op", () => {
    const a = RoaringBitmap32.of(1, 2, 3);
    const c = a.clone();
    c.add(4);
    expect(a.toArray()).toEqual([1, 2, 3]);
    a.or(a);
    expect(a.toArray()).toEqual([1, 2, 3]);
  });

  it("unions agree with a plain set across random container kinds", () => {
    let s = 99;
    const rnd = (n: number): number => {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0;
      return s % n;
    };
    for (let round = 0; round < 25; round++) {
      const mk = (): [RoaringBitmap32, Set<number>] => {
        const b = new RoaringBitmap32();
        const set = new Set<number>();
        const style = rnd(3);
        for (let i = 0, n = rnd(5000); i < n; i++) {
          const v = style === 0 ? rnd(200000) : style === 1 ? rnd(4) * 65536 + rnd(100) : rnd(3) * 65536 + (i % 50000);
          b.add(v);
          set.add(v);
        }
        if (rnd(2) === 0) b.runOptimize();
        return [rnd(2) === 0 ? RoaringBitmap32.deserialize(b.serialize()) : b, set];
      };
      const [a, sa] = mk();
      const [b, sb] = mk();
      a.or(b);
      const expected = [...new Set([...sa, ...sb])].sort((x, y) => x - y);
      expect(a.toArray()).toEqual(expected);
      expect(a.cardinality).toBe(expected.length);
      a.runOptimize();
      expect(RoaringBitmap32.deserialize(a.serialize()).toArray()).toEqual(expected);
    }
  });

  it("rejects bytes that are not a roaring bitmap", () => {
    expect(() => RoaringBitmap32.deserialize(new Uint8Array([1, 2, 3, 4, 0, 0, 0, 0]))).toThrow(/cookie/);
  });
});
