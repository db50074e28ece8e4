// `--repeat N`: what the repetitions of one scenario with one set of settings have in common.
// Per connection: the outcome of each repetition (the first failing call and its result, or
// "none"), the most common one, the spread of its times, and which repetitions saw something
// else (a flaky connection).
import type { RunReport } from "../types.js";

/** The outcome of a connection that saw no failure within the window. */
export const NONE = "none";
/** The outcome of a connection that a repetition did not report at all. */
export const MISSING = "missing";

export interface ConnectionRepeatSummary {
  id: string;
  /** Outcome per repetition, in order: "recv ETIMEDOUT", "none" or "missing". */
  outcomes: string[];
  /** The most common outcome; on a tie, the one that came first. */
  outcome: string;
  /** How many repetitions had the most common outcome (the sample behind min/median/max). */
  n: number;
  /** How many repetitions there were. */
  repetitions: number;
  /** afterMs over the repetitions with the most common outcome; null when that is "none". */
  minMs: number | null;
  medianMs: number | null;
  maxMs: number | null;
  /** True when some repetition's outcome differs from the others. */
  flaky: boolean;
  /** The repetitions (1-based) whose outcome is not the most common one. */
  differing: number[];
}

export interface RepeatSummary {
  scenario: string;
  settings: RunReport["settings"];
  repetitions: number;
  /** Connections in the order the runs list them. */
  connections: ConnectionRepeatSummary[];
  /** Repetitions (1-based) whose expectations did not all hold. */
  failedRepetitions: number[];
  /**
   * True when any connection is flaky, or when some repetitions passed and others failed (an
   * expectation with a tight window can flip while the outcome stays the same).
   */
  flaky: boolean;
}

/** "recv ETIMEDOUT", or "none" when the connection saw nothing within the window. */
export function outcomeOf(run: RunReport, id: string): string {
  const conn = run.connections.find((c) => c.id === id);
  if (!conn) return MISSING;
  const f = conn.firstFailure;
  return f ? `${f.call} ${f.result}` : NONE;
}

/** The median of a non-empty list: the middle value, or the mean of the two middle ones. */
export function median(values: number[]): number {
  if (values.length === 0) throw new Error("median of an empty list");
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** The most frequent value; on a tie, the one that occurs first. */
function mostCommon(values: string[]): string {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  let best = values[0];
  for (const [v, n] of counts) if (n > (counts.get(best) ?? 0)) best = v;
  return best;
}

/** The settings as a string that does not depend on key order. */
function settingsKey(s: RunReport["settings"]): string {
  const sysctls = Object.fromEntries(
    Object.entries(s.sysctls).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  );
  return JSON.stringify({ ...s, sysctls });
}

function connectionIds(runs: RunReport[]): string[] {
  const ids: string[] = [];
  for (const run of runs) {
    for (const c of run.connections) if (!ids.includes(c.id)) ids.push(c.id);
  }
  return ids;
}

function summarizeConnection(runs: RunReport[], id: string): ConnectionRepeatSummary {
  const outcomes = runs.map((run) => outcomeOf(run, id));
  const outcome = mostCommon(outcomes);
  const times: number[] = [];
  const differing: number[] = [];
  runs.forEach((run, i) => {
    if (outcomes[i] !== outcome) {
      differing.push(i + 1);
      return;
    }
    const f = run.connections.find((c) => c.id === id)?.firstFailure;
    if (f) times.push(f.afterMs);
  });
  return {
    id,
    outcomes,
    outcome,
    n: outcomes.length - differing.length,
    repetitions: runs.length,
    minMs: times.length ? Math.min(...times) : null,
    medianMs: times.length ? median(times) : null,
    maxMs: times.length ? Math.max(...times) : null,
    flaky: differing.length > 0,
    differing,
  };
}

/**
 * Summarizes repetitions of one scenario with one set of settings. Throws when there are none,
 * or when they are not repetitions of the same thing (a different scenario or settings).
 */
export function summarizeRepeats(runs: RunReport[]): RepeatSummary {
  if (runs.length === 0) throw new Error("summarizeRepeats: no runs to summarize");
  const first = runs[0];
  const key = settingsKey(first.settings);
  for (const [i, run] of runs.entries()) {
    if (run.scenario !== first.scenario || settingsKey(run.settings) !== key) {
      throw new Error(
        `summarizeRepeats: run ${i + 1} (${run.scenario}) is not a repetition of run 1 (${first.scenario}) with the same settings`,
      );
    }
  }
  const connections = connectionIds(runs).map((id) => summarizeConnection(runs, id));
  const failedRepetitions = runs.flatMap((run, i) => (run.passed ? [] : [i + 1]));
  const mixedVerdicts = failedRepetitions.length > 0 && failedRepetitions.length < runs.length;
  return {
    scenario: first.scenario,
    settings: first.settings,
    repetitions: runs.length,
    connections,
    failedRepetitions,
    flaky: connections.some((c) => c.flaky) || mixedVerdicts,
  };
}
