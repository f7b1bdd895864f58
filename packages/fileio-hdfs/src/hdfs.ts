/**
 * FileIO on HDFS through WebHDFS.
 *
 * Warehouse paths keep their HDFS form, `hdfs://namenode:9000/wh/…` (9000 is the
 * NameNode's RPC port, which WebHDFS never talks to); requests go to the WebHDFS HTTP
 * endpoint of the options (`http://namenode:9870` by default).
 *
 * Publication: a file is written under a temp name in its target directory
 * (`.<name>.<uuid>.tmp`: CREATE, then APPEND per chunk), its length is checked, and it
 * is renamed to the final name at close. Without overwrite the rename is HDFS `rename2`
 * with `Rename.NONE` (`renameoptions=NONE`): atomic, and it fails instead of replacing an
 * existing file or moving into an existing directory. With overwrite it is `rename2` with
 * `Rename.OVERWRITE`, an atomic replace. The legacy RENAME (`legacyRename: true`, for
 * gateways that do not know `renameoptions`) answers only `{"boolean": false}` on
 * failure; that answer is always checked and explained by reading back the state.
 *
 * Ambiguity: when a publishing rename may or may not have happened (a reset or timeout
 * after the request was sent), the temp file's inode id (`fileId`, unchanged by a rename)
 * is the token: at the target means done, still at the temp path means retry, anywhere
 * else (or no answer) is CommitStateUnknownError.
 */
import { randomUUID } from "node:crypto";
import {
  AlreadyExistsError,
  CommitStateUnknownError,
  InvalidInputError,
  InvalidPathError,
  NotFoundError,
  PaimonError,
  RetryableError,
  joinPath,
  parseWarehouseUri,
  pathParent,
  type FileIO,
  type FileStatus,
  type OutputSink,
  type WarehouseUri,
  type WriteOptions,
} from "@paimon-ts/fileio";
import { AmbiguousRequestError, WebHdfsClient, parseJson } from "./webhdfs.js";

/** The NameNode's default WebHDFS (HTTP) port in Hadoop 3. */
export const DEFAULT_WEBHDFS_PORT = 9870;
export const DEFAULT_HDFS_USER = "hadoop";
/** Bytes buffered per CREATE/APPEND request of a streaming write. */
export const DEFAULT_WRITE_CHUNK_BYTES = 8 * 1024 * 1024;

export interface HdfsOptions {
  /**
   * WebHDFS base URL, e.g. `http://namenode:9870`; several (array or comma-separated)
   * for an HA pair, tried in turn on StandbyException or a refused connection.
   * Overrides `host`, `httpPort` and `https`.
   */
  endpoint?: string | string[];
  /** NameNode host(s) for WebHDFS (default: the host of the `hdfs://` URI). */
  host?: string | string[];
  /** WebHDFS HTTP port (default 9870), not the RPC port of `hdfs://host:9000` URIs. */
  httpPort?: number;
  /** Use https:// (default false). */
  https?: boolean;
  /** `user.name` of every request (default $HADOOP_USER_NAME, else `hadoop`). */
  user?: string;
  /** Retries of a transient failure after the first attempt (default 6). */
  maxRetries?: number;
  /** First backoff delay, doubled per retry, with jitter (default 200 ms). */
  retryBaseDelayMs?: number;
  /** Cap of one backoff delay (default 5,000 ms). */
  retryMaxDelayMs?: number;
  /** Idle timeout of one HTTP exchange (default 120,000 ms). */
  requestTimeoutMs?: number;
  /** Bytes a streaming write buffers per CREATE/APPEND request (default 8 MiB). */
  writeChunkBytes?: number;
  /** Use the legacy boolean RENAME instead of rename2 (default false; see the README). */
  legacyRename?: boolean;
}

/** The JSON FileStatus of WebHDFS (the fields used here). */
interface HdfsStatus {
  pathSuffix: string;
  type: "FILE" | "DIRECTORY" | "SYMLINK";
  length: number;
  modificationTime: number;
  fileId?: number;
}

