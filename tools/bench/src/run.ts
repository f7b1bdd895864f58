/**
 * The benchmark runner (started by tools/bench/run.sh, which builds everything first):
 *
 * 1. the three generators' digests must agree (same CDC stream everywhere);
 * 2. paimon-ts, Java Paimon and pypaimon each write the stream into their own warehouse,
 *    one after another, each in its own process under `/usr/bin/time -v` (wall clock,
 *    CPU, peak RSS);
 * 3. files and bytes under each table directory are counted (data files; manifests;
 *    other metadata);
 * 4. the Java oracle reads every final table and compares row count and content digest
 *    with the generator's model (the correctness part);
 * 5. a markdown report is printed and written into docs/benchmarks.md between the
 *    `<!-- bench:results:begin -->` / `<!-- bench:results:end -->` markers.
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, openSync, closeSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { cpus, freemem, loadavg, totalmem } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { intArg, parseArgs } from "./args.js";
import { DATABASE, DEFAULT_BATCH, DEFAULT_ROWS, TABLE } from "./spec.js";

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, "../../..");
const JAR = join(ROOT, "tools/oracle-java/target/paimon-oracle.jar");
const PY = join(ROOT, "tools/oracle-py/.venv/bin/python");
const PY_BENCH = join(ROOT, "tools/oracle-py/bench.py");
const TS_WRITER = join(HERE, "ts-writer.js");
const DOC = join(ROOT, "docs/benchmarks.md");
const BEGIN = "<!-- bench:results:begin -->";
const END = "<!-- bench:results:end -->";

const JAVA_OPTS = (process.env.BENCH_JAVA_OPTS ?? "-Xmx2g").split(/\s+/).filter(Boolean);
/** The oracle jar the run uses: a private copy (see main), so a rebuild during the run cannot interfere. */
let jar = JAR;
const javaBase = () => [...JAVA_OPTS, "-Duser.timezone=UTC", "-Dfile.encoding=UTF-8", "-Xlog:disable", "-Xlog:all=warning:stderr", "-jar", jar];
const NODE_OPTS = (process.env.BENCH_NODE_OPTS ?? "").split(/\s+/).filter(Boolean);

type Impl = "paimon-ts" | "java" | "pypaimon" | "paimon-ts-nofsync";
const IMPLS: Impl[] = ["paimon-ts", "java", "pypaimon"];
const ALL_IMPLS: Impl[] = [...IMPLS, "paimon-ts-nofsync"];

function commandFor(impl: Impl, mode: string[]): string[] {
  switch (impl) {
    case "paimon-ts":
      return [process.execPath, ...NODE_OPTS, TS_WRITER, ...mode];
    case "paimon-ts-nofsync":
      return [process.execPath, ...NODE_OPTS, TS_WRITER, ...mode, ...(mode.includes("--digest") ? [] : ["--no-fsync"])];
    case "java":
      return ["java", ...javaBase(), "bench-write", ...mode];
    case "pypaimon":
      return [PY, PY_BENCH, ...mode];
  }
}

function log(msg: string): void {
  process.stderr.write(`[bench] ${msg}\n`);
}

/** Runs a command, stdout captured, stderr to a log file; returns the last stdout line as JSON. */
function runJson(cmd: string[], logFile: string, timeFile?: string): Record<string, any> {
  const full = timeFile ? ["/usr/bin/time", "-v", "-o", timeFile, ...cmd] : cmd;
  const fd = openSync(logFile, "a");
  try {
    const r = spawnSync(full[0], full.slice(1), { stdio: ["ignore", "pipe", fd], maxBuffer: 64 * 1024 * 1024, cwd: ROOT });
    const out = r.stdout?.toString("utf8") ?? "";
    if (r.status !== 0) throw new Error(`${cmd.join(" ")} failed (exit ${r.status ?? r.signal}); see ${logFile}`);
    const line = out.trim().split("\n").pop() ?? "";
    return JSON.parse(line) as Record<string, any>;
  } finally {
    closeSync(fd);
  }
}

