export * from "./values.js";
export * from "./vector.js";
export * from "./canonical.js";
export * from "./binary-row.js";
export * from "./bucket.js";
export * from "./partition-path.js";
