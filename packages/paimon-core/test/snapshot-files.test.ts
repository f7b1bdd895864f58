import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import {
  BATCH_COMMIT_IDENTIFIER,
  SnapshotFormatError,
  createSnapshot,
  formatHint,
  parseHint,
  parseSnapshotFileName,
  snapshotFileName,
  snapshotFromJson,
  snapshotToJson,
  tagFromJson,
  tagToJson,
  tagToSnapshot,
} from "../src/snapshot/index.js";
import { parseJson } from "../src/util/json.js";

const SPEC = readFileSync(join(__dirname, "../../../../shared/paimon-spec/METADATA.md"), "utf8");
const DB = join(__dirname, "../../../../shared/fixtures/pypaimon/warehouse/fx.db");

/** The first ```json block after `marker` in the spec. */
function specJson(marker: string): string {
  const at = SPEC.indexOf(marker);
  expect(at).toBeGreaterThan(0);
  const start = SPEC.indexOf("```json\n", at) + "```json\n".length;
  return SPEC.slice(start, SPEC.indexOf("\n```", start));
}

describe("snapshot JSON", () => {
  const example = specJson("Example: a Java HEAD-shaped first snapshot");

  it("writes the spec's Java example byte for byte", () => {
    const s = createSnapshot({
      uuid: "8a0d2a8e-5f7b-4c2e-9a53-7f0b8a6f5c11",
      id: 1n,
      schemaId: 0n,
      baseManifestList: "manifest-list-0f4b1c1e-2c57-4a8e-8b63-b51c1a3e7e1d-0",
      baseManifestListSize: 884n,
      deltaManifestList: "manifest-list-0f4b1c1e-2c57-4a8e-8b63-b51c1a3e7e1d-1",
      deltaManifestListSize: 1021n,
      commitUser: "5a6f3a4b-0e7c-4f29-9d0c-0d7c3b7f2b9e",
      commitKind: "APPEND",
      timeMillis: 1755852757000n,
      totalRecordCount: 3n,
      deltaRecordCount: 3n,
      nextRowId: 0n,
    });
    expect(snapshotToJson(s)).toBe(example);
    expect(snapshotFromJson(example)).toEqual(s);
    expect(s.commitIdentifier).toBe(9223372036854775807n);
  });

  it("every optional key, in Java's order, omitted when null", () => {
    const s = createSnapshot({
      id: 7n,
      schemaId: 2n,
      baseManifestList: "b",
      deltaManifestList: "d",
      changelogManifestList: "c",
      changelogManifestListSize: 5n,
      indexManifest: "index-manifest-x-0",
      commitUser: "u",
      writerVersion: "ts",
      commitIdentifier: 42n,
      commitKind: "COMPACT",
      timeMillis: 1n,
      changelogRecordCount: 2n,
      watermark: -9223372036854775808n,
      statistics: "stat-x-0",
      properties: { "sequence.generation.max-sequence-number": "10" },
      operation: "TRUNCATE",
    });
    const text = snapshotToJson(s);
    expect(Object.keys(parseJson(text) as object)).toEqual([
      "version",
      "id",
      "schemaId",
      "baseManifestList",
      "deltaManifestList",
      "changelogManifestList",
      "changelogManifestListSize",
      "indexManifest",
      "commitUser",
      "writerVersion",
      "commitIdentifier",
      "commitKind",
      "timeMillis",
      "totalRecordCount",
      "deltaRecordCount",
      "changelogRecordCount",
      "watermark",
      "statistics",
      "properties",
      "operation",
    ]);
    expect(text).toContain('"watermark" : -9223372036854775808,');
    expect(text).toContain('"properties" : {\n    "sequence.generation.max-sequence-number" : "10"\n  },');
    expect(snapshotFromJson(text)).toEqual(s);
    expect(snapshotFromJson(snapshotToJson(s, "compact"))).toEqual(s);
  });

  it("ignores unknown keys (logOffsets), defaults old fields, rejects bad ones", () => {
    const old = snapshotFromJson(
      '{"id":1,"schemaId":0,"baseManifestList":"b","deltaManifestList":"d","commitUser":"u","commitIdentifier":9223372036854775807,"commitKind":"APPEND","timeMillis":5,"logOffsets":{},"changelogManifestList":null}',
    );
    expect(old.version).toBe(1);
    expect(old.totalRecordCount).toBe(0n);
    expect(old.changelogManifestList).toBeNull();
    expect(old.commitIdentifier).toBe(BATCH_COMMIT_IDENTIFIER);
    expect(() => snapshotFromJson('{"id":1}')).toThrow(SnapshotFormatError);
    expect(() => snapshotFromJson('{"id":1}')).toThrow(/missing required key "schemaId"/);
    expect(() => snapshotFromJson('{"id":"x","schemaId":0}')).toThrow(/id: expected an integer/);
    expect(() => snapshotFromJson(snapshotToJson({ ...old, commitKind: "MERGE" as never }))).toThrow(/unknown commitKind "MERGE"/);
    expect(() => snapshotFromJson("{")).toThrow(/invalid JSON/);
  });

  const files = readdirSync(DB).flatMap((t) =>
    readdirSync(join(DB, t, "snapshot"))
      .filter((n) => parseSnapshotFileName(n) !== null)
      .map((n) => join(t, "snapshot", n)),
  );

  it("finds the fixture snapshots", () => expect(files.length).toBeGreaterThan(60));

  it.each(files.map((f) => [f]))("%s parses and re-serializes to equal values", (rel) => {
    const text = readFileSync(join(DB, rel), "utf8");
    const s = snapshotFromJson(text, rel);
    expect(snapshotFileName(s.id)).toBe(rel.split("/").at(-1));
    expect(s.commitIdentifier).toBe(9223372036854775807n);
    // same keys and values (pypaimon orders keys differently and omits the list sizes)
    expect(parseJson(snapshotToJson(s))).toEqual(parseJson(text));
    expect(snapshotFromJson(snapshotToJson(s))).toEqual(s);
  });
});

