#!/usr/bin/env node
/**
 * A loopback Aliyun OSS endpoint for tests, in front of the S3 test server (moto).
 * It speaks OSS where OSS differs from S3 — bucket routing, signature v1 verification,
 * x-oss-* headers, x-oss-forbid-overwrite, OSS error bodies — and forwards everything
 * else as the equivalent S3 request. What it emulates, and what it refuses, is listed in
 * tools/servers/README.md. Plain Node, no dependencies.
 *
 *   node oss-adapter.mjs [--port 19331] [--upstream http://127.0.0.1:19330]
 *   credentials: PAIMON_TS_OSS_ACCESS_KEY_ID / PAIMON_TS_OSS_ACCESS_KEY_SECRET
 *   (default paimon-oss-test-key / paimon-oss-test-secret)
 */
import { createHmac, randomBytes } from "node:crypto";
import { createServer, request as httpRequest } from "node:http";
import { isIP } from "node:net";
import { parseArgs } from "node:util";

const { values: args } = parseArgs({
  options: {
    port: { type: "string", default: process.env.PAIMON_TS_OSS_PORT ?? "19331" },
    upstream: { type: "string", default: process.env.PAIMON_TS_S3_ENDPOINT ?? "http://127.0.0.1:19330" },
  },
});
const ACCESS_KEY_ID = process.env.PAIMON_TS_OSS_ACCESS_KEY_ID ?? "paimon-oss-test-key";
const ACCESS_KEY_SECRET = process.env.PAIMON_TS_OSS_ACCESS_KEY_SECRET ?? "paimon-oss-test-secret";
const UPSTREAM = new URL(args.upstream);
const UPSTREAM_AUTH = "AWS4-HMAC-SHA256 Credential=oss-adapter/20260101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=0";
const MAX_SKEW_MS = 15 * 60 * 1000; // OSS: RequestTimeTooSkewed beyond 15 minutes

// Query parameters OSS signs as sub-resources in v1 (the SDKs' list); all others are not signed.
const SIGNED_SUBRESOURCES = new Set(
  ("acl uploads location cors logging website referer lifecycle delete append tagging objectMeta uploadId partNumber " +
    "security-token position img style styleName replication replicationProgress replicationLocation cname bucketInfo " +
    "comp qos live status vod startTime endTime symlink x-oss-process response-content-type response-content-language " +
    "response-expires response-cache-control response-content-disposition response-content-encoding udf udfName udfImage " +
    "udfId udfImageDesc udfApplication udfApplicationLog restore callback callback-var policy stat encryption versions " +
    "versioning versionId requestPayment x-oss-request-payer sequential inventory inventoryId continuation-token asyncFetch " +
    "worm wormId wormExtend").split(" "),
);
// Query parameters forwarded to S3 as they are: listing (v1 and list-type 2) and multipart.
const FORWARDED_PARAMS = new Set([
  "list-type", "prefix", "delimiter", "marker", "max-keys", "encoding-type", "continuation-token", "start-after", "fetch-owner",
  "uploads", "uploadId", "partNumber", "delete", "key-marker", "upload-id-marker", "max-uploads", "max-parts", "part-number-marker",
]);

