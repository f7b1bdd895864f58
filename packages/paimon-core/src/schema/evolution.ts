/**
 * Schema evolution (METADATA.md §2.6) as pure functions: each change list produces the
 * next {@link TableSchema} (id + 1, version 3, new timeMillis) or throws a
 * {@link SchemaChangeError} naming the table, the column and the reason. Writing
 * `schema-<id>` atomically is the caller's job.
 */
import { DataField, DataType, asSQLString, withNullability } from "../types/datatype.js";
import { assignFieldIds } from "../types/ids.js";
import { implicitCastProblem } from "./casts.js";
import {
  CURRENT_SCHEMA_VERSION,
  DEFAULT_BUCKET,
  OptionKeys,
  SchemaValidationError,
  TableSchema,
  splitOptionList,
  tableLabel,
  validateTableSchema,
} from "./table-schema.js";

export type ColumnPosition = { kind: "FIRST" } | { kind: "LAST" } | { kind: "AFTER"; column: string } | { kind: "BEFORE"; column: string };

/** A column is addressed by its path: `["a"]`, or `["a", "b", "c"]` for a nested ROW field
 * (`element` steps into ARRAY/MULTISET elements, `value` into MAP values). */
export type FieldPath = string | string[];

export type SchemaChange =
  | { type: "setOption"; key: string; value: string }
  | { type: "removeOption"; key: string }
  | { type: "updateComment"; comment: string | null }
  | { type: "addColumn"; path: FieldPath; dataType: DataType; description?: string; defaultValue?: string; position?: ColumnPosition }
  | { type: "renameColumn"; path: FieldPath; newName: string }
  | { type: "dropColumn"; path: FieldPath }
  | { type: "updateColumnType"; path: FieldPath; newType: DataType; keepNullability?: boolean }
  | { type: "updateColumnNullability"; path: FieldPath; nullable: boolean }
  | { type: "updateColumnComment"; path: FieldPath; comment: string | null }
  | { type: "updateColumnDefaultValue"; path: FieldPath; defaultValue: string | null }
  | { type: "updateColumnPosition"; column: string; position: ColumnPosition };

export interface EvolutionContext {
  /** For messages, e.g. `db.orders`. */
  tableName?: string;
  /** Whether the table has snapshots (immutable options can then not change). Default true. */
  hasSnapshots?: boolean;
  /** timeMillis of the new schema (default now). */
  timeMillis?: bigint;
}

export class SchemaChangeError extends Error {
  override name = "SchemaChangeError";
  constructor(
    readonly table: string | undefined,
    readonly column: string | undefined,
    readonly reason: string,
  ) {
    super(`${tableLabel(table)}${column !== undefined ? `, column ${column}` : ""}: ${reason}`);
  }
}

/** Options that can never change once the table has snapshots (`@Immutable` in CoreOptions). */
export const IMMUTABLE_OPTIONS: ReadonlySet<string> = new Set([
  "type",
  "bucket-key",
  "bucket-function.type",
  "data-file.path-directory",
  "merge-engine",
  "sequence.snapshot-ordering",
  "aggregation.remove-record-on-delete",
  "partial-update.remove-record-on-delete",
  "partial-update.remove-record-on-sequence-group",
  "rowkind.field",
  "primary-key",
  "primary-key.nullable",
  "partition",
  "dynamic-bucket.initial-buckets",
  "force-lookup",
  "row-tracking.enabled",
  "data-evolution.enabled",
  "index-file-in-data-file-dir",
  "pk-clustering-override",
]);

const toPath = (p: FieldPath): string[] => (typeof p === "string" ? [p] : p);
const pathText = (p: string[]): string => p.join(".");

function isTrue(v: string | undefined, dflt: boolean): boolean {
  return v === undefined ? dflt : v.trim().toLowerCase() === "true";
}

// ------------------------------------------------------------------ nested navigation

/** Applies `fn` to the field list that contains the last element of `path`. */
function updateFieldList(fields: DataField[], path: string[], fn: (fields: DataField[]) => DataField[], err: (reason: string) => never, depth = 0): DataField[] {
  if (depth === path.length - 1) return fn(fields);
  const name = path[depth];
  const idx = fields.findIndex((f) => f.name === name);
  if (idx < 0) err(`column ${pathText(path.slice(0, depth + 1))} does not exist`);
  const f = fields[idx];
  const out = [...fields];
  out[idx] = { ...f, type: updateInType(f.type, path, fn, err, depth + 1) };
  return out;
}

