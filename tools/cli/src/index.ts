/**
 * The paimon-ts command line. Each command is a small function over the library
 * packages; output goes to stdout, diagnostics to stderr.
 */
import {
  clearCommand,
  compactCommand,
  createCommand,
  dropCommand,
  expireCommand,
  serveCommand,
  snapshotsCommand,
  tablesCommand,
  testCommand,
  writeCommand,
} from "./connector-commands.js";
import { demo } from "./demo.js";
import { describe, scan } from "./table-commands.js";

export const USAGE = `usage: paimon-ts <command> [options]

Tables are named <db>.<table>. CONN.json is the connector's configuration: connection
fields (warehouse, storageType, s3*/hdfs*/oss*, database) and node fields (bucketMode,
bucketCount, partitionKey, fileFormat, compression, tableProperties, ...) in one object.
--warehouse W can stand in for --config when the defaults do.

commands:
  demo [--warehouse DIR] [--rows N] [--deletion-vectors true|false]
                           the main job: a generated CDC stream through the connector into a
                           local warehouse, checked and summarized
  test --config CONN.json  connection test, one line per check (exit 1 if one fails)
  tables --config CONN.json [<db>] [--json]
                           the tables of the database
  create --config CONN.json <db>.<table> --table TABLE.json
                           create a table (TABLE.json: {"fields":[{"name","dataType","nullable",
                           "primaryKeyPos"}...],"partitionKeys":[...],"options":{...}}); an
                           existing table is compared and differences listed (exit 3)
  write --config CONN.json <db>.<table> --events EVENTS.ndjson [--state FILE] [--batch N]
                           write insert/update/delete events (one JSON object per line, values
                           in the canonical encoding); exactly-once: a rerun with the same
                           state file resumes after the last committed line (exit 3 if some
                           records were refused)
  scan (--warehouse W | --config CONN.json) <db>.<table> [--snapshot N | --tag NAME]
                           print the rows as NDJSON in the canonical encoding
  describe (--warehouse W | --config CONN.json) <db>.<table>
                           print the schema, snapshots and live files as JSON
  snapshots --config CONN.json <db>.<table> [--json]
                           list the snapshots
  compact --config CONN.json <db>.<table>
                           full compaction (primary-key and append tables)
  expire --config CONN.json <db>.<table> [--retain-min N] [--retain-max N] [--older-than-ms MS]
                           expire old snapshots and delete the files only they used
  clear --config CONN.json <db>.<table>
                           truncate the table (one snapshot; schema and options stay)
  drop --config CONN.json <db>.<table>
                           drop the table
  serve [--state FILE] [--encoding canonical|tapdata] [--log-level L]
                           host the connector behind a JSON-lines protocol on stdin/stdout
  help                     this text
`;

type Command = (argv: string[], out: (s: string) => void) => Promise<number>;

const COMMANDS: Record<string, Command> = {
  demo,
  scan,
  describe,
  test: testCommand,
  tables: tablesCommand,
  create: createCommand,
  write: writeCommand,
  drop: dropCommand,
  clear: clearCommand,
  compact: compactCommand,
  expire: expireCommand,
  snapshots: snapshotsCommand,
  serve: (argv) => serveCommand(argv),
};

export async function run(argv: string[], out: (s: string) => void = (s) => process.stdout.write(s)): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd === undefined || cmd === "help" || cmd === "--help" || cmd === "-h") {
    out(USAGE);
    return cmd === undefined ? 2 : 0;
  }
  const c = COMMANDS[cmd];
  if (!c) {
    process.stderr.write(`paimon-ts: unknown command '${cmd}'\n${USAGE}`);
    return 2;
  }
  return c(rest, out);
}

export { writeEvents, openConnector, tapTableFromFile, type WriteReport } from "./connector-commands.js";
export { DEMO_CONFIG } from "./demo.js";
