/**
 * Which FileIO serves which URI scheme. Backends register themselves; the core asks for
 * a warehouse URI and gets the right implementation with its options.
 */
import { InvalidInputError } from "./errors.js";
import type { FileIO } from "./fileio.js";
import { parseWarehouseUri, type WarehouseUri } from "./uri.js";

export type FileIOFactory = (uri: WarehouseUri, options: Record<string, unknown>) => FileIO | Promise<FileIO>;

export class FileIORegistry {
  private readonly factories = new Map<string, FileIOFactory>();

  register(schemes: string | string[], factory: FileIOFactory): this {
    for (const s of Array.isArray(schemes) ? schemes : [schemes]) this.factories.set(s.toLowerCase(), factory);
    return this;
  }

  schemes(): string[] {
    return [...this.factories.keys()].sort();
  }

  async create(warehouse: string, options: Record<string, unknown> = {}): Promise<{ io: FileIO; uri: WarehouseUri }> {
    const uri = parseWarehouseUri(warehouse);
    const f = this.factories.get(uri.scheme);
    if (!f) {
      throw new InvalidInputError(
        `no FileIO registered for scheme '${uri.scheme}' (warehouse ${uri.uri}); registered: ${this.schemes().join(", ") || "none"}`,
      );
    }
    return { io: await f(uri, options), uri };
  }
}