function updateInType(t: DataType, path: string[], fn: (fields: DataField[]) => DataField[], err: (reason: string) => never, depth: number): DataType {
  if (t.root === "ROW") return { ...t, fields: updateFieldList(t.fields, path, fn, err, depth) };
  const step = path[depth];
  if ((t.root === "ARRAY" || t.root === "MULTISET") && step === "element" && depth < path.length - 1) {
    return { ...t, element: updateInType(t.element, path, fn, err, depth + 1) };
  }
  if (t.root === "MAP" && step === "value" && depth < path.length - 1) return { ...t, value: updateInType(t.value, path, fn, err, depth + 1) };
  return err(`${pathText(path.slice(0, depth))} is of type ${asSQLString(t)} and has no nested field ${step}`);
}

function getField(fields: DataField[], path: string[], err: (reason: string) => never): DataField {
  let list = fields;
  let t: DataType | undefined;
  for (let i = 0; i < path.length; i++) {
    if (t) {
      while ((t.root === "ARRAY" || t.root === "MULTISET") && path[i] === "element" && i < path.length - 1) {
        t = t.element;
        i++;
      }
      if (t.root === "MAP" && path[i] === "value" && i < path.length - 1) {
        t = t.value;
        i++;
      }
      if (t.root !== "ROW") err(`${pathText(path.slice(0, i))} has no nested field ${path[i]}`);
      list = t.fields;
    }
    const f = list.find((x) => x.name === path[i]);
    if (!f) err(`column ${pathText(path.slice(0, i + 1))} does not exist`);
    if (i === path.length - 1) return f;
    t = f.type;
  }
  return err("empty column path");
}

function insertAt(fields: DataField[], field: DataField, pos: ColumnPosition | undefined, err: (reason: string) => never): DataField[] {
  const out = [...fields];
  if (!pos || pos.kind === "LAST") out.push(field);
  else if (pos.kind === "FIRST") out.unshift(field);
  else {
    const i = out.findIndex((f) => f.name === pos.column);
    if (i < 0) err(`reference column ${pos.column} of ${pos.kind} does not exist`);
    out.splice(pos.kind === "AFTER" ? i + 1 : i, 0, field);
  }
  return out;
}

// ------------------------------------------------------------------ type updates

/** The new type with the old type's nested field ids (ROW fields matched by name). */
function keepIds(oldT: DataType, newT: DataType, err: (reason: string) => never): DataType {
  if (oldT.root === "ROW" && newT.root === "ROW") {
    return {
      ...newT,
      fields: newT.fields.map((nf) => {
        const of = oldT.fields.find((f) => f.name === nf.name);
        if (!of) err(`nested field ${nf.name} does not exist; add nested fields with addColumn`);
        return { ...nf, id: of.id, type: keepIds(of.type, nf.type, err) };
      }),
    };
  }
  if ((oldT.root === "ARRAY" || oldT.root === "MULTISET") && newT.root === oldT.root) return { ...newT, element: keepIds(oldT.element, (newT as typeof oldT).element, err) };
  if (oldT.root === "MAP" && newT.root === "MAP") return { ...newT, key: keepIds(oldT.key, newT.key, err), value: keepIds(oldT.value, newT.value, err) };
  return newT;
}

// ------------------------------------------------------------------ option renames

function renameInList(v: string, from: string, to: string): string {
  const parts = splitOptionList(v);
  return parts.some((p) => p === from) ? parts.map((p) => (p === from ? to : p)).join(",") : v;
}

