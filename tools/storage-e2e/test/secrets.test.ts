/**
 * Storage item 4: credentials never show up anywhere in the whole stack (catalog, writer,
 * committer, reader, FileIO) — not in errors (message, stack, cause chain, inspected, as
 * JSON), not in FileIO log lines, not on the console, stdout or stderr, not in an
 * inspected catalog, table, writer or committer.
 *
 * * OSS: straight against the OSS adapter, which verifies OSS signatures and answers like
 *   OSS (403 SignatureDoesNotMatch with the key id and the string to sign, 403
 *   InvalidAccessKeyId).
 * * S3: moto checks no signatures, so a SigV4-verifying proxy (src/sigv4.ts) stands in
 *   front of it and answers like AWS (403 SignatureDoesNotMatch with AWSAccessKeyId,
 *   StringToSign and CanonicalRequest; 403 InvalidAccessKeyId). With the right keys a
 *   whole write/commit/read goes through it, so our SigV4 signing is checked too.
 * With wrong keys: the catalog, a writer, and a commit of files prepared with the right
 * keys. With the right keys but write access revoked at the snapshot (a server that
 * echoes the Authorization header): the commit fails cleanly.
 */
import { randomUUID } from "node:crypto";
import { inspect } from "node:util";
import type { FileIO } from "@paimon-ts/fileio";
import { FileStoreCommit, FileStoreTable, FileSystemCatalog } from "@paimon-ts/paimon-core";
import { FaultProxy } from "../src/fault-proxy.js";
import { OSS_CREDENTIALS, S3_CREDENTIALS, S3_ENDPOINT, ensureOssBucket, ensureS3Bucket, fileIO, newWarehouse, removeWarehouse, type Backend } from "../src/servers.js";
import { verdictXml, verifyV4 } from "../src/sigv4.js";
import { ORDERS, createTable, multiset, order, ourRows, prepare, writeAndCommit, type Change } from "../src/workload.js";
import { describeWith } from "./live.js";

jest.setTimeout(120_000);

const WRONG_SECRET = "wrong/Secret+LeakCheck/0123456789abcdefWXYZ";
const WRONG_KEY_ID = "TESTKEYWRONGLEAKCHECK42";
const RIGHT: Record<"s3" | "oss", { keyId: string; secret: string }> = {
  s3: { keyId: S3_CREDENTIALS.accessKeyId, secret: S3_CREDENTIALS.secretAccessKey },
  oss: { keyId: OSS_CREDENTIALS.accessKeyId, secret: OSS_CREDENTIALS.accessKeySecret },
};

/** Everything the stack prints while `f` runs: console, stdout, stderr. */
async function capturingOutput<T>(out: string[], f: () => Promise<T>): Promise<T> {
  const spies = [
    ...(["log", "warn", "error", "info", "debug", "trace"] as const).map((m) =>
      jest.spyOn(console, m).mockImplementation((...a: unknown[]) => void out.push(a.map((x) => inspect(x, { depth: 8 })).join(" "))),
    ),
    ...([process.stdout, process.stderr] as const).map((s) =>
      jest.spyOn(s, "write").mockImplementation(((chunk: unknown) => (out.push(String(chunk)), true)) as typeof s.write),
    ),
  ];
  try {
    return await f();
  } finally {
    for (const s of spies) s.mockRestore();
  }
}

/** Every way an error can end up in a log. */
function errorTexts(e: unknown): string[] {
  const out: string[] = [String(e), inspect(e, { showHidden: true, depth: null }), JSON.stringify(e) ?? ""];
  for (let c: unknown = e, depth = 0; c instanceof Error && depth < 10; c = c.cause, depth++) out.push(c.message, c.stack ?? "");
  return out;
}

async function failure(f: () => Promise<unknown>): Promise<Error> {
  try {
    await f();
  } catch (e) {
    expect(e).toBeInstanceOf(Error);
    return e as Error;
  }
  throw new Error("expected a failure");
}

interface Run {
  errors: Error[];
  texts: string[];
}

/**
 * With the right keys: create a table, commit (write + compaction), read back. Then with
 * `wrong` keys: each step of the stack, and a commit of files prepared with the right keys.
 */
