/**
 * Credentials never leave the connection form: not in log lines, not in errors (of the
 * connector, the serve protocol or the storage libraries), not in the task state, not in
 * per-record errors. Runs against the S3 test server when it is up, and against an
 * unreachable endpoint always.
 */
import { PassThrough } from "node:stream";
import { PaimonConnector, MemoryKVMap, serve } from "../src/index.js";
import { S3_ENDPOINT, S3_LIVE, describeIf, ensureS3Bucket } from "./live.js";
import { ctx, testLog } from "./helpers.js";

const ACCESS = "AKIA-SECRET-ACCESS-7Q";
const SECRET = "wJalr-SECRET-KEY-9xZ";
const TOKEN = "FwoG-SECRET-TOKEN-3k";

function s3Config(endpoint: string, bucket: string, attempts = 8): Record<string, unknown> {
  return {
    warehouse: `s3://${bucket}/wh`,
    storageType: "s3",
    s3Endpoint: endpoint,
    s3AccessKey: ACCESS,
    s3SecretKey: SECRET,
    s3Region: "us-east-1",
    s3Properties: [
      { propKey: "fs.s3a.session.token", propValue: TOKEN },
      { propKey: "fs.s3a.attempts.maximum", propValue: String(attempts) },
      { propKey: "fs.s3a.unknown.option", propValue: "x" },
    ],
    database: "db",
  };
}

function expectClean(what: string, text: string): void {
  for (const s of [ACCESS, SECRET, TOKEN]) expect({ what, leaked: text.includes(s) }).toEqual({ what, leaked: false });
}

describe("secrets stay secret", () => {
  it("failures against an unreachable store name the store, not the keys", async () => {
    const log = testLog();
    const c = new PaimonConnector();
    let message = "";
    try {
      await c.init({ connectionConfig: s3Config("http://127.0.0.1:1", "b", 1), log, stateMap: new MemoryKVMap() });
      await c.createTableV2(ctx, { type: 206, table: { id: "t", nameFieldMap: { id: { name: "id", dataType: "INT" } } } });
    } catch (e) {
      message = (e as Error).message + String((e as Error).stack);
    }
    expect(message).not.toBe("");
    expectClean("error", message);
    expectClean("log", log.lines.join("\n"));
    await c.stop();

    const input = new PassThrough();
    const output = new PassThrough();
    let out = "";
    output.on("data", (d: Buffer) => (out += d.toString()));
    const done = serve({ input, output });
    input.write(JSON.stringify({ id: 1, method: "init", params: { connectionConfig: s3Config("http://127.0.0.1:1", "b", 1) } }) + "\n");
    input.write(JSON.stringify({ id: 2, method: "connectionTest", params: { connectionConfig: s3Config("http://127.0.0.1:1", "b", 1) } }) + "\n");
    input.write(JSON.stringify({ id: 3, method: "createTableV2", params: { table: { id: "t", nameFieldMap: { id: { name: "id", dataType: "INT" } } } } }) + "\n");
    input.end();
    await done;
    expect(out).toMatch(/"id":3,"ok":false/);
    expectClean("serve output", out);
  });
});

describeIf(S3_LIVE, "secrets stay secret on S3 (moto)", () => {
  it("a whole write leaves no key in logs, state or record errors", async () => {
    await ensureS3Bucket("connector-secrets");
    const log = testLog();
    const state = new MemoryKVMap<unknown>();
    const c = new PaimonConnector({ recordEncoding: "canonical" });
    await c.init({ connectionConfig: s3Config(S3_ENDPOINT, "connector-secrets"), nodeConfig: { batchAccumulationSize: 1, tableProperties: [{ propKey: "custom.note", propValue: SECRET }] }, log, stateMap: state });
    const name = `t${Date.now()}`;
    await c.createTableV2(ctx, { type: 206, table: { id: name, nameFieldMap: { id: { name: "id", dataType: "INT", primaryKeyPos: 1 }, v: { name: "v", dataType: "INT" } } } });
    const r = await c.writeRecord(ctx, [{ type: "insert", after: { id: 1, v: 1 } }, { type: "insert", after: { id: 2, v: SECRET } }], name);
    expect(r.insertedCount).toBe(1);
    expectClean("record error", [...r.errorMap.values()].map((e) => e.message).join("\n"));
    await c.stop();
    expectClean("log", log.lines.join("\n"));
    expectClean("state", JSON.stringify(state.toJSON()));
    expect(log.lines.some((l) => /'fs\.s3a\.unknown\.option' has no equivalent/.test(l))).toBe(true);
  });
});
