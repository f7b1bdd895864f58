/**
 * spec.json: the file Tapdata loads is the SPEC object (UPDATE_SPEC=1 rewrites it), with
 * the Java connector's connection fields, names and defaults.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CONNECTION_DEFAULTS, NODE_DEFAULTS, PER_TABLE_FIELDS, SPEC, parseConnectionConfig, parseNodeConfig } from "../src/index.js";

const SPEC_FILE = join(__dirname, "../spec.json");
const text = JSON.stringify(SPEC, null, 2) + "\n";
if (process.env.UPDATE_SPEC === "1") writeFileSync(SPEC_FILE, text);

type Field = Record<string, unknown> & { default?: unknown; enum?: { value: unknown }[]; title?: string; "x-perTable"?: boolean };
const conn = SPEC.configOptions.connection.properties as unknown as Record<string, Field>;
const node = SPEC.configOptions.node.properties as unknown as Record<string, Field>;

describe("spec.json", () => {
  it("is the SPEC object (run with UPDATE_SPEC=1 to rewrite it)", () => {
    expect(existsSync(SPEC_FILE)).toBe(true);
    expect(readFileSync(SPEC_FILE, "utf8")).toBe(text);
  });

  it("has the Java connector's connection fields, in its order, with its defaults", () => {
    expect(Object.keys(conn)).toEqual([
      "warehouse",
      "storageType",
      "s3Endpoint",
      "s3AccessKey",
      "s3SecretKey",
      "s3Region",
      "s3Properties",
      "hdfsHost",
      "hdfsPort",
      "hdfsHttpPort",
      "hdfsUser",
      "ossEndpoint",
      "ossAccessKey",
      "ossSecretKey",
      "database",
    ]);
    expect(conn.warehouse.required).toBe(true);
    expect(conn.storageType.default).toBe("local");
    expect(conn.storageType.enum!.map((e) => e.value).sort()).toEqual(["hdfs", "local", "oss", "s3"]);
    expect(conn.s3Properties.default).toEqual(CONNECTION_DEFAULTS.s3Properties);
    expect(conn.hdfsPort.default).toBe(9000);
    expect(conn.hdfsHttpPort.default).toBe(9870);
    expect(conn.hdfsUser.default).toBe("hadoop");
    expect(conn.database.default).toBe("default");
    expect(conn.s3SecretKey["x-component"]).toBe("Password");
    expect(conn.ossSecretKey["x-component"]).toBe("Password");
    // the form's defaults are what the decoder applies
    const decoded = parseConnectionConfig({ warehouse: "/w" });
    for (const k of ["storageType", "hdfsPort", "hdfsHttpPort", "hdfsUser", "database", "s3Properties"] as const) expect(decoded[k]).toEqual(conn[k].default);
  });

  it("has the node fields paimon-ts implements, with the decoder's defaults and per-table marks", () => {
    expect(Object.keys(node).sort()).toEqual(
      [
        "partitionKey",
        "bucketMode",
        "bucketCount",
        "fileFormat",
        "compression",
        "tableProperties",
        "writeBufferSize",
        "batchAccumulationSize",
        "commitIntervalMs",
        "enableAutoCompaction",
        "targetFileSize",
        "enablePrimaryKeyUpdate",
        "ignoreUnknownFields",
        "deletionVectors",
      ].sort(),
    );
    for (const [k, f] of Object.entries(node)) {
      if (k !== "partitionKey") expect(f.default).toEqual(NODE_DEFAULTS[k as keyof typeof NODE_DEFAULTS]);
      expect(f["x-perTable"] === true).toBe((PER_TABLE_FIELDS as readonly string[]).includes(k));
    }
    expect(node.bucketMode.enum!.map((e) => e.value)).toEqual(["dynamic", "fixed"]);
    expect(node.fileFormat.enum!.map((e) => e.value)).toEqual(["", "parquet", "avro"]);
    expect(node.compression.enum!.map((e) => e.value)).toEqual(["", "none", "snappy", "lz4", "zstd", "gzip"]);
    // a switch shown on targets, with a tooltip that says what it costs and when it does not apply
    expect(node.deletionVectors).toMatchObject({ type: "boolean", "x-component": "Switch", default: true, "x-perTable": true, "x-decorator-props": { tooltip: "${deletionVectorsTooltip}" } });
    const tip = SPEC.messages.en_US.deletionVectorsTooltip;
    for (const words of ["On by default", "deletion-vectors.enabled=true", "existing tables are never changed", "first-row", "automatic compaction is off", "table properties wins"]) expect(tip).toContain(words);
    for (const f of Object.values(node)) for (const e of f.enum ?? []) expect(() => parseNodeConfig({ [Object.keys(node).find((k) => node[k] === f)!]: e.value })).not.toThrow();
  });

  it("declares the DML policies it honours and flush_offset_callback once", () => {
    const caps = SPEC.configOptions.capabilities;
    expect(caps.filter((c) => c.id === "flush_offset_callback")).toHaveLength(1);
    expect(caps).toContainEqual({ id: "dml_insert_policy", alternatives: ["update_on_exists"] });
    expect(caps).toContainEqual({ id: "dml_update_policy", alternatives: ["insert_on_nonexists"] });
  });

  it("has an English message for every ${key} and the docs it names", () => {
    const keys = new Set<string>();
    JSON.stringify(SPEC.configOptions).replace(/\$\{(\w+)\}/g, (_m, k: string) => (keys.add(k), ""));
    keys.add("doc");
    for (const k of keys) expect(SPEC.messages.en_US[k]).toEqual(expect.any(String));
    const doc = readFileSync(join(__dirname, "..", SPEC.messages.en_US.doc), "utf8");
    for (const topic of ["Connection test", "Exactly-once", "Bad records", "DECIMAL(38, 10)", "TIME(p)", "JSON"]) expect(doc).toContain(topic);
  });

  it("maps the data types of the Java connector (TIME fraction 0..3, DECIMAL defaults 38/10)", () => {
    const dt = SPEC.dataTypes as unknown as Record<string, Record<string, unknown>>;
    expect(dt["TIME[($fraction)]"]).toMatchObject({ to: "TapTime", fraction: [0, 3], defaultFraction: 3 });
    expect(dt["DECIMAL[($precision,$scale)]"]).toMatchObject({ to: "TapNumber", precision: [1, 38], scale: [0, 38], defaultPrecision: 38, defaultScale: 10, fixed: true });
    for (const k of ["BOOLEAN", "TINYINT", "SMALLINT", "INT", "BIGINT", "FLOAT", "DOUBLE", "STRING", "BYTES", "DATE"]) expect(dt[k]).toBeDefined();
  });
});
