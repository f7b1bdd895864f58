/**
 * Retries, failover and ambiguous outcomes, through a loopback fault-injecting proxy in
 * front of the live WebHDFS NameNode endpoint.
 */
import { AlreadyExistsError, CommitStateUnknownError, NotFoundError, PermissionError, RetryableError, joinPath, type FileIO } from "@paimon-ts/fileio";
import { randomUUID } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { HdfsFileIO, type HdfsOptions } from "../src/index.js";
import { FaultProxy, remote, type Action } from "./fault-proxy.js";
import { hdfsTarget } from "./live.js";

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);
const live = hdfsTarget();
const suite = live ? describe : describe.skip;

/** A loopback port with nothing listening on it. */
async function deadPort(): Promise<number> {
  const s = http.createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

suite("retries and ambiguous outcomes (fault-injecting proxy, live)", () => {
  let rpcUri: string;
  let httpUrl: string;
  let root: string;
  let proxy: FaultProxy;
  let io: HdfsFileIO;
  let faulty: HdfsFileIO;
  const opened: FileIO[] = [];
  const fast: HdfsOptions = { maxRetries: 4, retryBaseDelayMs: 10, retryMaxDelayMs: 50 };
  const open = (options: HdfsOptions): HdfsFileIO => {
    const o = new HdfsFileIO(rpcUri, { ...fast, ...options });
    opened.push(o);
    return o;
  };
  const dir = (label: string) => joinPath(root, `${label}-${randomUUID()}`);
  const listNames = async (d: string) => (await io.list(d)).map((s) => s.path.slice(d.length + 1)).sort();

  beforeAll(async () => {
    ({ rpcUri, httpUrl } = await live!.ready());
    root = `${rpcUri}/paimon-ts-hdfs-faults/${randomUUID()}`;
    proxy = await FaultProxy.start(httpUrl);
    io = open({ endpoint: httpUrl });
    faulty = open({ endpoint: proxy.url });
  });
  afterEach(() => proxy.reset());
  afterAll(async () => {
    await io?.deleteRecursive(root);
    for (const o of opened) await o.close();
    await proxy?.close();
  });

  describe("transient failures", () => {
    it("503, RetriableException and SafeModeException are retried with backoff", async () => {
      const f = joinPath(dir("retry"), "f");
      await io.createIfAbsent(f, enc("12345"));
      proxy.reset((s, n): Action | undefined => {
        if (s.op !== "GETFILESTATUS") return undefined;
        if (n === 1) return { kind: "status", status: 503 };
        if (n === 2) return { kind: "status", status: 403, body: remote("RetriableException", "NameNode still not started") };
        if (n === 3) return { kind: "status", status: 403, body: remote("SafeModeException", "Name node is in safe mode") };
        return undefined;
      });
      expect((await faulty.stat(f)).size).toBe(5);
      expect(proxy.ops("GETFILESTATUS").map((s) => s.status)).toEqual([503, 403, 403, 200]);
    });

    it("reset connections are retried for reads", async () => {
      const f = joinPath(dir("reset"), "f");
      await io.createIfAbsent(f, enc("payload"));
      proxy.reset((s, n) => (s.op === "OPEN" && n === 1 ? { kind: "reset-before" } : s.op === "OPEN" && n === 2 ? { kind: "reset-after" } : undefined));
      expect(dec(await faulty.readFile(f))).toBe("payload");
      expect(proxy.ops("OPEN").map((s) => s.status)).toEqual(["reset", "reset", 307]);
    });

    it("the NameNode step of CREATE is retried after a reset (it only picks a DataNode)", async () => {
      const f = joinPath(dir("create-nn"), "f");
      proxy.reset((s, n) => (s.op === "CREATE" && n === 1 ? { kind: "reset-after" } : undefined));
      await faulty.createIfAbsent(f, enc("x"));
      expect(proxy.ops("CREATE").map((s) => s.status)).toEqual(["reset", 307]);
      expect(dec(await io.readFile(f))).toBe("x");
    });

    it("a write that failed cannot be closed into a published file", async () => {
      const d = dir("write-fail");
      const small = open({ endpoint: proxy.url, writeChunkBytes: 1024 });
      proxy.reset((s) =>
        s.op === "APPEND" ? { kind: "status", status: 403, body: remote("AccessControlException", "Permission denied: user=hadoop, access=WRITE") } : undefined,
      );
      const sink = await small.newOutputSink(joinPath(d, "f"));
      await sink.write(new Uint8Array(2000)); // CREATE
      const e = await sink.write(new Uint8Array(2000)).catch((x) => x); // APPEND, refused
      expect(e).toBeInstanceOf(PermissionError);
      await expect(sink.close()).rejects.toBe(e);
      expect(await io.exists(joinPath(d, "f"))).toBe(false);
      expect(await io.list(d)).toEqual([]); // the temp file was removed
    });

    it("typed failures are final: not-found is not retried", async () => {
      await expect(faulty.readFile(joinPath(dir("nf"), "missing"))).rejects.toBeInstanceOf(NotFoundError);
      expect(proxy.ops("OPEN")).toHaveLength(1);
    });

    it("gives up with a RetryableError when the server stays unavailable", async () => {
      proxy.reset((s) => (s.op === "GETFILESTATUS" ? { kind: "status", status: 503 } : undefined));
      const e = await faulty.stat(joinPath(root, "x")).catch((x) => x);
      expect(e).toBeInstanceOf(RetryableError);
      expect(String(e.message)).toMatch(/gave up after 5 attempts/);
      expect(proxy.ops("GETFILESTATUS")).toHaveLength(5);
    });

    it("fails over to the next NameNode on a refused connection or a StandbyException", async () => {
      const f = joinPath(dir("failover"), "f");
      await io.createIfAbsent(f, enc("ha"));
      const refused = open({ endpoint: [`http://127.0.0.1:${await deadPort()}`, httpUrl] });
      expect(dec(await refused.readFile(f))).toBe("ha");

      const standby = await FaultProxy.start(httpUrl);
      try {
        standby.reset(() => ({ kind: "status", status: 403, body: remote("StandbyException", "Operation category READ is not supported in state standby") }));
        const ha = open({ endpoint: [standby.url, proxy.url] });
        expect(dec(await ha.readFile(f))).toBe("ha");
        expect((await ha.stat(f)).size).toBe(2);
        expect(standby.seen).toHaveLength(1); // asked once, then the active one is kept
        expect(proxy.ops("OPEN")).toHaveLength(1);
      } finally {
        await standby.close();
      }
    });
  });

  describe("ambiguous DataNode writes (a second proxy before the DataNode)", () => {
    let dnProxy: FaultProxy;
    let nnProxy: FaultProxy;
    let viaBoth: HdfsFileIO;

    beforeAll(async () => {
      // where the NameNode sends writes: ask for a CREATE redirect (creates nothing)
      const probe = await new Promise<string>((resolve, reject) => {
        const u = `${httpUrl}/webhdfs/v1/paimon-ts-dn-probe?op=CREATE&user.name=hadoop`;
        http
          .request(u, { method: "PUT", headers: { "content-length": 0 } }, (r) => {
            r.resume();
            resolve(String(r.headers.location));
          })
          .on("error", reject)
          .end();
      });
      const dn = new URL(probe);
      dnProxy = await FaultProxy.start(`http://${dn.host}`);
      nnProxy = await FaultProxy.start(httpUrl);
      nnProxy.rewriteLocation = (loc) => {
        const u = new URL(loc);
        u.host = new URL(dnProxy.url).host;
        return u.toString();
      };
      viaBoth = open({ endpoint: nnProxy.url, writeChunkBytes: 1024 });
    });
    afterEach(() => dnProxy.reset());
    afterAll(async () => {
      await dnProxy?.close();
      await nnProxy?.close();
    });

    const pattern = (n: number, seed: number) => new Uint8Array(n).map((_, i) => (i * 31 + seed) % 251);

    it.each([
      ["landed, answer lost: not sent twice", "reset-after" as const, 1],
      ["never arrived: sent again", "reset-before" as const, 2],
    ])("APPEND %s", async (_name, kind, appends) => {
      const d = dir("dn-append");
      const f = joinPath(d, "data");
      dnProxy.reset((s, n) => (s.op === "APPEND" && n === 1 ? { kind } : undefined));
      const sink = await viaBoth.newOutputSink(f);
      await sink.write(pattern(3000, 1)); // CREATE
      await sink.write(pattern(3000, 2)); // APPEND, answer lost
      await sink.close();
      expect(dnProxy.ops("APPEND")).toHaveLength(appends);
      const back = Buffer.from(await io.readFile(f));
      expect(back.equals(Buffer.concat([pattern(3000, 1), pattern(3000, 2)]))).toBe(true);
      expect(await listNames(d)).toEqual(["data"]);
    });

    it("a DataNode CREATE whose answer was lost starts over under a new temp name", async () => {
      const d = dir("dn-create");
      const p = joinPath(d, "snapshot-1");
      dnProxy.reset((s, n) => (s.op === "CREATE" && n === 1 ? { kind: "reset-after" } : undefined));
      await viaBoth.createIfAbsent(p, enc("mine"));
      const creates = dnProxy.ops("CREATE");
      expect(creates).toHaveLength(2);
      expect(creates[0].path).not.toBe(creates[1].path);
      expect(dec(await io.readFile(p))).toBe("mine");
      expect(await listNames(d)).toEqual(["snapshot-1"]); // the first temp file was removed
    });
  });

  describe("an ambiguous publish is resolved by reading back the file's inode id", () => {
    it("the RENAME landed but its answer was lost: success", async () => {
      const d = dir("amb-landed");
      const p = joinPath(d, "snapshot-1");
      proxy.reset((s, n) => (s.op === "RENAME" && n === 1 ? { kind: "reset-after" } : undefined));
      await faulty.createIfAbsent(p, enc("mine"));
      expect(proxy.ops("RENAME").map((s) => s.status)).toEqual(["reset"]);
      expect(dec(await io.readFile(p))).toBe("mine");
      expect(await listNames(d)).toEqual(["snapshot-1"]);
    });

    it("the RENAME never arrived: it is sent again", async () => {
      const d = dir("amb-lost");
      const p = joinPath(d, "snapshot-1");
      proxy.reset((s, n) => (s.op === "RENAME" && n === 1 ? { kind: "reset-before" } : undefined));
      await faulty.createIfAbsent(p, enc("mine"));
      expect(proxy.ops("RENAME").map((s) => s.status)).toEqual(["reset", 200]);
      expect(dec(await io.readFile(p))).toBe("mine");
      expect(await listNames(d)).toEqual(["snapshot-1"]);
    });

    it("the RENAME never arrived and another committer won meanwhile: AlreadyExistsError", async () => {
      const d = dir("amb-lost-race");
      const p = joinPath(d, "snapshot-1");
      proxy.reset((s, n) =>
        s.op === "RENAME" && n === 1 ? { kind: "hook", run: () => io.createIfAbsent(p, enc("theirs")), then: { kind: "reset-before" } } : undefined,
      );
      await expect(faulty.createIfAbsent(p, enc("mine"))).rejects.toBeInstanceOf(AlreadyExistsError);
      expect(dec(await io.readFile(p))).toBe("theirs");
      expect(await listNames(d)).toEqual(["snapshot-1"]); // our temp file is gone
    });

    it("the RENAME may have landed and nothing can be read back: CommitStateUnknownError", async () => {
      const d = dir("amb-unknown");
      const p = joinPath(d, "snapshot-1");
      let cut = false;
      proxy.reset((s) => {
        if (cut) return { kind: "status", status: 503 };
        if (s.op === "RENAME") {
          cut = true;
          return { kind: "reset-after" };
        }
        return undefined;
      });
      const e = await faulty.createIfAbsent(p, enc("mine")).catch((x) => x);
      expect(e).toBeInstanceOf(CommitStateUnknownError);
      expect(e.isRetryable).toBe(false);
      // and indeed it had landed
      expect(dec(await io.readFile(p))).toBe("mine");
    });

    it("legacy RENAME: an answer lost after it landed is resolved the same way", async () => {
      const viaProxyLegacy = open({ endpoint: proxy.url, legacyRename: true });
      const d = dir("amb-legacy");
      const p = joinPath(d, "snapshot-1");
      proxy.reset((s, n) => (s.op === "RENAME" && n === 1 ? { kind: "reset-after" } : undefined));
      await viaProxyLegacy.createIfAbsent(p, enc("mine"));
      expect(dec(await io.readFile(p))).toBe("mine");
      expect(await listNames(d)).toEqual(["snapshot-1"]);
    });

    it("overwrite: an answer lost after the replacing RENAME landed is success", async () => {
      const d = dir("amb-ow");
      const p = joinPath(d, "LATEST");
      await io.overwrite(p, enc("1"));
      proxy.reset((s, n) => (s.op === "RENAME" && n === 1 ? { kind: "reset-after" } : undefined));
      await faulty.overwrite(p, enc("2"));
      expect(dec(await io.readFile(p))).toBe("2");
      expect(await listNames(d)).toEqual(["LATEST"]);
    });

    it("an ambiguous DELETE is resolved by looking: gone means deleted", async () => {
      const f = joinPath(dir("amb-del"), "f");
      await io.createIfAbsent(f, enc("x"));
      proxy.reset((s, n) => (s.op === "DELETE" && n === 1 ? { kind: "reset-after" } : undefined));
      expect(await faulty.delete(f)).toBe(true);
      expect(await io.exists(f)).toBe(false);
    });
  });
});

if (!live) it.skip("HDFS fault tests (no HDFS test server: see the warning above)", () => undefined);
