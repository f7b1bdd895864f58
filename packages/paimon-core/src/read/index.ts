export * from "./scan.js";
export * from "./reader.js";
export * from "./merge.js";
export * from "./key-compare.js";
export * from "./system-fields.js";
export * from "./predicate.js";
export * from "./changes.js";
