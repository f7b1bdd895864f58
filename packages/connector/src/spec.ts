/**
 * The connector specification (what Tapdata reads from spec.json): the connection and
 * node forms, the capabilities and the data types. `packages/connector/spec.json` is this
 * object, written by `node scripts/write-spec.mjs` after a build; a test keeps them equal.
 *
 * Connection fields keep the Java connector's names and defaults; node fields keep the
 * names of the settings paimon-ts implements (see the README for what was left out).
 */
import { PAIMON_DATA_TYPES } from "@paimon-ts/type-mapping";
import { CONNECTION_DEFAULTS, NODE_DEFAULTS } from "./config.js";

const whenStorage = (type: string) => ({
  "x-reactions": { dependencies: ["storageType"], fulfill: { state: { display: `{{$deps[0] === "${type}" ? "visible" : "hidden"}}` } } },
});
const asTarget = { "x-reactions": { dependencies: ["$inputs"], fulfill: { state: { display: '{{$deps[0].length > 0 ? "visible" : "hidden"}}' } } } };

function input(title: string, index: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { type: "string", title: `\${${title}}`, "x-decorator": "FormItem", "x-component": "Input", "x-index": index, ...extra };
}

export const CONNECTION_FORM = {
  type: "object",
  properties: {
    warehouse: input("warehouse", 10, {
      required: true,
      "x-component-props": { placeholder: "${warehousePlaceholder}" },
    }),
    storageType: {
      type: "string",
      title: "${storageType}",
      default: CONNECTION_DEFAULTS.storageType,
      required: true,
      enum: [
        { label: "Local", value: "local" },
        { label: "HDFS", value: "hdfs" },
        { label: "S3", value: "s3" },
        { label: "OSS", value: "oss" },
      ],
      "x-decorator": "FormItem",
      "x-component": "Select",
      "x-index": 20,
    },
    s3Endpoint: input("s3Endpoint", 30, { ...whenStorage("s3"), "x-component-props": { placeholder: "${s3EndpointPlaceholder}" } }),
    s3AccessKey: input("s3AccessKey", 40, whenStorage("s3")),
    s3SecretKey: input("s3SecretKey", 50, { ...whenStorage("s3"), "x-component": "Password" }),
    s3Region: input("s3Region", 60, { ...whenStorage("s3"), "x-component-props": { placeholder: "${s3RegionPlaceholder}" } }),
    s3Properties: {
      type: "array",
      title: "${s3Properties}",
      default: CONNECTION_DEFAULTS.s3Properties,
      "x-decorator": "FormItem",
      "x-component": "KeyValueEditor",
      "x-index": 65,
      ...whenStorage("s3"),
    },
    hdfsHost: input("hdfsHost", 70, whenStorage("hdfs")),
    hdfsPort: { type: "number", title: "${hdfsPort}", default: CONNECTION_DEFAULTS.hdfsPort, "x-decorator": "FormItem", "x-component": "InputNumber", "x-index": 80, ...whenStorage("hdfs") },
    hdfsHttpPort: { type: "number", title: "${hdfsHttpPort}", default: CONNECTION_DEFAULTS.hdfsHttpPort, "x-decorator": "FormItem", "x-component": "InputNumber", "x-index": 85, ...whenStorage("hdfs") },
    hdfsUser: input("hdfsUser", 90, { default: CONNECTION_DEFAULTS.hdfsUser, ...whenStorage("hdfs") }),
    ossEndpoint: input("ossEndpoint", 100, whenStorage("oss")),
    ossAccessKey: input("ossAccessKey", 110, whenStorage("oss")),
    ossSecretKey: input("ossSecretKey", 120, { ...whenStorage("oss"), "x-component": "Password" }),
    database: input("database", 130, { default: CONNECTION_DEFAULTS.database, required: true }),
  },
};

function perTable<T extends Record<string, unknown>>(o: T): T & { "x-perTable": true } {
  return { ...o, "x-perTable": true };
}