interface ListingPage {
  DirectoryListing?: {
    partialListing?: { FileStatuses?: { FileStatus?: HdfsStatus[] } };
    remainingEntries?: number;
  };
}

const str = (v: unknown): string | undefined => (typeof v === "string" && v.trim() !== "" ? v.trim() : undefined);
const list = (v: unknown): string[] | undefined => {
  if (Array.isArray(v)) return v.map(String).map((s) => s.trim()).filter((s) => s !== "");
  const s = str(v);
  return s === undefined ? undefined : s.split(",").map((x) => x.trim()).filter((x) => x !== "");
};

function num(v: unknown, key: string): number | undefined {
  if (v === undefined || v === null || v === "") return undefined;
  const n = typeof v === "number" ? v : Number(v);
  if (!Number.isFinite(n) || n < 0) throw new InvalidInputError(`hdfs option ${key} must be a non-negative number, got ${JSON.stringify(v)}`);
  return n;
}

function bool(v: unknown): boolean | undefined {
  if (v === undefined || v === null || v === "") return undefined;
  if (typeof v === "boolean") return v;
  return String(v).toLowerCase() === "true";
}

/** Reads HdfsOptions out of a loose options record (catalog options); unknown keys are ignored. */
export function parseHdfsOptions(o: Record<string, unknown>): HdfsOptions {
  const out: HdfsOptions = {
    endpoint: list(o.endpoint),
    host: list(o.host),
    httpPort: num(o.httpPort, "httpPort"),
    https: bool(o.https),
    user: str(o.user),
    maxRetries: num(o.maxRetries, "maxRetries"),
    retryBaseDelayMs: num(o.retryBaseDelayMs, "retryBaseDelayMs"),
    retryMaxDelayMs: num(o.retryMaxDelayMs, "retryMaxDelayMs"),
    requestTimeoutMs: num(o.requestTimeoutMs, "requestTimeoutMs"),
    writeChunkBytes: num(o.writeChunkBytes, "writeChunkBytes"),
    legacyRename: bool(o.legacyRename),
  };
  for (const k of Object.keys(out) as (keyof HdfsOptions)[]) if (out[k] === undefined) delete out[k];
  return out;
}

/** `host` of an `hdfs://` authority (`nn:9000` → `nn`, `[::1]:9000` → `[::1]`). */
function hostOf(authority: string): string {
  if (authority.startsWith("[")) return authority.slice(0, authority.indexOf("]") + 1);
  const i = authority.lastIndexOf(":");
  return i < 0 ? authority : authority.slice(0, i);
}

/** The WebHDFS endpoints the options and the warehouse authority name. */
export function webHdfsEndpoints(authority: string, options: HdfsOptions = {}): string[] {
  const explicit = list(options.endpoint);
  if (explicit && explicit.length > 0) return explicit;
  const scheme = options.https ? "https" : "http";
  const port = options.httpPort ?? DEFAULT_WEBHDFS_PORT;
  const hosts = list(options.host) ?? [hostOf(authority)];
  // a host given with its own port keeps it
  return hosts.map((h) => (/^\[.*\]:\d+$|^[^:[\]]+:\d+$/.test(h) ? `${scheme}://${h}` : `${scheme}://${h}:${port}`));
}

function toStatus(path: string, s: HdfsStatus): FileStatus {
  const isDir = s.type === "DIRECTORY";
  return { path, size: isDir ? 0 : s.length, modificationTime: s.modificationTime, isDir };
}

function parentOf(p: string): string {
  const i = p.lastIndexOf("/");
  return i <= 0 ? "/" : p.slice(0, i);
}

function baseName(p: string): string {
  return p.slice(p.lastIndexOf("/") + 1);
}

/** A dot-prefixed sibling no reader mistakes for a snapshot/schema/data file. */
function tempPathFor(p: string): string {
  return `${parentOf(p) === "/" ? "" : parentOf(p)}/.${baseName(p)}.${randomUUID()}.tmp`;
}

function concat(parts: Uint8Array[], total: number): Uint8Array {
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(total);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.byteLength;
  }
  return out;
}

