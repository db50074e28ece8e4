// --timing: when each run reached each phase (start, lab built, connected, fault, first
// failure, torn down), in ms since the process started (performance.now()'s origin), on stderr
// like curl's -w timings. Steps are noted as the runner announces them; the fault is the
// runner's own fault time (each progress call gives "ms since the fault"); connected and first
// failure are read from the run's events. The JSON report is not touched.
import type { RunReport } from "../types.js";
import type { Job, JobHooks } from "./jobs.js";

/** The launcher's mark (bin/tcpdrop.js): the moment Node reached tcpdrop's first line. */
export const LAUNCH_MARK = "tcpdrop:launch";

export interface Phase {
  name: string;
  atMs: number;
}

/** What the runner's step names mean as phases (the other steps are not shown). */
const STEP_PHASES: Record<string, string> = {
  "build the lab": "start",
  "start the remote agents": "start",
  "build the lab and start the server program": "start",
  "start the packet capture": "lab built",
};

/** The process-level lines: when Node reached tcpdrop, and when the command's code was loaded. */
export function processPhases(now = performance.now()): Phase[] {
  const launch = performance.getEntriesByName(LAUNCH_MARK)[0]?.startTime;
  return [
    ...(launch === undefined ? [] : [{ name: "node ready", atMs: launch }]),
    { name: "command loaded", atMs: now },
  ];
}

/** A run's phases from its noted times and its report, in time order. */
export function runPhases(
  noted: { start?: number; labBuilt?: number; fault?: number; tornDown: number },
  run: Pick<RunReport, "connections" | "distributions">,
): Phase[] {
  const phases: Phase[] = [];
  const add = (name: string, atMs: number | undefined) => {
    if (atMs !== undefined && Number.isFinite(atMs)) phases.push({ name, atMs });
  };
  add("start", noted.start);
  add("lab built", noted.labBuilt);
  if (noted.fault !== undefined) {
    const connects = run.connections.flatMap((c) =>
      c.events.filter((e) => (e.call === "connect" || e.call === "accept") && e.result === "OK"),
    );
    if (connects.length) add("connected", noted.fault + Math.max(...connects.map((e) => e.tMs)));
    add("fault", noted.fault);
    const failures = [
      ...run.connections.flatMap((c) => (c.firstFailure ? [c.firstFailure.afterMs] : [])),
      ...(run.distributions ?? []).flatMap((d) => (d.minMs === null ? [] : [d.minMs])),
    ];
    if (failures.length) add("first failure", noted.fault + Math.min(...failures));
  }
  add("torn down", noted.tornDown);
  return phases.sort((a, b) => a.atMs - b.atMs);
}

/** "timing    312.4 ms  peer-close: lab built": one line per phase, the times aligned. */
export function formatPhases(who: string, phases: Phase[]): string {
  return phases
    .map((p) => `timing ${p.atMs.toFixed(1).padStart(9)} ms  ${who ? `${who}: ` : ""}${p.name}\n`)
    .join("");
}

/** The run's name in timing lines: scenario, comparison label, repetition. */
function jobName(job: Job): string {
  return [job.scenario.name, job.label, job.repetition && `#${job.repetition}`]
    .filter(Boolean)
    .join(" ");
}

interface Noted {
  start?: number;
  labBuilt?: number;
  /** When the watch began: the fault's time when no progress call fixes it more closely. */
  watching?: number;
  /** The fault on this process's clock, from the first progress call (now - ms since fault). */
  fault?: number;
}

/** Hooks that note each run's phases and write them when the run is done. */
export function timingHooks(write: (text: string) => void): JobHooks {
  write(formatPhases("", processPhases()));
  const noted = new Map<Job, Noted>();
  const of = (job: Job): Noted => {
    const times = noted.get(job) ?? {};
    noted.set(job, times);
    return times;
  };
  return {
    onStep: (job, step) => {
      const times = of(job);
      const now = performance.now();
      if (STEP_PHASES[step] === "start") times.start ??= now;
      if (STEP_PHASES[step] === "lab built") times.labBuilt ??= now;
      if (step === "watch the connections" || step === "watch the program") times.watching ??= now;
    },
    onProgress: (job, elapsedMs) => {
      const times = of(job);
      times.fault ??= performance.now() - elapsedMs;
    },
    onDone: (job, run) => {
      const { start, labBuilt, watching, fault } = of(job);
      const tornDown = performance.now();
      write(
        formatPhases(
          jobName(job),
          runPhases({ start, labBuilt, fault: fault ?? watching, tornDown }, run),
        ),
      );
      noted.delete(job);
    },
  };
}

/** Both sets of hooks, `first`'s before `second`'s at each call. */
export function bothHooks(first: JobHooks = {}, second: JobHooks = {}): JobHooks {
  return {
    onStep: (job, step) => {
      first.onStep?.(job, step);
      second.onStep?.(job, step);
    },
    onProgress: (job, elapsed, events) => {
      first.onProgress?.(job, elapsed, events);
      second.onProgress?.(job, elapsed, events);
    },
    onDone: (job, run) => {
      first.onDone?.(job, run);
      second.onDone?.(job, run);
    },
  };
}