async function rightThenWrong(backend: Backend, endpoint: string | undefined, wrong: { s3?: object; oss?: object }, logs: string[]): Promise<Run> {
  const warehouse = newWarehouse(backend, "secrets");
  const rightIO = await fileIO(warehouse, { endpoint, logger: (l) => logs.push(l) });
  const wrongIO = await fileIO(warehouse, { endpoint, logger: (l) => logs.push(l), s3: { maxAttempts: 2, baseDelayMs: 1, ...wrong.s3 }, oss: { maxAttempts: 2, baseDelayMs: 1, ...wrong.oss } });
  const errors: Error[] = [];
  const texts: string[] = [];
  try {
    const right = new FileSystemCatalog(rightIO, warehouse);
    const t = await createTable(right, "db.orders", ORDERS);
    const changes: Change[] = [1, 2, 3].map((id) => ({ kind: "+I", row: order("2024-03-01", id, 0) }));
    await writeAndCommit(t, changes, { commitUser: "secrets-right", identifier: 1n, compactFull: true });
    expect(multiset(await ourRows(t))).toEqual(multiset(changes.map((c) => c.row)));
    const pending = await prepare(t, [{ kind: "+I", row: order("2024-03-01", 9, 1) }]);

    const wrongCatalog = new FileSystemCatalog(wrongIO, warehouse);
    const wrongTable = new FileStoreTable(wrongIO, t.path, t.name, t.schema);
    const committer = new FileStoreCommit(wrongTable, { commitUser: "secrets-wrong", maxRetries: 1, minRetryWaitMs: 1, maxRetryWaitMs: 2 });
    errors.push(
      await failure(() => wrongCatalog.createDatabase("other")),
      await failure(() => wrongCatalog.listTables("db")),
      await failure(() => wrongCatalog.getTable("db.orders")),
      await failure(() => prepare(wrongTable, [{ kind: "+I", row: order("2024-03-01", 8, 1) }])),
      await failure(() => ourRows(wrongTable)),
      await failure(() => committer.commit(pending, { commitIdentifier: 2n })),
    );
    texts.push(inspect(wrongCatalog, { showHidden: true, depth: 6 }), inspect(wrongTable, { showHidden: true, depth: 6 }), inspect(committer, { showHidden: true, depth: 6 }));
    texts.push(inspect(right, { showHidden: true, depth: 6 }), inspect(t, { showHidden: true, depth: 6 }));
    // the table is as the right keys left it
    expect(multiset(await ourRows(t))).toEqual(multiset(changes.map((c) => c.row)));
  } finally {
    await rightIO.close();
    await wrongIO.close();
    await removeWarehouse(warehouse);
  }
  return { errors, texts };
}

function expectClean(everything: string, backend: "s3" | "oss"): void {
  // the stack redacts with ***; the secrets, right and wrong, are nowhere
  for (const secret of [RIGHT[backend].secret, WRONG_SECRET]) expect(everything.includes(secret) ? `leaked ${secret}` : "clean").toBe("clean");
  // and the backends' README promises key ids are redacted too
  for (const keyId of [RIGHT[backend].keyId, WRONG_KEY_ID]) expect(everything.includes(keyId) ? `leaked ${keyId}` : "clean").toBe("clean");
}

describeWith(["oss"], "oss: credentials stay out of every error and log line", () => {
  beforeAll(() => ensureOssBucket());

  it("right keys commit; a wrong secret and a wrong key id fail with OSS's answers, and no credential is printed", async () => {
    const logs: string[] = [];
    const out: string[] = [];
    const runs = await capturingOutput(out, async () => [
      await rightThenWrong("oss", undefined, { oss: { accessKeySecret: WRONG_SECRET } }, logs),
      await rightThenWrong("oss", undefined, { oss: { accessKeyId: WRONG_KEY_ID, accessKeySecret: WRONG_SECRET } }, logs),
    ]);
    const [badSecret, badKey] = runs;
    expect(badSecret.errors.every((e) => /PERMISSION/.test(String((e as { code?: string }).code)) || /SignatureDoesNotMatch/.test(e.message))).toBe(true);
    expect(badSecret.errors.some((e) => e.message.includes("SignatureDoesNotMatch"))).toBe(true);
    expect(badKey.errors.some((e) => e.message.includes("InvalidAccessKeyId"))).toBe(true);
    const everything = [...runs.flatMap((r) => [...r.errors.flatMap(errorTexts), ...r.texts]), ...logs, ...out].join("\n");
    expectClean(everything, "oss");
  });
});