/** How many times an ambiguous step is re-examined and retried before giving up. */
const RESOLVE_ROUNDS = 4;

export class HdfsFileIO implements FileIO {
  readonly scheme = "hdfs";
  /** `host:port` of the warehouse URIs this instance serves. */
  readonly authority: string;
  readonly client: WebHdfsClient;
  private readonly chunkBytes: number;
  private readonly legacyRename: boolean;

  constructor(warehouse: string | WarehouseUri, options: HdfsOptions = {}) {
    const uri = typeof warehouse === "string" ? parseWarehouseUri(warehouse) : warehouse;
    if (uri.scheme !== "hdfs") throw new InvalidPathError(`not an hdfs:// URI: ${uri.uri}`);
    this.authority = uri.authority;
    this.client = new WebHdfsClient({
      endpoints: webHdfsEndpoints(uri.authority, options),
      user: options.user ?? str(process.env.HADOOP_USER_NAME) ?? DEFAULT_HDFS_USER,
      maxRetries: options.maxRetries,
      retryBaseDelayMs: options.retryBaseDelayMs,
      retryMaxDelayMs: options.retryMaxDelayMs,
      requestTimeoutMs: options.requestTimeoutMs,
    });
    const chunk = options.writeChunkBytes ?? DEFAULT_WRITE_CHUNK_BYTES;
    if (!Number.isSafeInteger(chunk) || chunk < 1) throw new InvalidInputError(`hdfs option writeChunkBytes must be a positive integer, got ${chunk}`);
    this.chunkBytes = chunk;
    this.legacyRename = options.legacyRename ?? false;
  }

  /** The absolute HDFS path of a warehouse URI on this instance's cluster. */
  hdfsPath(path: string): string {
    const u = parseWarehouseUri(path);
    if (u.scheme !== "hdfs") throw new InvalidPathError(`not an hdfs:// path: ${path}`);
    if (u.authority.toLowerCase() !== this.authority.toLowerCase()) {
      throw new InvalidPathError(`${path} is not on hdfs://${this.authority}`);
    }
    return u.path;
  }

  // ---- reads -------------------------------------------------------------------------

  async readFile(path: string): Promise<Uint8Array> {
    const p = this.hdfsPath(path);
    const r = await this.client.call({ method: "GET", op: "OPEN", path: p, label: path, redirect: true, retry: "always" });
    return r.bytes;
  }

  async readRange(path: string, start: number, end: number): Promise<Uint8Array> {
    const p = this.hdfsPath(path);
    if (!Number.isSafeInteger(start) || start < 0 || Number.isNaN(end) || (!Number.isSafeInteger(end) && end !== Infinity)) {
      throw new InvalidInputError(`readRange ${path}: bad range [${start}, ${end})`);
    }
    if (end <= start) {
      await this.statRaw(p, path); // not-found still is not-found
      return new Uint8Array(0);
    }
    try {
      const r = await this.client.call({
        method: "GET",
        op: "OPEN",
        path: p,
        label: path,
        params: { offset: start, length: end === Infinity ? undefined : end - start },
        redirect: true,
        retry: "always",
      });
      return r.bytes;
    } catch (e) {
      // The DataNode refuses an offset at or past the end ("Offset=… out of the range")
      // where we promise an empty result.
      if (e instanceof PaimonError && e.code === "IO") {
        const st = await this.statRaw(p, path);
        if (start >= st.length) return new Uint8Array(0);
      }
      throw e;
    }
  }

  async exists(path: string): Promise<boolean> {
    return (await this.statOrNull(this.hdfsPath(path), path)) !== null;
  }

  async stat(path: string): Promise<FileStatus> {
    return toStatus(path, await this.statRaw(this.hdfsPath(path), path));
  }

  async list(path: string): Promise<FileStatus[]> {
    const p = this.hdfsPath(path);
    const out: FileStatus[] = [];
    for await (const page of this.listPages(p, path)) {
      for (const s of page) out.push(toStatus(joinPath(path, s.pathSuffix), s));
    }
    return out;
  }

