/**
 * The object-store fault suite: every object-store backend (S3, OSS, …) runs these tests
 * unchanged through a fault-injecting proxy in front of its live test server —
 * throttling, resets, delays and lost responses must end in exactly one published
 * object, a clear AlreadyExistsError, or CommitStateUnknownError, never a doubled or a
 * silently lost commit. Backends add only the faults that are theirs (S3's 409
 * ConditionalRequestConflict) through `extraTransientFaults`.
 *
 * Multipart requests are matched by the query names S3 and OSS share
 * (`?uploads`, `?partNumber`, `?uploadId`).
 */
import { afterAll, beforeAll, expect, it } from "@jest/globals";
import { AlreadyExistsError, CommitStateUnknownError } from "./errors.js";
import { FaultProxy, type Fault, type ProxiedRequest } from "./fault-proxy.js";
import { writeFile, type FileIO } from "./fileio.js";
import { joinPath } from "./path.js";
import type { ObjectFileIOOptions } from "./object-store.js";

export interface FaultSuiteTarget {
  /** The live test server the proxy forwards to. */
  upstream: string;
  /** A fresh directory URI on that server for this suite (removed afterwards). */
  root: string;
  /**
   * Opens the backend's FileIO with the given object-store options, against `endpoint`
   * (the proxy), or against the upstream server when `endpoint` is undefined.
   */
  open(endpoint: string | undefined, options: ObjectFileIOOptions): FileIO;
  /** Runs once before the tests (e.g. creates the bucket). */
  setup?(): Promise<void>;
  /** Further answers the backend must retry as transient without a read-back. */
  extraTransientFaults?: Fault[];
  timeout?: number;
}

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);
const SLOW_DOWN: Fault = { respond: 503, body: "<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>" };
const isPut = (key: string) => (r: ProxiedRequest) => r.method === "PUT" && r.url.split("?")[0].endsWith(key);
const query = (r: ProxiedRequest, q: string) => new URL(r.url, "http://x").searchParams.has(q);

/** Registers the suite's hooks and tests in the current `describe` block. */
export function objectStoreFaultSuite(target: FaultSuiteTarget): void {
  const timeout = target.timeout ?? 60_000;
  let proxy: FaultProxy;
  const logs: string[] = [];
  const direct = () => target.open(undefined, {});
  const viaProxy = (maxAttempts = 6) => target.open(proxy.endpoint, { maxAttempts, baseDelayMs: 5, maxDelayMs: 50, partSize: 5 * 1024 * 1024, logger: (m) => logs.push(m) });
  const path = (rel: string) => joinPath(target.root, rel);

  beforeAll(async () => {
    await target.setup?.();
    proxy = await new FaultProxy(target.upstream).start();
  }, timeout);
  afterAll(async () => {
    await proxy?.stop();
    const io = direct();
    await io.deleteRecursive(target.root);
    await io.close();
  }, timeout);

  it(
    "a multipart write completes through 503 SlowDown, resets, delays and a lost complete response",
    async () => {
      const key = "/mp/data.bin";
      proxy.add({ match: (r) => r.method === "POST" && query(r, "uploads") && r.url.includes(key), faults: [{ reset: "before" }] });
      proxy.add({ match: (r) => isPut(key)(r) && query(r, "partNumber"), faults: [SLOW_DOWN, { delayMs: 300 }, { reset: "before" }, SLOW_DOWN] });
      // the server completes the upload but the answer never arrives: read-back must find our token
      proxy.add({ match: (r) => r.method === "POST" && query(r, "uploadId") && r.url.includes(key), faults: [{ reset: "after" }] });
      const io = viaProxy();
      const data = new Uint8Array(11 * 1024 * 1024).map((_, i) => (i * 7) % 256);
      await writeFile(io, path("mp/data.bin"), data);
      await io.close();
      const back = await direct().readFile(path("mp/data.bin"));
      expect(back.byteLength).toBe(data.byteLength);
      expect(Buffer.compare(Buffer.from(back), Buffer.from(data))).toBe(0);
      expect(proxy.rules.every((r) => r.faults.length === 0)).toBe(true); // every fault was hit
      const completes = proxy.log.filter((r) => r.method === "POST" && query(r, "uploadId") && r.url.includes(key));
      expect(completes).toHaveLength(1); // resolved by read-back, not by completing again
      expect(logs.some((l) => l.includes("read-back") && l.includes("ours"))).toBe(true);
    },
    timeout,
  );

  it("a create-if-absent whose response was lost is resolved by read-back, published once", async () => {
    proxy.add({ match: isPut("/cia/snapshot-1"), faults: [{ reset: "after" }] });
    const io = viaProxy();
    await io.createIfAbsent(path("cia/snapshot-1"), enc("mine"));
    await io.close();
    expect(dec(await direct().readFile(path("cia/snapshot-1")))).toBe("mine");
    expect(proxy.log.filter(isPut("/cia/snapshot-1")).map((r) => r.status)).toEqual([200]); // the one PUT landed; no second attempt
  });

  it("a 500 answer to a create-if-absent that did apply: read-back says ours", async () => {
    proxy.add({ match: isPut("/cia500/snapshot-2"), faults: [{ replaceStatus: 500 }] });
    const io = viaProxy();
    await io.createIfAbsent(path("cia500/snapshot-2"), enc("mine"));
    await io.close();
    expect(dec(await direct().readFile(path("cia500/snapshot-2")))).toBe("mine");
    expect(proxy.log.filter(isPut("/cia500/snapshot-2"))).toHaveLength(1);
  });

  it("an ambiguous create that another writer won meanwhile fails with AlreadyExistsError", async () => {
    const p = path("lost/snapshot-3");
    const rival = direct();
    proxy.add({ match: isPut("/lost/snapshot-3"), faults: [{ before: () => rival.createIfAbsent(p, enc("rival")), then: { reset: "before" } }] });
    const io = viaProxy();
    await expect(io.createIfAbsent(p, enc("mine"))).rejects.toBeInstanceOf(AlreadyExistsError);
    await io.close();
    expect(dec(await rival.readFile(p))).toBe("rival");
    await rival.close();
  });

  it("throttling (and the backend's other transient answers) is retried without read-back", async () => {
    const faults: Fault[] = [SLOW_DOWN, { respond: 429, body: "" }, ...(target.extraTransientFaults ?? [])];
    proxy.add({ match: isPut("/thr/snapshot-4"), faults: [...faults] });
    const before = logs.length;
    const io = viaProxy();
    await io.createIfAbsent(path("thr/snapshot-4"), enc("mine"));
    await io.close();
    expect(dec(await direct().readFile(path("thr/snapshot-4")))).toBe("mine");
    expect(logs.slice(before).filter((l) => l.includes("retry"))).toHaveLength(faults.length);
    expect(logs.slice(before).some((l) => l.includes("read-back"))).toBe(false);
  });

  it("when neither the write nor the read-back gets through: CommitStateUnknownError, not retryable", async () => {
    proxy.add({ match: (r) => r.url.includes("/dark/snapshot-5"), faults: [{ reset: "after" }], always: true });
    const io = viaProxy(3);
    const e = await io.createIfAbsent(path("dark/snapshot-5"), enc("mine")).catch((x: unknown) => x);
    await io.close();
    expect(e).toBeInstanceOf(CommitStateUnknownError);
    expect((e as CommitStateUnknownError).isRetryable).toBe(false);
  });
}
