#!/usr/bin/env node
/**
 * Read benchmark: bounded-memory split reads. One generated primary-key table (one bucket,
 * so the whole table is one split) whose bucket holds several sorted runs at two levels, read
 * in full by `readSplit` (the split collected into one batch) and by `readSplitBatches`
 * (batches of `--batch-size` rows, consumed and dropped), each in a fresh process so its
 * peak RSS is its own. Uses the built dist of @paimon-ts/paimon-core (build it first:
 * `pnpm --filter @paimon-ts/paimon-core build`).
 *
 *   node tools/bench/read/bench-read.mjs [--rows 3000000] [--update-commits 3] [--updates N]
 *        [--batch-size 4096] [--repeat 2] [--workdir DIR] [--keep] [--reuse DIR] [--json FILE]
 *   node tools/bench/read/bench-read.mjs --read DIR --mode split|batches [--batch-size N]   (one read, in a child)
 *
 * 1. load: `--rows` rows (keys 0..rows-1) in one commit, then a full compaction: one
 *    sorted run at the top level, Parquet row groups of 100 000 rows (paimon-ts's writer);
 * 2. `--update-commits` commits of `--updates` rows each (default rows / 10): 80 % updates
 *    of random keys, 20 % deletes; they stay at level 0, so the read merges
 *    1 + update-commits sorted runs (merge-on-read, deduplicate);
 * 3. each read runs `--repeat` times with node's default heap limit, `readSplit` then
 *    `readSplitBatches`; then `readSplitBatches` again with the heap capped at `--cap-mb`
 *    (default 128 MB), which shows what it needs rather than what V8 lets garbage grow to.
 *    Every run must return the model's row count and the sums of `id` and `ver` (ver = the
 *    commit that last wrote the key), so a read that keeps a stale row or misses a delete
 *    fails. Reported: wall time, CPU time (user + system), peak RSS of the reading process,
 *    and for the streaming read the most rows it held at once (its `SplitReadStats`).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { LocalFileIO } from "@paimon-ts/fileio-local";
import { DataTypes, FileStoreCommit, FileSystemCatalog, KeyValueWriter, newSplitReadStats, planScan, readSplit, readSplitBatches, vectorGet } from "@paimon-ts/paimon-core";

const SELF = fileURLToPath(import.meta.url);

function args() {
  const a = { rows: 3_000_000, updateCommits: 3, updates: null, batchSize: 4096, repeat: 2, capMb: 128, workdir: null, keep: false, reuse: null, json: null, read: null, mode: null };
  const v = process.argv.slice(2);
  for (let i = 0; i < v.length; i++) {
    const k = v[i];
    const next = () => v[++i];
    if (k === "--rows") a.rows = Number(next());
    else if (k === "--update-commits") a.updateCommits = Number(next());
    else if (k === "--updates") a.updates = Number(next());
    else if (k === "--batch-size") a.batchSize = Number(next());
    else if (k === "--repeat") a.repeat = Number(next());
    else if (k === "--cap-mb") a.capMb = Number(next());
    else if (k === "--workdir") a.workdir = next();
    else if (k === "--keep") a.keep = true;
    else if (k === "--reuse") a.reuse = next();
    else if (k === "--json") a.json = next();
    else if (k === "--read") a.read = next();
    else if (k === "--mode") a.mode = next();
    else throw new Error(`unknown argument ${k}`);
  }
  a.updates ??= Math.round(a.rows / 10);
  return a;
}

const o = args();
const io = new LocalFileIO();
const log = (s) => process.stderr.write(`${s}\n`);

const fields = [
  { name: "id", type: DataTypes.BIGINT(false) },
  { name: "v", type: DataTypes.STRING() },
  { name: "d", type: DataTypes.DOUBLE() },
  { name: "ver", type: DataTypes.INT() },
];

function batchOf(ids, ver) {
  const n = ids.length;
  const id = new BigInt64Array(n);
  const v = new Array(n);
  const d = new Float64Array(n);
  const vv = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    id[i] = BigInt(ids[i]);
    v[i] = `value-${ids[i]}-${ver}`;
    d[i] = ids[i] * 0.5 + ver;
    vv[i] = ver;
  }
  return {
    numRows: n,
    names: fields.map((f) => f.name),
    columns: [
      { type: fields[0].type, length: n, values: id, nulls: null },
      { type: fields[1].type, length: n, values: v, nulls: null },
      { type: fields[2].type, length: n, values: d, nulls: null },
      { type: fields[3].type, length: n, values: vv, nulls: null },
    ],
  };
}

/** mulberry32 */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function generate(wh) {
  const catalog = new FileSystemCatalog(io, wh);
  await catalog.createDatabase("db");
  let table = await catalog.createTable("db.t", {
    columns: fields.map((f) => ({ name: f.name, type: f.type })),
    primaryKeys: ["id"],
    // no compaction between the update commits: the read merges every sorted run
    options: { bucket: "1", "write-buffer-size": "256 mb", "num-sorted-run.compaction-trigger": String(o.updateCommits + 5) },
  });
  const version = new Int32Array(o.rows);
  const live = new Uint8Array(o.rows).fill(1);
  const t0 = performance.now();
  {
    const w = await KeyValueWriter.create(table);
    const chunk = 200_000;
    for (let start = 0; start < o.rows; start += chunk) {
      const ids = [];
      for (let k = start; k < Math.min(o.rows, start + chunk); k++) ids.push(k);
      await w.write(batchOf(ids, 0));
    }
    await new FileStoreCommit(table, { commitUser: "bench-read" }).commit(await w.prepareCommit(), { commitIdentifier: 0n });
    table = await table.refresh();
    const c = await KeyValueWriter.create(table);
    await c.compactFull();
    await new FileStoreCommit(table, { commitUser: "bench-read" }).commit(await c.prepareCommit(), { commitIdentifier: 1n });
  }
  log(`loaded and compacted ${o.rows} rows in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const rand = prng(42);
  for (let c = 1; c <= o.updateCommits; c++) {
    table = await table.refresh();
    const picked = new Set();
    while (picked.size < o.updates) picked.add(Math.floor(rand() * o.rows));
    const ids = [...picked];
    const nDel = Math.round(ids.length * 0.2);
    const kinds = new Uint8Array(ids.length).fill(2); // +U
    kinds.fill(3, ids.length - nDel); // -D
    ids.forEach((k, i) => {
      if (kinds[i] === 3) live[k] = 0;
      else {
        live[k] = 1;
        version[k] = c;
      }
    });
    const w = await KeyValueWriter.create(table);
    await w.write(batchOf(ids, c), kinds);
    await new FileStoreCommit(table, { commitUser: "bench-read" }).commit(await w.prepareCommit(), { commitIdentifier: BigInt(c + 1) });
  }
  let rows = 0;
  let sumId = 0n;
  let sumVer = 0;
  for (let k = 0; k < o.rows; k++) {
    if (!live[k]) continue;
    rows++;
    sumId += BigInt(k);
    sumVer += version[k];
  }
  log(`generated in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return { rows, sumId: sumId.toString(), sumVer };
}

/** One read, in this (child) process: prints its result as JSON. */
async function readOnce() {
  const table = await new FileSystemCatalog(io, o.read).getTable("db.t");
  const plan = await planScan(table);
  const files = plan.splits.flatMap((s) => s.files);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let rows = 0;
  let sumId = 0n;
  let sumVer = 0;
  let batches = 0;
  const stats = newSplitReadStats();
  const consume = (b) => {
    batches++;
    const id = b.columns[0];
    const ver = b.columns[3];
    for (let i = 0; i < b.numRows; i++) {
      sumId += vectorGet(id, i);
      sumVer += vectorGet(ver, i);
    }
    rows += b.numRows;
  };
  for (const split of plan.splits) {
    if (o.mode === "split") consume(await readSplit(table, split, plan.schema));
    else for await (const b of readSplitBatches(table, split, plan.schema, { batchSize: o.batchSize, stats })) consume(b);
  }
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const out = {
    mode: o.mode,
    rows,
    sumId: sumId.toString(),
    sumVer,
    batches,
    files: files.length,
    levels: [...new Set(files.map((f) => f.level))].sort(),
    wallMs: Math.round(wallMs),
    cpuMs: Math.round((cpu.user + cpu.system) / 1000),
    peakRssMb: peakRssMb(),
    ...(o.mode === "batches" ? { peakRowsHeld: stats.peakRowsHeld, chunks: stats.chunks, rowsDecoded: stats.rowsDecoded } : {}),
  };
  process.stdout.write(JSON.stringify(out) + "\n");
}

/**
 * Peak RSS of this process's own address space (VmHWM). Not getrusage's maxRSS: Linux carries
 * that across fork and exec, so a child would report its parent's peak when that is higher.
 */
function peakRssMb() {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync("/proc/self/status", "utf8"));
    if (m) return Math.round(Number(m[1]) / 1024);
  } catch {
    // not Linux
  }
  return Math.round(process.resourceUsage().maxRSS / 1024);
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)];
}

