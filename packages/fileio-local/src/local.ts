/**
 * FileIO on the local disk. Publication never relies on `rename` for exclusivity
 * (POSIX rename replaces its target): a new file is written and fsynced under a temp
 * name, then hard-linked to its final name — `link` fails with EEXIST if anything is
 * there, atomically — and the temp name is removed.
 */
import { randomUUID } from "node:crypto";
import { constants, promises as fs } from "node:fs";
import type { FileHandle } from "node:fs/promises";
import { dirname, join } from "node:path";
import {
  AlreadyExistsError,
  InvalidPathError,
  NotFoundError,
  PaimonError,
  PermissionError,
  RetryableError,
  joinPath,
  parseWarehouseUri,
  type FileIO,
  type FileStatus,
  type OutputSink,
  type WriteOptions,
} from "@paimon-ts/fileio";

/** Local paths: plain absolute paths or `file:` URIs. */
export function toLocalPath(path: string): string {
  const u = parseWarehouseUri(path);
  if (u.scheme !== "file") throw new InvalidPathError(`not a local path: ${path}`);
  return u.path;
}

function mapError(e: unknown, path: string): unknown {
  const code = (e as NodeJS.ErrnoException)?.code;
  switch (code) {
    case "ENOENT":
      return new NotFoundError(path, undefined, { cause: e });
    case "EEXIST":
    case "ENOTEMPTY":
      return new AlreadyExistsError(path, undefined, { cause: e });
    case "EACCES":
    case "EPERM":
    case "EROFS":
      return new PermissionError(path, undefined, { cause: e });
    case "EAGAIN":
    case "EBUSY":
    case "EMFILE":
    case "ENFILE":
    case "EINTR":
      return new RetryableError(`${code} on ${path}`, { cause: e });
    case "ENOTDIR":
    case "EISDIR":
    case "ENAMETOOLONG":
      return new InvalidPathError(`${code} on ${path}`);
    default:
      return e instanceof PaimonError ? e : new PaimonError("IO", `I/O error on ${path}: ${(e as Error)?.message ?? e}`, { cause: e });
  }
}

async function guard<T>(path: string, f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    throw mapError(e, path);
  }
}

function tempPathFor(target: string): string {
  // a dot-prefixed name no reader mistakes for a snapshot/schema/data file
  return join(dirname(target), `.${target.slice(dirname(target).length + 1)}.${randomUUID()}.tmp`);
}

async function syncDir(dir: string): Promise<void> {
  let h: FileHandle | undefined;
  try {
    h = await fs.open(dir, constants.O_RDONLY);
    await h.sync();
  } catch {
    // some filesystems refuse to fsync directories; the data itself is already synced
  } finally {
    await h?.close().catch(() => undefined);
  }
}

/** Links `tmp` to `target` without replacing anything, then drops `tmp`. */
async function publishExclusive(tmp: string, target: string): Promise<void> {
  try {
    await fs.link(tmp, target);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== "EPERM" && code !== "ENOTSUP" && code !== "EXDEV" && code !== "EOPNOTSUPP") throw e;
    // filesystems without hard links: exclusive create, then copy (readers may see a
    // partial file briefly here; such filesystems are not supported for concurrent writers)
    await fs.copyFile(tmp, target, constants.COPYFILE_EXCL);
  } finally {
    await fs.unlink(tmp).catch(() => undefined);
  }
  await syncDir(dirname(target));
}

class LocalSink implements OutputSink {
  position = 0;
  private done = false;
  constructor(
    private readonly target: string,
    private readonly tmp: string,
    private readonly handle: FileHandle,
    private readonly overwrite: boolean,
  ) {}

  async write(chunk: Uint8Array): Promise<void> {
    if (this.done) throw new PaimonError("IO", `write after close: ${this.target}`);
    let off = 0;
    while (off < chunk.byteLength) {
      const { bytesWritten } = await guard(this.target, () => this.handle.write(chunk, off, chunk.byteLength - off));
      off += bytesWritten;
    }
    this.position += chunk.byteLength;
  }

  async close(): Promise<void> {
    if (this.done) return;
    this.done = true;
    try {
      await this.handle.sync();
      await this.handle.close();
      if (this.overwrite) {
        await fs.rename(this.tmp, this.target);
        await syncDir(dirname(this.target));
      } else {
        await publishExclusive(this.tmp, this.target);
      }
    } catch (e) {
      await this.handle.close().catch(() => undefined);
      await fs.unlink(this.tmp).catch(() => undefined);
      throw mapError(e, this.target);
    }
  }

  async abort(): Promise<void> {
    if (this.done) return;
    this.done = true;
    await this.handle.close().catch(() => undefined);
    await fs.unlink(this.tmp).catch(() => undefined);
  }
}

export class LocalFileIO implements FileIO {
  readonly scheme = "file";

