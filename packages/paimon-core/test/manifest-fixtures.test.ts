/**
 * Reads every manifest list, manifest file and index manifest of every pypaimon fixture
 * table, and checks the live files / index files of the latest snapshot against
 * expected/fx.<table>.json.
 */
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import {
  FileKind,
  IndexManifestEntry,
  ManifestEntry,
  ManifestFileMeta,
  indexManifestReadSync,
  liveEntries,
  manifestDirFileKind,
  manifestFileReadSync,
  manifestListReadSync,
  mergeEntries,
  readSnapshotDataEntries,
} from "../src/manifest/index.js";
import { serializedRowArity } from "../src/data/binary-row.js";
import { Snapshot, parseSnapshotFileName, snapshotFromJson } from "../src/snapshot/index.js";
import { initCodecs } from "../src/util/codec.js";

const FIXTURES = join(__dirname, "../../../../shared/fixtures/pypaimon");
const DB = join(FIXTURES, "warehouse/fx.db");
const TABLES = readdirSync(DB).sort();

beforeAll(() => initCodecs());

interface ExpectedLiveFile {
  partition: Record<string, unknown>;
  bucket: number;
  totalBuckets: number;
  level: number;
  rowCount: number;
  deleteRowCount: number;
  minSequenceNumber: number;
  maxSequenceNumber: number;
  schemaId: number;
  firstRowId: number | null;
  fileName: string;
}

interface ExpectedIndexFile {
  kind: string;
  partition: Record<string, unknown>;
  bucket: number;
  indexType: string;
  fileName: string;
  fileSize: number;
  rowCount: number;
  dvRanges?: Record<string, { offset: number; length: number; cardinality: number | null }>;
}

function expectedOf(table: string): {
  latestSnapshotId: number;
  partitionKeys: string[];
  liveFiles: ExpectedLiveFile[];
  indexFiles: ExpectedIndexFile[];
  snapshots: { id: number; commitKind: string; schemaId: number; totalRecordCount: number; deltaRecordCount: number }[];
} {
  return JSON.parse(readFileSync(join(FIXTURES, "expected", `fx.${table}.json`), "utf8"));
}

class TableFiles {
  readonly lists = new Map<string, ManifestFileMeta[]>();
  readonly manifests = new Map<string, ManifestEntry[]>();
  readonly indexManifests = new Map<string, IndexManifestEntry[]>();
  constructor(readonly dir: string) {}
  bytes(name: string): Uint8Array {
    return readFileSync(join(this.dir, "manifest", name));
  }
  list(name: string): ManifestFileMeta[] {
    if (!this.lists.has(name)) this.lists.set(name, manifestListReadSync(this.bytes(name)));
    return this.lists.get(name)!;
  }
  manifest(name: string): ManifestEntry[] {
    if (!this.manifests.has(name)) this.manifests.set(name, manifestFileReadSync(this.bytes(name)));
    return this.manifests.get(name)!;
  }
  index(name: string): IndexManifestEntry[] {
    if (!this.indexManifests.has(name)) this.indexManifests.set(name, indexManifestReadSync(this.bytes(name)));
    return this.indexManifests.get(name)!;
  }
  snapshots(): Snapshot[] {
    return readdirSync(join(this.dir, "snapshot"))
      .filter((n) => parseSnapshotFileName(n) !== null)
      .map((n) => snapshotFromJson(readFileSync(join(this.dir, "snapshot", n), "utf8"), n))
      .sort((a, b) => Number(a.id - b.id));
  }
}

const n = (b: bigint | null): number | null => (b === null ? null : Number(b));

it("finds the fixture tables", () => {
  expect(TABLES.length).toBeGreaterThanOrEqual(33);
});

