import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { run } from "../src/index.js";

describe("paimon-ts demo", () => {
  it("publishes exactly one snapshot per id under contention", async () => {
    const wh = mkdtempSync(join(tmpdir(), "cli-demo-"));
    try {
      let text = "";
      const code = await run(["demo", "--warehouse", wh], (s) => (text += s));
      expect(code).toBe(0);
      expect(text).toContain("50 published, 350 refused with already-exists");
      const snaps = readdirSync(join(wh, "demo.db/events/snapshot"));
      expect(snaps.filter((f) => f.startsWith("snapshot-"))).toHaveLength(50);
      expect(snaps.some((f) => f.endsWith(".tmp"))).toBe(false);
      expect(readFileSync(join(wh, "demo.db/events/snapshot/LATEST"), "utf8")).toBe("50");
    } finally {
      rmSync(wh, { recursive: true, force: true });
    }
  });

  it("prints usage for unknown commands", async () => {
    const spy = jest.spyOn(process.stderr, "write").mockImplementation(() => true);
    expect(await run(["nope"])).toBe(2);
    expect(String(spy.mock.calls[0][0])).toContain("unknown command 'nope'");
    spy.mockRestore();
  });
});
