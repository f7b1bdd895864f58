// Shared jest config: TypeScript through swc (fast, no type checking: `tsc --noEmit`
// does that), workspace packages mapped to their sources so tests never need a build,
// and the ESM-only hyparquet family transformed to CommonJS.
const path = require("node:path");

const ESM_ONLY = ["hyparquet", "hyparquet-writer", "hyparquet-compressors", "fzstd"];

module.exports = function jestConfig(dir, extra = {}) {
  const root = __dirname;
  return {
    rootDir: dir,
    testEnvironment: "node",
    testMatch: ["<rootDir>/test/**/*.test.ts"],
    transform: {
      "^.+\\.(t|j|mj)s$": [
        require.resolve("@swc/jest"),
        {
          jsc: { parser: { syntax: "typescript" }, target: "es2022" },
          module: { type: "commonjs" },
        },
      ],
    },
    transformIgnorePatterns: [`/node_modules/(?!(\\.pnpm/)?(${ESM_ONLY.join("|")}))`],
    moduleNameMapper: {
      "^@paimon-ts/cli$": path.join(root, "tools/cli/src/index.ts"),
      "^@paimon-ts/oracle$": path.join(root, "tools/oracle/src/index.ts"),
      "^@paimon-ts/bench$": path.join(root, "tools/bench/src/index.ts"),
      "^@paimon-ts/([a-z0-9-]+)$": path.join(root, "packages/$1/src/index.ts"),
      "^@paimon-ts/([a-z0-9-]+)/([a-z0-9-]+)$": path.join(root, "packages/$1/src/$2.ts"),
      "^(\\.{1,2}/.*)\\.js$": "$1",
    },
    moduleFileExtensions: ["ts", "js", "mjs", "cjs", "json"],
    testTimeout: 60_000,
    reporters: ["default", path.join(root, "tools/jest-summary-reporter.cjs")],
    ...extra,
  };
};
