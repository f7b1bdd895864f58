/**
 * decode → encode → decode for every fixture manifest with every codec, and the exact
 * `avro.schema` strings of our writers against METADATA.md §4.
 */
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { readAvroBlocks, readAvroHeader } from "../src/avro/index.js";
import {
  DataFileMeta,
  FileKind,
  FileSource,
  INDEX_MANIFEST_ENTRY_SCHEMA_JSON,
  IndexManifestEntry,
  MANIFEST_ENTRY_SCHEMA_JSON,
  MANIFEST_ENTRY_SCHEMA_JSON_2_0,
  MANIFEST_LIST_SCHEMA_JSON,
  ManifestEntry,
  ManifestError,
  ManifestFileMeta,
  checkManifestEntryLayout,
  emptyRowBytes,
  emptyStats,
  indexManifestRead,
  indexManifestReadSync,
  indexManifestWrite,
  indexManifestWriteSync,
  manifestDirFileKind,
  manifestFileRead,
  manifestFileReadSync,
  manifestFileWrite,
  manifestFileWriteSync,
  manifestListRead,
  manifestListReadSync,
  manifestListWrite,
  manifestListWriteSync,
  manifestFileMetaToAvro,
} from "../src/manifest/index.js";
import { writeAvroContainerSync } from "../src/avro/index.js";
import { CODEC_NAMES, CodecName, initCodecs } from "../src/util/codec.js";

const SPEC = readFileSync(join(__dirname, "../../../../shared/paimon-spec/METADATA.md"), "utf8");
const DB = join(__dirname, "../../../../shared/fixtures/pypaimon/warehouse/fx.db");

beforeAll(() => initCodecs());

/** The code blocks of the spec that hold a one-line Avro record schema. */
function specSchemas(): string[] {
  return SPEC.split("\n").filter((l) => l.startsWith('{"type":"record","name":"record","namespace":"org.apache.paimon.avro.generated"'));
}

describe("avro.schema header strings", () => {
  const schemas = specSchemas();
  it("the spec has the four schemas of §4.2–§4.4", () => {
    expect(schemas).toHaveLength(4);
  });
  it("the constants are the spec's exact strings", () => {
    expect(schemas[0]).toBe(MANIFEST_LIST_SCHEMA_JSON);
    expect(schemas[1]).toBe(MANIFEST_ENTRY_SCHEMA_JSON);
    expect(schemas[2]).toBe(MANIFEST_ENTRY_SCHEMA_JSON_2_0);
    expect(schemas[3]).toBe(INDEX_MANIFEST_ENTRY_SCHEMA_JSON);
  });
  it("our writers put them in the header", async () => {
    const schema = (b: Uint8Array): string => readAvroHeader(b).schemaJson;
    expect(schema(await manifestListWrite([]))).toBe(schemas[0]);
    expect(schema(await manifestFileWrite([sampleEntry()]))).toBe(schemas[1]);
    expect(schema(await manifestFileWrite([sampleEntry()], { layout: "2.0" }))).toBe(schemas[2]);
    expect(schema(await indexManifestWrite([sampleIndexEntry()]))).toBe(schemas[3]);
    expect(checkManifestEntryLayout(await manifestFileWrite([sampleEntry()]))).toBeNull();
  });
  it("the default codec is zstandard and empty files have no blocks", async () => {
    const b = await manifestListWrite([]);
    const h = readAvroHeader(b);
    expect(h.codec).toBe("zstandard");
    expect(h.dataOffset).toBe(b.length);
    expect([...readAvroBlocks(b)]).toEqual([]);
    expect(await manifestListRead(b)).toEqual([]);
  });
});

const files = readdirSync(DB).flatMap((t) => readdirSync(join(DB, t, "manifest")).map((f) => join(t, "manifest", f)));

describe("round trip of every fixture manifest", () => {
  it("finds them", () => {
    expect(files.length).toBeGreaterThan(200);
  });
  it.each(files.map((f) => [f]))("%s", (rel) => {
    const bytes = readFileSync(join(DB, rel));
    const kind = manifestDirFileKind(rel.split("/").at(-1)!);
    for (const codec of CODEC_NAMES) {
      if (kind === "manifest-list") {
        const a = manifestListReadSync(bytes);
        const out = manifestListWriteSync(a, codec);
        expect(readAvroHeader(out).codec).toBe(codec);
        expect(manifestListReadSync(out)).toEqual(a);
      } else if (kind === "index-manifest") {
        const a = indexManifestReadSync(bytes);
        expect(a.length).toBeGreaterThan(0);
        expect(indexManifestReadSync(indexManifestWriteSync(a, codec))).toEqual(a);
      } else {
        const a = manifestFileReadSync(bytes);
        expect(a.length).toBeGreaterThan(0);
        const out = manifestFileWriteSync(a, { codec, syncInterval: 200 });
        expect(manifestFileReadSync(out)).toEqual(a);
        // pypaimon never writes _WRITE_COLS_SEQUENCES, so the 2.0 layout round-trips too
        expect(manifestFileReadSync(manifestFileWriteSync(a, { codec, layout: "2.0" }))).toEqual(a);
      }
    }
  });
});

