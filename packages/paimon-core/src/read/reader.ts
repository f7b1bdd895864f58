/**
 * Batch reading (METADATA.md §8): each split's files are read with schema evolution by
 * field id; append splits are concatenated; primary-key splits are merged per key with
 * the table's merge engine unless Paimon's rules say the files can be read raw.
 *
 * Projection reads only the columns needed (the requested ones, the filter's, and for
 * merges the keys, sequence number, kind and `sequence.field` columns). A filter prunes
 * the scan (`planScan`) and is then applied to every row after the merge, so results are
 * exactly the rows for which it is TRUE.
 */
import { NotFoundError, asyncBufferOf, isNotFound, joinPath } from "@paimon-ts/fileio";
import { RowKind, isRetract, type InternalValue } from "../data/values.js";
import { vectorGet, vectorOf, type ColumnBatch, type ColumnVector } from "../data/vector.js";
import { parquetMetadataAsync } from "hyparquet";
import { formatFromFileName, readDataFile } from "../format/index.js";
import { readDeletionVector, type DeletionVector } from "../index/deletion-vector.js";
import type { DataFileMeta } from "../manifest/model.js";
import { rowType, trimmedPrimaryKeyFields, type TableSchema } from "../schema/table-schema.js";
import type { DataField, DataType } from "../types/datatype.js";
import type { FileStoreTable } from "../table/table.js";
import { readCast } from "./casts.js";
import { rowComparator, fieldComparator } from "./key-compare.js";
import { mergeFunctionFor, type KeyValueRecord } from "./merge.js";
import { BoundPredicate, type Predicate } from "./predicate.js";
import { planScan, rawConvertible, type DataSplit, type DeletionFile, type ScanOptions } from "./scan.js";
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
  const schema = plan.schema;
  const fields = schema.fields;
  const idx = columnIndexes(table, fields, opts.projection);
  const splitOpts: SplitReadOptions = { columns: opts.projection, filter: opts.filter };
  if (!plan.snapshot && opts.filter !== undefined) BoundPredicate.bind(opts.filter, fields, `table ${table.name}: filter`);
  const batches: ColumnBatch[] = [];
  for (const split of plan.splits) batches.push(await readSplit(table, split, schema, splitOpts));
  return { fields: idx.map((i) => fields[i]), batches, snapshotId: plan.snapshot?.id ?? null };
}