interface TimeV {
  wallS: number;
  userS: number;
  sysS: number;
  maxRssKb: number;
}

function parseTimeV(file: string): TimeV {
  const text = readFileSync(file, "utf8");
  const get = (label: string) => {
    const m = text.match(new RegExp(`${label.replace(/[()]/g, "\\$&")}: (.*)`));
    if (!m) throw new Error(`no '${label}' in ${file}`);
    return m[1].trim();
  };
  const wall = get("Elapsed (wall clock) time (h:mm:ss or m:ss)")
    .split(":")
    .map(Number)
    .reduce((a, x) => a * 60 + x, 0);
  return { wallS: wall, userS: Number(get("User time (seconds)")), sysS: Number(get("System time (seconds)")), maxRssKb: Number(get("Maximum resident set size (kbytes)")) };
}

interface DiskStats {
  dataFiles: number;
  dataBytes: number;
  manifestFiles: number;
  manifestBytes: number;
  otherFiles: number;
  otherBytes: number;
}

function diskStats(tableDir: string): DiskStats {
  const s: DiskStats = { dataFiles: 0, dataBytes: 0, manifestFiles: 0, manifestBytes: 0, otherFiles: 0, otherBytes: 0 };
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) {
        const size = statSync(p).size;
        const rel = relative(tableDir, p);
        if (/^bucket-\d+\//.test(rel)) {
          s.dataFiles++;
          s.dataBytes += size;
        } else if (rel.startsWith("manifest/")) {
          s.manifestFiles++;
          s.manifestBytes += size;
        } else {
          s.otherFiles++;
          s.otherBytes += size;
        }
      }
    }
  };
  walk(tableDir);
  return s;
}

function sh(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: "utf8", cwd: ROOT });
  return `${r.stdout ?? ""}${r.stderr ?? ""}`.trim();
}

function machineFacts(): Record<string, string> {
  const cpuModel = cpus()[0]?.model ?? "?";
  const java = sh("java", ["-version"]).split("\n")[0];
  const py = sh(PY, ["-c", "import sys, importlib.metadata as m; print(sys.version.split()[0], m.version('pypaimon'), m.version('pyarrow'))"]).split(/\s+/);
  const jarVersion = sh("java", [...javaBase(), "version"]);
  let paimon = "1.4.2";
  try {
    paimon = (JSON.parse(jarVersion) as Record<string, string>).paimon ?? paimon;
  } catch {
    /* keep the default */
  }
  const commit = sh("git", ["rev-parse", "--short", "HEAD"]);
  const dirty = sh("git", ["status", "--porcelain"]).length > 0;
  return {
    CPU: `${cpuModel} (nproc ${sh("nproc", [])})`,
    Memory: `${(totalmem() / 1024 ** 3).toFixed(1)} GiB total, ${(freemem() / 1024 ** 3).toFixed(1)} GiB free at start`,
    OS: sh("uname", ["-sr"]),
    Node: process.version,
    Java: `${java} (flags: ${JAVA_OPTS.join(" ") || "none"}; JVM defaults otherwise)`,
    Python: py[0] ?? "?",
    "Paimon (Java)": paimon,
    pypaimon: `${py[1] ?? "?"} (pyarrow ${py[2] ?? "?"})`,
    "paimon-ts": `workspace @ ${commit}${dirty ? " (uncommitted changes)" : ""}`,
  };
}

interface ImplResult {
  impl: Impl;
  /** 1-minute load average when the writer started. */
  load: number;
  /** Wall seconds of every run of this writer (--repeat); the other fields are the median run's. */
  walls: number[];
  writer: Record<string, any>;
  time: TimeV;
  disk: DiskStats;
  verify: Record<string, any>;
}

const fmt = (x: number, d = 1) => x.toLocaleString("en-US", { minimumFractionDigits: d, maximumFractionDigits: d });
const int = (x: number) => Math.round(x).toLocaleString("en-US");
const mb = (bytes: number) => fmt(bytes / 1024 ** 2, 1);
const ratio = (x: number, base: number) => (base > 0 ? `${fmt(x / base, 2)}×` : "–");

