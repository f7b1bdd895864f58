/**
 * Manifest merging keeps scans cheap: after 200 commits the number of manifest files a
 * full scan reads stays bounded (minor compaction at `manifest.merge-min-count`, full
 * compaction of DELETE-carrying manifests past `manifest.full-compaction-threshold-size`),
 * and merging never changes the set of live files.
 */
import { rowMultiset } from "@paimon-ts/oracle";
import { FileStoreCommit } from "../src/commit/file-store-commit.js";
import type { InternalValue } from "../src/data/values.js";
import { planScan } from "../src/read/scan.js";
import { FileKind } from "../src/manifest/model.js";
import type { FileStoreTable } from "../src/table/table.js";
import { DataTypes as T } from "../src/types/datatype.js";
import { HookedIO, canonicalOf, canonicalRows, createTable, messagesOf, newWarehouse, onIO, writeDataFile, type TestWarehouse } from "./commit-helpers.js";

let wh: TestWarehouse;
beforeEach(async () => {
  wh = await newWarehouse();
});
afterEach(() => wh.cleanup());

/** Manifest files (not lists) a full scan of the latest snapshot reads, on a cold cache. */
async function manifestsReadPerScan(t: FileStoreTable): Promise<{ manifests: number; lists: number; liveFiles: number }> {
  const io = new HookedIO(wh.io);
  let manifests = 0;
  let lists = 0;
  io.onReadFile = (path, real) => {
    const name = path.slice(path.lastIndexOf("/") + 1);
    if (name.startsWith("manifest-list-")) lists++;
    else if (name.startsWith("manifest-")) manifests++;
    return real();
  };
  const plan = await planScan(onIO(t, io));
  return { manifests, lists, liveFiles: plan.splits.reduce((n, s) => n + s.files.length, 0) };
}

describe("manifest files read per scan stay bounded", () => {
  it("200 append commits with the default options: at most merge-min-count (30) manifests", async () => {
    const t = await createTable(wh, "t", {
      columns: [
        { name: "id", type: T.INT() },
        { name: "p", type: T.STRING() },
      ],
      partitionKeys: ["p"],
    });
    const c = new FileStoreCommit(t);
    const rows: InternalValue[][] = [];
    const counts: number[] = [];
    for (let i = 0; i < 200; i++) {
      const r = [[i, `p${i % 5}`]];
      rows.push(...r);
      await c.commit(messagesOf(t, [await writeDataFile(t, r, { partition: [`p${i % 5}`] })]));
      const n = await manifestsReadPerScan(t);
      expect(n.lists).toBe(2);
      expect(n.liveFiles).toBe(i + 1);
      counts.push(n.manifests);
    }
    expect(Math.max(...counts)).toBe(30);
    expect(Math.max(...counts.slice(100))).toBe(30);
    expect(counts[199]).toBeLessThanOrEqual(30);
    expect(rowMultiset(await canonicalRows(t))).toEqual(rowMultiset(canonicalOf(t, rows)));
  }, 180_000);

  it("with deletions: full compaction drops DELETE entries once enough bytes sit in small manifests (threshold 4 kb)", async () => {
    const t = await createTable(wh, "d", {
      columns: [{ name: "id", type: T.INT() }],
      options: { "manifest.full-compaction-threshold-size": "4 kb" },
    });
    const c = new FileStoreCommit(t);
    let live: InternalValue[][] = [];
    const counts: number[] = [];
    for (let i = 0; i < 200; i++) {
      const f = await writeDataFile(t, [[i]]);
      if (i % 10 === 9) {
        await c.overwrite(messagesOf(t, [f]));
        live = [[i]];
      } else {
        await c.commit(messagesOf(t, [f]));
        live.push([i]);
      }
      const n = await manifestsReadPerScan(t);
      expect(n.liveFiles).toBe(live.length);
      counts.push(n.manifests);
    }
    // every commit's base is one fully compacted manifest, plus the delta
    expect(Math.max(...counts)).toBe(2);
    // the base list holds no DELETE entries: they and the files they cancel were compacted away
    const s = (await t.snapshots.latest())!;
    const base = (await Promise.all((await t.manifestList(s.baseManifestList)).map((m) => t.manifestFile(m)))).flat();
    expect(base.filter((e) => e.kind === FileKind.DELETE)).toEqual([]);
    expect(base).toHaveLength(10); // the live files before the last overwrite
    expect(rowMultiset(await canonicalRows(t))).toEqual(rowMultiset(canonicalOf(t, live)));
  }, 180_000);
});
