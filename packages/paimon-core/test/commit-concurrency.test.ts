/**
 * The commit protocol under concurrency and failure: racing writers on one snapshot id,
 * exactly-once after an unknown publish outcome, retries running out, cleanup of failed
 * attempts, conflict detection (deleted inputs, LSM key ranges, bucket counts, deletion
 * vectors), and filterCommitted for restarted writers.
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { rowMultiset } from "@paimon-ts/oracle";
import { AlreadyExistsError, CommitConflictError, CommitStateUnknownError, InvalidInputError, PermissionError, RetryableError, writeFile } from "@paimon-ts/fileio";
import { FileStoreCommit, latestSnapshotOfUser } from "../src/commit/file-store-commit.js";
import { removeOrphanFiles } from "../src/commit/orphan.js";
import { serializeBinaryRow } from "../src/data/binary-row.js";
import type { InternalValue } from "../src/data/values.js";
import { DELETION_VECTORS_INDEX, FileSource, HASH_INDEX, type IndexFileMeta } from "../src/manifest/model.js";
import { DataTypes as T } from "../src/types/datatype.js";
import {
  HookedIO,
  barrier,
  canonicalOf,
  canonicalRows,
  createTable,
  manifestDirFiles,
  message,
  messagesOf,
  newWarehouse,
  onIO,
  writeDataFile,
  type TestWarehouse,
} from "./commit-helpers.js";

let wh: TestWarehouse;
beforeEach(async () => {
  wh = await newWarehouse();
});
afterEach(() => wh.cleanup());

const noWait = { sleep: async () => undefined };
const isSnapshot = (p: string) => /\/snapshot\/snapshot-\d+$/.test(p);

async function appendTable(name = "t") {
  return createTable(wh, name, {
    columns: [
      { name: "id", type: T.INT(false) },
      { name: "v", type: T.STRING() },
    ],
  });
}

/** No file in the table is unreferenced (every attempt that did not publish was cleaned up). */
async function expectNoOrphans(t: Awaited<ReturnType<typeof appendTable>>) {
  const r = await removeOrphanFiles(t, { olderThanMillis: Date.now() + 60_000, dryRun: true });
  expect(r.files).toEqual([]);
}

describe("racing writers", () => {
  it("two writers race for the same snapshot id: both commits land, nothing is lost", async () => {
    const t = await appendTable();
    await new FileStoreCommit(t).commit(messagesOf(t, [await writeDataFile(t, [[0, "seed"]])]));
    const io = new HookedIO(wh.io);
    const arrive = barrier(2);
    const attempts: string[] = [];
    io.onCreateIfAbsent = async (path, _data, real) => {
      if (isSnapshot(path)) {
        attempts.push(path.slice(path.lastIndexOf("/") + 1));
        if (attempts.length <= 2) await arrive(); // both prepared against snapshot 1
      }
      return real();
    };
    const ta = onIO(t, io);
    const tb = onIO(t, io);
    const a = new FileStoreCommit(ta, { commitUser: "writer-a" });
    const b = new FileStoreCommit(tb, { commitUser: "writer-b" });
    const fa = await writeDataFile(t, [[1, "a"]]);
    const fb = await writeDataFile(t, [[2, "b"]]);
    const [ia, ib] = await Promise.all([a.commit(messagesOf(t, [fa])), b.commit(messagesOf(t, [fb]))]);
    expect([...ia, ...ib].sort()).toEqual([2n, 3n]);
    expect(attempts).toEqual(["snapshot-2", "snapshot-2", "snapshot-3"]);
    const users = [(await t.snapshots.snapshot(2n)).commitUser, (await t.snapshots.snapshot(3n)).commitUser].sort();
    expect(users).toEqual(["writer-a", "writer-b"]);
    expect((await t.snapshots.snapshot(3n)).totalRecordCount).toBe(3n);
    expect(rowMultiset(await canonicalRows(t))).toEqual(
      rowMultiset(
        canonicalOf(t, [
          [0, "seed"],
          [1, "a"],
          [2, "b"],
        ]),
      ),
    );
    await expectNoOrphans(t);
  });

  it("eight concurrent writers all land in some order", async () => {
    const t = await appendTable();
    const n = 8;
    const files = await Promise.all(Array.from({ length: n }, (_, i) => writeDataFile(t, [[i, `w${i}`]])));
    const ids = await Promise.all(files.map((f, i) => new FileStoreCommit(onIO(t, wh.io), { commitUser: `w${i}`, maxRetries: 50, minRetryWaitMs: 1, maxRetryWaitMs: 20 }).commit(messagesOf(t, [f]))));
    expect(
      ids
        .flat()
        .map(Number)
        .sort((x, y) => x - y),
    ).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(rowMultiset(await canonicalRows(t))).toEqual(
      rowMultiset(
        canonicalOf(
          t,
          files.map((_, i) => [i, `w${i}`]),
        ),
      ),
    );
    await expectNoOrphans(t);
  });
});

