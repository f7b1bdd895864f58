import {
  DataFileMeta,
  DuplicateFileError,
  FileKind,
  FileSource,
  IndexManifestEntry,
  ManifestEntry,
  ManifestError,
  ManifestFileMeta,
  ManifestMergeError,
  ManifestMergeIO,
  MetadataFileNames,
  combineIndexEntries,
  emptyRowBytes,
  emptyStats,
  fileIdentifier,
  liveEntries,
  manifestFileMetaOf,
  manifestFileReadSync,
  mergeEntries,
  mergeManifests,
  minorCompaction,
  tryFullCompaction,
  writeManifestFiles,
  writeManifestFilesSync,
} from "../src/manifest/index.js";
import { initCodecs } from "../src/util/codec.js";

beforeAll(() => initCodecs());

/** A partition row with one INT field (arity 1, 8-byte fixed part + 8-byte slot). */
function partition(v: number): Uint8Array {
  const b = new Uint8Array(4 + 16);
  const dv = new DataView(b.buffer);
  dv.setInt32(0, 1, false);
  dv.setInt32(4 + 8, v, true);
  return b;
}

function file(name: string, over: Partial<DataFileMeta> = {}): DataFileMeta {
  return {
    fileName: name,
    fileSize: 100n,
    rowCount: 10n,
    minKey: emptyRowBytes(),
    maxKey: emptyRowBytes(),
    keyStats: emptyStats(),
    valueStats: emptyStats(),
    minSequenceNumber: 0n,
    maxSequenceNumber: 9n,
    schemaId: 0n,
    level: 0,
    extraFiles: [],
    creationTime: 0n,
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

/** Partition stats for rows built by `partition()` (or arity-0 rows). */
function intPartitionStats(parts: Uint8Array[]) {
  if (parts.every((p) => p.length === 12)) return emptyStats();
  const vals = parts.map((p) => new DataView(p.buffer, p.byteOffset).getInt32(12, true));
  return { minValues: partition(Math.min(...vals)), maxValues: partition(Math.max(...vals)), nullCounts: [0n] };
}

const add = (name: string, over: Partial<DataFileMeta> = {}, bucket = 0, part = emptyRowBytes()): ManifestEntry => ({
  kind: FileKind.ADD,
  partition: part,
  bucket,
  totalBuckets: -1,
  file: file(name, over),
});
const del = (e: ManifestEntry): ManifestEntry => ({ ...e, kind: FileKind.DELETE });

describe("file identifiers and entry merging", () => {
  it("the identifier covers partition, bucket, level, name, extra files, embedded index and external path", () => {
    const base = add("a");
    const id = fileIdentifier(base);
    expect(fileIdentifier({ ...base, file: { ...base.file, rowCount: 99n, valueStats: emptyStats() } })).toBe(id);
    for (const other of [
      { ...base, bucket: 1 },
      { ...base, partition: partition(1) },
      add("a", { level: 1 }),
      add("b"),
      add("a", { extraFiles: ["a.index"] }),
      add("a", { embeddedIndex: new Uint8Array([1]) }),
      add("a", { externalPath: "s3://x/a" }),
    ]) {
      expect(fileIdentifier(other)).not.toBe(id);
    }
  });

  it("ADD then DELETE cancel; an unmatched DELETE is kept; a double ADD throws", () => {
    const a = add("a");
    const b = add("b");
    expect(mergeEntries([a, b, del(a)])).toEqual([b]);
    expect(mergeEntries([del(a), b])).toEqual([del(a), b]);
    expect(() => mergeEntries([a, a])).toThrow(DuplicateFileError);
    expect(() => mergeEntries([a, a])).toThrow(/Trying to add file a/);
  });

  it("an upgrade is DELETE(level 0) + ADD(level n) of the same file", () => {
    const l0 = add("a");
    const l5 = add("a", { level: 5, fileSource: FileSource.COMPACT });
    expect(liveEntries([l0, del(l0), l5])).toEqual([l5]);
    expect(mergeEntries([l0, del(l0), l5])).toEqual([l5]);
  });

  it("the read path drops every ADD that has a DELETE anywhere, in any order", () => {
    const a = add("a");
    const b = add("b");
    expect(liveEntries([del(a), a, b])).toEqual([b]);
  });
});

describe("manifest file metadata", () => {
  it("counts, schema id, bucket/level/row-id bounds", () => {
    const entries = [
      add("a", { schemaId: 1n, level: 2, firstRowId: 10n, rowCount: 5n }, 3),
      del(add("b", { schemaId: 4n, level: 0, firstRowId: 0n, rowCount: 10n }, 1)),
    ];
    expect(manifestFileMetaOf("manifest-x-0", 123, entries)).toEqual({
      fileName: "manifest-x-0",
      fileSize: 123n,
      numAddedFiles: 1n,
      numDeletedFiles: 1n,
      partitionStats: emptyStats(),
      schemaId: 4n,
      minBucket: 1,
      maxBucket: 3,
      minLevel: 0,
      maxLevel: 2,
      minRowId: 0n,
      maxRowId: 14n,
    });
    const noRowIds = manifestFileMetaOf("m", 1, [add("a", { firstRowId: 1n }), add("b")]);
    expect([noRowIds.minRowId, noRowIds.maxRowId]).toEqual([null, null]);
  });

  it("partitioned tables need a partition stats collector", () => {
    expect(() => manifestFileMetaOf("m", 1, [add("a", {}, 0, partition(1))])).toThrow(/PartitionStatsCollector/);
    const stats = { minValues: partition(1), maxValues: partition(2), nullCounts: [0n] };
    const meta = manifestFileMetaOf("m", 1, [add("a", {}, 0, partition(1)), add("b", {}, 0, partition(2))], {
      partitionStats: (ps) => {
        expect(ps).toHaveLength(2);
        return stats;
      },
    });
    expect(meta.partitionStats).toBe(stats);
  });

  it("rolls manifest files at the target size", async () => {
    const names = new MetadataFileNames("u");
    const entries = Array.from({ length: 200 }, (_, i) => add(`data-${i}.parquet`));
    const out = await writeManifestFiles(entries, { newFileName: () => names.newManifestFile(), targetFileSize: 4000, syncInterval: 500 });
    expect(out.length).toBeGreaterThan(2);
    expect(out.map((o) => o.meta.fileName)).toEqual(out.map((_, i) => `manifest-u-${i}`));
    expect(out.flatMap((o) => manifestFileReadSync(o.bytes))).toEqual(entries);
    for (const o of out) {
      expect(o.meta.fileSize).toBe(BigInt(o.bytes.length));
      expect(o.meta.numAddedFiles).toBe(BigInt(manifestFileReadSync(o.bytes).length));
    }
    expect(writeManifestFilesSync([], { newFileName: () => "x" })).toEqual([]);
  });
});

describe("file names", () => {
  it("one uuid, one counter per kind", () => {
    const n = new MetadataFileNames("abc");
    expect([n.newManifestList(), n.newManifestList(), n.newManifestFile(), n.newIndexManifest(), n.newIndexFile(), n.newStatisticsFile()]).toEqual([
      "manifest-list-abc-0",
      "manifest-list-abc-1",
      "manifest-abc-0",
      "index-manifest-abc-0",
      "index-abc-0",
      "stat-abc-0",
    ]);
    expect(new MetadataFileNames().uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});

// ------------------------------------------------------------------ manifest merging

class Store implements ManifestMergeIO {
  readonly files = new Map<string, Uint8Array>();
  readonly names = new MetadataFileNames("m");
  reads = 0;
  constructor(readonly target: number) {}
  async read(meta: ManifestFileMeta): Promise<ManifestEntry[]> {
    this.reads++;
    const b = this.files.get(meta.fileName);
    if (!b) throw new Error(`no such manifest ${meta.fileName}`);
    return manifestFileReadSync(b);
  }
  async write(entries: ManifestEntry[]): Promise<ManifestFileMeta[]> {
    const out = await writeManifestFiles(entries, { newFileName: () => this.names.newManifestFile(), targetFileSize: this.target, codec: "null", partitionStats: intPartitionStats });
    for (const o of out) this.files.set(o.meta.fileName, o.bytes);
    return out.map((o) => o.meta);
  }
  async liveOf(metas: ManifestFileMeta[]): Promise<string[]> {
    const all = (await Promise.all(metas.map((m) => this.read(m)))).flat();
    return liveEntries(all)
      .map((e) => fileIdentifier(e))
      .sort();
  }
}

describe("manifest merging", () => {
  it("minor: groups reaching the target are merged; a short tail is kept", async () => {
    const s = new Store(1_000_000);
    const metas: ManifestFileMeta[] = [];
    for (let i = 0; i < 5; i++) metas.push(...(await s.write([add(`f${i}`)])));
    const sizes = metas.map((m) => Number(m.fileSize));
    // target = size of two manifests: [0,1] and [2,3] merge; 4 stays (tail below min count)
    const out = await minorCompaction(metas, s, { targetFileSize: sizes[0] + sizes[1], mergeMinCount: 30 });
    expect(out.length).toBe(3);
    expect(out[2]).toBe(metas[4]);
    expect(await s.liveOf(out)).toEqual(await s.liveOf(metas));
    // the tail is merged when it has enough manifests
    const out2 = await minorCompaction(metas, s, { targetFileSize: 1e9, mergeMinCount: 5 });
    expect(out2.length).toBe(1);
    expect(out2[0].numAddedFiles).toBe(5n);
    // a group of one is kept as is
    expect(await minorCompaction(metas.slice(0, 1), s, { targetFileSize: 1, mergeMinCount: 1 })).toEqual(metas.slice(0, 1));
  });

  it("minor: ADD+DELETE pairs cancel and an unmatched DELETE survives", async () => {
    const s = new Store(1_000_000);
    const a = add("a");
    const b = add("b");
    const m1 = await s.write([a]);
    const m2 = await s.write([b, del(a)]);
    const m3 = await s.write([del(b)]);
    const merged = await minorCompaction([...m2, ...m3], s, { targetFileSize: 1e9, mergeMinCount: 2 });
    // b and del(b) cancel; del(a) stays because a lives in m1
    expect((await s.read(merged[0])).map((e) => [e.kind, e.file.fileName])).toEqual([[FileKind.DELETE, "a"]]);
    expect(await s.liveOf([...m1, ...merged])).toEqual([]);
    // everything cancels: no manifest at all
    expect(await minorCompaction([...m1, ...m2, ...m3], s, { targetFileSize: 1e9, mergeMinCount: 3 })).toEqual([]);
  });

  it("full: triggered by small/delete manifests, removes DELETEs and keeps untouched large manifests", async () => {
    const s = new Store(1_000_000);
    const big = await s.write(Array.from({ length: 300 }, (_, i) => add(`big-${i}`)));
    const small: ManifestFileMeta[] = [];
    for (let i = 0; i < 6; i++) small.push(...(await s.write([add(`s${i}`), ...(i > 0 ? [del(add(`s${i - 1}`))] : [])])));
    const target = Number(big[0].fileSize) - 1; // big is "large", the others are small
    const input = [...big, ...small];
    expect(await tryFullCompaction(input, s, { targetFileSize: target, fullCompactionThresholdSize: 1e12 })).toBeNull();
    const out = await tryFullCompaction(input, s, { targetFileSize: target, fullCompactionThresholdSize: 1 });
    expect(out).not.toBeNull();
    expect(out![0]).toBe(big[0]); // holds no deleted file: kept as is
    const rewritten = out!.slice(1);
    for (const m of rewritten) expect(m.numDeletedFiles).toBe(0n);
    expect((await Promise.all(rewritten.map((m) => s.read(m)))).flat().map((e) => e.file.fileName)).toEqual(["s5"]);
    expect(await s.liveOf(out!)).toEqual(await s.liveOf(input));
  });

  it("full: a large manifest holding a deleted file is rewritten", async () => {
    const s = new Store(1_000_000);
    const big = await s.write(Array.from({ length: 50 }, (_, i) => add(`big-${i}`)));
    const d1 = await s.write([del(add("big-7"))]);
    const d2 = await s.write([add("new")]);
    const input = [...big, ...d1, ...d2];
    const out = await tryFullCompaction(input, s, { targetFileSize: Number(big[0].fileSize) - 1, fullCompactionThresholdSize: 1 });
    expect(out!.includes(big[0])).toBe(false);
    expect(out!.reduce((n, m) => n + m.numAddedFiles, 0n)).toBe(50n);
    expect(out!.every((m) => m.numDeletedFiles === 0n)).toBe(true);
    expect(await s.liveOf(out!)).toEqual(await s.liveOf(input));
  });

  it("full: partition pruning callback skips reading unrelated large manifests", async () => {
    const s = new Store(1_000_000);
    const p1 = await s.write(Array.from({ length: 40 }, (_, i) => add(`p1-${i}`, {}, 0, partition(1))));
    const p2 = await s.write(Array.from({ length: 40 }, (_, i) => add(`p2-${i}`, {}, 0, partition(2))));
    const d = await s.write([del(add("p2-3", {}, 0, partition(2)))]);
    const extra = await s.write([add("x", {}, 0, partition(2))]);
    const input = [...p1, ...p2, ...d, ...extra];
    const readsBefore = s.reads;
    const out = await tryFullCompaction(input, s, {
      targetFileSize: Math.min(Number(p1[0].fileSize), Number(p2[0].fileSize)) - 1,
      fullCompactionThresholdSize: 1,
      mayContainPartitions: (m, parts) => {
        expect(parts).toHaveLength(1);
        return m !== p1[0];
      },
    });
    expect(out![0]).toBe(p1[0]);
    expect(s.reads - readsBefore).toBe(3 + 0); // the delete manifest is read once (cached), p2 and extra
    expect(await s.liveOf(out!)).toEqual(await s.liveOf(input));
  }, 20000);

  it("never changes the live set (random histories)", async () => {
    let seed = 42;
    const rnd = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const kinds = new Set<string>();
    for (let round = 0; round < 5; round++) {
      const s = new Store(600 + rnd(3000));
      let manifests: ManifestFileMeta[] = [];
      const live = new Map<string, ManifestEntry>();
      let counter = 0;
      for (let commit = 0; commit < 40; commit++) {
        const changes: ManifestEntry[] = [];
        for (let k = rnd(4); k >= 0; k--) {
          const e = add(`r${round}-f${counter++}`, { level: rnd(3) }, rnd(3), partition(rnd(3)));
          changes.push(e);
        }
        for (const [id, e] of [...live.entries()]) {
          if (rnd(6) === 0) {
            changes.push(del(e));
            live.delete(id);
          }
        }
        for (const e of changes) if (e.kind === FileKind.ADD) live.set(fileIdentifier(e), e);
        const merged = await mergeManifests(manifests, s, {
          targetFileSize: 600 + rnd(3000),
          mergeMinCount: 2 + rnd(5),
          fullCompactionThresholdSize: 1000 + rnd(20000),
        });
        kinds.add(merged.kind);
        expect(await s.liveOf(merged.manifests)).toEqual(await s.liveOf(manifests));
        manifests = [...merged.manifests, ...(await s.write(changes))];
        expect(await s.liveOf(manifests)).toEqual([...live.keys()].sort());
      }
    }
    expect([...kinds].sort()).toEqual(["full", "minor", "none"]);
  }, 60000);

  it("a failing write reports the files it created", async () => {
    const s = new Store(1_000_000);
    const metas: ManifestFileMeta[] = [];
    for (let i = 0; i < 4; i++) metas.push(...(await s.write([add(`f${i}`)])));
    let writes = 0;
    const io: ManifestMergeIO = {
      read: (m) => s.read(m),
      write: async (entries) => {
        if (writes++ > 0) throw new Error("disk full");
        return s.write(entries);
      },
    };
    const small = Number(metas[0].fileSize) * 2;
    const err = await mergeManifests(metas, io, { targetFileSize: small, mergeMinCount: 30, fullCompactionThresholdSize: 1e12 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ManifestMergeError);
    expect((err as ManifestMergeError).created).toHaveLength(1);
    expect((err as Error).message).toMatch(/disk full/);
  });
});

describe("index manifest combination", () => {
  const idx = (kind: FileKind, type: string, name: string, bucket = 0, dv: string[] | null = null, part = emptyRowBytes()): IndexManifestEntry => ({
    kind,
    partition: part,
    bucket,
    indexFile: {
      indexType: type,
      fileName: name,
      fileSize: 16n,
      rowCount: 4n,
      dvRanges: dv && dv.map((d, i) => ({ dataFileName: d, offset: 1 + i * 10, length: 10, cardinality: 1n })),
      externalPath: null,
      globalIndex: null,
    },
  });
  const names = (es: IndexManifestEntry[]): string[] => es.map((e) => e.indexFile.fileName).sort();

  it("bucketed HASH/DV: an ADD replaces the file of the same (partition, bucket, type)", () => {
    const prev = [idx(FileKind.ADD, "HASH", "h0", 0), idx(FileKind.ADD, "HASH", "h1", 1), idx(FileKind.ADD, "DELETION_VECTORS", "d0", 0)];
    const next = combineIndexEntries(prev, [idx(FileKind.ADD, "HASH", "h0b", 0), idx(FileKind.DELETE, "DELETION_VECTORS", "d0", 0), idx(FileKind.ADD, "HASH", "h2", 2, null, partition(1))]);
    expect(names(next)).toEqual(["h0b", "h1", "h2"]);
    // a DELETE followed by an ADD with the same key keeps the ADD
    expect(names(combineIndexEntries(prev, [idx(FileKind.ADD, "HASH", "h1b", 1), idx(FileKind.DELETE, "HASH", "h1", 1)]))).toEqual(["d0", "h0", "h1b"]);
  });

  it("bucket-unaware DVs are combined by file name with one DV per data file", () => {
    const prev = [idx(FileKind.ADD, "DELETION_VECTORS", "d0", 0, ["a", "b"])];
    const opts = { bucketUnaware: true };
    expect(names(combineIndexEntries(prev, [idx(FileKind.ADD, "DELETION_VECTORS", "d1", 0, ["c"])], opts))).toEqual(["d0", "d1"]);
    expect(() => combineIndexEntries(prev, [idx(FileKind.ADD, "DELETION_VECTORS", "d1", 0, ["a"])], opts)).toThrow(/data file a/);
    expect(() => combineIndexEntries(prev, [idx(FileKind.DELETE, "DELETION_VECTORS", "dx", 0, [])], opts)).toThrow(ManifestError);
    expect(names(combineIndexEntries(prev, [idx(FileKind.DELETE, "DELETION_VECTORS", "d0", 0, ["a", "b"]), idx(FileKind.ADD, "DELETION_VECTORS", "d2", 0, ["a"])], opts))).toEqual([
      "d2",
    ]);
  });

  it("global index types are combined by file name; previous manifests must be ADD only", () => {
    const prev = [idx(FileKind.ADD, "BTREE", "g0"), idx(FileKind.ADD, "BTREE", "g1")];
    expect(names(combineIndexEntries(prev, [idx(FileKind.DELETE, "BTREE", "g0"), idx(FileKind.ADD, "BTREE", "g2")]))).toEqual(["g1", "g2"]);
    expect(() => combineIndexEntries([idx(FileKind.DELETE, "HASH", "h")], [])).toThrow(/DELETE entry/);
  });
});
