/**
 * The filesystem catalog (METADATA.md §1.4): databases are `<name>.db` directories under
 * the warehouse; a table exists iff it has a schema file; creating one is a
 * create-if-absent of `schema-0`.
 */
import {
  AlreadyExistsError,
  InvalidInputError,
  NotFoundError,
  isAlreadyExists,
  isNotFound,
  joinPath,
  safeName,
  type FileIO,
} from "@paimon-ts/fileio";
import { createTableSchema, validateTableSchema, type CreateSchemaInput, type TableSchema } from "../schema/table-schema.js";
import { applySchemaChanges, type SchemaChange } from "../schema/evolution.js";
import { FileStoreTable } from "../table/table.js";
import { TablePaths } from "../table/paths.js";
import { SchemaManager } from "../table/schema-manager.js";

export const DB_SUFFIX = ".db";
export const DEFAULT_DATABASE = "default";

export interface Identifier {
  database: string;
  table: string;
}

/** Parses `db.table` (the first dot separates; names are checked for path safety). */
export function parseIdentifier(text: string): Identifier {
  const i = text.indexOf(".");
  if (i <= 0 || i === text.length - 1) throw new InvalidInputError(`expected <database>.<table>, got ${JSON.stringify(text)}`);
  return { database: safeName("database", text.slice(0, i)), table: safeName("table", text.slice(i + 1)) };
}

export class FileSystemCatalog {
  constructor(
    readonly io: FileIO,
    /** The warehouse URI (a plain path for local disk). */
    readonly warehouse: string,
  ) {}

  databasePath(database: string): string {
    return joinPath(this.warehouse, safeName("database", database) + DB_SUFFIX);
  }

  tablePath(id: Identifier): string {
    return joinPath(this.databasePath(id.database), safeName("table", id.table));
  }

  async listDatabases(): Promise<string[]> {
    try {
      return (await this.io.list(this.warehouse))
        .filter((s) => s.isDir)
        .map((s) => s.path.replace(/\/+$/, "").slice(s.path.replace(/\/+$/, "").lastIndexOf("/") + 1))
        .filter((n) => n.endsWith(DB_SUFFIX) && n.length > DB_SUFFIX.length)
        .map((n) => n.slice(0, -DB_SUFFIX.length))
        .sort();
    } catch (e) {
      if (isNotFound(e)) return [];
      throw e;
    }
  }

  async databaseExists(database: string): Promise<boolean> {
    return this.io.exists(this.databasePath(database));
  }

  async createDatabase(database: string, ignoreIfExists = true): Promise<void> {
    const p = this.databasePath(database);
    if (await this.io.exists(p)) {
      if (ignoreIfExists) return;
      throw new AlreadyExistsError(p, `database '${database}' already exists`);
    }
    await this.io.mkdirs(p);
  }

  async dropDatabase(database: string, opts: { cascade?: boolean; ignoreIfNotExists?: boolean } = {}): Promise<void> {
    const p = this.databasePath(database);
    if (!(await this.io.exists(p))) {
      if (opts.ignoreIfNotExists) return;
      throw new NotFoundError(p, `database '${database}' does not exist`);
    }
    const tables = await this.listTables(database);
    if (tables.length > 0 && !opts.cascade) {
      throw new InvalidInputError(`database '${database}' is not empty (${tables.length} tables); drop with cascade`);
    }
    await this.io.deleteRecursive(p);
  }

  async listTables(database: string): Promise<string[]> {
    let dirs;
    try {
      dirs = (await this.io.list(this.databasePath(database))).filter((s) => s.isDir);
    } catch (e) {
      if (isNotFound(e)) throw new NotFoundError(this.databasePath(database), `database '${database}' does not exist`);
      throw e;
    }
    const names = dirs.map((s) => s.path.replace(/\/+$/, "")).map((p) => p.slice(p.lastIndexOf("/") + 1));
    const out: string[] = [];
    for (const n of names) {
      if (n.startsWith(".")) continue;
      if (await this.tableExists({ database, table: n })) out.push(n);
    }
    return out.sort();
  }

