// A batch of runs (scenarios x settings x repetitions), each in its own lab, many at a time
// (parallelism.ts says how many), the longest expected first. Every run has a deadline: its
// observation window plus a setup budget; a run that overstays it is a setup error naming
// the step it hung in.
import { SetupError } from "../errors.js";
import type { Expectation } from "../expect/index.js";
import type { Scenario } from "../scenario/load.js";
import { withTimeout } from "../timeout.js";
import type { RunReport, Settings } from "../types.js";
import type { WireKeep } from "../wire/packet-log.js";
import { expectedWatchMs } from "./expected-length.js";
import { startingAtOnce } from "./parallelism.js";
import { runPool } from "./pool.js";
import type { RunHooks } from "./run-scenario.js";

/** Time allowed on top of the window for building, connecting, faulting and tearing down. */
export const SETUP_BUDGET_MS = 30_000;

export interface Job {
  scenario: Scenario;
  settings: Settings;
  /** How the report names this run's settings in a comparison ("keepalive 1,1,2"). */
  label?: string;
  repetition?: number;
  /** What the run keeps of its packets for the file reporters asked for (--pcap, --diagram). */
  keep?: WireKeep;
}

export interface JobHooks {
  /** As each step of a run starts ("build the lab"...). */
  onStep?: (job: Job, step: string) => void;
  onProgress?: (job: Job, elapsedMs: number, events: number) => void;
  onDone?: (job: Job, run: RunReport) => void;
}

/** Steps that end a run's start-up (its lab, agents and capture are up). */
const UP_STEPS = [
  "connect the client",
  "inject the fault",
  "start the client program",
  "watch the connections",
  "watch the program",
];

/**
 * Run the batch with at most `parallel` labs at once, the longest expected first (so the
 * batch ends soon after its longest run), and at most `starting` building their labs at once
 * (a lab's start-up is what takes CPU); the reports come back in the order of `jobs`.
 */
export async function runJobs(
  jobs: Job[],
  extra: Expectation[],
  parallel: number,
  hooks: JobHooks = {},
  starting: number = startingAtOnce(),
): Promise<RunReport[]> {
  // The runner is loaded once the batch is checked and about to start, not before.
  const { runScenario } = await import("./run-scenario.js");
  // one run has no order to choose (and its predicted length costs an ICMP writer ~0.1 s)
  const order = jobs.length > 1 ? longestFirst(jobs) : jobs;
  const reports = await runPool(
    order.map((job) => async (started: () => void) => {
      const step = { name: "start" };
      const runHooks: RunHooks = {
        onProgress: (elapsed, events) => hooks.onProgress?.(job, elapsed, events),
        onStep: (name) => {
          step.name = name;
          hooks.onStep?.(job, name);
          if (UP_STEPS.some((up) => name.startsWith(up))) started();
        },
      };
      const limitMs = job.settings.windowS * 1000 + SETUP_BUDGET_MS;
      const run = await deadline(
        runScenario(job.scenario, job.settings, extra, runHooks, job.keep),
        limitMs,
        () => describeJob(job, step.name),
      );
      if (job.label !== undefined) run.label = job.label;
      if (job.repetition !== undefined) run.repetition = job.repetition;
      hooks.onDone?.(job, run);
      return run;
    }),
    parallel,
    starting,
  );
  return jobs.map((job) => reports[order.indexOf(job)]);
}

/**
 * The jobs, those expected to watch longest first; equal ones keep their order. (A fault that
 * signals the server no longer starts an agent process, whose Node start once made such runs
 * reach their fault last: its signals go to a stand-in, src/transport/stand-in.ts.)
 */
export function longestFirst(jobs: Job[]): Job[] {
  const expected = new Map(jobs.map((j) => [j, expectedWatchMs(j.scenario, j.settings)]));
  return [...jobs].sort((a, b) => (expected.get(b) ?? 0) - (expected.get(a) ?? 0));
}

function describeJob(job: Job, step: string): string {
  const label = job.label ? ` (${job.label})` : "";
  return `${job.scenario.name}${label} hung while it was trying to ${step}`;
}

function deadline<T>(promise: Promise<T>, ms: number, what: () => string): Promise<T> {
  return withTimeout(
    promise,
    ms,
    () => new SetupError(`${what()}: the run did not finish within ${Math.round(ms / 1000)} s`),
  );
}
