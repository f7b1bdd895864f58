/**
 * Retries and ambiguous commits through a fault-injecting proxy in front of the live
 * server: the shared object-store fault suite, plus S3's own transient answer
 * (409 ConditionalRequestConflict: a concurrent conditional write, not applied).
 */
import { objectStoreFaultSuite } from "@paimon-ts/fileio/fault-suite";
import { randomUUID } from "node:crypto";
import { BUCKET, S3_ENDPOINT, describeLive, ensureBucket, testIO } from "./live.js";

describeLive("S3 retries and read-back (fault-injecting proxy)", () => {
  objectStoreFaultSuite({
    upstream: S3_ENDPOINT,
    root: `s3://${BUCKET}/retry-${randomUUID()}`,
    open: (endpoint, options) => testIO(endpoint ? { endpoint, ...options } : options),
    setup: () => ensureBucket(),
    extraTransientFaults: [{ respond: 409, body: "<Error><Code>ConditionalRequestConflict</Code><Message>conflict</Message></Error>" }],
  });
});
