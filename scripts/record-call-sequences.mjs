#!/usr/bin/env node
// Records the reference call sequence of every built-in scenario at the old fixed phases
// (connections 250 ms old at the fault, follow-up calls 100 ms apart) into
// test/fixtures/call-sequences.json, which test/e2e/call-sequences.test.ts compares each run
// at the current defaults against. Every distinct sequence seen is kept: a scenario that shows
// more than one at the old values has them all in the fixture.
//
//   npm run build && sudo node scripts/record-call-sequences.mjs [--runs N] [--parallel P] \
//     [--keep REPORT.json]
//   node scripts/record-call-sequences.mjs --from REPORT.json   (the sequences of a kept report)
//
// N (default 10) is how many times each scenario runs: `run all` N times, one after another.
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { sequencesByScenario } from "./call-sequences.mjs";
import { runAll } from "./run-all.mjs";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const REFERENCE = { preFaultMs: 250, followUpGapMs: 100 };
const FIXTURE = `${ROOT}test/fixtures/call-sequences.json`;

const { values } = parseArgs({
  options: {
    runs: { type: "string", default: "10" },
    parallel: { type: "string", default: "8" },
    keep: { type: "string" },
    from: { type: "string" },
  },
});
const args = [
  ...["--parallel", values.parallel],
  ...["--pre-fault", String(REFERENCE.preFaultMs)],
  ...["--follow-up-gap", String(REFERENCE.followUpGapMs)],
];
const started = Date.now();
// --from: the sequences of a report kept before (--keep), without running anything.
const report = values.from
  ? JSON.parse(readFileSync(values.from, "utf8"))
  : runAll(args, { times: Number(values.runs) });
if (values.keep) writeFileSync(values.keep, JSON.stringify(report));
const scenarios = sequencesByScenario(report);
const runsPerScenario = report.runs.length / Object.keys(scenarios).length;
const fixture = {
  about:
    "Each built-in scenario's call sequences (scripts/call-sequences.mjs) at the old fixed phases; " +
    "recorded by scripts/record-call-sequences.mjs",
  recorded: {
    command: `tcpdrop run all --json ${args.join(" ")}, ${runsPerScenario} times`,
    kernel: report.kernel,
    runsPerScenario,
  },
  scenarios,
};
writeFileSync(FIXTURE, `${JSON.stringify(fixture, null, 2)}\n`);
const several = Object.entries(scenarios).filter(([, lines]) => lines.length > 1);
process.stderr.write(
  `${Object.keys(scenarios).length} scenarios, ${report.runs.length} runs in ` +
    `${((Date.now() - started) / 1000).toFixed(0)} s; more than one sequence: ` +
    `${several.map(([name, lines]) => `${name} (${lines.length})`).join(", ") || "none"}\n` +
    `wrote ${FIXTURE}\n`,
);
