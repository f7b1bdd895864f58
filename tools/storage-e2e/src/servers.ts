/**
 * The storage test servers (tools/servers): where they are, whether they answer, and
 * FileIOs, registries and Java catalog options for each of them.
 *
 * Missing servers follow the rule of tools/oracle `openOracle` and the backends'
 * test/live.ts: under CI (CI=true) a missing server is an error; locally the caller
 * skips after a printed WARNING.
 */
import { spawnSync } from "node:child_process";
import { createHmac, randomUUID } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FileIORegistry, type FileIO } from "@paimon-ts/fileio";
import { HdfsFileIO, registerHdfs, type HdfsOptions } from "@paimon-ts/fileio-hdfs";
import { registerLocal } from "@paimon-ts/fileio-local";
import { OssFileIO, registerOss, type OssFileIOOptions } from "@paimon-ts/fileio-oss";
import { S3FileIO, registerS3, type S3FileIOOptions } from "@paimon-ts/fileio-s3";
import { signV4 } from "./sigv4.js";

/** The remote test servers, and local disk (the control: same code, no network). */
export type Backend = "s3" | "hdfs" | "oss" | "local";

const env = process.env;
export const S3_ENDPOINT = (env.PAIMON_TS_S3_ENDPOINT ?? "http://127.0.0.1:19330").replace(/\/+$/, "");
export const OSS_ENDPOINT = (env.PAIMON_TS_OSS_ENDPOINT ?? "http://127.0.0.1:19331").replace(/\/+$/, "");
export const HDFS_HTTP = (env.PAIMON_TS_HDFS_HTTP ?? "http://127.0.0.1:9870").replace(/\/+$/, "");
export const HDFS_URI = (env.PAIMON_TS_HDFS_URI ?? "hdfs://127.0.0.1:9000").replace(/\/+$/, "");

/** Buckets this package creates (idempotently) and works under. */
export const S3_BUCKET = "paimon-storage-e2e";
export const OSS_BUCKET = "paimon-storage-e2e-oss";
/** The HDFS directory this package works under. */
export const HDFS_ROOT = "/paimon-storage-e2e";

/** moto accepts any key pair; these are what the tests sign with. */
export const S3_CREDENTIALS = { accessKeyId: "paimon-e2e-s3-key", secretAccessKey: "paimon-e2e-s3-secret/Never+Printed" };
/** The OSS adapter verifies one key pair (same environment variables and defaults as oss-adapter.mjs). */
export const OSS_CREDENTIALS = {
  accessKeyId: env.PAIMON_TS_OSS_ACCESS_KEY_ID ?? "paimon-oss-test-key",
  accessKeySecret: env.PAIMON_TS_OSS_ACCESS_KEY_SECRET ?? "paimon-oss-test-secret",
};
export const HDFS_USER = "paimon-e2e";

const START: Record<Exclude<Backend, "local">, string> = {
  s3: "bash tools/servers/s3-start.sh",
  oss: "bash tools/servers/oss-start.sh",
  hdfs: "bash tools/servers/hdfs-start.sh",
};

/** A TCP connect (S3, OSS) or a WebHDFS GETFILESTATUS (HDFS), synchronously: jest decides skips at collection time. */
function probe(backend: Exclude<Backend, "local">): string | undefined {
  const code =
    backend === "hdfs"
      ? `require("node:http").get(process.argv[1] + "/webhdfs/v1/?op=GETFILESTATUS&user.name=${HDFS_USER}", { timeout: 4000 }, (r) => {
           r.resume(); if (r.statusCode !== 200) console.error("HTTP " + r.statusCode); process.exit(r.statusCode === 200 ? 0 : 2);
         }).on("timeout", function () { this.destroy(new Error("no answer in 4 s")); }).on("error", (e) => { console.error(e.code || e.message); process.exit(1); });`
      : `const u = new URL(process.argv[1]); require("node:net").connect(Number(u.port || 80), u.hostname)
           .on("connect", () => process.exit(0)).on("error", (e) => { console.error(e.code || e.message); process.exit(1); })
           .setTimeout(3000, () => { console.error("no answer in 3 s"); process.exit(1); });`;
  const url = backend === "hdfs" ? HDFS_HTTP : backend === "s3" ? S3_ENDPOINT : OSS_ENDPOINT;
  const r = spawnSync(process.execPath, ["-e", code, url], { timeout: 8000, encoding: "utf8" });
  if (r.status === 0) return undefined;
  return `${backend.toUpperCase()} test server not reachable at ${url} (${(r.stderr ?? "").trim() || r.error?.message || `exit ${r.status}`})`;
}

const probed = new Map<Backend, boolean>();

/**
 * Whether the server answers. Under CI=true (or PAIMON_TS_REQUIRE_SERVERS=1) a missing
 * server throws; otherwise a WARNING goes to stderr (jest drops console output of files
 * whose tests are all skipped) and the result is false.
 */
export function serverLive(backend: Backend): boolean {
  if (backend === "local") return true;
  const known = probed.get(backend);
  if (known !== undefined) return known;
  const problem = probe(backend);
  if (problem !== undefined) {
    const msg = `${problem}; start it with \`${START[backend]}\` (or \`bash tools/servers/start-all.sh\`) from the repo root`;
    if (env.CI === "true" || env.PAIMON_TS_REQUIRE_SERVERS === "1") throw new Error(msg);
    process.stderr.write(`WARNING: ${msg}; skipping the tests that need it\n`);
  }
  probed.set(backend, problem === undefined);
  return problem === undefined;
}

