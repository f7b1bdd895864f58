/**
 * S3 (and S3-compatible) FileIO on @aws-sdk/client-s3. The SDK's own retries are off:
 * a blind retry of a conditional PUT whose first attempt landed would report the file
 * as someone else's, so retrying is the object-store layer's job.
 */
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
  UploadPartCopyCommand,
  type S3ClientConfig,
} from "@aws-sdk/client-s3";
import { ObjectStoreFileIO, StoreError, type Failure, type ListPage, type ObjectFileIOOptions, type ObjectMeta, type ObjectStore, type PartRef } from "@paimon-ts/fileio";

export interface S3FileIOOptions extends ObjectFileIOOptions {
  /** e.g. `http://127.0.0.1:19330` for an S3-compatible server; AWS when absent. */
  endpoint?: string;
  /** Default: AWS_REGION, else us-east-1. */
  region?: string;
  /** Static credentials; when absent the SDK's default provider chain is used (env, profile, IMDS…). */
  accessKeyId?: string;
  secretAccessKey?: string;
  sessionToken?: string;
  /** Path-style URLs (`endpoint/bucket/key`), which most S3-compatible servers need. */
  forcePathStyle?: boolean;
  /** Per-request timeout in ms (default 60,000) and connect timeout (default 10,000). */
  requestTimeoutMs?: number;
  connectTimeoutMs?: number;
}

const TOKEN_META = "paimon-token";
const THROTTLE_CODES = new Set(["SlowDown", "Throttling", "ThrottlingException", "RequestLimitExceeded", "TooManyRequests", "TooManyRequestsException"]);
// errors raised before a request reached the server
const NOT_SENT = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH"]);

interface SdkError {
  name?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
}

function classify(e: unknown): StoreError {
  const err = (e ?? {}) as SdkError;
  const status = err.$metadata?.httpStatusCode;
  const code = err.name ?? "Error";
  const text = `${code}${status ? ` (HTTP ${status})` : ""}: ${err.message ?? ""}`.trim();
  let failure: Failure;
  if (status === undefined || status === 0) {
    // no HTTP response: a network error or timeout, or else a client-side exception
    // the SDK may wrap a system error ("AWS SDK error wrapper for Error: connect ECONNREFUSED …")
    const sys = err.code ?? /\b(E[A-Z]{3,})\b/.exec(err.message ?? "")?.[1] ?? "";
    const network = /^E[A-Z]+$/.test(sys) || code === "TimeoutError" || code === "RequestTimeout" || /socket hang up/i.test(err.message ?? "");
    const connectTimeout = code === "TimeoutError" && /without establishing a connection/i.test(err.message ?? "");
    failure = !network ? "fatal" : NOT_SENT.has(sys) || connectTimeout ? "not-sent" : "ambiguous";
  } else if (status === 412 || code === "PreconditionFailed") failure = "exists";
  else if (status === 409 && (code === "ConditionalRequestConflict" || code === "OperationAborted")) failure = "conflict";
  else if (status === 429 || THROTTLE_CODES.has(code)) failure = "throttled";
  else if (status === 404) failure = "not-found";
  else if (status === 416) failure = "invalid-range";
  else if (status === 401 || status === 403) failure = "permission";
  else if (status >= 500) failure = "ambiguous";
  else if (status === 408 || code === "RequestTimeout") failure = "ambiguous";
  else failure = "fatal";
  return new StoreError(failure, text);
}

async function call<T>(f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    throw classify(e);
  }
}

/** `x-amz-copy-source`: bucket/key with the key URL-encoded (slashes kept). */
function copySource(bucket: string, key: string): string {
  return `${bucket}/${encodeURIComponent(key).replace(/%2F/g, "/")}`;
}

class S3Store implements ObjectStore {
  constructor(private readonly client: S3Client) {}

  get(bucket: string, key: string, range?: { start: number; end: number }): Promise<Uint8Array> {
    return call(async () => {
      const r = await this.client.send(
        new GetObjectCommand({ Bucket: bucket, Key: key, Range: range ? `bytes=${range.start}-${range.end - 1}` : undefined }),
      );
      return r.Body ? await r.Body.transformToByteArray() : new Uint8Array(0);
    });
  }

  head(bucket: string, key: string): Promise<ObjectMeta> {
    return call(async () => {
      const r = await this.client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
      return { size: r.ContentLength ?? 0, mtime: r.LastModified?.getTime() ?? 0, token: r.Metadata?.[TOKEN_META] };
    });
  }

