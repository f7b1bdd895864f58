/**
 * Table schema files `schema/schema-<id>` (METADATA.md §2): the model, JSON in Java's key
 * order and pretty style, the read-compatibility rules, derived keys and validation (§2.5).
 */
import { DataField, DataType, RowType, isNested, withNullability } from "../types/datatype.js";
import { assignFieldIds, highestFieldId as computeHighestFieldId, SYSTEM_FIELD_ID_START } from "../types/ids.js";
import { TypeJsonError, fieldFromJson, fieldToJson } from "../types/json.js";
import { TypeParseError } from "../types/parse.js";
import {
  JsonObject,
  JsonShapeError,
  JsonStyle,
  JsonValue,
  isJsonObject,
  jsonToBigInt,
  jsonToInt,
  parseJson,
  stringifyJson,
} from "../util/json.js";

export const CURRENT_SCHEMA_VERSION = 3;
export const SCHEMA_PREFIX = "schema-";

export interface TableSchema {
  /** Schema-file format version (3 for files written now; older files keep theirs). */
  version: number;
  id: bigint;
  fields: DataField[];
  highestFieldId: number;
  partitionKeys: string[];
  primaryKeys: string[];
  /** Table options; all values are strings. */
  options: Record<string, string>;
  comment: string | null;
  timeMillis: bigint;
}

export class SchemaFormatError extends Error {
  override name = "SchemaFormatError";
}

export class SchemaValidationError extends Error {
  override name = "SchemaValidationError";
  constructor(
    message: string,
    readonly table: string | undefined,
    readonly field: string | undefined,
  ) {
    super(message);
  }
}

// ------------------------------------------------------------------ options & names

export const OptionKeys = {
  BUCKET: "bucket",
  BUCKET_KEY: "bucket-key",
  FILE_FORMAT: "file.format",
  PRIMARY_KEY: "primary-key",
  PARTITION: "partition",
  PRIMARY_KEY_NULLABLE: "primary-key.nullable",
  SEQUENCE_FIELD: "sequence.field",
  MERGE_ENGINE: "merge-engine",
  ROWKIND_FIELD: "rowkind.field",
  ADD_COLUMN_BEFORE_PARTITION: "add-column-before-partition",
  NULL_TO_NOT_NULL_DISABLED: "alter-column-null-to-not-null.disabled",
  DELETION_VECTORS_ENABLED: "deletion-vectors.enabled",
  DELETION_VECTORS_MODIFIABLE: "deletion-vectors.modifiable",
  IGNORE_DELETE: "ignore-delete",
} as const;

export const MERGE_ENGINES = ["deduplicate", "partial-update", "aggregation", "first-row"] as const;

/** Default `bucket` option value (-1: dynamic for PK tables, unaware for append tables). */
export const DEFAULT_BUCKET = -1;
export const POSTPONE_BUCKET = -2;

export function schemaFileName(id: bigint | number): string {
  return `${SCHEMA_PREFIX}${id}`;
}

/** The id in `schema-<digits>`, or null for any other name. */
export function parseSchemaFileName(name: string): bigint | null {
  const m = /^schema-(\d+)$/.exec(name);
  return m ? BigInt(m[1]) : null;
}

/** Splits a comma-separated option value (trimmed, empty parts dropped). */
export function splitOptionList(v: string | undefined): string[] {
  return v === undefined ? [] : v.split(",").map((s) => s.trim()).filter((s) => s.length > 0);
}

// ------------------------------------------------------------------ JSON

/** The JSON object of a schema, in `SchemaSerializer`'s key order (`comment` omitted when null). */
export function schemaToJsonObject(s: TableSchema): JsonObject {
  const o: JsonObject = {
    version: s.version,
    id: s.id,
    fields: s.fields.map((f) => fieldToJson(f) as JsonObject),
    highestFieldId: s.highestFieldId,
    partitionKeys: [...s.partitionKeys],
    primaryKeys: [...s.primaryKeys],
    options: { ...s.options },
  };
  if (s.comment !== null && s.comment !== undefined) o.comment = s.comment;
  o.timeMillis = s.timeMillis;
  return o;
}

