export * from "./schema.js";
export * from "./binary.js";
export * from "./datum.js";
export * from "./container.js";
