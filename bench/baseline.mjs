// The suite's "before" figures that issue 15's CPU target is set against: `tcpdrop run all --json`
// at the commit before the issue's work (main 2926e2a), measured from a checkout of that commit
// and recorded in bench/baseline.json. The bench reads the recorded figure; it never recomputes it
// from newer code. Measured with the same method as the targets (bench/tree-time.mjs: whole process
// tree, wall and user + sys). To measure it again (only to re-base the target, e.g. on another
// machine; nothing else writes bench/baseline.json):
//
//   git worktree add --detach /work/wt-base 2926e2a && (cd /work/wt-base && npm ci)
//   node bench/baseline.mjs --root /work/wt-base [--reps 5]
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { machine, SOURCE_ROOT, stats } from "./lib.mjs";
import { failureLine, reportOf, timeTree } from "./tree-time.mjs";

export const BASELINE = `${SOURCE_ROOT}bench/baseline.json`;
const SUITE_ARGS = ["run", "all", "--json"];
/** The figure issue 15 states for "today" (main 2926e2a), kept beside the re-measured one. */
export const ISSUE_FIGURE = { cpuS: 17.5, userS: 13.96, sysS: 3.52, wallS: 26.3 };

export function readBaseline() {
  try {
    return JSON.parse(readFileSync(BASELINE, "utf8"));
  } catch {
    return null;
  }
}

/** The CPU the suite may use after issue 15: 2x the baseline divided by 3. */
export const cpuBudgetS = (baseline) => (2 * baseline.cpu.median) / 3;

async function measure(root, reps) {
  const runs = [];
  for (let i = 0; i < reps; i++) {
    let r;
    // A run without a report (a setup error on a loaded machine, a crash) is retried twice.
    for (let attempt = 1; ; attempt++) {
      r = await timeTree(process.execPath, [join(root, "bin/tcpdrop.js"), ...SUITE_ARGS], {
        cwd: root,
      });
      if (reportOf(r)) break;
      const why = `run all exited ${r.code}: ${failureLine(r.stderr)}`;
      if (attempt >= 3) throw new Error(why);
      process.stderr.write(`baseline: ${why} (retried)\n`);
    }
    const report = reportOf(r);
    const failed = report.runs.filter((run) => !run.passed).map((run) => run.scenario);
    runs.push({ wallS: r.wallS, userS: r.userS, sysS: r.sysS, cpuS: r.cpuS, failed });
    process.stderr.write(`baseline: ${i + 1}/${reps}: ${r.wallS} s wall, ${r.cpuS} s CPU\n`);
  }
  const pick = (key) => stats(runs.map((x) => x[key]));
  const git = (args) => spawnSync("git", ["-C", root, ...args], { encoding: "utf8" }).stdout.trim();
  return {
    commit: git(["rev-parse", "--short=7", "HEAD"]),
    subject: git(["log", "-1", "--format=%s"]),
    command: `tcpdrop ${SUITE_ARGS.join(" ")}`,
    measuredWith: `node bench/baseline.mjs --root ${root} --reps ${reps}`,
    date: new Date().toISOString(),
    machine: { ...machine(), load: readFileSync("/proc/loadavg", "utf8").trim() },
    reps,
    wall: pick("wallS"),
    user: pick("userS"),
    sys: pick("sysS"),
    cpu: pick("cpuS"),
    runs,
    issueFigure: ISSUE_FIGURE,
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const argv = process.argv.slice(2);
  const option = (name) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : undefined);
  const root = option("--root");
  if (!root) {
    process.stderr.write("baseline: give the checkout to measure: --root DIR (see the header)\n");
    process.exit(2);
  }
  const result = await measure(resolve(root), Number(option("--reps") ?? 5));
  writeFileSync(BASELINE, `${JSON.stringify(result, null, 2)}\n`);
  process.stderr.write(
    `baseline: ${result.commit}: ${result.cpu.median} s CPU, ${result.wall.median} s wall (medians) -> ${BASELINE}\n`,
  );
}
