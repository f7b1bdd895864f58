/**
 * The live OSS test endpoint (tools/servers/oss-adapter.mjs in front of moto, started by
 * tools/servers/oss-start.sh). Whether it answers is decided synchronously at load time
 * so suites can be skipped: under CI (CI=true) an unreachable endpoint fails the run;
 * locally the suites are skipped with a WARNING (the rule of tools/oracle `openOracle`).
 */
import OSS from "ali-oss";
import { spawnSync } from "node:child_process";
import { OssFileIO, type OssFileIOOptions } from "../src/index.js";

export const OSS_ENDPOINT = process.env.PAIMON_TS_OSS_ENDPOINT ?? "http://127.0.0.1:19331";
export const BUCKET = "paimon-oss-test";
// the adapter's credentials (same environment variables and defaults as oss-adapter.mjs)
export const TEST_CREDENTIALS = {
  accessKeyId: process.env.PAIMON_TS_OSS_ACCESS_KEY_ID ?? "paimon-oss-test-key",
  accessKeySecret: process.env.PAIMON_TS_OSS_ACCESS_KEY_SECRET ?? "paimon-oss-test-secret",
};

function reachable(endpoint: string): boolean {
  const u = new URL(endpoint);
  const probe = `require("net").connect(${Number(u.port || 80)}, ${JSON.stringify(u.hostname)})
    .on("connect", () => process.exit(0)).on("error", () => process.exit(1)).setTimeout(2000, () => process.exit(1))`;
  return spawnSync(process.execPath, ["-e", probe], { timeout: 5000 }).status === 0;
}

export const OSS_LIVE: boolean = (() => {
  if (reachable(OSS_ENDPOINT)) return true;
  const msg = `OSS test endpoint not reachable at ${OSS_ENDPOINT} (start it with \`bash tools/servers/oss-start.sh\` from the repo root, or set PAIMON_TS_OSS_ENDPOINT)`;
  if (process.env.CI === "true") throw new Error(msg);
  // straight to stderr: jest drops console output of a file whose tests are all skipped
  process.stderr.write(`WARNING: ${msg}; skipping the tests that need it\n`);
  return false;
})();

/** `describe` when the endpoint answers, else one visibly skipped placeholder. */
export function describeLive(name: string, body: () => void): void {
  if (OSS_LIVE) describe(name, body);
  else describe.skip(`${name} (OSS test endpoint not running)`, () => it("needs tools/servers/oss-start.sh", () => undefined));
}

export function testIO(options: Partial<OssFileIOOptions> = {}): OssFileIO {
  return new OssFileIO({ endpoint: OSS_ENDPOINT, ...TEST_CREDENTIALS, ...options });
}

/** Creates the test bucket through the adapter (PutBucket; re-creating is fine). */
export async function ensureBucket(endpoint = OSS_ENDPOINT): Promise<void> {
  const client = new OSS({ endpoint, ...TEST_CREDENTIALS, bucket: BUCKET });
  try {
    await client.putBucket(BUCKET);
  } catch (e) {
    if ((e as { code?: string }).code !== "BucketAlreadyExists" && (e as { code?: string }).code !== "BucketAlreadyOwnedByYou") throw e;
  }
}
