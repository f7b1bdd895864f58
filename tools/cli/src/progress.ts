/** A one-line progress bar on stderr, drawn only when stderr is a terminal. */

export interface Progress {
  update(done: number, note?: string): void;
  finish(): void;
}

const NOOP: Progress = { update() {}, finish() {} };

export function progressBar(total: number, label: string, stream: NodeJS.WriteStream = process.stderr): Progress {
  if (!stream.isTTY || total <= 0) return NOOP;
  let last = 0;
  let drawn = false;
  const started = Date.now();
  const width = 30;
  const draw = (done: number, note = "") => {
    const f = Math.max(0, Math.min(1, done / total));
    const full = Math.round(f * width);
    const secs = (Date.now() - started) / 1000;
    const eta = f > 0 && f < 1 ? ` eta ${Math.round((secs / f) * (1 - f))}s` : "";
    stream.write(`\r${label} [${"#".repeat(full)}${".".repeat(width - full)}] ${(f * 100).toFixed(0).padStart(3)}%${eta} ${note}\x1b[K`);
    drawn = true;
  };
  return {
    update(done, note) {
      const now = Date.now();
      if (now - last < 100) return;
      last = now;
      draw(done, note);
    },
    finish() {
      if (drawn) stream.write("\r\x1b[K");
    },
  };
}
