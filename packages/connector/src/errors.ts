/** Error text for people: kind, cause, and never a credential. */
import { isPaimonError } from "@paimon-ts/fileio";
import { scrub } from "./config.js";

const NETWORK: Record<string, string> = {
  ECONNREFUSED: "connection refused",
  ENOTFOUND: "host not found",
  EAI_AGAIN: "DNS lookup failed",
  ETIMEDOUT: "connection timed out",
  ECONNRESET: "connection reset",
  EHOSTUNREACH: "host unreachable",
  ENETUNREACH: "network unreachable",
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  ENOENT: "no such file or directory",
  EROFS: "read-only file system",
  ENOSPC: "no space left on device",
};

function causeChain(e: unknown): unknown[] {
  const out: unknown[] = [];
  let cur: unknown = e;
  for (let i = 0; i < 5 && cur; i++) {
    out.push(cur);
    cur = (cur as { cause?: unknown }).cause;
  }
  return out;
}

/** A one-line description of an error, with secrets removed. */
export function describeError(e: unknown, secrets: readonly string[] = []): string {
  const chain = causeChain(e);
  const parts: string[] = [];
  for (const x of chain) {
    if (!(x instanceof Error)) {
      parts.push(String(x));
      continue;
    }
    const code = (x as { code?: unknown }).code;
    const net = typeof code === "string" ? NETWORK[code] : undefined;
    let text = x.message || x.name;
    if (isPaimonError(x) && !text.includes(x.code)) text = `${x.code}: ${text}`;
    if (net && !text.includes(net)) text = `${net} (${code}): ${text}`;
    if (!parts.some((p) => p.includes(text))) parts.push(text);
  }
  return scrub(parts.join(" — caused by: "), secrets).replace(/\s+/g, " ").trim();
}

/** The same error with secrets removed from its message (and its causes dropped). */
export function scrubError(e: unknown, secrets: readonly string[]): Error {
  if (!(e instanceof Error)) return new Error(scrub(String(e), secrets));
  const msg = scrub(e.message, secrets);
  if (msg === e.message && secrets.every((s) => !String((e as { cause?: unknown }).cause ?? "").includes(s))) return e;
  const out = new Error(msg);
  out.name = e.name;
  return out;
}

/** Rejects after `ms` with a clear message. */
export async function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what} did not answer within ${Math.round(ms / 1000)} s`)), ms);
        timer.unref?.();
      }),
    ]);
  } finally {
    if (timer) clearTimeout(timer);
  }
}
