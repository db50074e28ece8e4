// Issue 15's suite targets: `tcpdrop run all` (the default window and parallelism, --json) timed as
// a whole process tree (bench/tree-time.mjs), `reps` times. Its wall against its longest scenario
// (target <= 1.15x), and its CPU (user + sys of the tree) against the recorded figure from before
// the issue (bench/baseline.json; target <= 2x that / 3).
//
// "Longest scenario" is decided here as the longest run's own time in the same batch: the largest
// `durationMs` in that suite's own report (from its lab build to its report; the report has no
// later stamp, so the ratio also charges the suite for start-up and teardown). Each repetition
// gives its own ratio and the figure is their median. The same scenarios run alone are in
// bench/overhead.mjs; each scenario's time in the suite against alone is shown from both.

import { readBaseline } from "./baseline.mjs";
import { fromDist, pushTo, ROOT, stats } from "./lib.mjs";
import { failureLine, reportOf, timeTree } from "./tree-time.mjs";

export const SUITE_ARGS = ["run", "all", "--json"];
export const SUITE_RATIO_TARGET = 1.15;

async function suiteOnce(notes) {
  for (let attempt = 1; ; attempt++) {
    const r = await timeTree(process.execPath, [`${ROOT}bin/tcpdrop.js`, ...SUITE_ARGS]);
    const report = reportOf(r);
    if (report) {
      const runs = report.runs.map((run) => ({
        scenario: run.scenario,
        durationS: run.durationMs / 1000,
        passed: run.passed,
      }));
      const longest = runs.reduce((a, b) => (b.durationS > a.durationS ? b : a));
      return { ...r, runs, longest, ratio: r.wallS / longest.durationS };
    }
    const why = `\`tcpdrop run all\` exited ${r.code}: ${failureLine(r.stderr)}`;
    if (attempt >= 3) throw new Error(why);
    notes.push(`${why} (retried)`);
  }
}

export async function suiteCost({ reps }) {
  const notes = [];
  const samples = [];
  for (let i = 0; i < reps; i++) samples.push(await suiteOnce(notes));
  const pick = (key) => stats(samples.map((s) => s[key]));
  const inSuite = {};
  for (const s of samples) for (const run of s.runs) pushTo(inSuite, run.scenario, run.durationS);
  const parallel = (await fromDist("commands/run.js").catch(() => ({}))).DEFAULT_PARALLEL ?? null;
  return {
    command: `tcpdrop ${SUITE_ARGS.join(" ")}`,
    reps,
    parallel,
    scenarios: samples[0].runs.length,
    wall: pick("wallS"),
    cpu: pick("cpuS"),
    user: pick("userS"),
    sys: pick("sysS"),
    ratio: stats(samples.map((s) => s.ratio)),
    longest: samples.map((s) => ({ name: s.longest.scenario, durationS: s.longest.durationS })),
    each: samples.map((s) => ({
      wallS: s.wallS,
      cpuS: s.cpuS,
      ratio: s.ratio,
      longest: s.longest.scenario,
    })),
    inSuite: Object.fromEntries(Object.entries(inSuite).map(([k, v]) => [k, stats(v)])),
    failed: [
      ...new Set(samples.flatMap((s) => s.runs.filter((r) => !r.passed).map((r) => r.scenario))),
    ],
    baseline: readBaseline(),
    notes,
  };
}
