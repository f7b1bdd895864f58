/**
 * Storage item 3: eight committers on one table, on S3 and on HDFS. Each is a separate
 * writer + FileStoreCommit with its own FileIO (its own HTTP client) and commit user,
 * appending to one bucket-unaware append table; all eight commit at once (Promise.all),
 * for several rounds. Snapshot publication is a create-if-absent of `snapshot-N`, so
 * every round the eight race for the same ids and all but one retry.
 *
 * Proof of no loss and no duplication: the snapshot ids are 1..8×rounds without a gap;
 * every (user, identifier) appears in exactly one snapshot, the one its commit returned;
 * record counts add up; the rows are exactly the rows written; filterCommitted has
 * nothing left to commit; Java Paimon reads the final table identically.
 */
import { isAlreadyExists, type FileIO } from "@paimon-ts/fileio";
import { FileStoreCommit, FileSystemCatalog } from "@paimon-ts/paimon-core";
import { openJava } from "../src/java.js";
import { ensureS3Bucket, fileIO, newWarehouse, removeWarehouse, serverLive } from "../src/servers.js";
import { EVENTS, commitKeys, createTable, multiset, ourRows, snapshotsOf, writeAndCommit, type Change, type Row } from "../src/workload.js";
import { describeWith } from "./live.js";

jest.setTimeout(240_000);

const java = serverLive("s3") || serverLive("hdfs") ? openJava() : undefined;
if (serverLive("s3")) java?.warmUpS3();
afterAll(() => java?.close());

const WRITERS = 8;
const ROUNDS = 3;
const ROWS = 4;
const TABLE = "db.events";

const rowsOf = (writer: string, round: number): Row[] =>
  Array.from({ length: ROWS }, (_, seq) => ({ writer, round, seq, payload: seq === 1 ? null : `${writer}/${round}/${seq}` }));

interface RaceStats {
  won: number;
  lost: number;
}

/** The FileIO, counting this writer's snapshot publications that won and lost a race. */
function countingSnapshots(io: FileIO, stats: RaceStats): FileIO {
  return new Proxy(io, {
    get(target, prop) {
      if (prop === "createIfAbsent") {
        return async (path: string, data: Uint8Array) => {
          const isSnapshot = /\/snapshot\/snapshot-\d+$/.test(path);
          try {
            await target.createIfAbsent(path, data);
            if (isSnapshot) stats.won++;
          } catch (e) {
            if (isSnapshot && isAlreadyExists(e)) stats.lost++;
            throw e;
          }
        };
      }
      const v = Reflect.get(target, prop, target);
      return typeof v === "function" ? v.bind(target) : v;
    },
  });
}

const cleanup: string[] = [];
afterAll(async () => {
  for (const w of cleanup) await removeWarehouse(w);
});

for (const backend of ["s3", "hdfs"] as const) {
  describeWith([backend], `${backend}: ${WRITERS} concurrent committers`, () => {
    it.concurrent(`every commit of ${WRITERS} writers × ${ROUNDS} rounds lands exactly once, and Java reads the same table`, async () => {
      if (backend === "s3") await ensureS3Bucket();
      const warehouse = newWarehouse(backend, "concurrent");
      cleanup.push(warehouse);
      const setupIO = await fileIO(warehouse);
      const table = await createTable(new FileSystemCatalog(setupIO, warehouse), TABLE, EVENTS);

      const stats: RaceStats = { won: 0, lost: 0 };
      const writers = await Promise.all(
        Array.from({ length: WRITERS }, async (_, i) => {
          const io = countingSnapshots(await fileIO(warehouse), stats);
          return { user: `writer-${i}`, io, table: await new FileSystemCatalog(io, warehouse).getTable(TABLE) };
        }),
      );

      const landed = new Map<string, bigint>(); // user/identifier -> the snapshot its commit returned
      const started = Date.now();
      for (let round = 1; round <= ROUNDS; round++) {
        const results = await Promise.all(
          writers.map(async (w) => {
            const changes: Change[] = rowsOf(w.user, round).map((row) => ({ kind: "+I", row }));
            const { ids } = await writeAndCommit(w.table, changes, { commitUser: w.user, identifier: BigInt(round) });
            return { key: `${w.user}/${round}`, ids };
          }),
        );
        for (const r of results) {
          expect(r.ids).toHaveLength(1);
          landed.set(r.key, r.ids[0]);
        }
      }
      const total = WRITERS * ROUNDS;
      // the races were real (typically ~80 lost races: most writers lose several times a round)
      expect(stats.won).toBe(total);
      expect(stats.lost).toBeGreaterThanOrEqual(WRITERS - 1);
      process.stderr.write(`${backend}: ${total} commits by ${WRITERS} concurrent writers in ${Date.now() - started} ms; ${stats.lost} lost snapshot races were retried\n`);

      // snapshots 1..total, no gap; each commit exactly once, where its call said
      const snaps = await snapshotsOf(table);
      expect(snaps.map((s) => Number(s.id))).toEqual(Array.from({ length: total }, (_, i) => i + 1));
      const expected = writers.flatMap((w) => Array.from({ length: ROUNDS }, (_, r) => `${w.user}/${r + 1}/APPEND`)).sort();
      expect(commitKeys(snaps)).toEqual(expected);
      expect(new Set(landed.values()).size).toBe(total);
      for (const s of snaps) expect(landed.get(`${s.commitUser}/${s.commitIdentifier}`)).toBe(s.id);
      snaps.forEach((s, i) => {
        expect(s.deltaRecordCount).toBe(BigInt(ROWS));
        expect(s.totalRecordCount).toBe(BigInt((i + 1) * ROWS));
      });

      // a restarted writer has nothing left to commit
      for (const w of writers) {
        const ids = Array.from({ length: ROUNDS }, (_, r) => BigInt(r + 1));
        expect(await new FileStoreCommit(await table.refresh(), { commitUser: w.user }).filterCommitted(w.user, ids)).toEqual([]);
      }

      // the rows: exactly those written, by paimon-core and by Java
      const all = writers.flatMap((w) => Array.from({ length: ROUNDS }, (_, r) => rowsOf(w.user, r + 1)).flat());
      expect(multiset(await ourRows(table))).toEqual(multiset(all));
      if (java) {
        expect(multiset((await java.read(backend, warehouse, TABLE)).rows)).toEqual(multiset(all));
        const d = await java.describe(backend, warehouse, TABLE);
        expect(d.snapshots.map((s) => `${s.commitUser}/${s.commitIdentifier}/${s.commitKind}`).sort()).toEqual(expected);
        expect(d.snapshots.at(-1)!.totalRecordCount).toBe(total * ROWS);
      }
      await Promise.all([setupIO.close(), ...writers.map((w) => w.io.close())]);
    });
  }, { ok: java !== undefined, why: "Java oracle with s3:// (bash tools/oracle-java/install.sh)" });
}
