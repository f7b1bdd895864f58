/**
 * FileStoreCommit: append commits on real tables (unpartitioned and partitioned), the
 * snapshot JSON and hint files, base/delta manifest lists and their metadata, empty
 * commits, the APPEND/COMPACT split, OVERWRITE for deletions, and the index manifest.
 */
import { readFileSync, existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { rowMultiset } from "@paimon-ts/oracle";
import { InvalidInputError, writeFile } from "@paimon-ts/fileio";
import { FileStoreCommit } from "../src/commit/file-store-commit.js";
import { expireSnapshots } from "../src/commit/expire.js";
import { deserializeBinaryRow, serializeBinaryRow } from "../src/data/binary-row.js";
import { FileSource, HASH_INDEX, FileKind, type IndexFileMeta } from "../src/manifest/model.js";
import { manifestListRead, indexManifestRead } from "../src/manifest/serde.js";
import { simpleStatsFromBinary } from "../src/data/stats.js";
import { DataTypes as T } from "../src/types/datatype.js";
import { canonicalOf, canonicalRows, createTable, message, messagesOf, newWarehouse, writeDataFile, type TestWarehouse } from "./commit-helpers.js";

let wh: TestWarehouse;
beforeEach(async () => {
  wh = await newWarehouse();
});
afterEach(() => wh.cleanup());

const APPEND_COLUMNS = [
  { name: "id", type: T.INT(false) },
  { name: "name", type: T.STRING() },
  { name: "v", type: T.BIGINT() },
];

describe("append commits", () => {
  it("several commits read back; snapshot JSON, hints and manifest lists are as Java writes them", async () => {
    const t = await createTable(wh, "t", { columns: APPEND_COLUMNS });
    const commit = new FileStoreCommit(t, { commitUser: "user-1" });
    const r1 = [
      [1, "a", 10n],
      [2, null, 20n],
      [3, "c", null],
    ];
    const r2 = [
      [4, "d", 9007199254740993n],
      [5, "é😀", -1n],
    ];
    const f1 = await writeDataFile(t, r1);
    expect(await commit.commit(messagesOf(t, [f1]))).toEqual([1n]);
    const f2 = await writeDataFile(t, r2);
    expect(await commit.commit(messagesOf(t, [f2]))).toEqual([2n]);

    expect(rowMultiset(await canonicalRows(t))).toEqual(rowMultiset(canonicalOf(t, [...r1, ...r2])));
    expect(rowMultiset(await canonicalRows(t, { snapshotId: 1 }))).toEqual(rowMultiset(canonicalOf(t, r1)));

    const text = readFileSync(join(t.path, "snapshot", "snapshot-2"), "utf8");
    const keys = [...text.matchAll(/^ {2}"(\w+)" :/gm)].map((m) => m[1]);
    expect(keys).toEqual([
      "version",
      "uuid",
      "id",
      "schemaId",
      "baseManifestList",
      "baseManifestListSize",
      "deltaManifestList",
      "deltaManifestListSize",
      "commitUser",
      "commitIdentifier",
      "commitKind",
      "timeMillis",
      "totalRecordCount",
      "deltaRecordCount",
      "nextRowId",
    ]);
    expect(text).toContain('"commitIdentifier" : 9223372036854775807,');
    const s2 = await t.snapshots.snapshot(2n);
    expect(s2).toMatchObject({ version: 3, id: 2n, schemaId: 0n, commitUser: "user-1", commitKind: "APPEND", totalRecordCount: 5n, deltaRecordCount: 2n, nextRowId: 0n });
    expect(s2.uuid).toMatch(/^[0-9a-f-]{36}$/);
    const size = (n: string) => BigInt(readFileSync(join(t.path, "manifest", n)).length);
    expect(s2.baseManifestListSize).toBe(size(s2.baseManifestList));
    expect(s2.deltaManifestListSize).toBe(size(s2.deltaManifestList));
    expect(readFileSync(join(t.path, "snapshot", "LATEST"), "utf8")).toBe("2");
    expect(readFileSync(join(t.path, "snapshot", "EARLIEST"), "utf8")).toBe("1");

    // base(2) = manifests of base(1) ++ delta(1), unchanged (nothing to merge)
    const s1 = await t.snapshots.snapshot(1n);
    expect(await t.manifestList(s1.baseManifestList)).toEqual([]);
    const delta1 = await t.manifestList(s1.deltaManifestList);
    expect((await t.manifestList(s2.baseManifestList)).map((m) => m.fileName)).toEqual(delta1.map((m) => m.fileName));
    const delta2 = await manifestListRead(readFileSync(join(t.path, "manifest", s2.deltaManifestList)));
    expect(delta2).toHaveLength(1);
    expect(delta2[0]).toMatchObject({ numAddedFiles: 1n, numDeletedFiles: 0n, schemaId: 0n, minBucket: 0, maxBucket: 0, minLevel: 0, maxLevel: 0, minRowId: null, maxRowId: null });
    expect(delta2[0].partitionStats.nullCounts).toEqual([]);
    const entries = await t.manifestFile(delta2[0]);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ kind: FileKind.ADD, bucket: 0, totalBuckets: -1 });
    expect(entries[0].file.fileName).toBe(f2.meta.fileName);
  });

  it("an empty commit creates no snapshot unless allowEmpty", async () => {
    const t = await createTable(wh, "t", { columns: APPEND_COLUMNS });
    const commit = new FileStoreCommit(t);
    expect(await commit.commit([])).toEqual([]);
    expect(await t.snapshots.latestId()).toBeNull();
    const f = await writeDataFile(t, [[1, "a", 1n]]);
    await commit.commit(messagesOf(t, [f]));
    expect(await commit.commit([message(t, f.partition, 0, {})])).toEqual([]);
    expect(await commit.commit([], { allowEmpty: true, commitIdentifier: 7n })).toEqual([2n]);
    const s = await t.snapshots.snapshot(2n);
    expect(s).toMatchObject({ commitKind: "APPEND", commitIdentifier: 7n, totalRecordCount: 1n, deltaRecordCount: 0n });
    expect(await t.manifestList(s.deltaManifestList)).toEqual([]);
    expect(rowMultiset(await canonicalRows(t))).toEqual(rowMultiset(canonicalOf(t, [[1, "a", 1n]])));
  });

  it("watermark keeps the maximum; properties are stored", async () => {
    const t = await createTable(wh, "t", { columns: APPEND_COLUMNS });
    const commit = new FileStoreCommit(t);
    await commit.commit([], { allowEmpty: true, watermark: 100n, properties: { k: "v" } });
    await commit.commit([], { allowEmpty: true, watermark: 50n });
    await commit.commit([], { allowEmpty: true });
    expect((await t.snapshots.snapshot(1n)).properties).toEqual({ k: "v" });
    expect((await t.snapshots.snapshot(2n)).watermark).toBe(100n);
    expect((await t.snapshots.snapshot(3n)).watermark).toBe(100n);
    expect((await t.snapshots.snapshot(3n)).properties).toBeNull();
  });

  it("rejects messages whose partition does not match the table", async () => {
    const t = await createTable(wh, "t", { columns: APPEND_COLUMNS });
    const commit = new FileStoreCommit(t);
    const bad = message(t, serializeBinaryRow([T.INT()], [1]), 0, {});
    await expect(commit.commit([bad])).rejects.toBeInstanceOf(InvalidInputError);
  });
});

