// tcpdrop run <scenario...>: run each named scenario (times --repeat) in its own lab, several
// at a time, and build the report. The exit code is 0 when every expectation held, 1 when one
// failed; usage and setup problems are thrown.
import { UsageError } from "../errors.js";
import { type Expectation, parseExpectation } from "../expect/index.js";
import { checkPrivileges } from "../lab/privileges.js";
import { kernelRelease, scenarioSettings } from "../plan/index.js";
import { buildReport } from "../runner/document.js";
import { type Job, type JobHooks, runJobs } from "../runner/jobs.js";
import { checkRemoteFaults, remoteKernel } from "../runner/stage.js";
import { builtInNames, loadScenario, type Scenario } from "../scenario/load.js";
import type { Report } from "../types.js";
import { outputFiles, preflight } from "./preflight.js";
import { parseCount, parseSettings, type SettingFlags } from "./settings.js";

export interface RunOptions extends SettingFlags {
  expect?: string[];
  repeat?: string;
  parallel?: string;
  hooks?: JobHooks;
  /** Checked for writing before any lab is built. */
  junit?: string;
}

/** Labs run at once by default: most of a run is waiting; 8 keep a 2-core machine busy without starving the agents. */
export const DEFAULT_PARALLEL = 8;

export async function runCommand(
  names: string[],
  opts: RunOptions,
  version: string,
): Promise<{ report: Report; exitCode: number }> {
  const settings = parseSettings(opts);
  const extra = parseExpectations(opts.expect);
  const repeat = parseCount("--repeat", opts.repeat, 1, 100);
  const scenarios = resolveScenarios(names);
  // Remote mode: one run at a time, as every run listens on the same test port.
  const parallel = settings.remote
    ? 1
    : parseCount("--parallel", opts.parallel, DEFAULT_PARALLEL, 64);
  const jobs: Job[] = scenarios.flatMap((scenario) =>
    Array.from({ length: repeat }, (_, i) => ({
      scenario,
      settings: scenarioSettings(scenario, settings),
      ...(repeat > 1 ? { repetition: i + 1 } : {}),
    })),
  );
  if (settings.remote) checkRemoteFaults(jobs, settings);
  preflight(jobs, extra, { outputs: outputFiles(opts) });
  if (!settings.remote) checkPrivileges(); // remote mode builds no lab
  const runs = await runJobs(jobs, extra, parallel, opts.hooks);
  const report = buildReport(runs, remoteKernel(runs) ?? kernelRelease(), version);
  return { report, exitCode: runs.every((r) => r.passed) ? 0 : 1 };
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

/** Names, aliases, "all" or file paths -> scenarios, each once, in the order given. */
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
