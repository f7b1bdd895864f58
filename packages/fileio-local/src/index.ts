import type { FileIORegistry } from "@paimon-ts/fileio";
import { LocalFileIO } from "./local.js";

export { LocalFileIO, createLocalFileIO, toLocalPath } from "./local.js";

/** Registers the local backend for plain paths and `file:` URIs. */
export function registerLocal(registry: FileIORegistry): FileIORegistry {
  return registry.register("file", () => new LocalFileIO());
}