describe("unknown publish outcomes and exactly-once", () => {
  it("the snapshot landed but the store reported an error: read back, no duplicate", async () => {
    const t = await appendTable();
    const io = new HookedIO(wh.io);
    let failures = 0;
    io.onCreateIfAbsent = async (path, _d, real) => {
      await real();
      if (isSnapshot(path) && failures++ === 0) throw new CommitStateUnknownError(`timeout after sending ${path}`);
    };
    const c = new FileStoreCommit(onIO(t, io), { commitUser: "u", ...noWait });
    expect(await c.commit(messagesOf(t, [await writeDataFile(t, [[1, "a"]])]))).toEqual([1n]);
    expect(await t.snapshots.listIds()).toEqual([1n]);
    expect(rowMultiset(await canonicalRows(t))).toEqual(rowMultiset(canonicalOf(t, [[1, "a"]])));
  });

  it("landed, and the read-back fails too: the retry's exactly-once check finds it (APPEND and COMPACT)", async () => {
    const t = await appendTable();
    const f1 = await writeDataFile(t, [[1, "a"]]);
    await new FileStoreCommit(t).commit(messagesOf(t, [f1]));
    const io = new HookedIO(wh.io);
    const unknownFor = new Set<string>();
    io.onCreateIfAbsent = async (path, _d, real) => {
      await real();
      if (isSnapshot(path) && !unknownFor.has(path)) {
        unknownFor.add(path);
        throw new RetryableError(`connection reset after writing ${path}`);
      }
    };
    let readFailures = 0;
    io.onReadFile = async (path, real) => {
      if (isSnapshot(path) && unknownFor.has(path) && readFailures++ % 2 === 0) throw new RetryableError(`read of ${path} failed`);
      return real();
    };
    const c = new FileStoreCommit(onIO(t, io), { commitUser: "u", ...noWait });
    const f2 = await writeDataFile(t, [[2, "b"]]);
    const f12 = await writeDataFile(
      t,
      [
        [1, "a"],
        [3, "c"],
      ],
      { fileSource: FileSource.COMPACT },
    );
    const ids = await c.commit([message(t, f1.partition, 0, { newFiles: [f2.meta], compactBefore: [f1.meta], compactAfter: [f12.meta] })], { commitIdentifier: 5n });
    expect(ids).toEqual([2n, 3n]);
    expect(await t.snapshots.listIds()).toEqual([1n, 2n, 3n]);
    expect((await t.snapshots.snapshot(2n)).commitKind).toBe("APPEND");
    expect((await t.snapshots.snapshot(3n)).commitKind).toBe("COMPACT");
    expect(rowMultiset(await canonicalRows(t))).toEqual(
      rowMultiset(
        canonicalOf(t, [
          [1, "a"],
          [2, "b"],
          [3, "c"],
        ]),
      ),
    );
  });

  it("the publish failed before writing: the retry commits once", async () => {
    const t = await appendTable();
    const io = new HookedIO(wh.io);
    let n = 0;
    io.onCreateIfAbsent = async (path, _d, real) => {
      if (isSnapshot(path) && n++ === 0) throw new CommitStateUnknownError("timeout before anything was sent");
      return real();
    };
    const c = new FileStoreCommit(onIO(t, io), { commitUser: "u", ...noWait });
    expect(await c.commit(messagesOf(t, [await writeDataFile(t, [[1, "a"]])]))).toEqual([1n]);
    expect(await t.snapshots.listIds()).toEqual([1n]);
  });

  it.each([
    ["detected by reading back its uuid", false],
    ["resolved by the next attempt's exactly-once check", true],
  ])("an ambiguous error while another writer took the id: %s; committed at the next id, nothing left behind", async (_label, readBackFails) => {
    const t = await appendTable();
    const other = new FileStoreCommit(t, { commitUser: "other" });
    const fo = await writeDataFile(t, [[9, "other"]]);
    const io = new HookedIO(wh.io);
    let n = 0;
    io.onCreateIfAbsent = async (path, _d, real) => {
      if (isSnapshot(path) && n++ === 0) {
        await other.commit(messagesOf(t, [fo]));
        throw new CommitStateUnknownError("lost connection");
      }
      return real();
    };
    let reads = 0;
    io.onReadFile = async (path, real) => {
      if (readBackFails && path.endsWith("/snapshot-1") && reads++ === 0) throw new RetryableError("read failed");
      return real();
    };
    const c = new FileStoreCommit(onIO(t, io), { commitUser: "u", ...noWait });
    expect(await c.commit(messagesOf(t, [await writeDataFile(t, [[1, "a"]])]))).toEqual([2n]);
    expect(reads).toBe(readBackFails ? 2 : 0);
    expect((await t.snapshots.snapshot(1n)).commitUser).toBe("other");
    expect((await t.snapshots.snapshot(2n)).commitUser).toBe("u");
    expect(rowMultiset(await canonicalRows(t))).toEqual(
      rowMultiset(
        canonicalOf(t, [
          [9, "other"],
          [1, "a"],
        ]),
      ),
    );
    await expectNoOrphans(t);
  });

  it("after an unresolved ambiguous attempt, any failure is reported as CommitStateUnknownError", async () => {
    const t = await appendTable();
    const io = new HookedIO(wh.io);
    let published = false;
    io.onCreateIfAbsent = async (path, _d, real) => {
      if (isSnapshot(path)) {
        published = true;
        throw new CommitStateUnknownError("timeout");
      }
      return real();
    };
    io.onReadFile = async (path, real) => {
      if (isSnapshot(path)) throw new RetryableError("unreachable");
      return real();
    };
    io.onNewOutputSink = async (path, real) => {
      if (published && path.includes("/manifest/")) throw new PermissionError(path, "access revoked");
      return real();
    };
    const err = await new FileStoreCommit(onIO(t, io), noWait).commit(messagesOf(t, [await writeDataFile(t, [[1, "a"]])])).catch((e) => e);
    expect(err).toBeInstanceOf(CommitStateUnknownError);
    expect(err.message).toMatch(/may have landed as snapshot 1/);
    expect(err.cause).toBeInstanceOf(PermissionError);
  });

  it("retries running out: CommitStateUnknownError when an attempt may have landed, CommitConflictError otherwise; nothing left behind", async () => {
    const t = await appendTable();
    const io = new HookedIO(wh.io);
    io.onCreateIfAbsent = async (path, _d, real) => {
      if (isSnapshot(path)) throw new RetryableError("store unavailable");
      return real();
    };
    const f = await writeDataFile(t, [[1, "a"]]);
    const c = new FileStoreCommit(onIO(t, io), { maxRetries: 2, ...noWait });
    await expect(c.commit(messagesOf(t, [f]))).rejects.toBeInstanceOf(CommitStateUnknownError);
    expect(await t.snapshots.listIds()).toEqual([]);

    io.onCreateIfAbsent = async (path, _d, real) => {
      if (isSnapshot(path)) throw new AlreadyExistsError(path);
      return real();
    };
    const before = manifestDirFiles(t);
    await expect(new FileStoreCommit(onIO(t, io), { maxRetries: 3, ...noWait }).commit(messagesOf(t, [f]))).rejects.toThrow(CommitConflictError);
    expect(manifestDirFiles(t)).toEqual(before);
    expect(await t.snapshots.listIds()).toEqual([]);
  });

  it("a failure while preparing deletes the attempt's files; a retryable one is retried", async () => {
    const t = await appendTable();
    await new FileStoreCommit(t).commit(messagesOf(t, [await writeDataFile(t, [[1, "a"]])]));
    const before = manifestDirFiles(t);
    const io = new HookedIO(wh.io);
    io.onNewOutputSink = async (path, real) => {
      if (/manifest-list-/.test(path) && manifestDirFiles(t).length > before.length) throw new PermissionError(path);
      return real();
    };
    const f = await writeDataFile(t, [[2, "b"]]);
    await expect(new FileStoreCommit(onIO(t, io), noWait).commit(messagesOf(t, [f]))).rejects.toBeInstanceOf(PermissionError);
    expect(manifestDirFiles(t)).toEqual(before);
    expect(await t.snapshots.listIds()).toEqual([1n]);

    let failed = 0;
    io.onNewOutputSink = async (path, real) => {
      if (/\/manifest-[0-9a-f]{8}-/.test(path) && failed++ === 0) throw new RetryableError("throttled");
      return real();
    };
    expect(await new FileStoreCommit(onIO(t, io), noWait).commit(messagesOf(t, [f]))).toEqual([2n]);
    expect(failed).toBe(2);
    await expectNoOrphans(t);
  });
});

