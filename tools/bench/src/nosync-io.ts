/**
 * Diagnostic only (`ts-writer --no-fsync`): `LocalFileIO` without fsync. paimon-ts's
 * LocalFileIO fsyncs every file it publishes and its directory; Java Paimon's LocalFileIO
 * and pyarrow's local filesystem (what pypaimon uses) do not. This variant keeps the
 * publication protocol (temp file, then hard link / rename, never replacing a file that
 * must be created) and drops only the fsyncs, so the benchmark can show what they cost.
 */
import { randomUUID } from "node:crypto";
import { constants, promises as fs } from "node:fs";
import type { FileHandle } from "node:fs/promises";
import { dirname, join } from "node:path";
import { AlreadyExistsError, PaimonError, type OutputSink, type WriteOptions } from "@paimon-ts/fileio";
import { LocalFileIO, toLocalPath } from "@paimon-ts/fileio-local";

class NoSyncSink implements OutputSink {
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
    while (off < chunk.byteLength) off += (await this.handle.write(chunk, off, chunk.byteLength - off)).bytesWritten;
    this.position += chunk.byteLength;
  }

  async close(): Promise<void> {
    if (this.done) return;
    this.done = true;
    await this.handle.close();
    try {
      if (this.overwrite) await fs.rename(this.tmp, this.target);
      else {
        try {
          await fs.link(this.tmp, this.target);
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code === "EEXIST") throw new AlreadyExistsError(this.target, undefined, { cause: e });
          throw e;
        } finally {
          await fs.unlink(this.tmp).catch(() => undefined);
        }
      }
    } catch (e) {
      await fs.unlink(this.tmp).catch(() => undefined);
      throw e;
    }
  }

  async abort(): Promise<void> {
    if (this.done) return;
    this.done = true;
    await this.handle.close().catch(() => undefined);
    await fs.unlink(this.tmp).catch(() => undefined);
  }
}

export class NoSyncLocalFileIO extends LocalFileIO {
  override async newOutputSink(path: string, options?: WriteOptions): Promise<OutputSink> {
    const target = toLocalPath(path);
    const tmp = join(dirname(target), `.${target.slice(dirname(target).length + 1)}.${randomUUID()}.tmp`);
    await fs.mkdir(dirname(target), { recursive: true });
    const handle = await fs.open(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL);
    return new NoSyncSink(target, tmp, handle, options?.overwrite ?? false);
  }
}
