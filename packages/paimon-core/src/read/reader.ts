/**
 * Batch reading (METADATA.md §8): each split's files are read with schema evolution by
 * field id; append splits are concatenated; primary-key splits are merged per key with
 * the table's merge engine unless Paimon's rules say the files can be read raw.
 */
import { NotFoundError, isNotFound, joinPath } from "@paimon-ts/fileio";
import { RowKind, isRetract, type InternalValue } from "../data/values.js";
import { vectorGet, vectorOf, type ColumnBatch, type ColumnVector } from "../data/vector.js";
import { formatFromFileName, readDataFile } from "../format/index.js";
import { readDeletionVector, type DeletionVector } from "../index/deletion-vector.js";
import type { DataFileMeta } from "../manifest/model.js";
import { rowType, trimmedPrimaryKeyFields, type TableSchema } from "../schema/table-schema.js";
import type { DataField } from "../types/datatype.js";
import type { FileStoreTable } from "../table/table.js";
import { rowComparator, fieldComparator } from "./key-compare.js";
import { mergeFunctionFor, type KeyValueRecord } from "./merge.js";
import { planScan, type DataSplit, type DeletionFile, type ScanOptions } from "./scan.js";
import { SEQUENCE_FIELD, VALUE_KIND_FIELD, keyField, keyValueFields } from "./system-fields.js";

export interface ReadOptions extends ScanOptions {
  /** Column names to return, in this order (default: all, in table order). */
  projection?: string[];
}

export interface TableReadResult {
  fields: DataField[];
  batches: ColumnBatch[];
  snapshotId: bigint | null;
}

/** Reads a whole snapshot of a table. */
export async function readTable(table: FileStoreTable, opts: ReadOptions = {}): Promise<TableReadResult> {
  const plan = await planScan(table, opts);
  const schema = plan.snapshot ? await table.schemas.schema(plan.snapshot.schemaId) : table.schema;
  const batches: ColumnBatch[] = [];
  for (const split of plan.splits) batches.push(await readSplit(table, split, schema));
  const fields = schema.fields;
  if (!opts.projection) return { fields, batches, snapshotId: plan.snapshot?.id ?? null };
  const idx = opts.projection.map((n) => {
    const i = fields.findIndex((f) => f.name === n);
    if (i < 0) throw new Error(`table ${table.name}: no column '${n}'`);
    return i;
  });
  return {
    fields: idx.map((i) => fields[i]),
    batches: batches.map((b) => ({ numRows: b.numRows, names: idx.map((i) => b.names[i]), columns: idx.map((i) => b.columns[i]) })),
    snapshotId: plan.snapshot?.id ?? null,
  };
}

/** Rows of a read result, as arrays of internal values (tests, CLI, small tables). */
export function resultRows(r: TableReadResult): InternalValue[][] {
  const out: InternalValue[][] = [];
  for (const b of r.batches) for (let i = 0; i < b.numRows; i++) out.push(b.columns.map((c) => vectorGet(c, i)));
  return out;
}

function filePath(split: DataSplit, f: DataFileMeta): string {
  return f.externalPath ?? joinPath(split.bucketPath, f.fileName);
}

async function loadDeletionVector(table: FileStoreTable, d: DeletionFile, cache: Map<string, Promise<Uint8Array>>): Promise<DeletionVector> {
  let p = cache.get(d.path);
  if (!p) {
    p = table.io.readFile(d.path);
    cache.set(d.path, p);
  }
  return readDeletionVector(await p, d.offset, d.length);
}

/** Reads one data file as the given (read-schema) fields, resolving old names and types by id. */
async function readFile(table: FileStoreTable, split: DataSplit, f: DataFileMeta, fields: DataField[], fileFields: DataField[]): Promise<ColumnBatch> {
  let path = filePath(split, f);
  let bytes: Uint8Array;
  try {
    bytes = await table.io.readFile(path);
  } catch (e) {
    if (!isNotFound(e)) throw e;
    const alt = f.externalPath === null && split.altBucketPath !== null ? joinPath(split.altBucketPath, f.fileName) : null;
    if (alt === null || !(await table.io.exists(alt))) {
      throw new NotFoundError(path, `table ${table.name}: data file ${path} listed in snapshot is missing`, { cause: e });
    }
    path = alt;
    bytes = await table.io.readFile(path);
  }
  return readDataFile(formatFromFileName(f.fileName), bytes, fields, { fileFields, fileName: path });
}

/** Positions of a batch that survive a deletion vector. */
function survivors(n: number, dv: DeletionVector | undefined): number[] | null {
  if (!dv || dv.isEmpty()) return null;
  const keep: number[] = [];
  for (let i = 0; i < n; i++) if (!dv.isDeleted(i)) keep.push(i);
  return keep;
}

function selectRows(b: ColumnBatch, keep: number[] | null): ColumnBatch {
  if (keep === null) return b;
  const columns: ColumnVector[] = b.columns.map((c) => vectorOf(c.type, keep.map((i) => vectorGet(c, i))));
  return { numRows: keep.length, names: b.names, columns };
}