/** Serializes a schema; `jackson` (default) is exactly how Java writes schema files. */
export function schemaToJson(s: TableSchema, style: JsonStyle = "jackson"): string {
  return stringifyJson(schemaToJsonObject(s), style);
}

function stringList(v: JsonValue | undefined, key: string): string[] {
  if (!Array.isArray(v) || !v.every((x) => typeof x === "string")) throw new SchemaFormatError(`"${key}" must be an array of strings`);
  return v as string[];
}

/**
 * Reads a schema, applying Java's compatibility rules: missing `version` ⇒ 1; version ≤ 1
 * without `bucket` ⇒ `bucket = "1"`; version ≤ 2 without `file.format` ⇒ `"orc"`;
 * missing `timeMillis` ⇒ 0. Option values that are JSON scalars are coerced to strings.
 */
export function schemaFromJsonObject(j: JsonValue, what = "schema"): TableSchema {
  try {
    if (!isJsonObject(j)) throw new SchemaFormatError("expected a JSON object");
    const version = j.version === undefined || j.version === null ? 1 : jsonToInt(j.version, "version");
    if (j.id === undefined || j.id === null) throw new SchemaFormatError(`missing "id"`);
    const id = jsonToBigInt(j.id, "id");
    if (!Array.isArray(j.fields)) throw new SchemaFormatError(`missing "fields"`);
    const fields = j.fields.map((f, i) => fieldFromJson(f, `fields[${i}]`));
    if (j.highestFieldId === undefined || j.highestFieldId === null) throw new SchemaFormatError(`missing "highestFieldId"`);
    const highest = jsonToInt(j.highestFieldId, "highestFieldId");
    const partitionKeys = stringList(j.partitionKeys, "partitionKeys");
    const primaryKeys = stringList(j.primaryKeys, "primaryKeys");
    if (!isJsonObject(j.options)) throw new SchemaFormatError(`"options" must be an object`);
    const options: Record<string, string> = {};
    for (const [k, v] of Object.entries(j.options)) {
      if (typeof v === "string") options[k] = v;
      else if (typeof v === "number" || typeof v === "bigint" || typeof v === "boolean") options[k] = String(v);
      else throw new SchemaFormatError(`option "${k}" must be a string`);
    }
    if (version <= 1 && options[OptionKeys.BUCKET] === undefined) options[OptionKeys.BUCKET] = "1";
    if (version <= 2 && options[OptionKeys.FILE_FORMAT] === undefined) options[OptionKeys.FILE_FORMAT] = "orc";
    const comment = typeof j.comment === "string" ? j.comment : null;
    const timeMillis = j.timeMillis === undefined || j.timeMillis === null ? 0n : jsonToBigInt(j.timeMillis, "timeMillis");
    return { version, id, fields, highestFieldId: highest, partitionKeys, primaryKeys, options, comment, timeMillis };
  } catch (e) {
    if (e instanceof SchemaFormatError || e instanceof JsonShapeError || e instanceof TypeJsonError || e instanceof TypeParseError) {
      throw new SchemaFormatError(`${what}: ${e.message}`);
    }
    throw e;
  }
}

export function schemaFromJson(text: string, what = "schema"): TableSchema {
  let j: JsonValue;
  try {
    j = parseJson(text);
  } catch (e) {
    throw new SchemaFormatError(`${what}: invalid JSON: ${(e as Error).message}`);
  }
  return schemaFromJsonObject(j, what);
}

// ------------------------------------------------------------------ derived

export function rowType(s: TableSchema): RowType {
  return { root: "ROW", fields: s.fields, nullable: false };
}

