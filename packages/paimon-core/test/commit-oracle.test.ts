/**
 * Tables committed by paimon-ts, checked against the real implementations: Java Paimon
 * 1.4.2 and pypaimon 2.1.0 must read exactly the rows we committed (every snapshot),
 * and Java must be able to append to, overwrite and truncate our tables, with us reading
 * its results and committing on top of its snapshots.
 */
import { openOracle, rowMultiset, type Oracle } from "@paimon-ts/oracle";
import { FileStoreCommit } from "../src/commit/file-store-commit.js";
import { expireSnapshots } from "../src/commit/expire.js";
import { removeOrphanFiles } from "../src/commit/orphan.js";
import { tagToJson, type Tag } from "../src/snapshot/tag.js";
import type { InternalValue } from "../src/data/values.js";
import { RowKind, timestamp } from "../src/data/values.js";
import { bucketOfKey } from "../src/data/bucket.js";
import { FileSource } from "../src/manifest/model.js";
import { DataTypes as T } from "../src/types/datatype.js";
import { writeFile } from "@paimon-ts/fileio";
import { canonicalOf, canonicalRows, createTable, message, messagesOf, newWarehouse, writeDataFile, type TestWarehouse } from "./commit-helpers.js";

let java: Oracle;
let py: Oracle;
let wh: TestWarehouse;

beforeAll(() => {
  // these checks are the point of this file: a missing oracle is a failure, not a skip
  const j = openOracle("java");
  const p = openOracle("python");
  if (!j || !p) throw new Error("the Java and Python oracles must be installed (bash tools/oracles.sh)");
  java = j;
  py = p;
});
afterAll(async () => {
  await java?.close();
  await py?.close();
});
beforeEach(async () => {
  wh = await newWarehouse("paimon-commit-oracle-");
});
afterEach(() => wh.cleanup());

const ORACLE_TIMEOUT = 240_000;

/** Both oracles read `table` (optionally at a snapshot) and must see exactly `expected`. */
async function expectOracles(table: string, expected: Record<string, unknown>[], opts: { snapshot?: number; tag?: string } = {}): Promise<void> {
  for (const o of [java, py]) {
    const got = await o.readTable(wh.dir, table, opts);
    expect({ oracle: o.name, ...opts, rows: rowMultiset(got.rows) }).toEqual({ oracle: o.name, ...opts, rows: rowMultiset(expected) });
  }
}

