// A batch of runs (scenarios x settings x repetitions), each in its own lab, several at a
// time. Every run has a deadline: its observation window plus a setup budget; a run that
// overstays it is a setup error naming the step it hung in.
import { SetupError } from "../errors.js";
import type { Expectation } from "../expect/index.js";
import type { Scenario } from "../scenario/load.js";
import { withTimeout } from "../timeout.js";
import type { RunReport, Settings } from "../types.js";
import { runPool } from "./pool.js";
import { type RunHooks, runScenario } from "./run-scenario.js";

/** Time allowed on top of the window for building, connecting, faulting and tearing down. */
export const SETUP_BUDGET_MS = 30_000;

export interface Job {
  scenario: Scenario;
  settings: Settings;
  /** How the report names this run's settings in a comparison ("keepalive 1,1,2"). */
  label?: string;
  repetition?: number;
}

export interface JobHooks {
  onProgress?: (job: Job, elapsedMs: number, events: number) => void;
  onDone?: (job: Job, run: RunReport) => void;
}

export function runJobs(jobs: Job[], extra: Expectation[], parallel: number, hooks: JobHooks = {}) {
  return runPool(
    jobs.map((job) => async () => {
      const step = { name: "start" };
      const runHooks: RunHooks = {
        onProgress: (elapsed, events) => hooks.onProgress?.(job, elapsed, events),
        onStep: (name) => {
          step.name = name;
        },
      };
      const limitMs = job.settings.windowS * 1000 + SETUP_BUDGET_MS;
      const run = await deadline(
        runScenario(job.scenario, job.settings, extra, runHooks),
        limitMs,
        () => describeJob(job, step.name),
      );
      if (job.label !== undefined) run.label = job.label;
      if (job.repetition !== undefined) run.repetition = job.repetition;
      hooks.onDone?.(job, run);
      return run;
    }),
    parallel,
  );
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
