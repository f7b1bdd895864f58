/**
 * Aliyun OSS FileIO on ali-oss. ali-oss's own retries stay off (retryMax 0): a blind
 * retry of a create-only PUT whose first attempt landed would report the file as
 * someone else's, so retrying is the object-store layer's job.
 */
import OSS from "ali-oss";
import { Agent } from "node:http";
import { Agent as HttpsAgent } from "node:https";
import { InvalidInputError, ObjectStoreFileIO, PaimonError, StoreError, type Failure, type ListPage, type ObjectFileIOOptions, type ObjectMeta, type ObjectStore, type PartRef } from "@paimon-ts/fileio";

export interface OssFileIOOptions extends ObjectFileIOOptions {
  /** e.g. `https://oss-cn-hangzhou.aliyuncs.com`, or `http://127.0.0.1:19331` for the test adapter. */
  endpoint?: string;
  /** e.g. `oss-cn-hangzhou`; used when there is no endpoint. */
  region?: string;
  accessKeyId: string;
  accessKeySecret: string;
  /** STS security token for temporary credentials. */
  securityToken?: string;
  /** The endpoint is a custom domain bound to the bucket. */
  cname?: boolean;
  /** Per-request timeout in ms (default 60,000). */
  timeoutMs?: number;
}

const TOKEN_META = "paimon-token";
const FORBID_OVERWRITE = { "x-oss-forbid-overwrite": "true" };
const OSS_BUCKET_NAME = /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/;
const THROTTLE_CODES = new Set(["SlowDown", "Throttling", "TooManyRequests", "QpsLimitExceeded"]);

interface AliError {
  name?: string;
  code?: string;
  status?: number;
  message?: string;
}

function classify(e: unknown): StoreError {
  if (e instanceof StoreError) return e;
  const err = (e ?? {}) as AliError;
  const status = err.status ?? 0;
  const code = err.code ?? err.name ?? "Error";
  // ali-oss appends help URLs to timeout messages; the first clause is the useful part
  // and urllib appends socket diagnostics and a `headers:` dump on further lines
  const text = `${code}${status > 0 ? ` (HTTP ${status})` : ""}: ${(err.message ?? "").split("\n")[0].split(", please")[0]}`;
  let failure: Failure;
  if (status < 0 || err.name === "ResponseTimeoutError" || err.name === "ConnectionTimeoutError") {
    // -1 network error, -2 timeout (urllib)
    const notSent = /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH/.test(err.message ?? "") || err.name === "ConnectionTimeoutError";
    failure = notSent ? "not-sent" : "ambiguous";
  } else if (status === 0) failure = "fatal"; // a client-side exception, not a response
  else if ((status === 409 && code === "FileAlreadyExists") || status === 412) failure = "exists";
  else if (status === 429 || THROTTLE_CODES.has(code)) failure = "throttled";
  else if (status === 404) failure = "not-found";
  else if (status === 416) failure = "invalid-range";
  else if (status === 401 || status === 403) failure = "permission";
  else if (status >= 500) failure = "ambiguous";
  else failure = "fatal";
  return new StoreError(failure, text);
}

async function call<T>(f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    if (e instanceof PaimonError) throw e; // already typed (an invalid bucket name)
    throw classify(e);
  }
}

const buffer = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength);

class OssStore implements ObjectStore {
  private readonly clients = new Map<string, OSS>();
  private readonly agent = new Agent({ keepAlive: true });
  private readonly httpsAgent = new HttpsAgent({ keepAlive: true });

  constructor(private readonly options: OssFileIOOptions) {}

  /** ali-oss binds a client to one bucket. */
  private client(bucket: string): OSS {
    let c = this.clients.get(bucket);
    if (!c) {
      // ali-oss would refuse it with an unhelpful message on the first request
      if (!OSS_BUCKET_NAME.test(bucket)) {
        throw new InvalidInputError(`OSS bucket name '${bucket}' is invalid: 3–63 characters, lower-case letters, digits and '-', starting and ending with a letter or digit`);
      }
      const o = this.options;
      const config = {
        bucket,
        endpoint: o.endpoint,
        region: o.region,
        accessKeyId: o.accessKeyId,
        accessKeySecret: o.accessKeySecret,
        stsToken: o.securityToken,
        cname: o.cname,
        secure: o.endpoint?.startsWith("https:"),
        timeout: o.timeoutMs ?? 60_000,
        ...{ retryMax: 0, agent: this.agent, httpsAgent: this.httpsAgent }, // not in @types/ali-oss
      };
      // ali-oss merges options over its defaults, so an explicit undefined would erase one
      c = new OSS(Object.fromEntries(Object.entries(config).filter(([, v]) => v !== undefined)) as unknown as OSS.Options);
      this.clients.set(bucket, c);
    }
    return c;
  }

