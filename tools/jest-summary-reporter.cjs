// Records each package's jest totals in .test-results/ so one closing line can
// count every test of the run (tools/test-summary.cjs).
const fs = require("node:fs");
const path = require("node:path");

class SummaryReporter {
  constructor(globalConfig) {
    this.rootDir = globalConfig.rootDir;
  }
  onRunComplete(_contexts, results) {
    const dir = path.join(__dirname, "..", ".test-results");
    fs.mkdirSync(dir, { recursive: true });
    const name = path.relative(path.join(__dirname, ".."), this.rootDir).replace(/[\\/]/g, "__");
    fs.writeFileSync(
      path.join(dir, `${name}.json`),
      JSON.stringify({
        passed: results.numPassedTests,
        failed: results.numFailedTests,
        skipped: results.numPendingTests + results.numTodoTests,
        suitesFailed: results.numFailedTestSuites + results.numRuntimeErrorTestSuites,
      }),
    );
  }
}
module.exports = SummaryReporter;
