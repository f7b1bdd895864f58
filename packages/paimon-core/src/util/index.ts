export * from "./json.js";
export * from "./codec.js";
