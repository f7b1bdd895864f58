/**
 * AWS Signature Version 4 for S3, both sides: `signV4` signs a request (bucket setup), and
 * `verifyV4` checks one the way S3 does. moto accepts any signature, so the secrets test
 * puts `AuthProxy` (fault-proxy.ts) in front of it with `verifyV4` to get AWS's real
 * answers to wrong credentials: 403 InvalidAccessKeyId and 403 SignatureDoesNotMatch,
 * whose body carries the key id, the string to sign and the canonical request, as AWS's
 * does. The secret itself never crosses the wire; it can only leak on the client side.
 */
import { createHash, createHmac } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";

const ALGORITHM = "AWS4-HMAC-SHA256";

const sha256Hex = (data: string | Uint8Array) => createHash("sha256").update(data).digest("hex");
const hmac = (key: string | Buffer, data: string) => createHmac("sha256", key).update(data).digest();

/** RFC 3986 percent-encoding, as SigV4 wants it (unreserved characters kept). */
function uriEncode(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** The canonical query string: every parameter decoded, re-encoded strictly, sorted. */
function canonicalQuery(rawQuery: string): string {
  if (rawQuery === "") return "";
  const pairs = rawQuery
    .split("&")
    .filter((p) => p !== "")
    .map((p) => {
      const i = p.indexOf("=");
      const k = decodeURIComponent((i < 0 ? p : p.slice(0, i)).replace(/\+/g, "%20"));
      const v = i < 0 ? "" : decodeURIComponent(p.slice(i + 1).replace(/\+/g, "%20"));
      return [uriEncode(k), uriEncode(v)] as const;
    });
  pairs.sort(([ka, va], [kb, vb]) => (ka < kb ? -1 : ka > kb ? 1 : va < vb ? -1 : va > vb ? 1 : 0));
  return pairs.map(([k, v]) => `${k}=${v}`).join("&");
}

function headerValue(headers: IncomingHttpHeaders | Record<string, string>, name: string): string {
  const v = (headers as Record<string, string | string[] | undefined>)[name];
  return (Array.isArray(v) ? v.join(",") : (v ?? "")).trim().replace(/\s+/g, " ");
}

export interface CanonicalInput {
  method: string;
  /** The path exactly as sent (S3 does not normalize or re-encode it). */
  path: string;
  rawQuery: string;
  headers: IncomingHttpHeaders | Record<string, string>;
  signedHeaders: string[];
  payloadHash: string;
}

export function canonicalRequest(c: CanonicalInput): string {
  const headerLines = c.signedHeaders.map((h) => `${h}:${headerValue(c.headers, h)}\n`).join("");
  return [c.method, c.path, canonicalQuery(c.rawQuery), headerLines, c.signedHeaders.join(";"), c.payloadHash].join("\n");
}

function signingKey(secret: string, date: string, region: string, service: string): Buffer {
  return hmac(hmac(hmac(hmac(`AWS4${secret}`, date), region), service), "aws4_request");
}

function stringToSign(amzDate: string, scope: string, canonical: string): string {
  return `${ALGORITHM}\n${amzDate}\n${scope}\n${sha256Hex(canonical)}`;
}

export interface SignInput {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body: Uint8Array;
  region: string;
  service: string;
  accessKeyId: string;
  secretAccessKey: string;
  now?: Date;
}

/** The headers to send for a SigV4-signed request (host, x-amz-date, x-amz-content-sha256, authorization). */
export function signV4(s: SignInput): Record<string, string> {
  const amzDate = (s.now ?? new Date()).toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
  const date = amzDate.slice(0, 8);
  const payloadHash = sha256Hex(s.body);
  const headers: Record<string, string> = { ...s.headers, host: s.url.host, "x-amz-date": amzDate, "x-amz-content-sha256": payloadHash };
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  const signed = Object.keys(lower).sort();
  const scope = `${date}/${s.region}/${s.service}/aws4_request`;
  const canonical = canonicalRequest({ method: s.method, path: s.url.pathname, rawQuery: s.url.search.slice(1), headers: lower, signedHeaders: signed, payloadHash });
  const signature = createHmac("sha256", signingKey(s.secretAccessKey, date, s.region, s.service)).update(stringToSign(amzDate, scope, canonical)).digest("hex");
  const { host: _host, ...rest } = headers;
  return { ...rest, authorization: `${ALGORITHM} Credential=${s.accessKeyId}/${scope}, SignedHeaders=${signed.join(";")}, Signature=${signature}` };
}

export type Verdict =
  | { ok: true; accessKeyId: string }
  | { ok: false; status: 403; code: "AccessDenied" | "InvalidAccessKeyId" | "SignatureDoesNotMatch"; message: string; accessKeyId?: string; stringToSign?: string; canonicalRequest?: string; signatureProvided?: string };

/**
 * Checks a request's SigV4 header signature against the one key pair the server knows.
 * The payload hash is taken from `x-amz-content-sha256` as signed (S3 checks the body
 * against it separately; here the upstream server receives the body unchanged).
 */
export function verifyV4(req: { method: string; url: string; headers: IncomingHttpHeaders }, known: { accessKeyId: string; secretAccessKey: string }): Verdict {
  const auth = headerValue(req.headers, "authorization");
  if (auth === "") return { ok: false, status: 403, code: "AccessDenied", message: "Access Denied" };
  const m = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/.exec(auth);
  if (!m) return { ok: false, status: 403, code: "AccessDenied", message: "Unsupported Authorization header" };
  const [, keyId, date, region, service, signedList, signature] = m;
  if (keyId !== known.accessKeyId) {
    return { ok: false, status: 403, code: "InvalidAccessKeyId", message: "The AWS Access Key Id you provided does not exist in our records.", accessKeyId: keyId };
  }
  const q = req.url.indexOf("?");
  const canonical = canonicalRequest({
    method: req.method,
    path: q < 0 ? req.url : req.url.slice(0, q),
    rawQuery: q < 0 ? "" : req.url.slice(q + 1),
    headers: req.headers,
    signedHeaders: signedList.split(";"),
    payloadHash: headerValue(req.headers, "x-amz-content-sha256") || "UNSIGNED-PAYLOAD",
  });
  const toSign = stringToSign(headerValue(req.headers, "x-amz-date"), `${date}/${region}/${service}/aws4_request`, canonical);
  const expected = createHmac("sha256", signingKey(known.secretAccessKey, date, region, service)).update(toSign).digest("hex");
  if (expected === signature) return { ok: true, accessKeyId: keyId };
  return {
    ok: false,
    status: 403,
    code: "SignatureDoesNotMatch",
    message: "The request signature we calculated does not match the signature you provided. Check your key and signing method.",
    accessKeyId: keyId,
    stringToSign: toSign,
    canonicalRequest: canonical,
    signatureProvided: signature,
  };
}

const xml = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** S3's XML error body for a failed verification (what AWS sends, key id included). */
export function verdictXml(v: Exclude<Verdict, { ok: true }>, requestId: string): string {
  const extra = [
    v.accessKeyId !== undefined ? `<AWSAccessKeyId>${xml(v.accessKeyId)}</AWSAccessKeyId>` : "",
    v.stringToSign !== undefined ? `<StringToSign>${xml(v.stringToSign)}</StringToSign>` : "",
    v.signatureProvided !== undefined ? `<SignatureProvided>${xml(v.signatureProvided)}</SignatureProvided>` : "",
    v.canonicalRequest !== undefined ? `<CanonicalRequest>${xml(v.canonicalRequest)}</CanonicalRequest>` : "",
  ].join("");
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${v.code}</Code><Message>${xml(v.message)}</Message>${extra}<RequestId>${requestId}</RequestId><HostId>storage-e2e</HostId></Error>`;
}
