// What each command does once commander has parsed it: run the command, print its report in
// the asked-for form, and return the exit code. Loaded only when a command runs; each command's
// own code is loaded only when that command runs.
import { writeFileSync } from "node:fs";
import { parseCount } from "./commands/settings.js";
import { SetupError, UsageError } from "./errors.js";
import { warmKernelHz } from "./plan/kernel.js";
import { createProgress, type Progress } from "./reporters/progress.js";
import {
  fileReporters,
  loadReporter,
  preloadReporters,
  stdoutReporterName,
} from "./reporters/registry.js";
import type { JobHooks } from "./runner/jobs.js";
import { withTimeout } from "./timeout.js";
import type { Report } from "./types.js";

export type Flags = Record<string, unknown> & { json?: boolean; timeout?: string };

export async function doctor(opts: { json?: boolean }): Promise<number> {
  const { doctorCommand } = await import("./commands/doctor.js");
  const { output, exitCode } = await doctorCommand(opts);
  process.stdout.write(output);
  return exitCode;
}

export async function explain(name: string, opts: Flags): Promise<void> {
  const { prepareScenarios } = await import("./scenario/load.js");
  await prepareScenarios([name]);
  const { explain: explainScenario, renderExplanation } = await import("./commands/explain.js");
  const explanation = explainScenario(name, opts);
  process.stdout.write(
    opts.json ? `${JSON.stringify(explanation, null, 2)}\n` : renderExplanation(explanation),
  );
}

export async function run(names: string[], opts: Flags, version: string): Promise<number> {
  const { runCommand } = await import("./commands/run.js");
  const result = await withDeadline(opts.timeout, () =>
    runCommand(names, { ...opts, hooks: liveProgress(() => warmUp("run", opts)) }, version),
  );
  await deliver("run", result.report, opts);
  return result.exitCode;
}

export async function compare(name: string, opts: Flags, version: string): Promise<number> {
  const { compareCommand } = await import("./commands/compare.js");
  const result = await withDeadline(opts.timeout, () =>
    compareCommand(name, { ...opts, hooks: liveProgress(() => warmUp("compare", opts)) }, version),
  );
  await deliver("compare", result.report, opts);
  return result.exitCode;
}

/**
 * What the report will need, readied in the first lab's idle time (it waits for its tools
 * while the lab is built): the reporters' code, and the kernel's HZ; at scale, the heap's
 * sizing (src/heap.ts).
 */
function warmUp(command: "run" | "compare", opts: Flags): void {
  preloadReporters(command, opts);
  warmKernelHz();
  if (Number(opts.connections ?? 1) > 1)
    void import("./heap.js").then((heap) => heap.tuneHeapForScale());
}

/**
 * The live status line on stderr (a TTY only), shared by every lab running; `onFirstStep`
 * runs once, when the first lab starts.
 */
function liveProgress(onFirstStep: () => void): JobHooks {
  let progress: Progress | undefined;
  let done = 0;
  let started = false;
  return {
    onStep: () => {
      if (started) return;
      started = true;
      onFirstStep();
    },
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

/** Write each file report whose flag was given, then print the report in the asked-for form. */
async function deliver(command: "run" | "compare", report: Report, opts: Flags): Promise<void> {
  for (const { entry, flag, path } of fileReporters(opts)) {
    const reporter = await entry.load();
    const content = reporter.render(report, { color: false, path });
    try {
      writeFileSync(path, content);
    } catch (err) {
      throw new UsageError(
        `cannot write ${flag} ${path}: ${(err as NodeJS.ErrnoException).code ?? err}`,
      );
    }
  }
  const color = Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;
  const reporter = await loadReporter(stdoutReporterName(command, opts, report));
  // stdout is written synchronously to a file or a pipe (Node's stdio on Linux): piece by piece,
  // a large report is never in memory whole as text
  if (reporter.renderChunks) {
    for (const piece of reporter.renderChunks(report, { color })) process.stdout.write(piece);
  } else process.stdout.write(reporter.render(report, { color }));
}

/** --timeout: a cap on the whole command; past it the labs are torn down and the exit is 2. */
function withDeadline<T>(seconds: string | undefined, work: () => Promise<T>): Promise<T> {
  if (seconds === undefined) return work();
  const limit = parseCount("--timeout", seconds, 0, 86_400);
  return withTimeout(
    work(),
    limit * 1000,
    () => new SetupError(`gave up after --timeout ${limit} s; the labs were torn down`),
  );
}
