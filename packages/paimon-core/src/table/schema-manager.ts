/**
 * Schema versions of one table: `schema/schema-N`, created with create-if-absent so two
 * writers can never both publish version N.
 */
import { AlreadyExistsError, NotFoundError, isNotFound, type FileIO } from "@paimon-ts/fileio";
import { parseSchemaFileName, schemaFromJson, schemaToJson, type TableSchema } from "../schema/table-schema.js";
import type { TablePaths } from "./paths.js";

export class SchemaManager {
  private readonly cache = new Map<bigint, TableSchema>();

  constructor(
    private readonly io: FileIO,
    private readonly paths: TablePaths,
    private readonly tableName: string,
  ) {}

  async listIds(): Promise<bigint[]> {
    try {
      const files = await this.io.list(this.paths.schemaDir);
      return files
        .map((f) => parseSchemaFileName(f.path.slice(f.path.lastIndexOf("/") + 1)))
        .filter((x): x is bigint => x !== null)
        .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    } catch (e) {
      if (isNotFound(e)) return [];
      throw e;
    }
  }

  async latest(): Promise<TableSchema | undefined> {
    const ids = await this.listIds();
    return ids.length === 0 ? undefined : this.schema(ids[ids.length - 1]);
  }

  /** A schema version; immutable once written, so cached. */
  async schema(id: bigint): Promise<TableSchema> {
    const hit = this.cache.get(id);
    if (hit) return hit;
    let text: string;
    try {
      text = new TextDecoder().decode(await this.io.readFile(this.paths.schema(id)));
    } catch (e) {
      if (isNotFound(e)) throw new NotFoundError(this.paths.schema(id), `table ${this.tableName}: schema ${id} not found`);
      throw e;
    }
    const s = schemaFromJson(text, `table ${this.tableName} schema-${id}`);
    this.cache.set(id, s);
    return s;
  }

  /** Publishes `schema` as version `schema.id`; AlreadyExistsError if another writer got there first. */
  async commit(schema: TableSchema): Promise<void> {
    const path = this.paths.schema(schema.id);
    try {
      await this.io.createIfAbsent(path, new TextEncoder().encode(schemaToJson(schema)));
    } catch (e) {
      if (e instanceof AlreadyExistsError) throw new AlreadyExistsError(path, `table ${this.tableName}: schema ${schema.id} was committed concurrently`);
      throw e;
    }
    this.cache.set(schema.id, schema);
  }
}
