/**
 * A small WebHDFS client on node:http: URL building, the NameNode → DataNode
 * redirect, RemoteException → typed errors, NameNode failover and retries with backoff.
 *
 * Every call says how it may be retried. A failure is either *safe* (the server did not
 * act: connection refused, 503, RetriableException, StandbyException, SafeModeException)
 * or *ambiguous* (the request may have been acted on: a reset or timeout after sending).
 * Safe failures are retried for every operation; ambiguous ones only for operations that
 * are idempotent (`retry: "always"`). For the others the caller gets an
 * {@link AmbiguousRequestError} and resolves it by reading back the state.
 */
import http from "node:http";
import https from "node:https";
import {
  AlreadyExistsError,
  InvalidInputError,
  InvalidPathError,
  NotFoundError,
  PaimonError,
  PermissionError,
  RetryableError,
} from "@paimon-ts/fileio";

export type HttpMethod = "GET" | "PUT" | "POST" | "DELETE";

export interface WebHdfsClientOptions {
  /** WebHDFS base URLs (`http://nn1:9870`); more than one for an HA pair, tried in turn. */
  endpoints: string[];
  /** `user.name` sent with every request (simple authentication). */
  user: string;
  /** Retries after the first attempt (default 6). */
  maxRetries?: number;
  /** First backoff delay, doubled per retry, with jitter (default 200 ms). */
  retryBaseDelayMs?: number;
  /** Cap of one backoff delay (default 5,000 ms). */
  retryMaxDelayMs?: number;
  /** Idle timeout of one HTTP exchange: no byte either way for this long (default 120,000 ms). */
  requestTimeoutMs?: number;
}

export interface WebHdfsRequest {
  method: HttpMethod;
  /** Absolute HDFS path (`/wh/db.db/t/snapshot/snapshot-1`), not yet encoded. */
  path: string;
  /** The caller's spelling of the path (`hdfs://nn:9000/…`), used in errors. */
  label?: string;
  op: string;
  params?: Record<string, string | number | boolean | undefined>;
  /** OPEN, CREATE and APPEND: the NameNode answers 307 to a DataNode, which gets the body. */
  redirect?: boolean;
  body?: Uint8Array;
  /** "always": idempotent, retried after ambiguous failures too; "safe": only after safe ones. */
  retry: "always" | "safe";
}

export interface WebHdfsResponse {
  status: number;
  bytes: Uint8Array;
}

/** The request may or may not have taken effect; the caller must read back the state. */
export class AmbiguousRequestError extends PaimonError {
  override name = "AmbiguousRequestError";
  constructor(message: string, options?: { cause?: unknown }) {
    super("IO", message, { ...options, retryable: false });
  }
}

/** The RemoteException body WebHDFS sends with its error statuses. */
export interface RemoteException {
  exception: string;
  javaClassName?: string;
  message?: string;
}

const RETRIABLE_EXCEPTIONS = new Set([
  "RetriableException",
  "StandbyException",
  "SafeModeException",
  "ObserverRetryOnActiveException",
  "ConnectTimeoutException",
  // lease recovery of a file that was just closed or abandoned: goes away by itself
  "RecoveryInProgressException",
  "AlreadyBeingCreatedException",
]);

/** Exceptions after which another NameNode of an HA pair should be asked. */
const FAILOVER_EXCEPTIONS = new Set(["StandbyException", "ObserverRetryOnActiveException"]);

/** Encodes an absolute HDFS path for the URL: every segment percent-encoded, `/` kept. */
export function encodeHdfsPath(path: string): string {
  return path
    .split("/")
    .map((s) => encodeURIComponent(s))
    .join("/");
}

/** The first line of a RemoteException message (DataNode messages carry stack traces). */
function firstLine(s: string | undefined): string {
  if (!s) return "";
  const nl = s.indexOf("\n");
  return (nl < 0 ? s : s.slice(0, nl)).trim();
}

