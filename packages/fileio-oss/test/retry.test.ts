/**
 * Retries and ambiguous commits through a fault-injecting proxy in front of the live
 * OSS endpoint: the shared object-store fault suite.
 */
import { objectStoreFaultSuite } from "@paimon-ts/fileio/fault-suite";
import { randomUUID } from "node:crypto";
import { BUCKET, OSS_ENDPOINT, describeLive, ensureBucket, testIO } from "./live.js";

describeLive("OSS retries and read-back (fault-injecting proxy)", () => {
  objectStoreFaultSuite({
    upstream: OSS_ENDPOINT,
    root: `oss://${BUCKET}/retry-${randomUUID()}`,
    open: (endpoint, options) => testIO(endpoint ? { endpoint, ...options } : options),
    setup: () => ensureBucket(),
  });
});
