import type { FileIORegistry } from "@paimon-ts/fileio";
import { HdfsFileIO, parseHdfsOptions, type HdfsOptions } from "./hdfs.js";

export {
  DEFAULT_HDFS_USER,
  DEFAULT_WEBHDFS_PORT,
  DEFAULT_WRITE_CHUNK_BYTES,
  HdfsFileIO,
  parseHdfsOptions,
  webHdfsEndpoints,
  type HdfsOptions,
} from "./hdfs.js";
export { AmbiguousRequestError, WebHdfsClient, encodeHdfsPath, mapRemoteError, type RemoteException, type WebHdfsClientOptions } from "./webhdfs.js";

/**
 * Registers the HDFS backend for `hdfs://namenode:rpcPort/…` warehouses. `options` apply
 * to every warehouse; the options given to `registry.create` (same keys) override them.
 */
export function registerHdfs(registry: FileIORegistry, options: HdfsOptions = {}): FileIORegistry {
  return registry.register("hdfs", (uri, createOptions) => new HdfsFileIO(uri, { ...options, ...parseHdfsOptions(createOptions) }));
}
