// Turns a diagram's items into rows down the page, in time order: one row per packet, call,
// mark or prediction, so nothing overlaps however close in time. Between rows the page
// advances with time (pxPerMs) up to a cap; a longer silence is compressed to a fixed band
// that says how long it was. Runs of the same call on the same connection with the same result
// (a writer's `send OK` every 200 ms) fold into one row "×N". Pure: shared by SVG and Mermaid.
import type {
  DiagramCall,
  DiagramInput,
  DiagramMark,
  DiagramPacket,
  DiagramPrediction,
} from "./types.js";

export type Row =
  | { type: "packet"; tMs: number; packet: DiagramPacket }
  | { type: "call"; tMs: number; call: DiagramCall; count: number; untilMs: number }
  | { type: "mark"; tMs: number; mark: DiagramMark }
  | { type: "prediction"; tMs: number; prediction: DiagramPrediction }
  /** A compressed silence from tMs to untilMs. */
  | { type: "gap"; tMs: number; untilMs: number };

export interface LayoutOptions {
  rowPx: number;
  pxPerMs: number;
  /** Most space a silence gets before it is compressed. */
  maxGapPx: number;
  /** Height of a compressed silence's band. */
  gapBandPx: number;
}

export const DEFAULT_LAYOUT: LayoutOptions = {
  rowPx: 22,
  pxPerMs: 0.2,
  maxGapPx: 60,
  gapBandPx: 34,
};

export interface Layout {
  rows: { row: Row; y: number }[];
  /** Page y of any time (interpolated between rows, so spans can be drawn). */
  yAt(tMs: number): number;
  height: number;
}

const ORDER: Record<Row["type"], number> = { mark: 0, packet: 1, call: 2, prediction: 3, gap: 4 };

/**
 * Fold runs of the same call and result on one connection, unless a packet of that connection
 * or a mark (the fault, a reboot) comes between them: a fold never hides an order that matters.
 */
export function foldCalls(
  calls: DiagramCall[],
  packets: DiagramPacket[] = [],
  marks: DiagramMark[] = [],
): Extract<Row, { type: "call" }>[] {
  const sorted = [...calls].sort((a, b) => a.tMs - b.tMs);
  const out: Extract<Row, { type: "call" }>[] = [];
  const last = new Map<string, Extract<Row, { type: "call" }>>();
  const between = (conn: string, from: number, to: number) =>
    packets.some((p) => p.conn === conn && p.tMs > from && p.tMs <= to) ||
    marks.some((m) => m.tMs > from && m.tMs <= to);
  for (const call of sorted) {
    const key = `${call.lane}\u0000${call.conn}`;
    const prev = last.get(key);
    const same = prev && prev.call.call === call.call && prev.call.result === call.result;
    if (prev && same && !between(call.conn, prev.untilMs, call.tMs)) {
      prev.count++;
      prev.untilMs = call.tMs;
      continue;
    }
    const row = { type: "call" as const, tMs: call.tMs, call, count: 1, untilMs: call.tMs };
    out.push(row);
    last.set(key, row);
  }
  return out;
}

export function layout(
  input: DiagramInput,
  top: number,
  options: LayoutOptions = DEFAULT_LAYOUT,
): Layout {
  const items: Row[] = [
    ...input.marks.map((mark) => ({ type: "mark" as const, tMs: mark.tMs, mark })),
    ...input.packets.map((packet) => ({ type: "packet" as const, tMs: packet.tMs, packet })),
    ...foldCalls(input.calls, input.packets, input.marks),
  ];
  const lastMs = Math.max(0, ...items.map((r) => r.tMs));
  for (const prediction of input.predictions) {
    const at = prediction.tMs !== null && prediction.tMs <= lastMs + 5000 ? prediction.tMs : null;
    items.push({ type: "prediction", tMs: at ?? lastMs + 1e-6, prediction });
  }
  items.sort((a, b) => a.tMs - b.tMs || ORDER[a.type] - ORDER[b.type]);

  const rows: { row: Row; y: number }[] = [];
  const anchors: [number, number][] = [];
  let y = top;
  let prevMs: number | null = null;
  // calls folded into one row go on until untilMs: no silence is compressed before then
  let busyUntil = Number.NEGATIVE_INFINITY;
  for (const row of items) {
    if (prevMs !== null) {
      const natural = (row.tMs - prevMs) * options.pxPerMs;
      const start = Math.max(prevMs, busyUntil);
      if ((row.tMs - start) * options.pxPerMs > options.maxGapPx) {
        const gapRow: Row = { type: "gap", tMs: start, untilMs: row.tMs };
        rows.push({ row: gapRow, y: y + options.rowPx / 2 });
        anchors.push([start, y]);
        y += options.rowPx / 2 + options.gapBandPx;
      } else y += options.rowPx + Math.min(natural, options.maxGapPx);
    }
    rows.push({ row, y });
    anchors.push([row.tMs, y]);
    prevMs = row.tMs;
    if (row.type === "call") busyUntil = Math.max(busyUntil, row.untilMs);
  }
  return { rows, yAt: (t) => interpolate(anchors, t, top), height: y + options.rowPx };
}

/** y of time t between the anchors around it (the last anchor for equal times). */
function interpolate(anchors: [number, number][], t: number, top: number): number {
  if (anchors.length === 0) return top;
  if (t <= anchors[0][0]) return anchors[0][1];
  for (let i = 1; i < anchors.length; i++) {
    const [t1, y1] = anchors[i];
    const [t0, y0] = anchors[i - 1];
    if (t < t1) return y0 + ((t - t0) / (t1 - t0)) * (y1 - y0);
  }
  return anchors[anchors.length - 1][1];
}
