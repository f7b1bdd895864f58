export * from "./errors.js";
export * from "./path.js";
export * from "./uri.js";
export * from "./fileio.js";
export * from "./registry.js";
export * from "./object-store.js";
