/**
 * The paimon-ts command line. Each command is a small function over the library
 * packages; output goes to stdout, diagnostics to stderr.
 */
import { demo } from "./demo.js";
import { describe, scan } from "./table-commands.js";

export const USAGE = `usage: paimon-ts <command> [options]

commands:
  demo [--warehouse DIR]   run the demo job on a local warehouse (default: a new temp dir)
  scan --warehouse W <db>.<table> [--snapshot N | --tag NAME]
                           print the rows as NDJSON in the canonical encoding
  describe --warehouse W <db>.<table>
                           print the schema, snapshots and live files as JSON
  help                     this text
`;

export async function run(argv: string[], out: (s: string) => void = (s) => process.stdout.write(s)): Promise<number> {
  const [cmd, ...rest] = argv;
  switch (cmd) {
    case "demo":
      return demo(rest, out);
    case "scan":
      return scan(rest, out);
    case "describe":
      return describe(rest, out);
    case undefined:
    case "help":
    case "--help":
    case "-h":
      out(USAGE);
      return cmd === undefined ? 2 : 0;
    default:
      process.stderr.write(`paimon-ts: unknown command '${cmd}'\n${USAGE}`);
      return 2;
  }
}
