// Canonical text of an expectation, and the time formats used in verdict messages.
import type { Expectation, TimeWindow, Tolerance } from "./model.js";

function trim(value: number, decimals: number): string {
  return String(Number(value.toFixed(decimals)));
}

/** A duration as the language writes it: `500ms`, `2.5s`, `0s`. */
export function formatDuration(ms: number): string {
  return ms !== 0 && Math.abs(ms) < 1000 ? `${trim(ms, 3)}ms` : `${trim(ms / 1000, 6)}s`;
}

/** Canonical window text: `2.5s..4s`, or `4s` when it starts at the fault. */
export function formatWindow(window: TimeWindow): string {
  if (window.fromMs === 0) return formatDuration(window.toMs);
  return `${formatDuration(window.fromMs)}..${formatDuration(window.toMs)}`;
}

export function formatTolerance(tolerance: Tolerance): string {
  if (tolerance.kind === "absolute") return `±${formatDuration(tolerance.ms)}`;
  return `±${tolerance.percent}%`;
}

/** The canonical text of an expectation; parseExpectation() reads it back unchanged. */
export function formatExpectation(e: Expectation): string {
  switch (e.kind) {
    case "result": {
      const call = e.call === null ? "" : `${e.call} `;
      const window = e.window === null ? "" : ` within ${formatWindow(e.window)}`;
      return `${e.conn}: ${call}${e.result}${window}`;
    }
    case "none":
      return `${e.conn}: none within ${formatDuration(e.withinMs)}`;
    case "predicted":
      return `${e.conn}: predicted${e.tolerance === null ? "" : ` ${formatTolerance(e.tolerance)}`}`;
    case "exits":
      return `${e.conn}: exits within ${formatDuration(e.withinMs)}`;
    case "exit-code":
      return `${e.conn}: exit code ${e.code}`;
  }
}

/** Signed seconds with 3 decimals, as packetdrill prints them: `+2.912`, `-0.120`. */
export function signedSeconds(ms: number): string {
  const text = (Math.abs(ms) / 1000).toFixed(3);
  return `${ms < 0 && Number(text) !== 0 ? "-" : "+"}${text}`;
}

/** A window in messages: `+2.500~+4.000 s`. */
export function windowText(window: TimeWindow): string {
  return `${signedSeconds(window.fromMs)}~${signedSeconds(window.toMs)} s`;
}

/** Plain seconds for lengths of time: `10 s`, `2.5 s`. */
export function plainSeconds(ms: number): string {
  return `${trim(ms / 1000, 3)} s`;
}
