import type { FileIORegistry } from "@paimon-ts/fileio";
import { OssFileIO, type OssFileIOOptions } from "./oss.js";

export { OssFileIO, type OssFileIOOptions } from "./oss.js";
export { ObjectStoreFileIO, StoreError, type Failure, type ObjectFileIOOptions, type ObjectStore } from "@paimon-ts/fileio";

/**
 * Registers OSS for `oss://bucket/path` warehouses (the bucket comes from each path).
 * Options given to `registry.create` override these.
 */
export function registerOss(registry: FileIORegistry, options: OssFileIOOptions): FileIORegistry {
  return registry.register("oss", (_uri, extra) => new OssFileIO({ ...options, ...(extra as Partial<OssFileIOOptions>) }));
}
