export * from "./types/index.js";
export * from "./data/index.js";
