export * from "./oracle.js";
export * from "./canonical.js";
