/**
 * Java Paimon 1.4.2 (tools/oracle-java) on the test servers: the oracle's `serve` requests
 * with the catalog options of each backend. `s3://` needs Paimon's paimon-s3 plugin jar,
 * which tools/oracle-java/install.sh puts in target/lib/ (on the oracle jar's Class-Path).
 */
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { OracleError, REPO_ROOT, openOracle, oracleInstalled, type Description, type Oracle, type TableRows, type WriteResult } from "@paimon-ts/oracle";
import { S3_BUCKET, javaCatalogOptions, type Backend } from "./servers.js";
import type { Change, TableSpec } from "./workload.js";

const LIB = join(REPO_ROOT, "tools/oracle-java/target/lib");

export function javaS3PluginInstalled(): boolean {
  return existsSync(LIB) && readdirSync(LIB).some((f) => /^paimon-s3-.*\.jar$/.test(f));
}

/**
 * Starts the Java oracle with S3 support. Missing oracle or plugin: an error under CI=true
 * (or PAIMON_TS_REQUIRE_ORACLES=1), else undefined after a WARNING on stderr.
 */
export function openJava(): JavaPaimon | undefined {
  if (oracleInstalled("java") && !javaS3PluginInstalled()) {
    const msg = `the Java oracle has no s3:// support (${LIB}/paimon-s3-*.jar is missing; run \`bash tools/oracle-java/install.sh\` from the repo root)`;
    if (process.env.CI === "true" || process.env.PAIMON_TS_REQUIRE_ORACLES === "1") throw new OracleError(msg);
    process.stderr.write(`WARNING: ${msg}; skipping the tests that need it\n`);
    return undefined;
  }
  const oracle = openOracle("java"); // not installed: throws under CI, else warns and gives undefined
  return oracle && new JavaPaimon(oracle);
}

export class JavaPaimon {
  constructor(readonly oracle: Oracle) {}

  read(backend: Backend, warehouse: string, table: string, snapshot?: bigint | number): Promise<TableRows> {
    return this.oracle.request("read-table", {
      warehouse,
      table,
      snapshot: snapshot === undefined ? null : Number(snapshot),
      catalogOptions: javaCatalogOptions(backend),
    });
  }

  describe(backend: Backend, warehouse: string, table: string): Promise<Description> {
    return this.oracle.request("describe", { warehouse, table, catalogOptions: javaCatalogOptions(backend) });
  }

  /** Java commits to the table (creating it first when `create` is given). */
  write(backend: Backend, warehouse: string, table: string, commits: ({ rows: Change[]; compact?: "full" } | { compactOnly: "full" })[], create?: TableSpec): Promise<WriteResult> {
    return this.oracle.request("write", { warehouse, table, catalogOptions: javaCatalogOptions(backend), create, commits });
  }

  /**
   * Loads the s3:// plugin (about 5 s on a JVM's first S3 request) in the background, so
   * that it overlaps with the test's own writes: asks for a table that does not exist.
   */
  warmUpS3(): void {
    this.oracle.request("describe", { warehouse: `s3://${S3_BUCKET}/warm-up`, table: "db.none", catalogOptions: javaCatalogOptions("s3") }).catch(() => undefined);
  }

  close(): Promise<void> {
    return this.oracle.close();
  }
}