/**
 * Maps a WebHDFS error answer to the typed errors of paimon-ts. `label` is the caller's
 * path, `op` the WebHDFS operation (with "(DataNode)" for the redirected step).
 */
export function mapRemoteError(status: number, remote: RemoteException | undefined, label: string, op: string): PaimonError {
  const name = remote?.exception ?? "";
  const detail = firstLine(remote?.message);
  const why = `WebHDFS ${op}: ${name || `HTTP ${status}`}${detail ? `: ${detail}` : ""}`;
  if (RETRIABLE_EXCEPTIONS.has(name) || status === 503) return new RetryableError(`${label}: ${why}`);
  switch (name) {
    case "FileNotFoundException":
      return new NotFoundError(label, `not found: ${label} (${why})`);
    case "FileAlreadyExistsException":
      return new AlreadyExistsError(label, `already exists: ${label} (${why})`);
    case "AccessControlException":
      // HDFS reports a path below a *file* ("/a/file/x") as an access-control failure
      // "(is not a directory)": that path does not exist.
      if (/\(is not a directory\)\s*$/.test(detail)) return new NotFoundError(label, `not found: ${label} (${why})`);
      return new PermissionError(label, `permission denied: ${label} (${why})`);
    case "SecurityException":
    case "AuthorizationException":
      return new PermissionError(label, `permission denied: ${label} (${why})`);
    case "ParentNotDirectoryException":
    case "PathIsNotEmptyDirectoryException":
    case "InvalidPathException":
    case "HadoopIllegalArgumentException":
      return new InvalidPathError(`${label}: ${why}`);
    case "IllegalArgumentException":
    case "UnsupportedOperationException":
      return new InvalidInputError(`${label}: ${why}`);
  }
  if (!remote && (status === 401 || status === 403)) return new PermissionError(label, `permission denied: ${label} (${why})`);
  // A RemoteException is the server's definite answer. A gateway's 502/504 is not: worth
  // retrying (when the operation allows it).
  return new PaimonError("IO", `${label}: ${why}`, { retryable: !remote && (status === 502 || status === 504) });
}

interface Failure {
  error: PaimonError;
  /** The server certainly did not act on the request. */
  safe: boolean;
  /** Ask the next NameNode. */
  failover: boolean;
}

/** One HTTP exchange's answer. */
interface Exchange {
  status: number;
  location: string | undefined;
  bytes: Uint8Array;
}

/** A failed HTTP exchange; `sent` is false only when no connection was ever made. */
class TransportError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
    readonly sent: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

function transportFailure(e: unknown, where: string): Failure {
  const t = e instanceof TransportError ? e : new TransportError(String((e as Error)?.message ?? e), (e as { code?: string })?.code, true, { cause: e });
  if (!t.sent) return { error: new RetryableError(`${where}: ${t.message}`, { cause: e }), safe: true, failover: true };
  return { error: new RetryableError(`${where}: ${t.message} (the request may have been processed)`, { cause: e }), safe: false, failover: false };
}

