export * from "./paths.js";
export * from "./options.js";
export * from "./schema-manager.js";
export * from "./snapshot-manager.js";
export * from "./table.js";
