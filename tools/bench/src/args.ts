/** Minimal `--flag value` parsing shared by the bench programs. */
export function parseArgs(argv: readonly string[], valueFlags: readonly string[], boolFlags: readonly string[] = []): Map<string, string> {
  const out = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (boolFlags.includes(a)) out.set(a, "true");
    else if (valueFlags.includes(a)) {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      out.set(a, argv[++i]);
    } else throw new Error(`unknown argument '${a}' (expected ${[...valueFlags, ...boolFlags].join(", ")})`);
  }
  return out;
}

export function intArg(args: Map<string, string>, flag: string, dflt: number): number {
  const v = args.get(flag);
  if (v === undefined) return dflt;
  const n = Number(v.replace(/_/g, ""));
  if (!Number.isSafeInteger(n) || n <= 0) throw new Error(`${flag} must be a positive integer, got '${v}'`);
  return n;
}