  async *listRecursive(path: string): AsyncIterable<FileStatus> {
    const root = this.hdfsPath(path);
    const stack: { p: string; label: string }[] = [{ p: root, label: path }];
    while (stack.length > 0) {
      const dir = stack.pop()!;
      const subdirs: { p: string; label: string }[] = [];
      try {
        for await (const page of this.listPages(dir.p, dir.label)) {
          for (const s of page) {
            const label = joinPath(dir.label, s.pathSuffix);
            if (s.type === "DIRECTORY") subdirs.push({ p: `${dir.p === "/" ? "" : dir.p}/${s.pathSuffix}`, label });
            else yield toStatus(label, s);
          }
        }
      } catch (e) {
        // absent (or deleted while we walk): nothing below it
        if (e instanceof NotFoundError) continue;
        throw e;
      }
      stack.push(...subdirs.reverse());
    }
  }

  /** LISTSTATUS_BATCH pages (the NameNode's `dfs.ls.limit`, 1,000 by default, per page). */
  private async *listPages(p: string, label: string): AsyncGenerator<HdfsStatus[]> {
    let startAfter: string | undefined;
    for (;;) {
      let page: ListingPage;
      try {
        page = await this.client.callJson<ListingPage>({ method: "GET", op: "LISTSTATUS_BATCH", path: p, label, params: { startAfter }, retry: "always" });
      } catch (e) {
        // servers without LISTSTATUS_BATCH (before Hadoop 2.8) reject the op name
        if (startAfter === undefined && e instanceof InvalidInputError) {
          yield this.checkListing(await this.listStatusOnce(p, label), label);
          return;
        }
        throw e;
      }
      const entries = page.DirectoryListing?.partialListing?.FileStatuses?.FileStatus ?? [];
      yield startAfter === undefined ? this.checkListing(entries, label) : entries;
      const remaining = page.DirectoryListing?.remainingEntries ?? 0;
      if (remaining <= 0 || entries.length === 0) return;
      startAfter = entries[entries.length - 1].pathSuffix;
    }
  }

  private async listStatusOnce(p: string, label: string): Promise<HdfsStatus[]> {
    const j = await this.client.callJson<{ FileStatuses?: { FileStatus?: HdfsStatus[] } }>({ method: "GET", op: "LISTSTATUS", path: p, label, retry: "always" });
    return j.FileStatuses?.FileStatus ?? [];
  }

  /** Listing a *file* answers the file itself, with an empty pathSuffix. */
  private checkListing(entries: HdfsStatus[], label: string): HdfsStatus[] {
    if (entries.length === 1 && entries[0].pathSuffix === "" && entries[0].type !== "DIRECTORY") {
      throw new InvalidPathError(`not a directory: ${label}`);
    }
    return entries;
  }

  /** GETFILESTATUS; NotFoundError when absent. */
  async statRaw(p: string, label: string = p): Promise<HdfsStatus> {
    const j = await this.client.callJson<{ FileStatus?: HdfsStatus }>({ method: "GET", op: "GETFILESTATUS", path: p, label, retry: "always" });
    if (!j.FileStatus) throw new PaimonError("IO", `WebHDFS GETFILESTATUS ${label}: no FileStatus in the answer`);
    return j.FileStatus;
  }

  async statOrNull(p: string, label: string = p): Promise<HdfsStatus | null> {
    try {
      return await this.statRaw(p, label);
    } catch (e) {
      if (e instanceof NotFoundError) return null;
      throw e;
    }
  }

  // ---- writes ------------------------------------------------------------------------

  async newOutputSink(path: string, options?: WriteOptions): Promise<OutputSink> {
    return new HdfsSink(this, this.hdfsPath(path), path, options?.overwrite ?? false, this.chunkBytes);
  }

  async createIfAbsent(path: string, data: Uint8Array): Promise<void> {
    await this.writeWhole(path, data, false);
  }

  async overwrite(path: string, data: Uint8Array): Promise<void> {
    await this.writeWhole(path, data, true);
  }