describe("conflict detection", () => {
  it("a compaction whose inputs another commit removed fails with CommitConflictError", async () => {
    const t = await createTable(wh, "p", {
      columns: [
        { name: "dt", type: T.STRING() },
        { name: "v", type: T.INT() },
      ],
      partitionKeys: ["dt"],
    });
    const f1 = await writeDataFile(t, [["x", 1]], { partition: ["x"] });
    const f2 = await writeDataFile(t, [["x", 2]], { partition: ["x"] });
    await new FileStoreCommit(t).commit(messagesOf(t, [f1, f2]));
    const f12 = await writeDataFile(
      t,
      [
        ["x", 1],
        ["x", 2],
      ],
      { partition: ["x"], fileSource: FileSource.COMPACT },
    );
    // meanwhile another job deletes f1
    await new FileStoreCommit(t).commit([message(t, f1.partition, 0, { deletedFiles: [f1.meta] })]);
    const compact = new FileStoreCommit(t, { commitUser: "compactor" });
    const err = await compact.commit([message(t, f1.partition, 0, { compactBefore: [f1.meta, f2.meta], compactAfter: [f12.meta] })]).catch((e) => e);
    expect(err).toBeInstanceOf(CommitConflictError);
    expect(err.message).toMatch(/table db\.p: file deletion conflict in partition dt=x, bucket 0: .*no longer live.*/);
    expect(err.message).toContain(f1.meta.fileName);
    expect(await t.snapshots.latestId()).toBe(2n);
    expect(rowMultiset(await canonicalRows(t))).toEqual(rowMultiset(canonicalOf(t, [["x", 2]])));
  });

  it("conflict detection runs again when the compaction loses the race to a truncate", async () => {
    const t = await appendTable();
    const f1 = await writeDataFile(t, [[1, "a"]]);
    const f2 = await writeDataFile(t, [[2, "b"]]);
    await new FileStoreCommit(t).commit(messagesOf(t, [f1, f2]));
    const f12 = await writeDataFile(
      t,
      [
        [1, "a"],
        [2, "b"],
      ],
      { fileSource: FileSource.COMPACT },
    );
    const io = new HookedIO(wh.io);
    const arrive = barrier(2);
    let n = 0;
    io.onCreateIfAbsent = async (path, _d, real) => {
      if (isSnapshot(path) && n++ < 2) await arrive();
      return real();
    };
    const compactor = new FileStoreCommit(onIO(t, io), { commitUser: "compactor", ...noWait });
    const truncator = new FileStoreCommit(onIO(t, io), { commitUser: "truncator", ...noWait });
    const results = await Promise.allSettled([
      compactor.commit([message(t, f1.partition, 0, { compactBefore: [f1.meta, f2.meta], compactAfter: [f12.meta] })]),
      truncator.truncateTable(),
    ]);
    // whichever loses the race re-checks against the winner: a compaction after a truncate
    // conflicts; a truncate after a compaction simply deletes the compacted file too
    const snapshot2 = await t.snapshots.snapshot(2n);
    if (snapshot2.commitUser === "truncator") {
      expect(results[0].status).toBe("rejected");
      expect((results[0] as PromiseRejectedResult).reason).toBeInstanceOf(CommitConflictError);
      expect(await t.snapshots.latestId()).toBe(2n);
    } else {
      expect(results.map((r) => r.status)).toEqual(["fulfilled", "fulfilled"]);
      expect((await t.snapshots.snapshot(3n)).operation).toBe("TRUNCATE");
    }
    expect(await canonicalRows(t)).toEqual([]);
  });

  it("a compaction part that conflicts after its APPEND part landed says which snapshot was committed", async () => {
    const t = await appendTable();
    const f1 = await writeDataFile(t, [[1, "a"]]);
    await new FileStoreCommit(t).commit(messagesOf(t, [f1]));
    await new FileStoreCommit(t).truncateTable();
    const f2 = await writeDataFile(t, [[2, "b"]]);
    const f1b = await writeDataFile(t, [[1, "a"]], { fileSource: FileSource.COMPACT });
    const err = await new FileStoreCommit(t).commit([message(t, f1.partition, 0, { newFiles: [f2.meta], compactBefore: [f1.meta], compactAfter: [f1b.meta] })]).catch((e) => e);
    expect(err).toBeInstanceOf(CommitConflictError);
    expect(err.committedSnapshotIds).toEqual([3n]);
    expect(err.message).toMatch(/snapshot 3 of the same commit was already committed/);
    expect(rowMultiset(await canonicalRows(t))).toEqual(rowMultiset(canonicalOf(t, [[2, "b"]])));
  });

  it("LSM key ranges of one level must not overlap", async () => {
    const t = await createTable(wh, "pk", {
      columns: [
        { name: "k", type: T.INT(false) },
        { name: "v", type: T.STRING() },
      ],
      primaryKeys: ["k"],
      options: { bucket: "1" },
    });
    const c = new FileStoreCommit(t);
    const l0 = await writeDataFile(t, [
      [1, "a"],
      [5, "e"],
    ]);
    await c.commit(messagesOf(t, [l0]));
    const low = await writeDataFile(
      t,
      [
        [1, "a"],
        [3, "c"],
      ],
      { level: 5, fileSource: FileSource.COMPACT },
    );
    const high = await writeDataFile(
      t,
      [
        [3, "c"],
        [5, "e"],
      ],
      { level: 5, fileSource: FileSource.COMPACT },
    );
    const err = await c.commit([message(t, l0.partition, 0, { compactBefore: [l0.meta], compactAfter: [low.meta, high.meta] })]).catch((e) => e);
    expect(err).toBeInstanceOf(CommitConflictError);
    expect(err.message).toMatch(/LSM key-range conflict in partition <unpartitioned>, bucket 0, level 5/);
    const high2 = await writeDataFile(t, [[5, "e"]], { level: 5, fileSource: FileSource.COMPACT });
    expect(await c.commit([message(t, l0.partition, 0, { compactBefore: [l0.meta], compactAfter: [low.meta, high2.meta] })])).toEqual([2n]);
    expect(rowMultiset(await canonicalRows(t))).toEqual(
      rowMultiset(
        canonicalOf(t, [
          [1, "a"],
          [3, "c"],
          [5, "e"],
        ]),
      ),
    );
  });

  it("bucket count changes need an overwrite; a file added twice is refused", async () => {
    const t = await createTable(wh, "fb", {
      columns: [
        { name: "k", type: T.INT(false) },
        { name: "v", type: T.STRING() },
      ],
      primaryKeys: ["k"],
      options: { bucket: "2" },
    });
    const c = new FileStoreCommit(t);
    const f = await writeDataFile(t, [[1, "a"]]);
    await c.commit(messagesOf(t, [f]));
    const g = await writeDataFile(t, [[2, "b"]], { bucket: 1 });
    const err = await c.commit([{ ...message(t, g.partition, 1, { newFiles: [g.meta] }), totalBuckets: 3 }], { checkAppendConflicts: true }).catch((e) => e);
    expect(err).toBeInstanceOf(CommitConflictError);
    expect(err.message).toMatch(/bucket count conflict: partition <unpartitioned> has 2 buckets, the commit writes files for 3/);
    // the same file again
    const dup = await c.commit(messagesOf(t, [f]), { checkAppendConflicts: true }).catch((e) => e);
    expect(dup).toBeInstanceOf(CommitConflictError);
    expect(dup.message).toMatch(/already live/);
    await expect(c.commit([message(t, f.partition, 0, { newFiles: [g.meta, g.meta] })])).rejects.toBeInstanceOf(InvalidInputError);
    expect(await t.snapshots.latestId()).toBe(1n);
    // an overwrite may change the bucket count
    const h = await writeDataFile(t, [[3, "c"]], { bucket: 2 });
    expect(await c.overwrite([{ ...message(t, h.partition, 2, { newFiles: [h.meta] }), totalBuckets: 3 }])).toEqual([2n]);
    expect(rowMultiset(await canonicalRows(t))).toEqual(rowMultiset(canonicalOf(t, [[3, "c"]])));
  });

  it("a deletion vector for a data file that was compacted away concurrently conflicts", async () => {
    const t = await createTable(wh, "dv", {
      columns: [
        { name: "id", type: T.INT() },
        { name: "v", type: T.STRING() },
      ],
      options: { "deletion-vectors.enabled": "true" },
    });
    const c = new FileStoreCommit(t);
    const f1 = await writeDataFile(t, [
      [1, "a"],
      [2, "b"],
    ]);
    await c.commit(messagesOf(t, [f1]));
    // a compaction rewrites f1
    const f1b = await writeDataFile(
      t,
      [
        [1, "a"],
        [2, "b"],
      ],
      { fileSource: FileSource.COMPACT },
    );
    await c.commit([message(t, f1.partition, 0, { compactBefore: [f1.meta], compactAfter: [f1b.meta] })]);
    // a row-level delete prepared against f1 writes a DV for it
    await writeFile(wh.io, join(t.path, "index", "index-dv-0"), new Uint8Array([1, 0, 0, 0, 0]));
    const dv: IndexFileMeta = {
      indexType: DELETION_VECTORS_INDEX,
      fileName: "index-dv-0",
      fileSize: 5n,
      rowCount: 1n,
      dvRanges: [{ dataFileName: f1.meta.fileName, offset: 1, length: 4, cardinality: 1n }],
      externalPath: null,
      globalIndex: null,
    };
    const err = await c.commit([message(t, f1.partition, 0, { newIndexFiles: [dv] })]).catch((e) => e);
    expect(err).toBeInstanceOf(CommitConflictError);
    expect(err.message).toMatch(/deletion vector file index-dv-0 covers data file .* which is not live/);
    expect(await t.snapshots.latestId()).toBe(2n);
  });
});

