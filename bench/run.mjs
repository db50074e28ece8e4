// `npm run bench`: measure tcpdrop against its floors and targets, side by side in one run, and
// write BENCHMARKS.md. Plain Node, no dependencies; every time is process.hrtime (monotonic).
// Needs root (it builds labs) and a built dist/ (npm run build). About 9-10 minutes (the
// packet capture's 30 alternating rounds take ~4 of them; --only capture runs just those).
//
//   node bench/run.mjs [--quick] [--out FILE] [--build]
//     --quick  a few samples of everything (a smoke test), written to --out or stdout
//     --out    where to write the Markdown (default: BENCHMARKS.md at the repository root)
//     --build  run `npx tsc -p tsconfig.json` first
//     --save FILE  also write every figure as JSON;  --from FILE  only render such a file
//     --only capture|program  only section 7 (packet capture cost) or 8 (tracing overhead of
//              --client-cmd), spliced with its summary row into --out (default BENCHMARKS.md)
import { spawnSync } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { captureCost } from "./capture.mjs";
import { CAPTURE_HEADING, captureRow, captureText } from "./capture-report.mjs";
import { cliStartup, importCosts, suite } from "./cli.mjs";
import { fidelity } from "./fidelity.mjs";
import { agentStart, labSetup } from "./lab-setup.mjs";
import { agentsRunning, fromDist, loadavg, machine, nowMs, ROOT } from "./lib.mjs";
import { memory } from "./memory.mjs";
import {
  PROGRAM_HEADING,
  programOverhead,
  programOverheadText,
  programRow,
} from "./program-overhead.mjs";
import { render } from "./report.mjs";
import { scale } from "./scale.mjs";

const argv = process.argv.slice(2);
const option = (name) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : undefined);
const quick = argv.includes("--quick");
const outArg = option("--out");
const out = outArg ?? (quick ? null : join(ROOT, "BENCHMARKS.md"));

const plan = quick
  ? { rounds: 3, warmup: 1, agentRounds: 3, importRounds: 2, suiteReps: 1, fidelityRuns: 1 }
  : { rounds: 20, warmup: 2, agentRounds: 10, importRounds: 6, suiteReps: 3, fidelityRuns: 5 };
plan.captureRounds = quick ? 2 : 30;
plan.windowS = 3;

process.env.PATH = `${process.env.PATH ?? ""}:/usr/sbin:/sbin:/usr/bin:/bin`;

function fail(message) {
  process.stderr.write(`bench: ${message}\n`);
  process.exit(2);
}

const from = option("--from");
if (from) {
  writeOut(render(JSON.parse(readFileSync(from, "utf8"))));
  process.exit(0);
}

function writeOut(markdown) {
  if (out) writeFileSync(out, markdown);
  else process.stdout.write(markdown);
}

if (process.getuid?.() !== 0) fail("run it as root: it builds network-namespace labs");
if (argv.includes("--build")) {
  const r = spawnSync("npx", ["tsc", "-p", "tsconfig.json"], { cwd: ROOT, stdio: "inherit" });
  if (r.status !== 0) fail("the build failed");
}
if (!existsSync(join(ROOT, "dist/cli.js"))) fail("no dist/: run `npm run build` first");

/** Replace the section with this heading (or add it before "What src could change"). */
function spliceSection(markdown, heading, text) {
  const start = markdown.indexOf(`\n${heading}`);
  if (start < 0)
    return markdown.replace("\n## What src could change", `\n${text}\n## What src could change`);
  const next = markdown.indexOf("\n## ", start + 1);
  return `${markdown.slice(0, start + 1)}${text}${next < 0 ? "" : markdown.slice(next)}`;
}

/** Replace the summary row with this row's first cell (or add it after the last numbered row). */
function spliceRow(markdown, cells) {
  const line = `| ${cells.join(" | ")} |`;
  const lines = markdown.split("\n");
  const at = lines.findIndex((l) => l.startsWith(`| ${cells[0]} |`));
  if (at >= 0) lines[at] = line;
  else {
    const last = lines.findLastIndex((l) => /^\| \d\. /.test(l));
    if (last >= 0) lines.splice(last + 1, 0, line);
  }
  return lines.join("\n");
}

// Measure a private snapshot of the build: dist/, bin/, scenarios/, package.json and bench/
// copied to a temporary directory (node_modules linked), so that a rebuild of dist/ during
// the run cannot mix two builds. The copy re-runs this script and writes the real --out.
if (!process.env.BENCH_SOURCE_ROOT) {
  const snap = mkdtempSync(join(tmpdir(), "tcpdrop-bench-"));
  try {
    for (const item of ["dist", "bin", "scenarios", "package.json", "bench"]) {
      cpSync(join(ROOT, item), join(snap, item), { recursive: true, preserveTimestamps: true });
    }
    symlinkSync(join(ROOT, "node_modules"), join(snap, "node_modules"));
    // The copy handles Ctrl-C (it ends its labs); this process only waits for it.
    for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => {});
    const args = argv.filter((a, i) => a !== "--build" && argv[i - 1] !== "--out");
    const outArgs = out ? ["--out", resolve(out)] : [];
    const child = spawnSync(
      process.execPath,
      [join(snap, "bench/run.mjs"), ...args.filter((a) => a !== "--out"), ...outArgs],
      { stdio: "inherit", env: { ...process.env, BENCH_SOURCE_ROOT: ROOT } },
    );
    process.exitCode = child.status ?? 1;
  } finally {
    rmSync(snap, { recursive: true, force: true });
  }
  process.exit();
}
const SOURCE_ROOT = process.env.BENCH_SOURCE_ROOT;

