import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  Bitmap64DeletionVector,
  BitmapDeletionVector,
  deletionVectorChecksumOk,
  readDeletionVector,
  readDeletionVectorIndexFile,
  writeDeletionVectorIndexFile,
  writeDeletionVectorIndexFiles,
  type DeletionVector,
} from "../src/index/deletion-vector.js";
import { RoaringBitmap32 } from "../src/index/roaring.js";

const SHARED = join(__dirname, "../../../../shared");
const vectors = readFileSync(join(SHARED, "paimon-spec/java-vectors.txt"), "utf8");
const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex");
const unhex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s.replace(/\s+/g, ""), "hex"));

/** "{1,3,5}", "{0..99}", "{5, 2^32+7}", "{}" → positions */
function positionsOf(set: string): number[] {
  const body = set.slice(1, -1).trim();
  if (body === "") return [];
  return body.split(",").flatMap((part) => {
    const p = part.trim();
    const range = /^(\d+)\.\.(\d+)$/.exec(p);
    if (range !== null) return Array.from({ length: Number(range[2]) - Number(range[1]) + 1 }, (_, i) => Number(range[1]) + i);
    const pow = /^2\^(\d+)\+(\d+)$/.exec(p);
    if (pow !== null) return [2 ** Number(pow[1]) + Number(pow[2])];
    return [Number(p)];
  });
}

