/**
 * Chunked data-file reads equal whole-file reads: `parquetReadRowGroups` (row group by row
 * group, and page by page in `chunkRows` batches for flat columns) and `avroReadChunks`
 * (block by block, through a small moving byte window) on every data file of the pypaimon
 * fixtures and on generated files with many small pages, nulls, dictionaries, nested and
 * repeated columns.
 */
import { readFileSync } from "node:fs";
import { avroReadBatch, avroReadChunks, avroWrite } from "../src/format/avro-data.js";
import type { ByteSource } from "../src/format/common.js";
import { formatFromFileName, readDataFile } from "../src/format/index.js";
import { parquetReadBatch, parquetReadRowGroups, readParquetMetadata } from "../src/format/parquet-read.js";
import { parquetWrite } from "../src/format/parquet-write.js";
import type { InternalValue } from "../src/data/values.js";
import { vectorOf, type ColumnBatch } from "../src/data/vector.js";
import type { DataField } from "../src/types/datatype.js";
import { parseTypeString } from "../src/types/parse.js";
import { canonicalRows, findDataFile, loadExpected, schemaFields } from "./format-helpers.js";

async function collect(gen: AsyncIterable<ColumnBatch>): Promise<ColumnBatch[]> {
  const out: ColumnBatch[] = [];
  for await (const b of gen) out.push(b);
  return out;
}

function rowsOf(batches: ColumnBatch[], fields: DataField[]): Record<string, unknown>[] {
  return batches.flatMap((b) => canonicalRows(b, fields));
}

/** A ranged byte source over bytes that records the largest single fetch. */
function ranged(bytes: Uint8Array): ByteSource & { largest: number; fetches: number } {
  const src = {
    byteLength: bytes.length,
    largest: 0,
    fetches: 0,
    slice(start: number, end = bytes.length): ArrayBuffer {
      src.largest = Math.max(src.largest, end - start);
      src.fetches++;
      return bytes.slice(start, end).buffer;
    },
  };
  return src;
}

const FIXTURE_TABLES: string[] = (JSON.parse(readFileSync("/work/shared/fixtures/pypaimon/index.json", "utf8")) as { tables: { table: string }[] }).tables.map((t) => t.table.replace(/^fx\./, ""));

describe("chunked reads of the pypaimon fixture files equal whole reads", () => {
  it.each(FIXTURE_TABLES)("%s", async (table) => {
    const e = loadExpected(table);
    let checked = 0;
    for (const lf of e.liveFiles) {
      const format = formatFromFileName(lf.fileName);
      if (format === "orc") continue;
      const bytes = new Uint8Array(readFileSync(findDataFile(table, lf.fileName)));
      const fileFields = schemaFields(table, lf.schemaId);
      const fields = schemaFields(table, e.schemaId);
      const whole = canonicalRows(await readDataFile(format, bytes, fields, { fileFields, fileName: lf.fileName }), fields);
      for (const chunkRows of [1, 2, 1000]) {
        const batches =
          format === "parquet"
            ? await collect(parquetReadRowGroups(ranged(bytes), fields, { fileFields, fileName: lf.fileName, chunkRows }))
            : await collect(avroReadChunks(ranged(bytes), fields, { fileFields, fileName: lf.fileName, chunkRows, windowBytes: 64 }));
        expect([lf.fileName, chunkRows, rowsOf(batches, fields)]).toEqual([lf.fileName, chunkRows, whole]);
      }
      checked++;
    }
    expect(checked + e.liveFiles.filter((f) => f.fileName.endsWith(".orc")).length).toBe(e.liveFiles.length);
  });
});

