import { fileIOContractSuite } from "@paimon-ts/fileio/contract";
import { randomUUID } from "node:crypto";
import { BUCKET, OSS_LIVE, describeLive, ensureBucket, testIO } from "./live.js";

if (OSS_LIVE) {
  fileIOContractSuite("oss (adapter over moto)", async () => {
    await ensureBucket();
    const io = testIO({ partSize: 5 * 1024 * 1024 }); // the 6 MiB streamed file goes multipart
    const root = `oss://${BUCKET}/contract-${randomUUID()}`;
    return { io, root, cleanup: async () => (await io.deleteRecursive(root), await io.close()) };
  });
} else {
  describeLive("FileIO contract: oss", () => undefined);
}