describe("partitioned tables", () => {
  it("null and date partitions: directories, partition stats, reads", async () => {
    const t = await createTable(wh, "p", {
      columns: [
        { name: "dt", type: T.DATE() },
        { name: "region", type: T.STRING() },
        { name: "v", type: T.INT() },
      ],
      partitionKeys: ["dt", "region"],
    });
    const commit = new FileStoreCommit(t);
    const parts: [number | null, string | null][] = [
      [19723, "eu"],
      [19724, null],
      [null, "us"],
    ];
    const files = [];
    const rows = [];
    for (const [i, [dt, region]] of parts.entries()) {
      const r = [
        [dt, region, i * 10],
        [dt, region, i * 10 + 1],
      ];
      rows.push(...r);
      files.push(await writeDataFile(t, r, { partition: [dt, region] }));
    }
    expect(await commit.commit(messagesOf(t, files))).toEqual([1n]);
    expect(existsSync(join(t.path, "dt=19723/region=eu/bucket-0"))).toBe(true);
    expect(existsSync(join(t.path, "dt=19724/region=__DEFAULT_PARTITION__/bucket-0"))).toBe(true);
    expect(existsSync(join(t.path, "dt=__DEFAULT_PARTITION__/region=us/bucket-0"))).toBe(true);
    expect(rowMultiset(await canonicalRows(t))).toEqual(rowMultiset(canonicalOf(t, rows)));

    const s = await t.snapshots.snapshot(1n);
    const [meta] = await t.manifestList(s.deltaManifestList);
    const stats = simpleStatsFromBinary([T.DATE(), T.STRING()], meta.partitionStats);
    expect(stats).toEqual([
      { min: 19723, max: 19724, nullCount: 1n },
      { min: "eu", max: "us", nullCount: 1n },
    ]);
    const entries = await t.manifestFile(meta);
    expect(entries.map((e) => deserializeBinaryRow([T.DATE(), T.STRING()], e.partition))).toEqual(parts);
  });
});