function sampleFile(over: Partial<DataFileMeta> = {}): DataFileMeta {
  return {
    fileName: "data-0f4b1c1e-2c57-4a8e-8b63-b51c1a3e7e1d-0.parquet",
    fileSize: 1234n,
    rowCount: 3n,
    minKey: emptyRowBytes(),
    maxKey: emptyRowBytes(),
    keyStats: emptyStats(),
    valueStats: { minValues: new Uint8Array([0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0]), maxValues: emptyRowBytes(), nullCounts: [0n, null] },
    minSequenceNumber: 0n,
    maxSequenceNumber: 9223372036854775807n,
    schemaId: 0n,
    level: 0,
    extraFiles: ["x.index"],
    creationTime: 1755852757000n,
    deleteRowCount: 0n,
    embeddedIndex: null,
    fileSource: FileSource.APPEND,
    valueStatsCols: null,
    externalPath: null,
    firstRowId: null,
    writeCols: null,
    writeColsSequences: null,
    ...over,
  };
}

function sampleEntry(over: Partial<ManifestEntry> = {}): ManifestEntry {
  return { kind: FileKind.ADD, partition: emptyRowBytes(), bucket: 0, totalBuckets: -1, file: sampleFile(), ...over };
}

function sampleIndexEntry(): IndexManifestEntry {
  return {
    kind: FileKind.ADD,
    partition: emptyRowBytes(),
    bucket: 3,
    indexFile: {
      indexType: "DELETION_VECTORS",
      fileName: "index-a-0",
      fileSize: 63n,
      rowCount: 2n,
      dvRanges: [
        { dataFileName: "data-1.parquet", offset: 1, length: 24, cardinality: 2n },
        { dataFileName: "data-2.parquet", offset: 33, length: 22, cardinality: null },
      ],
      externalPath: null,
      globalIndex: null,
    },
  };
}

