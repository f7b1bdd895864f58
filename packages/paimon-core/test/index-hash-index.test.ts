import { readFileSync } from "node:fs";
import { join } from "node:path";
import { DataTypes as T } from "../src/types/datatype.js";
import { hashIndexKeyHash, readHashIndex, writeHashIndex } from "../src/index/hash-index.js";

const FIXTURES = join(__dirname, "../../../../shared/fixtures/pypaimon");

describe("HASH index files written by pypaimon (fx.pk_dynamic_bucket)", () => {
  const table = JSON.parse(readFileSync(join(FIXTURES, "expected/fx.pk_dynamic_bucket.json"), "utf8")) as {
    rows: { id: number }[];
    primaryKeys: string[];
    partitionKeys: string[];
    options: Record<string, string>;
    indexFiles: { bucket: number; indexType: string; fileName: string; fileSize: number; rowCount: number }[];
  };
  const files = table.indexFiles.filter((f) => f.indexType === "HASH");

  it("holds exactly the trimmed-primary-key hashes of the live keys, at most target-row-num per bucket", () => {
    expect(table.primaryKeys).toEqual(["id"]);
    expect(table.partitionKeys).toEqual([]);
    expect(files.length).toBe(3);
    const all: number[] = [];
    for (const f of files) {
      const bytes = new Uint8Array(readFileSync(join(FIXTURES, "warehouse/fx.db/pk_dynamic_bucket/index", f.fileName)));
      expect(bytes.length).toBe(f.fileSize);
      const hashes = readHashIndex(bytes);
      expect(hashes.length).toBe(f.rowCount);
      expect(hashes.length).toBeLessThanOrEqual(Number(table.options["dynamic-bucket.target-row-num"]));
      // writing them back gives the same bytes
      expect(Buffer.from(writeHashIndex(hashes)).equals(Buffer.from(bytes))).toBe(true);
      all.push(...hashes);
    }
    const expected = table.rows.map((r) => hashIndexKeyHash([T.INT(false)], [r.id]));
    expect([...all].sort((a, b) => a - b)).toEqual([...expected].sort((a, b) => a - b));
  });
});

describe("HASH index format", () => {
  it("is big-endian int32s with no header", () => {
    const bytes = writeHashIndex([1, -1, 0x12345678, -2147483648]);
    expect(Buffer.from(bytes).toString("hex")).toBe("00000001" + "ffffffff" + "12345678" + "80000000");
    expect([...readHashIndex(bytes)]).toEqual([1, -1, 0x12345678, -2147483648]);
    expect(writeHashIndex(new Set([5])).length).toBe(4);
    expect(readHashIndex(new Uint8Array(0)).length).toBe(0);
    expect(() => readHashIndex(new Uint8Array(3))).toThrow(/multiple of 4/);
  });

  it("the key hash is BinaryRow.hashCode of the key row (BINARY.md §3.5)", () => {
    expect(hashIndexKeyHash([T.INT()], [1])).toBe(1465514398);
    expect(hashIndexKeyHash([T.STRING(), T.BIGINT()], ["a", 1n])).toBe(1153202531);
  });
});
