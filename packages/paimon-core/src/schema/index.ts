export * from "./table-schema.js";
export * from "./casts.js";
export * from "./evolution.js";
