import { CdcGenerator, KIND_DELETE, KIND_INSERT, KIND_UPDATE, SplitMix64, doubleBitsHex, eventLine, generatorDigests, type EventBatch } from "../src/generator.js";

const M64 = (1n << 64n) - 1n;

/** splitmix64 with BigInt, straight from the reference C code. */
function* referenceSplitMix64(seed: bigint): Generator<bigint> {
  let s = seed;
  for (;;) {
    s = (s + 0x9e3779b97f4a7c15n) & M64;
    let z = s;
    z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & M64;
    z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & M64;
    yield z ^ (z >> 31n);
  }
}

function lines(b: EventBatch): string[] {
  return Array.from({ length: b.size }, (_, i) => eventLine(b, i));
}

describe("SplitMix64", () => {
  it("matches the reference for seed 42 (first outputs also computed by Python and Java)", () => {
    const r = new SplitMix64(42);
    expect([r.nextBigInt(), r.nextBigInt(), r.nextBigInt()]).toEqual([0xbdd732262feb6e95n, 0x28efe333b266f103n, 0x47526757130f9f52n]);
  });

  it("matches the BigInt reference over 100,000 outputs and other seeds", () => {
    for (const seed of [42n, 0n, 1n, 0xffffffffffffffffn, 0x123456789abcdef0n]) {
      const r = new SplitMix64(seed);
      const ref = referenceSplitMix64(seed);
      const n = seed === 42n ? 100_000 : 5_000;
      for (let i = 0; i < n; i++) {
        const want = ref.next().value as bigint;
        const got = r.nextBigInt();
        if (got !== want) throw new Error(`seed ${seed}, output ${i}: ${got.toString(16)} != ${want.toString(16)}`);
      }
    }
  });
});

describe("CdcGenerator", () => {
  it("is deterministic and independent of the batch size", () => {
    const a = new CdcGenerator();
    const one = lines(a.next(5000));
    const b = new CdcGenerator();
    const parts = [...lines(b.next(1)), ...lines(b.next(1234)), ...lines(b.next(3765))];
    expect(parts).toEqual(one);
    expect(new CdcGenerator(43).next(10).id).not.toEqual(new CdcGenerator(42).next(10).id);
  });

  it("produces the documented mix: ~75% inserts, ~20% updates, ~5% deletes of live keys", () => {
    const g = new CdcGenerator();
    const b = g.next(100_000);
    const live = new Set<number>();
    const count = [0, 0, 0, 0];
    const problems: string[] = [];
    for (let i = 0; i < b.size; i++) {
      const k = b.kinds[i];
      count[k]++;
      const id = b.id[i];
      if (k === KIND_INSERT) {
        if (live.has(id)) problems.push(`event ${i}: insert of live key ${id}`);
        live.add(id);
      } else {
        if (!live.has(id)) problems.push(`event ${i}: ${k} of dead key ${id}`);
        if (k === KIND_DELETE) live.delete(id);
      }
      if (b.age[i] < 18 || b.age[i] >= 98 || b.category[i] >= 16) problems.push(`event ${i}: value out of range`);
    }
    expect(problems).toEqual([]);
    expect(count[KIND_INSERT] / b.size).toBeCloseTo(0.75, 1);
    expect(count[KIND_UPDATE] / b.size).toBeCloseTo(0.2, 1);
    expect(count[KIND_DELETE] / b.size).toBeCloseTo(0.05, 1);
    expect(g.liveKeys).toBe(live.size);
  });

  it("starts with the documented first events", () => {
    const b = new CdcGenerator().next(3);
    // event 0 is an insert of key 1 whatever d0 says (no live key yet)
    expect(b.kinds[0]).toBe(KIND_INSERT);
    expect(b.id[0]).toBe(1);
    expect(eventLine(b, 0).split("\t")).toHaveLength(11);
    expect(doubleBitsHex(1)).toBe("3ff0000000000000");
  });

  it("has the stream and content digests that the Java and Python generators print for 10,000 events", () => {
    const d = generatorDigests(10_000, 10_000);
    expect(d).toEqual({
      streamDigest: "6045e4050ce76ef0bbeeea1fb5cfdfff29a5745567379715a1c83b7de65b263c",
      finalRows: 7002,
      contentDigest: "9598035522982d53",
      liveKeys: 7002,
    });
  });
});
