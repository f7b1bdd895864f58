#!/usr/bin/env node
/**
 * Deletion-vector (merge-on-write) benchmark: commit latency and write throughput of a
 * primary-key table with `deletion-vectors.enabled=true` as the table grows, with the same
 * batch size, compared with the same workload on a plain merge-on-read primary-key table
 * (`--dv off`), and the cost of a full batch read of the final table by paimon-ts and by
 * Java Paimon. Uses the built dist of @paimon-ts/paimon-core (build it first:
 * `pnpm --filter @paimon-ts/paimon-core build`, or `npx tsc -p tsconfig.build.json` in
 * packages/paimon-core) and, for the Java read, the oracle jar
 * (tools/oracle-java/target/paimon-oracle.jar, `bash tools/oracle-java/install.sh`).
 *
 *   node tools/bench/dv/bench-dv.mjs --rows 1000000 [--dv on|off] [--batch 10000] [--commits 20]
 *        [--cache-mb 128] [--buckets 1] [--read-repeat 3] [--no-ts-read] [--no-java-read]
 *        [--workdir DIR] [--keep] [--json FILE]
 *   node tools/bench/dv/bench-dv.mjs --read-only DIR [--read-repeat 3]   (the paimon-ts read, in a child)
 *
 * 1. load: `--rows` rows (keys 0..rows-1, ascending) in one commit;
 * 2. a fresh, long-lived writer then commits `--commits` batches of `--batch` rows:
 *    70 % updates of random existing keys, 20 % inserts of new keys, 10 % deletes of
 *    random existing keys. Each commit = write + prepareCommit (flush, lookup compaction,
 *    deletion vectors) + commit (APPEND and COMPACT snapshots);
 * 3. checks that live rows (row counts minus deletion-vector cardinalities) equal the
 *    model's key count (DV tables), and reports latencies, the lookup cache's bytes against
 *    `lookup.cache-max-memory-size`, and the process's peak RSS;
 * 4. reads the final table in full, in fresh processes so that their peak RSS is their own:
 *    paimon-ts (`readTable`, this script with `--read-only`) and Java Paimon (DvRead.java,
 *    compiled against the oracle jar), each `--read-repeat` times; both must return the
 *    model's row count and the sums of `id` and `ts` (ts carries the version of the last
 *    write of each key, so a read that keeps a stale row or misses a delete fails).
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { LocalFileIO } from "@paimon-ts/fileio-local";
import { DataTypes, DELETION_VECTORS_INDEX, FileStoreCommit, FileSystemCatalog, KeyValueWriter, planScan, rawConvertible, readTable } from "@paimon-ts/paimon-core";

const HERE = dirname(fileURLToPath(import.meta.url));
const REPO = join(HERE, "../../..");
const ORACLE_JAR = join(REPO, "tools/oracle-java/target/paimon-oracle.jar");
const TS_BASE = 1_700_000_000_000;

function args() {
  const a = { rows: 1_000_000, batch: 10_000, commits: 20, cacheMb: 128, buckets: 1, dv: true, readRepeat: 3, javaRead: true, tsRead: true, readOnly: null, workdir: null, keep: false, json: null };
  const v = process.argv.slice(2);
  for (let i = 0; i < v.length; i++) {
    const k = v[i];
    const next = () => v[++i];
    if (k === "--rows") a.rows = Number(next());
    else if (k === "--batch") a.batch = Number(next());
    else if (k === "--commits") a.commits = Number(next());
    else if (k === "--cache-mb") a.cacheMb = Number(next());
    else if (k === "--buckets") a.buckets = Number(next());
    else if (k === "--dv") {
      const d = next();
      if (d !== "on" && d !== "off") throw new Error(`--dv: expected on or off, got ${d}`);
      a.dv = d === "on";
    } else if (k === "--read-repeat") a.readRepeat = Number(next());
    else if (k === "--no-java-read") a.javaRead = false;
    else if (k === "--no-ts-read") a.tsRead = false;
    else if (k === "--read-only") a.readOnly = next();
    else if (k === "--workdir") a.workdir = next();
    else if (k === "--keep") a.keep = true;
    else if (k === "--json") a.json = next();
    else throw new Error(`unknown argument ${k}`);
  }
  return a;
}

const o = args();
const wh = o.readOnly ?? o.workdir ?? mkdtempSync(join(tmpdir(), "paimon-ts-bench-dv-"));
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
    ts[i] = BigInt(TS_BASE + version);
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
  const load0 = loadavg();
  log(`warehouse ${wh}: ${o.dv ? "deletion vectors" : "merge-on-read (no deletion vectors)"}, ${o.rows} rows, ${o.commits} commits of ${o.batch}, lookup cache ${o.cacheMb} MB, ${o.buckets} bucket(s); load average ${load0.map((x) => x.toFixed(2)).join(" ")}`);
  const catalog = new FileSystemCatalog(io, wh);
  await catalog.createDatabase("db");
  // the two modes differ only in this option: same bucket, buffer, file size and compaction
  const options = { bucket: String(o.buckets), "write-buffer-size": "128 mb" };
  if (o.dv) Object.assign(options, { "deletion-vectors.enabled": "true", "lookup.cache-max-memory-size": `${o.cacheMb} mb` });
  let table = await catalog.createTable("db.t", {
    columns: fields.map((f) => ({ name: f.name, type: f.type })),
    primaryKeys: ["id"],
    options,
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
  let nextKey = o.rows;
  const deleted = new Set();
  // the version of the last write of each key (0 = the load), for the read check
  const version = new Int32Array(o.rows + o.commits * Math.round(o.batch * 0.2) + 1);
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
    for (const k of upd) version[k] = c;
    for (const k of ins) version[k] = c;

    const cpu0 = process.cpuUsage();
    const a = performance.now();
    await w.write(batchOf(ids, c), kinds);
    const b = performance.now();
    const msgs = await w.prepareCommit();
    const p = performance.now();
    await commit.commit(msgs, { commitIdentifier: BigInt(c) });
    const e = performance.now();
    const cpu = process.cpuUsage(cpu0);
    const s = w.lookupCache?.stats ?? { bytes: 0, peakBytes: 0, rowsLoaded: 0, blockLoads: 0, blockEvictions: 0 };
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
  // without deletion vectors the files still hold the replaced rows: only the read can check
  if (o.dv && final.live !== expected) throw new Error(`live rows ${final.live}, expected ${expected}`);
  let idSum = 0n;
  let tsSum = 0n;
  for (let k = 0; k < nextKey; k++) {
    if (deleted.has(k)) continue;
    idSum += BigInt(k);
    tsSum += BigInt(TS_BASE + version[k]);
  }
  const commitRss = results.map((r) => r.rssMb);
  const load1 = loadavg();
  const warm = results.slice(1).map((r) => r.totalMs);
  const warmCpu = results.slice(1).map((r) => r.cpuMs);
  const summary = {
    deletionVectors: o.dv,
    loadAverageBefore: load0,
    loadAverageAfterWrites: load1,
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
    medianCpuMs: median(warmCpu),
    meanCpuMs: warmCpu.reduce((x, y) => x + y, 0) / warmCpu.length,
    p90CpuMs: pct(warmCpu, 90),
    meanCommitMs: warm.reduce((x, y) => x + y, 0) / warm.length,
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
    commitRssMaxMb: Math.max(...commitRss),
    afterLoad,
    final,
    tableBytes: dirBytes(join(wh, "db.db", "t")),
  };
  const expect = { rows: expected, idSum: String(idSum), tsSum: String(tsSum) };
  // readTable holds the whole result in memory: at 10 M rows that is beyond a default heap
  if (o.tsRead) summary.readTs = readChild(expect);
  if (o.javaRead) summary.readJava = readJava(expect);
  console.log(JSON.stringify(summary, null, 2));
  if (o.json) writeFileSync(o.json, JSON.stringify({ summary, results }, null, 2));
}

function dirBytes(dir) {
  let n = 0;
  const walk = (d) => {
    for (const e of readdirSync(d)) {
      const p = join(d, e);
      const st = statSync(p);
      if (st.isDirectory()) walk(p);
      else n += st.size;
    }
  };
  walk(dir);
  return n;
}

const stats = (runs, key) => {
  const xs = runs.map((r) => r[key]);
  const warmRuns = xs.length > 1 ? xs.slice(1) : xs;
  return { first: xs[0], warmMedian: median(warmRuns), warmMin: Math.min(...warmRuns) };
};

function checkRead(who, got, expect) {
  if (got.rows !== expect.rows || got.idSum !== expect.idSum || got.tsSum !== expect.tsSum) {
    throw new Error(`${who} read ${got.rows} rows (id sum ${got.idSum}, ts sum ${got.tsSum}); the model has ${expect.rows} (${expect.idSum}, ${expect.tsSum})`);
  }
}

/** The paimon-ts read in a fresh node process (its own heap and peak RSS). */
function readChild(expect) {
  const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), "--read-only", wh, "--read-repeat", String(o.readRepeat)], { encoding: "utf8", maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`paimon-ts read failed: ${r.stderr}`);
  const got = JSON.parse(r.stdout);
  checkRead("paimon-ts", got, expect);
  const out = { ...got, wall: stats(got.runs, "wallMs"), cpu: stats(got.runs, "cpuMs") };
  log(`paimon-ts read: ${got.rows} rows, wall first ${out.wall.first.toFixed(0)} ms / warm median ${out.wall.warmMedian.toFixed(0)} ms, cpu warm median ${out.cpu.warmMedian.toFixed(0)} ms, peak RSS ${got.peakRssMb.toFixed(0)} MB, splits ${got.splits} (${got.rawSplits} without merge)`);
  return out;
}