function concatBatches(fields: DataField[], batches: ColumnBatch[]): ColumnBatch {
  if (batches.length === 1) return batches[0];
  const columns = fields.map((f, ci) => {
    const vals: InternalValue[] = [];
    for (const b of batches) for (let i = 0; i < b.numRows; i++) vals.push(vectorGet(b.columns[ci], i));
    return vectorOf(f.type, vals);
  });
  return { numRows: batches.reduce((s, b) => s + b.numRows, 0), names: fields.map((f) => f.name), columns };
}

function rowsToBatch(fields: DataField[], rows: InternalValue[][]): ColumnBatch {
  return {
    numRows: rows.length,
    names: fields.map((f) => f.name),
    columns: fields.map((f, ci) => vectorOf(f.type, rows.map((r) => r[ci]))),
  };
}

export async function readSplit(table: FileStoreTable, split: DataSplit, schema: TableSchema = table.schema): Promise<ColumnBatch> {
  const dvBytes = new Map<string, Promise<Uint8Array>>();
  const dvOf = async (f: DataFileMeta) => {
    const d = split.deletionFiles.get(f.fileName);
    return d ? loadDeletionVector(table, d, dvBytes) : undefined;
  };
  const fields = schema.fields;

  if (schema.primaryKeys.length === 0) {
    const parts: ColumnBatch[] = [];
    for (const f of split.files) {
      const fileSchema = await table.schemas.schema(f.schemaId);
      const b = await readFile(table, split, f, fields, fileSchema.fields);
      parts.push(selectRows(b, survivors(b.numRows, await dvOf(f))));
    }
    return parts.length === 0 ? rowsToBatch(fields, []) : concatBatches(fields, parts);
  }

  const options = table.options;
  const rawConvertible =
    split.files.every((f) => f.level !== 0 && (f.deleteRowCount ?? 0n) === 0n) &&
    (options.deletionVectors || options.mergeEngine === "first-row" || new Set(split.files.map((f) => f.level)).size <= 1);
  if (rawConvertible) {
    const parts: ColumnBatch[] = [];
    for (const f of split.files) {
      const fileSchema = await table.schemas.schema(f.schemaId);
      const b = await readFile(table, split, f, fields, fileSchema.fields);
      parts.push(selectRows(b, survivors(b.numRows, await dvOf(f))));
    }
    return parts.length === 0 ? rowsToBatch(fields, []) : concatBatches(fields, parts);
  }

  // merge-on-read: every record of the bucket, ordered by key, user sequence, sequence number
  const keyFields = trimmedPrimaryKeyFields(schema);
  const readFields = keyValueFields(keyFields, fields);
  const nk = keyFields.length;
  const records: (KeyValueRecord & { key: InternalValue[]; useq: InternalValue[] })[] = [];
  const seqIdx = options.sequenceFields.map((n) => {
    const i = fields.findIndex((f) => f.name === n);
    if (i < 0) throw new Error(`table ${table.name}: sequence.field '${n}' is not a column`);
    return i;
  });
  for (const f of split.files) {
    const fileSchema = await table.schemas.schema(f.schemaId);
    const fileKeyFields = trimmedPrimaryKeyFields(fileSchema);
    const fileFields = [...fileKeyFields.map(keyField), SEQUENCE_FIELD, VALUE_KIND_FIELD, ...fileSchema.fields];
    const b = await readFile(table, split, f, readFields, fileFields);
    const dv = await dvOf(f);
    for (let i = 0; i < b.numRows; i++) {
      if (dv?.isDeleted(i)) continue;
      const key = new Array<InternalValue>(nk);
      for (let k = 0; k < nk; k++) key[k] = vectorGet(b.columns[k], i);
      const row = new Array<InternalValue>(fields.length);
      for (let c = 0; c < fields.length; c++) row[c] = vectorGet(b.columns[nk + 2 + c], i);
      records.push({
        key,
        seq: vectorGet(b.columns[nk], i) as bigint,
        kind: Number(vectorGet(b.columns[nk + 1], i)) as RowKind,
        row,
        useq: seqIdx.map((si) => row[si]),
      });
    }
  }
  const keyCmp = rowComparator(keyFields.map((f) => f.type));
  const useqCmps = seqIdx.map((si) => fieldComparator(fields[si].type));
  const desc = options.sequenceDescending ? -1 : 1;
  records.sort((a, b) => {
    const c = keyCmp(a.key, b.key);
    if (c !== 0) return c;
    for (let i = 0; i < useqCmps.length; i++) {
      const u = useqCmps[i](a.useq[i], b.useq[i]);
      if (u !== 0) return desc * u;
    }
    if (a.seq !== b.seq) return a.seq < b.seq ? -1 : 1;
    return (isRetract(b.kind) ? 1 : 0) - (isRetract(a.kind) ? 1 : 0);
  });
  const merge = mergeFunctionFor(schema, table.name);
  const out: InternalValue[][] = [];
  for (let i = 0; i < records.length; ) {
    let j = i + 1;
    while (j < records.length && keyCmp(records[i].key, records[j].key) === 0) j++;
    const r = j - i === 1 ? records[i] : merge(records.slice(i, j));
    if (r && !isRetract(r.kind)) out.push(r.row);
    i = j;
  }
  return rowsToBatch(fields, out);
}

export { rowType };
