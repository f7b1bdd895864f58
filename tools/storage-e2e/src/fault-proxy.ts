/**
 * A loopback HTTP proxy in front of a test server that misbehaves on purpose:
 *
 * * `chaos`: random faults drawn from a seeded generator, at given rates, on every
 *   matching request: 503 SlowDown without forwarding, a connection reset before
 *   forwarding, a reset after the server applied the request (the response is lost),
 *   a 500 after the server applied it, and delays. At most `maxConsecutive` faults in a
 *   row hit the same method + path, so a client with a few retries always gets through.
 * * `rules`: targeted faults for given requests (e.g. the PUT of `snapshot-3`), spent one
 *   per matching request, or for the first `times` matches.
 * * `gate`: an answer instead of forwarding (e.g. a SigV4 check answering 403).
 *
 * Request bodies are read completely before anything else happens, so a delayed request
 * still reaches the server after its client gave up (a late "zombie" write), as on a
 * real network.
 */
import { request as httpRequest, createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface ProxiedRequest {
  method: string;
  /** Path and query as sent. */
  url: string;
  /** The path without the query. */
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
}

export type Fault =
  /** 503 SlowDown (S3's throttling answer) without forwarding. */
  | { kind: "slow-down" }
  /** Drop the connection without forwarding. */
  | { kind: "reset-before" }
  /** Forward, let the server apply the request, then drop the connection: the answer is lost. */
  | { kind: "reset-after" }
  /** Forward, let the server apply the request, then answer 500 InternalError. */
  | { kind: "error-after" }
  /** Wait, then forward normally (beyond the client's timeout: a late write). */
  | { kind: "delay"; ms: number };

export type FaultKind = Fault["kind"];

export interface Rule {
  name: string;
  match: (r: ProxiedRequest) => boolean;
  /** Spent in order, one per matching request. */
  faults: Fault[];
  /** Instead: apply `faults[0]` to the first `times` matching requests. */
  times?: number;
  /** Instead: apply `faults[0]` to every matching request for `forMs` after the first one. */
  forMs?: number;
  /** When a `forMs` rule was first matched, and how often it applied. */
  startedAt?: number;
  applied?: number;
}

export interface Chaos {
  seed: number;
  /** Probability per request of each fault kind (their sum at most 1). */
  rates: Partial<Record<FaultKind, number>>;
  /** Delay range for `delay` faults (default 20–200 ms). */
  delayMs?: [number, number];
  /** Which requests may be hit (default: all). */
  match?: (r: ProxiedRequest) => boolean;
  /** Most faults in a row on one method + path (default 2). */
  maxConsecutive?: number;
}

export interface GateAnswer {
  status: number;
  body: string;
  headers?: Record<string, string>;
}

export interface LogEntry {
  method: string;
  path: string;
  query: string;
  fault?: string;
  status?: number;
  forwarded: boolean;
}

/** mulberry32: a small deterministic generator. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SLOW_DOWN_XML = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message><RequestId>fault-proxy</RequestId></Error>`;
const INTERNAL_XML = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>InternalError</Code><Message>We encountered an internal error. Please try again.</Message><RequestId>fault-proxy</RequestId></Error>`;

export class FaultProxy {
  readonly rules: Rule[] = [];
  readonly log: LogEntry[] = [];
  /** Faults applied, by kind and by source (`chaos:<kind>` or `rule:<name>`). */
  readonly counts = new Map<string, number>();
  chaos?: Chaos;
  gate?: (r: ProxiedRequest) => GateAnswer | undefined;
  private random: () => number = Math.random;
  private readonly streak = new Map<string, number>();
  private server?: Server;
  private readonly inflight = new Set<Promise<void>>();

  constructor(private readonly upstream: string) {}

  get endpoint(): string {
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const p = this.handle(req, Buffer.concat(chunks), res).catch(() => void res.socket?.destroy());
        this.inflight.add(p);
        void p.finally(() => this.inflight.delete(p));
      });
      req.on("error", () => undefined);
    });
    await new Promise<void>((r) => this.server!.listen(0, "127.0.0.1", r));
    return this;
  }

  /** Waits for delayed requests still on their way to the server, then closes. */
  async stop(): Promise<void> {
    await Promise.allSettled([...this.inflight]);
    this.server?.closeAllConnections();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }

  setChaos(chaos: Chaos | undefined): this {
    this.chaos = chaos;
    this.random = chaos ? seededRandom(chaos.seed) : Math.random;
    return this;
  }

  add(rule: Rule): this {
    this.rules.push(rule);
    return this;
  }

  count(key: string): number {
    return this.counts.get(key) ?? 0;
  }

  /** Faults applied in total (or of one kind). */
  faults(kind?: FaultKind): number {
    let n = 0;
    for (const [k, v] of this.counts) if (k.startsWith("kind:") && (kind === undefined || k === `kind:${kind}`)) n += v;
    return n;
  }

  private bump(key: string): void {
    this.counts.set(key, this.count(key) + 1);
  }

  private pick(r: ProxiedRequest): { fault: Fault; source: string } | undefined {
    for (const rule of this.rules) {
      if (!rule.match(r)) continue;
      if (rule.forMs !== undefined) {
        const now = Date.now();
        rule.startedAt ??= now;
        if (now - rule.startedAt > rule.forMs || rule.faults.length === 0) continue;
        rule.applied = (rule.applied ?? 0) + 1;
        return { fault: rule.faults[0], source: `rule:${rule.name}` };
      }
      if (rule.times !== undefined) {
        if (rule.times <= 0 || rule.faults.length === 0) continue;
        rule.times--;
        return { fault: rule.faults[0], source: `rule:${rule.name}` };
      }
      const f = rule.faults.shift();
      if (f) return { fault: f, source: `rule:${rule.name}` };
    }
    const c = this.chaos;
    if (!c || (c.match && !c.match(r))) return undefined;
    const key = `${r.method} ${r.path}`;
    const streak = this.streak.get(key) ?? 0;
    const x = this.random(); // drawn for every eligible request, so the sequence depends only on the request order
    if (streak >= (c.maxConsecutive ?? 2)) {
      this.streak.set(key, 0);
      return undefined;
    }
    let acc = 0;
    for (const kind of ["slow-down", "reset-before", "reset-after", "error-after", "delay"] as FaultKind[]) {
      acc += c.rates[kind] ?? 0;
      if (x < acc) {
        this.streak.set(key, streak + 1);
        const [lo, hi] = c.delayMs ?? [20, 200];
        const fault: Fault = kind === "delay" ? { kind, ms: Math.round(lo + this.random() * (hi - lo)) } : ({ kind } as Fault);
        return { fault, source: `chaos:${kind}` };
      }
    }
    this.streak.set(key, 0);
    return undefined;
  }

  private async handle(req: IncomingMessage, body: Buffer, res: ServerResponse): Promise<void> {
    const url = req.url ?? "/";
    const q = url.indexOf("?");
    const r: ProxiedRequest = {
      method: req.method ?? "GET",
      url,
      path: q < 0 ? url : url.slice(0, q),
      query: new URLSearchParams(q < 0 ? "" : url.slice(q + 1)),
      headers: req.headers,
    };
    const entry: LogEntry = { method: r.method, path: r.path, query: q < 0 ? "" : url.slice(q + 1), forwarded: false };
    this.log.push(entry);

    const denied = this.gate?.(r);
    if (denied) {
      entry.status = denied.status;
      entry.fault = "gate";
      this.bump("gate");
      res.writeHead(denied.status, { "content-type": "application/xml", ...denied.headers });
      res.end(r.method === "HEAD" ? undefined : denied.body);
      return;
    }

    const picked = this.pick(r);
    const fault = picked?.fault;
    if (picked) {
      entry.fault = picked.source;
      this.bump(picked.source);
      this.bump(`kind:${picked.fault.kind}`);
    }
    if (fault?.kind === "slow-down") {
      entry.status = 503;
      res.writeHead(503, { "content-type": "application/xml" });
      res.end(r.method === "HEAD" ? undefined : SLOW_DOWN_XML);
      return;
    }
    if (fault?.kind === "reset-before") {
      res.socket?.destroy();
      return;
    }
    if (fault?.kind === "delay") await new Promise((w) => setTimeout(w, fault.ms));

    const upstream = await this.forward(req, r, body);
    entry.forwarded = true;
    entry.status = upstream.status;
    if (fault?.kind === "reset-after") {
      res.socket?.destroy();
      return;
    }
    if (fault?.kind === "error-after") {
      entry.status = 500;
      res.writeHead(500, { "content-type": "application/xml" });
      res.end(r.method === "HEAD" ? undefined : INTERNAL_XML);
      return;
    }
    if (res.socket === null || res.socket.destroyed) return; // the client gave up (timeout); the server applied it anyway
    res.writeHead(upstream.status, upstream.headers);
    res.end(upstream.body);
  }

  private forward(req: IncomingMessage, r: ProxiedRequest, body: Buffer): Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }> {
    const target = new URL(this.upstream);
    return new Promise((resolve, reject) => {
      const out = httpRequest(
        { host: target.hostname, port: target.port, method: r.method, path: r.url, headers: req.headers },
        (up) => {
          const chunks: Buffer[] = [];
          up.on("data", (c: Buffer) => chunks.push(c));
          up.on("end", () => resolve({ status: up.statusCode ?? 502, headers: up.headers, body: Buffer.concat(chunks) }));
          up.on("error", reject);
        },
      );
      out.on("error", reject);
      out.end(body);
    });
  }
}
