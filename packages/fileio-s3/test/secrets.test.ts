/**
 * Credentials never reach an error or a log line, even when a server echoes the
 * request's Authorization header (which names the access key) back in its error.
 */
import { randomUUID } from "node:crypto";
import { inspect } from "node:util";
import { FaultProxy, type ProxiedRequest } from "@paimon-ts/fileio/fault-proxy";
import { BUCKET, S3_ENDPOINT, describeLive, ensureBucket, testIO } from "./live.js";

const ACCESS_KEY = "TESTKEYPAIMONLEAKCHECK7";
const SECRET = "paimon/LeakCheck+Secret/MustNeverBePrinted0123";
const SESSION = "paimon-session-token-LeakCheck-42";
const echo = (code: string) => (r: ProxiedRequest) =>
  `<Error><Code>${code}</Code><Message>auth was ${r.headers.authorization}; key ${ACCESS_KEY}; secret ${SECRET}</Message><AWSAccessKeyId>${ACCESS_KEY}</AWSAccessKeyId></Error>`;

describeLive("S3 credentials stay out of errors and logs", () => {
  let proxy: FaultProxy;
  const logs: string[] = [];
  const consoleOut: string[] = [];
  const spies = (["log", "warn", "error", "info", "debug"] as const).map((m) =>
    jest.spyOn(console, m).mockImplementation((...a: unknown[]) => void consoleOut.push(a.map((x) => inspect(x)).join(" "))),
  );

  beforeAll(async () => {
    await ensureBucket();
    proxy = await new FaultProxy(S3_ENDPOINT).start();
    proxy.add({ match: (r) => r.url.includes("/denied/"), faults: [{ respond: 403, body: echo("InvalidAccessKeyId") }], always: true });
    proxy.add({ match: (r) => r.url.includes("/flaky/"), faults: [{ respond: 500, body: echo("InternalError") }], always: true });
  });
  afterAll(async () => {
    await proxy?.stop();
    for (const s of spies) s.mockRestore();
  });

  it("no error, log line, console output or inspected object contains the key, secret or token", async () => {
    const io = testIO({ endpoint: proxy.endpoint, accessKeyId: ACCESS_KEY, secretAccessKey: SECRET, sessionToken: SESSION, maxAttempts: 2, baseDelayMs: 1, logger: (m) => logs.push(m) });
    const unreachable = testIO({ endpoint: "http://127.0.0.1:1", accessKeyId: ACCESS_KEY, secretAccessKey: SECRET, maxAttempts: 2, baseDelayMs: 1, logger: (m) => logs.push(m) });
    const base = `s3://${BUCKET}/secrets-${randomUUID()}`;
    const errors = await Promise.all([
      io.readFile(`${base}/denied/f`).catch((e) => e),
      io.createIfAbsent(`${base}/denied/g`, new Uint8Array(1)).catch((e) => e),
      io.readFile(`${base}/flaky/f`).catch((e) => e),
      io.createIfAbsent(`${base}/flaky/g`, new Uint8Array(1)).catch((e) => e),
      io.readFile(`${base}/missing`).catch((e) => e),
      unreachable.stat(`${base}/x`).catch((e) => e),
    ]);
    expect(errors.every((e) => e instanceof Error)).toBe(true);
    expect(errors.map((e) => e.name)).toEqual(["PermissionError", "PermissionError", "RetryableError", "CommitStateUnknownError", "NotFoundError", "RetryableError"]);
    expect(errors[0].message).toContain("InvalidAccessKeyId"); // the server's word is kept, redacted
    const everything = [
      ...errors.flatMap((e) => [e.message, e.stack, inspect(e, { showHidden: true, depth: null }), JSON.stringify(e)]),
      ...logs,
      ...consoleOut,
      inspect(io, { showHidden: true, depth: 6 }),
    ].join("\n");
    expect(logs.length).toBeGreaterThan(0);
    expect(everything).toContain("***");
    for (const s of [ACCESS_KEY, SECRET, SESSION]) expect(everything).not.toContain(s);
    await io.close();
    await unreachable.close();
  });
});