describe("commit kinds", () => {
  it("compaction results follow as a COMPACT snapshot with the same identifier", async () => {
    const t = await createTable(wh, "t", { columns: APPEND_COLUMNS });
    const commit = new FileStoreCommit(t, { commitUser: "u" });
    const r1 = [[1, "a", 1n]];
    const r2 = [[2, "b", 2n]];
    const r3 = [[3, "c", 3n]];
    const f1 = await writeDataFile(t, r1);
    const f2 = await writeDataFile(t, r2);
    await commit.commit(messagesOf(t, [f1]));
    await commit.commit(messagesOf(t, [f2]));
    const f12 = await writeDataFile(t, [...r1, ...r2], { fileSource: FileSource.COMPACT });
    const f3 = await writeDataFile(t, r3);
    const ids = await commit.commit([message(t, f1.partition, 0, { newFiles: [f3.meta], compactBefore: [f1.meta, f2.meta], compactAfter: [f12.meta] })], { commitIdentifier: 42n });
    expect(ids).toEqual([3n, 4n]);
    const s3 = await t.snapshots.snapshot(3n);
    const s4 = await t.snapshots.snapshot(4n);
    expect(s3).toMatchObject({ commitKind: "APPEND", commitIdentifier: 42n, deltaRecordCount: 1n, totalRecordCount: 3n });
    expect(s4).toMatchObject({ commitKind: "COMPACT", commitIdentifier: 42n, deltaRecordCount: 0n, totalRecordCount: 3n });
    expect(rowMultiset(await canonicalRows(t))).toEqual(rowMultiset(canonicalOf(t, [...r1, ...r2, ...r3])));
    const live = (await t.liveEntries(s4)).map((e) => e.file.fileName).sort();
    expect(live).toEqual([f12.meta.fileName, f3.meta.fileName].sort());
  });

  it("deleting files makes the new-files snapshot an OVERWRITE", async () => {
    const t = await createTable(wh, "t", { columns: APPEND_COLUMNS });
    const commit = new FileStoreCommit(t);
    const f1 = await writeDataFile(t, [[1, "a", 1n]]);
    const f2 = await writeDataFile(t, [[2, "b", 2n]]);
    await commit.commit(messagesOf(t, [f1, f2]));
    expect(await commit.commit([message(t, f1.partition, 0, { deletedFiles: [f1.meta] })])).toEqual([2n]);
    const s = await t.snapshots.snapshot(2n);
    expect(s).toMatchObject({ commitKind: "OVERWRITE", deltaRecordCount: -1n, totalRecordCount: 1n });
    expect(rowMultiset(await canonicalRows(t))).toEqual(rowMultiset(canonicalOf(t, [[2, "b", 2n]])));
  });
});

