export { PaimonConnector, compareTable, desiredTable, tapTableOf, type PaimonConnectorOptions, type WriteSummary } from "./connector.js";
export {
  CONNECTION_DEFAULTS,
  ConfigError,
  NODE_DEFAULTS,
  PER_TABLE_FIELDS,
  SECRET_FIELDS,
  STORAGE_TYPES,
  connectionString,
  parseConnectionConfig,
  parseNodeConfig,
  redactConnection,
  tableNodeConfig,
  tableOptionsFromNode,
  warehouseUri,
  type BucketMode,
  type ConnectionConfig,
  type NodeConfig,
  type StorageType,
} from "./config.js";
export { describeError } from "./errors.js";
export { compareOffsets } from "./offsets.js";
export * from "./pdk.js";
export { RecordConverter, RecordError, normalizeRecordEvent, type RecordEncoding, type RowOp } from "./records.js";
export { changeEvents, snapshotChanges, type ChangeRecord, type SnapshotChanges } from "./read.js";
export { SERVE_METHODS, readStateFile, serve, writeStateFile, type ServeOptions } from "./serve.js";
export { TableSink, SinkFencedError, type CommitInfo, type SinkOptions } from "./sink.js";
export { CONNECTION_FORM, DDL_CAPABILITIES, MESSAGES_EN_US, NODE_FORM, SPEC } from "./spec.js";
export { CommitStateStore, OFFSET_PROPERTY, STATE_KEY_PREFIX, stateKey, type CommitState } from "./state.js";
export { StorageUnavailableError, backendOptions, openStorage, type Storage } from "./storage.js";
