// The diagram as SVG: one column per lane with its lifeline (dashed grey while the host is
// dead), packets as arrows labelled with flags and kind (lost ones end in a cross, the router's
// ICMP is dashed), calls as boxes coloured by result, the fault as a red line across, kernel
// timers as bars beside their lane, predictions as diamonds with the measured time next to
// them, and compressed silences as bands that say how long they were. Every element carries
// its full text in <title> (a tooltip anywhere) and data-tip (the HTML page's hover panel).
import { escapeXml as esc } from "./escape.js";
import { at, callText, duration, predictionText, resultClass } from "./format.js";
import { type Layout, layout } from "./layout.js";
import { SVG_STYLE } from "./svg-style.js";
import type { DiagramInput, DiagramPacket } from "./types.js";

const LEFT = 96;
const LANE_W = 300;
const TOP = 92;
const CALL_W = 236;
const RIGHT = 40;

export function renderSvg(input: DiagramInput): string {
  const lay = layout(input, TOP);
  const x = (lane: string) => LEFT + LANE_W * Math.max(0, input.lanes.indexOf(lane)) + LANE_W / 2;
  const width = LEFT + LANE_W * input.lanes.length + RIGHT;
  const height = lay.height + 20;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" class="tcpdrop-diagram" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${esc(input.title)}">`,
    `<style>${SVG_STYLE}</style>`,
    '<defs><marker id="head" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0L10,5L0,10z" fill="context-stroke"/></marker></defs>',
    `<text class="title" x="12" y="22">${esc(input.title)}</text>`,
  ];
  if (input.subtitle)
    out.push(`<text class="subtitle" x="12" y="40">${esc(input.subtitle)}</text>`);
  out.push(...lanes(input, lay, x));
  out.push(...spans(input, lay, x));
  for (const { row, y } of lay.rows) {
    if (row.type === "gap") {
      const text = `${duration(row.untilMs - row.tMs)} of silence compressed`;
      out.push(
        `<g class="gap" data-tip="${esc(`${text}: ${at(row.tMs)} to ${at(row.untilMs)}`)}"><title>${esc(text)}</title><rect x="${LEFT - 90}" y="${y + 2}" width="${width - LEFT + 80}" height="22"/><text x="${LEFT + 8}" y="${y + 17}">⋯ ${esc(text)} ⋯</text></g>`,
      );
      continue;
    }
    out.push(`<text class="time" x="${LEFT - 10}" y="${y + 4}">${esc(at(row.tMs))}</text>`);
    if (row.type === "packet") out.push(packet(row.packet, y, x));
    else if (row.type === "call") {
      const c = row.call;
      const text = callText(c.call, c.result, row.count, row.untilMs);
      const tip = `${at(c.tMs)} ${c.lane} ${c.conn}: ${text}${c.detail ? ` · ${c.detail}` : ""}`;
      out.push(
        `<g class="call r-${resultClass(c.result)}" data-tip="${esc(tip)}"><title>${esc(tip)}</title><rect x="${x(c.lane) - CALL_W / 2}" y="${y - 9}" width="${CALL_W}" height="18" rx="4"/><text x="${x(c.lane)}" y="${y + 4}">${esc(`${c.conn} ${text}`)}</text></g>`,
      );
    } else if (row.type === "mark") {
      const m = row.mark;
      const tip = `${at(m.tMs)} ${m.text}`;
      const [x1, x2] = m.lane
        ? [x(m.lane) - LANE_W / 2 + 10, x(m.lane) + LANE_W / 2 - 10]
        : [LEFT - 90, width - 10];
      out.push(
        `<g class="mark m-${m.kind}" data-tip="${esc(tip)}"><title>${esc(tip)}</title><line x1="${x1}" y1="${y}" x2="${x2}" y2="${y}"/><text x="${x1 + 100}" y="${y - 4}">${esc(m.text)}</text></g>`,
      );
    } else {
      const p = row.prediction;
      const tip = `${predictionText(p)}${p.basis ? ` · ${p.basis}` : ""}`;
      const cx = x(p.lane);
      out.push(
        `<g class="prediction" data-tip="${esc(tip)}"><title>${esc(tip)}</title><path d="M${cx},${y - 7}l7,7l-7,7l-7,-7z"/><text x="${cx + 12}" y="${y + 4}">${esc(predictionText(p))}</text></g>`,
      );
    }
  }
  out.push("</svg>");
  return `${out.join("\n")}\n`;
}

function packet(p: DiagramPacket, y: number, x: (lane: string) => number): string {
  const x1 = x(p.from);
  const x2 = x(p.to);
  const dir = Math.sign(x2 - x1) || 1;
  const end = x2 - dir * 4;
  const label = p.label && p.label !== p.flags ? `${p.flags} · ${p.label}` : p.flags;
  const tip = `${at(p.tMs)} ${p.from} → ${p.to} ${label}${p.detail ? ` · ${p.detail}` : ""}${p.lost ? " · lost" : ""}`;
  const cls = `packet k-${p.kind.replace(/[^a-z0-9-]/gi, "")}${p.lost ? " lost" : ""}`;
  const head = p.lost ? "" : ' marker-end="url(#head)"';
  const cross = p.lost ? `<path class="cross" d="M${end - 5},${y - 5}l10,10m0,-10l-10,10"/>` : "";
  return `<g class="${cls}" data-tip="${esc(tip)}"><title>${esc(tip)}</title><line x1="${x1}" y1="${y}" x2="${end}" y2="${y}"${head}/>${cross}<text x="${(x1 + x2) / 2}" y="${y - 4}">${esc(label)}</text></g>`;
}

/** Lane heads, and lifelines broken into alive (solid) and dead (dashed) stretches. */
function lanes(input: DiagramInput, lay: Layout, x: (lane: string) => number): string[] {
  const out: string[] = [];
  const bottom = lay.height;
  for (const lane of input.lanes) {
    out.push(
      `<g class="lane"><rect x="${x(lane) - 60}" y="52" width="120" height="24" rx="4"/><text x="${x(lane)}" y="69">${esc(lane)}</text></g>`,
    );
    const changes = input.marks
      .filter((m) => m.lane === lane && (m.kind === "host-death" || m.kind === "reboot"))
      .sort((a, b) => a.tMs - b.tMs);
    let from = TOP - 16;
    let dead = false;
    for (const m of changes) {
      const y = lay.yAt(m.tMs);
      out.push(lifeline(x(lane), from, y, dead));
      from = y;
      dead = m.kind === "host-death";
    }
    out.push(lifeline(x(lane), from, bottom, dead));
  }
  return out;
}

function lifeline(x: number, y1: number, y2: number, dead: boolean): string {
  return `<line class="lifeline${dead ? " dead" : ""}" x1="${x}" y1="${y1}" x2="${x}" y2="${y2}"/>`;
}

/** Kernel timers as bars just left of their lane's lifeline, stacked when they overlap. */
function spans(input: DiagramInput, lay: Layout, x: (lane: string) => number): string[] {
  const out: string[] = [];
  const used = new Map<string, number[]>();
  for (const s of [...input.spans].sort((a, b) => a.fromMs - b.fromMs)) {
    // reuse the first column whose previous span has ended
    const ends = used.get(s.lane) ?? [];
    let slot = ends.findIndex((end) => end <= s.fromMs);
    if (slot < 0) slot = ends.length;
    ends[slot] = s.toMs;
    used.set(s.lane, ends);
    const bx = x(s.lane) - CALL_W / 2 - 14 - slot * 12;
    const y1 = lay.yAt(s.fromMs);
    const y2 = Math.max(y1 + 4, lay.yAt(s.toMs));
    const tip = `${s.text}: ${at(s.fromMs)} to ${at(s.toMs)}`;
    // the label runs down beside the bar, only where the bar is long enough to hold it
    const label =
      y2 - y1 >= s.text.length * 5.5
        ? `<text transform="translate(${bx - 3},${y1 + 4}) rotate(90)">${esc(s.text)}</text>`
        : "";
    out.push(
      `<g class="span s-${s.kind}" data-tip="${esc(tip)}"><title>${esc(tip)}</title><rect x="${bx}" y="${y1}" width="8" height="${y2 - y1}" rx="3"/>${label}</g>`,
    );
  }
  return out;
}
