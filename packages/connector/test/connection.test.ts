/**
 * connectionTest: each check is real and reported on its own, failures say precisely what
 * went wrong, and no message ever contains a credential. Local cases always run; S3, OSS
 * and HDFS run against the test servers of tools/servers.
 */
import { mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PaimonConnector, TestResult, type TestItem } from "../src/index.js";
import { HDFS_LIVE, HDFS_URI, OSS_ENDPOINT, OSS_KEY, OSS_LIVE, OSS_SECRET, S3_ENDPOINT, S3_LIVE, describeIf, ensureS3Bucket } from "./live.js";
import { testLog } from "./helpers.js";

async function runTest(config: Record<string, unknown>, timeoutMs = 15_000): Promise<{ items: TestItem[]; connectionString?: string; logs: string[] }> {
  const items: TestItem[] = [];
  const log = testLog();
  const opts = await new PaimonConnector({ testTimeoutMs: timeoutMs }).connectionTest({ connectionConfig: config, log }, (i) => items.push(i));
  return { items, connectionString: opts.connectionString, logs: log.lines };
}

const summary = (items: TestItem[]) => items.map((i) => `${i.item}:${i.result === TestResult.FAILED ? "FAIL" : "ok"}`);
const SECRET = "s3cr3t-K3Y-never-shown";

function expectNoSecret(r: { items: TestItem[]; connectionString?: string; logs: string[] }, ...secrets: string[]) {
  const text = JSON.stringify(r);
  for (const s of [SECRET, ...secrets]) expect(text).not.toContain(s);
}

describe("connection test on local storage", () => {
  it("checks reachability, credentials, a probe write and the database, leaving nothing behind", async () => {
    const wh = mkdtempSync(join(tmpdir(), "conn-test-"));
    const r = await runTest({ warehouse: wh, database: "sales" });
    expect(summary(r.items)).toEqual(["Connection:ok", "Login:ok", "Write:ok", "Database:ok"]);
    expect(r.items[3].information).toBe("Database 'sales' did not exist and was created");
    expect(readdirSync(wh)).toEqual(["sales.db"]); // the probe file is gone
    expect(r.connectionString).toBe(`file://${wh}`);
    const again = await runTest({ warehouse: wh, database: "sales" });
    expect(again.items[3].information).toBe("Database 'sales' exists (0 tables)");
  });

  it("creates a missing warehouse directory", async () => {
    const wh = join(mkdtempSync(join(tmpdir(), "conn-test-")), "deep", "wh");
    const r = await runTest({ warehouse: wh });
    expect(summary(r.items)).toEqual(["Connection:ok", "Login:ok", "Write:ok", "Database:ok"]);
    expect(r.items[0].information).toMatch(/does not exist yet and will be created/);
  });

  it("fails precisely when the warehouse is a file", async () => {
    const dir = mkdtempSync(join(tmpdir(), "conn-test-"));
    writeFileSync(join(dir, "file"), "x");
    const r = await runTest({ warehouse: join(dir, "file", "wh") });
    expect(r.items.map((i) => i.result)).toEqual([expect.any(Number), TestResult.FAILED, TestResult.FAILED, TestResult.FAILED].slice(0, r.items.length));
    const failed = r.items.find((i) => i.result === TestResult.FAILED)!;
    expect(failed.information).toMatch(/not a directory|ENOTDIR|exists/i);
    expect(r.items.filter((i) => i.result === TestResult.FAILED).slice(1).every((i) => /^not tested: /.test(i.information ?? ""))).toBe(true);
  });

  it("reports configuration problems as a failed Connection item, without secrets", async () => {
    const r = await runTest({ warehouse: "", storageType: "s3", s3AccessKey: "AKIA-EXAMPLE", s3SecretKey: SECRET });
    expect(summary(r.items)).toEqual(["Connection:FAIL", "Login:FAIL", "Write:FAIL", "Database:FAIL"]);
    expect(r.items[0].information).toMatch(/^Cannot use this configuration: invalid configuration: warehouse: required/);
    expectNoSecret(r, "AKIA-EXAMPLE");
  });
});

