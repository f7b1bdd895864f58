export * from "./generator.js";
export * from "./spec.js";
