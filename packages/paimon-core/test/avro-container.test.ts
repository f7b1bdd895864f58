import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  AVRO_MAGIC,
  AvroContainerWriter,
  AvroDecodeError,
  AvroDecoder,
  parseAvroSchema,
  readAvroBlocks,
  readAvroContainer,
  readAvroHeader,
  writeAvroContainer,
  writeAvroContainerSync,
} from "../src/avro/index.js";
import { CODEC_NAMES, CodecName, initCodecs } from "../src/util/codec.js";

const SCHEMA = '{"type":"record","name":"R","fields":[{"name":"id","type":"long"},{"name":"name","type":["null","string"],"default":null}]}';
const records = Array.from({ length: 1000 }, (_, i) => ({ id: BigInt(i) * 1000000007n, name: i % 3 === 0 ? null : `row-${i}` }));
const SYNC = new Uint8Array(16).map((_, i) => i + 1);

beforeAll(() => initCodecs());

describe("container files", () => {
  it.each(CODEC_NAMES.map((c) => [c]))("%s: write, read back, header as expected", async (codec) => {
    const bytes = await writeAvroContainer(SCHEMA, records, { codec: codec as CodecName, recordsPerBlock: 300, sync: SYNC });
    expect([...bytes.subarray(0, 4)]).toEqual([...AVRO_MAGIC]);
    const h = readAvroHeader(bytes);
    expect(h.schemaJson).toBe(SCHEMA);
    expect(h.codec).toBe(codec);
    expect([...h.sync]).toEqual([...SYNC]);
    expect(new TextDecoder().decode(h.metadata.get("avro.codec"))).toBe(codec);
    expect([...readAvroBlocks(bytes)].map((b) => b.count)).toEqual([300, 300, 300, 100]);
    expect(readAvroContainer(bytes).records).toEqual(records);
  });

  it("the file layout is magic, metadata map, sync, then (count, size, data, sync) blocks", () => {
    const bytes = writeAvroContainerSync('"int"', [1, 2, 3], { sync: SYNC, metadata: { "x.note": "hi" } });
    const d = new AvroDecoder(bytes, 4);
    expect(d.readLong()).toBe(3n); // three metadata entries in one block
    const meta = new Map<string, string>();
    for (let i = 0; i < 3; i++) meta.set(d.readString(), new TextDecoder().decode(d.readBytes()));
    expect(d.readLong()).toBe(0n);
    expect(meta).toEqual(
      new Map([
        ["avro.schema", '"int"'],
        ["avro.codec", "null"],
        ["x.note", "hi"],
      ]),
    );
    expect([...d.readFixed(16)]).toEqual([...SYNC]);
    expect(d.readLong()).toBe(3n);
    expect(d.readLong()).toBe(3n);
    expect([d.readInt(), d.readInt(), d.readInt()]).toEqual([1, 2, 3]);
    expect([...d.readFixed(16)]).toEqual([...SYNC]);
    expect(d.remaining).toBe(0);
  });

  it("flushes blocks by size like Java's sync interval", () => {
    const w = new AvroContainerWriter(SCHEMA, { syncInterval: 1000 });
    for (const r of records) w.append(r);
    const blocks = [...readAvroBlocks(w.finish())];
    expect(blocks.length).toBeGreaterThan(5);
    expect(blocks.slice(0, -1).every((b) => b.data.length >= 1000 && b.data.length < 1100)).toBe(true);
    expect(blocks.reduce((n, b) => n + b.count, 0)).toBe(records.length);
  });

  it("a file with no records has a header only", () => {
    const bytes = writeAvroContainerSync(SCHEMA, [], { sync: SYNC });
    expect(readAvroHeader(bytes).dataOffset).toBe(bytes.length);
    expect(readAvroContainer(bytes).records).toEqual([]);
  });

  it("a bad record is rejected without corrupting the file", () => {
    const w = new AvroContainerWriter(SCHEMA);
    w.append(records[1]);
    expect(() => w.append({ id: 1n, name: 5 })).toThrow(/at name: expected/);
    w.append(records[2]);
    expect(readAvroContainer(w.finish()).records).toEqual([records[1], records[2]]);
  });

  it("detects a wrong sync marker, truncation and a bad magic", () => {
    const bytes = writeAvroContainerSync(SCHEMA, records.slice(0, 10), { sync: SYNC });
    const bad = bytes.slice();
    bad[bad.length - 1] ^= 0xff;
    expect(() => readAvroContainer(bad)).toThrow(/sync marker mismatch/);
    expect(() => readAvroContainer(bytes.subarray(0, bytes.length - 20))).toThrow(AvroDecodeError);
    expect(() => readAvroHeader(new Uint8Array([1, 2, 3, 4]))).toThrow(/bad magic/);
  });

  it("rejects a codec it does not know", () => {
    const bytes = writeAvroContainerSync(SCHEMA, [], { metadata: {} });
    // rewrite "null" into "lzma" in the header: same length, so offsets stay valid
    const text = Buffer.from(bytes);
    const at = text.indexOf("avro.codec") + "avro.codec".length + 1;
    text.write("lzma", at);
    expect(() => readAvroHeader(new Uint8Array(text))).toThrow(/unsupported Avro codec "lzma"/);
  });

  it("reads pypaimon's manifest files with a reader schema (by-name)", () => {
    const db = join(__dirname, "../../../../shared/fixtures/pypaimon/warehouse/fx.db/pk_fixed/manifest");
    const list = readFileSync(join(db, readFileSync(join(db, "../snapshot/snapshot-1"), "utf8").match(/manifest-list-[0-9a-f-]+-1/)![0]));
    const reader = parseAvroSchema('{"type":"record","name":"x","fields":[{"name":"_FILE_NAME","type":"string"},{"name":"_MIN_BUCKET","type":["null","int"],"default":null}]}');
    const { records: recs } = readAvroContainer(list, { readerSchema: reader });
    expect(recs.length).toBe(1);
    expect(Object.keys(recs[0] as object).sort()).toEqual(["_FILE_NAME", "_MIN_BUCKET"]);
    expect((recs[0] as { _MIN_BUCKET: unknown })._MIN_BUCKET).toBeNull();
  });
});