describe("hint files", () => {
  it("formats digits only and parses tolerantly", () => {
    expect(formatHint(12n)).toBe("12");
    expect(formatHint(9223372036854775807n)).toBe("9223372036854775807");
    expect(() => formatHint(-1)).toThrow(RangeError);
    expect(parseHint("12")).toBe(12n);
    expect(parseHint("12\n")).toBe(12n);
    expect(parseHint(new TextEncoder().encode("7"))).toBe(7n);
    for (const bad of ["", "abc", "-1", "1.5", "9223372036854775808", "1 2"]) expect(parseHint(bad)).toBeNull();
  });

  it("reads the fixture LATEST hints", () => {
    for (const t of readdirSync(DB)) {
      const dir = join(DB, t, "snapshot");
      const latest = parseHint(readFileSync(join(dir, "LATEST")));
      const max = readdirSync(dir)
        .map(parseSnapshotFileName)
        .filter((x): x is bigint => x !== null)
        .reduce((a, b) => (a > b ? a : b));
      expect(latest).toBe(max);
    }
  });

  it("snapshot file names", () => {
    expect(parseSnapshotFileName("snapshot-12")).toBe(12n);
    for (const n of ["snapshot-", "snapshot-1.tmp", ".snapshot-1.abc.tmp", "EARLIEST", "snapshot-x"]) expect(parseSnapshotFileName(n)).toBeNull();
  });
});

describe("tags", () => {
  it("pypaimon's tag file is a plain snapshot", () => {
    const text = readFileSync(join(DB, "pk_fixed/tag/tag-after-2"), "utf8");
    const tag = tagFromJson(text);
    expect(tag.tagCreateTime).toBeNull();
    expect(tag.tagTimeRetained).toBeNull();
    expect(tagToSnapshot(tag)).toEqual(snapshotFromJson(readFileSync(join(DB, "pk_fixed/snapshot/snapshot-2"), "utf8")));
    expect(parseJson(tagToJson(tag))).toEqual(parseJson(text));
  });

  it("reads and writes Java's LocalDateTime array and Duration seconds", () => {
    const base = createSnapshot({ id: 3n, schemaId: 0n, baseManifestList: "b", deltaManifestList: "d", commitUser: "u", commitKind: "APPEND", timeMillis: 9n });
    const tag = { ...base, tagCreateTime: { year: 2026, month: 1, day: 3, hour: 5, minute: 7, second: 9, nano: 11 }, tagTimeRetained: { seconds: 86400n, nanos: 0 } };
    const text = tagToJson(tag);
    expect(text).toContain('"tagCreateTime" : [ 2026, 1, 3, 5, 7, 9, 11 ],\n  "tagTimeRetained" : 86400.000000000\n}');
    expect(tagFromJson(text)).toEqual(tag);
    // zero seconds and nanos are omitted, as Jackson does
    const noSeconds = { ...tag, tagCreateTime: { ...tag.tagCreateTime, second: 0, nano: 0 }, tagTimeRetained: { seconds: 4n, nanos: 500000000 } };
    const t2 = tagToJson(noSeconds, "compact");
    expect(t2).toContain('"tagCreateTime":[2026,1,3,5,7],"tagTimeRetained":4.500000000}');
    expect(tagFromJson(t2)).toEqual(noSeconds);
    // ISO strings are accepted too
    const iso = tagFromJson(snapshotToJson(base).replace(/\n}$/, ',\n"tagCreateTime": "2024-01-02T03:04:05.123", "tagTimeRetained": "PT1H30M"}'));
    expect(iso.tagCreateTime).toEqual({ year: 2024, month: 1, day: 2, hour: 3, minute: 4, second: 5, nano: 123000000 });
    expect(iso.tagTimeRetained).toEqual({ seconds: 5400n, nanos: 0 });
    expect(() => tagFromJson(snapshotToJson(base).replace(/\n}$/, ',"tagCreateTime":[1]}'))).toThrow(/tagCreateTime/);
  });
});