export const NODE_FORM = {
  type: "object",
  "x-tableConfigScope": ["target"],
  properties: {
    partitionKey: perTable({
      type: "array",
      title: "${partitionKey}",
      "x-decorator": "FormItem",
      "x-component": "FieldSelect",
      "x-component-props": { allowCreate: false, multiple: true, filterable: true },
      "x-index": 10,
      ...asTarget,
    }),
    bucketMode: perTable({
      type: "string",
      title: "${bucketMode}",
      default: NODE_DEFAULTS.bucketMode,
      required: true,
      enum: [
        { label: "${bucketModeDynamic}", value: "dynamic" },
        { label: "${bucketModeFixed}", value: "fixed" },
      ],
      "x-decorator": "FormItem",
      "x-component": "Select",
      "x-index": 20,
      ...asTarget,
    }),
    bucketCount: perTable({
      type: "number",
      title: "${bucketCount}",
      default: NODE_DEFAULTS.bucketCount,
      "x-decorator": "FormItem",
      "x-component": "InputNumber",
      "x-component-props": { min: 1, max: 32767 },
      "x-index": 30,
      "x-reactions": { dependencies: ["$inputs", ".bucketMode"], fulfill: { state: { display: '{{$deps[0].length > 0 && $deps[1] === "fixed" ? "visible" : "hidden"}}' } } },
    }),
    fileFormat: perTable({
      type: "string",
      title: "${fileFormat}",
      default: NODE_DEFAULTS.fileFormat,
      enum: [
        { label: "${defaultOption}", value: "" },
        { label: "Parquet", value: "parquet" },
        { label: "Avro", value: "avro" },
      ],
      "x-decorator": "FormItem",
      "x-component": "Select",
      "x-index": 40,
      ...asTarget,
    }),
    compression: perTable({
      type: "string",
      title: "${compression}",
      default: NODE_DEFAULTS.compression,
      enum: [
        { label: "${defaultOption}", value: "" },
        { label: "None", value: "none" },
        { label: "Snappy", value: "snappy" },
        { label: "LZ4", value: "lz4" },
        { label: "ZSTD", value: "zstd" },
        { label: "GZIP", value: "gzip" },
      ],
      "x-decorator": "FormItem",
      "x-component": "Select",
      "x-index": 50,
      ...asTarget,
    }),
    tableProperties: perTable({
      type: "array",
      title: "${tableProperties}",
      default: NODE_DEFAULTS.tableProperties,
      "x-decorator": "FormItem",
      "x-component": "KeyValueEditor",
      "x-index": 60,
    }),
    writeBufferSize: {
      type: "number",
      title: "${writeBufferSize}",
      default: NODE_DEFAULTS.writeBufferSize,
      "x-decorator": "FormItem",
      "x-component": "InputNumber",
      "x-component-props": { min: 1, max: 65536 },
      "x-index": 70,
      ...asTarget,
    },
    batchAccumulationSize: {
      type: "number",
      title: "${batchAccumulationSize}",
      default: NODE_DEFAULTS.batchAccumulationSize,
      "x-decorator": "FormItem",
      "x-component": "InputNumber",
      "x-component-props": { min: 0, max: 100000000 },
      "x-index": 80,
      ...asTarget,
    },
    commitIntervalMs: {
      type: "number",
      title: "${commitIntervalMs}",
      default: NODE_DEFAULTS.commitIntervalMs,
      "x-decorator": "FormItem",
      "x-component": "InputNumber",
      "x-component-props": { min: 0, max: 86400000 },
      "x-index": 90,
      ...asTarget,
    },
    enableAutoCompaction: perTable({
      type: "boolean",
      title: "${enableAutoCompaction}",
      default: NODE_DEFAULTS.enableAutoCompaction,
      "x-decorator": "FormItem",
      "x-component": "Switch",
      "x-index": 100,
      ...asTarget,
    }),
    targetFileSize: perTable({
      type: "number",
      title: "${targetFileSize}",
      default: NODE_DEFAULTS.targetFileSize,
      "x-decorator": "FormItem",
      "x-component": "InputNumber",
      "x-component-props": { min: 1, max: 65536 },
      "x-index": 110,
      ...asTarget,
    }),
    deletionVectors: perTable({
      type: "boolean",
      title: "${deletionVectors}",
      default: NODE_DEFAULTS.deletionVectors,
      "x-decorator": "FormItem",
      "x-decorator-props": { tooltip: "${deletionVectorsTooltip}" },
      "x-component": "Switch",
      "x-index": 115,
      ...asTarget,
    }),
    enablePrimaryKeyUpdate: perTable({
      type: "boolean",
      title: "${enablePrimaryKeyUpdate}",
      default: NODE_DEFAULTS.enablePrimaryKeyUpdate,
      "x-decorator": "FormItem",
      "x-component": "Switch",
      "x-index": 120,
      ...asTarget,
    }),
    ignoreUnknownFields: {
      type: "boolean",
      title: "${ignoreUnknownFields}",
      default: NODE_DEFAULTS.ignoreUnknownFields,
      "x-decorator": "FormItem",
      "x-component": "Switch",
      "x-index": 130,
      ...asTarget,
    },
  },
  "x-reactions": { dependencies: ["$settings.syncType"], fulfill: { state: { "properties.partitionKey.display": '{{$deps[0] === "migrate" ? "hidden" : "visible"}}' } } },
};

