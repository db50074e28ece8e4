// Reads vitest's JSON results (the path is the first argument) and prints a plain
// "N passed, N failed" line. Exit 1 when no test ran or one failed, or when running as root
// (AS_ROOT=1|0 overrides the check of the uid) and an end-to-end test was skipped: as root every
// e2e test can build its lab, so a skip there is a check that did not run.
const { readFileSync } = require("node:fs");

const r = JSON.parse(readFileSync(process.argv[2] ?? "test-results.json", "utf8"));
const asRoot = process.env.AS_ROOT ? process.env.AS_ROOT === "1" : process.getuid() === 0;
const skipped = r.numPendingTests + r.numTodoTests;
console.log(
  `${r.numPassedTests} passed, ${r.numFailedTests} failed${skipped ? `, ${skipped} skipped` : ""}`,
);
let status = r.numTotalTests === 0 || r.numFailedTests > 0 ? 1 : 0;
if (asRoot) {
  const e2eSkipped = r.testResults
    .filter((f) => /[\\/]test[\\/]e2e[\\/]/.test(f.name))
    .flatMap((f) =>
      f.assertionResults.map((a) => ({ file: f.name.replace(/.*[\\/]test[\\/]/, "test/"), ...a })),
    )
    .filter((a) => ["skipped", "pending", "todo", "disabled"].includes(a.status));
  for (const a of e2eSkipped) console.log(`skipped as root: ${a.file}: ${a.fullName}`);
  if (e2eSkipped.length > 0) {
    console.log(`${e2eSkipped.length} end-to-end tests were skipped while running as root`);
    status = 1;
  }
}
process.exit(status);