function report(results: ImplResult[], rows: number, batch: number, facts: Record<string, string>, load: string, genCheck: string, command: string, when: string): string {
  const base = results.find((r) => r.impl === "paimon-ts") ?? results[0];
  const rate = (r: ImplResult) => rows / r.time.wallS;
  const loopRate = (r: ImplResult) => rows / (r.writer.loopMs / 1000);
  const L: string[] = [];
  const n = results[0]?.walls.length ?? 1;
  L.push(`Run of ${when} — ${int(rows)} events, batches of ${int(batch)} (${Math.ceil(rows / batch)} commits), bucket = 4, parquet + zstd${n > 1 ? `; ${n} rounds, writers interleaved, every figure from each writer's median-wall run` : ""}.`);
  L.push("");
  L.push("```sh");
  L.push(command);
  L.push("```");
  L.push("");
  L.push("Throughput and resources (ratios: paimon-ts = 1.00; higher events/s, lower CPU and RSS are better; `load at start` = the machine's 1-minute load average when the writer started — on a 2-core machine anything above ~1 means other work competed for the CPU):");
  L.push("");
  L.push(`| writer | wall (s) | events/s | events/s ratio | CPU user+sys (s) | CPU ratio | peak RSS (MiB) | RSS ratio | write-loop events/s | load at start |${n > 1 ? " wall of every round (s) |" : ""}`);
  L.push(`|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|${n > 1 ? "---:|" : ""}`);
  const cpu = (r: ImplResult) => r.time.userS + r.time.sysS;
  for (const r of results) {
    L.push(
      `| ${r.impl} | ${fmt(r.time.wallS)} | ${int(rate(r))} | ${ratio(rate(r), rate(base))} | ${fmt(cpu(r))} | ${ratio(cpu(r), cpu(base))} | ${int(r.time.maxRssKb / 1024)} | ${ratio(r.time.maxRssKb, base.time.maxRssKb)} | ${int(loopRate(r))} | ${fmt(r.load, 2)} |${n > 1 ? ` ${r.walls.map((w) => fmt(w)).join(", ")} |` : ""}`,
    );
  }
  L.push("");
  L.push("Where the time goes inside the process (seconds, summed over all batches; `gen` = generating the events and building the writer's input, `write` = handing rows to the writer + `prepareCommit` (flush, compaction), `commit` = the table commit):");
  L.push("");
  L.push("| writer | start-up + create table | gen | write + prepareCommit | commit | ratio of write+commit |");
  L.push("|---|---:|---:|---:|---:|---:|");
  const wc = (r: ImplResult) => (r.writer.writeMs + r.writer.commitMs) / 1000;
  for (const r of results) {
    const startup = r.time.wallS - r.writer.loopMs / 1000;
    L.push(`| ${r.impl} | ${fmt(startup)} | ${fmt(r.writer.genMs / 1000)} | ${fmt(r.writer.writeMs / 1000)} | ${fmt(r.writer.commitMs / 1000)} | ${ratio(wc(r), wc(base))} |`);
  }
  L.push("");
  L.push("Files and bytes under the table directory after the run (nothing expires during a run; `live` = the files of the latest snapshot, as Java's scan reports them):");
  L.push("");
  L.push("| writer | snapshots | data files on disk | data MiB on disk | live data files (by level) | live data MiB | bytes ratio (live) | manifest files | manifest KiB | other metadata files | other metadata KiB |");
  L.push("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
  for (const r of results) {
    const levels = Object.entries((r.verify.liveFilesByLevel ?? {}) as Record<string, number>)
      .map(([l, n]) => `L${l}: ${n}`)
      .join(", ");
    L.push(
      `| ${r.impl} | ${r.verify.latestSnapshotId} | ${int(r.disk.dataFiles)} | ${mb(r.disk.dataBytes)} | ${int(r.verify.liveFiles)} (${levels}) | ${mb(r.verify.liveFileBytes)} | ${ratio(r.verify.liveFileBytes, base.verify.liveFileBytes)} | ${int(r.disk.manifestFiles)} | ${int(r.disk.manifestBytes / 1024)} | ${int(r.disk.otherFiles)} | ${int(r.disk.otherBytes / 1024)} |`,
    );
  }
  L.push("");
  L.push("Correctness — each final table read back by Java Paimon's merge-on-read reader and compared with the generator's model:");
  L.push("");
  L.push(`- generators: ${genCheck}`);
  for (const r of results) {
    const v = r.verify;
    L.push(
      `- ${r.impl}${n > 1 ? ` (every round)` : ""}: ${v.match ? "**match**" : "**MISMATCH**"} — ${int(v.tableRows)} rows (model ${int(v.finalRows)}), content digest \`${v.tableDigest}\` (model \`${v.contentDigest}\`), retractions left: ${v.retractRows}`,
    );
  }
  const allMatch = results.every((r) => r.verify.match === true);
  L.push(`- all final tables identical: ${allMatch ? "**yes**" : "**NO**"}`);
  L.push("");
  L.push("Machine:");
  L.push("");
  for (const [k, v] of Object.entries(facts)) L.push(`- ${k}: ${v}`);
  L.push(`- load average (1/5/15 min) before the first writer: ${load}`);
  return L.join("\n");
}

function updateDoc(section: string): void {
  let doc = existsSync(DOC) ? readFileSync(DOC, "utf8") : `# Benchmarks\n\n${BEGIN}\n${END}\n`;
  if (!doc.includes(BEGIN) || !doc.includes(END)) doc += `\n${BEGIN}\n${END}\n`;
  const a = doc.indexOf(BEGIN) + BEGIN.length;
  const b = doc.indexOf(END);
  doc = `${doc.slice(0, a)}\n${section}\n${doc.slice(b)}`;
  writeFileSync(DOC, doc);
}

async function main(argv: string[]): Promise<void> {
  const args = parseArgs(argv, ["--rows", "--batch", "--workdir", "--only", "--repeat"], ["--no-doc", "--keep", "--with-nofsync"]);
  const rows = intArg(args, "--rows", DEFAULT_ROWS);
  const batch = intArg(args, "--batch", DEFAULT_BATCH);
  const repeat = intArg(args, "--repeat", 1);
  const only = args.get("--only")?.split(",") as Impl[] | undefined;
  for (const o of only ?? []) if (!ALL_IMPLS.includes(o)) throw new Error(`--only: unknown writer '${o}' (${ALL_IMPLS.join(", ")})`);
  const impls = only ?? (args.has("--with-nofsync") ? ALL_IMPLS : IMPLS);
  const workdir = resolve(args.get("--workdir") ?? join("/tmp", `paimon-ts-bench-${process.pid}`));
  if (existsSync(workdir)) rmSync(workdir, { recursive: true, force: true });
  mkdirSync(workdir, { recursive: true });
  const logFile = join(workdir, "bench.log");
  if (!existsSync(JAR)) throw new Error(`${JAR} is missing: run bash tools/oracle-java/install.sh`);
  jar = join(workdir, "paimon-oracle.jar");
  copyFileSync(JAR, jar);
  if (!existsSync("/usr/bin/time")) throw new Error("/usr/bin/time is required (GNU time, for peak RSS)");
  const startedAt = new Date();
  log(`workdir ${workdir} (logs: ${logFile})`);

  // 1. the generators agree
  log(`generator digests for ${rows} events ...`);
  const digests = impls.filter((impl) => impl !== "paimon-ts-nofsync" || !impls.includes("paimon-ts")).map((impl) => ({ impl, d: runJson(commandFor(impl, ["--digest", "--rows", String(rows)]), logFile) }));
  const ref = digests[0].d;
  for (const { impl, d } of digests) {
    if (d.streamDigest !== ref.streamDigest || d.contentDigest !== ref.contentDigest || d.finalRows !== ref.finalRows) {
      throw new Error(`generator of ${impl} differs from ${digests[0].impl}: ${JSON.stringify(d)} vs ${JSON.stringify(ref)}`);
    }
  }
  const genCheck = `${digests.map((x) => x.impl).join(", ")} produce the same stream (SHA-256 \`${String(ref.streamDigest).slice(0, 16)}…\`); model: ${int(ref.finalRows)} final rows, content digest \`${ref.contentDigest}\``;
  log(genCheck);

  // 2. – 4. write, measure, verify
  const load = loadavg()
    .map((x) => x.toFixed(2))
    .join(" / ");
  // rounds interleave the writers (ts, java, py, ts, java, py, ...) so that drifting
  // machine load spreads over all of them; the report shows each writer's median run
  const runs = new Map<Impl, ImplResult[]>(impls.map((i) => [i, []]));
  for (let round = 1; round <= repeat; round++) {
    for (const impl of impls) {
      const tag = repeat > 1 ? `${impl}#${round}` : impl;
      const wh = join(workdir, impl);
      rmSync(wh, { recursive: true, force: true });
      const timeFile = join(workdir, `${tag}.time.txt`);
      const loadAtStart = loadavg()[0];
      log(`${tag}: writing ${rows} events (batch ${batch}), load ${loadAtStart.toFixed(2)} ...`);
      const writer = runJson(commandFor(impl, ["--warehouse", wh, "--rows", String(rows), "--batch", String(batch)]), logFile, timeFile);
      const time = parseTimeV(timeFile);
      const disk = diskStats(join(wh, `${DATABASE}.db`, TABLE));
      log(`${tag}: ${time.wallS.toFixed(1)} s wall, ${(time.userS + time.sysS).toFixed(1)} s CPU, ${(time.maxRssKb / 1024).toFixed(0)} MiB peak RSS; verifying with Java ...`);
      const verify = runJson(commandFor("java", ["--verify", "--warehouse", wh, "--rows", String(rows)]), logFile);
      log(`${tag}: ${verify.match ? "match" : "MISMATCH"} (${verify.tableRows} rows, digest ${verify.tableDigest})`);
      runs.get(impl)!.push({ impl, load: loadAtStart, writer, time, disk, verify, walls: [] });
      writeFileSync(join(workdir, `${tag}.json`), JSON.stringify({ load: loadAtStart, writer, time, disk, verify }, null, 2));
    }
  }
  const results: ImplResult[] = impls.map((impl) => {
    const all = runs.get(impl)!;
    const sorted = [...all].sort((a, b) => a.time.wallS - b.time.wallS);
    const median = sorted[Math.floor((sorted.length - 1) / 2)];
    return { ...median, walls: all.map((r) => r.time.wallS), verify: { ...median.verify, match: all.every((r) => r.verify.match === true) } };
  });

  const command = `bash tools/bench/run.sh${rows !== DEFAULT_ROWS ? ` --rows ${rows}` : ""}${batch !== DEFAULT_BATCH ? ` --batch ${batch}` : ""}${repeat > 1 ? ` --repeat ${repeat}` : ""}${impls.includes("paimon-ts-nofsync") && !only ? " --with-nofsync" : ""}`;
  const md = report(results, rows, batch, machineFacts(), load, genCheck, command, startedAt.toISOString().replace(/\.\d+Z$/, "Z"));
  process.stdout.write(`${md}\n`);
  writeFileSync(join(workdir, "report.md"), `${md}\n`);
  if (!args.has("--no-doc") && !only) {
    updateDoc(md);
    log(`results written to ${relative(ROOT, DOC)}`);
  }
  if (!args.has("--keep")) {
    for (const impl of impls) rmSync(join(workdir, impl), { recursive: true, force: true });
    rmSync(jar, { force: true });
    log(`warehouses removed (keep them with --keep); report and logs stay in ${workdir}`);
  }
  if (!results.every((r) => r.verify.match === true)) process.exitCode = 1;
}

main(process.argv.slice(2)).catch((e: unknown) => {
  console.error(`bench: ${e instanceof Error ? e.message : String(e)}`);
  process.exitCode = 1;
});
