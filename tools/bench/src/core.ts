/**
 * The paimon-core API the benchmark uses, in one place.
 */
export { FileStoreCommit, FileSystemCatalog, KeyValueWriter, parseTypeString } from "@paimon-ts/paimon-core";
export type { ColumnBatch, ColumnVector, FileStoreTable, InternalValue, Timestamp } from "@paimon-ts/paimon-core";
