/**
 * FileIO over a flat object store (S3, OSS). The store adapter (`ObjectStore`) makes
 * single requests and classifies their failures; this layer owns everything else:
 * directories over key prefixes, retries with backoff, multipart sinks, and the
 * commit-safety of create-if-absent.
 *
 * Backends (@paimon-ts/fileio-s3, @paimon-ts/fileio-oss) supply only the adapter.
 */
import { randomUUID } from "node:crypto";
import {
  AlreadyExistsError,
  CommitStateUnknownError,
  InvalidPathError,
  NotFoundError,
  PaimonError,
  PermissionError,
  RetryableError,
} from "./errors.js";
import type { FileIO, FileStatus, OutputSink, WriteOptions } from "./fileio.js";
import { joinPath } from "./path.js";
import { parseWarehouseUri } from "./uri.js";

/**
 * How a single request failed. The distinction that matters for commits: `throttled`,
 * `conflict` and `not-sent` were certainly not applied, `ambiguous` may have been.
 */
export type Failure =
  | "not-found" // 404 NoSuchKey, NoSuchUpload
  | "exists" // a create-if-absent met an existing object (S3 412, OSS 409 FileAlreadyExists)
  | "conflict" // S3 409 ConditionalRequestConflict: a concurrent conditional write; not applied
  | "throttled" // 503 SlowDown, 429: rejected before processing
  | "not-sent" // connection refused / connect timeout: nothing reached the server
  | "ambiguous" // 5xx, reset or timeout after sending: may or may not have been applied
  | "permission"
  | "invalid-range"
  | "fatal";

/** A classified failure. Adapters build the message from codes and server text only, never from the raw client error. */
export class StoreError extends Error {
  override name = "StoreError";
  constructor(readonly failure: Failure, message: string) {
    super(message);
  }
}

export interface ObjectMeta {
  size: number;
  /** Epoch milliseconds. */
  mtime: number;
  /** The `paimon-token` user metadata, if any. */
  token?: string;
}

export interface ObjectEntry {
  key: string;
  size: number;
  mtime: number;
}

export interface ListPage {
  objects: ObjectEntry[];
  /** Common prefixes (only with a delimiter), each ending in `/`. */
  prefixes: string[];
  /** Continuation token for the next page. */
  next?: string;
}

export interface PartRef {
  partNumber: number;
  etag: string;
}

/** One request per call; failures are StoreErrors. */
export interface ObjectStore {
  get(bucket: string, key: string, range?: { start: number; end: number }): Promise<Uint8Array>;
  head(bucket: string, key: string): Promise<ObjectMeta>;
  /** `ifAbsent`: the store's atomic create-only write. `token` is stored as user metadata. */
  put(bucket: string, key: string, data: Uint8Array, options: { ifAbsent: boolean; token?: string }): Promise<void>;
  list(bucket: string, prefix: string, options: { delimiter: boolean; continuation?: string; maxKeys?: number }): Promise<ListPage>;
  deleteOne(bucket: string, key: string): Promise<void>;
  /** At most 1,000 keys; missing keys are not an error. */
  deleteMany(bucket: string, keys: string[]): Promise<void>;
  startMultipart(bucket: string, key: string, token: string): Promise<string>;
  uploadPart(bucket: string, key: string, uploadId: string, partNumber: number, data: Uint8Array): Promise<string>;
  /** Server-side copy of source bytes [start, end) into a part. */
  copyPart(bucket: string, key: string, uploadId: string, partNumber: number, source: { bucket: string; key: string; start: number; end: number }): Promise<string>;
  completeMultipart(bucket: string, key: string, uploadId: string, parts: PartRef[], options: { ifAbsent: boolean }): Promise<void>;
  abortMultipart(bucket: string, key: string, uploadId: string): Promise<void>;
  close(): Promise<void>;
}

