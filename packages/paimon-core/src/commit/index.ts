export * from "./message.js";
export * from "./options.js";
export * from "./partition.js";
export * from "./conflicts.js";
export * from "./file-store-commit.js";
export * from "./expire.js";
export * from "./orphan.js";
