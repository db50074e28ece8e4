// tcpdrop run <scenario...>: run each named scenario in its own lab and report. Returns the
// report and the exit code (0 all expectations held, 1 one failed); errors are thrown.
import { UsageError } from "../errors.js";
import { type Expectation, parseExpectation } from "../expect/index.js";
import { checkPrivileges } from "../lab/privileges.js";
import { buildReport } from "../reporters/index.js";
import { kernelRelease } from "../runner/kernel.js";
import { runScenario } from "../runner/run-scenario.js";
import { builtInNames, loadScenario, type Scenario } from "../scenario/load.js";
import type { Report, RunReport } from "../types.js";
import { parseSettings, type SettingFlags } from "./settings.js";

export interface RunOptions extends SettingFlags {
  expect?: string[];
  onProgress?: (scenario: string, elapsedMs: number, events: number, windowS: number) => void;
  onRunDone?: () => void;
}

export async function runCommand(
  names: string[],
  opts: RunOptions,
  version: string,
): Promise<{ report: Report; exitCode: number }> {
  const settings = parseSettings(opts);
  const extra = (opts.expect ?? []).map(parseExpectationFlag);
  const scenarios = resolveScenarios(names);
  checkPrivileges();
  const runs: RunReport[] = [];
  for (const scenario of scenarios) {
    const run = await runScenario(scenario, settings, extra, {
      onProgress: (elapsed, events) =>
        opts.onProgress?.(scenario.name, elapsed, events, settings.windowS),
    });
    opts.onRunDone?.();
    runs.push(run);
  }
  const report = buildReport(runs, kernelRelease(), version);
  return { report, exitCode: runs.every((r) => r.passed) ? 0 : 1 };
}

function parseExpectationFlag(text: string): Expectation {
  try {
    return parseExpectation(text);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

/** Names, aliases, "all" or file paths -> scenarios, each once, in the order given. */
export function resolveScenarios(names: string[]): Scenario[] {
  if (names.length === 0)
    throw new UsageError(
      'name a scenario to run (e.g. "tcpdrop run host-crash"), or "all"; "tcpdrop list" shows them',
    );
  const expanded = names.flatMap((n) => (n === "all" ? builtInNames() : [n]));
  const scenarios = expanded.map(loadScenario);
  return scenarios.filter((s, i) => scenarios.findIndex((o) => o.file === s.file) === i);
}