/** Rewrites options that name a renamed top-level column (bucket-key, sequence.field, fields.<name>.*, …). */
function renameInOptions(options: Record<string, string>, from: string, to: string): Record<string, string> {
  const out: Record<string, string> = {};
  const prefix = `fields.${from}.`;
  for (const [k, v] of Object.entries(options)) {
    let key = k;
    let value = v;
    if (k.startsWith(prefix)) key = `fields.${to}.${k.slice(prefix.length)}`;
    if (k === OptionKeys.BUCKET_KEY || k === OptionKeys.SEQUENCE_FIELD || (k.startsWith("fields.") && k.endsWith(".sequence-group"))) value = renameInList(v, from, to);
    if (k === OptionKeys.ROWKIND_FIELD && v === from) value = to;
    out[key] = value;
  }
  return out;
}

// ------------------------------------------------------------------ apply

function checkOptionChange(s: TableSchema, key: string, oldValue: string | undefined, newValue: string | undefined, err: (reason: string) => never): void {
  if (oldValue === newValue) return;
  if (IMMUTABLE_OPTIONS.has(key)) err(`option '${key}' cannot be changed after the table has data`);
  if (key === OptionKeys.BUCKET) {
    const oldB = oldValue === undefined ? DEFAULT_BUCKET : Number(oldValue);
    const newB = newValue === undefined ? DEFAULT_BUCKET : Number(newValue);
    if (oldB === -1) err("option 'bucket' cannot be changed when it is -1");
    if (newB === -1) err("option 'bucket' cannot be changed to -1");
  }
  if (key === OptionKeys.DELETION_VECTORS_ENABLED && !isTrue(s.options[OptionKeys.DELETION_VECTORS_MODIFIABLE], false)) {
    if (isTrue(oldValue, false) !== isTrue(newValue, false)) err(`option '${key}' cannot be changed unless 'deletion-vectors.modifiable' = 'true'`);
  }
  if (key === OptionKeys.IGNORE_DELETE && isTrue(oldValue, false) && !isTrue(newValue, false)) err(`option '${key}' cannot change from true to false`);
}