describe("statistics", () => {
  it("an ANALYZE snapshot publishes a statistics file; it is inherited until the schema changes, then expired", async () => {
    const t = await createTable(wh, "t", { columns: APPEND_COLUMNS });
    const commit = new FileStoreCommit(t);
    await commit.commit(messagesOf(t, [await writeDataFile(t, [[1, "a", 1n]])]));
    await writeFile(wh.io, join(t.path, "statistics", "stat-x-0"), new TextEncoder().encode('{"snapshotId":1,"schemaId":0,"mergedRecordCount":1}'));
    await expect(commit.commitStatistics("stat-missing-0")).rejects.toBeInstanceOf(InvalidInputError);
    expect(await commit.commitStatistics("stat-x-0")).toBe(2n);
    expect(await t.snapshots.snapshot(2n)).toMatchObject({ commitKind: "ANALYZE", statistics: "stat-x-0", deltaRecordCount: 0n, totalRecordCount: 1n });
    await commit.commit(messagesOf(t, [await writeDataFile(t, [[2, "b", 2n]])]));
    expect((await t.snapshots.snapshot(3n)).statistics).toBe("stat-x-0");
    await wh.catalog.alterTable("db.t", [{ type: "setOption", key: "snapshot.num-retained.min", value: "1" }]);
    await commit.commit([], { allowEmpty: true });
    const s4 = await t.snapshots.snapshot(4n);
    expect(s4.schemaId).toBe(1n);
    expect(s4.statistics).toBeNull();
    const r = await expireSnapshots(t, { retainMin: 1, timeRetainedMs: 0, now: Date.now() + 1000 });
    expect(r.expiredSnapshots).toEqual([1n, 2n, 3n]);
    expect(r.deletedStatisticsFiles.map((p) => p.slice(p.lastIndexOf("/") + 1))).toEqual(["stat-x-0"]);
    expect(rowMultiset(await canonicalRows(t))).toEqual(
      rowMultiset(
        canonicalOf(t, [
          [1, "a", 1n],
          [2, "b", 2n],
        ]),
      ),
    );
  });
});

describe("index manifest", () => {
  async function indexFile(path: string, name: string, rowCount: number): Promise<IndexFileMeta> {
    const bytes = new Uint8Array(rowCount * 4).map((_, i) => i);
    await writeFile(wh.io, join(path, "index", name), bytes);
    return { indexType: HASH_INDEX, fileName: name, fileSize: BigInt(bytes.length), rowCount: BigInt(rowCount), dvRanges: null, externalPath: null, globalIndex: null };
  }

  it("is combined with the previous one on change and carried forward otherwise", async () => {
    const t = await createTable(wh, "pk", {
      columns: [
        { name: "k", type: T.INT(false) },
        { name: "v", type: T.STRING() },
      ],
      primaryKeys: ["k"],
    });
    expect(t.schema.options.bucket).toBeUndefined(); // dynamic bucket
    const commit = new FileStoreCommit(t);
    const empty = serializeBinaryRow([], []);
    const i1 = await indexFile(t.path, "index-a-0", 2);
    const d1 = await writeDataFile(t, [
      [1, "a"],
      [2, "b"],
    ]);
    await commit.commit([message(t, empty, 0, { newFiles: [d1.meta], newIndexFiles: [i1] })]);
    const s1 = await t.snapshots.snapshot(1n);
    expect(s1.indexManifest).not.toBeNull();
    expect((await t.indexEntries(s1)).map((e) => e.indexFile.fileName)).toEqual(["index-a-0"]);

    const d2 = await writeDataFile(t, [[3, "c"]], { bucket: 1 });
    await commit.commit([message(t, empty, 1, { newFiles: [d2.meta] })]);
    const s2 = await t.snapshots.snapshot(2n);
    expect(s2.indexManifest).toBe(s1.indexManifest);

    const i2 = await indexFile(t.path, "index-a-1", 3);
    const i3 = await indexFile(t.path, "index-a-2", 1);
    const d3 = await writeDataFile(t, [[4, "d"]], { seqStart: 2n });
    await commit.commit([message(t, empty, 0, { newFiles: [d3.meta], newIndexFiles: [i2] }), message(t, empty, 1, { newIndexFiles: [i3] })]);
    const s3 = await t.snapshots.snapshot(3n);
    expect(s3.indexManifest).not.toBe(s1.indexManifest);
    const entries = await indexManifestRead(readFileSync(join(t.path, "manifest", s3.indexManifest as string)));
    expect(entries.map((e) => [e.kind, e.bucket, e.indexFile.fileName]).sort()).toEqual([
      [FileKind.ADD, 0, "index-a-1"],
      [FileKind.ADD, 1, "index-a-2"],
    ]);
    expect(rowMultiset(await canonicalRows(t))).toEqual(
      rowMultiset(
        canonicalOf(t, [
          [1, "a"],
          [2, "b"],
          [3, "c"],
          [4, "d"],
        ]),
      ),
    );
    expect(readdirSync(join(t.path, "manifest")).filter((n) => n.startsWith("index-manifest-"))).toHaveLength(2);
  });
});
