/**
 * The paimon-ts side of the benchmark: creates `bench.cdc` in WAREHOUSE and writes the
 * generated CDC stream with one long-lived `KeyValueWriter` and one `FileStoreCommit`,
 * one `prepareCommit()` + `commit()` per batch (commit identifier = batch number, from 1).
 * Prints one JSON line with the timings on stdout.
 *
 *   node dist/ts-writer.js --warehouse DIR [--rows N] [--batch N]
 *   node dist/ts-writer.js --warehouse DIR --no-fsync ...      (diagnostic: LocalFileIO without fsync)
 *   node dist/ts-writer.js --digest [--rows N] [--batch N]     (generator digests only)
 */
import { LocalFileIO } from "@paimon-ts/fileio-local";
import { intArg, parseArgs } from "./args.js";
import { NoSyncLocalFileIO } from "./nosync-io.js";
import { FileStoreCommit, FileSystemCatalog, KeyValueWriter, parseTypeString, type ColumnBatch, type ColumnVector, type InternalValue, type Timestamp } from "./core.js";
import { CdcGenerator, categoryOf, generatorDigests, nameOf, type EventBatch } from "./generator.js";
import { DATABASE, DEFAULT_BATCH, DEFAULT_ROWS, FIELDS, PRIMARY_KEYS, TABLE_ID, TABLE_OPTIONS } from "./spec.js";

const TYPES = FIELDS.map((f) => parseTypeString(f.type));

/** An event batch as paimon-core's columnar input (internal values; typed arrays where allowed). */
export function toColumnBatch(b: EventBatch): ColumnBatch {
  const n = b.size;
  const id = new BigInt64Array(n);
  const name = new Array<InternalValue>(n);
  let nameNulls: Uint8Array | null = null;
  const amount = new BigInt64Array(n);
  const updatedAt = new Array<Timestamp>(n);
  const active = new Array<boolean>(n);
  const category = new Array<string>(n);
  for (let i = 0; i < n; i++) {
    id[i] = BigInt(b.id[i]);
    const s = nameOf(b.nameNum[i]);
    if (s === null) {
      nameNulls ??= new Uint8Array(n);
      nameNulls[i] = 1;
      name[i] = null;
    } else name[i] = s;
    amount[i] = BigInt(b.amountCents[i]);
    const micros = b.updatedAtMicros[i];
    const millis = Math.floor(micros / 1000);
    updatedAt[i] = { millis: BigInt(millis), nanoOfMilli: (micros - millis * 1000) * 1000 };
    active[i] = b.active[i] === 1;
    category[i] = categoryOf(b.category[i]);
  }
  const col = (i: number, values: ColumnVector["values"], nulls: Uint8Array | null = null): ColumnVector => ({ type: TYPES[i], length: n, values, nulls });
  return {
    numRows: n,
    names: FIELDS.map((f) => f.name),
    columns: [
      col(0, id),
      col(1, name, nameNulls),
      col(2, b.age),
      col(3, b.score),
      col(4, amount),
      col(5, b.birthday),
      col(6, updatedAt),
      col(7, active),
      col(8, category),
      col(9, b.qty),
    ],
  };
}

export interface WriteResult {
  impl: string;
  events: number;
  batches: number;
  snapshots: number;
  genMs: number;
  writeMs: number;
  commitMs: number;
  loopMs: number;
}

export async function writeBench(warehouse: string, rows: number, batch: number, fsync = true): Promise<WriteResult> {
  const io = fsync ? new LocalFileIO() : new NoSyncLocalFileIO();
  const catalog = new FileSystemCatalog(io, warehouse);
  await catalog.createDatabase(DATABASE);
  const table = await catalog.createTable(TABLE_ID, {
    columns: FIELDS.map((f, i) => ({ name: f.name, type: TYPES[i] })),
    primaryKeys: PRIMARY_KEYS,
    options: { ...TABLE_OPTIONS },
  });
  const gen = new CdcGenerator();
  const writer = await KeyValueWriter.create(table);
  const committer = new FileStoreCommit(table, { commitUser: "bench-paimon-ts" });
  let genMs = 0;
  let writeMs = 0;
  let commitMs = 0;
  let batches = 0;
  let snapshots = 0;
  const t0 = performance.now();
  for (let done = 0; done < rows; ) {
    const n = Math.min(batch, rows - done);
    const a = performance.now();
    const events = gen.next(n);
    const input = toColumnBatch(events);
    const b = performance.now();
    await writer.write(input, events.kinds);
    const messages = await writer.prepareCommit();
    const c = performance.now();
    snapshots += (await committer.commit(messages, { commitIdentifier: BigInt(batches + 1) })).length;
    const d = performance.now();
    genMs += b - a;
    writeMs += c - b;
    commitMs += d - c;
    batches++;
    done += n;
  }
  const loopMs = performance.now() - t0;
  return { impl: fsync ? "paimon-ts" : "paimon-ts-nofsync", events: rows, batches, snapshots, genMs, writeMs, commitMs, loopMs };
}

async function main(argv: string[]): Promise<void> {
  const args = parseArgs(argv, ["--warehouse", "--rows", "--batch"], ["--digest", "--no-fsync"]);
  const rows = intArg(args, "--rows", DEFAULT_ROWS);
  const batch = intArg(args, "--batch", DEFAULT_BATCH);
  if (args.has("--digest")) {
    const t0 = performance.now();
    const d = generatorDigests(rows, batch);
    process.stdout.write(JSON.stringify({ impl: "paimon-ts", events: rows, ...d, ms: performance.now() - t0 }) + "\n");
    return;
  }
  const wh = args.get("--warehouse");
  if (!wh) throw new Error("--warehouse DIR is required");
  const r = await writeBench(wh, rows, batch, !args.has("--no-fsync"));
  process.stdout.write(JSON.stringify(r) + "\n");
}

main(process.argv.slice(2)).catch((e: unknown) => {
  console.error(`ts-writer: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  process.exitCode = 1;
});