describe("Java Paimon and pypaimon read what we commit", () => {
  it(
    "append-only, bucket-unaware: every snapshot",
    async () => {
      const t = await createTable(wh, "t", {
        columns: [
          { name: "id", type: T.BIGINT(false) },
          { name: "s", type: T.STRING() },
          { name: "d", type: T.DECIMAL(10, 2) },
          { name: "ts", type: T.TIMESTAMP(3) },
        ],
      });
      const commit = new FileStoreCommit(t);
      const all: InternalValue[][] = [];
      const perSnapshot: InternalValue[][][] = [];
      for (let c = 0; c < 3; c++) {
        const rows: InternalValue[][] = [];
        for (let i = 0; i < 4; i++) rows.push([BigInt(c * 10 + i), i === 2 ? null : `s${c}-${i}`, BigInt(c * 1000 + i), timestamp(1_700_000_000_000 + c * 1000 + i)]);
        all.push(...rows);
        await commit.commit(messagesOf(t, [await writeDataFile(t, rows)]));
        perSnapshot.push([...all]);
      }
      for (let s = 1; s <= 3; s++) await expectOracles("db.t", canonicalOf(t, perSnapshot[s - 1]), { snapshot: s });
      await expectOracles("db.t", canonicalOf(t, all));
      const d = await java.describe(wh.dir, "db.t");
      expect(d.snapshots.map((s) => [s.id, s.commitKind, s.totalRecordCount, s.deltaRecordCount])).toEqual([
        [1, "APPEND", 4, 4],
        [2, "APPEND", 8, 4],
        [3, "APPEND", 12, 4],
      ]);
      expect(d.liveFiles).toHaveLength(3);
    },
    ORACLE_TIMEOUT,
  );

  it(
    "partitioned by DATE and STRING, with null partitions",
    async () => {
      const t = await createTable(wh, "p", {
        columns: [
          { name: "dt", type: T.DATE() },
          { name: "region", type: T.STRING() },
          { name: "id", type: T.INT() },
        ],
        partitionKeys: ["dt", "region"],
      });
      const commit = new FileStoreCommit(t);
      const parts: [number | null, string | null][] = [
        [19723, "eu"],
        [19723, "us"],
        [19724, null],
        [null, "eu"],
        [null, null],
      ];
      const all: InternalValue[][] = [];
      let id = 0;
      for (const round of [0, 1]) {
        const files = [];
        for (const [dt, region] of parts) {
          const rows = [
            [dt, region, id++],
            [dt, region, id++],
          ];
          all.push(...rows);
          files.push(await writeDataFile(t, rows, { partition: [dt, region] }));
        }
        expect(await commit.commit(messagesOf(t, files))).toEqual([BigInt(round + 1)]);
      }
      await expectOracles("db.p", canonicalOf(t, all));
      await expectOracles("db.p", canonicalOf(t, all.slice(0, 10)), { snapshot: 1 });
      const d = await java.describe(wh.dir, "db.p");
      expect(d.liveFiles.map((f) => JSON.stringify(f.partition)).sort()).toEqual(
        parts
          .flatMap(([dt, region]) => {
            const p = JSON.stringify({ dt: dt === null ? null : dt === 19723 ? "2024-01-01" : "2024-01-02", region });
            return [p, p];
          })
          .sort(),
      );
    },
    ORACLE_TIMEOUT,
  );

  it(
    "overwrite (dynamic, static, whole table) and truncate",
    async () => {
      const t = await createTable(wh, "o", {
        columns: [
          { name: "dt", type: T.STRING() },
          { name: "v", type: T.INT() },
        ],
        partitionKeys: ["dt"],
      });
      const commit = new FileStoreCommit(t);
      const a = [
        ["a", 1],
        ["a", 2],
      ];
      const b = [["b", 3]];
      const c = [["c", 4]];
      await commit.commit(messagesOf(t, [await writeDataFile(t, a, { partition: ["a"] }), await writeDataFile(t, b, { partition: ["b"] }), await writeDataFile(t, c, { partition: ["c"] })]));
      // dynamic: only partition a is replaced
      const a2 = [["a", 10]];
      expect(await commit.overwrite(messagesOf(t, [await writeDataFile(t, a2, { partition: ["a"] })]))).toEqual([2n]);
      await expectOracles("db.o", canonicalOf(t, [...a2, ...b, ...c]));
      // static: partition b is emptied by an overwrite without rows for it
      expect(await commit.overwrite([], { partition: { dt: "b" }, dynamic: false })).toEqual([3n]);
      await expectOracles("db.o", canonicalOf(t, [...a2, ...c]));
      // static whole table
      const d = [["d", 5]];
      expect(await commit.overwrite(messagesOf(t, [await writeDataFile(t, d, { partition: ["d"] })]), { dynamic: false })).toEqual([4n]);
      await expectOracles("db.o", canonicalOf(t, d));
      await expectOracles("db.o", canonicalOf(t, [...a2, ...b, ...c]), { snapshot: 2 });
      expect(await commit.truncateTable()).toBe(5n);
      await expectOracles("db.o", []);
      expect(rowMultiset(await canonicalRows(t))).toEqual([]);
      const desc = await java.describe(wh.dir, "db.o");
      expect(desc.snapshots.map((s) => [s.commitKind, s.totalRecordCount])).toEqual([
        ["APPEND", 4],
        ["OVERWRITE", 3],
        ["OVERWRITE", 2],
        ["OVERWRITE", 1],
        ["OVERWRITE", 0],
      ]);
    },
    ORACLE_TIMEOUT,
  );

  it(
    "after expiration (with a tag on an expired snapshot) and orphan cleaning",
    async () => {
      const t = await createTable(wh, "e", {
        columns: [
          { name: "k", type: T.INT() },
          { name: "v", type: T.STRING() },
        ],
      });
      const old = Date.now() - 3 * 3_600_000;
      let clock = old;
      const commit = new FileStoreCommit(t, { now: () => clock++ });
      const rows: InternalValue[][] = [];
      for (let i = 0; i < 6; i++) {
        const r = [[i, `v${i}`]];
        rows.push(...r);
        await commit.commit(messagesOf(t, [await writeDataFile(t, r)]));
      }
      // overwrite everything, then keep appending: the first files become deletable
      const fresh = [[100, "fresh"]];
      await commit.overwrite(messagesOf(t, [await writeDataFile(t, fresh)]));
      // tag snapshot 3 (rows 0..2), then expire down to 2 snapshots
      const s3 = await t.snapshots.snapshot(3n);
      const tag: Tag = { ...s3, tagCreateTime: null, tagTimeRetained: null };
      await writeFile(t.io, t.paths.tag("keep"), new TextEncoder().encode(tagToJson(tag)));
      for (let i = 0; i < 3; i++) await commit.commit(messagesOf(t, [await writeDataFile(t, [[200 + i, "late"]])]));
      const result = await expireSnapshots(t, { retainMin: 2, timeRetainedMs: 3_600_000 });
      expect(result.expiredSnapshots).toEqual([1n, 2n, 3n, 4n, 5n, 6n, 7n, 8n]);
      // rows 3..5 were only in expired snapshots and not in the tag: their files are gone
      expect(result.deletedDataFiles).toHaveLength(3);
      const latestRows = [...fresh, [200, "late"], [201, "late"], [202, "late"]];
      await expectOracles("db.e", canonicalOf(t, latestRows));
      await expectOracles("db.e", canonicalOf(t, rows.slice(0, 3)), { tag: "keep" });
      const orphans = await removeOrphanFiles(t, { olderThanMillis: Date.now() + 60_000 });
      expect(orphans.files).toEqual([]);
      await expectOracles("db.e", canonicalOf(t, latestRows));
    },
    ORACLE_TIMEOUT,
  );

  it(
    "primary-key table, fixed buckets: updates and deletes, compaction, overwrite upgraded to the max level; then Java writes",
    async () => {
      const t = await createTable(wh, "pk", {
        columns: [
          { name: "k", type: T.INT(false) },
          { name: "v", type: T.STRING() },
        ],
        primaryKeys: ["k"],
        options: { bucket: "2" },
      });
      const c = new FileStoreCommit(t);
      const bucket = (k: number) => bucketOfKey([T.INT(false)], [k], 2);
      const seq = [0n, 0n];
      const writeRows = async (rows: InternalValue[][], kinds?: RowKind[], level = 0) => {
        const files = [];
        for (const b of [0, 1]) {
          const idx = rows.map((r, i) => i).filter((i) => bucket(rows[i][0] as number) === b);
          if (idx.length === 0) continue;
          files.push(await writeDataFile(t, idx.map((i) => rows[i]), { bucket: b, seqStart: seq[b], kinds: kinds && idx.map((i) => kinds[i]), level }));
          seq[b] += BigInt(idx.length);
        }
        return files;
      };
      const first = await writeRows([1, 2, 3, 4, 5, 6].map((k) => [k, `v${k}`]));
      await c.commit(messagesOf(t, first));
      const second = await writeRows(
        [
          [2, "v2-new"],
          [3, "v3"],
        ],
        [RowKind.UPDATE_AFTER, RowKind.DELETE],
      );
      await c.commit(messagesOf(t, second));
      const expected1 = [
        [1, "v1"],
        [2, "v2-new"],
        [4, "v4"],
        [5, "v5"],
        [6, "v6"],
      ];
      expect(rowMultiset(await canonicalRows(t))).toEqual(rowMultiset(canonicalOf(t, expected1)));
      await expectOracles("db.pk", canonicalOf(t, expected1));

      // a full compaction of bucket 0 by "someone": its files merged into one level-5 file
      const b0 = (await t.liveEntries((await t.snapshots.latest())!)).filter((e) => e.bucket === 0);
      const merged = expected1.filter((r) => bucket(r[0] as number) === 0);
      const out = await writeDataFile(t, merged, { bucket: 0, level: 5, fileSource: FileSource.COMPACT, seqStart: 100n });
      expect(await c.commit([{ ...message(t, out.partition, 0, { compactBefore: b0.map((e) => e.file), compactAfter: [out.meta] }) }])).toEqual([3n]);
      await expectOracles("db.pk", canonicalOf(t, expected1));

      // overwrite: non-overlapping level-0 files are committed at level 5
      const over = await writeRows(
        [
          [10, "x"],
          [11, "y"],
          [12, "z"],
        ],
        undefined,
      );
      await c.overwrite(messagesOf(t, over));
      const levels = (await t.liveEntries((await t.snapshots.latest())!)).map((e) => e.file.level);
      expect(new Set(levels)).toEqual(new Set([5]));
      const expected2 = [
        [10, "x"],
        [11, "y"],
        [12, "z"],
      ];
      await expectOracles("db.pk", canonicalOf(t, expected2));
      await expectOracles("db.pk", canonicalOf(t, expected1), { snapshot: 3 });

      await java.write({
        warehouse: wh.dir,
        table: "db.pk",
        commits: [
          {
            rows: [
              { kind: "+I", row: { k: 13, v: "java" } },
              { kind: "-D", row: { k: 10 } },
              { kind: "+U", row: { k: 11, v: "y-java" } },
            ],
          },
          { compactOnly: "full" },
        ],
      });
      const expected3 = [
        [11, "y-java"],
        [12, "z"],
        [13, "java"],
      ];
      const t2 = await wh.catalog.getTable("db.pk");
      expect(rowMultiset(await canonicalRows(t2))).toEqual(rowMultiset(canonicalOf(t2, expected3)));
      await expectOracles("db.pk", canonicalOf(t2, expected3));
    },
    ORACLE_TIMEOUT,
  );

  it(
    "200 commits (merged manifests)",
    async () => {
      const t = await createTable(wh, "m", {
        columns: [
          { name: "k", type: T.INT() },
          { name: "p", type: T.STRING() },
        ],
        partitionKeys: ["p"],
      });
      const commit = new FileStoreCommit(t);
      const rows: InternalValue[][] = [];
      for (let i = 0; i < 200; i++) {
        const r = [[i, `p${i % 7}`]];
        rows.push(...r);
        await commit.commit(messagesOf(t, [await writeDataFile(t, r, { partition: [`p${i % 7}`] })]));
      }
      expect(rowMultiset(await canonicalRows(t))).toEqual(rowMultiset(canonicalOf(t, rows)));
      await expectOracles("db.m", canonicalOf(t, rows));
      await expectOracles("db.m", canonicalOf(t, rows.slice(0, 77)), { snapshot: 77 });
    },
    ORACLE_TIMEOUT,
  );
});