export interface ObjectFileIOOptions {
  /** Attempts per request for transient failures (default 8). */
  maxAttempts?: number;
  /** First backoff step in ms (default 100); full jitter, doubling per attempt. */
  baseDelayMs?: number;
  /** Backoff cap in ms (default 5,000). */
  maxDelayMs?: number;
  /** Multipart part size in bytes (default 8 MiB, at least 5 MiB); smaller files are one PUT. */
  partSize?: number;
  /** Part size for server-side copies in `rename` (default 256 MiB). */
  copyPartSize?: number;
  /** Receives one line per retry and per read-back (already free of credentials). */
  logger?: (message: string) => void;
}

const MIN_PART = 5 * 1024 * 1024;
const DELETE_BATCH = 1000;

interface Location {
  bucket: string;
  key: string;
}

type Readback = "ours" | "theirs" | "absent" | "unknown";

export class ObjectStoreFileIO implements FileIO {
  readonly #store: ObjectStore;
  readonly #secrets: string[];
  readonly #maxAttempts: number;
  readonly #baseDelay: number;
  readonly #maxDelay: number;
  readonly #partSize: number;
  readonly #copyPartSize: number;
  readonly #logger?: (message: string) => void;

  /** `secrets`: strings (keys, tokens) that must never appear in an error or a log line. */
  constructor(readonly scheme: string, private readonly schemes: string[], store: ObjectStore, secrets: (string | undefined)[], options: ObjectFileIOOptions = {}) {
    this.#store = store;
    this.#secrets = secrets.filter((s): s is string => typeof s === "string" && s.length >= 4);
    this.#maxAttempts = Math.max(1, options.maxAttempts ?? 8);
    this.#baseDelay = options.baseDelayMs ?? 100;
    this.#maxDelay = options.maxDelayMs ?? 5000;
    this.#partSize = Math.max(MIN_PART, options.partSize ?? 8 * 1024 * 1024);
    this.#copyPartSize = Math.max(MIN_PART, options.copyPartSize ?? 256 * 1024 * 1024);
    this.#logger = options.logger;
  }

  // ---- paths and errors ------------------------------------------------------------

  private locate(path: string): Location {
    const u = parseWarehouseUri(path);
    if (!this.schemes.includes(u.scheme)) throw new InvalidPathError(`not a ${this.schemes.join("/")} path: ${path}`);
    return { bucket: u.authority, key: u.path.slice(1) };
  }

