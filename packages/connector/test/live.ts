/**
 * The storage test servers of tools/servers (S3: moto, OSS: the adapter, HDFS:
 * MiniDFSCluster). Reachability is decided synchronously at load time so suites can be
 * skipped: under CI (CI=true) an unreachable server fails the run; locally the suites are
 * skipped with a WARNING (the rule of the storage packages' tests).
 */
import { spawnSync } from "node:child_process";

export const S3_ENDPOINT = process.env.PAIMON_TS_S3_ENDPOINT ?? "http://127.0.0.1:19330";
export const OSS_ENDPOINT = process.env.PAIMON_TS_OSS_ENDPOINT ?? "http://127.0.0.1:19331";
export const OSS_KEY = process.env.PAIMON_TS_OSS_ACCESS_KEY_ID ?? "paimon-oss-test-key";
export const OSS_SECRET = process.env.PAIMON_TS_OSS_ACCESS_KEY_SECRET ?? "paimon-oss-test-secret";
export const HDFS_HTTP = (process.env.PAIMON_TS_HDFS_HTTP ?? "http://127.0.0.1:9870").replace(/\/+$/, "");
export const HDFS_URI = (process.env.PAIMON_TS_HDFS_URI ?? "hdfs://127.0.0.1:9000").replace(/\/+$/, "");

function reachable(endpoint: string): boolean {
  const u = new URL(endpoint);
  const probe = `require("net").connect(${Number(u.port || 80)}, ${JSON.stringify(u.hostname)})
    .on("connect", () => process.exit(0)).on("error", () => process.exit(1)).setTimeout(2000, () => process.exit(1))`;
  return spawnSync(process.execPath, ["-e", probe], { timeout: 5000 }).status === 0;
}

function live(name: string, endpoint: string, start: string): boolean {
  if (reachable(endpoint)) return true;
  const msg = `${name} test server not reachable at ${endpoint} (start it with \`${start}\` from the repo root)`;
  if (process.env.CI === "true") throw new Error(msg);
  process.stderr.write(`WARNING: ${msg}; skipping the connector tests that need it\n`);
  return false;
}

export const S3_LIVE = live("S3", S3_ENDPOINT, "bash tools/servers/s3-start.sh");
export const OSS_LIVE = live("OSS", OSS_ENDPOINT, "bash tools/servers/oss-start.sh");
export const HDFS_LIVE = live("HDFS", HDFS_HTTP, "bash tools/servers/hdfs-start.sh");

export function describeIf(ok: boolean, name: string, body: () => void): void {
  if (ok) describe(name, body);
  else describe.skip(`${name} (test server not running)`, () => it("needs its server from tools/servers", () => undefined));
}

/** Creates a bucket on the moto server (it does not check signatures). */
export async function ensureS3Bucket(bucket: string): Promise<void> {
  const r = await fetch(`${S3_ENDPOINT}/${bucket}`, { method: "PUT" });
  if (!r.ok && r.status !== 409) throw new Error(`cannot create bucket ${bucket}: HTTP ${r.status}`);
}