  async tableExists(id: Identifier): Promise<boolean> {
    const paths = new TablePaths(this.tablePath(id));
    if (await this.io.exists(paths.schema(0))) return true;
    return (await new SchemaManager(this.io, paths, `${id.database}.${id.table}`).listIds()).length > 0;
  }

  async getTable(id: Identifier | string): Promise<FileStoreTable> {
    const ident = typeof id === "string" ? parseIdentifier(id) : id;
    const path = this.tablePath(ident);
    const name = `${ident.database}.${ident.table}`;
    const schema = await new SchemaManager(this.io, new TablePaths(path), name).latest();
    if (!schema) throw new NotFoundError(path, `table ${name} does not exist`);
    return new FileStoreTable(this.io, path, name, schema);
  }

  /**
   * Creates a table: validates the schema, then publishes `schema-0` with
   * create-if-absent, so of two concurrent creators exactly one succeeds.
   */
  async createTable(id: Identifier | string, input: CreateSchemaInput, opts: { ignoreIfExists?: boolean } = {}): Promise<FileStoreTable> {
    const ident = typeof id === "string" ? parseIdentifier(id) : id;
    const name = `${ident.database}.${ident.table}`;
    if (!(await this.databaseExists(ident.database))) throw new NotFoundError(this.databasePath(ident.database), `database '${ident.database}' does not exist`);
    const schema = createTableSchema({ tableName: name, ...input });
    validateTableSchema(schema, name);
    if (await this.tableExists(ident)) {
      if (opts.ignoreIfExists) return this.getTable(ident);
      throw new AlreadyExistsError(this.tablePath(ident), `table ${name} already exists`);
    }
    const path = this.tablePath(ident);
    try {
      await new SchemaManager(this.io, new TablePaths(path), name).commit(schema);
    } catch (e) {
      if (isAlreadyExists(e)) {
        if (opts.ignoreIfExists) return this.getTable(ident);
        throw new AlreadyExistsError(path, `table ${name} already exists`);
      }
      throw e;
    }
    return new FileStoreTable(this.io, path, name, schema);
  }

  async dropTable(id: Identifier | string, opts: { ignoreIfNotExists?: boolean } = {}): Promise<void> {
    const ident = typeof id === "string" ? parseIdentifier(id) : id;
    if (!(await this.tableExists(ident))) {
      if (opts.ignoreIfNotExists) return;
      throw new NotFoundError(this.tablePath(ident), `table ${ident.database}.${ident.table} does not exist`);
    }
    await this.io.deleteRecursive(this.tablePath(ident));
  }

  async renameTable(from: Identifier | string, to: Identifier | string): Promise<void> {
    const a = typeof from === "string" ? parseIdentifier(from) : from;
    const b = typeof to === "string" ? parseIdentifier(to) : to;
    if (!(await this.tableExists(a))) throw new NotFoundError(this.tablePath(a), `table ${a.database}.${a.table} does not exist`);
    if (await this.tableExists(b)) throw new AlreadyExistsError(this.tablePath(b), `table ${b.database}.${b.table} already exists`);
    await this.io.rename(this.tablePath(a), this.tablePath(b));
  }

  /**
   * Applies schema changes as a new schema version. Retries when another writer
   * published the same version first, re-validating against the newer schema.
   */
  async alterTable(id: Identifier | string, changes: SchemaChange[], maxRetries = 10): Promise<TableSchema> {
    const ident = typeof id === "string" ? parseIdentifier(id) : id;
    const name = `${ident.database}.${ident.table}`;
    const table = await this.getTable(ident);
    for (let attempt = 0; ; attempt++) {
      const latest = await table.schemas.latest();
      if (!latest) throw new NotFoundError(table.path, `table ${name} does not exist`);
      const hasSnapshots = (await table.snapshots.latestId()) !== null;
      const next = applySchemaChanges(latest, changes, { tableName: name, hasSnapshots });
      try {
        await table.schemas.commit(next);
        return next;
      } catch (e) {
        if (!isAlreadyExists(e) || attempt >= maxRetries) throw e;
      }
    }
  }
}
