// What each command does once commander has parsed it: run the command, print its report in
// the asked-for form, and return the exit code. Loaded only when a command runs.
import { writeFileSync } from "node:fs";
import { compareCommand } from "./commands/compare.js";
import { doctorCommand } from "./commands/doctor.js";
import { explain as explainScenario, renderExplanation } from "./commands/explain.js";
import { runCommand } from "./commands/run.js";
import { parseCount } from "./commands/settings.js";
import { SetupError, UsageError } from "./errors.js";
import {
  createProgress,
  type Progress,
  renderCompare,
  renderJson,
  renderJunit,
  renderPretty,
  renderRepeat,
} from "./reporters/index.js";
import { NOTHING_CHECKED } from "./reporters/skipped.js";
import type { JobHooks } from "./runner/jobs.js";
import { summarizeRepeats } from "./runner/stats.js";
import type { Report } from "./types.js";

export type Flags = Record<string, unknown> & { json?: boolean; junit?: string; timeout?: string };

export async function doctor(opts: { json?: boolean }): Promise<number> {
  const { output, exitCode } = await doctorCommand(opts);
  process.stdout.write(output);
  return exitCode;
}

export function explain(name: string, opts: Flags): void {
  const explanation = explainScenario(name, opts);
  process.stdout.write(
    opts.json ? `${JSON.stringify(explanation, null, 2)}\n` : renderExplanation(explanation),
  );
}

export async function run(names: string[], opts: Flags, version: string): Promise<number> {
  const result = await withTimeout(opts.timeout, () =>
    runCommand(names, { ...opts, hooks: liveProgress() }, version),
  );
  deliver(result.report, opts, (r, color) => {
    const repeated = r.runs.some((run) => run.repetition !== undefined);
    if (!repeated) return renderPretty(r, { color });
    const byScenario = [...new Set(r.runs.map((run) => run.scenario))];
    return byScenario.map((name) => repeatReport(name, r, color)).join("\n");
  });
  return result.exitCode;
}

export async function compare(name: string, opts: Flags, version: string): Promise<number> {
  const result = await withTimeout(opts.timeout, () =>
    compareCommand(name, { ...opts, hooks: liveProgress() }, version),
  );
  deliver(result.report, opts, (r, color) =>
    renderCompare(
      r.runs.map((run) => ({ setting: run.label ?? "", run })),
      { color },
    ),
  );
  return result.exitCode;
}

/** --repeat: one header, the min/median/max table and a verdict per scenario. */
function repeatReport(name: string, report: Report, color: boolean): string {
  const runs = report.runs.filter((run) => run.scenario === name);
  const failed = runs.filter((run) => !run.passed).length;
  const unchecked = runs.every((run) => run.verdicts.length === 0);
  const verdict = failed
    ? `FAIL ${name} (${failed} of ${runs.length} repetitions failed)`
    : unchecked
      ? `${NOTHING_CHECKED} (${name})`
      : `PASS ${name}`;
  const table = renderRepeat(summarizeRepeats(runs), { color });
  return `tcpdrop run ${name} × ${runs.length}\n${table}${verdict}\n`;
}

/** The live status line on stderr (a TTY only), shared by every lab running. */
function liveProgress(): JobHooks {
  let progress: Progress | undefined;
  let done = 0;
  return {
    onProgress: (job, elapsed, events) => {
      progress ??= createProgress(process.stderr, job.settings.windowS);
      const label = [job.scenario.name, job.label, job.repetition && `#${job.repetition}`]
        .filter(Boolean)
        .join(" ");
      progress.update(elapsed, events, done ? `${label} (${done} done)` : label);
    },
    onDone: () => {
      done++;
      progress?.done();
    },
  };
}

/** Print the report in the asked-for form, and the JUnit file if asked. */
function deliver(report: Report, opts: Flags, human: (r: Report, color: boolean) => string): void {
  if (opts.junit) {
    try {
      writeFileSync(opts.junit, renderJunit(report));
    } catch (err) {
      throw new UsageError(
        `cannot write --junit ${opts.junit}: ${(err as NodeJS.ErrnoException).code ?? err}`,
      );
    }
  }
  const color = Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;
  process.stdout.write(opts.json ? renderJson(report) : human(report, color));
}

/** --timeout: a cap on the whole command; past it the labs are torn down and the exit is 2. */
function withTimeout<T>(seconds: string | undefined, work: () => Promise<T>): Promise<T> {
  if (seconds === undefined) return work();
  const limit = parseCount("--timeout", seconds, 0, 86_400);
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new SetupError(`gave up after --timeout ${limit} s; the labs were torn down`)),
      limit * 1000,
    );
  });
  return Promise.race([work(), expired]).finally(() => clearTimeout(timer));
}
