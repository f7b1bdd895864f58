/**
 * Snapshot expiration (§7.6: range rules, consumers, limit, tags, the (begin, end] rule
 * for data files, metadata that is still referenced) and orphan-file cleaning (§7.8).
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { rowMultiset } from "@paimon-ts/oracle";
import { writeFile } from "@paimon-ts/fileio";
import { FileStoreCommit } from "../src/commit/file-store-commit.js";
import { expireSnapshots } from "../src/commit/expire.js";
import { removeOrphanFiles } from "../src/commit/orphan.js";
import type { InternalValue } from "../src/data/values.js";
import { FileSource, HASH_INDEX, type IndexFileMeta } from "../src/manifest/model.js";
import { tagToJson, type Tag } from "../src/snapshot/tag.js";
import type { FileStoreTable } from "../src/table/table.js";
import { DataTypes as T } from "../src/types/datatype.js";
import { canonicalOf, canonicalRows, createTable, message, messagesOf, newWarehouse, writeDataFile, type TestWarehouse } from "./commit-helpers.js";

let wh: TestWarehouse;
beforeEach(async () => {
  wh = await newWarehouse();
});
afterEach(() => wh.cleanup());

const T0 = 1_700_000_000_000;
const HOUR = 3_600_000;

async function table(name = "t"): Promise<FileStoreTable> {
  return createTable(wh, name, {
    columns: [
      { name: "id", type: T.INT() },
      { name: "v", type: T.STRING() },
    ],
  });
}

async function tag(t: FileStoreTable, name: string, snapshotId: bigint): Promise<void> {
  const s = await t.snapshots.snapshot(snapshotId);
  const tg: Tag = { ...s, tagCreateTime: null, tagTimeRetained: null };
  await writeFile(t.io, t.paths.tag(name), new TextEncoder().encode(tagToJson(tg)));
}

const snapshotFiles = (t: FileStoreTable) =>
  readdirSync(join(t.path, "snapshot"))
    .filter((n) => n.startsWith("snapshot-"))
    .map((n) => Number(n.slice(9)))
    .sort((a, b) => a - b);

async function expectNoOrphans(t: FileStoreTable): Promise<void> {
  expect((await removeOrphanFiles(t, { olderThanMillis: Date.now() + 60_000, dryRun: true })).files).toEqual([]);
}

describe("expiration range", () => {
  it("consumers, limit, time retention, retainMax and retainMin decide what expires", async () => {
    const t = await table();
    // snapshot i is committed at T0 + i s
    let clock = T0;
    const c = new FileStoreCommit(t, { now: () => clock });
    const rows: InternalValue[][] = [];
    for (let i = 1; i <= 15; i++) {
      clock = T0 + i * 1000;
      rows.push([i, `v${i}`]);
      await c.commit(messagesOf(t, [await writeDataFile(t, [[i, `v${i}`]])]));
    }
    const expire = (o: Parameters<typeof expireSnapshots>[1]) => expireSnapshots(t, { retainMin: 1, timeRetainedMs: 0, now: T0 + 100 * HOUR, ...o });

    mkdirSync(join(t.path, "consumer"));
    writeFileSync(join(t.path, "consumer", "consumer-reader"), '{\n  "nextSnapshot" : 3\n}');
    expect((await expire({})).expiredSnapshots).toEqual([1n, 2n]);
    writeFileSync(join(t.path, "consumer", "consumer-reader"), '{"nextSnapshot":100}');

    expect((await expire({ limit: 4 })).expiredSnapshots).toEqual([3n, 4n, 5n, 6n]);
    expect(readFileSync(join(t.path, "snapshot", "EARLIEST"), "utf8")).toBe("7");

    // snapshot 10 (committed at T0 + 10 s) is the first within the retention time
    expect((await expire({ timeRetainedMs: HOUR, now: T0 + 10_000 + HOUR })).expiredSnapshots).toEqual([7n, 8n, 9n]);

    // retainMax forces out what is below latest − 3 + 1, however young
    const r = await expire({ retainMax: 3, timeRetainedMs: 1000 * HOUR });
    expect(r.expiredSnapshots).toEqual([10n, 11n, 12n]);
    expect(r.earliest).toBe(13n);

    // retainMin keeps the newest ones
    expect((await expire({ retainMin: 3 })).expiredSnapshots).toEqual([]);
    expect((await expire({ retainMin: 2 })).expiredSnapshots).toEqual([13n]);
    expect(snapshotFiles(t)).toEqual([14, 15]);

    // append-only history: no data file was ever deleted, all rows are still there
    expect(rowMultiset(await canonicalRows(t))).toEqual(rowMultiset(canonicalOf(t, rows)));
    await expectNoOrphans(t);
    const fresh = await wh.catalog.getTable("db.t");
    await expect(canonicalRows(fresh, { snapshotId: 13 })).rejects.toThrow(/snapshot 13 does not exist/);
    expect(await fresh.snapshots.earliestId()).toBe(14n);
  });

  it("with the table's defaults (10 retained, 1 hour) recent snapshots stay; EARLIEST is written when missing", async () => {
    const t = await table();
    const c = new FileStoreCommit(t);
    for (let i = 0; i < 12; i++) await c.commit([], { allowEmpty: true });
    const r = await expireSnapshots(t);
    expect(r.expiredSnapshots).toEqual([]);
    expect(r.earliest).toBe(1n);
    const r2 = await expireSnapshots(t, { now: Date.now() + 2 * HOUR });
    expect(r2.expiredSnapshots).toEqual([1n, 2n]);
    expect(readFileSync(join(t.path, "snapshot", "EARLIEST"), "utf8")).toBe("3");
  });
});

describe("what expiration deletes", () => {
  it("data files deleted in (begin, end] unless a tag holds them; metadata nothing references", async () => {
    const t = await table();
    const c = new FileStoreCommit(t);
    const f1 = await writeDataFile(t, [[1, "a"]]);
    const f2 = await writeDataFile(t, [[2, "b"]]);
    await c.commit(messagesOf(t, [f1])); // 1
    await c.commit(messagesOf(t, [f2])); // 2
    await tag(t, "t2", 2n);
    const f12 = await writeDataFile(
      t,
      [
        [1, "a"],
        [2, "b"],
      ],
      { fileSource: FileSource.COMPACT },
    );
    await c.commit([message(t, f1.partition, 0, { compactBefore: [f1.meta, f2.meta], compactAfter: [f12.meta] })]); // 3
    const f4 = await writeDataFile(t, [[4, "d"]]);
    await c.overwrite(messagesOf(t, [f4])); // 4: deletes f12
    const f5 = await writeDataFile(t, [[5, "e"]]);
    await c.commit(messagesOf(t, [f5])); // 5

    const r = await expireSnapshots(t, { retainMin: 1, timeRetainedMs: 0, now: Date.now() + 1000 });
    expect(r.expiredSnapshots).toEqual([1n, 2n, 3n, 4n]);
    expect(r.deletedDataFiles).toEqual([f12.path]);
    expect(existsSync(f12.path)).toBe(false);
    for (const f of [f1, f2, f4, f5]) expect(existsSync(f.path)).toBe(true);
    expect(r.deletedManifestFiles.length).toBeGreaterThan(0);
    expect(rowMultiset(await canonicalRows(t))).toEqual(
      rowMultiset(
        canonicalOf(t, [
          [4, "d"],
          [5, "e"],
        ]),
      ),
    );
    const fresh = await wh.catalog.getTable("db.t");
    expect(rowMultiset(await canonicalRows(fresh, { tag: "t2" }))).toEqual(
      rowMultiset(
        canonicalOf(t, [
          [1, "a"],
          [2, "b"],
        ]),
      ),
    );
    await expectNoOrphans(fresh);

    // once the tag is gone, f1 and f2 are orphans: expiration does not revisit them, the cleaner does
    await t.io.delete(t.paths.tag("t2"));
    const orphans = await removeOrphanFiles(fresh, { olderThanMillis: Date.now() + 60_000 });
    const names = orphans.files.map((p) => p.slice(p.lastIndexOf("/") + 1));
    expect(names).toEqual(expect.arrayContaining([f1.meta.fileName, f2.meta.fileName]));
    expect(names.filter((n) => n.startsWith("data-"))).toHaveLength(2);
    expect(existsSync(f1.path)).toBe(false);
    expect(rowMultiset(await canonicalRows(await wh.catalog.getTable("db.t")))).toEqual(
      rowMultiset(
        canonicalOf(t, [
          [4, "d"],
          [5, "e"],
        ]),
      ),
    );
  });

  it("changelog files: a changelog manifest list per commit, deleted when their snapshot expires", async () => {
    const t = await createTable(wh, "cl", {
      columns: [
        { name: "k", type: T.INT(false) },
        { name: "v", type: T.STRING() },
      ],
      primaryKeys: ["k"],
      options: { bucket: "1", "changelog-producer": "input" },
    });
    const c = new FileStoreCommit(t);
    const d1 = await writeDataFile(t, [[1, "a"]]);
    const c1 = await writeDataFile(t, [[1, "a"]]);
    await c.commit([message(t, d1.partition, 0, { newFiles: [d1.meta], changelogFiles: [c1.meta] })]);
    const s1 = await t.snapshots.snapshot(1n);
    expect(s1.changelogManifestList).not.toBeNull();
    expect(s1.changelogRecordCount).toBe(1n);
    expect(s1.changelogManifestListSize).toBe(BigInt(readFileSync(join(t.path, "manifest", s1.changelogManifestList as string)).length));
    const cl = await t.manifestList(s1.changelogManifestList as string);
    expect((await t.manifestFile(cl[0])).map((e) => e.file.fileName)).toEqual([c1.meta.fileName]);
    // the table's data is not affected by changelog files
    expect(await t.liveEntries(s1)).toHaveLength(1);
    await c.commit(messagesOf(t, [await writeDataFile(t, [[2, "b"]], { seqStart: 1n })]));
    expect((await t.snapshots.snapshot(2n)).changelogManifestList).toBeNull();
    const r = await expireSnapshots(t, { retainMin: 1, timeRetainedMs: 0, now: Date.now() + 1000 });
    expect(r.expiredSnapshots).toEqual([1n]);
    expect(r.deletedChangelogFiles).toEqual([c1.path]);
    expect(r.deletedDataFiles).toEqual([]);
    expect(rowMultiset(await canonicalRows(t))).toEqual(
      rowMultiset(
        canonicalOf(t, [
          [1, "a"],
          [2, "b"],
        ]),
      ),
    );
    await expectNoOrphans(t);
  });

  it("index files replaced or truncated away are deleted with their snapshots; schema files never", async () => {
    const t = await createTable(wh, "pk", {
      columns: [
        { name: "k", type: T.INT(false) },
        { name: "v", type: T.STRING() },
      ],
      primaryKeys: ["k"],
    });
    const c = new FileStoreCommit(t);
    const idx = async (name: string): Promise<IndexFileMeta> => {
      await writeFile(wh.io, join(t.path, "index", name), new Uint8Array(4));
      return { indexType: HASH_INDEX, fileName: name, fileSize: 4n, rowCount: 1n, dvRanges: null, externalPath: null, globalIndex: null };
    };
    const f1 = await writeDataFile(t, [[1, "a"]]);
    await c.commit([message(t, f1.partition, 0, { newFiles: [f1.meta], newIndexFiles: [await idx("index-x-0")] })]); // 1
    const f2 = await writeDataFile(t, [[2, "b"]], { seqStart: 1n });
    await c.commit([message(t, f1.partition, 0, { newFiles: [f2.meta], newIndexFiles: [await idx("index-x-1")] })]); // 2: replaces x-0
    await wh.catalog.alterTable("db.pk", [{ type: "addColumn", path: "extra", dataType: T.INT() }]);
    await c.commit([], { allowEmpty: true }); // 3 (schema 1)
    const r = await expireSnapshots(t, { retainMin: 1, timeRetainedMs: 0, now: Date.now() + 1000 });
    expect(r.expiredSnapshots).toEqual([1n, 2n]);
    expect(r.deletedIndexFiles.map((p) => p.slice(p.lastIndexOf("/") + 1))).toEqual(["index-x-0"]);
    expect(existsSync(join(t.path, "index", "index-x-1"))).toBe(true);
    expect(readdirSync(join(t.path, "schema")).sort()).toEqual(["schema-0", "schema-1"]);
    const fresh = await wh.catalog.getTable("db.pk");
    expect(rowMultiset(await canonicalRows(fresh))).toEqual(
      rowMultiset(
        canonicalOf(fresh, [
          [1, "a", null],
          [2, "b", null],
        ]),
      ),
    );
    await c.truncateTable(); // 4
    const r2 = await expireSnapshots(t, { retainMin: 1, timeRetainedMs: 0, now: Date.now() + 1000 });
    expect(r2.expiredSnapshots).toEqual([3n]);
    expect(r2.deletedIndexFiles.map((p) => p.slice(p.lastIndexOf("/") + 1))).toEqual(["index-x-1"]);
    expect(r2.deletedDataFiles.map((p) => p.slice(p.lastIndexOf("/") + 1)).sort()).toEqual([f1.meta.fileName, f2.meta.fileName].sort());
    await expectNoOrphans(fresh);
  });
});

describe("orphan files", () => {
  it("removes unreferenced data, manifest, index, statistics and temp files older than the threshold; nothing else", async () => {
    const t = await createTable(wh, "p", {
      columns: [
        { name: "dt", type: T.STRING() },
        { name: "v", type: T.INT() },
      ],
      partitionKeys: ["dt"],
    });
    const c = new FileStoreCommit(t);
    const live = await writeDataFile(t, [["x", 1]], { partition: ["x"] });
    await c.commit(messagesOf(t, [live]));
    const stray = await writeDataFile(t, [["x", 2]], { partition: ["x"] }); // written, never committed
    const strayOtherBucket = await writeDataFile(t, [["y", 3]], { partition: ["y"], bucket: 3 });
    const put = (rel: string) => {
      const p = join(t.path, rel);
      mkdirSync(join(p, ".."), { recursive: true });
      writeFileSync(p, "x");
      return p;
    };
    const orphanPaths = [
      stray.path,
      strayOtherBucket.path,
      put("manifest/manifest-dead-0"),
      put("manifest/manifest-list-dead-0"),
      put("manifest/index-manifest-dead-0"),
      put("index/index-dead-0"),
      put("statistics/stat-dead-0"),
      put("snapshot/.snapshot-9.0f0e.tmp"),
    ];
    const keep = [put("README.txt"), put("dt=x/_SUCCESS"), put("snapshot/NOTES"), put("manifest/not-a-manifest"), put("tag/.keep")];

    // the default threshold (1 day) protects everything just written
    expect((await removeOrphanFiles(t)).files).toEqual([]);
    // an old orphan is found with the default threshold
    const old = (Date.now() - 2 * 24 * HOUR) / 1000;
    utimesSync(stray.path, old, old);
    expect((await removeOrphanFiles(t, { dryRun: true })).files).toEqual([stray.path]);

    const dry = await removeOrphanFiles(t, { olderThanMillis: Date.now() + 60_000, dryRun: true });
    expect([...dry.files].sort()).toEqual([...orphanPaths].sort());
    for (const p of orphanPaths) expect(existsSync(p)).toBe(true);
    const real = await removeOrphanFiles(t, { olderThanMillis: Date.now() + 60_000 });
    expect([...real.files].sort()).toEqual([...orphanPaths].sort());
    expect(real.totalBytes).toBeGreaterThan(0);
    for (const p of orphanPaths) expect(existsSync(p)).toBe(false);
    for (const p of keep) expect(existsSync(p)).toBe(true);
    expect(existsSync(live.path)).toBe(true);
    expect(existsSync(join(t.path, "schema", "schema-0"))).toBe(true);
    expect(rowMultiset(await canonicalRows(t))).toEqual(rowMultiset(canonicalOf(t, [["x", 1]])));
  });

  it("aborts without deleting when referenced metadata cannot be read", async () => {
    const t = await table();
    const c = new FileStoreCommit(t);
    await c.commit(messagesOf(t, [await writeDataFile(t, [[1, "a"]])]));
    const stray = await writeDataFile(t, [[2, "b"]]);
    const s = await t.snapshots.snapshot(1n);
    writeFileSync(join(t.path, "manifest", s.deltaManifestList), "garbage");
    await expect(removeOrphanFiles(t, { olderThanMillis: Date.now() + 60_000 })).rejects.toThrow();
    expect(existsSync(stray.path)).toBe(true);
  });
});