function columnIndexes(table: FileStoreTable, fields: readonly DataField[], names: readonly string[] | undefined): number[] {
  if (names === undefined) return fields.map((_, i) => i);
  return names.map((n) => {
    const i = fields.findIndex((f) => f.name === n);
    if (i < 0) throw new Error(`table ${table.name}: no column '${n}'`);
    return i;
  });
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

/** Parquet files at least this big are read by ranges when only some columns are needed. */
export const RANGED_READ_MIN_BYTES = 1024 * 1024;
const FOOTER_FETCH_BYTES = 64 * 1024;

/**
 * Reads one data file as the given (read-schema) fields, resolving old names and types by
 * id. `physicalColumns` is how many columns the file holds: when fewer are wanted from a
 * large Parquet file, only its footer and the needed column chunks are fetched.
 */
async function readFile(table: FileStoreTable, split: DataSplit, f: DataFileMeta, wanted: DataField[], fileFields: DataField[], physicalColumns: number): Promise<ColumnBatch> {
  // type changes the file readers do not convert: read the file's type, cast here
  const casts = wanted.map((rf) => {
    const ff = fileFields.find((x) => x.id === rf.id);
    return ff === undefined ? null : readCast(ff.type, rf.type);
  });
  const fields = wanted.map((rf, i) => (casts[i] === null ? rf : { ...rf, type: { ...fileFields.find((x) => x.id === rf.id)!.type, nullable: true } as DataType }));
  const batch = await readFileAs(table, split, f, fields, fileFields, physicalColumns);
  if (casts.every((c) => c === null)) return batch;
  const columns = batch.columns.map((col, i) => {
    const cast = casts[i];
    if (cast === null) return col;
    const values: InternalValue[] = new Array(batch.numRows);
    for (let r = 0; r < batch.numRows; r++) values[r] = cast(vectorGet(col, r));
    return vectorOf(wanted[i].type, values);
  });
  return { numRows: batch.numRows, names: batch.names, columns };
}

async function readFileAs(table: FileStoreTable, split: DataSplit, f: DataFileMeta, fields: DataField[], fileFields: DataField[], physicalColumns: number): Promise<ColumnBatch> {
  const format = formatFromFileName(f.fileName);
  const ranged = format === "parquet" && fields.length < physicalColumns && f.fileSize >= BigInt(RANGED_READ_MIN_BYTES);
  const read = async (path: string): Promise<ColumnBatch> => {
    if (ranged) {
      try {
        const source = await asyncBufferOf(table.io, path, Number(f.fileSize));
        // a small first fetch: the footer is usually a few KiB (hyparquet's default is 512 KiB)
        const metadata = await parquetMetadataAsync(source, { initialFetchSize: FOOTER_FETCH_BYTES });
        return await readDataFile(format, source, fields, { fileFields, fileName: path, metadata });
      } catch (e) {
        if (isNotFound(e)) throw e;
        // e.g. a wrong _FILE_SIZE: the whole file tells the real story
      }
    }
    return readDataFile(format, await table.io.readFile(path), fields, { fileFields, fileName: path });
  };
  const path = filePath(split, f);
  try {
    return await read(path);
  } catch (e) {
    if (!isNotFound(e)) throw e;
    const alt = f.externalPath === null && split.altBucketPath !== null ? joinPath(split.altBucketPath, f.fileName) : null;
    if (alt === null || !(await table.io.exists(alt))) {
      throw new NotFoundError(path, `table ${table.name}: data file ${path} listed in snapshot is missing`, { cause: e });
    }
    return read(alt);
  }
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

export interface SplitReadOptions {
  /** Column names to return, in this order (default: all, in schema order). */
  columns?: string[];
  /** Return only the rows for which this is TRUE (applied after the merge). */
  filter?: Predicate;
}

/**
 * Reads one split as of `schema` (the schema of the snapshot it was planned from): the
 * rows Paimon's batch read returns, restricted to `opts.columns` and `opts.filter`.
 */
export async function readSplit(table: FileStoreTable, split: DataSplit, schema: TableSchema = table.schema, opts: SplitReadOptions = {}): Promise<ColumnBatch> {
  const dvBytes = new Map<string, Promise<Uint8Array>>();
  const dvOf = async (f: DataFileMeta) => {
    const d = split.deletionFiles.get(f.fileName);
    return d ? loadDeletionVector(table, d, dvBytes) : undefined;
  };
  const fields = schema.fields;
  const outIdx = columnIndexes(table, fields, opts.columns);
  const outFields = outIdx.map((i) => fields[i]);
  const filter = opts.filter === undefined ? null : BoundPredicate.bind(opts.filter, fields, `table ${table.name}: filter`);
  const options = table.options;
  const isPk = schema.primaryKeys.length > 0;
  const seqIdx = isPk
    ? options.sequenceFields.map((n) => {
        const i = fields.findIndex((f) => f.name === n);
        if (i < 0) throw new Error(`table ${table.name}: sequence.field '${n}' is not a column`);
        return i;
      })
    : [];
  // the columns read from the files: output, filter and sequence fields, in schema order
  const need = [...new Set([...outIdx, ...(filter?.fieldIndexes ?? []), ...seqIdx])].sort((a, b) => a - b);
  const needFields = need.map((i) => fields[i]);
  const posOf = new Map(need.map((fi, p) => [fi, p]));

  if (!isPk || rawConvertible(split.files, options)) {
    const outPos = outIdx.map((i) => posOf.get(i)!);
    const parts: ColumnBatch[] = [];
    for (const f of split.files) {
      const fileSchema = await table.schemas.schema(f.schemaId);
      const physical = isPk ? trimmedPrimaryKeyFields(fileSchema).length + 2 + fileSchema.fields.length : fileSchema.fields.length;
      const b = await readFile(table, split, f, needFields, fileSchema.fields, physical);
      const dv = await dvOf(f);
      let keep: number[] | null = null;
      if ((dv && !dv.isEmpty()) || filter !== null) {
        keep = [];
        let row = 0;
        const get = (fi: number) => vectorGet(b.columns[posOf.get(fi)!], row);
        for (; row < b.numRows; row++) {
          if (dv?.isDeleted(row)) continue;
          if (filter !== null && !filter.test(get)) continue;
          keep.push(row);
        }
      }
      const selected = selectRows(b, keep);
      parts.push({ numRows: selected.numRows, names: outFields.map((x) => x.name), columns: outPos.map((p) => selected.columns[p]) });
    }
    return parts.length === 0 ? rowsToBatch(outFields, []) : concatBatches(outFields, parts);
  }

  // merge-on-read: every record of the bucket, ordered by key, user sequence, sequence number.
  // The key columns are read twice: as `_KEY_x` and as the value column x, because files of
  // `data-file.thin-mode` tables have no `_KEY_` columns (a primary key is never NULL, so a
  // NULL `_KEY_x` means the column is absent and x holds the key).
  const keyFields = trimmedPrimaryKeyFields(schema);
  const keyValueIdx = keyFields.map((kf) => fields.findIndex((f) => f.id === kf.id));
  const mergeNeed = [...new Set([...need, ...keyValueIdx])].sort((a, b) => a - b);
  const readFields = keyValueFields(
    keyFields,
    mergeNeed.map((i) => fields[i]),
  );
  const nk = keyFields.length;
  // records whose key alone fails the filter cannot become a matching row: drop them early
  const keyPos = new Map(keyFields.map((kf, k) => [fields.findIndex((f) => f.id === kf.id), k]));
  const partPos = new Map(schema.partitionKeys.map((name, j) => [fields.findIndex((f) => f.name === name), j]));
  const keyFilter = filter !== null && filter.fieldIndexes.some((i) => keyPos.has(i) || partPos.has(i)) ? filter : null;
  const knownByKey = (i: number) => keyPos.has(i) || partPos.has(i);
  const records: (KeyValueRecord & { key: InternalValue[]; useq: InternalValue[] })[] = [];
  for (const f of split.files) {
    const fileSchema = await table.schemas.schema(f.schemaId);
    const fileKeyFields = trimmedPrimaryKeyFields(fileSchema);
    const fileFields = [...fileKeyFields.map(keyField), SEQUENCE_FIELD, VALUE_KIND_FIELD, ...fileSchema.fields];
    const b = await readFile(table, split, f, readFields, fileFields, fileFields.length);
    const dv = await dvOf(f);
    for (let i = 0; i < b.numRows; i++) {
      if (dv?.isDeleted(i)) continue;
      const row = new Array<InternalValue>(fields.length).fill(null);
      for (let c = 0; c < mergeNeed.length; c++) row[mergeNeed[c]] = vectorGet(b.columns[nk + 2 + c], i);
      const key = new Array<InternalValue>(nk);
      for (let k = 0; k < nk; k++) key[k] = vectorGet(b.columns[k], i) ?? row[keyValueIdx[k]];
      if (keyFilter !== null) {
        const byKey = (fi: number): InternalValue => {
          const k = keyPos.get(fi);
          return k !== undefined ? key[k] : split.partitionValues[partPos.get(fi)!];
        };
        if (keyFilter.evaluatePartial(byKey, knownByKey) === false) continue;
      }
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
    if (r && !isRetract(r.kind)) {
      const row = r.row;
      if (filter === null || filter.test((fi) => row[fi])) out.push(outIdx.map((c) => row[c]));
    }
    i = j;
  }
  return rowsToBatch(outFields, out);
}

export { rowType };
