/**
 * Exactly-once under crashes: `paimon-ts write` runs in a child process that is killed
 * with SIGKILL at random points (mid-batch, mid-commit, mid-state-write), and restarted
 * with the same state file until it finishes. The table must then equal the model of the
 * event file: nothing lost, nothing twice — for a primary-key table and, where replays
 * would show as duplicates, for an append-only table. Java Paimon reads the same rows.
 *
 * The child runs the CLI compiled by this test with tsc into node_modules/.cache (apart
 * from dist/, which turbo may be rebuilding meanwhile); the packages it imports are built
 * by turbo before any test runs (`^build`).
 */
import { openOracle, rowMultiset } from "@paimon-ts/oracle";
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FileSystemCatalog, canonicalEncode, readTable, resultRows } from "@paimon-ts/paimon-core";
import { LocalFileIO } from "@paimon-ts/fileio-local";
import { run } from "../src/index.js";

jest.setTimeout(600_000);

const CLI_DIR = join(__dirname, "..");
const OUT = join(CLI_DIR, "node_modules/.cache/paimon-ts-crash-test");
const MAIN = join(OUT, "main.js");
const java = openOracle("java");
afterAll(async () => {
  await java?.close();
});

beforeAll(() => {
  execFileSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", "tsconfig.build.json", "--outDir", OUT, "--declaration", "false", "--declarationMap", "false"], { cwd: CLI_DIR, stdio: "pipe" });
});

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function snapshotCount(snapshotDir: string): number {
  return existsSync(snapshotDir) ? readdirSync(snapshotDir).filter((f) => f.startsWith("snapshot-")).length : 0;
}

/**
 * Runs the CLI; with `kill`, SIGKILLs it `kill.extraMs` after its first new snapshot lands
 * (so every killed run made progress that counts, however slow the machine is), at a
 * random point of a later batch.
 */
