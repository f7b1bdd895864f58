/**
 * The benchmark table (README.md "Table"): the same schema and options in all three
 * writers (Bench.java and bench.py spell it out again).
 */
export const DATABASE = "bench";
export const TABLE = "cdc";
export const TABLE_ID = `${DATABASE}.${TABLE}`;

export const FIELDS: readonly { name: string; type: string }[] = [
  { name: "id", type: "BIGINT NOT NULL" },
  { name: "name", type: "STRING" },
  { name: "age", type: "INT" },
  { name: "score", type: "DOUBLE" },
  { name: "amount", type: "DECIMAL(18, 2)" },
  { name: "birthday", type: "DATE" },
  { name: "updated_at", type: "TIMESTAMP(6)" },
  { name: "active", type: "BOOLEAN" },
  { name: "category", type: "STRING" },
  { name: "qty", type: "BIGINT" },
];

export const PRIMARY_KEYS = ["id"];

export const TABLE_OPTIONS: Readonly<Record<string, string>> = {
  bucket: "4",
  "file.format": "parquet",
  "file.compression": "zstd",
};

export const DEFAULT_ROWS = 1_000_000;
export const DEFAULT_BATCH = 10_000;
