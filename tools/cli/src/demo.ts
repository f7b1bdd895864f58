/**
 * The demo job. Until the Paimon writer lands it exercises the storage layer the way a
 * commit does: a warehouse on local disk, a database directory, and a race of writers
 * publishing the same snapshot file with create-if-absent — exactly one must win.
 */
import { isAlreadyExists, joinPath, safeName } from "@paimon-ts/fileio";
import { LocalFileIO } from "@paimon-ts/fileio-local";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { flagString, parseArgs } from "./args.js";

export async function demo(argv: string[], out: (s: string) => void): Promise<number> {
  const args = parseArgs(argv);
  const warehouse = flagString(args, "warehouse") ?? mkdtempSync(join(tmpdir(), "paimon-ts-demo-"));
  const io = new LocalFileIO();
  const started = Date.now();
  const db = joinPath(warehouse, `${safeName("database", "demo")}.db`);
  const table = joinPath(db, safeName("table", "events"));
  await io.mkdirs(joinPath(table, "snapshot"));

  const writers = 8;
  const commits = 50;
  let won = 0;
  let lost = 0;
  for (let id = 1; id <= commits; id++) {
    const path = joinPath(table, "snapshot", `snapshot-${id}`);
    const results = await Promise.allSettled(
      Array.from({ length: writers }, (_, w) => io.createIfAbsent(path, new TextEncoder().encode(JSON.stringify({ id, writer: w })))),
    );
    for (const r of results) {
      if (r.status === "fulfilled") won++;
      else if (isAlreadyExists(r.reason)) lost++;
      else throw r.reason;
    }
  }
  await io.overwrite(joinPath(table, "snapshot", "LATEST"), new TextEncoder().encode(String(commits)));
  const files: string[] = [];
  for await (const f of io.listRecursive(table)) files.push(f.path);
  const ms = Date.now() - started;
  out(`warehouse: ${warehouse}\n`);
  out(`${commits} snapshot ids raced by ${writers} writers each: ${won} published, ${lost} refused with already-exists\n`);
  out(`files under ${table}: ${files.length} (${ms} ms)\n`);
  if (won !== commits) {
    out(`ERROR: expected exactly one winner per snapshot\n`);
    return 1;
  }
  return 0;
}
