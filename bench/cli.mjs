// 2. CLI start-up against bare node, and 3. the suite's wall time at parallelism 1 and the
// default, against the longest single scenario run alone.
import { readFileSync } from "node:fs";
import { fromDist, interleave, pushTo, ROOT, stats, timeCommand } from "./lib.mjs";

const node = process.execPath;
const CLI = `${ROOT}bin/tcpdrop.js`;

export async function cliStartup({ rounds, warmup }) {
  const variants = [
    { label: "`node -e 0`", args: ["-e", "0"] },
    { label: "`node bin/tcpdrop.js --help`", args: [CLI, "--help"] },
    { label: "`node bin/tcpdrop.js list`", args: [CLI, "list"] },
  ];
  const samples = await interleave(
    rounds,
    warmup,
    variants.map((v) => async () => {
      const r = await timeCommand(node, v.args, { capture: true });
      if (r.code !== 0) throw new Error(`${v.label} exited ${r.code}: ${r.stderr.trim()}`);
      if (v.args[0] !== "-e" && !r.stdout.trim()) throw new Error(`${v.label} printed nothing`);
      return r.ms;
    }),
  );
  return variants.map((v, i) => ({ label: v.label, wall: stats(samples[i]) }));
}

/**
 * Where the CLI's start-up goes: each module's import time measured inside a fresh node
 * (performance.now() around `await import()`), the modules alternating round by round.
 */
export async function importCosts({ rounds, warmup }) {
  const pkg = JSON.parse(readFileSync(`${ROOT}package.json`, "utf8"));
  const modules = [
    ...Object.keys(pkg.dependencies ?? {}).map((name) => ({
      label: `\`${name}\``,
      spec: name,
      agentsOnly: name === "koffi",
    })),
    { label: "dist/commands/list.js (what `list` runs)", spec: "./dist/commands/list.js" },
    { label: "dist/commands/run.js (what `run` runs)", spec: "./dist/commands/run.js" },
  ];
  const samples = await interleave(
    rounds,
    warmup,
    modules.map((m) => async () => {
      const code = `const t = performance.now(); await import(${JSON.stringify(m.spec)}); process.stdout.write(String(performance.now() - t));`;
      const r = await timeCommand(node, ["--input-type=module", "-e", code], { capture: true });
      if (r.code !== 0) throw new Error(`importing ${m.spec} failed: ${r.stderr.trim()}`);
      return Number(r.stdout);
    }),
  );
  return modules.map((m, i) => ({ ...m, ms: stats(samples[i]) }));
}

/**
 * One CLI run that builds labs, timed from spawn to exit. A run that exits 2 or is killed (a
 * machine hiccup, another user's signal) is retried once and the retry noted.
 */
async function cliRun(args, notes) {
  for (let attempt = 1; ; attempt++) {
    const r = await timeCommand(node, [CLI, ...args], { capture: true });
    let report = null;
    try {
      report = JSON.parse(r.stdout);
    } catch {
      // not a report
    }
    if ((r.code === 0 || r.code === 1) && report) {
      return {
        ms: r.ms,
        code: r.code,
        runs: report.runs.map((run) => ({
          scenario: run.scenario,
          durationMs: run.durationMs,
          passed: run.passed,
        })),
      };
    }
    const why = `\`tcpdrop ${args.join(" ")}\` exited ${r.code ?? r.signal}: ${r.stderr.trim().split("\n").pop()}`;
    if (attempt >= 2) throw new Error(why);
    notes.push(`${why} (retried)`);
  }
}

/**
 * The suite at --parallel 1, at the default and with every lab at once, and each scenario
 * alone. Budget: the slow configurations (--parallel 1, every lab at once) run once; the
 * default suite runs `reps` times; every scenario runs alone once, and the `topSingles`
 * longest of them `reps` times in all, so the longest single scenario is a median too.
 */
export async function suite({ reps, windowS, topSingles = 2 }) {
  const { builtInNames } = await fromDist("scenario/load.js");
  const { DEFAULT_PARALLEL } = await fromDist("commands/run.js");
  const names = builtInNames();
  const common = ["--window", String(windowS), "--json"];
  const notes = [];
  const configs = [
    { label: "`run all --parallel 1`", args: ["run", "all", ...common, "--parallel", "1"] },
    {
      label: `\`run all\` (default: --parallel ${DEFAULT_PARALLEL})`,
      args: ["run", "all", ...common],
      repeat: true,
    },
    {
      label: `\`run all --parallel ${names.length}\` (every lab at once)`,
      args: ["run", "all", ...common, "--parallel", String(names.length)],
    },
    ...names.map((name) => ({
      label: `\`run ${name}\``,
      args: ["run", name, ...common],
      single: name,
    })),
  ];
  const samples = configs.map(() => []);
  for (const [i, c] of configs.entries()) samples[i].push(await cliRun(c.args, notes));
  const longestFirst = configs
    .map((c, i) => ({ c, i }))
    .filter(({ c }) => c.single)
    .sort((a, b) => samples[b.i][0].ms - samples[a.i][0].ms)
    .slice(0, topSingles);
  for (const { c } of longestFirst) c.repeat = true;
  for (let rep = 1; rep < reps; rep++) {
    for (const [i, c] of configs.entries()) {
      if (c.repeat) samples[i].push(await cliRun(c.args, notes));
    }
  }
  const rows = configs.map((c, i) => ({
    label: c.label,
    single: c.single ?? null,
    wall: stats(samples[i].map((s) => s.ms)),
    // the run's own durationMs (lab build to teardown), summed over scenarios for a suite
    runMs: stats(samples[i].map((s) => s.runs.reduce((sum, run) => sum + run.durationMs, 0))),
    allPassed: samples[i].every((s) => s.runs.every((run) => run.passed)),
    failed: [...new Set(samples[i].flatMap((s) => s.runs.filter((run) => !run.passed)))].map(
      (run) => run.scenario,
    ),
  }));
  const perScenarioInSuite = {};
  for (const s of samples[1]) {
    for (const run of s.runs) pushTo(perScenarioInSuite, run.scenario, run.durationMs);
  }
  return {
    rows,
    defaultParallel: DEFAULT_PARALLEL,
    scenarios: names,
    inDefaultSuite: Object.fromEntries(
      Object.entries(perScenarioInSuite).map(([k, v]) => [k, stats(v)]),
    ),
    notes,
  };
}