describeWith(["s3"], "s3: credentials stay out of every error and log line (SigV4-verifying proxy in front of moto)", () => {
  let proxy: FaultProxy;
  let revoked = false;
  beforeAll(async () => {
    await ensureS3Bucket();
    proxy = await new FaultProxy(S3_ENDPOINT).start();
    proxy.gate = (r) => {
      const v = verifyV4(r, S3_CREDENTIALS);
      if (!v.ok) return { status: v.status, body: verdictXml(v, randomUUID()) };
      // write access to snapshots revoked, from a server that echoes the request's Authorization header
      if (revoked && r.method === "PUT" && r.path.includes("/snapshot/snapshot-")) {
        return { status: 403, body: `<Error><Code>AccessDenied</Code><Message>Access Denied for ${r.headers.authorization}</Message></Error>` };
      }
      return undefined;
    };
  });
  afterAll(() => proxy?.stop());

  it("right keys commit; a wrong secret and a wrong key id fail with AWS's answers, and no credential is printed", async () => {
    const logs: string[] = [];
    const out: string[] = [];
    const runs = await capturingOutput(out, async () => [
      await rightThenWrong("s3", proxy.endpoint, { s3: { secretAccessKey: WRONG_SECRET } }, logs),
      await rightThenWrong("s3", proxy.endpoint, { s3: { accessKeyId: WRONG_KEY_ID, secretAccessKey: WRONG_SECRET } }, logs),
    ]);
    const [badSecret, badKey] = runs;
    expect(badSecret.errors.some((e) => e.message.includes("SignatureDoesNotMatch"))).toBe(true);
    expect(badKey.errors.some((e) => e.message.includes("InvalidAccessKeyId"))).toBe(true);
    // the proxy really verified: right keys passed, wrong ones were refused
    expect(proxy.log.filter((l) => l.fault === undefined && l.forwarded).length).toBeGreaterThan(20);
    expect(proxy.count("gate")).toBeGreaterThanOrEqual(12);
    const everything = [...runs.flatMap((r) => [...r.errors.flatMap(errorTexts), ...r.texts]), ...logs, ...out].join("\n");
    expectClean(everything, "s3");
  });

  it("write access revoked at the snapshot: the commit fails with a clean PermissionError and leaves no snapshot", async () => {
    const logs: string[] = [];
    const out: string[] = [];
    const warehouse = newWarehouse("s3", "revoked");
    const ios: FileIO[] = [];
    const errors = await capturingOutput(out, async () => {
      const io = await fileIO(warehouse, { endpoint: proxy.endpoint, logger: (l) => logs.push(l) });
      ios.push(io);
      const t = await createTable(new FileSystemCatalog(io, warehouse), "db.orders", ORDERS);
      revoked = true;
      try {
        return [await failure(() => writeAndCommit(t, [{ kind: "+I", row: order("2024-03-02", 1, 0) }], { commitUser: "revoked", identifier: 1n }))];
      } finally {
        revoked = false;
        expect(await t.refresh().then((x) => x.snapshots.latestId())).toBeNull();
      }
    });
    await Promise.all(ios.map((io) => io.close()));
    await removeWarehouse(warehouse);
    expect(errors[0].name).toBe("PermissionError");
    expect(errors[0].message).toContain("AccessDenied");
    expect(errors[0].message).toContain("Access Denied for AWS4-HMAC-SHA256 Credential=***/"); // the echoed key id, redacted
    const everything = [...errors.flatMap(errorTexts), ...logs, ...out].join("\n");
    expect(everything).toContain("***");
    expectClean(everything, "s3");
  });
});
