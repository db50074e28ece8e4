#!/usr/bin/env node
// Measures how short the run's fixed phases may be: for each pre-fault and follow-up gap given
// (every combination), runs every built-in scenario N times (`run all`, N times) and compares
// each run's call sequence with the reference recorded at the old values
// (test/fixtures/call-sequences.json, scripts/record-call-sequences.mjs). Prints one line per
// combination: how many runs kept their sequence, and which scenarios changed (and how).
//
//   npm run build && sudo node scripts/measure-phases.mjs --pre-fault 250,50,20,10,5 \
//     --follow-up-gap 100 [--runs 3] [--parallel 8] [--keep DIR]
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { differences } from "./call-sequences.mjs";
import { runAll } from "./run-all.mjs";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const reference = JSON.parse(
  readFileSync(`${ROOT}test/fixtures/call-sequences.json`, "utf8"),
).scenarios;

const { values } = parseArgs({
  options: {
    "pre-fault": { type: "string", default: "250" },
    "follow-up-gap": { type: "string", default: "100" },
    runs: { type: "string", default: "3" },
    parallel: { type: "string", default: "8" },
    keep: { type: "string" },
  },
});
const list = (text) => text.split(",").map((v) => v.trim());
if (values.keep) mkdirSync(values.keep, { recursive: true });

for (const preFault of list(values["pre-fault"])) {
  for (const gap of list(values["follow-up-gap"])) {
    const args = ["--parallel", values.parallel, "--pre-fault", preFault, "--follow-up-gap", gap];
    const started = Date.now();
    const report = runAll(args, { times: Number(values.runs) });
    const seconds = ((Date.now() - started) / 1000).toFixed(0);
    if (values.keep) {
      writeFileSync(`${values.keep}/pre${preFault}-gap${gap}.json`, JSON.stringify(report));
    }
    const changed = differences(report, reference);
    const same = report.runs.length - changed.length;
    process.stdout.write(
      `pre-fault ${preFault} ms, gap ${gap} ms: ${same}/${report.runs.length} runs same (${seconds} s)${changed.length ? ":" : ""}\n`,
    );
    for (const d of changed) {
      process.stdout.write(`  ${d.scenario} #${d.repetition}: ${firstChange(d.got, d.expected)}\n`);
    }
  }
}

/** The first socket whose calls differ from every reference, as "client writer: got [...]". */
function firstChange(got, expected) {
  const sockets = (line) => new Map(line.split(" | ").map((s) => s.split(": ")));
  const g = sockets(got);
  const e = sockets(expected[0] ?? "");
  for (const key of new Set([...e.keys(), ...g.keys()])) {
    if (g.get(key) !== e.get(key)) {
      return `${key}: got [${g.get(key) ?? "nothing"}], expected [${e.get(key) ?? "nothing"}]`;
    }
  }
  return "another of the reference's sequences in a new combination";
}