  private async writeWhole(path: string, data: Uint8Array, overwrite: boolean): Promise<void> {
    const sink = await this.newOutputSink(path, { overwrite });
    try {
      await sink.write(data);
    } catch (e) {
      await sink.abort().catch(() => undefined);
      throw e;
    }
    await sink.close();
  }

  async mkdirs(path: string): Promise<void> {
    await this.mkdirsRaw(this.hdfsPath(path), path);
  }

  private async mkdirsRaw(p: string, label: string): Promise<void> {
    const ok = await this.client.callBoolean({ method: "PUT", op: "MKDIRS", path: p, label, retry: "always" });
    if (!ok) throw new PaimonError("IO", `WebHDFS MKDIRS ${label} answered false`);
  }

  async delete(path: string): Promise<boolean> {
    const p = this.hdfsPath(path);
    for (let round = 0; round < RESOLVE_ROUNDS; round++) {
      let deleted: boolean;
      try {
        deleted = await this.client.callBoolean({ method: "DELETE", op: "DELETE", path: p, label: path, params: { recursive: false }, retry: "safe" });
      } catch (e) {
        if (!(e instanceof AmbiguousRequestError)) throw e;
        // we cannot know whether our DELETE or an earlier one removed it: gone is gone
        if ((await this.statOrNull(p, path)) === null) return true;
        continue;
      }
      if (deleted) return true;
      // false must mean "nothing there" (HDFS also answers false for "/")
      if ((await this.statOrNull(p, path)) !== null) throw new PaimonError("IO", `WebHDFS DELETE ${path} answered false but the path exists`);
      return false;
    }
    throw new RetryableError(`WebHDFS DELETE ${path}: no definite answer after ${RESOLVE_ROUNDS} attempts`);
  }

  async deleteRecursive(path: string): Promise<void> {
    const p = this.hdfsPath(path);
    const deleted = await this.client.callBoolean({ method: "DELETE", op: "DELETE", path: p, label: path, params: { recursive: true }, retry: "always" });
    if (!deleted && (await this.statOrNull(p, path)) !== null) {
      throw new PaimonError("IO", `WebHDFS DELETE ${path} (recursive) answered false but the path exists`);
    }
  }

  async rename(from: string, to: string): Promise<void> {
    const src = this.hdfsPath(from);
    const dst = this.hdfsPath(to);
    const st = await this.statRaw(src, from); // NotFoundError(from) when absent
    await this.mkdirsRaw(parentOf(dst), pathParent(to));
    await this.renameExclusive(src, dst, st.fileId, from, to);
  }

  async close(): Promise<void> {
    this.client.close();
  }

  // ---- renames -----------------------------------------------------------------------

  /**
   * Moves `src` to `dst` only if nothing is at `dst`, atomically. `token` is the inode id
   * of `src`, used to resolve an ambiguous outcome.
   */
  async renameExclusive(src: string, dst: string, token: number | undefined, srcLabel = src, dstLabel = dst): Promise<void> {
    for (let round = 0; round < RESOLVE_ROUNDS; round++) {
      try {
        if (this.legacyRename) await this.legacyRenameExclusive(src, dst, token, srcLabel, dstLabel);
        else await this.rename2(src, dst, "NONE", srcLabel, dstLabel);
        return;
      } catch (e) {
        if (e instanceof AmbiguousRequestError) {
          if ((await this.resolveRename(src, dst, token, false, srcLabel, dstLabel, e)) === "done") return;
          continue;
        }
        if (e instanceof AlreadyExistsError) throw new AlreadyExistsError(dstLabel, undefined, { cause: e });
        throw await this.explainRenameFailure(src, dst, srcLabel, dstLabel, e);
      }
    }
    throw new CommitStateUnknownError(`rename ${srcLabel} → ${dstLabel}: no definite answer after ${RESOLVE_ROUNDS} attempts`);
  }

