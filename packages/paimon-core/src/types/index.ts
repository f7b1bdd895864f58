export * from "./datatype.js";
export * from "./json.js";
export * from "./parse.js";
export * from "./ids.js";
