/**
 * Credentials never reach an error or a log line — including the adapter's real
 * SignatureDoesNotMatch answer, which (like OSS's) names the access key id.
 */
import { randomUUID } from "node:crypto";
import { inspect } from "node:util";
import { FaultProxy, type ProxiedRequest } from "@paimon-ts/fileio/fault-proxy";
import { BUCKET, OSS_ENDPOINT, TEST_CREDENTIALS, describeLive, ensureBucket, testIO } from "./live.js";

const WRONG_SECRET = "paimon/LeakCheck+Secret/MustNeverBePrinted0123";
const TOKEN = "paimon-sts-token-LeakCheck-42";
// a server that echoes the caller's credentials (as if it knew them) in its error
const echo = (code: string) => (r: ProxiedRequest) =>
  `<Error><Code>${code}</Code><Message>auth was ${r.headers.authorization}; secret ${TEST_CREDENTIALS.accessKeySecret}; token ${TOKEN}</Message></Error>`;

describeLive("OSS credentials stay out of errors and logs", () => {
  let proxy: FaultProxy;
  const logs: string[] = [];
  const consoleOut: string[] = [];
  const spies = (["log", "warn", "error", "info", "debug"] as const).map((m) =>
    jest.spyOn(console, m).mockImplementation((...a: unknown[]) => void consoleOut.push(a.map((x) => inspect(x)).join(" "))),
  );

  beforeAll(async () => {
    await ensureBucket();
    proxy = await new FaultProxy(OSS_ENDPOINT).start();
    proxy.add({ match: (r) => r.url.includes("/denied/"), faults: [{ respond: 403, body: echo("AccessDenied") }], always: true });
    proxy.add({ match: (r) => r.url.includes("/flaky/"), faults: [{ respond: 500, body: echo("InternalError") }], always: true });
  });
  afterAll(async () => {
    await proxy?.stop();
    for (const s of spies) s.mockRestore();
  });

  it("no error, log line, console output or inspected object contains the key id, secret or token", async () => {
    const opts = { maxAttempts: 2, baseDelayMs: 1, logger: (m: string) => logs.push(m) };
    const wrongSecret = testIO({ ...opts, accessKeySecret: WRONG_SECRET }); // straight to the adapter
    const echoing = testIO({ ...opts, endpoint: proxy.endpoint, securityToken: TOKEN });
    const unreachable = testIO({ ...opts, endpoint: "http://127.0.0.1:1", accessKeySecret: WRONG_SECRET });
    const base = `oss://${BUCKET}/secrets-${randomUUID()}`;
    const errors = await Promise.all([
      wrongSecret.readFile(`${base}/f`).catch((e) => e),
      wrongSecret.createIfAbsent(`${base}/g`, new Uint8Array(1)).catch((e) => e),
      echoing.readFile(`${base}/denied/f`).catch((e) => e),
      echoing.readFile(`${base}/flaky/f`).catch((e) => e),
      echoing.createIfAbsent(`${base}/flaky/g`, new Uint8Array(1)).catch((e) => e),
      unreachable.stat(`${base}/x`).catch((e) => e),
    ]);
    expect(errors.map((e) => e.name)).toEqual(["PermissionError", "PermissionError", "PermissionError", "RetryableError", "CommitStateUnknownError", "RetryableError"]);
    expect(errors[0].message).toContain("SignatureDoesNotMatch");
    const everything = [
      ...errors.flatMap((e) => [e.message, e.stack, inspect(e, { showHidden: true, depth: null }), JSON.stringify(e)]),
      ...logs,
      ...consoleOut,
      inspect(wrongSecret, { showHidden: true, depth: 6 }),
      inspect(echoing, { showHidden: true, depth: 6 }),
    ].join("\n");
    expect(logs.length).toBeGreaterThan(0);
    expect(everything).toContain("***");
    for (const s of [TEST_CREDENTIALS.accessKeyId, TEST_CREDENTIALS.accessKeySecret, WRONG_SECRET, TOKEN]) expect(everything).not.toContain(s);
    for (const io of [wrongSecret, echoing, unreachable]) await io.close();
  });
});