describe("deletion vectors against java-vectors.txt", () => {
  const dvs = [...vectors.matchAll(/^### DV (v1|v2\(bitmap64\)) (\{[^}]*\})(?: \(empty\))? card=(\d+) length\(meta\)=(\d+)(?: total=(\d+))?\n\s+([0-9a-f]+)$/gm)];

  it("finds the six DV vectors", () => expect(dvs.length).toBe(6));

  it.each(dvs.map((m) => [m[1], m[2], m] as const))("%s %s", (version, set, m) => {
    const positions = positionsOf(set);
    const [card, metaLength, total, bytes] = [Number(m[3]), Number(m[4]), m[5], m[6]];
    const dv: DeletionVector = version === "v1" ? BitmapDeletionVector.of(positions) : Bitmap64DeletionVector.of(positions);
    expect(dv.cardinality).toBe(card);
    const out = dv.serialize();
    expect(hex(out.bytes)).toBe(bytes);
    expect(out.length).toBe(metaLength);
    if (total !== undefined) expect(out.bytes.length).toBe(Number(total));
    expect(deletionVectorChecksumOk(out.bytes)).toBe(true);

    const back = readDeletionVector(unhex(bytes), 0, metaLength);
    expect(back.version).toBe(version === "v1" ? 1 : 2);
    const read: number[] = [];
    back.forEachDeleted((p) => read.push(p));
    expect(read).toEqual(positions);
    expect(back.cardinality).toBe(card);
    for (const p of positions) expect(back.isDeleted(p)).toBe(true);
    expect(hex(back.serialize().bytes)).toBe(bytes);
    // Java validates the meta length against the size field
    expect(() => readDeletionVector(unhex(bytes), 0, metaLength + 1)).toThrow(/Size not match/);
  });

  it("roaring-only vectors", () => {
    const lines = [...vectors.matchAll(/^roaring \{([^}]*)\}(?: \(\d+ vals\))? \((\d+) bytes\): ([0-9a-f]+)(\.\.\.)?$/gm)];
    expect(lines.length).toBe(4);
    for (const [, set, size, bytes, truncated] of lines) {
      let values: number[];
      if (set === "0,2,4,...,9998") values = Array.from({ length: 5000 }, (_, i) => 2 * i);
      else values = set.split(",").map(Number);
      const b = RoaringBitmap32.of(...values);
      b.runOptimize();
      const out = hex(b.serialize());
      expect(out.length / 2).toBe(Number(size));
      if (truncated) expect(out.startsWith(bytes)).toBe(true);
      else expect(out).toBe(bytes);
      expect(RoaringBitmap32.deserialize(b.serialize()).toArray()).toEqual(values);
    }
  });

  it("the complete index file of BINARY.md §5.6", () => {
    const entry = dvs[0][6];
    const file = writeDeletionVectorIndexFile([["data-x.parquet", BitmapDeletionVector.of([1, 3, 5])]]);
    expect(hex(file.bytes)).toBe("01" + entry);
    expect(file.bytes.length).toBe(35);
    expect(file.metas).toEqual([{ dataFileName: "data-x.parquet", offset: 1, length: 26, cardinality: 3n }]);
    const two = writeDeletionVectorIndexFile([
      ["data-x.parquet", BitmapDeletionVector.of([1, 3, 5])],
      ["data-y.parquet", BitmapDeletionVector.of([0])],
    ]);
    expect(two.metas[1].offset).toBe(35);
    const read = readDeletionVectorIndexFile(two.bytes, two.metas);
    expect([...read.keys()]).toEqual(["data-x.parquet", "data-y.parquet"]);
    expect(read.get("data-y.parquet")!.isDeleted(0)).toBe(true);
  });
});

describe("deletion vectors written by pypaimon (fixtures)", () => {
  const table = JSON.parse(readFileSync(join(SHARED, "fixtures/pypaimon/expected/fx.dv_data_evolution.json"), "utf8")) as {
    indexFiles: { indexType: string; fileName: string; fileSize: number; rowCount: number; dvRanges: Record<string, { offset: number; length: number; cardinality: number }> }[];
    liveFiles: { fileName: string; firstRowId: number; rowCount: number }[];
  };
  const indexFile = table.indexFiles.find((f) => f.indexType === "DELETION_VECTORS")!;
  const bytes = new Uint8Array(readFileSync(join(SHARED, "fixtures/pypaimon/warehouse/fx.db/dv_data_evolution/index", indexFile.fileName)));

  it("reads the deleted _ROW_IDs 1, 4, 7 as positions in their files", () => {
    expect(bytes.length).toBe(indexFile.fileSize);
    const metas = Object.entries(indexFile.dvRanges).map(([dataFileName, r]) => ({ dataFileName, offset: r.offset, length: r.length, cardinality: BigInt(r.cardinality) }));
    expect(metas.length).toBe(indexFile.rowCount);
    const dvs = readDeletionVectorIndexFile(bytes, metas);
    const deletedRowIds: number[] = [];
    for (const f of table.liveFiles) {
      dvs.get(f.fileName)?.forEachDeleted((p) => deletedRowIds.push(f.firstRowId + p));
      expect(dvs.get(f.fileName)?.cardinality).toBe(indexFile.dvRanges[f.fileName].cardinality);
    }
    expect(deletedRowIds.sort((a, b) => a - b)).toEqual([1, 4, 7]);
    for (const m of metas) expect(deletionVectorChecksumOk(bytes, m.offset)).toBe(true);
  });

  it("writing the same vectors gives pypaimon's file byte for byte", () => {
    const metas = Object.entries(indexFile.dvRanges)
      .map(([dataFileName, r]) => ({ dataFileName, offset: r.offset, length: r.length, cardinality: BigInt(r.cardinality) }))
      .sort((a, b) => a.offset - b.offset);
    const dvs = readDeletionVectorIndexFile(bytes, metas);
    const rewritten = writeDeletionVectorIndexFile(metas.map((m) => [m.dataFileName, dvs.get(m.dataFileName)!] as const));
    expect(hex(rewritten.bytes)).toBe(hex(bytes));
    expect(rewritten.metas).toEqual(metas);
  });
});

describe("deletion vector behaviour", () => {
  it("v1 limits positions to 2^31-1; v2 takes larger ones", () => {
    const v1 = new BitmapDeletionVector();
    expect(() => v1.delete(2 ** 31)).toThrow(RangeError);
    expect(() => v1.delete(-1)).toThrow(RangeError);
    v1.delete(2 ** 31 - 1);
    expect(v1.isDeleted(2 ** 31 - 1)).toBe(true);
    expect(v1.checkedDelete(2 ** 31 - 1)).toBe(false);
    expect(v1.checkedDelete(5)).toBe(true);

    const v2 = Bitmap64DeletionVector.of([3 * 2 ** 32 + 1]);
    // Java keeps empty bitmaps for keys 0..2 and writes them: "3a300000 00000000" each
    const bytes = hex(v2.serialize().bytes);
    expect(bytes).toContain("00000000" + "3a30000000000000" + "01000000" + "3a30000000000000" + "02000000" + "3a30000000000000" + "03000000");
    const back = readDeletionVector(v2.serialize().bytes);
    expect(back.isDeleted(3 * 2 ** 32 + 1)).toBe(true);
    expect(back.isDeleted(1)).toBe(false);
    expect(back.cardinality).toBe(1);
    expect(hex(back.serialize().bytes)).toBe(bytes);
  });

  it("merges vectors of the same version only", () => {
    const a = BitmapDeletionVector.of([1, 2]);
    a.merge(BitmapDeletionVector.of([2, 3, 70000]));
    const got: number[] = [];
    a.forEachDeleted((p) => got.push(p));
    expect(got).toEqual([1, 2, 3, 70000]);
    expect(() => a.merge(Bitmap64DeletionVector.of([1]))).toThrow(/same class/);
    const b = Bitmap64DeletionVector.of([1]);
    b.merge(Bitmap64DeletionVector.of([2 ** 33, 2]));
    const got64: number[] = [];
    b.forEachDeleted((p) => got64.push(p));
    expect(got64).toEqual([1, 2, 2 ** 33]);
    expect(() => b.merge(BitmapDeletionVector.of([1]))).toThrow(/same class/);
    expect(new Bitmap64DeletionVector().isEmpty()).toBe(true);
  });

  it("an existing run container keeps growing as a run, as in Java (rewrite after read)", () => {
    // {0..3} is written as a run; a vector read back and given position 10 still writes a
    // run (paimon-bundle 1.4.2 BitmapDeletionVector printed this entry), while a fresh
    // {0,1,2,3,10} is written as an array container
    const stored = BitmapDeletionVector.of([0, 1, 2, 3]).serialize().bytes;
    const reread = readDeletionVector(stored);
    reread.delete(10);
    expect(hex(reread.serialize().bytes)).toBe("000000175e43f2d03b30000001000004000200000003000a00000093dd399d");
    const fresh = BitmapDeletionVector.of([0, 1, 2, 3, 10]);
    expect(hex(fresh.serialize().bytes).slice(16, 16 + 52)).toBe("3a30000001000000000004001000000000000100020003000a00");
  });

  it("v2 writes the empty bitmaps below the highest key (paimon-bundle 1.4.2)", () => {
    expect(hex(Bitmap64DeletionVector.of([3 * 2 ** 32 + 1]).serialize().bytes)).toBe(
      "00000046d1d339640400000000000000000000003a30000000000000010000003a30000000000000020000003a30000000000000030000003a3000000100000000000000100000000100d5ebaa6f",
    );
  });

  it("rolls index files after the entry that passes the target size", () => {
    const entries = Array.from({ length: 5 }, (_, i) => [`f${i}`, BitmapDeletionVector.of([i])] as const);
    const each = entries[0][1].serialize().bytes.length; // 30 bytes
    const files = writeDeletionVectorIndexFiles(entries, 1 + 2 * each - 1);
    expect(files.map((f) => f.metas.map((m) => m.dataFileName))).toEqual([["f0", "f1"], ["f2", "f3"], ["f4"]]);
    expect(files.map((f) => f.bytes[0])).toEqual([1, 1, 1]);
    expect(files[1].metas[0].offset).toBe(1);
    expect(writeDeletionVectorIndexFiles([], 100)).toEqual([]);
    const empty = writeDeletionVectorIndexFile([]);
    expect(hex(empty.bytes)).toBe("01");
    expect(empty.metas).toEqual([]);
  });

  it("rejects bad input", () => {
    expect(() => readDeletionVectorIndexFile(Uint8Array.of(2), [])).toThrow(/Version not match/);
    expect(() => readDeletionVector(unhex("0000000c 12345678 3a300000 00000000 00000000"))).toThrow(/Invalid magic/);
    expect(() => readDeletionVector(unhex("000000ff 5e43f2d0"))).toThrow(RangeError);
  });
});
