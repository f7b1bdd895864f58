import { compareBytes, compareUtf8, utf8Decode, utf8Encode, utf8EncodeInto, utf8MaxBytes } from "../src/data/utf8.js";

const sign = (x: number): number => (x < 0 ? -1 : x > 0 ? 1 : 0);

describe("UTF-8 as Java's BinaryString sees it", () => {
  const alphabet = ["a", "z", "\u007f", "\u0080", "é", "\u07ff", "\u0800", "中", "\ud7ff", "\ue000", "\uffff", "😀", "\u{10000}", "\u{10ffff}", "\ud800", "\udc00", "\udbff"];
  let s = 4242;
  const rnd = (n: number): number => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return s % n;
  };
  const randomString = (): string => {
    let out = "";
    for (let i = rnd(6); i > 0; i--) out += alphabet[rnd(alphabet.length)];
    return out;
  };

  it("encodes valid strings like the standard encoder", () => {
    for (let i = 0; i < 2000; i++) {
      const str = randomString().replace(/[\ud800-\udfff]/g, "x");
      expect(Buffer.from(utf8Encode(str)).equals(Buffer.from(str, "utf8"))).toBe(true);
      expect(utf8Decode(utf8Encode(str))).toBe(str);
    }
  });

  it("writes each lone surrogate as '?', pairs as 4 bytes", () => {
    expect([...utf8Encode("\ud800")]).toEqual([0x3f]);
    expect([...utf8Encode("\udc00\ud800")]).toEqual([0x3f, 0x3f]);
    expect([...utf8Encode("x\ud83d")]).toEqual([0x78, 0x3f]);
    expect([...utf8Encode("\ud83d\ude00")]).toEqual([0xf0, 0x9f, 0x98, 0x80]);
    const buf = new Uint8Array(utf8MaxBytes("中😀"));
    expect(utf8EncodeInto("中😀", buf, 0)).toBe(7);
  });

  it("orders strings exactly as their Java UTF-8 bytes", () => {
    const wrong: string[][] = [];
    for (let i = 0; i < 20000; i++) {
      const a = randomString();
      const b = rnd(4) === 0 ? a + randomString() : randomString();
      const expected = sign(compareBytes(utf8Encode(a), utf8Encode(b)));
      if (sign(compareUtf8(a, b)) !== expected || sign(compareUtf8(b, a)) !== -expected) wrong.push([a, b]);
    }
    expect(wrong).toEqual([]);
  });

  it("compares bytes unsigned, shorter first", () => {
    expect(compareBytes(Uint8Array.of(0xff), Uint8Array.of(0x00, 0x01))).toBeGreaterThan(0);
    expect(compareBytes(Uint8Array.of(1), Uint8Array.of(1, 0))).toBeLessThan(0);
    expect(compareBytes(Uint8Array.of(), Uint8Array.of())).toBe(0);
  });
});
