/**
 * batchRead over tables larger than one reader batch: resuming skips whole batches that
 * were delivered before, and every row is delivered exactly once across a resume.
 */
import type { TapEvent } from "../src/index.js";
import { createTable, ctx, del, ins, startConnector, tapTable, tempWarehouse, upd } from "./helpers.js";

type Ev = TapEvent & { after?: Record<string, unknown> };

describe("batch read of a multi-batch table", () => {
  it("resumes mid-table with every row exactly once, after updates and deletes", async () => {
    const wh = tempWarehouse();
    const { connector } = await startConnector(wh, { bucketMode: "fixed", bucketCount: 2 });
    await createTable(connector, tapTable("big", { id: "INT", v: "STRING" }, ["id"]));
    const n = 12_000;
    await connector.writeRecord(ctx, Array.from({ length: n }, (_, i) => ins({ id: i, v: `v${i}` })), "big");
    // a second sorted run, so the read merges
    await connector.writeRecord(ctx, [...Array.from({ length: 500 }, (_, i) => upd({ id: i * 3 }, { id: i * 3, v: `u${i * 3}` })), ...Array.from({ length: 100 }, (_, i) => del({ id: i * 7 + 1 }))], "big");
    await connector.flush();
    const deleted = new Set(Array.from({ length: 100 }, (_, i) => i * 7 + 1));
    const expected = Array.from({ length: n }, (_, i) => i).filter((i) => !deleted.has(i));
    expect(await connector.batchCount(ctx, "big")).toBe(expected.length);

    const batches: { events: Ev[]; offset: unknown }[] = [];
    await connector.batchRead(ctx, "big", undefined, 2500, (events, offset) => void batches.push({ events: events as Ev[], offset }));
    const all = batches.flatMap((b) => b.events.map((e) => e.after!));
    expect(all.map((r) => r.id as number).sort((a, b) => a - b)).toEqual(expected);
    const byId = new Map(all.map((r) => [r.id as number, r.v]));
    expect(byId.get(3)).toBe("u3");
    expect(byId.get(4)).toBe("v4");
    expect(batches.slice(0, -1).every((b) => b.events.length === 2500)).toBe(true);

    // resume after the third batch (7,500 rows: past the first reader batches of a split)
    const rest: Ev[] = [];
    await connector.batchRead(ctx, "big", batches[2].offset, 1000, (events) => void rest.push(...(events as Ev[])));
    const after = batches.slice(3).flatMap((b) => b.events.map((e) => e.after!.id as number));
    expect(rest.map((e) => e.after!.id as number)).toEqual(after); // same order, nothing twice or lost
    await connector.stop();
  });
});
