import { fileIOContractSuite } from "@paimon-ts/fileio/contract";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LocalFileIO } from "../src/index.js";

fileIOContractSuite("local (plain paths)", async () => {
  const root = mkdtempSync(join(tmpdir(), "fileio-local-"));
  return { io: new LocalFileIO(), root, cleanup: async () => rmSync(root, { recursive: true, force: true }) };
});

fileIOContractSuite(
  "local (file: URIs)",
  async () => {
    const root = mkdtempSync(join(tmpdir(), "fileio-local-uri-"));
    return { io: new LocalFileIO(), root: `file://${root}`, cleanup: async () => rmSync(root, { recursive: true, force: true }) };
  },
  { manyFiles: 50, largeFileBytes: 1_500_000 },
);
