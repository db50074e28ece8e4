// No expectation is dropped silently, end to end: a misspelt --expect is refused before any lab,
// --detect checks each method against its prediction and says which scenario expectations it
// skipped, and a run with nothing to check says "no expectations checked", never PASS.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { isRoot, runJson, tcpdrop } from "./helpers.js";

const dir = mkdtempSync(join(tmpdir(), "tcpdrop-expect-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.skipIf(!isRoot)("expectations are checked or reported, never dropped", () => {
  it("a --expect naming no connection of the run is exit 2 before any lab, naming the ones it has", async () => {
    const res = await tcpdrop([
      "run",
      "peer-close",
      "--detect",
      "recv",
      "--expect",
      "rcv: recv EOF",
    ]);
    expect(res.code).toBe(2);
    expect(res.stdout).toBe("");
    expect(res.stderr.trim().split("\n")).toEqual([
      'tcpdrop: --expect "rcv: recv EOF": peer-close has no connection "rcv"; its connections are recv (one per --detect method)',
    ]);
  });

  it("an unwritable --junit path is exit 2 before any lab", async () => {
    const started = Date.now();
    const res = await tcpdrop(["run", "host-crash", "--junit", join(dir, "missing", "r.xml")]);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/cannot write --junit .* ENOENT/);
    expect(Date.now() - started).toBeLessThan(5000); // host-crash would watch for 10 s
  });

  it("--detect: each method is checked against its prediction; the scenario's own are listed as skipped", async () => {
    const { code, report } = await runJson(["peer-close", "--detect", "recv,poll"]);
    expect(code).toBe(0);
    const run = report.runs[0];
    expect(run.verdicts.map((v) => [v.expectation, v.pass])).toEqual([
      ["recv: predicted", true],
      ["poll: predicted", true],
    ]);
    expect(run.expectations?.checked).toBe(2);
    expect(run.expectations?.skipped.length).toBeGreaterThan(0);
    expect(new Set(run.expectations?.skipped.map((s) => s.reason))).toEqual(
      new Set([
        "about idle, which this run does not watch",
        "about writer, which this run does not watch",
      ]),
    );
    const text = await tcpdrop(["run", "peer-close", "--detect", "recv,poll"]);
    expect(text.stdout).toMatch(
      /\d+ scenario expectations skipped: they are about idle and writer/,
    );
  });

  it("a scenario with no expectations: exit 0, but 'no expectations checked', never PASS", async () => {
    const file = join(dir, "quiet-close.yaml");
    writeFileSync(
      file,
      "summary: The server closes; nothing is expected.\nwire: FIN from the server.\nfault: close\n",
    );
    const res = await tcpdrop(["run", file]);
    expect(res.code).toBe(0);
    expect(res.stdout).not.toMatch(/PASS/);
    expect(res.stdout).toMatch(/no expectations checked \(quiet-close\)/);
    const { report } = await runJson([file]);
    expect(report.runs[0].expectations).toEqual({ checked: 0, skipped: [] });
    expect(report.runs[0].verdicts).toEqual([]);
  });
});
