import { progressBar } from "../src/progress.js";

function fakeStream(isTTY: boolean): NodeJS.WriteStream & { text: string } {
  const s = { isTTY, text: "", write(chunk: string) { s.text += chunk; return true; } };
  return s as unknown as NodeJS.WriteStream & { text: string };
}

describe("progress bar", () => {
  it("draws on a terminal only, throttled, and clears its line at the end", async () => {
    const tty = fakeStream(true);
    const bar = progressBar(1000, "writing db.t", tty);
    bar.update(250, "250 lines");
    bar.update(260, "260 lines"); // within 100 ms: skipped
    const ESC = String.fromCharCode(27);
    expect(tty.text.startsWith("\rwriting db.t [########......................]  25% eta ")).toBe(true);
    expect(tty.text.endsWith(` 250 lines${ESC}[K`)).toBe(true);
    await new Promise((r) => setTimeout(r, 120));
    bar.update(1000);
    expect(tty.text).toContain("[##############################] 100%");
    bar.finish();
    expect(tty.text.endsWith(`\r${ESC}[K`)).toBe(true);

    const pipe = fakeStream(false);
    const quiet = progressBar(1000, "writing", pipe);
    quiet.update(500);
    quiet.finish();
    expect(pipe.text).toBe("");
  });
});