export function fieldNames(s: TableSchema): string[] {
  return s.fields.map((f) => f.name);
}

export function findField(s: TableSchema, name: string): DataField | undefined {
  return s.fields.find((f) => f.name === name);
}

function fieldsByName(s: TableSchema, names: string[]): DataField[] {
  return names.map((n) => {
    const f = findField(s, n);
    if (!f) throw new SchemaValidationError(`column ${n} does not exist`, undefined, n);
    return f;
  });
}

/** Primary keys minus partition keys. */
export function trimmedPrimaryKeys(s: TableSchema): string[] {
  return s.primaryKeys.filter((k) => !s.partitionKeys.includes(k));
}

/** The `bucket-key` option, split (empty when not set). */
export function originalBucketKeys(s: TableSchema): string[] {
  return splitOptionList(s.options[OptionKeys.BUCKET_KEY]);
}

/** `bucket-key` if set, else the trimmed primary keys (empty for append tables without one). */
export function bucketKeys(s: TableSchema): string[] {
  const k = originalBucketKeys(s);
  return k.length > 0 ? k : trimmedPrimaryKeys(s);
}

/** The `bucket` option as a number (default -1). */
export function bucketOption(s: TableSchema): number {
  const v = s.options[OptionKeys.BUCKET];
  if (v === undefined) return DEFAULT_BUCKET;
  const n = Number(v.trim());
  if (!Number.isInteger(n)) throw new SchemaValidationError(`option bucket must be an integer, got ${JSON.stringify(v)}`, undefined, undefined);
  return n;
}

export type BucketMode = "HASH_FIXED" | "HASH_DYNAMIC" | "KEY_DYNAMIC" | "BUCKET_UNAWARE" | "POSTPONE_MODE";

/** True when a PK table's primary key does not contain every partition key. */
export function crossPartitionUpdate(s: TableSchema): boolean {
  return s.primaryKeys.length > 0 && s.partitionKeys.length > 0 && !s.partitionKeys.every((p) => s.primaryKeys.includes(p));
}

/** The bucket mode (METADATA.md §6). */
export function bucketMode(s: TableSchema): BucketMode {
  const b = bucketOption(s);
  if (s.primaryKeys.length > 0) {
    if (b === POSTPONE_BUCKET) return "POSTPONE_MODE";
    if (b === -1) return crossPartitionUpdate(s) ? "KEY_DYNAMIC" : "HASH_DYNAMIC";
    return "HASH_FIXED";
  }
  return b === -1 ? "BUCKET_UNAWARE" : "HASH_FIXED";
}

export function partitionFields(s: TableSchema): DataField[] {
  return fieldsByName(s, s.partitionKeys);
}

export function trimmedPrimaryKeyFields(s: TableSchema): DataField[] {
  return fieldsByName(s, trimmedPrimaryKeys(s));
}

export function bucketKeyFields(s: TableSchema): DataField[] {
  return fieldsByName(s, bucketKeys(s));
}

// ------------------------------------------------------------------ creation

export interface ColumnSpec {
  name: string;
  type: DataType;
  description?: string;
  defaultValue?: string;
}

export interface CreateSchemaInput {
  columns: ColumnSpec[];
  partitionKeys?: string[];
  primaryKeys?: string[];
  options?: Record<string, string>;
  comment?: string | null;
  timeMillis?: bigint;
  /** For error messages, e.g. `db.table`. */
  tableName?: string;
}

/**
 * Builds schema 0 the way Java's `Schema` builder + `SchemaManager.createTable` do: ids
 * assigned like `ReassignFieldId`, `primary-key`/`partition` options moved into the keys,
 * primary-key columns made NOT NULL (unless `primary-key.nullable=true`), then validated.
 */
