/**
 * Focused tests against the live HDFS test server: WebHDFS's boolean answers, the
 * DataNode redirect, concurrent create-if-absent, chunked streaming, pagination.
 */
import { AlreadyExistsError, InvalidPathError, NotFoundError, PaimonError, isAlreadyExists, joinPath, type FileIO } from "@paimon-ts/fileio";
import { randomUUID } from "node:crypto";
import { HdfsFileIO, type HdfsOptions } from "../src/index.js";
import { FaultProxy } from "./fault-proxy.js";
import { hdfsTarget } from "./live.js";

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);
const live = hdfsTarget();
const suite = live ? describe : describe.skip;

suite("HDFS over WebHDFS (live)", () => {
  let rpcUri: string;
  let httpUrl: string;
  let root: string;
  let rootPath: string;
  const opened: FileIO[] = [];
  const open = (options: HdfsOptions = {}): HdfsFileIO => {
    const io = new HdfsFileIO(rpcUri, { endpoint: httpUrl, ...options });
    opened.push(io);
    return io;
  };
  let io: HdfsFileIO;
  let legacy: HdfsFileIO;
  const dir = (label: string) => joinPath(root, `${label}-${randomUUID()}`);

  beforeAll(async () => {
    ({ rpcUri, httpUrl } = await live!.ready());
    rootPath = `/paimon-ts-hdfs-test/${randomUUID()}`;
    root = `${rpcUri}${rootPath}`;
    io = open();
    legacy = open({ legacyRename: true });
  });
  afterAll(async () => {
    await io?.deleteRecursive(root);
    for (const o of opened) await o.close();
  });

  describe("RENAME's boolean answer is never silent", () => {
    it("the legacy RENAME really answers false here, and that surfaces as the right typed error", async () => {
      const d = dir("mv-false");
      await io.createIfAbsent(joinPath(d, "src"), enc("s"));
      await io.createIfAbsent(joinPath(d, "dst"), enc("d"));
      const p = io.hdfsPath(d);
      // what the server says to a plain RENAME onto an existing file: 200 {"boolean": false}
      const raw = await io.client.callBoolean({ method: "PUT", op: "RENAME", path: `${p}/src`, params: { destination: `${p}/dst` }, retry: "safe" });
      expect(raw).toBe(false);
      await expect(legacy.rename(joinPath(d, "src"), joinPath(d, "dst"))).rejects.toBeInstanceOf(AlreadyExistsError);
      await expect(legacy.rename(joinPath(d, "nope"), joinPath(d, "x"))).rejects.toBeInstanceOf(NotFoundError);
      expect(dec(await io.readFile(joinPath(d, "src")))).toBe("s");
      expect(dec(await io.readFile(joinPath(d, "dst")))).toBe("d");
    });

    it.each([
      ["rename2", false],
      ["legacy", true],
    ])("%s: rename onto an existing directory fails instead of moving into it", async (_name, legacyRename) => {
      const fs = legacyRename ? legacy : io;
      const d = dir("mv-dir");
      await fs.createIfAbsent(joinPath(d, "src"), enc("s"));
      await fs.mkdirs(joinPath(d, "target"));
      await expect(fs.rename(joinPath(d, "src"), joinPath(d, "target"))).rejects.toBeInstanceOf(AlreadyExistsError);
      expect(await fs.exists(joinPath(d, "target", "src"))).toBe(false);
      expect(dec(await fs.readFile(joinPath(d, "src")))).toBe("s");
    });

    it("legacy: a directory that appears between the check and the RENAME does not swallow the file", async () => {
      const proxy = await FaultProxy.start(httpUrl);
      try {
        const viaProxy = open({ endpoint: proxy.url, legacyRename: true });
        const d = dir("mv-race-dir");
        await io.createIfAbsent(joinPath(d, "src"), enc("s"));
        proxy.reset((s) => (s.op === "RENAME" && s.path.endsWith("/src") ? { kind: "hook", run: () => io.mkdirs(joinPath(d, "dst")), then: { kind: "pass" } } : undefined));
        await expect(viaProxy.rename(joinPath(d, "src"), joinPath(d, "dst"))).rejects.toBeInstanceOf(AlreadyExistsError);
        // the server did move it into the directory (true); the client moved it back
        expect(proxy.ops("RENAME").map((s) => s.path.slice(io.hdfsPath(d).length))).toEqual(["/src", "/dst/src"]);
        expect(dec(await io.readFile(joinPath(d, "src")))).toBe("s");
        expect(await io.list(joinPath(d, "dst"))).toEqual([]);
      } finally {
        await proxy.close();
      }
    });

    it("a gateway answering {boolean:false} to rename2 is checked against the state", async () => {
      const proxy = await FaultProxy.start(httpUrl);
      try {
        const viaProxy = open({ endpoint: proxy.url, maxRetries: 0 });
        const d = dir("mv-gw");
        await io.createIfAbsent(joinPath(d, "src"), enc("s"));
        await io.createIfAbsent(joinPath(d, "taken"), enc("t"));
        proxy.reset((s) => (s.op === "RENAME" ? { kind: "status", status: 200, body: '{"boolean":false}' } : undefined));
        await expect(viaProxy.rename(joinPath(d, "src"), joinPath(d, "taken"))).rejects.toBeInstanceOf(AlreadyExistsError);
        const e = await viaProxy.rename(joinPath(d, "src"), joinPath(d, "free")).catch((x) => x);
        expect(e).toBeInstanceOf(PaimonError);
        expect(e.code).toBe("IO");
        expect(String(e.message)).toMatch(/answered false/);
        expect(await io.exists(joinPath(d, "src"))).toBe(true);
      } finally {
        await proxy.close();
      }
    });
  });

  describe("DELETE's boolean answer is never silent", () => {
    it("false for a missing path, true for a deleted one", async () => {
      const d = dir("del");
      const f = joinPath(d, "f");
      await io.createIfAbsent(f, enc("x"));
      const p = io.hdfsPath(joinPath(d, "missing"));
      expect(await io.client.callBoolean({ method: "DELETE", op: "DELETE", path: p, retry: "safe" })).toBe(false);
      expect(await io.delete(joinPath(d, "missing"))).toBe(false);
      expect(await io.delete(f)).toBe(true);
      expect(await io.delete(f)).toBe(false);
    });

    it("false while the path still exists is an error, not 'nothing to delete'", async () => {
      const proxy = await FaultProxy.start(httpUrl);
      try {
        const viaProxy = open({ endpoint: proxy.url, maxRetries: 0 });
        const f = joinPath(dir("del-false"), "f");
        await io.createIfAbsent(f, enc("x"));
        proxy.reset((s) => (s.op === "DELETE" ? { kind: "status", status: 200, body: '{"boolean":false}' } : undefined));
        await expect(viaProxy.delete(f)).rejects.toThrow(/answered false but the path exists/);
        await expect(viaProxy.deleteRecursive(f)).rejects.toThrow(/answered false but the path exists/);
        proxy.reset((s) => (s.op === "MKDIRS" ? { kind: "status", status: 200, body: '{"boolean":false}' } : undefined));
        await expect(viaProxy.mkdirs(joinPath(dir("mk"), "m"))).rejects.toThrow(/MKDIRS .* answered false/);
        expect(await io.exists(f)).toBe(true);
      } finally {
        await proxy.close();
      }
    });
  });

  describe("the DataNode redirect", () => {
    it("OPEN and CREATE go to the NameNode for a 307, then to the DataNode with the bytes", async () => {
      const proxy = await FaultProxy.start(httpUrl);
      try {
        const viaProxy = open({ endpoint: proxy.url });
        const f = joinPath(dir("redirect"), "data");
        const data = new Uint8Array(300_000).map((_, i) => (i * 7) % 256);
        await viaProxy.createIfAbsent(f, data);
        const create = proxy.ops("CREATE");
        expect(create).toHaveLength(1);
        expect(create[0].status).toBe(307);
        expect(create[0].requestBytes).toBe(0); // the NameNode never sees the data
        const dn = new URL(create[0].location!);
        expect(dn.port).not.toBe(new URL(httpUrl).port);
        expect(dn.searchParams.get("op")).toBe("CREATE");
        expect(create[0].path).toMatch(/\/\.data\.[0-9a-f-]+\.tmp$/); // written under a temp name
        expect(proxy.ops("RENAME")).toHaveLength(1);

        expect(Buffer.from(await viaProxy.readFile(f)).equals(data)).toBe(true);
        expect(Array.from(await viaProxy.readRange(f, 1000, 1010))).toEqual(Array.from(data.subarray(1000, 1010)));
        const opens = proxy.ops("OPEN");
        expect(opens.map((s) => s.status)).toEqual([307, 307]);
        expect(new URL(opens[1].location!).searchParams.get("offset")).toBe("1000");
        expect(new URL(opens[1].location!).searchParams.get("length")).toBe("10");
      } finally {
        await proxy.close();
      }
    });

    it("reads at or past the end are empty (the DataNode itself refuses them)", async () => {
      const f = joinPath(dir("eof"), "f");
      await io.createIfAbsent(f, enc("12345"));
      expect((await io.readRange(f, 5, 10)).byteLength).toBe(0);
      expect((await io.readRange(f, 50, 60)).byteLength).toBe(0);
      expect(dec(await io.readRange(f, 3, 60))).toBe("45");
      expect(dec(await io.readRange(f, 2, Infinity))).toBe("345");
      await expect(io.readRange(joinPath(dir("eof"), "missing"), 5, 5)).rejects.toBeInstanceOf(NotFoundError);
    });
  });

  describe("create-if-absent under contention", () => {
    it.each([
      ["rename2", false],
      ["legacy", true],
    ])("%s: 8 concurrent creators of one path, exactly one winner", async (_name, legacyRename) => {
      // separate clients, as separate committers would be
      const clients = Array.from({ length: 8 }, () => open({ legacyRename }));
      const d = dir("race8");
      const p = joinPath(d, "snapshot-1");
      const results = await Promise.allSettled(clients.map((c, i) => c.createIfAbsent(p, enc(`writer-${i}`))));
      const winners = results.flatMap((r, i) => (r.status === "fulfilled" ? [i] : []));
      expect(winners).toHaveLength(1);
      for (const r of results) if (r.status === "rejected") expect(isAlreadyExists(r.reason)).toBe(true);
      expect(dec(await io.readFile(p))).toBe(`writer-${winners[0]}`);
      expect((await io.list(d)).map((s) => s.path)).toEqual([p]); // no temp file left
    });
  });

  describe("streaming writes", () => {
    it("CREATE then APPEND per chunk into a temp file, published at close", async () => {
      const proxy = await FaultProxy.start(httpUrl);
      try {
        const small = open({ endpoint: proxy.url, writeChunkBytes: 256 * 1024 });
        const d = dir("stream");
        const f = joinPath(d, "data-0.orc");
        const sink = await small.newOutputSink(f);
        const expected: number[] = [];
        for (let i = 0; i < 10; i++) {
          const chunk = new Uint8Array(100_003).map((_, j) => (i * 13 + j) % 251);
          await sink.write(chunk);
          chunk.fill(0); // the sink copied it
          for (let j = 0; j < 100_003; j++) expected.push((i * 13 + j) % 251);
        }
        expect(await io.exists(f)).toBe(false);
        const tmp = (await io.list(d)).map((s) => s.path);
        expect(tmp).toHaveLength(1);
        expect(tmp[0]).toMatch(/\/\.data-0\.orc\.[0-9a-f-]+\.tmp$/);
        await sink.close();
        expect(proxy.ops("CREATE")).toHaveLength(1);
        expect(proxy.ops("APPEND").length).toBeGreaterThanOrEqual(2);
        const back = await io.readFile(f);
        expect(back.byteLength).toBe(expected.length);
        expect(Buffer.from(back).equals(Buffer.from(expected))).toBe(true);
        expect((await io.list(d)).map((s) => s.path)).toEqual([f]);

        const aborted = await small.newOutputSink(joinPath(d, "aborted"));
        await aborted.write(new Uint8Array(600_000));
        await aborted.abort();
        expect((await io.list(d)).map((s) => s.path)).toEqual([f]);
      } finally {
        await proxy.close();
      }
    });
  });

  describe("listings", () => {
    it("LISTSTATUS_BATCH pages are followed to the end", async () => {
      const proxy = await FaultProxy.start(httpUrl);
      try {
        const viaProxy = open({ endpoint: proxy.url });
        const d = dir("pages");
        const names = Array.from({ length: 250 }, (_, i) => `f-${String(i).padStart(4, "0")}`);
        for (let i = 0; i < names.length; i += 50) {
          await Promise.all(names.slice(i, i + 50).map((n) => io.createIfAbsent(joinPath(d, n), enc(n))));
        }
        proxy.reset();
        const listed = (await viaProxy.list(d)).map((s) => s.path.slice(d.length + 1));
        expect(listed).toEqual(names);
        // the test server lists 100 entries per page (dfs.ls.limit)
        expect(proxy.ops("LISTSTATUS_BATCH").length).toBeGreaterThanOrEqual(3);
        const all: string[] = [];
        for await (const s of viaProxy.listRecursive(d)) all.push(s.path);
        expect(all).toHaveLength(250);
      } finally {
        await proxy.close();
      }
    });

    it("a path below a file does not exist; listing a file is an invalid path", async () => {
      const f = joinPath(dir("below"), "file");
      await io.createIfAbsent(f, enc("x"));
      expect(await io.exists(joinPath(f, "child"))).toBe(false);
      await expect(io.stat(joinPath(f, "child"))).rejects.toBeInstanceOf(NotFoundError);
      await expect(io.list(f)).rejects.toBeInstanceOf(InvalidPathError);
    });
  });
});

if (!live) it.skip("HDFS live tests (no HDFS test server: see the warning above)", () => undefined);
