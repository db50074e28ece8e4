// What the bench can measure, one entry per section (its name for --only, what the log calls it,
// and how it is measured with the run's plan), the groups --only accepts, and the plans: the full
// run's sample sizes and --quick's few (a smoke test). `npm run bench` measures DEFAULT_SECTIONS;
// the packet capture and tracing sections take minutes and no issue-15 target, so they run only
// when named (--only capture,program) or with --all, and the file keeps their last figures.
import { quickAnswer } from "./answer.mjs";
import { captureCost } from "./capture.mjs";
import { cliStartup, importCosts } from "./cli.mjs";
import { coldStart } from "./cold-start.mjs";
import { fidelity } from "./fidelity.mjs";
import { agentStart, labSetup } from "./lab-setup.mjs";
import { memory } from "./memory.mjs";
import { overhead } from "./overhead.mjs";
import { programOverhead } from "./program-overhead.mjs";
import { scale } from "./scale.mjs";
import { suiteCost } from "./suite.mjs";

export const FULL_PLAN = {
  rounds: 20,
  warmup: 2,
  answerRounds: 9,
  agentRounds: 10,
  importRounds: 6,
  // Each scenario's overhead is a median of 5: one pass moved single figures by ~40 ms, and two
  // medians of 3 taken 3 minutes apart (2026-12-03, one commit) still differed by up to 60 ms.
  overheadPasses: 5,
  suiteReps: 3,
  fidelityRuns: 3,
  memoryWindowS: 3,
  scaleConnections: 10000,
  scaleRuns: 1,
  captureRounds: 30,
  programRounds: 9,
};

export const QUICK_PLAN = {
  rounds: 3,
  warmup: 1,
  answerRounds: 3,
  agentRounds: 3,
  importRounds: 2,
  overheadPasses: 1,
  overheadOnly: ["connect-refused", "peer-close", "host-crash"],
  suiteReps: 1,
  fidelityRuns: 1,
  memoryWindowS: 3,
  scaleConnections: 1000,
  scaleRuns: 1,
  captureRounds: 2,
  programRounds: 2,
};

export const SECTIONS = {
  answer: {
    log: "peer-close --detect recv, and packetdrill",
    measure: (p) => quickAnswer({ rounds: p.answerRounds, warmup: 1 }),
  },
  lab: { log: "lab setup + teardown", measure: (p) => labSetup(p) },
  agent: {
    log: "agent start-up",
    measure: (p) => agentStart({ rounds: p.agentRounds, warmup: p.warmup }),
  },
  cli: { log: "CLI start-up", measure: (p) => cliStartup(p) },
  coldstart: {
    log: "CLI cold start for run",
    measure: (p) => coldStart({ rounds: p.answerRounds }),
  },
  imports: {
    log: "CLI import costs",
    measure: (p) => importCosts({ rounds: p.importRounds, warmup: p.warmup }),
  },
  overhead: {
    log: "overhead beyond the kernel's time, each scenario alone",
    measure: (p) => overhead({ passes: p.overheadPasses, only: p.overheadOnly }),
  },
  suite: { log: "run all", measure: (p) => suiteCost({ reps: p.suiteReps }) },
  fidelity: { log: "timing fidelity", measure: (p) => fidelity({ runs: p.fidelityRuns }) },
  memory: { log: "peak memory", measure: (p) => memory({ windowS: p.memoryWindowS }) },
  scale: {
    log: "10,000 connections",
    measure: (p) => scale({ connections: p.scaleConnections, runs: p.scaleRuns }),
  },
  capture: {
    log: "packet capture cost",
    measure: (p) => captureCost({ rounds: p.captureRounds, warmup: 1 }),
  },
  program: {
    log: "tracing a user's program",
    measure: (p) =>
      programOverhead({ rounds: p.programRounds, warmup: p.programRounds > 2 ? 1 : 0 }),
  },
};

/** Every figure in the targets table, in the order they are measured. */
export const TARGET_SECTIONS = [
  "answer",
  "lab",
  "coldstart",
  "overhead",
  "suite",
  "fidelity",
  "memory",
  "scale",
];
export const DEFAULT_SECTIONS = [
  ...TARGET_SECTIONS.slice(0, 3),
  "agent",
  "cli",
  ...TARGET_SECTIONS.slice(3),
];
export const ALL_SECTIONS = [...DEFAULT_SECTIONS, "imports", "capture", "program"];

/** --only's list (section names and the groups targets, all) as section names, or an error. */
export function pickSections(list) {
  const picked = new Set();
  for (const name of list.split(",").map((s) => s.trim())) {
    if (name === "targets") for (const s of TARGET_SECTIONS) picked.add(s);
    else if (name === "all") for (const s of ALL_SECTIONS) picked.add(s);
    else if (SECTIONS[name]) picked.add(name);
    else return { error: `--only takes: targets, all, ${Object.keys(SECTIONS).join(", ")}` };
  }
  return { sections: ALL_SECTIONS.filter((s) => picked.has(s)) };
}