function applyOne(s: TableSchema, c: SchemaChange, ctx: EvolutionContext): TableSchema {
  const table = ctx.tableName;
  const hasSnapshots = ctx.hasSnapshots ?? true;
  const column = "path" in c ? pathText(toPath(c.path)) : c.type === "updateColumnPosition" ? c.column : undefined;
  const err = (reason: string): never => {
    throw new SchemaChangeError(table, column, reason);
  };
  const top = "path" in c ? toPath(c.path)[0] : undefined;
  const path = "path" in c ? toPath(c.path) : [];
  if ("path" in c && path.length === 0) err("empty column path");

  switch (c.type) {
    case "setOption": {
      if (hasSnapshots) checkOptionChange(s, c.key, s.options[c.key], c.value, (r) => { throw new SchemaChangeError(table, undefined, r); });
      return { ...s, options: { ...s.options, [c.key]: c.value } };
    }
    case "removeOption": {
      if (hasSnapshots) checkOptionChange(s, c.key, s.options[c.key], undefined, (r) => { throw new SchemaChangeError(table, undefined, r); });
      const options = { ...s.options };
      delete options[c.key];
      return { ...s, options };
    }
    case "updateComment":
      return { ...s, comment: c.comment };

    case "addColumn": {
      if (!c.dataType.nullable) err(`a new column must be nullable (cannot add ${asSQLString(c.dataType)})`);
      const name = path[path.length - 1];
      const { fields: [added], highestFieldId } = assignFieldIds([{ name, type: c.dataType, description: c.description }], s.highestFieldId);
      if (c.defaultValue !== undefined) added.defaultValue = c.defaultValue;
      let pos = c.position;
      if (!pos && path.length === 1 && isTrue(s.options[OptionKeys.ADD_COLUMN_BEFORE_PARTITION], false) && s.partitionKeys.length > 0) {
        const firstPartition = s.fields.find((f) => s.partitionKeys.includes(f.name));
        if (firstPartition) pos = { kind: "BEFORE", column: firstPartition.name };
      }
      const fields = updateFieldList(
        s.fields,
        path,
        (list) => {
          if (list.some((f) => f.name === name)) err(`column ${pathText(path)} already exists`);
          return insertAt(list, added, pos, err);
        },
        err,
      );
      return { ...s, fields, highestFieldId };
    }

    case "renameColumn": {
      if (path.length === 1 && s.partitionKeys.includes(top!)) err("partition columns cannot be renamed");
      if (c.newName.length === 0) err("the new name is empty");
      const fields = updateFieldList(
        s.fields,
        path,
        (list) => {
          const i = list.findIndex((f) => f.name === path[path.length - 1]);
          if (i < 0) err(`column ${pathText(path)} does not exist`);
          if (list.some((f) => f.name === c.newName)) err(`cannot rename to ${c.newName}: a column with that name already exists`);
          const out = [...list];
          out[i] = { ...out[i], name: c.newName };
          return out;
        },
        err,
      );
      if (path.length > 1) return { ...s, fields };
      const from = top!;
      return {
        ...s,
        fields,
        primaryKeys: s.primaryKeys.map((k) => (k === from ? c.newName : k)),
        options: renameInOptions(s.options, from, c.newName),
      };
    }

    case "dropColumn": {
      if (path.length === 1) {
        if (s.partitionKeys.includes(top!)) err("partition columns cannot be dropped");
        if (s.primaryKeys.includes(top!)) err("primary key columns cannot be dropped");
      }
      const fields = updateFieldList(
        s.fields,
        path,
        (list) => {
          const i = list.findIndex((f) => f.name === path[path.length - 1]);
          if (i < 0) err(`column ${pathText(path)} does not exist`);
          if (list.length === 1) err(path.length === 1 ? "cannot drop the last column of a table" : "cannot drop the last field of a nested row");
          return list.filter((_, j) => j !== i);
        },
        err,
      );
      return { ...s, fields };
    }

    case "updateColumnType": {
      if (path.length === 1 && s.partitionKeys.includes(top!)) err("the type of a partition column cannot be changed");
      if (path.length === 1 && s.primaryKeys.includes(top!)) err("the type of a primary key column cannot be changed");
      const old = getField(s.fields, path, err);
      let target = c.keepNullability ? withNullability(c.newType, old.type.nullable) : c.newType;
      if (old.type.root === "ROW" && target.root !== "ROW") err(`cannot change a ROW column to ${asSQLString(target)}`);
      const problem = implicitCastProblem(old.type, target);
      if (problem) err(problem);
      if (old.type.nullable && !target.nullable && isTrue(s.options[OptionKeys.NULL_TO_NOT_NULL_DISABLED], true)) {
        err(`cannot change a nullable column to NOT NULL (set '${OptionKeys.NULL_TO_NOT_NULL_DISABLED}' = 'false' to allow it)`);
      }
      target = keepIds(old.type, target, err);
      return { ...s, fields: replaceField(s.fields, path, (f) => ({ ...f, type: target }), err) };
    }

    case "updateColumnNullability": {
      const old = getField(s.fields, path, err);
      if (path.length === 1 && s.primaryKeys.includes(top!) && c.nullable && !isTrue(s.options[OptionKeys.PRIMARY_KEY_NULLABLE], false)) {
        err("primary key columns cannot be nullable");
      }
      if (old.type.nullable && !c.nullable && isTrue(s.options[OptionKeys.NULL_TO_NOT_NULL_DISABLED], true)) {
        err(`cannot change a nullable column to NOT NULL (set '${OptionKeys.NULL_TO_NOT_NULL_DISABLED}' = 'false' to allow it)`);
      }
      return { ...s, fields: replaceField(s.fields, path, (f) => ({ ...f, type: withNullability(f.type, c.nullable) }), err) };
    }

    case "updateColumnComment":
      return {
        ...s,
        fields: replaceField(
          s.fields,
          path,
          (f) => {
            const out: DataField = { ...f };
            if (c.comment === null) delete out.description;
            else out.description = c.comment;
            return out;
          },
          err,
        ),
      };

    case "updateColumnDefaultValue":
      return {
        ...s,
        fields: replaceField(
          s.fields,
          path,
          (f) => {
            const out: DataField = { ...f };
            if (c.defaultValue === null) delete out.defaultValue;
            else out.defaultValue = c.defaultValue;
            return out;
          },
          err,
        ),
      };

    case "updateColumnPosition": {
      const i = s.fields.findIndex((f) => f.name === c.column);
      if (i < 0) err(`column ${c.column} does not exist`);
      if ((c.position.kind === "AFTER" || c.position.kind === "BEFORE") && c.position.column === c.column) err("a column cannot be moved relative to itself");
      const moved = s.fields[i];
      const rest = s.fields.filter((_, j) => j !== i);
      return { ...s, fields: insertAt(rest, moved, c.position, err) };
    }
  }
}

