import {
  ConfigError,
  NODE_DEFAULTS,
  connectionString,
  parseConnectionConfig,
  parseNodeConfig,
  redactConnection,
  tableNodeConfig,
  tableOptionsFromNode,
  warehouseUri,
} from "../src/index.js";
import { applyDeletionVectors } from "../src/config.js";
import { backendOptions } from "../src/storage.js";

function problems(f: () => unknown): string[] {
  try {
    f();
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  throw new Error("expected a ConfigError");
}

describe("connection configuration", () => {
  it("applies the Java connector's defaults", () => {
    const c = parseConnectionConfig({ warehouse: "/tmp/wh" });
    expect(c).toMatchObject({ storageType: "local", database: "default", hdfsPort: 9000, hdfsHttpPort: 9870, hdfsUser: "hadoop" });
    expect(c.s3Properties).toEqual([
      { propKey: "fs.s3a.connection.maximum", propValue: "1000" },
      { propKey: "fs.s3a.connection.establish.timeout", propValue: "5000" },
    ]);
  });

  it("requires a warehouse and rejects unknown storage types", () => {
    expect(problems(() => parseConnectionConfig({ warehouse: " " }))[0]).toMatch(/^warehouse: required/);
    expect(problems(() => parseConnectionConfig({ warehouse: "/w", storageType: "ftp" }))[0]).toMatch(/^storageType: expected/);
  });

  it("checks each storage type's fields", () => {
    expect(problems(() => parseConnectionConfig({ warehouse: "/w", storageType: "hdfs" }))).toEqual([expect.stringMatching(/^hdfsHost: required/)]);
    expect(() => parseConnectionConfig({ warehouse: "hdfs://nn:9000/w", storageType: "hdfs" })).not.toThrow();
    expect(problems(() => parseConnectionConfig({ warehouse: "b/w", storageType: "s3", s3AccessKey: "AKIAEXAMPLE" }))).toEqual([expect.stringMatching(/s3AccessKey\/s3SecretKey: give both/)]);
    expect(() => parseConnectionConfig({ warehouse: "b/w", storageType: "s3" })).not.toThrow(); // default AWS credential chain
    expect(problems(() => parseConnectionConfig({ warehouse: "b/w", storageType: "s3", s3Endpoint: "minio:9000" }))).toEqual([expect.stringMatching(/s3Endpoint: expected an http/)]);
    expect(problems(() => parseConnectionConfig({ warehouse: "b/w", storageType: "oss" })).sort()).toEqual([
      expect.stringMatching(/^ossAccessKey: required/),
      expect.stringMatching(/^ossEndpoint: required/),
      expect.stringMatching(/^ossSecretKey: required/),
    ]);
    expect(problems(() => parseConnectionConfig({ warehouse: "s3://b/w", storageType: "local" }))[0]).toMatch(/needs storageType s3/);
    expect(problems(() => parseConnectionConfig({ warehouse: "relative/path" }))[0]).toMatch(/absolute path/);
    expect(problems(() => parseConnectionConfig({ warehouse: "/w", database: "../x" }))[0]).toMatch(/^database:/);
  });

  it("accepts numbers as strings and rejects bad ports without echoing the value", () => {
    expect(parseConnectionConfig({ warehouse: "/w", hdfsPort: "8020" }).hdfsPort).toBe(8020);
    const p = problems(() => parseConnectionConfig({ warehouse: "/w", hdfsPort: "s3cr3t-value" }));
    expect(p).toEqual(["hdfsPort: expected port (an integer in 1..65535)"]);
    expect(p.join()).not.toContain("s3cr3t");
  });

  it("never puts a secret in an error", () => {
    const secret = "TOP-SECRET-KEY-123";
    for (const raw of [
      { warehouse: "/w", storageType: "s3", s3SecretKey: secret },
      { warehouse: "b/w", storageType: "oss", ossSecretKey: secret },
      { warehouse: "b/w", storageType: "s3", s3AccessKey: 42, s3SecretKey: secret },
      { warehouse: "b/w", storageType: "s3", s3AccessKey: secret, s3SecretKey: 7 },
    ]) {
      try {
        parseConnectionConfig(raw);
      } catch (e) {
        expect((e as Error).message).not.toContain(secret);
      }
    }
  });

  it("builds warehouse URIs without the Java removeProtocol bug", () => {
    const uri = (o: Record<string, unknown>) => warehouseUri(parseConnectionConfig(o));
    expect(uri({ warehouse: "/tmp/paimon" })).toBe("/tmp/paimon");
    expect(uri({ warehouse: "file:///tmp/paimon" })).toBe("/tmp/paimon");
    expect(uri({ warehouse: "/warehouse", storageType: "hdfs", hdfsHost: "namenode" })).toBe("hdfs://namenode:9000/warehouse");
    expect(uri({ warehouse: "bucket/warehouse", storageType: "s3" })).toBe("s3://bucket/warehouse");
    expect(uri({ warehouse: "s3a://bucket/warehouse", storageType: "s3" })).toBe("s3a://bucket/warehouse");
    expect(uri({ warehouse: "/bucket/wh", storageType: "oss", ossEndpoint: "https://oss", ossAccessKey: "a", ossSecretKey: "b" })).toBe("oss://bucket/wh");
    const cs = connectionString(parseConnectionConfig({ warehouse: "/warehouse" }));
    expect(cs).toBe("file:///warehouse");
    expect(connectionString(parseConnectionConfig({ warehouse: "b/w", storageType: "s3", s3Endpoint: "https://user:pw@s3.example.com", s3AccessKey: "AK", s3SecretKey: "SK" }))).toBe(
      "s3://b/w (endpoint https://s3.example.com)",
    );
  });

  it("maps the form to backend options", () => {
    const s3 = parseConnectionConfig({
      warehouse: "b/w",
      storageType: "s3",
      s3Endpoint: "http://127.0.0.1:9000",
      s3AccessKey: "AK",
      s3SecretKey: "SK",
      s3Region: "eu-west-1",
      s3Properties: [
        { propKey: "fs.s3a.connection.establish.timeout", propValue: "3000" },
        { propKey: "fs.s3a.session.token", propValue: "TOKEN" },
        { propKey: "fs.s3a.fancy", propValue: "1" },
      ],
    });
    const warnings: string[] = [];
    expect(backendOptions(s3, (w) => warnings.push(w))).toEqual({
      endpoint: "http://127.0.0.1:9000",
      region: "eu-west-1",
      accessKeyId: "AK",
      secretAccessKey: "SK",
      forcePathStyle: true,
      connectTimeoutMs: 3000,
      sessionToken: "TOKEN",
    });
    expect(warnings).toEqual(["s3Properties: 'fs.s3a.fancy' has no equivalent in paimon-ts and is ignored"]);
    expect(backendOptions(parseConnectionConfig({ warehouse: "/w", storageType: "hdfs", hdfsHost: "nn", hdfsHttpPort: 50070, hdfsUser: "etl" }))).toEqual({ host: "nn", httpPort: 50070, user: "etl" });
  });

  it("redacts secrets for logs", () => {
    const r = redactConnection({ warehouse: "/w", s3SecretKey: "x", s3AccessKey: "y", s3Properties: [{ propKey: "fs.s3a.session.token", propValue: "z" }, { propKey: "fs.s3a.connection.maximum", propValue: "5" }] });
    expect(r).toEqual({ warehouse: "/w", s3SecretKey: "***", s3AccessKey: "***", s3Properties: [{ propKey: "fs.s3a.session.token", propValue: "***" }, { propKey: "fs.s3a.connection.maximum", propValue: "5" }] });
  });
});

describe("node configuration", () => {
  it("has the Java connector's defaults", () => {
    expect(parseNodeConfig(undefined)).toEqual(NODE_DEFAULTS);
    expect(NODE_DEFAULTS).toMatchObject({ bucketMode: "dynamic", bucketCount: 4, writeBufferSize: 256, batchAccumulationSize: 100000, commitIntervalMs: 30000, enableAutoCompaction: true, targetFileSize: 128, enablePrimaryKeyUpdate: false });
    // not a Java connector setting: on, as decided by docs/benchmarks.md "Deletion vectors"
    expect(NODE_DEFAULTS.deletionVectors).toBe(true);
  });

  it("keeps explicit zeros and false", () => {
    const n = parseNodeConfig({ batchAccumulationSize: 0, commitIntervalMs: 0, enableAutoCompaction: false });
    expect(n).toMatchObject({ batchAccumulationSize: 0, commitIntervalMs: 0, enableAutoCompaction: false });
  });

  it("rejects what paimon-ts cannot do, with the reason", () => {
    expect(problems(() => parseNodeConfig({ bucketMode: "postpone" }))[0]).toMatch(/postpone is not supported/);
    expect(problems(() => parseNodeConfig({ bucketMode: "fixed", bucketCount: 0 }))[0]).toMatch(/^node\.bucketCount: expected/);
    expect(problems(() => parseNodeConfig({ fileFormat: "orc" }))[0]).toMatch(/ORC, CSV and JSON/);
    expect(problems(() => parseNodeConfig({ tableProperties: [{ propKey: "compression", propValue: "zstd" }] }))[0]).toMatch(/use 'file.compression'/);
  });

  it("decodes deletionVectors as a boolean, per table too", () => {
    expect(parseNodeConfig({ deletionVectors: false }).deletionVectors).toBe(false);
    expect(parseNodeConfig({ deletionVectors: "false" }).deletionVectors).toBe(false);
    expect(parseNodeConfig({ deletionVectors: "true" }).deletionVectors).toBe(true);
    expect(problems(() => parseNodeConfig({ deletionVectors: "yes" }))).toEqual(["node.deletionVectors: expected boolean"]);
    const off = parseNodeConfig({ deletionVectors: false });
    expect(tableNodeConfig(off, { orders: { deletionVectors: true } }, "orders").deletionVectors).toBe(true);
    expect(tableNodeConfig(off, { orders: { deletionVectors: true } }, "other").deletionVectors).toBe(false);
    expect(tableNodeConfig(NODE_DEFAULTS, { orders: { deletionVectors: "false" } }, "orders").deletionVectors).toBe(false);
    expect(tableNodeConfig(NODE_DEFAULTS, { orders: { deletionVectors: "false" } }, "other").deletionVectors).toBe(true);
  });

  it("resolves per-table settings over the node's", () => {
    const node = parseNodeConfig({ bucketMode: "fixed", bucketCount: 8, commitIntervalMs: 1000 });
    const t = tableNodeConfig(node, { orders: { bucketCount: 2, partitionKey: ["dt"], commitIntervalMs: 5 } }, "orders");
    expect(t).toMatchObject({ bucketMode: "fixed", bucketCount: 2, partitionKey: ["dt"], commitIntervalMs: 1000 });
    expect(tableNodeConfig(node, undefined, "x")).toBe(node);
  });

  it("turns node settings into table options, table properties last", () => {
    expect(tableOptionsFromNode(NODE_DEFAULTS)).toEqual({ bucket: "-1", "write-buffer-size": "256mb", "target-file-size": "128mb" });
    const n = parseNodeConfig({
      bucketMode: "fixed",
      bucketCount: 3,
      fileFormat: "avro",
      compression: "snappy",
      enableAutoCompaction: false,
      tableProperties: [
        { propKey: "bucket", propValue: "5" },
        { propKey: "snapshot.num-retained.max", propValue: "20" },
        { propKey: "", propValue: "ignored" },
      ],
    });
    expect(tableOptionsFromNode(n)).toEqual({
      bucket: "5",
      "file.format": "avro",
      "file.compression": "snappy",
      "write-buffer-size": "256mb",
      "target-file-size": "128mb",
      "write-only": "true",
      "snapshot.num-retained.max": "20",
    });
  });
});

describe("deletion vectors of new tables", () => {
  const on = parseNodeConfig({ deletionVectors: true });
  const off = parseNodeConfig({ deletionVectors: false });
  const pk = ["id"];

  it("enables them on primary-key tables when the setting is on (the default), and only then", () => {
    const o = tableOptionsFromNode(on);
    expect(applyDeletionVectors(o, on, pk, "t")).toMatchObject({ enabled: true, source: "node" });
    expect(o["deletion-vectors.enabled"]).toBe("true");
    const fixedNode = parseNodeConfig({ bucketMode: "fixed", bucketCount: 2, deletionVectors: true });
    const fixed = tableOptionsFromNode(fixedNode);
    expect(applyDeletionVectors(fixed, fixedNode, pk, "t").enabled).toBe(true);
    expect(fixed).toMatchObject({ bucket: "2", "deletion-vectors.enabled": "true" });
    // on by default
    const byDefault = tableOptionsFromNode(NODE_DEFAULTS);
    expect(applyDeletionVectors(byDefault, NODE_DEFAULTS, pk, "t")).toEqual({ enabled: true, source: "node", note: "deletion vectors on (deletionVectors=true)" });
    expect(byDefault).toEqual({ bucket: "-1", "write-buffer-size": "256mb", "target-file-size": "128mb", "deletion-vectors.enabled": "true" });
    // off leaves Paimon's default (false) unset, as before the setting existed
    const o2 = tableOptionsFromNode(off);
    expect(applyDeletionVectors(o2, off, pk, "t")).toMatchObject({ enabled: false, source: "node" });
    expect(o2).not.toHaveProperty("deletion-vectors.enabled");
  });

  it("does not apply to tables without primary key", () => {
    const o = tableOptionsFromNode(on);
    expect(applyDeletionVectors(o, on, [], "logs")).toMatchObject({ enabled: false, source: "append-only" });
    expect(o).not.toHaveProperty("deletion-vectors.enabled");
    // an explicit option is the user's: it passes through (Paimon has append-table DVs too)
    const e = { bucket: "-1", "deletion-vectors.enabled": "true" };
    expect(applyDeletionVectors(e, off, [], "logs")).toMatchObject({ enabled: true, source: "explicit" });
  });

  it("lets an explicit deletion-vectors.enabled win over the setting, either way", () => {
    const o = { ...tableOptionsFromNode(on), "deletion-vectors.enabled": " FALSE " };
    const d = applyDeletionVectors(o, on, pk, "t");
    expect(d).toMatchObject({ enabled: false, source: "explicit" });
    expect(d.note).toBe("deletion-vectors.enabled=false from the table options (overrides deletionVectors=true)");
    expect(o["deletion-vectors.enabled"]).toBe("false");
    const o2 = { ...tableOptionsFromNode(off), "deletion-vectors.enabled": "true" };
    expect(applyDeletionVectors(o2, off, pk, "t")).toMatchObject({ enabled: true, source: "explicit", note: "deletion-vectors.enabled=true from the table options (overrides deletionVectors=false)" });
    expect(applyDeletionVectors({ "deletion-vectors.enabled": "true" }, on, pk, "t").note).toBe("deletion-vectors.enabled=true from the table options");
    expect(() => applyDeletionVectors({ "deletion-vectors.enabled": "yes" }, on, pk, "orders")).toThrow("createTable orders: option 'deletion-vectors.enabled' must be true or false");
  });

  it("never gives a first-row table deletion vectors (Java refuses them)", () => {
    const o = { ...tableOptionsFromNode(on), "merge-engine": "First-Row" };
    expect(applyDeletionVectors(o, on, pk, "t")).toMatchObject({ enabled: false, source: "first-row" });
    expect(o).not.toHaveProperty("deletion-vectors.enabled");
    expect(() => applyDeletionVectors({ "merge-engine": "first-row", "deletion-vectors.enabled": "true" }, on, pk, "orders")).toThrow(
      /^createTable orders: merge-engine 'first-row' cannot be combined with deletion-vectors.enabled=true/,
    );
    expect(applyDeletionVectors({ "merge-engine": "first-row", "deletion-vectors.enabled": "false" }, on, pk, "t").enabled).toBe(false);
    // other merge engines take them
    for (const engine of ["deduplicate", "partial-update", "aggregation"]) {
      const x: Record<string, string> = { "merge-engine": engine };
      expect(applyDeletionVectors(x, on, pk, "t").enabled).toBe(true);
    }
  });

  it("is not applied with automatic compaction off (level-0 rows would stay invisible)", () => {
    const n = parseNodeConfig({ enableAutoCompaction: false, deletionVectors: true });
    const o = tableOptionsFromNode(n);
    expect(applyDeletionVectors(o, n, pk, "t")).toMatchObject({ enabled: false, source: "write-only" });
    expect(o).not.toHaveProperty("deletion-vectors.enabled");
    const e = { ...tableOptionsFromNode(n), "deletion-vectors.enabled": "true" };
    expect(applyDeletionVectors(e, n, pk, "t")).toMatchObject({ enabled: true, source: "explicit" });
  });
});