  async readFile(path: string): Promise<Uint8Array> {
    const p = toLocalPath(path);
    return guard(path, async () => new Uint8Array(await fs.readFile(p)));
  }

  async readRange(path: string, start: number, end: number): Promise<Uint8Array> {
    const p = toLocalPath(path);
    return guard(path, async () => {
      const h = await fs.open(p, "r");
      try {
        const size = (await h.stat()).size;
        const e = Math.min(end, size);
        if (e <= start) return new Uint8Array(0);
        const buf = new Uint8Array(e - start);
        let off = 0;
        while (off < buf.byteLength) {
          const { bytesRead } = await h.read(buf, off, buf.byteLength - off, start + off);
          if (bytesRead === 0) break;
          off += bytesRead;
        }
        return off === buf.byteLength ? buf : buf.subarray(0, off);
      } finally {
        await h.close();
      }
    });
  }

  async newOutputSink(path: string, options?: WriteOptions): Promise<OutputSink> {
    const target = toLocalPath(path);
    const tmp = tempPathFor(target);
    return guard(path, async () => {
      await fs.mkdir(dirname(target), { recursive: true });
      const handle = await fs.open(tmp, "wx");
      return new LocalSink(target, tmp, handle, options?.overwrite ?? false);
    });
  }

  async createIfAbsent(path: string, data: Uint8Array): Promise<void> {
    const sink = await this.newOutputSink(path, { overwrite: false });
    try {
      await sink.write(data);
    } catch (e) {
      await sink.abort();
      throw e;
    }
    await sink.close();
  }

  async overwrite(path: string, data: Uint8Array): Promise<void> {
    const sink = await this.newOutputSink(path, { overwrite: true });
    try {
      await sink.write(data);
    } catch (e) {
      await sink.abort();
      throw e;
    }
    await sink.close();
  }

  async exists(path: string): Promise<boolean> {
    try {
      await fs.stat(toLocalPath(path));
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT" || (e as NodeJS.ErrnoException).code === "ENOTDIR") return false;
      throw mapError(e, path);
    }
  }

  async stat(path: string): Promise<FileStatus> {
    const p = toLocalPath(path);
    return guard(path, async () => {
      const s = await fs.stat(p);
      return { path, size: s.isDirectory() ? 0 : s.size, modificationTime: Math.floor(s.mtimeMs), isDir: s.isDirectory() };
    });
  }

  async list(path: string): Promise<FileStatus[]> {
    const p = toLocalPath(path);
    return guard(path, async () => {
      const entries = await fs.readdir(p, { withFileTypes: true });
      const out: FileStatus[] = [];
      for (const d of entries) {
        const child = join(p, d.name);
        try {
          const s = await fs.stat(child);
          // children keep the caller's spelling (plain path or file: URI)
          out.push({ path: joinPath(path, d.name), size: s.isDirectory() ? 0 : s.size, modificationTime: Math.floor(s.mtimeMs), isDir: s.isDirectory() });
        } catch (e) {
          // vanished between readdir and stat (a concurrent delete): not part of the listing
          if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
        }
      }
      return out;
    });
  }

  async *listRecursive(path: string): AsyncIterable<FileStatus> {
    let children: FileStatus[];
    try {
      children = await this.list(path);
    } catch (e) {
      if (e instanceof NotFoundError) return;
      throw e;
    }
    for (const c of children) {
      if (c.isDir) yield* this.listRecursive(c.path);
      else yield c;
    }
  }

  async mkdirs(path: string): Promise<void> {
    const p = toLocalPath(path);
    await guard(path, async () => {
      await fs.mkdir(p, { recursive: true });
    });
  }

  async delete(path: string): Promise<boolean> {
    const p = toLocalPath(path);
    try {
      await fs.unlink(p);
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return false;
      throw mapError(e, path);
    }
  }

  async deleteRecursive(path: string): Promise<void> {
    const p = toLocalPath(path);
    await guard(path, () => fs.rm(p, { recursive: true, force: true }));
  }

  async rename(from: string, to: string): Promise<void> {
    const src = toLocalPath(from);
    const dst = toLocalPath(to);
    const st = await this.stat(from);
    await guard(to, async () => {
      await fs.mkdir(dirname(dst), { recursive: true });
      if (st.isDir) {
        // Node has no renameat2(RENAME_NOREPLACE); rename over an existing empty
        // directory would succeed, so refuse when the target exists. Directory renames
        // (table renames) are not part of any commit protocol.
        if (await this.exists(to)) throw new AlreadyExistsError(to);
        await fs.rename(src, dst);
      } else {
        await fs.link(src, dst);
        await fs.unlink(src);
      }
      await syncDir(dirname(dst));
    });
  }

  async close(): Promise<void> {
    // nothing held open between calls
  }
}

export function createLocalFileIO(): LocalFileIO {
  return new LocalFileIO();
}
