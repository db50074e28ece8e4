// Repeat reporter (`--repeat N`): per scenario, per connection the usual outcome and the
// spread of its times over the repetitions, then STEADY or FLAKY and PASS or FAIL.
import { Chalk, type ChalkInstance } from "chalk";
import {
  type ConnectionRepeatSummary,
  type RepeatSummary,
  summarizeRepeats,
} from "../runner/stats.js";
import type { Report } from "../types.js";
import { type CompareOptions, DASH, formatDuration, table } from "./compare.js";
import type { Reporter } from "./reporter.js";
import { NOTHING_CHECKED } from "./skipped.js";
import { colorResult } from "./timeline.js";

function timeCell(ms: number | null): string {
  return ms === null ? DASH : formatDuration(ms);
}

/** "✘ differs in #2 (none), #4 (recv EOF)", or "—" for a steady connection. */
function flakyCell(conn: ConnectionRepeatSummary, c: ChalkInstance): string {
  if (!conn.flaky) return DASH;
  const which = conn.differing.map((i) => `#${i} (${conn.outcomes[i - 1]})`).join(", ");
  return `${c.red("✘")} differs in ${which}`;
}

function outcomeCell(outcome: string, c: ChalkInstance): string {
  const result = outcome.split(" ").at(-1) ?? outcome;
  return outcome.includes(" ") ? colorResult(c, result, outcome) : outcome;
}

/** The verdict on the repetitions as a whole. */
function repeatLine(s: RepeatSummary, c: ChalkInstance): string {
  const reps = `${s.repetitions} ${s.repetitions === 1 ? "repetition" : "repetitions"}`;
  const failed = s.failedRepetitions.length;
  const failedText = failed > 0 ? `; ${failed} of ${reps} failed` : "";
  if (!s.flaky) {
    const line = `STEADY over ${reps}${failedText}`;
    return failed > 0 ? c.red.bold(line) : c.green.bold(line);
  }
  const flakyConns = s.connections.filter((conn) => conn.flaky).length;
  const why =
    flakyConns > 0
      ? `${flakyConns} of ${s.connections.length} connections differ`
      : "same outcomes, but the expectations held in some repetitions only";
  return c.yellow.bold(`FLAKY over ${reps} (${why})${failedText}`);
}

/** The `--repeat N` report: per connection the usual outcome and the spread of its times. */
export function renderRepeat(summary: RepeatSummary, opts: CompareOptions): string {
  const c = new Chalk({ level: opts.color ? 1 : 0 });
  const t = table(["connection", "outcome", "n", "min", "median", "max", "flaky"]);
  for (const conn of summary.connections) {
    t.push([
      conn.id,
      outcomeCell(conn.outcome, c),
      `${conn.n}/${conn.repetitions}`,
      timeCell(conn.minMs),
      timeCell(conn.medianMs),
      timeCell(conn.maxMs),
      flakyCell(conn, c),
    ]);
  }
  return `${t.toString()}\n\n${repeatLine(summary, c)}\n`;
}

/** One header, the min/median/max table and a verdict per scenario. */
function repeatReport(name: string, report: Report, color: boolean): string {
  const runs = report.runs.filter((run) => run.scenario === name);
  const failed = runs.filter((run) => !run.passed).length;
  const unchecked = runs.every((run) => run.verdicts.length === 0);
  const verdict = failed
    ? `FAIL ${name} (${failed} of ${runs.length} repetitions failed)`
    : unchecked
      ? `${NOTHING_CHECKED} (${name})`
      : `PASS ${name}`;
  const text = renderRepeat(summarizeRepeats(runs), { color });
  return `tcpdrop run ${name} × ${runs.length}\n${text}${verdict}\n`;
}

export const repeatReporter: Reporter = {
  name: "repeat",
  render: (report, { color }) => {
    const byScenario = [...new Set(report.runs.map((run) => run.scenario))];
    return byScenario.map((name) => repeatReport(name, report, color)).join("\n");
  },
};