describe("dynamic-bucket HASH index", () => {
  it("a writer whose HASH index base is stale for a partition it re-indexes conflicts; other partitions are fine", async () => {
    const t = await createTable(wh, "dyn", {
      columns: [
        { name: "p", type: T.STRING() },
        { name: "k", type: T.INT(false) },
        { name: "v", type: T.STRING() },
      ],
      primaryKeys: ["p", "k"],
      partitionKeys: ["p"],
    });
    const hash = async (name: string): Promise<IndexFileMeta> => {
      await writeFile(wh.io, join(t.path, "index", name), new Uint8Array(4));
      return { indexType: HASH_INDEX, fileName: name, fileSize: 4n, rowCount: 1n, dvRanges: null, externalPath: null, globalIndex: null };
    };
    const write = async (p: string, k: number, idx: string, base: bigint | null, seq = 0n) => {
      const f = await writeDataFile(t, [[p, k, `v${k}`]], { partition: [p], seqStart: seq });
      return new FileStoreCommit(t).commit([message(t, f.partition, 0, { newFiles: [f.meta], newIndexFiles: [await hash(idx)] })], { hashIndexBaseSnapshotId: base });
    };
    expect(await write("a", 1, "index-a-0", null)).toEqual([1n]);
    expect(await write("b", 1, "index-b-0", 1n)).toEqual([2n]); // partition a changed nothing for b
    expect(await write("a", 2, "index-a-1", 2n, 1n)).toEqual([3n]);
    // a writer that loaded partition a's index at snapshot 2 is now stale
    const err = await write("a", 3, "index-a-2", 2n, 2n).catch((e) => e);
    expect(err).toBeInstanceOf(CommitConflictError);
    expect(err.message).toMatch(/HASH index conflict in partition p=a/);
    // partition b has not changed since snapshot 2, although the table has
    expect(await write("b", 2, "index-b-1", 2n, 1n)).toEqual([4n]);
    expect(rowMultiset(await canonicalRows(t))).toEqual(
      rowMultiset(
        canonicalOf(t, [
          ["a", 1, "v1"],
          ["b", 1, "v1"],
          ["a", 2, "v2"],
          ["b", 2, "v2"],
        ]),
      ),
    );
  });
});

