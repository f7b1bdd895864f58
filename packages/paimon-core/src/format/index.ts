/**
 * Data-file formats: Parquet and Avro (read and write), ORC (recognised, rejected).
 */
import type { DataField } from "../types/datatype.js";
import type { ColumnBatch } from "../data/vector.js";
import { avroReadBatch } from "./avro-data.js";
import { FormatError, UnsupportedFormatError } from "./common.js";
import type { ByteInput, DataFileReadOptions } from "./common.js";
import { parquetReadBatch } from "./parquet-read.js";
import type { ParquetReadOptions } from "./parquet-read.js";

export type DataFileFormat = "parquet" | "avro" | "orc";

/** The format of a data file from the last extension of its name (`data-…-0.parquet`). */
export function formatFromFileName(name: string): DataFileFormat {
  const base = name.slice(name.lastIndexOf("/") + 1);
  const dot = base.lastIndexOf(".");
  const ext = dot < 0 ? "" : base.slice(dot + 1).toLowerCase();
  if (ext === "parquet" || ext === "avro" || ext === "orc") return ext;
  throw new FormatError(`unknown data file format: ${name}`);
}

/** Reads the requested fields of a data file of the given format into a ColumnBatch. */
export async function readDataFile(
  format: DataFileFormat | string,
  input: ByteInput,
  fields: DataField[],
  opts: ParquetReadOptions = {},
): Promise<ColumnBatch> {
  switch (format.toLowerCase()) {
    case "parquet":
      return parquetReadBatch(input, fields, opts);
    case "avro":
      return avroReadBatch(input, fields, opts);
    case "orc":
      throw new UnsupportedFormatError("orc", opts.fileName ?? "<unnamed>");
    default:
      throw new UnsupportedFormatError(format, opts.fileName ?? "<unnamed>");
  }
}

export type { DataFileReadOptions };
export { FormatError, UnsupportedFormatError, toByteSource, readAllBytes } from "./common.js";
export type { ByteInput, ByteSource } from "./common.js";
export { parquetReadBatch, readParquetMetadata } from "./parquet-read.js";
export type { ParquetReadOptions } from "./parquet-read.js";
export { parquetWrite, parquetWriteAsync, timestampToInt96 } from "./parquet-write.js";
export type { ParquetCompression, ParquetWriteOptions } from "./parquet-write.js";
export {
  PARQUET_MESSAGE_NAME,
  arrayElementFieldId,
  decimalFixedLength,
  mapKeyFieldId,
  mapValueFieldId,
  paimonToParquetSchema,
} from "./parquet-schema.js";
export { avroDataSchema, avroReadBatch, avroWrite, avroWriteAsync, paimonToAvroSchema } from "./avro-data.js";
export type { AvroCompression, AvroWriteOptions } from "./avro-data.js";
export { initZstd, isZstdReady } from "./codecs.js";