async function main() {
  const wh = o.reuse ?? o.workdir ?? mkdtempSync(join(tmpdir(), "paimon-ts-bench-read-"));
  let model = null;
  if (!o.reuse) model = await generate(wh);
  log(`load average ${loadavg().map((x) => x.toFixed(2)).join(" ")}`);
  const results = [];
  // node's default heap limit for both reads, then the streaming read with the heap capped
  const variants = [
    { name: "split", mode: "split", flags: [] },
    { name: "batches", mode: "batches", flags: [] },
    { name: "batches-capped", mode: "batches", flags: [`--max-old-space-size=${o.capMb}`] },
  ];
  for (const { name, mode, flags } of variants) {
    const runs = [];
    for (let r = 0; r < o.repeat; r++) {
      const p = spawnSync(process.execPath, [...flags, SELF, "--read", wh, "--mode", mode, "--batch-size", String(o.batchSize)], { encoding: "utf8", maxBuffer: 1 << 20 });
      if (p.status !== 0) throw new Error(`${name} read failed (status ${p.status}, signal ${p.signal}):\n${p.stderr.slice(-4000)}`);
      const res = JSON.parse(p.stdout.trim().split("\n").pop());
      if (model !== null && (res.rows !== model.rows || res.sumId !== model.sumId || res.sumVer !== model.sumVer)) {
        throw new Error(`${mode} read returned ${JSON.stringify(res)}, the model says ${JSON.stringify(model)}`);
      }
      log(`${name}: ${JSON.stringify(res)}`);
      runs.push(res);
    }
    results.push({ name, mode, flags, runs, wallMs: median(runs.map((x) => x.wallMs)), cpuMs: median(runs.map((x) => x.cpuMs)), peakRssMb: Math.max(...runs.map((x) => x.peakRssMb)) });
  }
  const [split, batches, capped] = results;
  if (split.runs[0].rows !== batches.runs[0].rows || split.runs[0].sumId !== batches.runs[0].sumId || split.runs[0].sumVer !== batches.runs[0].sumVer) {
    throw new Error("readSplit and readSplitBatches disagree");
  }
  const summary = { rows: o.rows, liveRows: split.runs[0].rows, files: split.runs[0].files, levels: split.runs[0].levels, batchSize: o.batchSize, results, loadavg: loadavg() };
  const table = [
    "| read | wall (median) | CPU (median) | peak RSS | most rows held |",
    "|---|---:|---:|---:|---:|",
    `| \`readSplit\` | ${split.wallMs} ms | ${split.cpuMs} ms | ${split.peakRssMb} MB | ${split.runs[0].rows} (the whole split) |`,
    `| \`readSplitBatches\` (batchSize ${o.batchSize}) | ${batches.wallMs} ms | ${batches.cpuMs} ms | ${batches.peakRssMb} MB | ${batches.runs[0].peakRowsHeld} |`,
    `| \`readSplitBatches\`, \`--max-old-space-size=${o.capMb}\` | ${capped.wallMs} ms | ${capped.cpuMs} ms | ${capped.peakRssMb} MB | ${capped.runs[0].peakRowsHeld} |`,
  ].join("\n");
  process.stdout.write(`${o.rows} rows loaded, ${summary.liveRows} live; ${summary.files} files at levels ${summary.levels.join(", ")}\n${table}\n`);
  if (o.json) writeFileSync(o.json, JSON.stringify(summary, null, 2));
  if (!o.keep && !o.reuse) rmSync(wh, { recursive: true, force: true });
  else log(`warehouse kept at ${wh}`);
}

if (o.read) await readOnce();
else await main();