/** The Java Paimon read: DvRead.java against the oracle jar, under GNU time for the peak RSS. */
function readJava(expect) {
  if (!existsSync(ORACLE_JAR)) throw new Error(`the Java read needs ${ORACLE_JAR} (bash tools/oracle-java/install.sh), or pass --no-java-read`);
  const classes = join(tmpdir(), "paimon-ts-bench-dv-java");
  mkdirSync(classes, { recursive: true });
  execFileSync("javac", ["-nowarn", "-cp", ORACLE_JAR, "-d", classes, join(HERE, "DvRead.java")], { stdio: ["ignore", "ignore", "inherit"] });
  const timeOut = join(classes, "time.txt");
  const java = ["java", "-Xmx2g", "-Duser.timezone=UTC", "-cp", `${ORACLE_JAR}:${classes}`, "DvRead", wh, "db.t", String(o.readRepeat)];
  const haveTime = existsSync("/usr/bin/time");
  const r = haveTime ? spawnSync("/usr/bin/time", ["-v", "-o", timeOut, ...java], { encoding: "utf8", maxBuffer: 1 << 24 }) : spawnSync(java[0], java.slice(1), { encoding: "utf8", maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`Java read failed: ${r.stderr.slice(-4000)}`);
  const line = r.stdout.split("\n").find((l) => l.startsWith("{"));
  const got = JSON.parse(line);
  // Java sums in a long: compare modulo 2^64 (the ts sum passes 2^63 at 10 M rows)
  const wrap = (v) => String(BigInt.asIntN(64, BigInt(v)));
  checkRead("Java Paimon", got, { ...expect, idSum: wrap(expect.idSum), tsSum: wrap(expect.tsSum) });
  let peakRssMb = null;
  if (haveTime) {
    const m = /Maximum resident set size \(kbytes\): (\d+)/.exec(readFileSync(timeOut, "utf8"));
    if (m) peakRssMb = Number(m[1]) / 1024;
  }
  const out = { ...got, peakRssMb, wall: stats(got.runs, "wallMs"), cpu: stats(got.runs, "cpuMs") };
  log(`Java read: ${got.rows} rows, wall first ${out.wall.first.toFixed(0)} ms / warm median ${out.wall.warmMedian.toFixed(0)} ms, cpu warm median ${out.cpu.warmMedian.toFixed(0)} ms, peak RSS ${peakRssMb?.toFixed(0)} MB, splits ${got.splits} (${got.rawSplits} raw-convertible)`);
  return out;
}

/** `--read-only DIR`: full reads of DIR's db.t with paimon-ts, one JSON line on stdout. */
async function readOnly() {
  const catalog = new FileSystemCatalog(io, wh);
  const runs = [];
  let got;
  for (let r = 0; r < o.readRepeat; r++) {
    const cpu0 = process.cpuUsage();
    const a = performance.now();
    const table = await catalog.getTable("db.t");
    const res = await readTable(table);
    let rows = 0;
    let idSum = 0n;
    let tsSum = 0n;
    let nameBytes = 0;
    for (const b of res.batches) {
      rows += b.numRows;
      const [id, name, , ts] = b.columns;
      for (let i = 0; i < b.numRows; i++) {
        idSum += id.values[i];
        tsSum += ts.values[i];
        if (name.nulls === null || name.nulls[i] !== 1) nameBytes += Buffer.byteLength(name.values[i]);
      }
    }
    const wall = performance.now() - a;
    const cpu = process.cpuUsage(cpu0);
    runs.push({ wallMs: wall, cpuMs: (cpu.user + cpu.system) / 1000 });
    const { splits } = await planScan(table);
    const rawSplits = splits.filter((sp) => rawConvertible(sp.files, table.options)).length;
    got = { rows, idSum: String(idSum), tsSum: String(tsSum), nameBytes, splits: splits.length, rawSplits };
  }
  console.log(JSON.stringify({ ...got, runs, peakRssMb: maxRssMb() }));
}

try {
  if (o.readOnly) await readOnly();
  else await main();
} finally {
  if (!o.readOnly && !o.keep && !o.workdir) rmSync(wh, { recursive: true, force: true });
}
