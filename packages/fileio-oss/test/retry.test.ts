/**
 * Retries and ambiguous commits, through a fault-injecting proxy in front of the live
 * OSS endpoint: throttling, resets, delays and lost responses.
 */
import { AlreadyExistsError, CommitStateUnknownError, writeFile } from "@paimon-ts/fileio";
import { randomUUID } from "node:crypto";
import { FaultProxy, type ProxiedRequest } from "@paimon-ts/fileio/fault-proxy";
import { BUCKET, OSS_ENDPOINT, describeLive, ensureBucket, testIO } from "./live.js";

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);
const SLOW_DOWN = { respond: 503, body: "<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>" };
const isPut = (key: string) => (r: ProxiedRequest) => r.method === "PUT" && r.url.split("?")[0].endsWith(key);
const query = (r: ProxiedRequest, q: string) => new URL(r.url, "http://x").searchParams.has(q);

describeLive("OSS retries and read-back (fault-injecting proxy)", () => {
  let proxy: FaultProxy;
  const root = `oss://${BUCKET}/retry-${randomUUID()}`;
  const direct = () => testIO();
  const logs: string[] = [];
  const viaProxy = (maxAttempts = 6) =>
    testIO({ endpoint: proxy.endpoint, maxAttempts, baseDelayMs: 5, maxDelayMs: 50, partSize: 5 * 1024 * 1024, logger: (m) => logs.push(m) });

  beforeAll(async () => {
    await ensureBucket();
    proxy = await new FaultProxy(OSS_ENDPOINT).start();
  });
  afterAll(async () => {
    await proxy?.stop();
    const io = direct();
    await io.deleteRecursive(root);
    await io.close();
  });

  it("a multipart write completes through 503 SlowDown, resets, delays and a lost complete response", async () => {
    const p = `${root}/mp/data.bin`;
    const key = "/mp/data.bin";
    proxy.add({ match: (r) => r.method === "POST" && query(r, "uploads") && r.url.includes(key), faults: [{ reset: "before" }] });
    proxy.add({ match: (r) => isPut(key)(r) && query(r, "partNumber"), faults: [SLOW_DOWN, { delayMs: 300 }, { reset: "before" }, SLOW_DOWN] });
    proxy.add({ match: (r) => r.method === "POST" && query(r, "uploadId") && r.url.includes(key), faults: [{ reset: "after" }] });
    const io = viaProxy();
    const data = new Uint8Array(11 * 1024 * 1024).map((_, i) => (i * 7) % 256);
    await writeFile(io, p, data);
    await io.close();
    const back = await direct().readFile(p);
    expect(Buffer.compare(Buffer.from(back), Buffer.from(data))).toBe(0);
    expect(proxy.rules.every((r) => r.faults.length === 0)).toBe(true);
    const completes = proxy.log.filter((r) => r.method === "POST" && query(r, "uploadId") && r.url.includes(key));
    expect(completes).toHaveLength(1); // resolved by read-back, not by completing again
    expect(logs.some((l) => l.includes("read-back") && l.includes("ours"))).toBe(true);
  });

  it("a create-if-absent whose response was lost is resolved by read-back, published once", async () => {
    const p = `${root}/cia/snapshot-1`;
    proxy.add({ match: isPut("/cia/snapshot-1"), faults: [{ reset: "after" }] });
    const io = viaProxy();
    await io.createIfAbsent(p, enc("mine"));
    await io.close();
    expect(dec(await direct().readFile(p))).toBe("mine");
    expect(proxy.log.filter(isPut("/cia/snapshot-1")).map((r) => r.status)).toEqual([200]);
  });

  it("an ambiguous create that another writer won meanwhile fails with AlreadyExistsError", async () => {
    const p = `${root}/lost/snapshot-3`;
    const rival = direct();
    proxy.add({ match: isPut("/lost/snapshot-3"), faults: [{ before: () => rival.createIfAbsent(p, enc("rival")), then: { reset: "before" } }] });
    const io = viaProxy();
    await expect(io.createIfAbsent(p, enc("mine"))).rejects.toBeInstanceOf(AlreadyExistsError);
    await io.close();
    expect(dec(await rival.readFile(p))).toBe("rival");
    await rival.close();
  });

  it("throttling is retried without read-back", async () => {
    const p = `${root}/thr/snapshot-4`;
    proxy.add({ match: isPut("/thr/snapshot-4"), faults: [SLOW_DOWN, { respond: 429, body: "" }] });
    const before = logs.length;
    const io = viaProxy();
    await io.createIfAbsent(p, enc("mine"));
    await io.close();
    expect(dec(await direct().readFile(p))).toBe("mine");
    expect(logs.slice(before).filter((l) => l.includes("retry"))).toHaveLength(2);
    expect(logs.slice(before).some((l) => l.includes("read-back"))).toBe(false);
  });

  it("when neither the write nor the read-back gets through: CommitStateUnknownError", async () => {
    const p = `${root}/dark/snapshot-5`;
    proxy.add({ match: (r) => r.url.includes("/dark/snapshot-5"), faults: [{ reset: "after" }], always: true });
    const io = viaProxy(3);
    const e = await io.createIfAbsent(p, enc("mine")).catch((x) => x);
    await io.close();
    expect(e).toBeInstanceOf(CommitStateUnknownError);
  });
});