/** src files newer than the snapshot's dist output: the figures are then for older code. */
function staleDist() {
  const stale = [];
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (path.endsWith(".ts")) {
        const rel = relative(join(SOURCE_ROOT, "src"), path);
        const js = join(ROOT, "dist", rel).replace(/\.ts$/, ".js");
        if (!existsSync(js) || statSync(js).mtimeMs < statSync(path).mtimeMs) {
          stale.push(`src/${rel}`);
        }
      }
    }
  };
  walk(join(SOURCE_ROOT, "src"));
  return stale;
}

// Agents started by this process die with it (PR_SET_PDEATHSIG); on Ctrl-C end them now.
const { killAllAgents } = await fromDist("lab/registry.js");
for (const [signal, code] of [
  ["SIGINT", 130],
  ["SIGTERM", 143],
]) {
  process.on(signal, () => {
    killAllAgents();
    process.exit(code);
  });
}

const log = (s) => process.stderr.write(`bench: ${s}\n`);
const sections = [];
async function section(name, fn) {
  const before = { load: loadavg(), agents: agentsRunning() };
  const t0 = nowMs();
  log(`${name}...`);
  const result = await fn();
  const seconds = (nowMs() - t0) / 1000;
  const after = { load: loadavg(), agents: agentsRunning() };
  sections.push({ name, seconds, before, after });
  log(`${name}: ${seconds.toFixed(1)} s`);
  return result;
}

const started = nowMs();
/** The checked-out commit, read from .git (no git command), or "?". */
function headCommit() {
  try {
    const head = readFileSync(join(SOURCE_ROOT, ".git/HEAD"), "utf8").trim();
    if (!head.startsWith("ref: ")) return head.slice(0, 12);
    const ref = head.slice(5);
    const loose = join(SOURCE_ROOT, ".git", ref);
    if (existsSync(loose)) return `${readFileSync(loose, "utf8").trim().slice(0, 12)} (${ref})`;
    const packed = readFileSync(join(SOURCE_ROOT, ".git/packed-refs"), "utf8");
    const line = packed.split("\n").find((l) => l.endsWith(` ${ref}`));
    return line ? `${line.slice(0, 12)} (${ref})` : "?";
  } catch {
    return "?";
  }
}

const info = { ...machine(), load: loadavg(), staleDist: staleDist(), commit: headCommit() };
// --only capture | program: measure one section alone, and replace it and its summary row in
// --out (default BENCHMARKS.md); the other sections keep their figures.
if (argv.includes("--only")) {
  const only = option("--only");
  const measure = {
    capture: async () => {
      const c = await captureCost({ rounds: plan.captureRounds, warmup: 1 });
      return {
        heading: CAPTURE_HEADING,
        text: captureText({ ...c, nproc: info.nproc }),
        row: captureRow(c),
      };
    },
    program: async () => {
      const p = await programOverhead(quick ? { rounds: 2, warmup: 0 } : {});
      return {
        heading: PROGRAM_HEADING,
        text: programOverheadText({ program: p }),
        row: programRow(p),
      };
    },
  }[only];
  if (!measure) fail("--only takes: capture, program");
  const { heading, text, row } = await measure();
  const target = out ?? join(SOURCE_ROOT, "BENCHMARKS.md");
  const old = existsSync(target) ? readFileSync(target, "utf8") : "";
  writeFileSync(target, spliceRow(spliceSection(old, heading, text), row));
  log(`wrote the ${only} section of ${target}`);
  process.exit(0);
}
const lab = await section("lab setup + teardown", () => labSetup(plan));
const agent = await section("agent start-up", () =>
  agentStart({ rounds: plan.agentRounds, warmup: plan.warmup }),
);
const cli = await section("CLI start-up", () => cliStartup(plan));
const imports = await section("CLI import costs", () =>
  importCosts({ rounds: plan.importRounds, warmup: plan.warmup }),
);
const suiteResult = await section("suite wall time", () =>
  suite({ reps: plan.suiteReps, windowS: plan.windowS }),
);
const fid = await section("timing fidelity", () => fidelity({ runs: plan.fidelityRuns }));
const mem = await section("peak memory", () => memory({ windowS: plan.windowS }));
const scaled = await section("10,000 connections", () =>
  scale({ connections: quick ? 1000 : 10000, runs: quick ? 1 : 3 }),
);
const capture = await section("packet capture cost", () =>
  captureCost({ rounds: plan.captureRounds, warmup: 1 }),
);
const program = await section("tracing a user's program", () =>
  programOverhead(quick ? { rounds: 2, warmup: 0 } : {}),
);
const totalS = (nowMs() - started) / 1000;

const results = {
  command: quick ? "node bench/run.mjs --quick" : "npm run bench",
  plan,
  info,
  sections,
  totalS,
  lab,
  agent,
  cli,
  imports,
  suite: suiteResult,
  fidelity: fid,
  memory: mem,
  scale: scaled,
  capture,
  program,
};
if (option("--save")) writeFileSync(option("--save"), JSON.stringify(results, null, 2));
writeOut(render(results));
if (out) log(`wrote ${relative(process.cwd(), out) || out} in ${totalS.toFixed(0)} s`);
