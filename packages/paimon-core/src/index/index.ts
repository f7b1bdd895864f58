export * from "./deletion-vector.js";
export * from "./hash-index.js";
export * from "./roaring.js";