  async put(bucket: string, key: string, data: Uint8Array, options: { ifAbsent: boolean; token?: string }): Promise<void> {
    await call(() =>
      this.client.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: data,
          ContentLength: data.byteLength,
          IfNoneMatch: options.ifAbsent ? "*" : undefined,
          Metadata: options.token ? { [TOKEN_META]: options.token } : undefined,
        }),
      ),
    );
  }

  list(bucket: string, prefix: string, options: { delimiter: boolean; continuation?: string; maxKeys?: number }): Promise<ListPage> {
    return call(async () => {
      const r = await this.client.send(
        new ListObjectsV2Command({
          Bucket: bucket,
          Prefix: prefix,
          Delimiter: options.delimiter ? "/" : undefined,
          ContinuationToken: options.continuation,
          MaxKeys: options.maxKeys,
        }),
      );
      return {
        objects: (r.Contents ?? []).map((o) => ({ key: o.Key ?? "", size: o.Size ?? 0, mtime: o.LastModified?.getTime() ?? 0 })),
        prefixes: (r.CommonPrefixes ?? []).map((p) => p.Prefix ?? "").filter((p) => p !== ""),
        next: r.IsTruncated ? r.NextContinuationToken : undefined,
      };
    });
  }

  async deleteOne(bucket: string, key: string): Promise<void> {
    await call(() => this.client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key })));
  }

  async deleteMany(bucket: string, keys: string[]): Promise<void> {
    const r = await call(() =>
      this.client.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys.map((Key) => ({ Key })), Quiet: true } })),
    );
    const failed = (r.Errors ?? []).filter((e) => e.Code !== "NoSuchKey");
    if (failed.length > 0) {
      const first = failed[0];
      const failure: Failure = first.Code === "AccessDenied" ? "permission" : first.Code === "SlowDown" || first.Code === "InternalError" ? "ambiguous" : "fatal";
      throw new StoreError(failure, `DeleteObjects: ${failed.length} key(s) not deleted, first ${first.Key}: ${first.Code} ${first.Message ?? ""}`);
    }
  }

  startMultipart(bucket: string, key: string, token: string): Promise<string> {
    return call(async () => {
      const r = await this.client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key, Metadata: { [TOKEN_META]: token } }));
      if (!r.UploadId) throw new StoreError("fatal", "CreateMultipartUpload returned no UploadId");
      return r.UploadId;
    });
  }

  uploadPart(bucket: string, key: string, uploadId: string, partNumber: number, data: Uint8Array): Promise<string> {
    return call(async () => {
      const r = await this.client.send(
        new UploadPartCommand({ Bucket: bucket, Key: key, UploadId: uploadId, PartNumber: partNumber, Body: data, ContentLength: data.byteLength }),
      );
      return r.ETag ?? "";
    });
  }

  copyPart(bucket: string, key: string, uploadId: string, partNumber: number, source: { bucket: string; key: string; start: number; end: number }): Promise<string> {
    return call(async () => {
      const r = await this.client.send(
        new UploadPartCopyCommand({
          Bucket: bucket,
          Key: key,
          UploadId: uploadId,
          PartNumber: partNumber,
          CopySource: copySource(source.bucket, source.key),
          CopySourceRange: `bytes=${source.start}-${source.end - 1}`,
        }),
      );
      return r.CopyPartResult?.ETag ?? "";
    });
  }

  async completeMultipart(bucket: string, key: string, uploadId: string, parts: PartRef[], options: { ifAbsent: boolean }): Promise<void> {
    await call(() =>
      this.client.send(
        new CompleteMultipartUploadCommand({
          Bucket: bucket,
          Key: key,
          UploadId: uploadId,
          MultipartUpload: { Parts: parts.map((p) => ({ PartNumber: p.partNumber, ETag: p.etag })) },
          IfNoneMatch: options.ifAbsent ? "*" : undefined,
        }),
      ),
    );
  }

  async abortMultipart(bucket: string, key: string, uploadId: string): Promise<void> {
    await call(() => this.client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId })));
  }

  async close(): Promise<void> {
    this.client.destroy();
  }
}

/** FileIO for `s3://bucket/key` and `s3a://bucket/key`. */
export class S3FileIO extends ObjectStoreFileIO {
  constructor(options: S3FileIOOptions = {}, scheme: "s3" | "s3a" = "s3") {
    const config: S3ClientConfig = {
      region: options.region ?? process.env.AWS_REGION ?? "us-east-1",
      endpoint: options.endpoint,
      forcePathStyle: options.forcePathStyle,
      maxAttempts: 1,
      // without throwOnRequestTimeout the smithy handler only warns and keeps waiting, so a
      // stalled request would hang the writer instead of being retried
      requestHandler: { requestTimeout: options.requestTimeoutMs ?? 60_000, throwOnRequestTimeout: true, connectionTimeout: options.connectTimeoutMs ?? 10_000 },
    };
    if (options.accessKeyId !== undefined || options.secretAccessKey !== undefined) {
      config.credentials = {
        accessKeyId: options.accessKeyId ?? "",
        secretAccessKey: options.secretAccessKey ?? "",
        sessionToken: options.sessionToken,
      };
    }
    super(scheme, ["s3", "s3a"], new S3Store(new S3Client(config)), [options.accessKeyId, options.secretAccessKey, options.sessionToken], options);
  }
}
