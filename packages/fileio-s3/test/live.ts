/**
 * The live S3 test server (moto, started by tools/servers/s3-start.sh). Whether it
 * answers is decided synchronously at load time so suites can be skipped: under CI
 * (CI=true) an unreachable server fails the run; locally the suites are skipped with a
 * WARNING (the rule of tools/oracle `openOracle`).
 */
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { spawnSync } from "node:child_process";
import { S3FileIO, type S3FileIOOptions } from "../src/index.js";

export const S3_ENDPOINT = process.env.PAIMON_TS_S3_ENDPOINT ?? "http://127.0.0.1:19330";
export const BUCKET = "paimon-test";
export const TEST_CREDENTIALS = { accessKeyId: "paimon-test-key", secretAccessKey: "paimon-test-secret" };

function reachable(endpoint: string): boolean {
  const u = new URL(endpoint);
  const probe = `require("net").connect(${Number(u.port || 80)}, ${JSON.stringify(u.hostname)})
    .on("connect", () => process.exit(0)).on("error", () => process.exit(1)).setTimeout(2000, () => process.exit(1))`;
  return spawnSync(process.execPath, ["-e", probe], { timeout: 5000 }).status === 0;
}

export const S3_LIVE: boolean = (() => {
  if (reachable(S3_ENDPOINT)) return true;
  const msg = `S3 test server not reachable at ${S3_ENDPOINT} (start it with \`bash tools/servers/s3-start.sh\` from the repo root, or set PAIMON_TS_S3_ENDPOINT)`;
  if (process.env.CI === "true") throw new Error(msg);
  // straight to stderr: jest drops console output of a file whose tests are all skipped
  process.stderr.write(`WARNING: ${msg}; skipping the tests that need it\n`);
  return false;
})();

/** `describe` when the server answers, else one visibly skipped placeholder. */
export function describeLive(name: string, body: () => void): void {
  if (S3_LIVE) describe(name, body);
  else describe.skip(`${name} (S3 test server not running)`, () => it("needs tools/servers/s3-start.sh", () => undefined));
}

export function testIO(options: S3FileIOOptions = {}, scheme: "s3" | "s3a" = "s3"): S3FileIO {
  return new S3FileIO({ endpoint: S3_ENDPOINT, region: "us-east-1", forcePathStyle: true, ...TEST_CREDENTIALS, ...options }, scheme);
}

export async function ensureBucket(endpoint = S3_ENDPOINT): Promise<void> {
  const client = new S3Client({ endpoint, region: "us-east-1", forcePathStyle: true, credentials: TEST_CREDENTIALS });
  try {
    await client.send(new CreateBucketCommand({ Bucket: BUCKET }));
  } catch (e) {
    if ((e as Error).name !== "BucketAlreadyOwnedByYou" && (e as Error).name !== "BucketAlreadyExists") throw e;
  } finally {
    client.destroy();
  }
}
