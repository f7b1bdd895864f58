import { rowMultiset } from "@paimon-ts/oracle";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { run } from "../src/index.js";

const FIXTURES = join(__dirname, "../../../../shared/fixtures/pypaimon");
const WH = join(FIXTURES, "warehouse");
const tables: { table: string; features: string[] }[] = JSON.parse(readFileSync(join(FIXTURES, "index.json"), "utf8")).tables;
// ORC is not supported; first-row level-0 files are hidden from batch reads as in Java
const scannable = tables.filter((t) => !t.features.includes("orc") && t.table !== "fx.pk_first_row").map((t) => t.table);

async function cli(args: string[]): Promise<{ code: number; text: string }> {
  let text = "";
  const code = await run(args, (s) => (text += s));
  return { code, text };
}

const ndjson = (text: string) => text.split("\n").filter((l) => l.length > 0).map((l) => JSON.parse(l));

describe("paimon-ts scan", () => {
  it.each(scannable.map((t) => [t]))("%s at the latest and every snapshot", async (name) => {
    const exp = JSON.parse(readFileSync(join(FIXTURES, "expected", `${name}.json`), "utf8"));
    const latest = await cli(["scan", "--warehouse", WH, name]);
    expect(latest.code).toBe(0);
    expect(rowMultiset(ndjson(latest.text))).toEqual(rowMultiset(exp.rows));
    for (const s of exp.snapshots) {
      const r = await cli(["scan", "--warehouse", WH, name, "--snapshot", String(s.id)]);
      expect(rowMultiset(ndjson(r.text))).toEqual(rowMultiset(s.rows));
    }
  });

  it("reads by tag", async () => {
    const exp = JSON.parse(readFileSync(join(FIXTURES, "expected", "fx.pk_fixed.json"), "utf8"));
    const r = await cli(["scan", "--warehouse", WH, "fx.pk_fixed", "--tag", "after-2"]);
    expect(rowMultiset(ndjson(r.text))).toEqual(rowMultiset(exp.tags["after-2"].rows));
  });
});

describe("paimon-ts describe", () => {
  it("prints the stored schema, snapshots and live files", async () => {
    const exp = JSON.parse(readFileSync(join(FIXTURES, "expected", "fx.pk_dynamic_bucket.json"), "utf8"));
    const r = await cli(["describe", "--warehouse", WH, "fx.pk_dynamic_bucket"]);
    const d = JSON.parse(r.text);
    expect(d.schema).toEqual(exp.schema);
    expect(d.snapshots.map((s: { id: number; commitKind: string }) => [s.id, s.commitKind])).toEqual(exp.snapshots.map((s: { id: number; commitKind: string }) => [s.id, s.commitKind]));
    const files = (l: { fileName: string; bucket: number; level: number; rowCount: number }[]) => l.map((f) => `${f.fileName}@${f.bucket}/${f.level}/${f.rowCount}`).sort();
    expect(files(d.liveFiles)).toEqual(files(exp.liveFiles));
    expect(d.indexFiles.map((f: { fileName: string }) => f.fileName).sort()).toEqual(exp.indexFiles.map((f: { fileName: string }) => f.fileName).sort());
  });

  it("names the table and reason for a missing table", async () => {
    await expect(run(["describe", "--warehouse", WH, "fx.nope"], () => undefined)).rejects.toThrow(/fx\.nope does not exist/);
  });
});
