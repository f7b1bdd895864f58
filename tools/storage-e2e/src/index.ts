export * from "./servers.js";
export * from "./sigv4.js";
export * from "./fault-proxy.js";
export * from "./workload.js";
export * from "./java.js";