function runCli(args: string[], kill: { snapshotDir: string; extraMs: number } | null): Promise<Run> {
  return new Promise((resolve) => {
    const before = kill ? snapshotCount(kill.snapshotDir) : 0;
    const child = spawn(process.execPath, [MAIN, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    let timer: NodeJS.Timeout | null = null;
    const poll = kill
      ? setInterval(() => {
          if (timer === null && snapshotCount(kill.snapshotDir) > before) timer = setTimeout(() => child.kill("SIGKILL"), kill.extraMs);
        }, 20)
      : null;
    child.on("exit", (code, signal) => {
      if (poll) clearInterval(poll);
      if (timer) clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

async function tableRows(wh: string, name: string): Promise<Record<string, unknown>[]> {
  const t = await new FileSystemCatalog(new LocalFileIO(), wh).getTable(name);
  const r = await readTable(t);
  return resultRows(r).map((row) => Object.fromEntries(r.fields.map((f, i) => [f.name, canonicalEncode(f.type, row[i])])));
}

/** Kills the writer at random points until one run completes; returns how many runs were killed. */
async function writeUntilDone(args: string[], snapshotDir: string, random: () => number): Promise<{ kills: number; resumed: number; last: Run }> {
  let kills = 0;
  let resumed = 0;
  const t0 = Date.now();
  for (let attempt = 0; ; attempt++) {
    const kill = attempt < 8 ? { snapshotDir, extraMs: Math.floor(random() * 1500) } : null;
    const r = await runCli(args, kill);
    const m = /resumed after line (\d+)/.exec(r.stdout);
    if (m) resumed = Math.max(resumed, Number(m[1]));
    if (r.signal === "SIGKILL") {
      kills++;
      continue;
    }
    if (r.code !== 0 && r.code !== 3) throw new Error(`write failed (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
    if (process.env.CRASH_VERBOSE === "1") process.stderr.write(`${kills} kills in ${Date.now() - t0} ms; last run:\n${r.stdout.split("\n").slice(0, 3).join("\n")}\n`);
    return { kills, resumed, last: r };
  }
}

describe("paimon-ts write survives kill -9", () => {
  it("primary-key and append-only tables equal their models after random kills", async () => {
    const dir = mkdtempSync(join(tmpdir(), "cli-crash-"));
    const wh = join(dir, "wh");
    const conn = join(dir, "conn.json");
    writeFileSync(conn, JSON.stringify({ warehouse: wh, database: "db", bucketMode: "fixed", bucketCount: 3, batchAccumulationSize: 1500, commitIntervalMs: 0 }));
    const table = (fields: [string, string, number?][]) => JSON.stringify({ fields: fields.map(([name, dataType, primaryKeyPos]) => ({ name, dataType, nullable: !primaryKeyPos, ...(primaryKeyPos ? { primaryKeyPos } : {}) })) });
    writeFileSync(join(dir, "pk.json"), table([["id", "BIGINT", 1], ["v", "STRING"], ["n", "INT"]]));
    writeFileSync(join(dir, "log.json"), JSON.stringify({ fields: [{ name: "seq", dataType: "BIGINT" }, { name: "msg", dataType: "STRING" }], options: { bucket: "-1" } }));
    const quiet = () => undefined;
    expect(await run(["create", "--config", conn, "db.pk", "--table", join(dir, "pk.json")], quiet)).toBe(0);
    expect(await run(["create", "--config", conn, "db.log", "--table", join(dir, "log.json")], quiet)).toBe(0);

    // the event files and their models
    const random = rng(7);
    const pkModel = new Map<string, Record<string, unknown>>();
    const pkLines: string[] = [];
    let bad = 0;
    for (let i = 1; i <= 40_000; i++) {
      const id = String(1 + Math.floor(random() * 15_000));
      const cur = pkModel.get(id);
      const roll = random();
      if (i % 5000 === 0) {
        pkLines.push("{ this is not json");
        bad++;
      } else if (i % 4999 === 0) {
        pkLines.push(JSON.stringify({ type: "insert", after: { id, n: "not a number" } }));
        bad++;
      } else if (!cur || roll < 0.5) {
        const row = { id, v: `v${i}`, n: i % 1000 };
        pkModel.set(id, row);
        pkLines.push(JSON.stringify({ type: "insert", after: row }));
      } else if (roll < 0.85) {
        const row = { ...cur, v: `u${i}`, n: ((cur.n as number) + 1) % 100_000 };
        pkModel.set(id, row);
        pkLines.push(JSON.stringify({ type: "update", before: cur, after: row }));
      } else {
        pkModel.delete(id);
        pkLines.push(JSON.stringify({ type: "delete", before: { id } }));
      }
    }
    writeFileSync(join(dir, "pk.ndjson"), pkLines.join("\n") + "\n");
    const logLines = Array.from({ length: 120_000 }, (_, i) => JSON.stringify({ type: "insert", after: { seq: String(i + 1), msg: `m${i + 1}` } }));
    writeFileSync(join(dir, "log.ndjson"), logLines.join("\n") + "\n");

    const pk = await writeUntilDone(["write", "--config", conn, "db.pk", "--events", join(dir, "pk.ndjson"), "--state", join(dir, "pk.state.json"), "--batch", "500"], join(wh, "db.db", "pk", "snapshot"), random);
    const log = await writeUntilDone(["write", "--config", conn, "db.log", "--events", join(dir, "log.ndjson"), "--state", join(dir, "log.state.json"), "--batch", "500"], join(wh, "db.db", "log", "snapshot"), random);
    expect(pk.kills).toBeGreaterThanOrEqual(2);
    expect(log.kills).toBeGreaterThanOrEqual(2);
    // the last run started after committed lines: the killed runs made progress that counted
    expect(pk.resumed).toBeGreaterThan(0);
    expect(log.resumed).toBeGreaterThan(0);

    const pkRows = await tableRows(wh, "db.pk");
    expect(pkRows.length).toBe(pkModel.size);
    expect(rowMultiset(pkRows)).toEqual(rowMultiset([...pkModel.values()]));
    const logRows = await tableRows(wh, "db.log");
    expect(logRows.length).toBe(120_000);
    expect(new Set(logRows.map((r) => r.seq)).size).toBe(120_000);

    // the state holds the last committed line; a rerun writes nothing more
    const again = await runCli(["write", "--config", conn, "db.log", "--events", join(dir, "log.ndjson"), "--state", join(dir, "log.state.json")], null);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain("resumed after line 120000");
    expect(await tableRows(wh, "db.log")).toHaveLength(120_000);
    const state = JSON.parse(readFileSync(join(dir, "log.state.json"), "utf8"));
    expect(Object.values(state).map((v) => JSON.parse(v as string).committedOffset)).toEqual([120000]);
    expect(bad).toBeGreaterThan(0);

    if (java) {
      expect(rowMultiset((await java.readTable(wh, "db.pk")).rows)).toEqual(rowMultiset([...pkModel.values()]));
      expect((await java.readTable(wh, "db.log")).rows).toHaveLength(120_000);
    }
  });
});
