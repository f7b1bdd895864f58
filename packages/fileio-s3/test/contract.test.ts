import { fileIOContractSuite } from "@paimon-ts/fileio/contract";
import { randomUUID } from "node:crypto";
import { BUCKET, S3_LIVE, describeLive, ensureBucket, testIO } from "./live.js";

if (S3_LIVE) {
  fileIOContractSuite("s3 (moto)", async () => {
    await ensureBucket();
    const io = testIO({ partSize: 5 * 1024 * 1024 }); // the 6 MiB streamed file goes multipart
    const root = `s3://${BUCKET}/contract-${randomUUID()}`;
    return { io, root, cleanup: async () => (await io.deleteRecursive(root), await io.close()) };
  });

  fileIOContractSuite(
    "s3a scheme (moto)",
    async () => {
      await ensureBucket();
      const io = testIO({ partSize: 5 * 1024 * 1024 }, "s3a");
      const root = `s3a://${BUCKET}/contract-${randomUUID()}`;
      return { io, root, cleanup: async () => (await io.deleteRecursive(root), await io.close()) };
    },
    { manyFiles: 40, largeFileBytes: 5 * 1024 * 1024 + 17 },
  );
} else {
  describeLive("FileIO contract: s3", () => undefined);
}
