/**
 * The adapter really verifies OSS signature v1: requests signed here independently of
 * ali-oss are accepted, and a wrong secret, a tampered request, a missing signature or a
 * stale date are refused with OSS's error XML.
 */
import { PermissionError } from "@paimon-ts/fileio";
import { createHmac, randomUUID } from "node:crypto";
import { request } from "node:http";
import { BUCKET, OSS_ENDPOINT, TEST_CREDENTIALS, describeLive, ensureBucket, testIO } from "./live.js";

interface Reply {
  status: number;
  body: string;
}

/** A PUT of `body` at `key`, signed (v1) with `secret`; `tamper` edits headers after signing. */
function signedPut(key: string, body: string, opts: { secret?: string; date?: Date; tamper?: (h: Record<string, string>) => void; unsigned?: boolean } = {}): Promise<Reply> {
  const u = new URL(OSS_ENDPOINT);
  const headers: Record<string, string> = {
    host: `${BUCKET}.oss-cn-hangzhou.aliyuncs.com`,
    date: (opts.date ?? new Date()).toUTCString(),
    "content-type": "text/plain",
    "x-oss-meta-origin": "signature-test",
  };
  const toSign = ["PUT", "", headers["content-type"], headers.date, `x-oss-meta-origin:signature-test`, `/${BUCKET}/${key}`].join("\n");
  const sig = createHmac("sha1", opts.secret ?? TEST_CREDENTIALS.accessKeySecret).update(toSign).digest("base64");
  if (!opts.unsigned) headers.authorization = `OSS ${TEST_CREDENTIALS.accessKeyId}:${sig}`;
  opts.tamper?.(headers);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, method: "PUT", path: `/${key}`, headers: { ...headers, "content-length": String(Buffer.byteLength(body)) } }, (res) => {
      let text = "";
      res.on("data", (c: Buffer) => (text += c.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

function expectOssError(r: Reply, code: string): void {
  expect(r.status).toBe(403);
  expect(r.body).toMatch(new RegExp(`<Error>[\\s\\S]*<Code>${code}</Code>[\\s\\S]*<Message>[^<]+</Message>[\\s\\S]*<RequestId>[0-9A-F]{24}</RequestId>[\\s\\S]*<HostId>[^<]+</HostId>`));
}

describeLive("OSS adapter signature verification", () => {
  const dir = `sig-${randomUUID()}`;

  it("accepts a correctly signed request (signed here, not by ali-oss)", async () => {
    await ensureBucket();
    const r = await signedPut(`${dir}/ok`, "hello");
    expect(r.status).toBe(200);
    const io = testIO();
    expect(new TextDecoder().decode(await io.readFile(`oss://${BUCKET}/${dir}/ok`))).toBe("hello");
    await io.close();
  });

  it("refuses a wrong secret, a tampered header, a missing signature and a stale date", async () => {
    expectOssError(await signedPut(`${dir}/bad1`, "x", { secret: "not-the-secret" }), "SignatureDoesNotMatch");
    expectOssError(await signedPut(`${dir}/bad2`, "x", { tamper: (h) => (h["x-oss-meta-origin"] = "changed") }), "SignatureDoesNotMatch");
    expectOssError(await signedPut(`${dir}/bad3`, "x", { tamper: (h) => (h["x-oss-forbid-overwrite"] = "true") }), "SignatureDoesNotMatch");
    expectOssError(await signedPut(`${dir}/bad4`, "x", { unsigned: true }), "AccessDenied");
    expectOssError(await signedPut(`${dir}/bad5`, "x", { date: new Date(Date.now() - 20 * 60_000) }), "RequestTimeTooSkewed");
    const io = testIO();
    for (const k of ["bad1", "bad2", "bad3", "bad4", "bad5"]) expect(await io.exists(`oss://${BUCKET}/${dir}/${k}`)).toBe(false);
    await io.close();
  });

  it("through the FileIO: a wrong secret or key id is a PermissionError and writes nothing", async () => {
    const wrong = testIO({ accessKeySecret: "not-the-secret", maxAttempts: 1 });
    const e = await wrong.createIfAbsent(`oss://${BUCKET}/${dir}/w`, new Uint8Array(3)).catch((x) => x);
    expect(e).toBeInstanceOf(PermissionError);
    expect(e.message).toContain("SignatureDoesNotMatch");
    const unknownKey = testIO({ accessKeyId: "someone-else", maxAttempts: 1 });
    const e2 = await unknownKey.readFile(`oss://${BUCKET}/${dir}/ok`).catch((x) => x);
    expect(e2).toBeInstanceOf(PermissionError);
    expect(e2.message).toContain("InvalidAccessKeyId");
    const io = testIO();
    expect(await io.exists(`oss://${BUCKET}/${dir}/w`)).toBe(false);
    for (const x of [wrong, unknownKey, io]) await x.close();
  });
});
