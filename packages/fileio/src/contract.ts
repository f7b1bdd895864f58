/**
 * The FileIO contract suite: every backend runs these tests unchanged
 * (`fileIOContractSuite("local", async () => ({ io, root }))`). A backend that passes
 * can carry paimon-core, including its snapshot commits.
 */
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { randomUUID } from "node:crypto";
import { AlreadyExistsError, NotFoundError, isAlreadyExists, isNotFound, isRetryable } from "./errors.js";
import { asyncBufferOf, writeFile, type FileIO, type FileStatus } from "./fileio.js";
import { joinPath } from "./path.js";

export interface ContractTarget {
  io: FileIO;
  /** A directory (URI) the suite may fill; each test uses a fresh subdirectory. */
  root: string;
  cleanup?: () => Promise<void>;
}

export interface ContractOptions {
  /** Files created for the pagination test (object stores page at 1,000). */
  manyFiles?: number;
  /** Size of the streamed file, to cross multipart thresholds. */
  largeFileBytes?: number;
  /** Parallel create-if-absent callers on one path. */
  racers?: number;
  /** Stores without real mtimes (object-store prefixes) may report 0 for directories. */
  timeout?: number;
}

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

async function collect(it: AsyncIterable<FileStatus>): Promise<FileStatus[]> {
  const out: FileStatus[] = [];
  for await (const s of it) out.push(s);
  return out;
}

function names(list: FileStatus[], root: string): string[] {
  return list.map((s) => s.path.slice(root.length).replace(/^\/+/, "").replace(/\/+$/, "")).sort();
}

