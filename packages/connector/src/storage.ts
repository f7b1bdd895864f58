/**
 * The FileIO for a connection: the backend of its storage type, configured from the form.
 * Object-store backends are loaded on first use, so a local or HDFS connection never
 * pays for the AWS or OSS SDKs.
 */
import { FileIORegistry, type FileIO } from "@paimon-ts/fileio";
import { registerHdfs } from "@paimon-ts/fileio-hdfs";
import { registerLocal } from "@paimon-ts/fileio-local";
import { warehouseUri, type ConnectionConfig, type StorageType } from "./config.js";

export interface Storage {
  io: FileIO;
  /** The normalized warehouse URI (a plain path for local disk). */
  warehouse: string;
  storageType: StorageType;
}

export class StorageUnavailableError extends Error {
  override name = "StorageUnavailableError";
}

/** s3Properties keys (Hadoop S3A names) that map to options of the S3 FileIO. */
function s3Extras(cfg: ConnectionConfig, warn: (m: string) => void): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const { propKey, propValue } of cfg.s3Properties) {
    const ms = Number(propValue);
    switch (propKey) {
      case "fs.s3a.path.style.access":
        out.forcePathStyle = propValue.trim().toLowerCase() === "true";
        break;
      case "fs.s3a.connection.establish.timeout":
        if (Number.isFinite(ms) && ms > 0) out.connectTimeoutMs = ms;
        break;
      case "fs.s3a.connection.timeout":
      case "fs.s3a.connection.request.timeout":
        if (Number.isFinite(ms) && ms > 0) out.requestTimeoutMs = ms;
        break;
      case "fs.s3a.attempts.maximum":
        if (Number.isInteger(ms) && ms > 0) out.maxAttempts = ms;
        break;
      case "fs.s3a.multipart.size":
        if (Number.isInteger(ms) && ms > 0) out.partSize = ms;
        break;
      case "fs.s3a.session.token":
        out.sessionToken = propValue;
        break;
      case "fs.s3a.endpoint.region":
        out.region = propValue;
        break;
      case "fs.s3a.connection.maximum":
        // the SDK's connection pool sizes itself; accepted for compatibility
        break;
      default:
        warn(`s3Properties: '${propKey}' has no equivalent in paimon-ts and is ignored`);
    }
  }
  return out;
}

/** Backend options for a connection (credentials included: never log this object). */
export function backendOptions(cfg: ConnectionConfig, warn: (m: string) => void = () => undefined): Record<string, unknown> {
  switch (cfg.storageType) {
    case "local":
      return {};
    case "hdfs": {
      const o: Record<string, unknown> = { httpPort: cfg.hdfsHttpPort, user: cfg.hdfsUser };
      if (cfg.hdfsHost) o.host = cfg.hdfsHost;
      return o;
    }
    case "s3": {
      const o: Record<string, unknown> = { forcePathStyle: cfg.s3Endpoint !== undefined };
      if (cfg.s3Endpoint) o.endpoint = cfg.s3Endpoint;
      if (cfg.s3Region) o.region = cfg.s3Region;
      if (cfg.s3AccessKey !== undefined) o.accessKeyId = cfg.s3AccessKey;
      if (cfg.s3SecretKey !== undefined) o.secretAccessKey = cfg.s3SecretKey;
      return { ...o, ...s3Extras(cfg, warn) };
    }
    case "oss":
      return { endpoint: cfg.ossEndpoint, accessKeyId: cfg.ossAccessKey, accessKeySecret: cfg.ossSecretKey };
  }
}

async function registerObjectStores(registry: FileIORegistry, type: StorageType): Promise<void> {
  if (type === "s3") {
    let mod: { registerS3?: (r: FileIORegistry) => FileIORegistry };
    try {
      mod = await import("@paimon-ts/fileio-s3");
    } catch (e) {
      throw new StorageUnavailableError(`S3 storage is not available in this build (@paimon-ts/fileio-s3 failed to load: ${(e as Error).message})`);
    }
    if (typeof mod.registerS3 !== "function") throw new StorageUnavailableError("S3 storage is not available in this build (@paimon-ts/fileio-s3 exports no registerS3)");
    mod.registerS3(registry);
  } else if (type === "oss") {
    let mod: { registerOss?: (r: FileIORegistry, o: never) => FileIORegistry };
    try {
      mod = await import("@paimon-ts/fileio-oss");
    } catch (e) {
      throw new StorageUnavailableError(`OSS storage is not available in this build (@paimon-ts/fileio-oss failed to load: ${(e as Error).message})`);
    }
    if (typeof mod.registerOss !== "function") throw new StorageUnavailableError("OSS storage is not available in this build (@paimon-ts/fileio-oss exports no registerOss)");
    // credentials come per warehouse through registry.create, which override these
    mod.registerOss(registry, {} as never);
  }
}

/**
 * Opens the FileIO of a connection. `fastFail` (connection tests) retries transient
 * failures once instead of riding them out.
 */
export async function openStorage(cfg: ConnectionConfig, warn: (m: string) => void = () => undefined, fastFail = false): Promise<Storage> {
  const registry = new FileIORegistry();
  registerLocal(registry);
  registerHdfs(registry);
  await registerObjectStores(registry, cfg.storageType);
  const uri = warehouseUri(cfg);
  const options = backendOptions(cfg, warn);
  if (fastFail) Object.assign(options, cfg.storageType === "hdfs" ? { maxRetries: 1, retryBaseDelayMs: 100 } : cfg.storageType === "local" ? {} : { maxAttempts: 2, baseDelayMs: 100 });
  const created = await registry.create(uri, options);
  return { io: created.io, warehouse: created.uri.uri, storageType: cfg.storageType };
}
