// Pretty reporter: what an engineer reads first. Per run: a header with the settings, a
// timeline per connection (t=0 is the fault), a summary table of first failures against the
// predicted ones, hints for undetected connections, and the verdicts.
import { Chalk, type ChalkInstance } from "chalk";
import Table from "cli-table3";
import type { ConnectionReport, Prediction, Report, RunReport, SocketEvent } from "../types.js";
import { captureNote } from "./capture-note.js";
import { programSection } from "./program-section.js";
import type { Reporter } from "./reporter.js";
import { renderDistributions, scaleAnswer } from "./scale.js";
import { NOTHING_CHECKED, skippedSummary } from "./skipped.js";
import {
  buildTimeline,
  colorResult,
  formatSignedMs,
  measureTimelines,
  renderTimeline,
} from "./timeline.js";
import { shownPackets } from "./wire-rows.js";

export { formatSignedMs } from "./timeline.js";

/** Advice for a connection that saw no failure within the window, or null for none. */
export type HintFn = (c: ConnectionReport, windowS: number) => string | null;

export interface PrettyOptions {
  color: boolean;
  hint?: HintFn;
}

const DASH = "—";

/** "2912.4 ms". */
export function formatMs(ms: number): string {
  return `${ms.toFixed(1)} ms`;
}

function shortSysctl(name: string): string {
  return name.replace(/^net\.ipv4\./, "");
}

function settingsLine(s: RunReport["settings"]): string {
  const parts = [
    s.programs?.client
      ? "client: your program (its socket options below)"
      : s.keepalive
        ? `keepalive ${s.keepalive.idle},${s.keepalive.interval},${s.keepalive.count} (idle,intvl,cnt s)`
        : "keepalive off",
    s.programs?.client
      ? ""
      : s.userTimeoutMs !== null
        ? `user-timeout ${s.userTimeoutMs} ms`
        : "user-timeout off",
    ...Object.entries(s.sysctls).map(([k, v]) => `${shortSysctl(k)}=${v}`),
    `window ${s.windowS} s`,
  ];
  if (s.ignoreSigterm) parts.push(`ignores SIGTERM (grace ${s.graceMs} ms)`);
  return parts.filter((p) => p !== "").join(" · ");
}

function header(run: RunReport, kernel: string, c: ChalkInstance): string[] {
  return [
    c.bold(`tcpdrop run ${run.scenario}`),
    c.dim(`kernel ${kernel} · engine ${run.engine}`),
    c.dim(settingsLine(run.settings)),
    run.summary,
    ...captureNote(run, c),
  ];
}

/**
 * The server's successful reads are the sink draining the writer: noise next to the client's
 * calls, so the human timeline leaves them out (the JSON report keeps every event).
 */
const isServerRead = (e: SocketEvent) =>
  e.side === "server" && e.call === "recv" && e.result === "OK";

function timelines(run: RunReport, c: ChalkInstance): string[] {
  const rows = run.connections.map((conn) =>
    buildTimeline(
      conn.events.filter((e) => !isServerRead(e)),
      shownPackets(run.packets, conn.id),
    ),
  );
  const widths = measureTimelines(rows);
  const out: string[] = [];
  run.connections.forEach((conn, i) => {
    out.push("", c.bold(`${conn.id} (${conn.side} workload ${conn.workload})`));
    if (conn.events.length === 0) out.push(c.dim("  (no socket calls recorded)"));
    out.push(...renderTimeline(rows[i], widths, c));
  });
  return out;
}

function predictedCell(conn: ConnectionReport): string {
  const p = conn.predicted;
  if (!p) return DASH;
  if (p.result === null) return "never";
  if (p.afterMs === null) return p.result;
  // Beyond a minute, seconds read better than 938700.0 ms.
  const at = p.afterMs >= 60_000 ? `${(p.afterMs / 1000).toFixed(1)} s` : formatMs(p.afterMs);
  return `${p.result} at ${at}`;
}

