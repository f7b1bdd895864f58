import { fileIOContractSuite } from "@paimon-ts/fileio/contract";
import { randomUUID } from "node:crypto";
import { HdfsFileIO } from "../src/index.js";
import { hdfsTarget } from "./live.js";

const live = hdfsTarget();

if (live) {
  fileIOContractSuite("hdfs (WebHDFS)", async () => {
    const { rpcUri, httpUrl } = await live.ready();
    const io = new HdfsFileIO(rpcUri, { endpoint: httpUrl });
    const root = `${rpcUri}/paimon-ts-contract/${randomUUID()}`;
    return {
      io,
      root,
      cleanup: async () => {
        await io.deleteRecursive(root);
        await io.close();
      },
    };
  });
} else {
  it.skip("hdfs contract (no HDFS test server: see the warning above)", () => undefined);
}