export function createTableSchema(input: CreateSchemaInput): TableSchema {
  const table = input.tableName;
  const options = { ...(input.options ?? {}) };
  let primaryKeys = [...(input.primaryKeys ?? [])];
  let partitionKeys = [...(input.partitionKeys ?? [])];
  const pkOpt = options[OptionKeys.PRIMARY_KEY];
  if (pkOpt !== undefined) {
    if (primaryKeys.length > 0) throw new SchemaValidationError(`${tableLabel(table)}: cannot define the primary key both in the DDL and in the table options`, table, undefined);
    primaryKeys = splitOptionList(pkOpt);
    delete options[OptionKeys.PRIMARY_KEY];
  }
  const partOpt = options[OptionKeys.PARTITION];
  if (partOpt !== undefined) {
    if (partitionKeys.length > 0) throw new SchemaValidationError(`${tableLabel(table)}: cannot define partition keys both in the DDL and in the table options`, table, undefined);
    partitionKeys = splitOptionList(partOpt);
    delete options[OptionKeys.PARTITION];
  }
  const { fields, highestFieldId } = assignFieldIds(input.columns);
  const pkNullable = (options[OptionKeys.PRIMARY_KEY_NULLABLE] ?? "false").toLowerCase() === "true";
  input.columns.forEach((c, i) => {
    if (c.defaultValue !== undefined) fields[i].defaultValue = c.defaultValue;
    if (!pkNullable && primaryKeys.includes(c.name)) fields[i] = { ...fields[i], type: withNullability(fields[i].type, false) };
  });
  const schema: TableSchema = {
    version: CURRENT_SCHEMA_VERSION,
    id: 0n,
    fields,
    highestFieldId,
    partitionKeys,
    primaryKeys,
    options,
    comment: input.comment ?? null,
    timeMillis: input.timeMillis ?? BigInt(Date.now()),
  };
  validateTableSchema(schema, table);
  return schema;
}

// ------------------------------------------------------------------ validation

export function tableLabel(table: string | undefined): string {
  return table ? `table ${table}` : "table";
}

function fail(table: string | undefined, field: string | undefined, msg: string): never {
  throw new SchemaValidationError(`${tableLabel(table)}: ${msg}`, table, field);
}

function checkUnique(names: string[], what: string, table: string | undefined): void {
  const seen = new Set<string>();
  for (const n of names) {
    if (seen.has(n)) fail(table, n, `duplicate ${what} ${n}`);
    seen.add(n);
  }
}

/**
 * Checks the rules a writer must respect (METADATA.md §2.4, §2.5); throws a
 * {@link SchemaValidationError} naming the table and the offending field.
 */
