/** Shared by the read-changes tests: our streaming read in the oracles' `stream-read` shape, and the comparison. */
import { rowKey, rowMultiset, type Oracle, type RowKindShort, type StreamReadResult } from "@paimon-ts/oracle";
import { FileSystemCatalog } from "../src/catalog/catalog.js";
import { canonicalEncode } from "../src/data/canonical.js";
import { ROW_KIND_SHORT, type RowKind } from "../src/data/values.js";
import { vectorGet } from "../src/data/vector.js";
import { nextSnapshotWithChanges, readSnapshotChanges, type ChangesOptions } from "../src/read/changes.js";
import { io } from "./write-helpers.js";

export type Rec = { kind: RowKindShort; row: Record<string, unknown> };
export type Snap = { id: number; commitKind: string; rows: Rec[] };

/** Our streaming read from snapshot 1 to the latest, in the oracle's shape. */
export async function ourStream(wh: string, name: string, opts: ChangesOptions = {}, from = 1n): Promise<Snap[]> {
  const table = await new FileSystemCatalog(io, wh).getTable(name);
  const out: Snap[] = [];
  let pos = from;
  for (;;) {
    const next = await nextSnapshotWithChanges(table, pos);
    if (next.snapshot === null) break;
    const c = await readSnapshotChanges(table, next.snapshot, opts);
    const rows: Rec[] = [];
    for (const b of c.batches) {
      for (let i = 0; i < b.numRows; i++) {
        const row: Record<string, unknown> = {};
        c.fields.forEach((f, ci) => (row[f.name] = canonicalEncode(f.type, vectorGet(b.columns[ci], i))));
        rows.push({ kind: ROW_KIND_SHORT[b.rowKinds[i] as RowKind] as RowKindShort, row });
      }
    }
    out.push({ id: Number(next.snapshot.id), commitKind: next.snapshot.commitKind, rows });
    pos = next.nextSnapshotId;
  }
  return out;
}

const recKey = (r: Rec) => `${r.kind} ${rowKey(r.row)}`;

/** Per key: the sequence of records of that key, in order. */
function byKey(rows: Rec[], pk: string[]): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const r of rows) {
    const k = JSON.stringify(pk.map((c) => r.row[c]));
    let l = m.get(k);
    if (!l) m.set(k, (l = []));
    l.push(recKey(r));
  }
  return m;
}

export async function compareStream(
  oracle: Oracle,
  wh: string,
  name: string,
  pk: string[],
  opts: ChangesOptions = {},
  from = 1,
  tableOptions?: Record<string, string>,
): Promise<StreamReadResult> {
  const j = await oracle.streamRead(wh, name, { fromSnapshot: from, projection: opts.projection, tableOptions });
  const ours = await ourStream(wh, name, opts, BigInt(from));
  expect(ours.map((s) => [s.id, s.commitKind])).toEqual(j.snapshots.map((s) => [s.id, s.commitKind]));
  for (let i = 0; i < ours.length; i++) {
    const want = j.snapshots[i].rows;
    const got = ours[i].rows;
    expect([ours[i].id, rowMultiset(got.map(recKey))]).toEqual([j.snapshots[i].id, rowMultiset(want.map(recKey))]);
    if (pk.length > 0 && pk.every((c) => opts.projection === undefined || opts.projection.includes(c))) {
      expect(byKey(got, pk)).toEqual(byKey(want, pk));
    }
  }
  return j;
}