  /** Removes every secret from a text that may have come from a server or a client library. */
  redact(text: string): string {
    let out = text;
    for (const s of this.#secrets) out = out.split(s).join("***");
    return out;
  }

  private log(message: string): void {
    this.#logger?.(this.redact(message));
  }

  /** The typed error for a failed operation. The raw client error is dropped: it can carry request details. */
  private toPaimon(e: unknown, op: string, path: string): PaimonError {
    if (e instanceof PaimonError) return e;
    if (!(e instanceof StoreError)) return new PaimonError("IO", this.redact(`${op} ${path}: ${(e as Error)?.message ?? String(e)}`));
    const msg = this.redact(`${op} ${path}: ${e.message}`);
    switch (e.failure) {
      case "not-found":
        return new NotFoundError(path, `not found: ${path}`);
      case "exists":
        return new AlreadyExistsError(path, `already exists: ${path}`);
      case "permission":
        return new PermissionError(path, msg);
      case "throttled":
      case "conflict":
      case "not-sent":
      case "ambiguous":
        return new RetryableError(msg);
      default:
        return new PaimonError("IO", msg);
    }
  }

  private delay(attempt: number): Promise<void> {
    const cap = Math.min(this.#maxDelay, this.#baseDelay * 2 ** attempt);
    return new Promise((r) => setTimeout(r, Math.random() * cap));
  }

  /** Runs an idempotent request, retrying transient failures; throws typed errors. */
  private async retrying<T>(op: string, path: string, f: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await f();
      } catch (e) {
        const transient = e instanceof StoreError && ["throttled", "conflict", "not-sent", "ambiguous"].includes(e.failure);
        if (!transient || attempt >= this.#maxAttempts) throw this.toPaimon(e, op, path);
        this.log(`${op} ${path}: ${(e as StoreError).failure} (${(e as Error).message}); retry ${attempt}/${this.#maxAttempts - 1}`);
        await this.delay(attempt);
      }
    }
  }

  /** Whether the object now at the location carries our token. */
  private async readback(loc: Location, path: string, token: string): Promise<Readback> {
    try {
      const meta = await this.retrying("read-back", path, () => this.#store.head(loc.bucket, loc.key));
      const r = meta.token === token ? "ours" : "theirs";
      this.log(`read-back ${path}: ${r}`);
      return r;
    } catch (e) {
      if (e instanceof NotFoundError) {
        this.log(`read-back ${path}: absent`);
        return "absent";
      }
      this.log(`read-back ${path}: failed (${(e as Error).message})`);
      return "unknown";
    }
  }

  /**
   * Publishes with `send` (a conditional PUT or multipart complete stamped with `token`).
   * Retries failures that were certainly not applied. After an ambiguous attempt the
   * outcome is read back: our token means success, another object means we lost, an
   * absent object means retry. A later "exists" is read back too (it may be our own
   * earlier attempt). If nothing settles it: CommitStateUnknownError.
   */
  private async commit(op: string, path: string, loc: Location, token: string, ifAbsent: boolean, send: () => Promise<void>): Promise<void> {
    let ambiguous = false;
    for (let attempt = 1; ; attempt++) {
      let failure: StoreError;
      try {
        await send();
        return;
      } catch (e) {
        if (!(e instanceof StoreError)) throw this.toPaimon(e, op, path);
        failure = e;
      }
      const f = failure.failure;
      if (f === "exists" || (f === "not-found" && ambiguous)) {
        // a lost success of ours looks like "exists" (PUT) or a vanished upload (complete)
        const r = ambiguous ? await this.readback(loc, path, token) : "theirs";
        if (r === "ours") return;
        if (r === "theirs" && ifAbsent) throw new AlreadyExistsError(path);
        if (!ambiguous) throw this.toPaimon(failure, op, path);
        throw new CommitStateUnknownError(this.redact(`${op} ${path}: outcome unknown after ${failure.message} (read-back: ${r})`));
      }
      if (!["throttled", "conflict", "not-sent", "ambiguous"].includes(f)) throw this.toPaimon(failure, op, path);
      if (f === "ambiguous") {
        ambiguous = true;
        const r = await this.readback(loc, path, token);
        if (r === "ours") return;
        if (r === "theirs" && ifAbsent) throw new AlreadyExistsError(path);
      }
      if (attempt >= this.#maxAttempts) {
        const msg = this.redact(`${op} ${path}: gave up after ${attempt} attempts: ${failure.message}`);
        throw ambiguous ? new CommitStateUnknownError(msg) : new RetryableError(msg);
      }
      this.log(`${op} ${path}: ${f} (${failure.message}); retry ${attempt}/${this.#maxAttempts - 1}`);
      await this.delay(attempt);
    }
  }

  /** Single-request exclusive or overwriting write of a whole buffer. */
  private async putWhole(path: string, data: Uint8Array, ifAbsent: boolean): Promise<void> {
    const loc = this.locate(path);
    const token = randomUUID();
    if (!ifAbsent) {
      await this.retrying("put", path, () => this.#store.put(loc.bucket, loc.key, data, { ifAbsent: false, token }));
      return;
    }
    await this.commit("create", path, loc, token, true, () => this.#store.put(loc.bucket, loc.key, data, { ifAbsent: true, token }));
  }

  // ---- FileIO ----------------------------------------------------------------------

  async readFile(path: string): Promise<Uint8Array> {
    const loc = this.locate(path);
    return this.retrying("read", path, () => this.#store.get(loc.bucket, loc.key));
  }

  async readRange(path: string, start: number, end: number): Promise<Uint8Array> {
    const loc = this.locate(path);
    if (end <= start) {
      await this.stat(path);
      return new Uint8Array(0);
    }
    return this.retrying("read", path, async () => {
      try {
        return await this.#store.get(loc.bucket, loc.key, { start, end });
      } catch (e) {
        // 416: the range starts at or past the end (a missing object is a 404 instead)
        if (e instanceof StoreError && e.failure === "invalid-range") return new Uint8Array(0);
        throw e;
      }
    });
  }

  async newOutputSink(path: string, options?: WriteOptions): Promise<OutputSink> {
    const loc = this.locate(path);
    const ops: SinkOps = {
      retrying: (f) => this.retrying("write", path, f),
      commit: (token, ifAbsent, send) => this.commit("close", path, loc, token, ifAbsent, send),
      putWhole: (data, ifAbsent) => this.putWhole(path, data, ifAbsent),
    };
    return new ObjectSink(ops, this.#store, path, loc, options?.overwrite ?? false, this.#partSize);
  }

  async createIfAbsent(path: string, data: Uint8Array): Promise<void> {
    await this.putWhole(path, data, true);
  }

  async overwrite(path: string, data: Uint8Array): Promise<void> {
    await this.putWhole(path, data, false);
  }

  async exists(path: string): Promise<boolean> {
    try {
      await this.stat(path);
      return true;
    } catch (e) {
      if (e instanceof NotFoundError) return false;
      throw e;
    }
  }

  async stat(path: string): Promise<FileStatus> {
    const loc = this.locate(path);
    if (loc.key === "") return { path, size: 0, modificationTime: 0, isDir: true };
    try {
      const m = await this.retrying("stat", path, () => this.#store.head(loc.bucket, loc.key));
      return { path, size: m.size, modificationTime: m.mtime, isDir: false };
    } catch (e) {
      if (!(e instanceof NotFoundError)) throw e;
    }
    // a directory is any key below `key/` (a marker or a file)
    const page = await this.retrying("stat", path, () => this.#store.list(loc.bucket, `${loc.key}/`, { delimiter: false, maxKeys: 1 }));
    if (page.objects.length > 0 || page.prefixes.length > 0) return { path, size: 0, modificationTime: 0, isDir: true };
    throw new NotFoundError(path);
  }

  private async *pages(path: string, loc: Location, prefix: string, delimiter: boolean): AsyncIterable<ListPage> {
    let continuation: string | undefined;
    do {
      const page = await this.retrying("list", path, () => this.#store.list(loc.bucket, prefix, { delimiter, continuation }));
      yield page;
      continuation = page.next;
    } while (continuation);
  }

  async list(path: string): Promise<FileStatus[]> {
    const loc = this.locate(path);
    const prefix = loc.key === "" ? "" : `${loc.key}/`;
    const out: FileStatus[] = [];
    let found = false;
    for await (const page of this.pages(path, loc, prefix, true)) {
      for (const o of page.objects) {
        found = true;
        if (o.key === prefix) continue; // the directory's own marker
        out.push({ path: joinPath(path, o.key.slice(prefix.length)), size: o.size, modificationTime: o.mtime, isDir: false });
      }
      for (const p of page.prefixes) {
        found = true;
        out.push({ path: joinPath(path, p.slice(prefix.length, -1)), size: 0, modificationTime: 0, isDir: true });
      }
    }
    // nothing below: NotFoundError from stat, or a file where a directory was expected
    if (!found && loc.key !== "" && !(await this.stat(path)).isDir) throw new InvalidPathError(`not a directory: ${path}`);
    return out;
  }

  async *listRecursive(path: string): AsyncIterable<FileStatus> {
    const loc = this.locate(path);
    const prefix = loc.key === "" ? "" : `${loc.key}/`;
    for await (const page of this.pages(path, loc, prefix, false)) {
      for (const o of page.objects) {
        if (o.key.endsWith("/")) continue; // directory markers
        yield { path: joinPath(path, o.key.slice(prefix.length)), size: o.size, modificationTime: o.mtime, isDir: false };
      }
    }
  }

  /** Writes a zero-byte `dir/` marker (Hadoop S3A style) so an empty directory exists and lists. */
  async mkdirs(path: string): Promise<void> {
    const loc = this.locate(path);
    if (loc.key === "") return;
    try {
      await this.retrying("mkdirs", path, () => this.#store.head(loc.bucket, loc.key));
      throw new AlreadyExistsError(path, `a file exists at ${path}`);
    } catch (e) {
      if (!(e instanceof NotFoundError)) throw e;
    }
    await this.retrying("mkdirs", path, () => this.#store.put(loc.bucket, `${loc.key}/`, new Uint8Array(0), { ifAbsent: false }));
  }

  async delete(path: string): Promise<boolean> {
    const loc = this.locate(path);
    // object stores report success for a missing key: ask first
    try {
      await this.retrying("delete", path, () => this.#store.head(loc.bucket, loc.key));
    } catch (e) {
      if (e instanceof NotFoundError) return false;
      throw e;
    }
    await this.retrying("delete", path, () => this.#store.deleteOne(loc.bucket, loc.key));
    return true;
  }

  async deleteRecursive(path: string): Promise<void> {
    const loc = this.locate(path);
    const prefix = loc.key === "" ? "" : `${loc.key}/`;
    let batch: string[] = loc.key === "" ? [] : [loc.key];
    const flush = async () => {
      const keys = batch;
      batch = [];
      if (keys.length > 0) await this.retrying("delete", path, () => this.#store.deleteMany(loc.bucket, keys));
    };
    for await (const page of this.pages(path, loc, prefix, false)) {
      for (const o of page.objects) {
        batch.push(o.key);
        if (batch.length >= DELETE_BATCH) await flush();
      }
    }
    await flush();
  }

  /**
   * Server-side copy that never overwrites (multipart copy + conditional complete), then
   * delete of the source. Not atomic: a crash in between leaves both names.
   */
  async rename(from: string, to: string): Promise<void> {
    const st = await this.stat(from);
    if (!st.isDir) {
      // no existence pre-check: the conditional complete is what refuses an existing target
      await this.copyExclusive(from, to, st.size);
      await this.delete(from);
      return;
    }
    // directories (table renames, never part of a commit): file by file
    if (await this.exists(to)) throw new AlreadyExistsError(to);
    await this.mkdirs(to);
    for await (const f of this.listRecursive(from)) {
      await this.copyExclusive(f.path, joinPath(to, f.path.slice(from.replace(/\/+$/, "").length)), f.size);
    }
    await this.deleteRecursive(from);
  }

  private async copyExclusive(from: string, to: string, size: number): Promise<void> {
    if (size === 0) return this.putWhole(to, new Uint8Array(0), true);
    const src = this.locate(from);
    const dst = this.locate(to);
    const token = randomUUID();
    const uploadId = await this.retrying("rename", to, () => this.#store.startMultipart(dst.bucket, dst.key, token));
    try {
      const parts: PartRef[] = [];
      for (let start = 0, n = 1; start < size; start += this.#copyPartSize, n++) {
        const end = Math.min(size, start + this.#copyPartSize);
        const etag = await this.retrying("rename", to, () => this.#store.copyPart(dst.bucket, dst.key, uploadId, n, { ...src, start, end }));
        parts.push({ partNumber: n, etag });
      }
      await this.commit("rename", to, dst, token, true, () => this.#store.completeMultipart(dst.bucket, dst.key, uploadId, parts, { ifAbsent: true }));
    } catch (e) {
      await this.#store.abortMultipart(dst.bucket, dst.key, uploadId).catch(() => undefined);
      throw e;
    }
  }

  async close(): Promise<void> {
    await this.#store.close();
  }
}

interface SinkOps {
  retrying<T>(f: () => Promise<T>): Promise<T>;
  commit(token: string, ifAbsent: boolean, send: () => Promise<void>): Promise<void>;
  putWhole(data: Uint8Array, ifAbsent: boolean): Promise<void>;
}

/**
 * Buffers up to one part. A file that never reaches the part size is one PUT at close;
 * a larger one becomes a multipart upload (parts uploaded as they fill), completed at
 * close — conditionally unless overwriting — and aborted on any failure.
 */
class ObjectSink implements OutputSink {
  position = 0;
  private chunks: Uint8Array[] = [];
  private buffered = 0;
  private uploadId?: string;
  private readonly parts: PartRef[] = [];
  private readonly token = randomUUID();
  private state: "open" | "closed" | "aborted" = "open";

  constructor(
    private readonly ops: SinkOps,
    private readonly store: ObjectStore,
    private readonly path: string,
    private readonly loc: Location,
    private readonly overwrite: boolean,
    private readonly partSize: number,
  ) {}

  async write(chunk: Uint8Array): Promise<void> {
    if (this.state !== "open") throw new PaimonError("IO", `write after ${this.state === "closed" ? "close" : "abort"}: ${this.path}`);
    // copy: the caller may reuse its buffer
    this.chunks.push(chunk.slice());
    this.buffered += chunk.byteLength;
    this.position += chunk.byteLength;
    try {
      while (this.buffered >= this.partSize) await this.flushPart(this.take(this.partSize));
    } catch (e) {
      await this.abort();
      throw e;
    }
  }

  private take(n: number): Uint8Array {
    const all = concat(this.chunks, this.buffered);
    this.chunks = n < all.byteLength ? [all.subarray(n)] : [];
    this.buffered = all.byteLength - Math.min(n, all.byteLength);
    return all.subarray(0, n);
  }

  private async flushPart(data: Uint8Array): Promise<void> {
    const { bucket, key } = this.loc;
    this.uploadId ??= await this.ops.retrying(() => this.store.startMultipart(bucket, key, this.token));
    const uploadId = this.uploadId;
    const partNumber = this.parts.length + 1;
    const etag = await this.ops.retrying(() => this.store.uploadPart(bucket, key, uploadId, partNumber, data));
    this.parts.push({ partNumber, etag });
  }

  async close(): Promise<void> {
    if (this.state === "closed") return;
    // e.g. a failed write aborted the upload: nothing may be published
    if (this.state === "aborted") throw new PaimonError("IO", `close after abort: ${this.path} was not written`);
    this.state = "closed";
    const rest = this.take(this.buffered);
    if (this.uploadId === undefined) {
      await this.ops.putWhole(rest, !this.overwrite);
      return;
    }
    const uploadId = this.uploadId;
    try {
      if (rest.byteLength > 0) await this.flushPart(rest);
      const { bucket, key } = this.loc;
      await this.ops.commit(this.token, !this.overwrite, () =>
        this.store.completeMultipart(bucket, key, uploadId, this.parts, { ifAbsent: !this.overwrite }),
      );
    } catch (e) {
      await this.store.abortMultipart(this.loc.bucket, this.loc.key, uploadId).catch(() => undefined);
      throw e;
    }
  }

  async abort(): Promise<void> {
    if (this.state === "closed") return;
    this.state = "aborted";
    this.chunks = [];
    this.buffered = 0;
    const uploadId = this.uploadId;
    this.uploadId = undefined;
    if (uploadId !== undefined) await this.store.abortMultipart(this.loc.bucket, this.loc.key, uploadId).catch(() => undefined);
  }
}

function concat(chunks: Uint8Array[], total: number): Uint8Array {
  if (chunks.length === 1) return chunks[0];
  const out = new Uint8Array(total);
  let off = 0;
  for (const c of chunks) {
    out.set(c, off);
    off += c.byteLength;
  }
  return out;
}