function replaceField(fields: DataField[], path: string[], fn: (f: DataField) => DataField, err: (reason: string) => never): DataField[] {
  return updateFieldList(
    fields,
    path,
    (list) => {
      const i = list.findIndex((f) => f.name === path[path.length - 1]);
      if (i < 0) err(`column ${pathText(path)} does not exist`);
      const out = [...list];
      out[i] = fn(out[i]);
      return out;
    },
    err,
  );
}

/**
 * Applies changes in order and returns the next schema (id + 1, version 3). The result is
 * validated (§2.5); a violation is reported as a SchemaChangeError.
 */
export function applySchemaChanges(s: TableSchema, changes: readonly SchemaChange[], ctx: EvolutionContext = {}): TableSchema {
  let next = s;
  for (const c of changes) next = applyOne(next, c, ctx);
  next = { ...next, version: CURRENT_SCHEMA_VERSION, id: s.id + 1n, timeMillis: ctx.timeMillis ?? BigInt(Date.now()) };
  try {
    validateTableSchema(next, ctx.tableName);
  } catch (e) {
    if (e instanceof SchemaValidationError) throw new SchemaChangeError(ctx.tableName, e.field, e.message.replace(/^table( \S+)?: /, ""));
    throw e;
  }
  return next;
}

// ------------------------------------------------------------------ one-change helpers

export const setOption = (s: TableSchema, key: string, value: string, ctx?: EvolutionContext): TableSchema =>
  applySchemaChanges(s, [{ type: "setOption", key, value }], ctx);

export const removeOption = (s: TableSchema, key: string, ctx?: EvolutionContext): TableSchema => applySchemaChanges(s, [{ type: "removeOption", key }], ctx);

export const updateComment = (s: TableSchema, comment: string | null, ctx?: EvolutionContext): TableSchema =>
  applySchemaChanges(s, [{ type: "updateComment", comment }], ctx);

export const addColumn = (
  s: TableSchema,
  path: FieldPath,
  dataType: DataType,
  opts: { description?: string; defaultValue?: string; position?: ColumnPosition } = {},
  ctx?: EvolutionContext,
): TableSchema => applySchemaChanges(s, [{ type: "addColumn", path, dataType, ...opts }], ctx);

export const renameColumn = (s: TableSchema, path: FieldPath, newName: string, ctx?: EvolutionContext): TableSchema =>
  applySchemaChanges(s, [{ type: "renameColumn", path, newName }], ctx);

export const dropColumn = (s: TableSchema, path: FieldPath, ctx?: EvolutionContext): TableSchema => applySchemaChanges(s, [{ type: "dropColumn", path }], ctx);

export const updateColumnType = (s: TableSchema, path: FieldPath, newType: DataType, opts: { keepNullability?: boolean } = {}, ctx?: EvolutionContext): TableSchema =>
  applySchemaChanges(s, [{ type: "updateColumnType", path, newType, ...opts }], ctx);

export const updateColumnNullability = (s: TableSchema, path: FieldPath, nullable: boolean, ctx?: EvolutionContext): TableSchema =>
  applySchemaChanges(s, [{ type: "updateColumnNullability", path, nullable }], ctx);

export const updateColumnComment = (s: TableSchema, path: FieldPath, comment: string | null, ctx?: EvolutionContext): TableSchema =>
  applySchemaChanges(s, [{ type: "updateColumnComment", path, comment }], ctx);

export const updateColumnDefaultValue = (s: TableSchema, path: FieldPath, defaultValue: string | null, ctx?: EvolutionContext): TableSchema =>
  applySchemaChanges(s, [{ type: "updateColumnDefaultValue", path, defaultValue }], ctx);

export const updateColumnPosition = (s: TableSchema, column: string, position: ColumnPosition, ctx?: EvolutionContext): TableSchema =>
  applySchemaChanges(s, [{ type: "updateColumnPosition", column, position }], ctx);
