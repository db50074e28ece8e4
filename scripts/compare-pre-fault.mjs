#!/usr/bin/env node
// Measures a pre-fault default against a fixed value: runs the scenarios named (every
// built-in one by default) with extra arguments, N times at --pre-fault VALUE and N times at
// the default, alternating, and prints for each scenario every call sequence seen
// (scripts/call-sequences.mjs) with how often at each. A default that changes nothing shows
// each sequence at both; a race shows two sequences, at both.
//
//   npm run build && sudo node scripts/compare-pre-fault.mjs --args="--detect recv,poll,tcp-info" \
//     [--names "peer-close peer-kill"] [--against 50] [--runs 3] [--parallel 4]
import { parseArgs } from "node:util";
import { callSequences, sequenceLine } from "./call-sequences.mjs";
import { runNames } from "./run-all.mjs";

const { values } = parseArgs({
  options: {
    names: { type: "string", default: "all" },
    args: { type: "string", default: "" },
    against: { type: "string", default: "50" },
    runs: { type: "string", default: "3" },
    parallel: { type: "string", default: "4" },
  },
});
const words = (text) => text.split(" ").filter(Boolean);
const names = words(values.names);
const common = [...words(values.args), "--parallel", values.parallel];
const settings = {
  [`--pre-fault ${values.against}`]: [...common, "--pre-fault", values.against],
  default: common,
};

/** scenario -> sequence line -> { setting: runs } */
const seen = new Map();
for (let i = 0; i < Number(values.runs); i++) {
  for (const [label, args] of Object.entries(settings)) {
    for (const run of runNames(names, args).runs) {
      const bySequence = seen.get(run.scenario) ?? new Map();
      seen.set(run.scenario, bySequence);
      const line = sequenceLine(callSequences(run));
      const counts = bySequence.get(line) ?? {};
      bySequence.set(line, counts);
      counts[label] = (counts[label] ?? 0) + 1;
    }
  }
}

const labels = Object.keys(settings);
let same = 0;
for (const [scenario, bySequence] of [...seen].sort(([a], [b]) => a.localeCompare(b))) {
  // the default's runs whose sequence the fixed value also produced
  for (const counts of bySequence.values()) if (counts[labels[0]]) same += counts.default ?? 0;
  for (const [line, counts] of bySequence) {
    const tally = labels.map((l) => `${l}: ${counts[l] ?? 0}`).join(", ");
    process.stdout.write(`${scenario} (${tally})\n  ${line}\n`);
  }
}
const total = [...seen.values()]
  .flatMap((m) => [...m.values()])
  .reduce((n, c) => n + (c.default ?? 0), 0);
process.stdout.write(`\n${same}/${total} default runs had a sequence seen at ${labels[0]}\n`);