export const MESSAGES_EN_US: Record<string, string> = {
  doc: "docs/paimon_en_US.md",
  warehouse: "Warehouse",
  warehousePlaceholder: "e.g. /path/to/warehouse, hdfs://namenode:9000/warehouse, s3://bucket/warehouse or oss://bucket/warehouse",
  storageType: "Storage type",
  s3Endpoint: "S3 endpoint",
  s3EndpointPlaceholder: "e.g. https://s3.us-east-1.amazonaws.com (empty: AWS)",
  s3AccessKey: "S3 access key (empty: default AWS credentials)",
  s3SecretKey: "S3 secret key",
  s3Region: "S3 region",
  s3RegionPlaceholder: "e.g. us-east-1",
  s3Properties: "S3 properties (fs.s3a.* keys)",
  hdfsHost: "HDFS NameNode host",
  hdfsPort: "HDFS NameNode RPC port (used in hdfs:// URIs)",
  hdfsHttpPort: "HDFS WebHDFS HTTP port",
  hdfsUser: "HDFS user",
  ossEndpoint: "OSS endpoint",
  ossAccessKey: "OSS access key ID",
  ossSecretKey: "OSS access key secret",
  database: "Database",
  partitionKey: "Partition keys",
  bucketMode: "Bucket mode",
  bucketModeDynamic: "Dynamic (bucket = -1)",
  bucketModeFixed: "Fixed (bucket = N)",
  bucketCount: "Bucket count",
  fileFormat: "Data file format",
  compression: "Compression",
  defaultOption: "Paimon default",
  tableProperties: "Table properties (Paimon options)",
  writeBufferSize: "Write buffer size (MB)",
  batchAccumulationSize: "Commit after this many rows",
  commitIntervalMs: "Commit interval (ms)",
  enableAutoCompaction: "Automatic compaction",
  targetFileSize: "Target file size (MB)",
  deletionVectors: "Deletion vectors for new primary-key tables",
  deletionVectorsTooltip:
    "On by default. Creates new primary-key tables with deletion-vectors.enabled=true (merge-on-write): each commit marks replaced rows as deleted and compacts its new rows into the table, so Paimon, Spark, Flink and StarRocks read the table without merging, at the price of more work per commit. Turn it off for merge-on-read tables. Only applies when a table is created; existing tables are never changed. Not applied to append-only tables, to merge-engine first-row, or when automatic compaction is off. A deletion-vectors.enabled entry in the table properties wins.",
  enablePrimaryKeyUpdate: "Primary-key updates as delete + insert (require before images)",
  ignoreUnknownFields: "Ignore record fields that are not columns",
};

export const SPEC = {
  properties: {
    name: "Paimon",
    realName: "Apache Paimon (paimon-ts)",
    icon: "icons/paimon.png",
    doc: "${doc}",
    tags: ["Database"],
    id: "paimon-ts",
  },
  configOptions: {
    capabilities: [
      { id: "dml_insert_policy", alternatives: ["update_on_exists"] },
      { id: "dml_update_policy", alternatives: ["insert_on_nonexists"] },
      { id: "flush_offset_callback" },
    ],
    connection: CONNECTION_FORM,
    node: NODE_FORM,
  },
  messages: {
    default: "en_US",
    en_US: MESSAGES_EN_US,
  },
  dataTypes: PAIMON_DATA_TYPES,
};

/** Capability ids for ConnectionOptions: the field DDL this connector applies. */
export const DDL_CAPABILITIES = ["new_field_event", "alter_field_name_event", "alter_field_attributes_event", "drop_field_event"];
