/** Snapshot listing and expiration for the CLI. */
import { expireSnapshots, type FileStoreTable } from "@paimon-ts/paimon-core";

export interface SnapshotRow {
  id: string;
  commitKind: string;
  time: string;
  schemaId: string;
  totalRecordCount: string;
  deltaRecordCount: string;
  commitUser: string;
  commitIdentifier: string;
}

export async function snapshotRows(t: FileStoreTable): Promise<SnapshotRow[]> {
  const out: SnapshotRow[] = [];
  for (const id of await t.snapshots.listIds()) {
    const s = await t.snapshots.snapshot(id);
    out.push({
      id: s.id.toString(),
      commitKind: s.commitKind,
      time: new Date(Number(s.timeMillis)).toISOString(),
      schemaId: s.schemaId.toString(),
      totalRecordCount: String(s.totalRecordCount),
      deltaRecordCount: String(s.deltaRecordCount),
      commitUser: s.commitUser,
      commitIdentifier: s.commitIdentifier.toString(),
    });
  }
  return out;
}

export function expireSnapshotsOf(t: FileStoreTable, opts: { retainMin?: number; retainMax?: number; timeRetainedMs?: number }) {
  const o: { retainMin?: number; retainMax?: number; timeRetainedMs?: number } = {};
  if (opts.retainMin !== undefined) o.retainMin = opts.retainMin;
  if (opts.retainMax !== undefined) o.retainMax = opts.retainMax;
  if (opts.timeRetainedMs !== undefined) o.timeRetainedMs = opts.timeRetainedMs;
  return expireSnapshots(t, o);
}
