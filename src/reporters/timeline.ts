// Timeline rows for the pretty reporter: events in time order, repeats collapsed, and a
// marker at t=0 (the fault) between the last event before it and the first at or after it.
import type { ChalkInstance } from "chalk";
import type { SocketEvent, WirePacket } from "../types.js";
import { packetText, samePacket, WIRE } from "./wire-rows.js";

/** Consecutive identical successful events shorter than this are printed one by one. */
export const MIN_COLLAPSE = 3;

export type TimelineRow =
  | { kind: "event"; event: SocketEvent }
  | { kind: "repeat"; first: SocketEvent; last: SocketEvent; count: number }
  | { kind: "fault" }
  | { kind: "packet"; packet: WirePacket }
  | { kind: "packet-repeat"; first: WirePacket; last: WirePacket; count: number };

/** A call or a packet, in time order. */
type Item = { event: SocketEvent } | { packet: WirePacket };
const timeOf = (item: Item) => ("event" in item ? item.event.tMs : item.packet.tMs);

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

function collapse(items: Item[]): TimelineRow[] {
  const rows: TimelineRow[] = [];
  let i = 0;
  while (i < items.length) {
    const item = items[i];
    let j = i + 1;
    const same = (other: Item) =>
      "event" in item
        ? "event" in other && sameRepeat(item.event, other.event)
        : "packet" in other && samePacket(item.packet, other.packet);
    while (j < items.length && same(items[j])) j++;
    const count = j - i;
    const last = items[j - 1];
    if ("event" in item && "event" in last && count >= MIN_COLLAPSE) {
      rows.push({ kind: "repeat", first: item.event, last: last.event, count });
    } else if ("packet" in item && "packet" in last && count >= MIN_COLLAPSE) {
      rows.push({ kind: "packet-repeat", first: item.packet, last: last.packet, count });
    } else {
      for (const it of items.slice(i, j))
        rows.push(
          "event" in it
            ? { kind: "event", event: it.event }
            : { kind: "packet", packet: it.packet },
        );
    }
    i = j;
  }
  return rows;
}

/**
 * Orders events by time (stable for equal times) and collapses repeats on each side of the
 * fault separately, so that a collapsed line never hides where the fault fell.
 */
export function buildTimeline(events: SocketEvent[], packets: WirePacket[] = []): TimelineRow[] {
  const items: Item[] = [
    ...events.map((event) => ({ event })),
    ...packets.map((packet) => ({ packet })),
  ];
  const sorted = items
    .map((item, index) => ({ item, index }))
    .sort((a, b) => timeOf(a.item) - timeOf(b.item) || a.index - b.index)
    .map((x) => x.item);
  const before = sorted.filter((e) => timeOf(e) < 0);
  const after = sorted.filter((e) => timeOf(e) >= 0);
  return [...collapse(before), { kind: "fault" }, ...collapse(after)];
}

function rowEvent(row: TimelineRow): SocketEvent | null {
  if (row.kind === "packet" || row.kind === "packet-repeat") {
    const p = row.kind === "packet" ? row.packet : row.first;
    return { tMs: p.tMs, side: WIRE as SocketEvent["side"], conn: "", call: "", result: "" };
  }
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
    if (row.kind === "packet" || row.kind === "packet-repeat") {
      const p = row.kind === "packet" ? row.packet : row.first;
      const fold =
        row.kind === "packet-repeat"
          ? { last: row.last, count: row.count, span: span(row.first.tMs, row.last.tMs) }
          : undefined;
      const time = formatSignedMs(p.tMs).padStart(w.time);
      return `${INDENT}${time}  ${c.dim(WIRE.padEnd(w.side))}  ${packetText(p, c, fold)}`.trimEnd();
    }
    const e = row.kind === "event" ? row.event : row.first;
    const extra: string[] = [];
    if (e.bytes !== undefined) extra.push(`${e.bytes} B`);
    if (row.kind === "event" && e.detail) extra.push(c.dim(e.detail));
    if (row.kind === "repeat") {
      extra.push(c.dim(`×${row.count} (${span(row.first.tMs, row.last.tMs)})`));
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

function span(fromMs: number, toMs: number): string {
  return `from ${formatSignedMs(fromMs, false)} to ${formatSignedMs(toMs)}`;
}
