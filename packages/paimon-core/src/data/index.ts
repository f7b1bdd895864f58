export * from "./values.js";
export * from "./vector.js";
export * from "./canonical.js";