// ---------------------------------------------------------------------------- FileIOs

export interface IOOptions {
  /** Another endpoint (a proxy) instead of the server's. */
  endpoint?: string;
  /** Retry lines of the object-store FileIOs. */
  logger?: (line: string) => void;
  s3?: S3FileIOOptions;
  oss?: Partial<OssFileIOOptions>;
  hdfs?: HdfsOptions;
}

export function s3Options(o: IOOptions = {}): S3FileIOOptions {
  return { endpoint: o.endpoint ?? S3_ENDPOINT, region: "us-east-1", forcePathStyle: true, ...S3_CREDENTIALS, logger: o.logger, ...o.s3 };
}

export function ossOptions(o: IOOptions = {}): OssFileIOOptions {
  return { endpoint: o.endpoint ?? OSS_ENDPOINT, ...OSS_CREDENTIALS, logger: o.logger, ...o.oss };
}

export function hdfsOptions(o: IOOptions = {}): HdfsOptions {
  return { endpoint: o.endpoint ?? HDFS_HTTP, user: HDFS_USER, ...o.hdfs };
}

/** A registry with every backend (what an application would set up). */
export function registry(o: IOOptions = {}): FileIORegistry {
  const r = new FileIORegistry();
  registerLocal(r);
  registerS3(r, s3Options(o));
  registerOss(r, ossOptions(o));
  registerHdfs(r, hdfsOptions(o));
  return r;
}

/** A FileIO for one backend, through the registry, as an application would get it. */
export async function fileIO(warehouse: string, o: IOOptions = {}): Promise<FileIO> {
  return (await registry(o).create(warehouse)).io;
}

/** A fresh warehouse URI of its own for one test. */
export function newWarehouse(backend: Backend, label: string): string {
  const leaf = `${label}-${randomUUID().slice(0, 8)}`;
  if (backend === "s3") return `s3://${S3_BUCKET}/${leaf}`;
  if (backend === "oss") return `oss://${OSS_BUCKET}/${leaf}`;
  if (backend === "local") return mkdtempSync(join(tmpdir(), `paimon-storage-e2e-${label}-`));
  return `${HDFS_URI}${HDFS_ROOT}/${leaf}`;
}

/** Java Paimon's catalog options for a warehouse on a test server (S3: Paimon's own s3:// plugin, paimon-s3). */
export function javaCatalogOptions(backend: Backend, endpoint = S3_ENDPOINT): Record<string, string> {
  if (backend === "s3") {
    return {
      "s3.endpoint": endpoint,
      "s3.access-key": S3_CREDENTIALS.accessKeyId,
      "s3.secret-key": S3_CREDENTIALS.secretAccessKey,
      "s3.path.style.access": "true",
    };
  }
  // the MiniDFSCluster runs with permissions off, so Java's user (the OS user) reads and writes anything
  if (backend === "hdfs" || backend === "local") return {};
  throw new Error("Java Paimon has no OSS file system here (paimon-oss is not bundled)");
}

// ---------------------------------------------------------------------------- buckets

/** Creates an S3 bucket with a signed PUT (200, or 409 when we own it already). */
export async function ensureS3Bucket(bucket = S3_BUCKET, endpoint = S3_ENDPOINT): Promise<void> {
  const url = new URL(`${endpoint}/${bucket}`);
  const headers = signV4({ method: "PUT", url, headers: {}, body: new Uint8Array(0), region: "us-east-1", service: "s3", ...S3_CREDENTIALS });
  const r = await fetch(url, { method: "PUT", headers });
  const text = await r.text();
  if (r.status !== 200 && !(r.status === 409 && /BucketAlready(OwnedByYou|Exists)/.test(text))) {
    throw new Error(`creating S3 bucket ${bucket} at ${endpoint}: HTTP ${r.status} ${text.slice(0, 300)}`);
  }
}

/** Creates an OSS bucket through the adapter with an OSS v1 signed PutBucket (path style). */
export async function ensureOssBucket(bucket = OSS_BUCKET, endpoint = OSS_ENDPOINT): Promise<void> {
  const date = new Date().toUTCString();
  const signature = createHmac("sha1", OSS_CREDENTIALS.accessKeySecret).update(`PUT\n\n\n${date}\n/${bucket}/`).digest("base64");
  const r = await fetch(`${endpoint}/${bucket}/`, { method: "PUT", headers: { Date: date, Authorization: `OSS ${OSS_CREDENTIALS.accessKeyId}:${signature}` } });
  const text = await r.text();
  if (r.status !== 200 && !(r.status === 409 && /BucketAlready(OwnedByYou|Exists)/.test(text))) {
    throw new Error(`creating OSS bucket ${bucket} at ${endpoint}: HTTP ${r.status} ${text.slice(0, 300)}`);
  }
}

/** Removes a test warehouse (best effort: the servers keep their state in memory anyway). */
export async function removeWarehouse(warehouse: string): Promise<void> {
  const io = await fileIO(warehouse);
  try {
    await io.deleteRecursive(warehouse);
  } catch {
    // the server may be gone already
  } finally {
    await io.close();
  }
}

export { HdfsFileIO, OssFileIO, S3FileIO };