describe("connection test against unreachable stores", () => {
  it("S3: connection refused, named, without the keys", async () => {
    const r = await runTest({ warehouse: "s3://bucket/wh", storageType: "s3", s3Endpoint: "http://127.0.0.1:1", s3AccessKey: "AKIA-EXAMPLE", s3SecretKey: SECRET });
    expect(summary(r.items)).toEqual(["Connection:FAIL", "Login:FAIL", "Write:FAIL", "Database:FAIL"]);
    expect(r.items[0].information).toMatch(/^Cannot reach the warehouse s3:\/\/bucket\/wh: /);
    expect(r.items[0].information).toMatch(/ECONNREFUSED|refused/i);
    expectNoSecret(r, "AKIA-EXAMPLE");
  });

  it("HDFS: the WebHDFS port is named", async () => {
    const r = await runTest({ warehouse: "/wh", storageType: "hdfs", hdfsHost: "127.0.0.1", hdfsHttpPort: 1 });
    expect(r.items[0].result).toBe(TestResult.FAILED);
    expect(r.items[0].information).toMatch(/^Cannot reach the warehouse hdfs:\/\/127\.0\.0\.1:9000\/wh: .*(refused|ECONNREFUSED)/i);
    expect(r.connectionString).toBe("hdfs://127.0.0.1:9000/wh (WebHDFS port 1, user hadoop)");
  });

  it("OSS: an unroutable endpoint fails the test quickly, without the keys", async () => {
    const r = await runTest({ warehouse: "oss://bucket/wh", storageType: "oss", ossEndpoint: "http://10.255.255.1", ossAccessKey: "LTAI-EXAMPLE", ossSecretKey: SECRET }, 1500);
    // fileio-oss currently reports network failures as NOT_FOUND, so the first failing
    // check is Login rather than Connection; either way the test fails and says why
    expect(r.items.some((i) => i.result === TestResult.FAILED)).toBe(true);
    expectNoSecret(r, "LTAI-EXAMPLE");
  }, 30_000);
});

describeIf(S3_LIVE, "connection test on S3 (moto)", () => {
  it("passes every check against a bucket", async () => {
    await ensureS3Bucket("connector-conn-test");
    const r = await runTest({ warehouse: "connector-conn-test/wh", storageType: "s3", s3Endpoint: S3_ENDPOINT, s3AccessKey: "test-key", s3SecretKey: SECRET, s3Region: "us-east-1" });
    expect(summary(r.items)).toEqual(["Connection:ok", "Login:ok", "Write:ok", "Database:ok"]);
    expect(r.connectionString).toBe(`s3://connector-conn-test/wh (endpoint ${S3_ENDPOINT})`);
    expectNoSecret(r);
  });

  it("says the bucket is missing", async () => {
    const r = await runTest({ warehouse: "s3://no-such-bucket-paimon-ts/wh", storageType: "s3", s3Endpoint: S3_ENDPOINT, s3AccessKey: "k", s3SecretKey: SECRET });
    expect(r.items.some((i) => i.result === TestResult.FAILED && /NoSuchBucket|bucket/i.test(i.information ?? ""))).toBe(true);
    expectNoSecret(r);
  });
});

describeIf(OSS_LIVE, "connection test on OSS (adapter)", () => {
  const base = { warehouse: "oss://connector-oss-test/wh", storageType: "oss", ossEndpoint: OSS_ENDPOINT };
  beforeAll(() => ensureS3Bucket("connector-oss-test").catch(() => undefined));

  it("passes every check with the right keys", async () => {
    const r = await runTest({ ...base, ossAccessKey: OSS_KEY, ossSecretKey: OSS_SECRET });
    expect(summary(r.items)).toEqual(["Connection:ok", "Login:ok", "Write:ok", "Database:ok"]);
    expectNoSecret(r, OSS_SECRET);
  });

  it("reports refused credentials without showing them", async () => {
    const r = await runTest({ ...base, ossAccessKey: OSS_KEY, ossSecretKey: SECRET });
    const failed = r.items.find((i) => i.result === TestResult.FAILED)!;
    expect(failed).toBeDefined();
    expect(failed.information).toMatch(/PERMISSION|denied|signature|403/i);
    expectNoSecret(r);
  });
});

describeIf(HDFS_LIVE, "connection test on HDFS (MiniDFSCluster)", () => {
  it("passes every check", async () => {
    const r = await runTest({ warehouse: `${HDFS_URI}/connector-test-${Date.now()}`, storageType: "hdfs", hdfsUser: "hadoop" });
    expect(summary(r.items)).toEqual(["Connection:ok", "Login:ok", "Write:ok", "Database:ok"]);
    expect(r.items[1].information).toBe("HDFS accepted user 'hadoop'");
  });
});
