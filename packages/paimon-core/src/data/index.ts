export * from "./values.js";
export * from "./vector.js";