export function validateTableSchema(s: TableSchema, table?: string): void {
  // field names and ids
  checkUnique(fieldNames(s), "column", table);
  const ids = new Set<number>();
  const visit = (fields: DataField[], path: string): void => {
    checkUnique(
      fields.map((f) => f.name),
      `nested field in ${path || "the row"}:`,
      table,
    );
    for (const f of fields) {
      const p = path ? `${path}.${f.name}` : f.name;
      if (!Number.isInteger(f.id) || f.id < 0) fail(table, p, `field ${p} has an invalid id ${f.id}`);
      if (ids.has(f.id)) fail(table, p, `field id ${f.id} of ${p} is used twice`);
      ids.add(f.id);
      visitType(f.type, p);
    }
  };
  const visitType = (t: DataType, p: string): void => {
    if (t.root === "ROW") visit(t.fields, p);
    else if (t.root === "ARRAY" || t.root === "MULTISET") visitType(t.element, p);
    else if (t.root === "MAP") {
      visitType(t.key, p);
      visitType(t.value, p);
    }
  };
  visit(s.fields, "");
  const maxId = computeHighestFieldId(s.fields);
  if (maxId > s.highestFieldId) fail(table, undefined, `highestFieldId ${s.highestFieldId} is below the largest field id ${maxId}`);
  if (s.highestFieldId >= SYSTEM_FIELD_ID_START) fail(table, undefined, `highestFieldId ${s.highestFieldId} reaches the system field id range`);

  // keys
  checkUnique(s.partitionKeys, "partition key", table);
  checkUnique(s.primaryKeys, "primary key", table);
  const names = new Set(fieldNames(s));
  for (const k of s.partitionKeys) if (!names.has(k)) fail(table, k, `partition key ${k} is not a column (columns: ${[...names].join(", ")})`);
  for (const k of s.primaryKeys) if (!names.has(k)) fail(table, k, `primary key ${k} is not a column (columns: ${[...names].join(", ")})`);
  for (const k of [...s.partitionKeys, ...s.primaryKeys]) {
    const f = findField(s, k)!;
    if (isNested(f.type)) fail(table, k, `key column ${k} must have a primitive type, not ${f.type.root}`);
  }
  const isPk = s.primaryKeys.length > 0;
  if (isPk && trimmedPrimaryKeys(s).length === 0) {
    fail(table, undefined, `primary key [${s.primaryKeys.join(", ")}] must not be the same as the partition keys [${s.partitionKeys.join(", ")}]: that would leave only one record per partition`);
  }
  if (isPk) {
    for (const f of s.fields) {
      if (f.name.startsWith("_KEY_") || f.name === "_SEQUENCE_NUMBER" || f.name === "_VALUE_KIND") {
        fail(table, f.name, `column name ${f.name} collides with a system column of primary-key data files`);
      }
    }
  }

  // bucket
  const rawBucket = s.options[OptionKeys.BUCKET];
  const bucket = rawBucket === undefined ? DEFAULT_BUCKET : Number(rawBucket.trim());
  if (!Number.isInteger(bucket)) fail(table, undefined, `option bucket must be an integer, got ${JSON.stringify(rawBucket)}`);
  if (bucket === 0 || bucket < POSTPONE_BUCKET) fail(table, undefined, `option bucket must be -1, -2 or a positive number, got ${bucket}`);
  if (bucket === POSTPONE_BUCKET && !isPk) fail(table, undefined, `bucket = -2 (postpone) is only supported for primary-key tables`);
  const bks = originalBucketKeys(s);
  if (bks.length > 0) {
    if (bucket === -1) fail(table, undefined, `cannot define 'bucket-key' with bucket = -1; remove 'bucket-key' or set a bucket number`);
    checkUnique(bks, "bucket key", table);
    for (const k of bks) {
      const f = findField(s, k);
      if (!f) fail(table, k, `bucket key ${k} is not a column`);
      if (isNested(f.type)) fail(table, k, `bucket key ${k} must have a primitive type, not ${f.type.root}`);
      if (s.partitionKeys.includes(k)) fail(table, k, `bucket key ${k} must not be a partition key`);
      if (isPk && !trimmedPrimaryKeys(s).includes(k)) fail(table, k, `bucket key ${k} must be part of the primary key (excluding partition keys) [${trimmedPrimaryKeys(s).join(", ")}]`);
    }
  } else if (!isPk && bucket > 0 && !(s.version <= 1 && bucket === 1)) {
    fail(table, undefined, `an append table with bucket = ${bucket} must define 'bucket-key'`);
  }

  // other column references
  for (const k of splitOptionList(s.options[OptionKeys.SEQUENCE_FIELD])) {
    if (!names.has(k)) fail(table, k, `sequence field ${k} is not a column`);
  }
  const rk = s.options[OptionKeys.ROWKIND_FIELD];
  if (rk !== undefined && !names.has(rk)) fail(table, rk, `rowkind field ${rk} is not a column`);
  const engine = s.options[OptionKeys.MERGE_ENGINE];
  if (engine !== undefined && !(MERGE_ENGINES as readonly string[]).includes(engine)) {
    fail(table, undefined, `unknown merge-engine ${JSON.stringify(engine)} (expected one of ${MERGE_ENGINES.join(", ")})`);
  }
}
