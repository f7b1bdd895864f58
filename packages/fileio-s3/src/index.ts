import type { FileIORegistry } from "@paimon-ts/fileio";
import { S3FileIO, type S3FileIOOptions } from "./s3.js";

export { S3FileIO, type S3FileIOOptions } from "./s3.js";
export { ObjectStoreFileIO, StoreError, type Failure, type ObjectFileIOOptions, type ObjectStore } from "@paimon-ts/fileio";

/**
 * Registers S3 for `s3://` and `s3a://` warehouses. Options given to `registry.create`
 * override these (e.g. per-warehouse credentials).
 */
export function registerS3(registry: FileIORegistry, options: S3FileIOOptions = {}): FileIORegistry {
  return registry.register(["s3", "s3a"], (uri, extra) => new S3FileIO({ ...options, ...(extra as S3FileIOOptions) }, uri.scheme === "s3a" ? "s3a" : "s3"));
}
