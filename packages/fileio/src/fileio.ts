/**
 * The storage contract paimon-core is written against. Paths are the URI strings of
 * `uri.ts`; every method fails with the typed errors of `errors.ts`.
 */

export interface FileStatus {
  path: string;
  /** Bytes; 0 for directories. */
  size: number;
  /** Epoch milliseconds; 0 when the store has none (object-store prefixes). */
  modificationTime: number;
  isDir: boolean;
}

/** A streaming writer: nothing is visible at the path until `close` resolves. */
export interface OutputSink {
  write(chunk: Uint8Array): Promise<void>;
  /** Publishes the file. Rejects with AlreadyExistsError when created with `overwrite: false` and the path exists. */
  close(): Promise<void>;
  /** Discards what was written; the path is left as it was. */
  abort(): Promise<void>;
  /** Bytes written so far. */
  readonly position: number;
}

export interface WriteOptions {
  /** Replace an existing file (default false: fail with AlreadyExistsError). */
  overwrite?: boolean;
}

export interface FileIO {
  /** The URI scheme this instance serves (`file`, `hdfs`, `s3`, `oss`…). */
  readonly scheme: string;

  /** The whole file. NotFoundError if absent. */
  readFile(path: string): Promise<Uint8Array>;
  /** Bytes [start, end) of the file; `end` is clamped to the size. */
  readRange(path: string, start: number, end: number): Promise<Uint8Array>;

  /** Streaming write for large files (data files). */
  newOutputSink(path: string, options?: WriteOptions): Promise<OutputSink>;
  /**
   * Writes the file only if nothing exists at the path, atomically: concurrent callers on
   * one path see exactly one success and AlreadyExistsError for the rest, and readers never
   * see partial content. Snapshot and schema commits stand on this.
   */
  createIfAbsent(path: string, data: Uint8Array): Promise<void>;
  /** Replaces the file's content atomically where the store allows (hint files). */
  overwrite(path: string, data: Uint8Array): Promise<void>;

  exists(path: string): Promise<boolean>;
  /** NotFoundError if absent. */
  stat(path: string): Promise<FileStatus>;
  /** Direct children (files and directories). NotFoundError if the directory is absent. */
  list(path: string): Promise<FileStatus[]>;
  /** Every file below the directory (no directories), paginating internally. Empty if absent. */
  listRecursive(path: string): AsyncIterable<FileStatus>;
  mkdirs(path: string): Promise<void>;
  /** Deletes one file; resolves false when there was nothing to delete. */
  delete(path: string): Promise<boolean>;
  /** Deletes a directory and everything below it; no error when absent. */
  deleteRecursive(path: string): Promise<void>;
  /** Moves a file; AlreadyExistsError when `to` exists (never overwrites). */
  rename(from: string, to: string): Promise<void>;

  close(): Promise<void>;
}

/** Writes a whole buffer through a sink (non-atomic overwrite semantics follow `options`). */
export async function writeFile(io: FileIO, path: string, data: Uint8Array, options?: WriteOptions): Promise<void> {
  const sink = await io.newOutputSink(path, options);
  try {
    await sink.write(data);
  } catch (e) {
    await sink.abort().catch(() => undefined);
    throw e;
  }
  await sink.close();
}

/** Reads a UTF-8 text file, or returns undefined when it does not exist. */
export async function readTextIfExists(io: FileIO, path: string): Promise<string | undefined> {
  try {
    return new TextDecoder().decode(await io.readFile(path));
  } catch (e) {
    if (e instanceof Error && (e as { code?: string }).code === "NOT_FOUND") return undefined;
    throw e;
  }
}

/** The tiny random-access interface format readers take (hyparquet's AsyncBuffer shape). */
export interface AsyncBuffer {
  byteLength: number;
  slice(start: number, end?: number): Promise<ArrayBuffer>;
}

export async function asyncBufferOf(io: FileIO, path: string, size?: number): Promise<AsyncBuffer> {
  const byteLength = size ?? (await io.stat(path)).size;
  return {
    byteLength,
    async slice(start: number, end?: number): Promise<ArrayBuffer> {
      const b = await io.readRange(path, start, end ?? byteLength);
      return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
    },
  };
}
