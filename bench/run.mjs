// `npm run bench`: measure tcpdrop against its targets and floors, side by side in one run, and
// write BENCHMARKS.md (and the figures as JSON in bench/results.json). Plain Node, no dependencies.
// Needs root (it builds labs) and a built dist/ (npm run build). The default sections take about
// 7 minutes on a 2-core machine (bench/sections.mjs says which; the windows tcpdrop waits out are
// most of it).
//
//   node bench/run.mjs [--only LIST] [--all] [--quick] [--out FILE] [--label TEXT] [--build]
//     --only LIST  only these sections, comma-separated: targets (every figure in the targets
//                  table), all, or names (answer, lab, agent, cli, coldstart, imports, overhead,
//                  suite, fidelity, memory, scale, capture, program); the other sections keep
//                  their last figures (from bench/results.json)
//     --all        every section, the slow ones too (packet capture, tracing: ~7 more minutes)
//     --passes N   run each scenario N times for the overhead section (default 5)
//     --quick      a few samples of everything (a smoke test), written to --out or stdout
//     --out FILE   where to write the Markdown (default: BENCHMARKS.md at the repository root)
//     --label TEXT what the figures are, shown at the top (e.g. "before: main 2926e2a")
//     --build      run `npx tsc -p tsconfig.json` first
//     --save FILE  write the JSON there;  --from FILE  only render such a file
// PACKETDRILL=/path/to/packetdrill times packetdrill next to tcpdrop (bench/packetdrill.mjs).
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { agentsRunning, fromDist, loadavg, machine, nowMs, ROOT, SOURCE_ROOT } from "./lib.mjs";
import { render } from "./report.mjs";
import { loadResults, mergeResults, RESULTS_VERSION, saveResults } from "./results-store.mjs";
import { headCommit, runFromSnapshot, staleDist } from "./snapshot.mjs";

const argv = process.argv.slice(2);
const option = (name) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : undefined);
const quick = argv.includes("--quick");
const defaultOut = join(SOURCE_ROOT, "BENCHMARKS.md");
const out = option("--out") ? resolve(option("--out")) : quick ? null : defaultOut;
const resultsFile =
  option("--save") ?? (out === defaultOut ? join(SOURCE_ROOT, "bench/results.json") : null);

function fail(message) {
  process.stderr.write(`bench: ${message}\n`);
  process.exit(2);
}

function writeOut(markdown) {
  if (out) writeFileSync(out, markdown);
  else process.stdout.write(markdown);
}

const from = option("--from");
if (from) {
  writeOut(render(JSON.parse(readFileSync(from, "utf8"))));
  process.exit(0);
}

// Check what can be checked before anything is copied or built.
const { SECTIONS, ALL_SECTIONS, DEFAULT_SECTIONS, FULL_PLAN, QUICK_PLAN, pickSections } =
  await import("./sections.mjs");
let names = argv.includes("--all") ? ALL_SECTIONS : DEFAULT_SECTIONS;
if (option("--only")) {
  const picked = pickSections(option("--only"));
  if (picked.error) fail(picked.error);
  names = picked.sections;
}
const plan = { ...(quick ? QUICK_PLAN : FULL_PLAN) };
if (option("--passes")) {
  plan.overheadPasses = Number(option("--passes"));
  if (!(plan.overheadPasses >= 1)) fail("--passes takes a whole number, 1 or more");
}
if (process.getuid?.() !== 0) fail("run it as root: it builds network-namespace labs");

if (!process.env.BENCH_SOURCE_ROOT) {
  if (argv.includes("--build")) {
    const r = spawnSync("npx", ["tsc", "-p", "tsconfig.json"], { cwd: ROOT, stdio: "inherit" });
    if (r.status !== 0) fail("the build failed");
  }
  if (!existsSync(join(ROOT, "dist/bundle/cli.cjs"))) fail("no dist/: run `npm run build` first");
  const pass = argv.filter((a, i) => a !== "--build" && a !== "--out" && argv[i - 1] !== "--out");
  runFromSnapshot(ROOT, [...pass, ...(out ? ["--out", out] : [])]);
}

// From here on this is the private copy (bench/snapshot.mjs). Agents started by this process
// die with it (PR_SET_PDEATHSIG); on Ctrl-C end them now.
const registry = await fromDist("lab/registry.js").catch(() => ({}));
for (const [signal, code] of [
  ["SIGINT", 130],
  ["SIGTERM", 143],
]) {
  process.on(signal, () => {
    registry.killAllAgents?.();
    process.exit(code);
  });
}

const log = (s) => process.stderr.write(`bench: ${s}\n`);
const info = {
  ...machine(),
  load: loadavg(),
  staleDist: staleDist(SOURCE_ROOT, ROOT),
  commit: headCommit(SOURCE_ROOT),
};
// The command as a reader would type it (the copy's --out and the --label text left out).
const shown = argv.filter(
  (a, i) => !["--out", "--label"].some((o) => a === o || argv[i - 1] === o),
);
const command = `node bench/run.mjs ${shown.join(" ")}`.trim();
const label = option("--label") ?? null;
const started = nowMs();
const measured = {};
for (const name of names) {
  const section = SECTIONS[name];
  const before = { load: loadavg(), agents: agentsRunning() };
  const t0 = nowMs();
  log(`${section.log}...`);
  let data = null;
  let error = null;
  try {
    data = await section.measure(plan);
  } catch (err) {
    // One section that cannot run (a changed API, a missing tool) does not cost the others.
    error = err instanceof Error ? err.message : String(err);
    log(`${section.log}: FAILED: ${error}`);
  }
  const seconds = (nowMs() - t0) / 1000;
  const after = { load: loadavg(), agents: agentsRunning() };
  measured[name] = {
    data,
    error,
    at: info.date,
    commit: info.commit,
    command,
    label,
    seconds,
    before,
    after,
  };
  log(`${section.log}: ${seconds.toFixed(1)} s`);
}
const totalS = (nowMs() - started) / 1000;

const run = {
  version: RESULTS_VERSION,
  command: quick
    ? "node bench/run.mjs --quick"
    : command.replace("node bench/run.mjs", "npm run bench --").replace(/ --$/, ""),
  label,
  plan,
  info,
  totalS,
  sectionsRun: names,
  measured,
};
// A partial run keeps the other sections' figures; a quick one is never mixed with real figures.
const results = quick ? run : mergeResults(loadResults(resultsFile), run);
if (resultsFile) saveResults(resultsFile, results);
writeOut(render(results));
if (out) log(`wrote ${relative(process.cwd(), out) || out} in ${totalS.toFixed(0)} s`);