  /** Moves `src` to `dst`, replacing a file there, atomically (rename2 OVERWRITE). */
  async renameReplacing(src: string, dst: string, token: number | undefined, srcLabel = src, dstLabel = dst): Promise<void> {
    for (let round = 0; round < RESOLVE_ROUNDS; round++) {
      try {
        if (this.legacyRename) await this.legacyRenameReplacing(src, dst, token, srcLabel, dstLabel);
        else await this.rename2(src, dst, "OVERWRITE", srcLabel, dstLabel);
        return;
      } catch (e) {
        if (e instanceof AmbiguousRequestError) {
          if ((await this.resolveRename(src, dst, token, true, srcLabel, dstLabel, e)) === "done") return;
          continue;
        }
        throw await this.explainRenameFailure(src, dst, srcLabel, dstLabel, e);
      }
    }
    throw new CommitStateUnknownError(`rename ${srcLabel} → ${dstLabel}: no definite answer after ${RESOLVE_ROUNDS} attempts`);
  }

  /**
   * HDFS rename2 (`renameoptions`): empty 200 on success, FileAlreadyExistsException
   * when `dst` exists (NONE), FileNotFoundException when `src` or `dst`'s parent is
   * missing. A server that ignores `renameoptions` runs the legacy rename and answers a
   * boolean instead, which is honoured the same way.
   */
  private async rename2(src: string, dst: string, mode: "NONE" | "OVERWRITE", srcLabel: string, dstLabel: string): Promise<void> {
    const r = await this.client.call({
      method: "PUT",
      op: "RENAME",
      path: src,
      label: srcLabel,
      params: { destination: dst, renameoptions: mode },
      retry: "safe",
    });
    if (r.bytes.byteLength === 0) return;
    const j = parseJson(r.bytes, { op: "RENAME", path: srcLabel }) as { boolean?: unknown };
    if (j.boolean === true) return;
    if (j.boolean === false) throw await this.explainRenameFalse(src, dst, srcLabel, dstLabel);
    throw new PaimonError("IO", `WebHDFS RENAME ${srcLabel} → ${dstLabel}: unexpected answer ${new TextDecoder().decode(r.bytes).slice(0, 200)}`);
  }

  /**
   * The legacy RENAME answers `{"boolean": false}` for every failure and moves `src`
   * *into* `dst` when `dst` is a directory, so: refuse an existing `dst` up front, check
   * the boolean, and undo a move into a directory created meanwhile.
   */
  private async legacyRenameExclusive(src: string, dst: string, token: number | undefined, srcLabel: string, dstLabel: string): Promise<void> {
    if ((await this.statOrNull(dst, dstLabel)) !== null) throw new AlreadyExistsError(dstLabel);
    const ok = await this.client.callBoolean({ method: "PUT", op: "RENAME", path: src, label: srcLabel, params: { destination: dst }, retry: "safe" });
    if (!ok) throw await this.explainRenameFalse(src, dst, srcLabel, dstLabel);
    const landed = await this.statOrNull(dst, dstLabel);
    if (landed?.type === "DIRECTORY" && (token === undefined || landed.fileId !== token)) {
      // a directory appeared at dst between the check and the rename and swallowed src
      const inside = `${dst}/${baseName(src)}`;
      await this.client.callBoolean({ method: "PUT", op: "RENAME", path: inside, label: inside, params: { destination: src }, retry: "safe" }).catch(() => false);
      throw new AlreadyExistsError(dstLabel);
    }
  }

  /** Legacy RENAME cannot replace: delete the old file first (not atomic: a window without it). */
  private async legacyRenameReplacing(src: string, dst: string, token: number | undefined, srcLabel: string, dstLabel: string): Promise<void> {
    for (let i = 0; i < RESOLVE_ROUNDS; i++) {
      const cur = await this.statOrNull(dst, dstLabel);
      if (cur?.type === "DIRECTORY") throw new AlreadyExistsError(dstLabel, `cannot replace directory ${dstLabel} with a file`);
      if (cur) await this.client.callBoolean({ method: "DELETE", op: "DELETE", path: dst, label: dstLabel, params: { recursive: false }, retry: "always" });
      try {
        await this.legacyRenameExclusive(src, dst, token, srcLabel, dstLabel);
        return;
      } catch (e) {
        if (!(e instanceof AlreadyExistsError)) throw e; // another writer re-created dst: go again
      }
    }
    throw new RetryableError(`rename ${srcLabel} → ${dstLabel}: the target kept being re-created`);
  }