describe.each(TABLES)("fx.%s", (table) => {
  const files = new TableFiles(join(DB, table));
  const expected = expectedOf(table);

  it("reads every manifest of every snapshot and checks the list metadata", async () => {
    const snaps = files.snapshots();
    expect(snaps.map((s) => Number(s.id))).toEqual(expected.snapshots.map((s) => s.id));
    for (const s of snaps) {
      const exp = expected.snapshots.find((x) => x.id === Number(s.id))!;
      expect([s.commitKind, Number(s.schemaId), Number(s.totalRecordCount), Number(s.deltaRecordCount)]).toEqual([
        exp.commitKind,
        exp.schemaId,
        exp.totalRecordCount,
        exp.deltaRecordCount,
      ]);
      const lists = [s.baseManifestList, s.deltaManifestList, ...(s.changelogManifestList ? [s.changelogManifestList] : [])];
      for (const l of lists) {
        for (const meta of files.list(l)) {
          const entries = files.manifest(meta.fileName);
          // the manifest-list record describes its manifest
          expect(BigInt(entries.filter((e) => e.kind === FileKind.ADD).length)).toBe(meta.numAddedFiles);
          expect(BigInt(entries.filter((e) => e.kind === FileKind.DELETE).length)).toBe(meta.numDeletedFiles);
          expect(meta.fileSize).toBe(BigInt(files.bytes(meta.fileName).length));
          const maxSchema = entries.reduce((m, e) => (e.file.schemaId > m ? e.file.schemaId : m), -1n);
          expect(meta.schemaId).toBe(maxSchema);
          for (const e of entries) expect(serializedRowArity(e.partition)).toBe(expected.partitionKeys.length);
          expect(serializedRowArity(meta.partitionStats.minValues)).toBe(expected.partitionKeys.length);
        }
      }
      // record counts: delta = Σ ADD − Σ DELETE of this commit; total = Σ live rows
      const delta = files.list(s.deltaManifestList).flatMap((m) => files.manifest(m.fileName));
      const deltaCount = delta.reduce((acc, e) => acc + (e.kind === FileKind.ADD ? e.file.rowCount : -e.file.rowCount), 0n);
      expect(deltaCount).toBe(s.deltaRecordCount);
      const entries = await readSnapshotDataEntries(s, {
        manifestList: async (name) => files.list(name),
        manifestFile: async (m) => files.manifest(m.fileName),
      });
      const live = liveEntries(entries);
      expect(live.reduce((acc, e) => acc + e.file.rowCount, 0n)).toBe(s.totalRecordCount);
      // the ordered merge gives the same live set as the order-independent read path
      const merged = mergeEntries(entries);
      expect(merged.filter((e) => e.kind === FileKind.DELETE)).toEqual([]);
      expect(merged.map((e) => e.file.fileName).sort()).toEqual(live.map((e) => e.file.fileName).sort());
      if (s.indexManifest) files.index(s.indexManifest);
    }
  });

  it("computes the live files of the latest snapshot", async () => {
    const latest = files.snapshots().at(-1)!;
    expect(Number(latest.id)).toBe(expected.latestSnapshotId);
    const entries = await readSnapshotDataEntries(latest, {
      manifestList: async (name) => files.list(name),
      manifestFile: async (m) => files.manifest(m.fileName),
    });
    const actual = liveEntries(entries)
      .map((e) => ({
        fileName: e.file.fileName,
        bucket: e.bucket,
        totalBuckets: e.totalBuckets,
        level: e.file.level,
        rowCount: n(e.file.rowCount),
        deleteRowCount: n(e.file.deleteRowCount ?? 0n),
        minSequenceNumber: n(e.file.minSequenceNumber),
        maxSequenceNumber: n(e.file.maxSequenceNumber),
        schemaId: n(e.file.schemaId),
        firstRowId: n(e.file.firstRowId),
      }))
      .sort((a, b) => a.fileName.localeCompare(b.fileName));
    const want = expected.liveFiles
      .map((f) => ({
        fileName: f.fileName,
        bucket: f.bucket,
        totalBuckets: f.totalBuckets,
        level: f.level,
        rowCount: f.rowCount,
        deleteRowCount: f.deleteRowCount,
        minSequenceNumber: f.minSequenceNumber,
        maxSequenceNumber: f.maxSequenceNumber,
        schemaId: f.schemaId,
        firstRowId: f.firstRowId,
      }))
      .sort((a, b) => a.fileName.localeCompare(b.fileName));
    expect(actual).toEqual(want);
    // every live file exists on disk under a bucket directory
    for (const f of actual) {
      const found = findFile(join(DB, table), f.fileName);
      expect(found).toBe(true);
    }
  });

  it("lists the index files of the latest snapshot", () => {
    const latest = files.snapshots().at(-1)!;
    const entries = latest.indexManifest ? files.index(latest.indexManifest) : [];
    const actual = entries
      .map((e) => {
        const o: Record<string, unknown> = {
          kind: e.kind === FileKind.ADD ? "ADD" : "DELETE",
          bucket: e.bucket,
          indexType: e.indexFile.indexType,
          fileName: e.indexFile.fileName,
          fileSize: n(e.indexFile.fileSize),
          rowCount: n(e.indexFile.rowCount),
        };
        if (e.indexFile.dvRanges) {
          o.dvRanges = Object.fromEntries(e.indexFile.dvRanges.map((d) => [d.dataFileName, { offset: d.offset, length: d.length, cardinality: n(d.cardinality) }]));
        }
        return o;
      })
      .sort((a, b) => String(a.fileName).localeCompare(String(b.fileName)));
    const want = expected.indexFiles
      // eslint-disable-next-line @typescript-eslint/no-unused-vars
      .map(({ partition, ...rest }) => rest)
      .sort((a, b) => a.fileName.localeCompare(b.fileName));
    expect(actual).toEqual(want);
    for (const e of entries) {
      expect(BigInt(readFileSync(join(DB, table, "index", e.indexFile.fileName)).length)).toBe(e.indexFile.fileSize);
    }
  });

  it("every file in manifest/ is a readable manifest, list or index manifest", () => {
    for (const name of readdirSync(join(DB, table, "manifest"))) {
      const kind = manifestDirFileKind(name);
      expect(kind).not.toBeNull();
      if (kind === "manifest-list") files.list(name);
      else if (kind === "index-manifest") files.index(name);
      else files.manifest(name);
    }
  });
});

function findFile(dir: string, name: string): boolean {
  if (!existsSync(dir)) return false;
  for (const ent of readdirSync(dir, { withFileTypes: true })) {
    if (ent.isDirectory()) {
      if (["manifest", "snapshot", "schema", "index", "tag"].includes(ent.name)) continue;
      if (findFile(join(dir, ent.name), name)) return true;
    } else if (ent.name === name) {
      return true;
    }
  }
  return false;
}
