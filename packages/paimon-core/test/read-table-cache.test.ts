/**
 * Housekeeping of src/table: the snapshot cache never serves an expired snapshot forever
 * (freshness window, listing, earliest snapshot), the snapshot and manifest caches are
 * bounded, and the option-value parsers have one home.
 */
import { isNotFound } from "@paimon-ts/fileio";
import * as commitOptions from "../src/commit/options.js";
import type { InternalValue } from "../src/data/values.js";
import { readTable, resultRows } from "../src/read/reader.js";
import { LruCache } from "../src/table/lru.js";
import * as tableOptions from "../src/table/options.js";
import { FileStoreTable, type TableCacheOptions } from "../src/table/table.js";
import { AppendWriter } from "../src/write/index.js";
import { commitMessages, createTable, io, newCatalog, tempWarehouse } from "./write-helpers.js";

async function tableWithSnapshots(n: number): Promise<FileStoreTable> {
  const wh = tempWarehouse("paimon-read-");
  const catalog = await newCatalog(wh);
  const t = await createTable(catalog, "db.t", {
    fields: [
      { name: "id", type: "INT" },
      { name: "p", type: "INT" },
    ],
    partitionKeys: ["p"],
  });
  for (let i = 0; i < n; i++) {
    const w = await AppendWriter.create(await t.refresh());
    await w.writeRows([[i, i] as InternalValue[]]);
    await commitMessages(await t.refresh(), await w.prepareCommit());
  }
  return t;
}

function reopen(t: FileStoreTable, cache: TableCacheOptions): FileStoreTable {
  return new FileStoreTable(t.io, t.path, t.name, t.schema, cache);
}

async function notFound(p: Promise<unknown>): Promise<boolean> {
  try {
    await p;
    return false;
  } catch (e) {
    return isNotFound(e);
  }
}

describe("LruCache", () => {
  it("evicts the least recently used entry by count and by weight", () => {
    const c = new LruCache<string, number>({ maxEntries: 3, maxWeight: 10 });
    c.set("a", 1, 2);
    c.set("b", 2, 2);
    c.set("c", 3, 2);
    expect(c.get("a")).toBe(1); // a is now the most recent
    c.set("d", 4, 2);
    expect(c.keys()).toEqual(["c", "a", "d"]);
    c.set("e", 5, 7); // weight 13 > 10: evict c, then a
    expect(c.keys()).toEqual(["d", "e"]);
    expect(c.weight).toBe(9);
    c.setWeight("d", 4, 4); // 11 > 10: d goes
    expect(c.keys()).toEqual(["e"]);
    c.setWeight("e", 999, 1); // not the cached value: ignored
    expect(c.weight).toBe(7);
    c.set("huge", 6, 11); // heavier than the bound: not kept
    expect(c.has("huge")).toBe(false);
    expect(c.peek("e")).toBe(5);
    expect(c.delete("e")).toBe(true);
    expect([c.size, c.weight]).toEqual([0, 0]);
  });
});

describe("SnapshotManager cache", () => {
  it("re-checks a cached snapshot once it is older than the freshness window", async () => {
    const base = await tableWithSnapshots(3);
    let now = 1_000;
    const t = reopen(base, { snapshots: { revalidateAfterMs: 5_000, now: () => now } });
    expect((await t.snapshots.snapshot(1n)).id).toBe(1n);
    await io.delete(t.paths.snapshot(1n)); // expired by someone else
    now += 1_000;
    expect((await t.snapshots.snapshot(1n)).id).toBe(1n); // still fresh
    now += 5_000;
    expect(await notFound(t.snapshots.snapshot(1n))).toBe(true);
    expect(await notFound(t.snapshots.snapshot(1n))).toBe(true);
    // live snapshots are re-checked and kept
    expect((await t.snapshots.snapshot(2n)).id).toBe(2n);
    now += 10_000;
    expect((await t.snapshots.snapshot(2n)).id).toBe(2n);
  });

  it("a listing or the earliest snapshot drops expired entries at once", async () => {
    const base = await tableWithSnapshots(4);
    const t = reopen(base, { snapshots: { revalidateAfterMs: 3_600_000 } });
    for (const id of [1n, 2n, 3n]) await t.snapshots.snapshot(id);
    await io.delete(t.paths.snapshot(1n));
    expect(await t.snapshots.listIds()).toEqual([2n, 3n, 4n]);
    expect(await notFound(t.snapshots.snapshot(1n))).toBe(true);

    await io.delete(t.paths.snapshot(2n));
    await io.overwrite(t.paths.hint("EARLIEST"), new TextEncoder().encode("3"));
    expect(await t.snapshots.earliestId()).toBe(3n);
    expect(await notFound(t.snapshots.snapshot(2n))).toBe(true);
    // time travel to an expired snapshot fails instead of reading deleted files
    await expect(readTable(t, { snapshotId: 2n })).rejects.toThrow(/snapshot 2 does not exist/);
    expect(resultRows(await readTable(t, { snapshotId: 3n }))).toHaveLength(3);
  });

  it("keeps at most maxCached snapshots", async () => {
    const base = await tableWithSnapshots(5);
    const t = reopen(base, { snapshots: { maxCached: 2 } });
    for (let id = 1n; id <= 5n; id++) await t.snapshots.snapshot(id);
    expect(t.snapshots.cachedCount).toBe(2);
    t.snapshots.invalidate();
    expect(t.snapshots.cachedCount).toBe(0);
  });
});

describe("manifest caches", () => {
  it("are bounded by count and by file bytes", async () => {
    const base = await tableWithSnapshots(6);
    const unbounded = reopen(base, {});
    await readTable(unbounded);
    const all = unbounded.cacheStats;
    expect(all.manifests).toBeGreaterThan(2);

    const byCount = reopen(base, { manifestMaxEntries: 2, manifestListMaxEntries: 1 });
    const rows = resultRows(await readTable(byCount));
    expect(rows).toHaveLength(6);
    expect(byCount.cacheStats.manifests).toBe(2);
    expect(byCount.cacheStats.manifestLists).toBe(1);

    const oneManifestBytes = Math.ceil(all.manifestBytes / all.manifests);
    const byBytes = reopen(base, { manifestMaxBytes: oneManifestBytes * 2 });
    expect(resultRows(await readTable(byBytes))).toHaveLength(6);
    expect(byBytes.cacheStats.manifestBytes).toBeLessThanOrEqual(oneManifestBytes * 2);
    expect(byBytes.cacheStats.manifestListBytes).toBeGreaterThan(0);
    // a refreshed table keeps the limits
    expect((await byCount.refresh()).cacheOptions).toEqual(byCount.cacheOptions);
  });
});

describe("option value parsers", () => {
  it("live in src/table/options.ts and are re-exported by src/commit/options.ts", () => {
    expect(commitOptions.parseDurationMs).toBe(tableOptions.parseDurationMs);
    expect(commitOptions.parseMemorySize).toBe(tableOptions.parseMemorySize);
    expect(tableOptions.parseDurationMs("1 h")).toBe(3_600_000);
    expect(tableOptions.parseMemorySize("8 mb")).toBe(8 * 1024 * 1024);
  });
});