  /** Turns a `{"boolean": false}` RENAME answer into the error the state explains. */
  private async explainRenameFalse(src: string, dst: string, srcLabel: string, dstLabel: string): Promise<PaimonError> {
    const [s, d] = await Promise.all([this.statOrNull(src, srcLabel), this.statOrNull(dst, dstLabel)]);
    if (!s) return new NotFoundError(srcLabel, `rename source not found: ${srcLabel}`);
    if (d) return new AlreadyExistsError(dstLabel, `rename target exists: ${dstLabel}`);
    if (!(await this.statOrNull(parentOf(dst)))) return new NotFoundError(dstLabel, `rename target's parent directory is missing: ${dstLabel}`);
    return new PaimonError("IO", `WebHDFS RENAME ${srcLabel} → ${dstLabel} answered false (source present, target absent)`);
  }

  /** After a definite rename failure: the state picks the error (target exists → AlreadyExists). */
  private async explainRenameFailure(src: string, dst: string, srcLabel: string, dstLabel: string, cause: unknown): Promise<unknown> {
    if (!(cause instanceof PaimonError) || cause.isRetryable) return cause;
    try {
      const [s, d] = await Promise.all([this.statOrNull(src, srcLabel), this.statOrNull(dst, dstLabel)]);
      if (cause instanceof AlreadyExistsError || (d && cause.code !== "NOT_FOUND")) return new AlreadyExistsError(dstLabel, undefined, { cause });
      if (!s) return new NotFoundError(srcLabel, `rename source not found: ${srcLabel}`, { cause });
      if (cause.code === "NOT_FOUND") return new NotFoundError(dstLabel, `rename target's parent directory is missing: ${dstLabel}`, { cause });
    } catch {
      // keep the original error
    }
    return cause;
  }

  /**
   * An ambiguous rename: where is the inode now? At `dst` → done; still at `src` → retry
   * (or AlreadyExists when `dst` is taken and we may not replace it); elsewhere or no
   * answer → CommitStateUnknownError.
   */
  private async resolveRename(
    src: string,
    dst: string,
    token: number | undefined,
    replacing: boolean,
    srcLabel: string,
    dstLabel: string,
    cause: unknown,
  ): Promise<"done" | "retry"> {
    if (token === undefined) {
      throw new CommitStateUnknownError(`rename ${srcLabel} → ${dstLabel}: outcome unknown and the server reports no fileId to check it`, { cause });
    }
    let s: HdfsStatus | null;
    let d: HdfsStatus | null;
    try {
      [s, d] = await Promise.all([this.statOrNull(src, srcLabel), this.statOrNull(dst, dstLabel)]);
    } catch (e) {
      throw new CommitStateUnknownError(`rename ${srcLabel} → ${dstLabel}: outcome unknown and the state cannot be read back (${(e as Error).message})`, { cause });
    }
    if (d && d.fileId === token) return "done";
    if (s && s.fileId === token) {
      if (d && !replacing) throw new AlreadyExistsError(dstLabel);
      return "retry";
    }
    throw new CommitStateUnknownError(`rename ${srcLabel} → ${dstLabel}: outcome unknown: the file is at neither path`, { cause });
  }

  /** Best-effort removal of a temp file (an abort, a failed publish). */
  async deleteQuietly(p: string): Promise<void> {
    await this.client.call({ method: "DELETE", op: "DELETE", path: p, params: { recursive: false }, retry: "always" }).catch(() => undefined);
  }
}

/**
 * A streaming write: chunks are buffered up to `chunkBytes` and sent as CREATE (first)
 * and APPEND requests to a temp file, which `close` checks and renames into place.
 */
class HdfsSink implements OutputSink {
  position = 0;
  private parts: Uint8Array[] = [];
  private buffered = 0;
  /** Bytes already in the temp file (undefined: not created yet). */
  private flushed: number | undefined;
  private tmp: string;
  private done = false;
  /** Why an earlier write failed: `close` must not report success after it. */
  private failure: unknown;

