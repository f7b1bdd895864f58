/**
 * A loopback HTTP proxy that injects faults in front of a test server: throttling
 * answers, connection resets before or after forwarding (a lost response), 5xx after
 * forwarding, and delays. Each rule matches requests and spends one fault per match.
 * Exported as `@paimon-ts/fileio/fault-proxy` for the backends' retry tests.
 */
import { request as httpRequest, createServer, type IncomingHttpHeaders, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface ProxiedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
}

export type Fault =
  /** Answer without forwarding. */
  | { respond: number; body?: string | ((req: ProxiedRequest) => string); headers?: Record<string, string> }
  /** Drop the connection without forwarding. */
  | { reset: "before" }
  /** Forward, let the server apply it, then drop the connection: the response is lost. */
  | { reset: "after" }
  /** Forward, then answer with this status instead of the server's. */
  | { replaceStatus: number; body?: string }
  | { delayMs: number }
  /** Run `action` first (e.g. a competing write), then apply `then`. */
  | { before: () => Promise<void>; then: Fault };

export interface Rule {
  match: (req: ProxiedRequest) => boolean;
  faults: Fault[];
  /** Spend no fault: the first one applies to every match. */
  always?: boolean;
}

export interface LogEntry extends ProxiedRequest {
  fault?: string;
  forwarded: boolean;
  status?: number;
}

export class FaultProxy {
  readonly rules: Rule[] = [];
  readonly log: LogEntry[] = [];
  private server?: Server;

  constructor(private readonly upstream: string) {}

  get endpoint(): string {
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        this.handle(req, Buffer.concat(chunks), res).catch(() => res.socket?.destroy());
      });
    });
    await new Promise<void>((r) => this.server!.listen(0, "127.0.0.1", r));
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((r) => this.server?.close(() => r()) ?? r());
  }

  add(rule: Rule): this {
    this.rules.push(rule);
    return this;
  }

  private nextFault(req: ProxiedRequest): Fault | undefined {
    for (const rule of this.rules) {
      if (rule.faults.length === 0 || !rule.match(req)) continue;
      return rule.always ? rule.faults[0] : rule.faults.shift();
    }
    return undefined;
  }

  private async handle(req: IncomingMessage, body: Buffer, res: import("node:http").ServerResponse): Promise<void> {
    const info: ProxiedRequest = { method: req.method ?? "GET", url: req.url ?? "/", headers: req.headers };
    let fault = this.nextFault(info);
    const entry: LogEntry = { ...info, forwarded: false };
    this.log.push(entry);
    while (fault && "before" in fault) {
      await fault.before();
      fault = fault.then;
    }
    if (fault) entry.fault = JSON.stringify(fault);
    if (fault && "respond" in fault) {
      const text = typeof fault.body === "function" ? fault.body(info) : (fault.body ?? "");
      res.writeHead(fault.respond, { "content-type": "application/xml", ...fault.headers });
      res.end(text);
      entry.status = fault.respond;
      return;
    }
    if (fault && "reset" in fault && fault.reset === "before") {
      req.socket.destroy();
      return;
    }
    if (fault && "delayMs" in fault) await new Promise((r) => setTimeout(r, fault.delayMs));
    const upstream = await this.forward(info, body);
    entry.forwarded = true;
    entry.status = upstream.status;
    if (fault && "reset" in fault) {
      req.socket.destroy();
      return;
    }
    if (fault && "replaceStatus" in fault) {
      res.writeHead(fault.replaceStatus, { "content-type": "application/xml" });
      res.end(fault.body ?? "<Error><Code>InternalError</Code><Message>injected</Message></Error>");
      return;
    }
    res.writeHead(upstream.status, upstream.headers);
    res.end(upstream.body);
  }

  private forward(info: ProxiedRequest, body: Buffer): Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }> {
    const target = new URL(this.upstream);
    return new Promise((resolve, reject) => {
      const up = httpRequest(
        { host: target.hostname, port: target.port, method: info.method, path: info.url, headers: info.headers, agent: false },
        (r) => {
          const chunks: Buffer[] = [];
          r.on("data", (c: Buffer) => chunks.push(c));
          r.on("end", () => resolve({ status: r.statusCode ?? 502, headers: r.headers, body: Buffer.concat(chunks) }));
          r.on("error", reject);
        },
      );
      up.on("error", reject);
      up.end(body);
    });
  }
}