describe("Java writes on top of our snapshots, and we on top of Java's", () => {
  for (const [label, options] of [
    ["minor compaction (merge-min-count 3)", { "manifest.merge-min-count": "3" }],
    ["full compaction (threshold 1 kb)", { "manifest.full-compaction-threshold-size": "1 kb" }],
  ] as const) {
    it(
      `Java and pypaimon merge our manifests, we merge theirs: ${label}`,
      async () => {
        await createTable(wh, "mm", {
          columns: [
            { name: "k", type: T.INT() },
            { name: "p", type: T.STRING() },
          ],
          partitionKeys: ["p"],
          options,
        });
        let rows: InternalValue[][] = [];
        const writers: string[] = [];
        const ours = async (k: number, p: string, overwrite = false) => {
          const table = await wh.catalog.getTable("db.mm");
          const c = new FileStoreCommit(table);
          const msgs = messagesOf(table, [await writeDataFile(table, [[k, p]], { partition: [p] })]);
          if (overwrite) {
            await c.overwrite(msgs);
            rows = rows.filter((r) => r[1] !== p);
          } else await c.commit(msgs);
          rows.push([k, p]);
          writers.push("ours");
        };
        const theirs = async (o: Oracle, k: number, p: string) => {
          await o.write({ warehouse: wh.dir, table: "db.mm", commits: [{ rows: [{ kind: "+I", row: { k, p } }] }] });
          rows.push([k, p]);
          writers.push(o.name);
        };
        for (let i = 0; i < 4; i++) await ours(i, `p${i % 2}`);
        await theirs(java, 100, "p0");
        await ours(5, "p1");
        await ours(6, "p0", true);
        await theirs(py, 101, "p1");
        await ours(7, "p1", true);
        await ours(8, "p2");
        await theirs(java, 102, "p2");
        await ours(9, "p0");
        const final = await wh.catalog.getTable("db.mm");
        expect(rowMultiset(await canonicalRows(final))).toEqual(rowMultiset(canonicalOf(final, rows)));
        await expectOracles("db.mm", canonicalOf(final, rows));
        const d = await java.describe(wh.dir, "db.mm");
        expect(d.snapshots.map((s) => s.commitKind)).toEqual(["APPEND", "APPEND", "APPEND", "APPEND", "APPEND", "APPEND", "OVERWRITE", "APPEND", "OVERWRITE", "APPEND", "APPEND", "APPEND"]);
        expect(d.liveFiles).toHaveLength(rows.length);
        // which writers merged manifests: the base list of snapshot N holds manifests that
        // were in neither list of snapshot N - 1
        const mergedBy = new Set<string>();
        for (let id = 2n; id <= 12n; id++) {
          const prev = await final.snapshots.snapshot(id - 1n);
          const cur = await final.snapshots.snapshot(id);
          const before = new Set([...(await final.manifestList(prev.baseManifestList)), ...(await final.manifestList(prev.deltaManifestList))].map((m) => m.fileName));
          if ((await final.manifestList(cur.baseManifestList)).some((m) => !before.has(m.fileName))) mergedBy.add(writers[Number(id) - 1]);
        }
        expect(mergedBy.has("ours") && mergedBy.has("java")).toBe(true);
      },
      ORACLE_TIMEOUT,
    );
  }

  it(
    "Java appends, overwrites and truncates our table; we read and commit again",
    async () => {
      const t = await createTable(wh, "j", {
        columns: [
          { name: "id", type: T.INT(false) },
          { name: "dt", type: T.DATE() },
          { name: "v", type: T.STRING() },
        ],
        partitionKeys: ["dt"],
      });
      const commit = new FileStoreCommit(t);
      const ours = [
        [1, 19723, "ts-1"],
        [2, 19724, "ts-2"],
        [3, null, "ts-3"],
      ];
      await commit.commit(messagesOf(t, await Promise.all(ours.map((r) => writeDataFile(t, [r], { partition: [r[1]] })))));

      const res = await java.write({
        warehouse: wh.dir,
        table: "db.j",
        commits: [
          {
            rows: [
              { kind: "+I", row: { id: 4, dt: "2024-01-01", v: "java-4" } },
              { kind: "+I", row: { id: 5, dt: null, v: "java-5" } },
            ],
          },
        ],
      });
      expect(res.latestSnapshotId).toBe(2);
      const t2 = await wh.catalog.getTable("db.j");
      const afterJava = [...ours, [4, 19723, "java-4"], [5, null, "java-5"]];
      expect(rowMultiset(await canonicalRows(t2))).toEqual(rowMultiset(canonicalOf(t2, afterJava)));

      // we commit on top of Java's snapshot (its manifests go into our base list)
      const c2 = new FileStoreCommit(t2);
      await c2.commit(messagesOf(t2, [await writeDataFile(t2, [[6, 19725, "ts-6"]], { partition: [19725] })]));
      const afterUs = [...afterJava, [6, 19725, "ts-6"]];
      await expectOracles("db.j", canonicalOf(t2, afterUs));

      // Java overwrites one partition dynamically, then we append again
      await java.write({ warehouse: wh.dir, table: "db.j", commits: [{ rows: [{ kind: "+I", row: { id: 7, dt: "2024-01-01", v: "java-7" } }], overwrite: true }] });
      const t3 = await wh.catalog.getTable("db.j");
      const afterOverwrite = [...afterUs.filter((r) => r[1] !== 19723), [7, 19723, "java-7"]];
      expect(rowMultiset(await canonicalRows(t3))).toEqual(rowMultiset(canonicalOf(t3, afterOverwrite)));
      const c3 = new FileStoreCommit(t3);
      expect(await c3.dropPartitions([{ dt: null }])).toBe(5n);
      const afterDrop = afterOverwrite.filter((r) => r[1] !== null);
      await expectOracles("db.j", canonicalOf(t3, afterDrop));

      await java.write({ warehouse: wh.dir, table: "db.j", commits: [{ truncate: true }, { rows: [{ kind: "+I", row: { id: 8, dt: "2024-01-02", v: "java-8" } }] }] });
      const t4 = await wh.catalog.getTable("db.j");
      expect(rowMultiset(await canonicalRows(t4))).toEqual(rowMultiset(canonicalOf(t4, [[8, 19724, "java-8"]])));
    },
    ORACLE_TIMEOUT,
  );
});
