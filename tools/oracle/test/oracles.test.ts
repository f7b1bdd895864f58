import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPO_ROOT, openOracle, rowMultiset, type Oracle } from "../src/index.js";

const FIXTURES = join(REPO_ROOT, "../shared/fixtures/pypaimon");
const expected = (t: string) => JSON.parse(readFileSync(join(FIXTURES, "expected", `${t}.json`), "utf8"));

const java = openOracle("java");
const python = openOracle("python");
const both = java && python ? describe : describe.skip;

afterAll(async () => {
  await java?.close();
  await python?.close();
});

both("the oracles agree with each other and with the fixtures", () => {
  const oracles = (): [string, Oracle][] => [
    ["java", java!],
    ["python", python!],
  ];

  it.each(["java", "python"])("%s reads fx.pk_fixed as expected, latest, per snapshot and by tag", async (name) => {
    const o = oracles().find(([n]) => n === name)![1];
    const wh = join(FIXTURES, "warehouse");
    const exp = expected("fx.pk_fixed");
    const latest = await o.readTable(wh, "fx.pk_fixed");
    expect(rowMultiset(latest.rows)).toEqual(rowMultiset(exp.rows));
    expect(latest.columns.map((c) => c.name)).toEqual(exp.columns.map((c: { name: string }) => c.name));
    for (const s of exp.snapshots) {
      const got = await o.readTable(wh, "fx.pk_fixed", { snapshot: s.id });
      expect(rowMultiset(got.rows)).toEqual(rowMultiset(s.rows));
    }
    const tag = await o.readTable(wh, "fx.pk_fixed", { tag: "after-2" });
    expect(rowMultiset(tag.rows)).toEqual(rowMultiset(exp.tags["after-2"].rows));
  }, 120_000);

  it("a primary-key table written by Java Paimon reads the same in Java and pypaimon", async () => {
    const wh = mkdtempSync(join(tmpdir(), "oracle-wh-"));
    try {
      const res = await java!.write({
        warehouse: wh,
        table: "db.pk",
        create: {
          fields: [
            { name: "id", type: "BIGINT NOT NULL" },
            { name: "name", type: "STRING" },
            { name: "amount", type: "DECIMAL(38, 10)" },
            { name: "ts", type: "TIMESTAMP(6)" },
          ],
          primaryKeys: ["id"],
          options: { bucket: "2" },
        },
        commits: [
          {
            rows: [
              { kind: "+I", row: { id: "1", name: "a", amount: "1.5000000000", ts: "2024-01-01T00:00:00.000001" } },
              { kind: "+I", row: { id: "9007199254740993", name: "big", amount: "-0.0000000001", ts: "1969-12-31T23:59:59.999999" } },
              { kind: "+I", row: { id: "3", name: "c", amount: null, ts: null } },
            ],
          },
          {
            rows: [
              { kind: "+U", row: { id: "1", name: "a2", amount: "2.0000000000", ts: "2024-01-02T00:00:00.000000" } },
              { kind: "-D", row: { id: "3", name: "c", amount: null, ts: null } },
            ],
            compact: "full",
          },
        ],
      });
      expect(res.snapshots.length).toBeGreaterThanOrEqual(2);
      const want = [
        { id: "1", name: "a2", amount: "2.0000000000", ts: "2024-01-02T00:00:00.000000" },
        { id: "9007199254740993", name: "big", amount: "-0.0000000001", ts: "1969-12-31T23:59:59.999999" },
      ];
      const viaJava = await java!.readTable(wh, "db.pk");
      const viaPython = await python!.readTable(wh, "db.pk");
      expect(rowMultiset(viaJava.rows)).toEqual(rowMultiset(want));
      expect(rowMultiset(viaPython.rows)).toEqual(rowMultiset(want));
      const d = await java!.describe(wh, "db.pk");
      expect(d.liveFiles.length).toBeGreaterThan(0);
      expect(d.liveFiles.every((f) => f.level === 5)).toBe(true);
    } finally {
      rmSync(wh, { recursive: true, force: true });
    }
  }, 180_000);
});
