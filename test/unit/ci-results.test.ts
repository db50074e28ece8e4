// .ci/results.cjs: CI's verdict from vitest's JSON results. As root, a skipped end-to-end test
// fails CI; unprivileged, e2e tests may skip (they need root to build labs).
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const script = join(import.meta.dirname, "..", "..", ".ci", "results.cjs");
const dir = mkdtempSync(join(tmpdir(), "tcpdrop-ci-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function results(e2eStatus: string) {
  const unit = { status: "passed", fullName: "unit works" };
  const e2e = { status: e2eStatus, fullName: "named scenarios in a real lab host-crash" };
  const passed = 1 + (e2eStatus === "passed" ? 1 : 0);
  return {
    numTotalTests: 2,
    numPassedTests: passed,
    numFailedTests: 0,
    numPendingTests: 2 - passed,
    numTodoTests: 0,
    testResults: [
      { name: "/repo/test/unit/a.test.ts", assertionResults: [unit] },
      { name: "/repo/test/e2e/scenarios.test.ts", assertionResults: [e2e] },
    ],
  };
}

function check(e2eStatus: string, asRoot: "0" | "1") {
  const file = join(dir, `${e2eStatus}-${asRoot}.json`);
  writeFileSync(file, JSON.stringify(results(e2eStatus)));
  return spawnSync("node", [script, file], {
    encoding: "utf8",
    env: { ...process.env, AS_ROOT: asRoot },
  });
}

describe(".ci/results.cjs", () => {
  it("fails CI when running as root and an end-to-end test was skipped", () => {
    const r = check("skipped", "1");
    expect(r.status).toBe(1);
    expect(r.stdout).toContain("1 passed, 0 failed, 1 skipped");
    expect(r.stdout).toContain("skipped as root: test/e2e/scenarios.test.ts");
  });

  it("passes when every e2e test ran, and tolerates skips when not root", () => {
    expect(check("passed", "1").status).toBe(0);
    expect(check("skipped", "0").status).toBe(0);
  });
});
