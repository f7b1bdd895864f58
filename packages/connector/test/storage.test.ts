/** The write path on every storage type the form offers: create, write, read back, clear, drop. */
import { PaimonConnector, MemoryKVMap, type TapEvent } from "../src/index.js";
import { HDFS_LIVE, HDFS_URI, OSS_ENDPOINT, OSS_KEY, OSS_LIVE, OSS_SECRET, S3_ENDPOINT, S3_LIVE, describeIf, ensureS3Bucket } from "./live.js";
import { ctx, tempWarehouse } from "./helpers.js";

async function roundTrip(connectionConfig: Record<string, unknown>): Promise<void> {
  const c = new PaimonConnector({ recordEncoding: "canonical" });
  await c.init({ connectionConfig, nodeConfig: { bucketMode: "fixed", bucketCount: 2, batchAccumulationSize: 2 }, stateMap: new MemoryKVMap() });
  const name = `t${Date.now()}${Math.floor(Math.random() * 1000)}`;
  try {
    await c.createTableV2(ctx, { type: 206, table: { id: name, nameFieldMap: { id: { name: "id", dataType: "BIGINT", primaryKeyPos: 1 }, v: { name: "v", dataType: "STRING" } } } });
    await c.writeRecord(ctx, [1, 2, 3].map((i) => ({ type: "insert", after: { id: String(i), v: `v${i}` } })), name);
    await c.writeRecord(ctx, [{ type: "update", after: { id: "2", v: "two" } }, { type: "delete", before: { id: "3" } }], name);
    await c.flush();
    const rows: Record<string, unknown>[] = [];
    await c.batchRead(ctx, name, undefined, 10, (events: TapEvent[]) => void rows.push(...events.map((e) => (e as unknown as { after: Record<string, unknown> }).after)));
    expect(rows.sort((a, b) => String(a.id).localeCompare(String(b.id)))).toEqual([{ id: "1", v: "v1" }, { id: "2", v: "two" }]);
    await c.clearTable(ctx, { type: 205, tableId: name });
    expect(await c.batchCount(ctx, name)).toBe(0);
  } finally {
    await c.dropTable(ctx, { type: 208, tableId: name }).catch(() => undefined);
    await c.stop();
  }
}

describe("storage round trips", () => {
  it("local", () => roundTrip({ warehouse: tempWarehouse(), database: "db" }));
});

describeIf(S3_LIVE, "storage round trips on S3", () => {
  it("s3:// and s3a://", async () => {
    await ensureS3Bucket("connector-rt");
    const base = { storageType: "s3", s3Endpoint: S3_ENDPOINT, s3AccessKey: "k", s3SecretKey: "s", database: "db" };
    await roundTrip({ ...base, warehouse: "connector-rt/wh" });
    await roundTrip({ ...base, warehouse: "s3a://connector-rt/wh2" });
  });
});

describeIf(OSS_LIVE, "storage round trips on OSS", () => {
  it("oss://", async () => {
    await ensureS3Bucket("connector-oss-rt").catch(() => undefined);
    await roundTrip({ warehouse: "oss://connector-oss-rt/wh", storageType: "oss", ossEndpoint: OSS_ENDPOINT, ossAccessKey: OSS_KEY, ossSecretKey: OSS_SECRET, database: "db" });
  });
});

describeIf(HDFS_LIVE, "storage round trips on HDFS", () => {
  it("hdfs:// URI, and a path with hdfsHost", async () => {
    await roundTrip({ warehouse: `${HDFS_URI}/connector-rt`, storageType: "hdfs", database: "db" });
    const u = new URL(HDFS_URI.replace(/^hdfs:/, "http:"));
    await roundTrip({ warehouse: "/connector-rt2", storageType: "hdfs", hdfsHost: u.hostname, hdfsPort: Number(u.port || 9000), database: "db" });
  });
});