function parseRemote(bytes: Uint8Array): RemoteException | undefined {
  try {
    const j = JSON.parse(new TextDecoder().decode(bytes)) as { RemoteException?: RemoteException };
    return j.RemoteException ?? undefined;
  } catch {
    return undefined;
  }
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export class WebHdfsClient {
  readonly endpoints: string[];
  readonly user: string;
  private current = 0;
  private readonly maxRetries: number;
  private readonly baseDelay: number;
  private readonly maxDelay: number;
  private readonly timeout: number;
  private readonly httpAgent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  private readonly httpsAgent = new https.Agent({ keepAlive: true, maxSockets: 64 });

  constructor(options: WebHdfsClientOptions) {
    if (options.endpoints.length === 0) throw new InvalidInputError("WebHDFS: no endpoint");
    this.endpoints = options.endpoints.map((e) => e.replace(/\/+$/, ""));
    for (const e of this.endpoints) {
      if (!/^https?:\/\/[^/]+$/.test(e)) throw new InvalidInputError(`WebHDFS endpoint must look like http://host:port, got ${JSON.stringify(e)}`);
    }
    this.user = options.user;
    this.maxRetries = options.maxRetries ?? 6;
    this.baseDelay = options.retryBaseDelayMs ?? 200;
    this.maxDelay = options.retryMaxDelayMs ?? 5_000;
    this.timeout = options.requestTimeoutMs ?? 120_000;
  }

  /** The NameNode URL of a request (holds no secret: simple auth sends only user.name). */
  url(endpoint: string, req: Pick<WebHdfsRequest, "path" | "op" | "params">): string {
    const q = new URLSearchParams();
    q.set("op", req.op);
    q.set("user.name", this.user);
    for (const [k, v] of Object.entries(req.params ?? {})) if (v !== undefined) q.set(k, String(v));
    // URLSearchParams writes spaces as '+'; write %20 (a literal '+' is always %2B)
    return `${endpoint}/webhdfs/v1${encodeHdfsPath(req.path)}?${q.toString().replace(/\+/g, "%20")}`;
  }

  /** Closes pooled connections. */
  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }

  /** Runs one WebHDFS operation with retries; returns the final response's bytes. */
  async call(req: WebHdfsRequest): Promise<WebHdfsResponse> {
    const where = `WebHDFS ${req.op} ${req.label ?? req.path}`;
    let last: Failure | undefined;
    for (let attempt = 0; attempt <= this.maxRetries; attempt++) {
      if (attempt > 0) {
        const d = Math.min(this.maxDelay, this.baseDelay * 2 ** (attempt - 1));
        await sleep(d / 2 + Math.random() * (d / 2));
      }
      const endpoint = this.endpoints[this.current % this.endpoints.length];
      const result = await this.attempt(endpoint, req, where);
      if (!("error" in result)) return result;
      last = result;
      if (result.failover && this.endpoints.length > 1 && this.endpoints[this.current % this.endpoints.length] === endpoint) {
        this.current = (this.current + 1) % this.endpoints.length;
      }
      if (!result.error.isRetryable) throw result.error;
      if (!result.safe && req.retry !== "always") {
        throw new AmbiguousRequestError(`outcome unknown: ${result.error.message}`, { cause: result.error });
      }
    }
    const e = last!.error;
    throw new RetryableError(`${e.message} (gave up after ${this.maxRetries + 1} attempts)`, { cause: e });
  }

  private async attempt(endpoint: string, req: WebHdfsRequest, where: string): Promise<WebHdfsResponse | Failure> {
    let res: Exchange;
    try {
      // a redirecting operation sends its body to the DataNode only
      res = await this.exchange(this.url(endpoint, req), req.method, req.redirect ? undefined : req.body);
    } catch (e) {
      const f = transportFailure(e, where);
      // The NameNode step of OPEN/CREATE/APPEND only picks a DataNode: never ambiguous.
      return req.redirect || req.method === "GET" ? { ...f, safe: true } : f;
    }
    if (req.redirect && res.status === 307) {
      if (!res.location) return { error: new PaimonError("IO", `${where}: 307 without a Location`), safe: true, failover: false };
      try {
        const dataNode = new URL(res.location, endpoint).toString();
        res = await this.exchange(dataNode, req.method, req.method === "GET" ? undefined : (req.body ?? new Uint8Array(0)));
      } catch (e) {
        const f = transportFailure(e, `${where} (DataNode)`);
        // reads change nothing
        return { ...f, safe: f.safe || req.method === "GET", failover: false };
      }
      return this.finish(res, req, where, true);
    }
    return this.finish(res, req, where, false);
  }

  private finish(res: Exchange, req: WebHdfsRequest, where: string, fromDataNode: boolean): WebHdfsResponse | Failure {
    if (res.status >= 200 && res.status < 300) return { status: res.status, bytes: res.bytes };
    if (res.status === 307) {
      return { error: new PaimonError("IO", `${where}: unexpected redirect to ${res.location ?? "nowhere"}`), safe: true, failover: false };
    }
    const remote = parseRemote(res.bytes);
    const error = mapRemoteError(res.status, remote, req.label ?? req.path, fromDataNode ? `${req.op} (DataNode)` : req.op);
    const name = remote?.exception ?? "";
    // A retriable rejection happened before any change (and reads change nothing).
    const safe = RETRIABLE_EXCEPTIONS.has(name) || res.status === 503 || req.method === "GET";
    return { error, safe, failover: !fromDataNode && (FAILOVER_EXCEPTIONS.has(name) || res.status === 503) };
  }

  /**
   * One HTTP exchange on node:http. (Not `fetch`: the DataNode answers every PUT/POST
   * with an unsolicited `100 Continue` before the real status, which undici rejects as
   * "bad response"; node:http reads past 1xx answers as HTTP/1.1 requires.)
   */
  private exchange(url: string, method: HttpMethod, body: Uint8Array | undefined): Promise<Exchange> {
    return new Promise<Exchange>((resolve, reject) => {
      const u = new URL(url);
      const tls = u.protocol === "https:";
      let connected = false;
      let settled = false;
      const headers: Record<string, string | number> = {};
      if (body !== undefined) {
        headers["content-type"] = "application/octet-stream";
        headers["content-length"] = body.byteLength;
      } else if (method === "PUT" || method === "POST") {
        headers["content-length"] = 0;
      }
      const req = (tls ? https : http).request(u, { method, agent: tls ? this.httpsAgent : this.httpAgent, headers });
      const fail = (message: string, code: string | undefined, cause?: unknown) => {
        if (settled) return;
        settled = true;
        req.destroy();
        reject(new TransportError(message, code, connected, { cause }));
      };
      // "sent" = a connection existed: a kept-alive one, or a new one that got through
      req.on("socket", (s) => {
        if (req.reusedSocket) connected = true;
        else s.once(tls ? "secureConnect" : "connect", () => (connected = true));
      });
      req.setTimeout(this.timeout, () => fail(`no answer for ${this.timeout} ms`, "ETIMEDOUT"));
      req.on("error", (e: NodeJS.ErrnoException) => fail(e.code ?? e.message, e.code, e));
      req.on("response", (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("error", (e: NodeJS.ErrnoException) => fail(`answer cut off: ${e.code ?? e.message}`, e.code, e));
        res.on("close", () => {
          if (!res.complete) fail("answer cut off", "ECONNRESET");
        });
        res.on("end", () => {
          if (settled) return;
          settled = true;
          const b = Buffer.concat(chunks);
          resolve({ status: res.statusCode ?? 0, location: res.headers.location, bytes: new Uint8Array(b.buffer, b.byteOffset, b.byteLength) });
        });
      });
      req.end(body);
    });
  }

  /** Runs an operation answering `{"boolean": b}` and returns b. */
  async callBoolean(req: WebHdfsRequest): Promise<boolean> {
    const r = await this.call(req);
    const j = parseJson(r.bytes, { op: req.op, path: req.label ?? req.path });
    if (typeof (j as { boolean?: unknown }).boolean !== "boolean") {
      throw new PaimonError("IO", `WebHDFS ${req.op} ${req.label ?? req.path}: expected {"boolean": …}, got ${truncate(new TextDecoder().decode(r.bytes))}`);
    }
    return (j as { boolean: boolean }).boolean;
  }

  async callJson<T>(req: WebHdfsRequest): Promise<T> {
    const r = await this.call(req);
    return parseJson(r.bytes, { op: req.op, path: req.label ?? req.path }) as T;
  }
}

function truncate(s: string): string {
  return s.length > 200 ? `${s.slice(0, 200)}…` : s;
}

export function parseJson(bytes: Uint8Array, req: Pick<WebHdfsRequest, "op" | "path">): unknown {
  const text = new TextDecoder().decode(bytes);
  try {
    return JSON.parse(text);
  } catch {
    throw new PaimonError("IO", `WebHDFS ${req.op} ${req.path}: not JSON: ${truncate(text)}`);
  }
}