  constructor(
    private readonly io: HdfsFileIO,
    private readonly target: string,
    private readonly label: string,
    private readonly overwrite: boolean,
    private readonly chunkBytes: number,
  ) {
    this.tmp = tempPathFor(target);
  }

  async write(chunk: Uint8Array): Promise<void> {
    if (this.failure !== undefined) throw this.failure;
    if (this.done) throw new PaimonError("IO", `write after close: ${this.label}`);
    if (chunk.byteLength === 0) return;
    this.parts.push(chunk.slice()); // the caller may reuse its buffer
    this.buffered += chunk.byteLength;
    this.position += chunk.byteLength;
    if (this.buffered >= this.chunkBytes) await this.flush();
  }

  private async flush(): Promise<void> {
    const data = concat(this.parts, this.buffered);
    this.parts = [];
    this.buffered = 0;
    try {
      if (this.flushed === undefined) await this.create(data);
      else await this.append(data);
    } catch (e) {
      this.failure = e;
      await this.fail();
      throw e;
    }
  }

  private async create(data: Uint8Array): Promise<void> {
    for (let round = 0; round < RESOLVE_ROUNDS; round++) {
      try {
        await this.io.client.call({
          method: "PUT",
          op: "CREATE",
          path: this.tmp,
          label: this.label,
          params: { overwrite: false },
          redirect: true,
          body: data,
          retry: "safe",
        });
        this.flushed = data.byteLength;
        return;
      } catch (e) {
        if (!(e instanceof AmbiguousRequestError)) throw e;
        // the DataNode may still be writing that temp file: start over under a new name
        await this.io.deleteQuietly(this.tmp);
        this.tmp = tempPathFor(this.target);
      }
    }
    throw new RetryableError(`WebHDFS CREATE ${this.label}: no definite answer after ${RESOLVE_ROUNDS} attempts`);
  }

  private async append(data: Uint8Array): Promise<void> {
    const before = this.flushed!;
    for (let round = 0; round < RESOLVE_ROUNDS; round++) {
      try {
        await this.io.client.call({ method: "POST", op: "APPEND", path: this.tmp, label: this.label, redirect: true, body: data, retry: "safe" });
        this.flushed = before + data.byteLength;
        return;
      } catch (e) {
        if (!(e instanceof AmbiguousRequestError)) throw e;
        // appending twice would corrupt the file: look at its length first
        const st = await this.io.statRaw(this.tmp, this.label);
        if (st.length === before + data.byteLength) {
          this.flushed = st.length;
          return;
        }
        if (st.length !== before) {
          throw new RetryableError(`WebHDFS APPEND ${this.label}: interrupted after ${st.length - before} of ${data.byteLength} bytes; the write must be redone`, { cause: e });
        }
      }
    }
    throw new RetryableError(`WebHDFS APPEND ${this.label}: no definite answer after ${RESOLVE_ROUNDS} attempts`);
  }

  async close(): Promise<void> {
    if (this.failure !== undefined) throw this.failure;
    if (this.done) return;
    this.done = true;
    try {
      if (this.buffered > 0 || this.flushed === undefined) await this.flush();
      const st = await this.io.statRaw(this.tmp, this.label);
      if (st.length !== this.position) {
        throw new PaimonError("IO", `${this.label}: temp file holds ${st.length} bytes, ${this.position} were written`, { retryable: true });
      }
      if (this.overwrite) await this.io.renameReplacing(this.tmp, this.target, st.fileId, this.tmp, this.label);
      else await this.io.renameExclusive(this.tmp, this.target, st.fileId, this.tmp, this.label);
    } catch (e) {
      this.failure = e;
      await this.fail();
      throw e;
    }
  }

  async abort(): Promise<void> {
    if (this.done) return;
    this.done = true;
    this.parts = [];
    await this.fail();
  }

  private async fail(): Promise<void> {
    this.done = true;
    if (this.flushed !== undefined) await this.io.deleteQuietly(this.tmp);
  }
}
