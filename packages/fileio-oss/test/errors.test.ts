/**
 * Errors that need no server: the client refuses or cannot reach the endpoint.
 * ali-oss's raw messages (multi-line socket diagnostics, header dumps) must not leak through.
 */
import { InvalidInputError, RetryableError, isRetryable } from "@paimon-ts/fileio";
import { createServer } from "node:net";
import { OssFileIO } from "../src/index.js";

/** A loopback port with nothing listening on it. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

describe("OSS FileIO errors without a server", () => {
  it("an invalid bucket name is an InvalidInputError naming the bucket and the rule", async () => {
    const io = new OssFileIO({ endpoint: "http://127.0.0.1:9", accessKeyId: "k", accessKeySecret: "s" });
    for (const op of [() => io.exists("oss://Bad_Bucket/t/x"), () => io.readFile("oss://Bad_Bucket/t/x"), () => io.list("oss://Bad_Bucket/t/")]) {
      const e = await op().then(() => null, (err: unknown) => err);
      expect(e).toBeInstanceOf(InvalidInputError);
      expect((e as Error).message).toMatch(/OSS bucket name 'Bad_Bucket' is invalid: 3–63 characters/);
      expect(isRetryable(e)).toBe(false);
    }
  });

  it("an unreachable endpoint is retryable, with a one-line message and no secret", async () => {
    const port = await closedPort();
    const logs: string[] = [];
    const io = new OssFileIO({ endpoint: `http://127.0.0.1:${port}`, accessKeyId: "KEYIDERRTEST", accessKeySecret: "SECRETERRTEST", maxAttempts: 2, baseDelayMs: 1, logger: (l) => logs.push(l) });
    const e = await io.readFile("oss://bucket-x/t/x").then(() => null, (err: unknown) => err);
    expect(e).toBeInstanceOf(RetryableError);
    expect(isRetryable(e)).toBe(true);
    const msg = (e as Error).message;
    expect(msg).toMatch(/ECONNREFUSED/);
    expect(msg).not.toMatch(/\n|headers/);
    expect(msg).not.toMatch(/KEYIDERRTEST|SECRETERRTEST/);
    expect(logs).toHaveLength(1); // the one retry, also one line and free of secrets
    expect(logs[0]).not.toMatch(/\n|KEYIDERRTEST|SECRETERRTEST/);
  });
});
