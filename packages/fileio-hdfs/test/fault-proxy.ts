/**
 * A loopback HTTP proxy in front of the WebHDFS NameNode endpoint that records every
 * exchange and injects faults: an error status, a connection reset before the request
 * is forwarded (nothing happened) or after it was forwarded (it happened, the answer is
 * lost). DataNode redirects are passed through untouched, so the client follows them to
 * the DataNode directly.
 */
import http from "node:http";
import type { AddressInfo, Socket } from "node:net";

export interface Seen {
  method: string;
  op: string;
  /** Decoded HDFS path. */
  path: string;
  params: URLSearchParams;
  requestBytes: number;
  /** Status sent back (or "reset"). */
  status?: number | "reset";
  location?: string;
}

export type Action =
  | { kind: "pass" }
  | { kind: "status"; status: number; body?: string }
  | { kind: "reset-before" }
  | { kind: "reset-after" }
  /** Run something (e.g. a competing writer) first, then do `then`. */
  | { kind: "hook"; run: () => Promise<void>; then: Action };

export type Plan = (s: Seen, nth: number) => Action | undefined;

export const remote = (exception: string, message = exception): string =>
  JSON.stringify({ RemoteException: { exception, javaClassName: `org.apache.hadoop.ipc.${exception}`, message } });

function reset(socket: Socket): void {
  const s = socket as Socket & { resetAndDestroy?: () => void };
  if (typeof s.resetAndDestroy === "function") s.resetAndDestroy();
  else socket.destroy();
}

export class FaultProxy {
  readonly seen: Seen[] = [];
  plan: Plan = () => undefined;
  /** Rewrites the Location of forwarded redirects (to put a second proxy before the DataNode). */
  rewriteLocation: ((location: string) => string) | undefined;
  private readonly server: http.Server;
  private readonly target: URL;
  private readonly agent = new http.Agent({ keepAlive: false });
  private counts = new Map<string, number>();

  private constructor(target: string) {
    this.target = new URL(target);
    this.server = http.createServer((req, res) => void this.handle(req, res));
  }

  static async start(target: string): Promise<FaultProxy> {
    const p = new FaultProxy(target);
    await new Promise<void>((r) => p.server.listen(0, "127.0.0.1", r));
    return p;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Requests of one op (in order). */
  ops(op: string): Seen[] {
    return this.seen.filter((s) => s.op === op);
  }

  reset(plan: Plan = () => undefined): void {
    this.seen.length = 0;
    this.counts.clear();
    this.plan = plan;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
    this.agent.destroy();
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    const u = new URL(req.url ?? "/", "http://x");
    const op = (u.searchParams.get("op") ?? "").toUpperCase();
    const s: Seen = {
      method: req.method ?? "GET",
      op,
      path: decodeURIComponent(u.pathname.replace(/^\/webhdfs\/v1/, "")) || "/",
      params: u.searchParams,
      requestBytes: body.byteLength,
    };
    this.seen.push(s);
    const nth = (this.counts.get(op) ?? 0) + 1;
    this.counts.set(op, nth);
    let action: Action = this.plan(s, nth) ?? { kind: "pass" };
    while (action.kind === "hook") {
      await action.run();
      action = action.then;
    }
    switch (action.kind) {
      case "status":
        s.status = action.status;
        res.writeHead(action.status, { "content-type": "application/json" }).end(action.body ?? "");
        return;
      case "reset-before":
        s.status = "reset";
        reset(req.socket);
        return;
      default: {
        const answer = await this.forward(req, body);
        if (action.kind === "reset-after") {
          s.status = "reset";
          reset(req.socket);
          return;
        }
        s.status = answer.status;
        s.location = answer.headers.location as string | undefined;
        if (s.location && this.rewriteLocation) answer.headers.location = this.rewriteLocation(s.location);
        res.writeHead(answer.status, answer.headers).end(answer.body);
      }
    }
  }

  private forward(req: http.IncomingMessage, body: Buffer): Promise<{ status: number; headers: http.OutgoingHttpHeaders; body: Buffer }> {
    return new Promise((resolve, reject) => {
      const out = http.request(
        {
          host: this.target.hostname,
          port: this.target.port,
          method: req.method,
          path: req.url,
          agent: this.agent,
          headers: { "content-length": body.byteLength },
        },
        (r) => {
          const chunks: Buffer[] = [];
          r.on("data", (c: Buffer) => chunks.push(c));
          r.on("end", () => {
            const headers: http.OutgoingHttpHeaders = {};
            for (const k of ["content-type", "location"]) if (r.headers[k]) headers[k] = r.headers[k];
            resolve({ status: r.statusCode ?? 502, headers, body: Buffer.concat(chunks) });
          });
          r.on("error", reject);
        },
      );
      out.on("error", reject);
      out.end(body);
    });
  }
}