describe("our own records", () => {
  it.each(CODEC_NAMES.map((c) => [c]))("every field of a manifest entry survives (%s)", async (codec) => {
    const entries = [
      sampleEntry(),
      sampleEntry({
        kind: FileKind.DELETE,
        bucket: -2,
        totalBuckets: -2,
        file: sampleFile({
          level: 5,
          minSequenceNumber: -9223372036854775808n,
          creationTime: null,
          deleteRowCount: null,
          embeddedIndex: new Uint8Array([1, 2, 3]),
          fileSource: FileSource.COMPACT,
          valueStatsCols: [],
          externalPath: "s3://b/x.parquet",
          firstRowId: 7n,
          writeCols: ["a", "b"],
          writeColsSequences: [1n, 2n],
          valueStats: { minValues: emptyRowBytes(), maxValues: emptyRowBytes(), nullCounts: null },
        }),
      }),
    ];
    const bytes = await manifestFileWrite(entries, codec as CodecName);
    expect(await manifestFileRead(bytes)).toEqual(entries);
  });

  it("rejects _WRITE_COLS_SEQUENCES in the 2.0 layout", () => {
    expect(() => manifestFileWriteSync([sampleEntry({ file: sampleFile({ writeColsSequences: [1n] }) })], { layout: "2.0" })).toThrow(/_WRITE_COLS_SEQUENCES/);
  });

  it("manifest list records with every optional field", async () => {
    const metas: ManifestFileMeta[] = [
      {
        fileName: "manifest-u-0",
        fileSize: 2048n,
        numAddedFiles: 3n,
        numDeletedFiles: 1n,
        partitionStats: emptyStats(),
        schemaId: 4n,
        minBucket: 0,
        maxBucket: 7,
        minLevel: 0,
        maxLevel: 5,
        minRowId: 0n,
        maxRowId: 99n,
      },
      {
        fileName: "manifest-u-1",
        fileSize: 1n,
        numAddedFiles: 0n,
        numDeletedFiles: 0n,
        partitionStats: { minValues: emptyRowBytes(), maxValues: emptyRowBytes(), nullCounts: null },
        schemaId: 0n,
        minBucket: null,
        maxBucket: null,
        minLevel: null,
        maxLevel: null,
        minRowId: null,
        maxRowId: null,
      },
    ];
    expect(await manifestListRead(await manifestListWrite(metas, "snappy"))).toEqual(metas);
  });

  it("index entries with DV ranges and a global index", async () => {
    const e = sampleIndexEntry();
    const g: IndexManifestEntry = {
      ...e,
      indexFile: {
        ...e.indexFile,
        indexType: "BTREE",
        dvRanges: null,
        externalPath: "oss://x/y",
        globalIndex: { rowRangeStart: 0n, rowRangeEnd: 100n, indexFieldId: 3, extraFieldIds: [4, 5], indexMeta: new Uint8Array([9]), sourceMeta: null },
      },
    };
    expect(await indexManifestRead(await indexManifestWrite([e, g], "deflate"))).toEqual([e, g]);
  });

  it("rejects a data manifest whose _VERSION is not 2", () => {
    const rec = manifestFileMetaToAvro({
      fileName: "manifest-x-0",
      fileSize: 1n,
      numAddedFiles: 1n,
      numDeletedFiles: 0n,
      partitionStats: emptyStats(),
      schemaId: 0n,
      minBucket: null,
      maxBucket: null,
      minLevel: null,
      maxLevel: null,
      minRowId: null,
      maxRowId: null,
    });
    expect(manifestListReadSync(writeAvroContainerSync(MANIFEST_LIST_SCHEMA_JSON, [rec]))).toHaveLength(1);
    const bytes = writeAvroContainerSync(MANIFEST_LIST_SCHEMA_JSON, [{ ...rec, _VERSION: 1 }]);
    expect(() => manifestListReadSync(bytes)).toThrow(ManifestError);
    expect(() => manifestListReadSync(bytes)).toThrow(/_VERSION 1.*recreate the table/);
  });

  it("reports a schema that lacks required fields", () => {
    const bytes = writeAvroContainerSync('{"type":"record","name":"r","fields":[{"name":"_VERSION","type":"int"}]}', [{ _VERSION: 2 }]);
    expect(() => manifestListReadSync(bytes)).toThrow(/incompatible schema.*_FILE_NAME/);
  });

  it("reads files whose writer schema differs (older Java, extra fields, other record names)", () => {
    // a 1.0-style manifest list: no bucket/level/row-id fields, plus an unknown field
    const schema = JSON.stringify({
      type: "record",
      name: "Whatever",
      fields: [
        { name: "_VERSION", type: "int" },
        { name: "_FILE_NAME", type: "string" },
        { name: "_UNKNOWN", type: { type: "array", items: "string" } },
        { name: "_FILE_SIZE", type: "long" },
        { name: "_NUM_ADDED_FILES", type: "long" },
        { name: "_NUM_DELETED_FILES", type: "long" },
        {
          name: "_PARTITION_STATS",
          type: {
            type: "record",
            name: "S",
            fields: [
              { name: "_MIN_VALUES", type: "bytes" },
              { name: "_MAX_VALUES", type: "bytes" },
              { name: "_NULL_COUNTS", type: ["null", { type: "array", items: ["null", "long"] }], default: null },
            ],
          },
        },
        { name: "_SCHEMA_ID", type: "long" },
      ],
    });
    const bytes = writeAvroContainerSync(schema, [
      {
        _VERSION: 2,
        _FILE_NAME: "manifest-x-0",
        _UNKNOWN: ["a", "b"],
        _FILE_SIZE: 10n,
        _NUM_ADDED_FILES: 1n,
        _NUM_DELETED_FILES: 0n,
        _PARTITION_STATS: { _MIN_VALUES: emptyRowBytes(), _MAX_VALUES: emptyRowBytes(), _NULL_COUNTS: [] },
        _SCHEMA_ID: 0n,
      },
    ]);
    expect(manifestListReadSync(bytes)).toEqual([
      {
        fileName: "manifest-x-0",
        fileSize: 10n,
        numAddedFiles: 1n,
        numDeletedFiles: 0n,
        partitionStats: { minValues: emptyRowBytes(), maxValues: emptyRowBytes(), nullCounts: [] },
        schemaId: 0n,
        minBucket: null,
        maxBucket: null,
        minLevel: null,
        maxLevel: null,
        minRowId: null,
        maxRowId: null,
      },
    ]);
  });

  it("the layout check flags a manifest without the six top-level fields", () => {
    const bytes = writeAvroContainerSync('{"type":"record","name":"r","fields":[{"name":"_VERSION","type":"int"}]}', []);
    expect(checkManifestEntryLayout(bytes)).toMatch(/top-level fields are \[_VERSION\]/);
  });

  it("sync reads of zstd data need initCodecs (done here), async ones do it themselves", async () => {
    const bytes = await manifestFileWrite([sampleEntry()]);
    expect(manifestFileReadSync(bytes)).toEqual(await manifestFileRead(bytes));
  });
});