describe("exactly-once across restarts", () => {
  it("filterCommitted / latestSnapshotOfUser", async () => {
    const t = await appendTable();
    const u = new FileStoreCommit(t, { commitUser: "stream-u" });
    const v = new FileStoreCommit(t, { commitUser: "stream-v" });
    const rows: InternalValue[][] = [];
    for (const id of [1n, 2n, 3n]) {
      const r = [[Number(id), "u"]];
      rows.push(...r);
      await u.commit(messagesOf(t, [await writeDataFile(t, r)]), { commitIdentifier: id });
      await v.commit([], { commitIdentifier: id, allowEmpty: true });
    }
    expect((await latestSnapshotOfUser(t, "stream-u"))?.commitIdentifier).toBe(3n);
    expect(await latestSnapshotOfUser(t, "nobody")).toBeNull();
    // a restarted writer of stream-u re-offers 2..5: only 4 and 5 are still pending
    const restarted = new FileStoreCommit(t, { commitUser: "stream-u" });
    expect(await restarted.filterCommitted("stream-u", [2n, 3n, 4n, 5n])).toEqual([4n, 5n]);
    expect(await restarted.filterCommitted("fresh", [1n, 2n])).toEqual([1n, 2n]);
    await expect(restarted.filterCommitted("stream-u", [5n, 4n])).rejects.toBeInstanceOf(InvalidInputError);
    expect(rowMultiset(await canonicalRows(t))).toEqual(rowMultiset(canonicalOf(t, rows)));
    expect(readdirSync(join(t.path, "snapshot")).filter((n) => n.startsWith("snapshot-"))).toHaveLength(6);
  });
});

describe("partitions in messages", () => {
  it("partition bytes are taken as given (serialized BinaryRow with arity)", async () => {
    const t = await createTable(wh, "pp", {
      columns: [
        { name: "a", type: T.INT() },
        { name: "b", type: T.INT() },
      ],
      partitionKeys: ["a"],
    });
    const f = await writeDataFile(t, [[7, 1]], { partition: [7] });
    expect(f.partition).toEqual(serializeBinaryRow([T.INT()], [7]));
    await new FileStoreCommit(t).commit(messagesOf(t, [f]));
    expect(rowMultiset(await canonicalRows(t))).toEqual(rowMultiset(canonicalOf(t, [[7, 1]])));
  });
});
