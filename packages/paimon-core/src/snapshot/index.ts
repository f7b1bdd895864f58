export * from "./snapshot.js";
export * from "./hint.js";
export * from "./tag.js";