export function fileIOContractSuite(name: string, setup: () => Promise<ContractTarget>, options: ContractOptions = {}): void {
  const manyFiles = options.manyFiles ?? 1005;
  const largeFileBytes = options.largeFileBytes ?? 6 * 1024 * 1024 + 123;
  const racers = options.racers ?? 16;
  const timeout = options.timeout ?? 120_000;

  describe(`FileIO contract: ${name}`, () => {
    let target: ContractTarget;
    let io: FileIO;
    const dir = (label: string) => joinPath(target.root, `${label}-${randomUUID()}`);

    beforeAll(async () => {
      target = await setup();
      io = target.io;
    }, timeout);
    afterAll(async () => {
      await target?.cleanup?.();
    }, timeout);

    describe("missing paths", () => {
      it("readFile, stat and readRange fail with a typed not-found error", async () => {
        const p = joinPath(dir("missing"), "nope");
        const e1 = await io.readFile(p).catch((e) => e);
        expect(e1).toBeInstanceOf(NotFoundError);
        expect(isNotFound(e1)).toBe(true);
        expect(isRetryable(e1)).toBe(false);
        expect(String(e1.message)).toContain("nope");
        await expect(io.stat(p)).rejects.toBeInstanceOf(NotFoundError);
        await expect(io.readRange(p, 0, 10)).rejects.toBeInstanceOf(NotFoundError);
      }, timeout);

      it("exists is false, delete reports false, deleteRecursive is a no-op", async () => {
        const d = dir("missing2");
        expect(await io.exists(joinPath(d, "f"))).toBe(false);
        expect(await io.exists(d)).toBe(false);
        expect(await io.delete(joinPath(d, "f"))).toBe(false);
        await expect(io.deleteRecursive(d)).resolves.toBeUndefined();
      }, timeout);

      it("list of a missing directory is not-found; listRecursive is empty", async () => {
        const d = dir("missing3");
        await expect(io.list(d)).rejects.toBeInstanceOf(NotFoundError);
        expect(await collect(io.listRecursive(d))).toEqual([]);
      }, timeout);
    });

    describe("create-if-absent", () => {
      it("creates a file with exact content, then refuses to overwrite it", async () => {
        const p = joinPath(dir("cia"), "snapshot-1");
        await io.createIfAbsent(p, enc("first"));
        expect(dec(await io.readFile(p))).toBe("first");
        const e = await io.createIfAbsent(p, enc("second")).catch((x) => x);
        expect(e).toBeInstanceOf(AlreadyExistsError);
        expect(isAlreadyExists(e)).toBe(true);
        expect(isRetryable(e)).toBe(false);
        expect(dec(await io.readFile(p))).toBe("first");
      }, timeout);

      it(`${racers} parallel callers on one path: exactly one wins, and its content is what stays`, async () => {
        const d = dir("race");
        const p = joinPath(d, "snapshot-7");
        const results = await Promise.allSettled(
          Array.from({ length: racers }, (_, i) => io.createIfAbsent(p, enc(`writer-${i}`))),
        );
        const winners = results.map((r, i) => (r.status === "fulfilled" ? i : -1)).filter((i) => i >= 0);
        expect(winners).toHaveLength(1);
        for (const r of results) {
          if (r.status === "rejected") expect(isAlreadyExists(r.reason)).toBe(true);
        }
        expect(dec(await io.readFile(p))).toBe(`writer-${winners[0]}`);
        // losers leave no temp files behind
        expect(names(await io.list(d), d)).toEqual(["snapshot-7"]);
      }, timeout);

      it("parallel creates of different paths all succeed", async () => {
        const d = dir("par");
        await Promise.all(Array.from({ length: 10 }, (_, i) => io.createIfAbsent(joinPath(d, `f${i}`), enc(String(i)))));
        const listed = await io.list(d);
        expect(names(listed, d)).toEqual(Array.from({ length: 10 }, (_, i) => `f${i}`).sort());
      }, timeout);

      it("creates parent directories as needed and supports empty files", async () => {
        const p = joinPath(dir("deep"), "a", "b", "c", "empty");
        await io.createIfAbsent(p, new Uint8Array(0));
        expect((await io.readFile(p)).byteLength).toBe(0);
        expect((await io.stat(p)).size).toBe(0);
      }, timeout);
    });

    describe("read and write", () => {
      it("round-trips every byte value and reads ranges", async () => {
        const p = joinPath(dir("bytes"), "all");
        const data = new Uint8Array(512).map((_, i) => i % 256);
        await io.createIfAbsent(p, data);
        expect(Array.from(await io.readFile(p))).toEqual(Array.from(data));
        expect(Array.from(await io.readRange(p, 10, 20))).toEqual(Array.from(data.slice(10, 20)));
        expect(Array.from(await io.readRange(p, 500, 10_000))).toEqual(Array.from(data.slice(500)));
        expect((await io.readRange(p, 100, 100)).byteLength).toBe(0);
        const ab = await asyncBufferOf(io, p);
        expect(ab.byteLength).toBe(512);
        expect(Array.from(new Uint8Array(await ab.slice(508)))).toEqual([252, 253, 254, 255]);
      }, timeout);

      it("stat reports size, kind and a modification time", async () => {
        const d = dir("stat");
        const p = joinPath(d, "f");
        const before = Date.now();
        await io.createIfAbsent(p, enc("12345"));
        const st = await io.stat(p);
        expect(st.size).toBe(5);
        expect(st.isDir).toBe(false);
        expect(st.modificationTime).toBeGreaterThan(before - 10 * 60_000);
        expect(st.modificationTime).toBeLessThan(Date.now() + 10 * 60_000);
        expect((await io.stat(d)).isDir).toBe(true);
      }, timeout);

      it("overwrite replaces content and creates when absent", async () => {
        const p = joinPath(dir("ow"), "LATEST");
        await io.overwrite(p, enc("1"));
        expect(dec(await io.readFile(p))).toBe("1");
        await io.overwrite(p, enc("22"));
        expect(dec(await io.readFile(p))).toBe("22");
        expect((await io.stat(p)).size).toBe(2);
      }, timeout);

      it("streams a large file in chunks, invisible until closed", async () => {
        const p = joinPath(dir("large"), "data-0.parquet");
        const sink = await io.newOutputSink(p);
        const chunk = new Uint8Array(1024 * 1024 + 7).map((_, i) => (i * 31) % 251);
        let written = 0;
        while (written < largeFileBytes) {
          const n = Math.min(chunk.byteLength, largeFileBytes - written);
          await sink.write(chunk.subarray(0, n));
          written += n;
        }
        expect(sink.position).toBe(largeFileBytes);
        expect(await io.exists(p)).toBe(false);
        await sink.close();
        expect((await io.stat(p)).size).toBe(largeFileBytes);
        const tail = await io.readRange(p, largeFileBytes - 5, largeFileBytes);
        const off = (largeFileBytes - 5) % chunk.byteLength;
        expect(Array.from(tail)).toEqual(Array.from(chunk.subarray(off, off + 5)));
      }, timeout);

      it("a sink that must not overwrite fails at close and leaves the old file", async () => {
        const p = joinPath(dir("sinkx"), "f");
        await io.createIfAbsent(p, enc("old"));
        const sink = await io.newOutputSink(p, { overwrite: false });
        await sink.write(enc("new"));
        await expect(sink.close()).rejects.toBeInstanceOf(AlreadyExistsError);
        expect(dec(await io.readFile(p))).toBe("old");
      }, timeout);

      it("an overwriting sink replaces, an aborted sink leaves nothing", async () => {
        const d = dir("sinko");
        const p = joinPath(d, "f");
        await writeFile(io, p, enc("old"));
        await writeFile(io, p, enc("newer"), { overwrite: true });
        expect(dec(await io.readFile(p))).toBe("newer");
        const q = joinPath(d, "aborted");
        const sink = await io.newOutputSink(q);
        await sink.write(enc("partial"));
        await sink.abort();
        expect(await io.exists(q)).toBe(false);
        expect(names(await io.list(d), d)).toEqual(["f"]);
      }, timeout);

      it("keeps names with spaces, '=', '%' and non-ASCII characters", async () => {
        const d = dir("names");
        const odd = ["dt=2024-01-01", "a%3Ab", "日本 語", "x y=z"];
        for (const n of odd) await io.createIfAbsent(joinPath(d, n, "f"), enc(n));
        for (const n of odd) expect(dec(await io.readFile(joinPath(d, n, "f")))).toBe(n);
        expect(names(await io.list(d), d)).toEqual([...odd].sort());
      }, timeout);
    });

    describe("directories", () => {
      it("mkdirs is idempotent and list shows files and directories", async () => {
        const d = dir("dirs");
        await io.mkdirs(joinPath(d, "sub"));
        await io.mkdirs(joinPath(d, "sub"));
        expect(await io.exists(joinPath(d, "sub"))).toBe(true);
        await io.createIfAbsent(joinPath(d, "file"), enc("x"));
        await io.createIfAbsent(joinPath(d, "sub2", "inner"), enc("y"));
        const listed = await io.list(d);
        expect(names(listed, d)).toEqual(["file", "sub", "sub2"]);
        const kinds = Object.fromEntries(listed.map((s) => [names([s], d)[0], s.isDir]));
        expect(kinds).toEqual({ file: false, sub: true, sub2: true });
      }, timeout);

      it(`listRecursive returns every file below a directory (${manyFiles} files, paginated)`, async () => {
        const d = dir("many");
        const expected: string[] = [];
        const batch: Promise<void>[] = [];
        for (let i = 0; i < manyFiles; i++) {
          const rel = `p${i % 3}/bucket-${i % 2}/f-${String(i).padStart(5, "0")}`;
          expected.push(rel);
          batch.push(io.createIfAbsent(joinPath(d, rel), enc(String(i))));
          if (batch.length >= 50) await Promise.all(batch.splice(0));
        }
        await Promise.all(batch);
        const all = await collect(io.listRecursive(d));
        expect(all.every((s) => !s.isDir)).toBe(true);
        expect(names(all, d)).toEqual(expected.sort());
        const p0 = await io.list(joinPath(d, "p0", "bucket-0"));
        expect(p0.length).toBe(expected.filter((e) => e.startsWith("p0/bucket-0/")).length);
      }, timeout);

      it("delete removes one file; deleteRecursive removes a tree", async () => {
        const d = dir("del");
        await io.createIfAbsent(joinPath(d, "a"), enc("a"));
        await io.createIfAbsent(joinPath(d, "t", "x", "y"), enc("y"));
        await io.createIfAbsent(joinPath(d, "t", "z"), enc("z"));
        expect(await io.delete(joinPath(d, "a"))).toBe(true);
        expect(await io.exists(joinPath(d, "a"))).toBe(false);
        expect(await io.delete(joinPath(d, "a"))).toBe(false);
        await io.deleteRecursive(joinPath(d, "t"));
        expect(await io.exists(joinPath(d, "t", "z"))).toBe(false);
        expect(await io.exists(joinPath(d, "t"))).toBe(false);
        expect(await collect(io.listRecursive(d))).toEqual([]);
      }, timeout);
    });

    describe("rename", () => {
      it("moves a file", async () => {
        const d = dir("mv");
        await io.createIfAbsent(joinPath(d, "src"), enc("payload"));
        await io.rename(joinPath(d, "src"), joinPath(d, "dst"));
        expect(await io.exists(joinPath(d, "src"))).toBe(false);
        expect(dec(await io.readFile(joinPath(d, "dst")))).toBe("payload");
      }, timeout);

      it("never overwrites an existing target", async () => {
        const d = dir("mvx");
        await io.createIfAbsent(joinPath(d, "src"), enc("s"));
        await io.createIfAbsent(joinPath(d, "dst"), enc("d"));
        await expect(io.rename(joinPath(d, "src"), joinPath(d, "dst"))).rejects.toBeInstanceOf(AlreadyExistsError);
        expect(dec(await io.readFile(joinPath(d, "dst")))).toBe("d");
        expect(dec(await io.readFile(joinPath(d, "src")))).toBe("s");
      }, timeout);

      it("fails with not-found when the source is missing", async () => {
        const d = dir("mvn");
        await expect(io.rename(joinPath(d, "nope"), joinPath(d, "x"))).rejects.toBeInstanceOf(NotFoundError);
        expect(await io.exists(joinPath(d, "x"))).toBe(false);
      }, timeout);
    });
  });
}