describe("generated files with many pages", () => {
  const spec: [string, string][] = [
    ["id", "INT NOT NULL"],
    ["big", "BIGINT"],
    ["s", "STRING"],
    ["cat", "STRING"],
    ["d", "DOUBLE"],
    ["dec", "DECIMAL(20, 3)"],
    ["ts", "TIMESTAMP(6)"],
    ["r", "ROW<a INT, b STRING>"],
  ];
  const repeated: [string, string][] = [["arr", "ARRAY<INT>"]];
  // nested fields get ids of their own (100+), as Paimon assigns them
  const fieldsOf = (cols: [string, string][]): DataField[] =>
    cols.map(([name, type], i) => {
      const t = parseTypeString(type);
      return { id: i, name, type: t.root === "ROW" ? { ...t, fields: t.fields.map((f, k) => ({ ...f, id: 100 + k })) } : t };
    });
  const N = 5000;
  const value = (name: string, i: number): InternalValue => {
    switch (name) {
      case "id":
        return i;
      case "big":
        return i % 7 === 0 ? null : BigInt(i) * 1_000_000_007n;
      case "s":
        return i % 5 === 0 ? null : `row-${i}-${"x".repeat(i % 40)}`;
      case "cat":
        return i % 11 === 0 ? null : `c${i % 4}`;
      case "d":
        return i % 13 === 0 ? null : i / 3;
      case "dec":
        return i % 17 === 0 ? null : BigInt(i * 1001 - 2_000_000);
      case "ts":
        return i % 19 === 0 ? null : { millis: BigInt(1_700_000_000_000 + i), nanoOfMilli: (i % 1000) * 1000 };
      case "r":
        return i % 23 === 0 ? null : [i % 3 === 0 ? null : i, `b${i}`];
      case "arr":
        return i % 29 === 0 ? null : Array.from({ length: i % 5 }, (_, k) => (k === 2 ? null : i + k));
      default:
        throw new Error(name);
    }
  };
  const batchOf = (fields: DataField[]): ColumnBatch => ({
    numRows: N,
    names: fields.map((f) => f.name),
    columns: fields.map((f) =>
      vectorOf(
        f.type,
        Array.from({ length: N }, (_, i) => value(f.name, i)),
      ),
    ),
  });

  it("flat columns: page by page, batches of chunkRows, equal to the whole read", async () => {
    const fields = fieldsOf(spec);
    for (const compression of ["zstd", "none"] as const) {
      const bytes = parquetWrite(fields, batchOf(fields), { rowGroupSize: 2000, pageSize: 512, compression });
      const meta = await readParquetMetadata(bytes);
      expect(meta.row_groups.map((g) => Number(g.num_rows))).toEqual([2000, 2000, 1000]);
      const whole = canonicalRows(await parquetReadBatch(bytes, fields), fields);
      for (const chunkRows of [1, 333, 1000, 5000]) {
        const src = ranged(bytes);
        const batches = await collect(parquetReadRowGroups(src, fields, { metadata: meta, chunkRows }));
        const sizes = meta.row_groups.flatMap((g) => {
          const n = Number(g.num_rows);
          return Array.from({ length: Math.ceil(n / chunkRows) }, (_, k) => Math.min(chunkRows, n - k * chunkRows));
        });
        expect([compression, chunkRows, batches.map((b) => b.numRows)]).toEqual([compression, chunkRows, sizes]);
        expect(rowsOf(batches, fields)).toEqual(whole);
      }
      // a projection, in another order, with a missing column
      const proj: DataField[] = [fields[6], fields[2], { id: 99, name: "gone", type: parseTypeString("INT") }, fields[0]];
      const wholeProj = canonicalRows(await parquetReadBatch(bytes, proj), proj);
      expect(rowsOf(await collect(parquetReadRowGroups(ranged(bytes), proj, { chunkRows: 700 })), proj)).toEqual(wholeProj);
    }
  });

  it("columns with repetition: row group by row group", async () => {
    const fields = fieldsOf([...spec, ...repeated]);
    const bytes = parquetWrite(fields, batchOf(fields), { rowGroupSize: 2000, pageSize: 512 });
    const whole = canonicalRows(await parquetReadBatch(bytes, fields), fields);
    const batches = await collect(parquetReadRowGroups(bytes, fields, { chunkRows: 100 }));
    expect(batches.map((b) => b.numRows)).toEqual([2000, 2000, 1000]);
    expect(rowsOf(batches, fields)).toEqual(whole);
    // without the repeated column the same file is read page by page
    const flat = fields.slice(0, spec.length);
    expect((await collect(parquetReadRowGroups(bytes, flat, { chunkRows: 100 }))).length).toBe(50);
  });

  it("Avro: block by block through a small window, equal to the whole read", async () => {
    const fields = fieldsOf([...spec, ...repeated]);
    for (const compression of ["zstd", "none"] as const) {
      const bytes = avroWrite(fields, batchOf(fields), { compression });
      const whole = canonicalRows(await avroReadBatch(bytes, fields), fields);
      for (const [chunkRows, windowBytes] of [
        [1, 100],
        [700, 4096],
        [100_000, 1 << 20],
      ]) {
        const src = ranged(bytes);
        const batches = await collect(avroReadChunks(src, fields, { chunkRows, windowBytes }));
        expect(rowsOf(batches, fields)).toEqual(whole);
        if (chunkRows < N) {
          expect(batches.length).toBeGreaterThan(1);
          // no fetch much beyond the window: the largest block plus its header and sync
          expect(src.largest).toBeLessThan(Math.max(windowBytes, 64 * 1024) + 64 * 1024);
        }
      }
    }
  });
});