const requestId = () => randomBytes(12).toString("hex").toUpperCase();
const xmlEscape = (s) => String(s).replace(/[<>&'"]/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", "'": "&apos;", '"': "&quot;" })[c]);

function errorXml(code, message, id, hostId, extra = {}) {
  const fields = { Code: code, Message: message, RequestId: id, HostId: hostId, ...extra };
  const body = Object.entries(fields).map(([k, v]) => `  <${k}>${xmlEscape(v)}</${k}>`).join("\n");
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Error>\n${body}\n</Error>\n`;
}

/** Bucket and key: virtual-host style (`bucket.host`, as ali-oss sends for IP endpoints) or path style. */
function route(req, url) {
  const host = (req.headers.host ?? "").replace(/:\d+$/, "");
  const path = url.pathname;
  const segments = path.slice(1);
  if (host && !isIP(host) && host !== "localhost" && host.includes(".")) {
    return { bucket: host.slice(0, host.indexOf(".")), key: decodeURIComponent(segments), hostId: host };
  }
  const slash = segments.indexOf("/");
  const bucket = decodeURIComponent(slash < 0 ? segments : segments.slice(0, slash));
  return { bucket, key: slash < 0 ? "" : decodeURIComponent(segments.slice(slash + 1)), hostId: host };
}

/** OSS signature v1 string-to-sign: VERB, Content-MD5, Content-Type, date, x-oss-* headers, resource. */
function stringToSign(req, url, bucket, key) {
  const h = req.headers;
  const ossHeaders = Object.keys(h)
    .filter((k) => k.startsWith("x-oss-"))
    .sort()
    .map((k) => `${k}:${String(h[k]).trim()}\n`)
    .join("");
  let resource = bucket ? `/${bucket}/${key}` : "/";
  const sub = [...url.searchParams.keys()].filter((k) => SIGNED_SUBRESOURCES.has(k)).sort();
  if (sub.length > 0) {
    resource += "?" + sub.map((k) => (url.searchParams.get(k) ? `${k}=${url.searchParams.get(k)}` : k)).join("&");
  }
  // ali-oss puts the date in x-oss-date (signed in the Date slot); plain clients send Date
  const date = h["x-oss-date"] ?? h.date ?? "";
  return { text: [req.method, h["content-md5"] ?? "", h["content-type"] ?? "", date].join("\n") + "\n" + ossHeaders + resource, date };
}

/** Returns an OSS error ({status, code, message, extra}) or undefined when the request is authentic. */
function verify(req, url, bucket, key) {
  const auth = req.headers.authorization;
  if (!auth) return { status: 403, code: "AccessDenied", message: "You have no right to access this object because of bucket acl." };
  const m = /^OSS ([^:]+):(.+)$/.exec(auth);
  if (!m) {
    const v4 = auth.startsWith("OSS4-HMAC-SHA256");
    return { status: v4 ? 501 : 400, code: v4 ? "NotImplemented" : "InvalidArgument", message: v4 ? "this test adapter verifies OSS signature v1 only" : "Authorization header is invalid." };
  }
  const [, ak, provided] = m;
  if (ak !== ACCESS_KEY_ID) return { status: 403, code: "InvalidAccessKeyId", message: "The OSS Access Key Id you provided does not exist in our records.", extra: { OSSAccessKeyId: ak } };
  const { text, date } = stringToSign(req, url, bucket, key);
  const expected = createHmac("sha1", ACCESS_KEY_SECRET).update(Buffer.from(text, "utf8")).digest("base64");
  if (expected !== provided) {
    return {
      status: 403,
      code: "SignatureDoesNotMatch",
      message: "The request signature we calculated does not match the signature you provided. Check your key and signing method.",
      extra: { OSSAccessKeyId: ak, SignatureProvided: provided, StringToSign: text },
    };
  }
  const t = Date.parse(date);
  if (Number.isNaN(t) || Math.abs(Date.now() - t) > MAX_SKEW_MS) {
    return { status: 403, code: "RequestTimeTooSkewed", message: "The difference between the request time and the current time is too large." };
  }
  return undefined;
}

/** The S3 request for an OSS request, or an OSS error for what is not emulated. */
function translate(req, url, bucket, key) {
  const h = req.headers;
  const params = [...url.searchParams.keys()];
  const unsupported = params.filter((p) => !FORWARDED_PARAMS.has(p));
  if (unsupported.length > 0) return { error: { status: 501, code: "NotImplemented", message: `not emulated by the test adapter: ?${unsupported.join("&")}` } };
  const forbidOverwrite = String(h["x-oss-forbid-overwrite"] ?? "").toLowerCase() === "true";
  const isCopy = h["x-oss-copy-source"] !== undefined;
  const isComplete = req.method === "POST" && url.searchParams.has("uploadId");
  if (forbidOverwrite && isCopy && !url.searchParams.has("uploadId")) {
    // moto ignores If-None-Match on CopyObject, so this could not be made atomic here
    return { error: { status: 501, code: "NotImplemented", message: "x-oss-forbid-overwrite on CopyObject is not emulated by the test adapter" } };
  }
  // moto (without IAM auth) never verifies S3 signatures, but treats a request without an
  // Authorization header as anonymous and applies object ACLs: present a well-formed one
  const headers = { host: UPSTREAM.host, authorization: UPSTREAM_AUTH };
  for (const [k, v] of Object.entries(h)) {
    if (["content-type", "content-md5", "range", "if-match", "if-none-match", "if-modified-since", "if-unmodified-since"].includes(k)) headers[k] = v;
    else if (k.startsWith("x-oss-meta-")) headers[`x-amz-meta-${k.slice(11)}`] = v;
    else if (k === "x-oss-copy-source") headers["x-amz-copy-source"] = v;
    else if (k.startsWith("x-oss-copy-source-")) headers[`x-amz-copy-source-${k.slice(18)}`] = v;
  }
  // create-only: S3's conditional write, which the S3 test server applies atomically
  if (forbidOverwrite && ((req.method === "PUT" && !isCopy && !url.searchParams.has("uploadId")) || isComplete)) headers["if-none-match"] = "*";
  const encodedKey = key.split("/").map(encodeURIComponent).join("/");
  const path = key ? `/${encodeURIComponent(bucket)}/${encodedKey}` : `/${encodeURIComponent(bucket)}`;
  return { path: path + url.search, headers, forbidOverwrite };
}

function forward(method, path, headers, body) {
  return new Promise((resolve, reject) => {
    const up = httpRequest(
      { host: UPSTREAM.hostname, port: UPSTREAM.port, method, path, headers: { ...headers, "content-length": String(body.length) } },
      (r) => {
        const chunks = [];
        r.on("data", (c) => chunks.push(c));
        r.on("end", () => resolve({ status: r.statusCode ?? 502, headers: r.headers, body: Buffer.concat(chunks) }));
        r.on("error", reject);
      },
    );
    up.on("error", reject);
    up.end(body);
  });
}

/** The OSS response for an S3 response: x-oss-* headers, OSS error bodies and codes. */
function respond(res, req, up, ctx) {
  const headers = { "x-oss-request-id": ctx.id, server: "AliyunOSS" };
  for (const [k, v] of Object.entries(up.headers)) {
    if (k.startsWith("x-amz-meta-")) headers[`x-oss-meta-${k.slice(11)}`] = v;
    else if (["content-type", "content-range", "etag", "last-modified", "accept-ranges"].includes(k)) headers[k] = v;
  }
  let body = up.body;
  let status = up.status;
  const text = body.toString("utf8");
  if (status >= 300 && status !== 304) {
    let code = /<Code>([^<]*)<\/Code>/.exec(text)?.[1] ?? (status === 404 ? "NoSuchKey" : "UnknownError");
    let message = /<Message>([^<]*)<\/Message>/.exec(text)?.[1] ?? `HTTP ${status}`;
    if (status === 412 && ctx.forbidOverwrite) {
      status = 409;
      code = "FileAlreadyExists";
      message = "The object you specified already exists and can not be overwritten.";
    }
    body = Buffer.from(errorXml(code, message, ctx.id, ctx.hostId));
    headers["content-type"] = "application/xml";
    // OSS answers HEAD errors without a body, with the error in x-oss-err
    if (req.method === "HEAD") headers["x-oss-err"] = body.toString("base64");
  } else if (/<CopyPartResult|<CopyObjectResult/.test(text)) {
    // ali-oss reads a copied part's ETag from the response header, as OSS sends it
    const etag = /<ETag>([^<]*)<\/ETag>/.exec(text)?.[1];
    if (etag) headers.etag = etag.replace(/&quot;/g, '"');
  } else if (/<ListBucketResult/.test(text) && /<IsTruncated>true<\/IsTruncated>/.test(text) && !/<NextMarker>/.test(text) && !/<KeyCount>/.test(text)) {
    // S3 v1 listings name NextMarker only with a delimiter; OSS always does
    const keys = [...text.matchAll(/<Key>([^<]*)<\/Key>|<Prefix>([^<]*)<\/Prefix>/g)].map((m) => m[1] ?? m[2]).filter(Boolean);
    const last = keys.sort().at(-1);
    if (last) body = Buffer.from(text.replace("</ListBucketResult>", `<NextMarker>${last}</NextMarker></ListBucketResult>`));
  }
  headers["content-length"] = String(req.method === "HEAD" ? (up.headers["content-length"] ?? 0) : body.length);
  res.writeHead(status, headers);
  res.end(req.method === "HEAD" ? undefined : body);
  return status;
}

async function handle(req, res, body) {
  const url = new URL(req.url ?? "/", "http://adapter");
  const { bucket, key, hostId } = route(req, url);
  const id = requestId();
  const fail = (e) => {
    const xml = errorXml(e.code, e.message, id, hostId, e.extra);
    res.writeHead(e.status, { "content-type": "application/xml", "x-oss-request-id": id, server: "AliyunOSS", ...(req.method === "HEAD" ? { "x-oss-err": Buffer.from(xml).toString("base64") } : {}) });
    res.end(req.method === "HEAD" ? undefined : xml);
    return e.status;
  };
  const authError = verify(req, url, bucket, key);
  if (authError) return fail(authError);
  if (!bucket) return fail({ status: 501, code: "NotImplemented", message: "service-level requests are not emulated" });
  const t = translate(req, url, bucket, key);
  if (t.error) return fail(t.error);
  // CreateBucket: OSS's body (storage class, redundancy) has no S3 counterpart here
  const upstreamBody = req.method === "PUT" && !key && url.search === "" ? Buffer.alloc(0) : body;
  const up = await forward(req.method, t.path, t.headers, upstreamBody);
  return respond(res, req, up, { id, hostId, forbidOverwrite: t.forbidOverwrite });
}

const server = createServer((req, res) => {
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", () => {
    handle(req, res, Buffer.concat(chunks))
      .then((status) => console.log(`${new Date().toISOString()} ${req.method} ${req.headers.host} ${req.url} ${status}`))
      .catch((e) => {
        console.log(`${new Date().toISOString()} ${req.method} ${req.url} upstream error: ${e.message}`);
        if (!res.headersSent) {
          res.writeHead(503, { "content-type": "application/xml" });
          res.end(errorXml("ServiceUnavailable", "upstream S3 server unavailable", requestId(), ""));
        } else res.destroy();
      });
  });
});
server.listen(Number(args.port), "127.0.0.1", () => {
  console.log(`oss-adapter: OSS on http://127.0.0.1:${args.port} -> S3 ${UPSTREAM.origin}`);
});
for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => server.close(() => process.exit(0)));