  get(bucket: string, key: string, range?: { start: number; end: number }): Promise<Uint8Array> {
    // standard range semantics: OSS otherwise answers an out-of-range request with the whole object
    const headers = range ? { Range: `bytes=${range.start}-${range.end - 1}`, "x-oss-range-behavior": "standard" } : {};
    return call(async () => new Uint8Array((await this.client(bucket).get(key, { headers })).content as Buffer));
  }

  head(bucket: string, key: string): Promise<ObjectMeta> {
    return call(async () => {
      const r = await this.client(bucket).head(key);
      const h = r.res.headers as Record<string, string>;
      const meta = (r.meta ?? {}) as Record<string, string>;
      return { size: Number(h["content-length"] ?? 0), mtime: Date.parse(h["last-modified"] ?? "") || 0, token: meta[TOKEN_META] };
    });
  }

  async put(bucket: string, key: string, data: Uint8Array, options: { ifAbsent: boolean; token?: string }): Promise<void> {
    await call(() =>
      this.client(bucket).put(key, buffer(data), {
        headers: options.ifAbsent ? FORBID_OVERWRITE : {},
        meta: options.token ? { [TOKEN_META]: options.token } : undefined,
        mime: "application/octet-stream",
      } as unknown as OSS.PutObjectOptions), // @types/ali-oss types user meta as {uid, pid}
    );
  }

  list(bucket: string, prefix: string, options: { delimiter: boolean; continuation?: string; maxKeys?: number }): Promise<ListPage> {
    return call(async () => {
      const r = await this.client(bucket).listV2(
        { prefix, delimiter: options.delimiter ? "/" : undefined, "max-keys": options.maxKeys ?? 1000, "continuation-token": options.continuation },
        {},
      );
      return {
        objects: (r.objects ?? []).map((o) => ({ key: o.name, size: Number(o.size), mtime: Date.parse(o.lastModified) || 0 })),
        prefixes: r.prefixes ?? [],
        next: r.isTruncated ? r.nextContinuationToken : undefined,
      };
    });
  }

  async deleteOne(bucket: string, key: string): Promise<void> {
    await call(() => this.client(bucket).delete(key));
  }

  async deleteMany(bucket: string, keys: string[]): Promise<void> {
    await call(() => this.client(bucket).deleteMulti(keys, { quiet: true }));
  }

  startMultipart(bucket: string, key: string, token: string): Promise<string> {
    return call(async () => (await this.client(bucket).initMultipartUpload(key, { meta: { [TOKEN_META]: token }, mime: "application/octet-stream" } as unknown as OSS.InitMultipartUploadOptions)).uploadId);
  }

  uploadPart(bucket: string, key: string, uploadId: string, partNumber: number, data: Uint8Array): Promise<string> {
    return call(async () => (await this.client(bucket).uploadPart(key, uploadId, partNumber, buffer(data), 0, data.byteLength)).etag);
  }

  copyPart(bucket: string, key: string, uploadId: string, partNumber: number, source: { bucket: string; key: string; start: number; end: number }): Promise<string> {
    return call(async () => {
      const r = await this.client(bucket).uploadPartCopy(key, uploadId, partNumber, `${source.start}-${source.end - 1}`, { sourceKey: source.key, sourceBucketName: source.bucket }, {});
      return r.etag;
    });
  }

  async completeMultipart(bucket: string, key: string, uploadId: string, parts: PartRef[], options: { ifAbsent: boolean }): Promise<void> {
    const list = parts.map((p) => ({ number: p.partNumber, etag: p.etag }));
    await call(() => this.client(bucket).completeMultipartUpload(key, uploadId, list, { headers: options.ifAbsent ? FORBID_OVERWRITE : {} } as OSS.CompleteMultipartUploadOptions));
  }

  async abortMultipart(bucket: string, key: string, uploadId: string): Promise<void> {
    const c = this.client(bucket);
    await call(() => c.abortMultipartUpload(key, uploadId));
    // ali-oss raises its managed-upload cancel flag on abort; nothing here uses it, but reset it anyway
    (c as unknown as { resetCancelFlag?: () => void }).resetCancelFlag?.();
  }

  async close(): Promise<void> {
    this.clients.clear();
    this.agent.destroy();
    this.httpsAgent.destroy();
  }
}

/** FileIO for `oss://bucket/key`. */
export class OssFileIO extends ObjectStoreFileIO {
  constructor(options: OssFileIOOptions) {
    super("oss", ["oss"], new OssStore({ ...options }), [options.accessKeyId, options.accessKeySecret, options.securityToken], options);
  }
}
