#!/usr/bin/env node
/**
 * Deletion-vector (merge-on-write) benchmark: commit latency and write throughput of a
 * primary-key table with `deletion-vectors.enabled=true` as the table grows, with the same
 * batch size. Uses the built dist of @paimon-ts/paimon-core (build it first:
 * `pnpm --filter @paimon-ts/paimon-core build`, or `npx tsc -p tsconfig.build.json` in
 * packages/paimon-core).
 *
 *   node tools/bench/dv/bench-dv.mjs --rows 1000000 [--batch 10000] [--commits 20]
 *        [--cache-mb 128] [--buckets 1] [--workdir DIR] [--keep] [--json FILE]
 *
 * 1. load: `--rows` rows (keys 0..rows-1, ascending) in one commit;
 * 2. a fresh, long-lived writer then commits `--commits` batches of `--batch` rows:
 *    70 % updates of random existing keys, 20 % inserts of new keys, 10 % deletes of
 *    random existing keys. Each commit = write + prepareCommit (flush, lookup compaction,
 *    deletion vectors) + commit (APPEND and COMPACT snapshots);
 * 3. checks that live rows (row counts minus deletion-vector cardinalities) equal the
 *    model's key count, and reports latencies, the lookup cache's bytes against
 *    `lookup.cache-max-memory-size`, and the process's peak RSS.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { LocalFileIO } from "@paimon-ts/fileio-local";
import { DataTypes, DELETION_VECTORS_INDEX, FileStoreCommit, FileSystemCatalog, KeyValueWriter } from "@paimon-ts/paimon-core";

function args() {
  const a = { rows: 1_000_000, batch: 10_000, commits: 20, cacheMb: 128, buckets: 1, workdir: null, keep: false, json: null };
  const v = process.argv.slice(2);
  for (let i = 0; i < v.length; i++) {
    const k = v[i];
    const next = () => v[++i];
    if (k === "--rows") a.rows = Number(next());
    else if (k === "--batch") a.batch = Number(next());
    else if (k === "--commits") a.commits = Number(next());
    else if (k === "--cache-mb") a.cacheMb = Number(next());
    else if (k === "--buckets") a.buckets = Number(next());
    else if (k === "--workdir") a.workdir = next();
    else if (k === "--keep") a.keep = true;
    else if (k === "--json") a.json = next();
    else throw new Error(`unknown argument ${k}`);
  }
  return a;
}

const o = args();
const wh = o.workdir ?? mkdtempSync(join(tmpdir(), "paimon-ts-bench-dv-"));
const io = new LocalFileIO();
const T = DataTypes;
const log = (...m) => console.error("[bench-dv]", ...m);

// a deterministic PRNG (mulberry32)
let seed = 12345;
const rand = () => {
  seed |= 0;
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

const fields = [
  { name: "id", type: T.BIGINT(false) },
  { name: "name", type: T.STRING() },
  { name: "amount", type: T.DOUBLE() },
  { name: "ts", type: T.BIGINT() },
];

function batchOf(ids, version) {
  const n = ids.length;
  const id = new BigInt64Array(n);
  const ts = new BigInt64Array(n);
  const amount = new Float64Array(n);
  const name = new Array(n);
  for (let i = 0; i < n; i++) {
    id[i] = BigInt(ids[i]);
    ts[i] = BigInt(1_700_000_000_000 + version);
    amount[i] = (ids[i] % 10_000) / 100 + version;
    name[i] = `name-${ids[i]}-v${version}`;
  }
  return {
    numRows: n,
    names: fields.map((f) => f.name),
    columns: [
      { type: fields[0].type, length: n, values: id, nulls: null },
      { type: fields[1].type, length: n, values: name, nulls: null },
      { type: fields[2].type, length: n, values: amount, nulls: null },
      { type: fields[3].type, length: n, values: ts, nulls: null },
    ],
  };
}

const maxRssMb = () => process.resourceUsage().maxRSS / 1024;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))];

async function liveRows(table) {
  const t = await table.refresh();
  const s = await t.snapshots.latest();
  let rows = 0n;
  let files = 0;
  const levels = {};
  for (const e of await t.liveEntries(s)) {
    rows += e.file.rowCount;
    files++;
    levels[e.file.level] = (levels[e.file.level] ?? 0) + 1;
  }
  let deleted = 0n;
  let dvBytes = 0n;
  for (const e of await t.indexEntries(s)) {
    if (e.indexFile.indexType !== DELETION_VECTORS_INDEX) continue;
    dvBytes += e.indexFile.fileSize;
    for (const r of e.indexFile.dvRanges ?? []) deleted += r.cardinality ?? 0n;
  }
  return { live: Number(rows - deleted), files, levels, deleted: Number(deleted), dvBytes: Number(dvBytes) };
}

async function main() {
  log(`warehouse ${wh}: ${o.rows} rows, ${o.commits} commits of ${o.batch}, lookup cache ${o.cacheMb} MB, ${o.buckets} bucket(s)`);
  const catalog = new FileSystemCatalog(io, wh);
  await catalog.createDatabase("db");
  let table = await catalog.createTable("db.t", {
    columns: fields.map((f) => ({ name: f.name, type: f.type })),
    primaryKeys: ["id"],
    options: {
      bucket: String(o.buckets),
      "deletion-vectors.enabled": "true",
      "lookup.cache-max-memory-size": `${o.cacheMb} mb`,
      "write-buffer-size": "128 mb",
    },
  });
  const commit = new FileStoreCommit(table, { commitUser: "bench-dv" });

  // 1. load
  const t0 = performance.now();
  {
    const w = await KeyValueWriter.create(table);
    const chunk = 200_000;
    for (let start = 0; start < o.rows; start += chunk) {
      const ids = [];
      for (let k = start; k < Math.min(o.rows, start + chunk); k++) ids.push(k);
      await w.write(batchOf(ids, 0));
    }
    await commit.commit(await w.prepareCommit(), { commitIdentifier: 0n });
  }
  const loadMs = performance.now() - t0;
  log(`loaded ${o.rows} rows in ${(loadMs / 1000).toFixed(1)} s (${Math.round(o.rows / (loadMs / 1000))} rows/s), peak RSS ${maxRssMb().toFixed(0)} MB`);
  const afterLoad = await liveRows(table);
  const loadRss = maxRssMb();

  // 2. updates through one long-lived writer
  table = await table.refresh();
  const live = new Set();
  let nextKey = o.rows;
  const deleted = new Set();
  const w = await KeyValueWriter.create(table);
  const results = [];
  for (let c = 1; c <= o.commits; c++) {
    const nUpd = Math.round(o.batch * 0.7);
    const nIns = Math.round(o.batch * 0.2);
    const nDel = o.batch - nUpd - nIns;
    const picked = new Set();
    const pick = () => {
      for (;;) {
        const k = Math.floor(rand() * nextKey);
        if (!picked.has(k) && !deleted.has(k)) {
          picked.add(k);
          return k;
        }
      }
    };
    const upd = Array.from({ length: nUpd }, pick);
    const del = Array.from({ length: nDel }, pick);
    const ins = Array.from({ length: nIns }, () => nextKey++);
    const ids = [...upd, ...ins, ...del];
    const kinds = new Uint8Array(ids.length);
    kinds.fill(2, 0, nUpd); // +U
    kinds.fill(0, nUpd, nUpd + nIns); // +I
    kinds.fill(3, nUpd + nIns); // -D
    for (const k of del) deleted.add(k);
    for (const k of ins) live.add(k);

    const cpu0 = process.cpuUsage();
    const a = performance.now();
    await w.write(batchOf(ids, c), kinds);
    const b = performance.now();
    const msgs = await w.prepareCommit();
    const p = performance.now();
    await commit.commit(msgs, { commitIdentifier: BigInt(c) });
    const e = performance.now();
    const cpu = process.cpuUsage(cpu0);
    const s = w.lookupCache.stats;
    // compaction work: rows of the files it rewrote (read) and wrote (upgrades aside)
    let compactRead = 0;
    let compactWritten = 0;
    for (const m of msgs) {
      const before = new Set((m.compactBefore ?? []).map((f) => f.fileName));
      const after = new Set((m.compactAfter ?? []).map((f) => f.fileName));
      for (const f of m.compactBefore ?? []) if (!after.has(f.fileName)) compactRead += Number(f.rowCount);
      for (const f of m.compactAfter ?? []) if (!before.has(f.fileName)) compactWritten += Number(f.rowCount);
    }
    const mem = process.memoryUsage();
    results.push({
      commit: c,
      totalMs: e - a,
      cpuMs: (cpu.user + cpu.system) / 1000,
      compactRead,
      compactWritten,
      writeMs: b - a,
      prepareMs: p - b,
      commitMs: e - p,
      cacheBytes: s.bytes,
      cachePeak: s.peakBytes,
      rowsLoaded: s.rowsLoaded,
      blockLoads: s.blockLoads,
      evictions: s.blockEvictions,
      heapMb: mem.heapUsed / 2 ** 20,
      rssMb: mem.rss / 2 ** 20,
    });
    log(
      `commit ${c}: ${(e - a).toFixed(0)} ms, cpu ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms, compaction read/wrote ${compactRead}/${compactWritten} rows (write ${(b - a).toFixed(0)}, prepare ${(p - b).toFixed(0)}, commit ${(e - p).toFixed(0)}), ` +
        `cache ${(s.bytes / 2 ** 20).toFixed(1)} MB (peak ${(s.peakBytes / 2 ** 20).toFixed(1)}), rows read by lookups ${s.rowsLoaded}, rss ${(mem.rss / 2 ** 20).toFixed(0)} MB`,
    );
  }

  // 3. check
  const final = await liveRows(table);
  const expected = o.rows + (nextKey - o.rows) - deleted.size;
  if (final.live !== expected) throw new Error(`live rows ${final.live}, expected ${expected}`);
  const warm = results.slice(1).map((r) => r.totalMs);
  const summary = {
    rows: o.rows,
    batch: o.batch,
    commits: o.commits,
    buckets: o.buckets,
    cacheBoundMb: o.cacheMb,
    loadSeconds: loadMs / 1000,
    loadRowsPerSec: o.rows / (loadMs / 1000),
    loadPeakRssMb: loadRss,
    firstCommitMs: results[0].totalMs,
    firstCommitCpuMs: results[0].cpuMs,
    medianCpuMs: median(results.slice(1).map((r) => r.cpuMs)),
    meanCpuMs: results.slice(1).reduce((x, r) => x + r.cpuMs, 0) / (results.length - 1),
    meanCompactionRowsRead: results.slice(1).reduce((x, r) => x + r.compactRead, 0) / (results.length - 1),
    meanCompactionRowsWritten: results.slice(1).reduce((x, r) => x + r.compactWritten, 0) / (results.length - 1),
    medianCommitMs: median(warm),
    p90CommitMs: pct(warm, 90),
    medianPrepareMs: median(results.slice(1).map((r) => r.prepareMs)),
    medianCommitPartMs: median(results.slice(1).map((r) => r.commitMs)),
    throughputRowsPerSec: (o.batch * warm.length) / (warm.reduce((x, y) => x + y, 0) / 1000),
    throughputRowsPerCpuSec: (o.batch * warm.length) / (results.slice(1).reduce((x, r) => x + r.cpuMs, 0) / 1000),
    cachePeakMb: Math.max(...results.map((r) => r.cachePeak)) / 2 ** 20,
    rowsReadByLookupsFirstCommit: results[0].rowsLoaded,
    rowsReadByLookupsLaterCommits: results.at(-1).rowsLoaded - results[0].rowsLoaded,
    peakRssMb: maxRssMb(),
    afterLoad,
    final,
  };
  console.log(JSON.stringify(summary, null, 2));
  if (o.json) writeFileSync(o.json, JSON.stringify({ summary, results }, null, 2));
}

try {
  await main();
} finally {
  if (!o.keep && !o.workdir) rmSync(wh, { recursive: true, force: true });
}
