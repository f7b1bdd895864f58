// Prints one closing line for the whole run: "tests: N passed, N failed, N skipped".
const fs = require("node:fs");
const path = require("node:path");
const dir = path.join(__dirname, "..", ".test-results");
let passed = 0, failed = 0, skipped = 0;
const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith(".json")) : [];
for (const f of files) {
  const r = JSON.parse(fs.readFileSync(path.join(dir, f), "utf8"));
  passed += r.passed;
  failed += r.failed + r.suitesFailed;
  skipped += r.skipped;
}
console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exitCode = failed > 0 || passed === 0 ? 1 : 0;
