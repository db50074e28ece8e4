// Compare reporter: one scenario under several settings side by side (`tcpdrop compare`). One
// line per setting × connection: what failed first, when, and how far that is from the
// kernel-timer prediction.
import { Chalk, type ChalkInstance } from "chalk";
import Table from "cli-table3";
import type { ConnectionReport, RunReport } from "../types.js";
import type { Reporter } from "./reporter.js";
import { NOTHING_CHECKED } from "./skipped.js";
import { colorResult } from "./timeline.js";

export interface CompareRow {
  /** What sets this run apart, e.g. "keepalive 1,1,2" or "off". */
  setting: string;
  engine?: string;
  run: RunReport;
}

export interface CompareOptions {
  color: boolean;
}

export const DASH = "—";
const MINUTE_MS = 60_000;
export const BEYOND_WINDOW = "beyond window";

/** "2791.0 ms", or "938.7 s" from a minute on. */
export function formatDuration(ms: number): string {
  return Math.abs(ms) >= MINUTE_MS ? `${(ms / 1000).toFixed(1)} s` : `${ms.toFixed(1)} ms`;
}

/** "+8.0 ms", "-12.5 ms", "+62.3 s"; the sign is taken after rounding, so never "-0.0". */
export function formatDifference(ms: number): string {
  const seconds = Math.abs(ms) >= MINUTE_MS;
  const rounded = Number((seconds ? ms / 1000 : ms).toFixed(1));
  const text = `${rounded < 0 ? "-" : "+"}${Math.abs(rounded).toFixed(1)}`;
  return `${text} ${seconds ? "s" : "ms"}`;
}

function firstFailureCell(conn: ConnectionReport, c: ChalkInstance): string {
  const f = conn.firstFailure;
  return f ? colorResult(c, f.result, `${f.call} ${f.result}`) : DASH;
}

function measuredCell(conn: ConnectionReport, windowS: number, c: ChalkInstance): string {
  const f = conn.firstFailure;
  return f ? formatDuration(f.afterMs) : c.yellow(`undetected within ${windowS} s`);
}

function predictedCell(conn: ConnectionReport): string {
  const p = conn.predicted;
  if (!p) return DASH;
  if (p.result === null) return "never";
  return p.afterMs === null ? DASH : formatDuration(p.afterMs);
}

/** measured − predicted; "beyond window" when both agree that nothing happens in the window. */
export function differenceCell(conn: ConnectionReport, windowS: number): string {
  const measured = conn.firstFailure?.afterMs ?? null;
  const p = conn.predicted;
  const predicted = p && p.result !== null ? p.afterMs : null;
  if (measured !== null && predicted !== null) return formatDifference(measured - predicted);
  if (measured === null && predicted !== null && predicted > windowS * 1000) return BEYOND_WINDOW;
  return DASH;
}

export function table(head: string[]): Table.Table {
  return new Table({ head, style: { head: [], border: [], compact: true } });
}

/** "FAIL (1 of 3 runs failed)", "PASS", or "no expectations checked". */
function passLine(runs: RunReport[], c: ChalkInstance): string {
  const failed = runs.filter((r) => !r.passed).length;
  if (failed === 0 && runs.every((r) => r.verdicts.length === 0)) {
    return c.yellow.bold(NOTHING_CHECKED);
  }
  if (failed === 0) return c.green.bold("PASS");
  return c.red.bold(
    `FAIL (${failed} of ${runs.length} ${runs.length === 1 ? "run" : "runs"} failed)`,
  );
}

/**
 * The `tcpdrop compare` report: the table, a hint per undetected connection, the expectations
 * that failed (prefixed with their setting), and PASS or FAIL. No ANSI codes without color.
 */
export function renderCompare(rows: CompareRow[], opts: CompareOptions): string {
  const c = new Chalk({ level: opts.color ? 1 : 0 });
  const withEngine = rows.some((r) => r.engine !== undefined);
  const t = table([
    "setting",
    ...(withEngine ? ["engine"] : []),
    "connection",
    "first failure",
    "measured",
    "predicted",
    "difference",
  ]);
  const hints: string[] = [];
  const failures: string[] = [];
  for (const { setting, engine, run } of rows) {
    const windowS = run.settings.windowS;
    for (const conn of run.connections) {
      t.push([
        setting,
        ...(withEngine ? [engine ?? run.engine] : []),
        conn.id,
        firstFailureCell(conn, c),
        measuredCell(conn, windowS, c),
        predictedCell(conn),
        differenceCell(conn, windowS),
      ]);
      if (conn.hint) {
        hints.push(`${c.cyan("hint:")} ${setting} · ${conn.id}: ${conn.hint}`);
      }
    }
    for (const v of run.verdicts) {
      if (!v.pass) failures.push(`${c.red("✘")} ${setting} · ${v.message}`);
    }
  }
  const sections = [
    t.toString(),
    hints.join("\n"),
    failures.join("\n"),
    passLine(
      rows.map((r) => r.run),
      c,
    ),
  ];
  return `${sections.filter((s) => s.length > 0).join("\n\n")}\n`;
}

export const compareReporter: Reporter = {
  name: "compare",
  render: (report, { color }) =>
    renderCompare(
      report.runs.map((run) => ({ setting: run.label ?? "", run })),
      { color },
    ),
};