function table(run: RunReport, c: ChalkInstance): string {
  const t = new Table({
    // With --detect every connection is one detection method.
    head: run.settings.detect?.length
      ? ["method", "first sign", "after", "predicted", "basis"]
      : ["connection", "first failure", "after", "predicted", "basis"],
    style: { head: [], border: [], compact: true },
    // Only the basis (a sentence) wraps; the other columns size themselves.
    colWidths: [null, null, null, null, 48] as unknown as number[],
    wordWrap: true,
  });
  for (const conn of run.connections) {
    const f = conn.firstFailure;
    t.push([
      conn.id,
      f ? colorResult(c, f.result, `${f.call} ${f.result}`) : DASH,
      f ? formatMs(f.afterMs) : c.yellow(`undetected within ${run.settings.windowS} s`),
      predictedCell(conn),
      conn.predicted ? withUncertainty(conn.predicted) : DASH,
    ]);
  }
  return t.toString();
}

function hints(run: RunReport, c: ChalkInstance, hint: HintFn | undefined): string[] {
  hint ??= (conn) => conn.hint ?? null;
  const out: string[] = [];
  for (const conn of run.connections) {
    // A failed connection keeps only the model's own advice (conn.hint); see Prediction.hint.
    const text = conn.firstFailure ? (conn.hint ?? null) : hint(conn, run.settings.windowS);
    const line = `${c.cyan("hint:")} ${text}`;
    if (text && !out.includes(line)) out.push(line);
  }
  return out;
}

/** The one-line answer: what each connection saw first, and when. */
export function answerLine(run: RunReport): string {
  const parts = run.connections.map((conn) => {
    const f = conn.firstFailure;
    if (!f) return `${conn.id} saw nothing within ${run.settings.windowS} s`;
    return `${conn.id} got ${f.call} ${f.result} after ${(f.afterMs / 1000).toFixed(3)} s`;
  });
  return `answer: ${parts.join("; ")}`;
}

function verdicts(run: RunReport, c: ChalkInstance): string[] {
  const out = run.verdicts.map((v) =>
    v.pass ? `${c.green("✔")} ${v.message}` : `${c.red("✘")} ${v.message}`,
  );
  const total = run.verdicts.length;
  const failed = run.verdicts.filter((v) => !v.pass).length;
  const skipped = skippedSummary(run.expectations?.skipped ?? []);
  if (skipped) out.push(c.yellow(skipped));
  if (run.passed && total === 0) {
    out.push(c.yellow.bold(`${NOTHING_CHECKED} (${run.scenario})`));
  } else if (run.passed && failed === 0) {
    out.push(c.green.bold(`PASS ${run.scenario}`));
  } else {
    const noun = total === 1 ? "expectation" : "expectations";
    const why = failed > 0 ? ` (${failed} of ${total} ${noun} failed)` : "";
    out.push(c.red.bold(`FAIL ${run.scenario}${why}`));
  }
  return out;
}

/** What the lab and the server process did after the fault (a signal, a reboot). */
function steps(run: RunReport, c: ChalkInstance): string[] {
  if (!run.steps?.length) return [];
  const width = Math.max(...run.steps.map((s) => formatSignedMs(s.tMs).length));
  return [
    c.bold("fault steps"),
    ...run.steps.map((s) => `  ${formatSignedMs(s.tMs).padStart(width)}  ${c.magenta(s.what)}`),
  ];
}

function renderRun(run: RunReport, kernel: string, opts: PrettyOptions, c: ChalkInstance): string {
  const scaled = run.distributions !== undefined;
  const sections = [
    header(run, kernel, c).join("\n"),
    steps(run, c).join("\n"),
    scaled ? renderDistributions(run, c) : timelines(run, c).join("\n").replace(/^\n/, ""),
    scaled ? "" : table(run, c),
    scaled ? "" : hints(run, c, opts.hint).join("\n"),
    programSection(run, c).join("\n"),
    c.bold(scaled ? scaleAnswer(run) : answerLine(run)),
    verdicts(run, c).join("\n"),
  ];
  return sections.filter((s) => s.length > 0).join("\n\n");
}

/** The human report; with color false it holds no ANSI escape at all. */
export function renderPretty(report: Report, opts: PrettyOptions): string {
  const c = new Chalk({ level: opts.color ? 1 : 0 });
  const runs = report.runs.map((run) => renderRun(run, report.kernel, opts, c));
  return `${runs.join("\n\n\n")}\n`;
}

export const prettyReporter: Reporter = {
  name: "pretty",
  render: (report, { color }) => renderPretty(report, { color }),
};

/** The basis, and why its time may not hold when the model says so. */
function withUncertainty(p: Prediction): string {
  return p.uncertain ? `${p.basis} (uncertain: ${p.uncertain})` : p.basis;
}
