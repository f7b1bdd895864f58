export * from "./model.js";
export * from "./schemas.js";
export * from "./serde.js";
export * from "./entries.js";
export * from "./merge.js";
export * from "./naming.js";
