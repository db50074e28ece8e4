// Cold start of `tcpdrop run`: how long the CLI takes from the process's start until its run
// reaches its first lab step, against how long Node itself takes to reach tcpdrop's first line
// (bin/tcpdrop.js marks it: the `node -e 0` equivalent). Both figures come from the same
// process, on performance.now()'s clock (origin: the process start), read from `--timing`;
// tcpdrop's own cost is the difference, and issue 15 asks for at most 40 ms.
//
//   node bench/cold-start.mjs [--rounds 7] [--scenario peer-close] [--json]
//
// Needs root (the run builds a lab) and a built dist/. Each round is a fresh process; the
// first one is a warm-up (disk cache) and is not counted.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

export const BUDGET_MS = 40;
const CLI = fileURLToPath(new URL("../bin/tcpdrop.js", import.meta.url));

/** One `run SCENARIO --timing` in a fresh node: its phase times in ms since process start. */
export function coldRun(scenario) {
  const r = spawnSync(
    process.execPath,
    [CLI, "run", scenario, "--timing", "--json", "--window", "2"],
    {
      encoding: "utf8",
      maxBuffer: 64 << 20,
    },
  );
  if (r.status !== 0 && r.status !== 1) {
    throw new Error(`tcpdrop run ${scenario} exited ${r.status ?? r.signal}: ${r.stderr.trim()}`);
  }
  const times = {};
  for (const line of r.stderr.split("\n")) {
    const m = /^timing\s+([\d.]+) ms {2}(.+)$/.exec(line);
    if (m) times[m[2].replace(`${scenario}: `, "")] ??= Number(m[1]);
  }
  for (const need of ["node ready", "command loaded", "start"]) {
    if (times[need] === undefined) throw new Error(`no "${need}" timing line in:\n${r.stderr}`);
  }
  return {
    nodeReady: times["node ready"],
    commandLoaded: times["command loaded"],
    firstLabStep: times.start,
    tcpdrop: times.start - times["node ready"],
  };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

export function coldStart({ rounds = 7, scenario = "peer-close" } = {}) {
  coldRun(scenario); // warm-up
  const samples = Array.from({ length: rounds }, () => coldRun(scenario));
  const figure = (key) => {
    const xs = samples.map((s) => s[key]);
    return { min: Math.min(...xs), median: median(xs), max: Math.max(...xs) };
  };
  const result = {
    scenario,
    rounds,
    nodeReadyMs: figure("nodeReady"),
    commandLoadedMs: figure("commandLoaded"),
    firstLabStepMs: figure("firstLabStep"),
    tcpdropMs: figure("tcpdrop"),
    budgetMs: BUDGET_MS,
  };
  return { ...result, met: result.tcpdropMs.median <= BUDGET_MS };
}

/** The targets table's row: [what, figure, target, verdict], from coldStart's result. */
export function coldStartRow(result) {
  const what = "CLI cold start for `run` (tcpdrop's part: first lab step − Node ready)";
  const target = `within ${BUDGET_MS} ms of \`node -e 0\``;
  if (!result?.tcpdropMs) return [what, "not measured in this run", target, ""];
  const figure = `+${result.tcpdropMs.median.toFixed(1)} ms (median of ${result.rounds})`;
  return [what, figure, target, result.met ? "**met**" : "**not met**"];
}

function render(r) {
  const row = (label, f) =>
    `| ${label} | ${f.min.toFixed(1)} | ${f.median.toFixed(1)} | ${f.max.toFixed(1)} |`;
  return [
    `Cold start of \`tcpdrop run ${r.scenario}\`, ms since the process started (${r.rounds} runs):`,
    "",
    "| phase | min | median | max |",
    "| --- | --- | --- | --- |",
    row("Node reaches bin/tcpdrop.js (`node -e 0` equivalent)", r.nodeReadyMs),
    row("the run command's code is loaded", r.commandLoadedMs),
    row("the run reaches its first lab step", r.firstLabStepMs),
    row("tcpdrop's own part (first lab step − Node ready)", r.tcpdropMs),
    "",
    `Budget: ${r.budgetMs} ms for tcpdrop's own part: ${r.met ? "met" : "not met"}.`,
    "",
  ].join("\n");
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const arg = (name, fallback) => {
    const i = process.argv.indexOf(name);
    return i > 0 ? process.argv[i + 1] : fallback;
  };
  const result = coldStart({
    rounds: Number(arg("--rounds", "7")),
    scenario: arg("--scenario", "peer-close"),
  });
  process.stdout.write(
    process.argv.includes("--json") ? `${JSON.stringify(result, null, 2)}\n` : render(result),
  );
}
