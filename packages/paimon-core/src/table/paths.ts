/** Where each file of a table lives (METADATA.md §1). */
import { joinPath } from "@paimon-ts/fileio";

export const POSTPONE_BUCKET_DIR = "bucket-postpone";

export class TablePaths {
  constructor(readonly table: string) {}

  get schemaDir(): string {
    return joinPath(this.table, "schema");
  }
  schema(id: bigint | number): string {
    return joinPath(this.table, "schema", `schema-${id}`);
  }
  get snapshotDir(): string {
    return joinPath(this.table, "snapshot");
  }
  snapshot(id: bigint | number): string {
    return joinPath(this.table, "snapshot", `snapshot-${id}`);
  }
  hint(name: "LATEST" | "EARLIEST"): string {
    return joinPath(this.table, "snapshot", name);
  }
  get manifestDir(): string {
    return joinPath(this.table, "manifest");
  }
  manifest(name: string): string {
    return joinPath(this.table, "manifest", name);
  }
  get indexDir(): string {
    return joinPath(this.table, "index");
  }
  index(name: string): string {
    return joinPath(this.table, "index", name);
  }
  get tagDir(): string {
    return joinPath(this.table, "tag");
  }
  tag(name: string): string {
    return joinPath(this.table, "tag", `tag-${name}`);
  }
  /** `partitionPath` as computed by `partitionPath()` (ends with `/` or is empty). */
  bucketDir(partitionPath: string, bucket: number): string {
    return joinPath(this.table, partitionPath, bucket === -2 ? POSTPONE_BUCKET_DIR : `bucket-${bucket}`);
  }
}
