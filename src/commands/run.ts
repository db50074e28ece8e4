// tcpdrop run <scenario...>: run each named scenario (times --repeat) in its own lab, all at
// once as far as the machine allows (runner/parallelism.ts), and build the report. The exit
// code is 0 when every expectation held, 1 when one failed; usage and setup problems are
// thrown.
import { writeSync } from "node:fs";
import { UsageError } from "../errors.js";
import { type Expectation, parseExpectation } from "../expect/index.js";
import { checkPrivileges } from "../lab/privileges.js";
import { kernelRelease, scenarioSettings } from "../plan/index.js";
import { wireKeep } from "../reporters/registry.js";
import { buildReport } from "../runner/document.js";
import { type Job, type JobHooks, runJobs } from "../runner/jobs.js";
import { defaultParallel, MAX_PARALLEL } from "../runner/parallelism.js";
import { builtInNames, loadScenario, prepareScenarios, type Scenario } from "../scenario/load.js";
import type { Report } from "../types.js";
import { outputFiles, preflight, preflightPrograms } from "./preflight.js";
import { parseCount, parseSettings, type SettingFlags } from "./settings.js";

export interface RunOptions extends SettingFlags {
  expect?: string[];
  repeat?: string;
  parallel?: string;
  hooks?: JobHooks;
  /** --timing: each run's phases on stderr, in ms since the process started. */
  timing?: boolean;
  /** Checked for writing before any lab is built. */
  junit?: string;
}

export async function runCommand(
  names: string[],
  opts: RunOptions,
  version: string,
): Promise<{ report: Report; exitCode: number }> {
  const hooks = await withTiming(opts);
  const settings = parseSettings(opts);
  const extra = parseExpectations(opts.expect);
  const repeat = parseCount("--repeat", opts.repeat, 1, 100);
  await prepareScenarios(names);
  const scenarios = resolveScenarios(names);
  // Remote mode: one run at a time, as every run listens on the same test port.
  const parallel = settings.remote
    ? 1
    : parseCount(
        "--parallel",
        opts.parallel,
        defaultParallel(scenarios.length * repeat),
        MAX_PARALLEL,
      );
  const jobs: Job[] = scenarios.flatMap((scenario) =>
    Array.from({ length: repeat }, (_, i) => ({
      scenario,
      settings: scenarioSettings(scenario, settings),
      keep: wireKeep(opts),
      ...(repeat > 1 ? { repetition: i + 1 } : {}),
    })),
  );
  // Remote mode's code (its stage, its agents' protocol) is loaded only in remote mode.
  const remote = settings.remote ? await import("../runner/stage.js") : null;
  remote?.checkRemoteFaults(jobs, settings);
  await preflightPrograms(jobs);
  preflight(jobs, extra, { outputs: outputFiles(opts) });
  if (!settings.remote) checkPrivileges(); // remote mode builds no lab
  const runs = await runJobs(jobs, extra, parallel, hooks);
  const report = buildReport(runs, remote?.remoteKernel(runs) ?? kernelRelease(), version);
  return { report, exitCode: runs.every((r) => r.passed) ? 0 : 1 };
}

/** The command's hooks, and with --timing the phase timings on stderr too. */
export async function withTiming(opts: {
  hooks?: JobHooks;
  timing?: boolean;
}): Promise<JobHooks | undefined> {
  if (!opts.timing) return opts.hooks;
  const { bothHooks, timingHooks } = await import("../runner/phase-timing.js");
  return bothHooks(
    opts.hooks,
    // writeSync: process.stderr on a pipe would load Node's stream modules at start-up, the
    // very time the first lines measure (node:net waits for the capture, node-net.ts)
    timingHooks(toStderr),
  );
}

/** A --timing line; a reader of stderr that has gone (EPIPE) is no error (cli.ts). */
function toStderr(text: string): void {
  try {
    writeSync(2, text);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EPIPE") throw err;
  }
}

export function parseExpectations(texts: string[] = []): Expectation[] {
  return texts.map((text) => {
    try {
      return parseExpectation(text);
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
  });
}

/**
 * Names, aliases, "all" or file paths -> scenarios, each once, in the order given (after
 * `await prepareScenarios(names)`).
 */
export function resolveScenarios(names: string[]): Scenario[] {
  if (names.length === 0) {
    throw new UsageError(
      'name a scenario to run (e.g. "tcpdrop run host-crash"), or "all"; "tcpdrop list" shows them',
    );
  }
  const expanded = names.flatMap((n) => (n === "all" ? builtInNames() : [n]));
  const scenarios = expanded.map(loadScenario);
  return scenarios.filter((s, i) => scenarios.findIndex((o) => o.file === s.file) === i);
}
