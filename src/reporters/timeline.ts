// Timeline rows for the pretty reporter: events in time order, repeats collapsed, and a
// marker at t=0 (the fault) between the last event before it and the first at or after it.
import type { ChalkInstance } from "chalk";
import type { SocketEvent } from "../types.js";

/** Consecutive identical successful events shorter than this are printed one by one. */
export const MIN_COLLAPSE = 3;

export type TimelineRow =
  | { kind: "event"; event: SocketEvent }
  | { kind: "repeat"; first: SocketEvent; last: SocketEvent; count: number }
  | { kind: "fault" };

/** "+2912.4 ms" / "-310.2 ms"; the sign says which side of the fault the time is on. */
export function formatSignedMs(ms: number, unit = true): string {
  const text = `${ms < 0 ? "-" : "+"}${Math.abs(ms).toFixed(1)}`;
  return unit ? `${text} ms` : text;
}

function sameRepeat(a: SocketEvent, b: SocketEvent): boolean {
  return (
    a.result === "OK" &&
    b.result === "OK" &&
    a.side === b.side &&
    a.call === b.call &&
    a.bytes === b.bytes
  );
}

function collapse(events: SocketEvent[]): TimelineRow[] {
  const rows: TimelineRow[] = [];
  let i = 0;
  while (i < events.length) {
    let j = i + 1;
    while (j < events.length && sameRepeat(events[i], events[j])) j++;
    const count = j - i;
    if (count >= MIN_COLLAPSE) {
      rows.push({ kind: "repeat", first: events[i], last: events[j - 1], count });
    } else {
      for (let k = i; k < j; k++) rows.push({ kind: "event", event: events[k] });
    }
    i = j;
  }
  return rows;
}

/**
 * Orders events by time (stable for equal times) and collapses repeats on each side of the
 * fault separately, so that a collapsed line never hides where the fault fell.
 */
export function buildTimeline(events: SocketEvent[]): TimelineRow[] {
  const sorted = events
    .map((event, index) => ({ event, index }))
    .sort((a, b) => a.event.tMs - b.event.tMs || a.index - b.index)
    .map((x) => x.event);
  const before = sorted.filter((e) => e.tMs < 0);
  const after = sorted.filter((e) => e.tMs >= 0);
  return [...collapse(before), { kind: "fault" }, ...collapse(after)];
}

function rowEvent(row: TimelineRow): SocketEvent | null {
  if (row.kind === "event") return row.event;
  if (row.kind === "repeat") return row.first;
  return null;
}

/** Column widths shared by every timeline of a run, so that all of them line up. */
export interface TimelineWidths {
  time: number;
  side: number;
  call: number;
  result: number;
}

export function measureTimelines(timelines: TimelineRow[][]): TimelineWidths {
  const widths: TimelineWidths = { time: 0, side: 0, call: 0, result: 0 };
  for (const rows of timelines) {
    for (const row of rows) {
      const e = rowEvent(row);
      if (!e) continue;
      widths.time = Math.max(widths.time, formatSignedMs(e.tMs).length);
      widths.side = Math.max(widths.side, e.side.length);
      widths.call = Math.max(widths.call, e.call.length);
      widths.result = Math.max(widths.result, e.result.length);
    }
  }
  return widths;
}

export function colorResult(c: ChalkInstance, result: string, text = result): string {
  if (result === "OK") return c.green(text);
  if (result === "EOF") return c.yellow(text);
  return c.red(text);
}

const INDENT = "  ";
export const FAULT_MARKER = "──── fault ────";

/** One printed line per row; trailing blanks trimmed so that padding never dangles. */
export function renderTimeline(rows: TimelineRow[], w: TimelineWidths, c: ChalkInstance): string[] {
  return rows.map((row) => {
    if (row.kind === "fault") return `${INDENT}${c.bold(FAULT_MARKER)}`;
    const e = row.kind === "event" ? row.event : row.first;
    const extra: string[] = [];
    if (e.bytes !== undefined) extra.push(`${e.bytes} B`);
    if (row.kind === "event" && e.detail) extra.push(c.dim(e.detail));
    if (row.kind === "repeat") {
      const span = `from ${formatSignedMs(row.first.tMs, false)} to ${formatSignedMs(row.last.tMs)}`;
      extra.push(c.dim(`×${row.count} (${span})`));
    }
    // Padding stays outside the color codes so that trimEnd() sees it.
    const pad = (text: string, width: number) => " ".repeat(Math.max(0, width - text.length));
    const cells = [
      formatSignedMs(e.tMs).padStart(w.time),
      (e.side === "server" ? c.cyan(e.side) : e.side) + pad(e.side, w.side),
      e.call.padEnd(w.call),
      colorResult(c, e.result) + pad(e.result, w.result),
      ...extra,
    ];
    return `${INDENT}${cells.join("  ")}`.trimEnd();
  });
}
