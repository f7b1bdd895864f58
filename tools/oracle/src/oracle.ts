/**
 * Drives the real Paimon implementations our format code is checked against:
 * Java Paimon (tools/oracle-java) and pypaimon (tools/oracle-py). Each runs as one
 * long-lived `serve` process speaking JSON lines, so a test file pays one JVM start.
 */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { createInterface } from "node:readline";

export type OracleName = "java" | "python";

/** The monorepo root: the nearest directory above the working directory with pnpm-workspace.yaml. */
export const REPO_ROOT = findRepoRoot(process.cwd());

function findRepoRoot(start: string): string {
  let dir = resolve(start);
  for (;;) {
    if (existsSync(join(dir, "pnpm-workspace.yaml"))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error(`not inside the paimon-ts repository: ${start}`);
    dir = up;
  }
}

export interface Column {
  name: string;
  type: string;
}
export interface TableRows {
  columns: Column[];
  rows: Record<string, unknown>[];
}

export interface LiveFile {
  partition: Record<string, unknown>;
  bucket: number;
  totalBuckets: number;
  level: number;
  rowCount: number;
  deleteRowCount: number | null;
  minSequenceNumber: number;
  maxSequenceNumber: number;
  schemaId: number;
  fileName: string;
}

export interface Description {
  schema: Record<string, unknown>;
  schemaId: number;
  snapshots: { id: number; commitKind: string; schemaId: number; totalRecordCount: number; deltaRecordCount: number; commitUser?: string; commitIdentifier?: string }[];
  liveFiles: LiveFile[];
  indexFiles: { partition: Record<string, unknown>; bucket: number; indexType: string; fileName: string; fileSize?: number; rowCount: number; dvRanges?: Record<string, unknown> }[];
}

export type RowKindShort = "+I" | "-U" | "+U" | "-D";

export type AlterChange =
  | { addColumn: { name: string; type: string; after?: string; first?: boolean; description?: string } }
  | { renameColumn: { from: string; to: string } }
  | { dropColumn: string }
  | { updateColumnType: { name: string; type: string } }
  | { setOption: { key: string; value: string } }
  | { removeOption: string };

export interface WriteSpec {
  warehouse: string;
  table: string;
  catalogOptions?: Record<string, string>;
  tableOptions?: Record<string, string>;
  create?: {
    fields: { name: string; type: string; description?: string }[];
    primaryKeys?: string[];
    partitionKeys?: string[];
    options?: Record<string, string>;
  };
  commits: (
    | { rows: { kind: RowKindShort; row: Record<string, unknown> }[]; overwrite?: boolean | Record<string, unknown>; compact?: "full" }
    | { truncate: true }
    | { compactOnly: "full" }
    | { alter: AlterChange[] }
  )[];
}

export interface StreamReadRequest {
  /** The first snapshot whose changes are returned (Java clamps it to the earliest snapshot). */
  fromSnapshot: number;
  /** The last snapshot to plan, inclusive; default the latest. */
  toSnapshot?: number;
  /** Field names to read, in this order; default all fields of the schema of `fromSnapshot` (Java time-travels the schema). */
  projection?: string[];
  tableOptions?: Record<string, string>;
  catalogOptions?: Record<string, string>;
}

export interface StreamReadSnapshot {
  id: number;
  commitKind: string;
  /** How many splits the streaming scan planned for this snapshot. */
  splits: number;
  /** The records in the order Java's reader returned them, split by split. */
  rows: { kind: RowKindShort; row: Record<string, unknown> }[];
}

export interface StreamReadResult {
  columns: Column[];
  /** One entry per snapshot the streaming scan planned (snapshots without changes are skipped). */
  snapshots: StreamReadSnapshot[];
  /** The scan's checkpoint afterwards: the next snapshot it would plan. */
  nextSnapshot: number | null;
}

export interface WriteResult {
  snapshots: number[];
  latestSnapshotId: number;
}

const LAUNCHERS: Record<OracleName, { installed: string; command: string; install: string }> = {
  java: {
    installed: join(REPO_ROOT, "tools/oracle-java/target/paimon-oracle.jar"),
    command: join(REPO_ROOT, "tools/oracle-java/oracle"),
    install: "bash tools/oracle-java/install.sh",
  },
  python: {
    installed: join(REPO_ROOT, "tools/oracle-py/.venv/bin/python"),
    command: join(REPO_ROOT, "tools/oracle-py/oracle"),
    install: "bash tools/oracle-py/install.sh",
  },
};

export function oracleInstalled(name: OracleName): boolean {
  return existsSync(LAUNCHERS[name].installed);
}

export class OracleError extends Error {
  override name = "OracleError";
}

export class Oracle {
  private proc: ChildProcessWithoutNullStreams;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void; cmd: string }>();
  private stderr = "";
  private exited = false;

  constructor(readonly name: OracleName) {
    const l = LAUNCHERS[name];
    this.proc = spawn(l.command, ["serve"], { cwd: REPO_ROOT, stdio: ["pipe", "pipe", "pipe"] });
    createInterface({ input: this.proc.stdout }).on("line", (line) => this.onLine(line));
    this.proc.stderr.on("data", (d: Buffer) => {
      this.stderr = (this.stderr + d.toString()).slice(-20_000);
    });
    this.proc.on("exit", (code, signal) => {
      this.exited = true;
      const err = new OracleError(`${name} oracle exited (code ${code}, signal ${signal}); stderr tail:\n${this.stderr.slice(-4000)}`);
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    });
  }

  private onLine(line: string): void {
    if (!line.trim().startsWith("{")) return;
    let msg: { id: number; ok: boolean; result?: unknown; error?: string };
    try {
      msg = JSON.parse(line);
    } catch {
      return;
    }
    const p = this.pending.get(msg.id);
    if (!p) return;
    this.pending.delete(msg.id);
    if (msg.ok) p.resolve(msg.result);
    else p.reject(new OracleError(`${this.name} oracle ${p.cmd} failed: ${msg.error}`));
  }

  request<T>(cmd: string, args: unknown): Promise<T> {
    if (this.exited) return Promise.reject(new OracleError(`${this.name} oracle is not running; stderr:\n${this.stderr.slice(-4000)}`));
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, cmd });
      this.proc.stdin.write(JSON.stringify({ id, cmd, args }) + "\n");
    });
  }

  readTable(warehouse: string, table: string, opts: { snapshot?: number; tag?: string } = {}): Promise<TableRows> {
    return this.request("read-table", { warehouse, table, ...opts });
  }

  describe(warehouse: string, table: string): Promise<Description> {
    return this.request("describe", { warehouse, table });
  }

  /**
   * The implementation's streaming read from `fromSnapshot` to `toSnapshot`: the changes of
   * every snapshot its streaming scan plans, with row kinds (Java: scan.mode=from-snapshot;
   * pypaimon: StreamReadBuilder's per-snapshot follow-up plans).
   */
  streamRead(warehouse: string, table: string, req: StreamReadRequest): Promise<StreamReadResult> {
    return this.request("stream-read", { warehouse, table, ...req });
  }

  write(spec: WriteSpec): Promise<WriteResult> {
    return this.request("write", spec);
  }

  async close(): Promise<void> {
    if (this.exited) return;
    const done = new Promise<void>((r) => this.proc.once("exit", () => r()));
    this.proc.stdin.end();
    const timer = setTimeout(() => this.proc.kill("SIGKILL"), 10_000);
    await done;
    clearTimeout(timer);
  }
}

/**
 * Starts an oracle. When it is not installed: under CI (CI=true) this throws, so a
 * missing oracle fails the run loudly; locally it returns undefined after a visible
 * warning, and the caller skips.
 */
export function openOracle(name: OracleName): Oracle | undefined {
  if (!oracleInstalled(name)) {
    const msg = `${name} oracle is not installed (run \`${LAUNCHERS[name].install}\` from the repo root)`;
    if (process.env.CI === "true" || process.env.PAIMON_TS_REQUIRE_ORACLES === "1") throw new OracleError(msg);
    console.warn(`WARNING: ${msg}; skipping the tests that need it`);
    return undefined;
  }
  return new Oracle(name);
}
