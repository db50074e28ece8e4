// The diagram as a Mermaid `sequenceDiagram`, which GitHub renders in pull requests, issues
// and $GITHUB_STEP_SUMMARY. Packets are messages (a lost one ends in a cross, the router's
// ICMP is dotted), calls and marks are notes, compressed silences say how long they were.
// Mermaid has no time axis, so every line carries its time.
import { escapeMermaid as esc } from "./escape.js";
import { at, callText, duration, predictionText } from "./format.js";
import { layout } from "./layout.js";
import type { DiagramInput } from "./types.js";

export function renderMermaid(input: DiagramInput): string {
  const lanes = input.lanes;
  const ids = new Map(lanes.map((lane, i) => [lane, `L${i}`]));
  const id = (lane: string) => ids.get(lane) ?? "L0";
  const all = `${id(lanes[0])},${id(lanes[lanes.length - 1])}`;
  const lines = ["sequenceDiagram", `  title ${esc(input.title)}`];
  for (const lane of lanes) lines.push(`  participant ${id(lane)} as ${esc(lane)}`);
  for (const span of input.spans)
    lines.push(
      `  Note over ${id(span.lane)}: ${esc(`${span.text} (${at(span.fromMs)} to ${at(span.toMs)})`)}`,
    );
  for (const { row } of layout(input, 0).rows) {
    if (row.type === "packet") {
      const p = row.packet;
      const arrow = p.lost ? "-x" : p.kind.startsWith("icmp") ? "-->>" : "->>";
      const text = `${at(p.tMs)} ${p.flags}${p.label && p.label !== p.flags ? ` (${p.label})` : ""}`;
      lines.push(`  ${id(p.from)}${arrow}${id(p.to)}: ${esc(text)}`);
    } else if (row.type === "call") {
      const c = row.call;
      const text = `${at(c.tMs)} ${c.conn} ${callText(c.call, c.result, row.count, row.untilMs)}`;
      lines.push(`  Note over ${id(c.lane)}: ${esc(text)}`);
    } else if (row.type === "mark") {
      const m = row.mark;
      const where = m.lane ? id(m.lane) : all;
      lines.push(`  Note over ${where}: ${esc(`${at(m.tMs)} ${m.text}`)}`);
    } else if (row.type === "prediction") {
      lines.push(`  Note over ${id(row.prediction.lane)}: ${esc(predictionText(row.prediction))}`);
    } else {
      const text = `⋯ ${duration(row.untilMs - row.tMs)} with nothing on the wire or in the calls (compressed) ⋯`;
      lines.push(`  Note over ${all}: ${esc(text)}`);
    }
  }
  return `${lines.join("\n")}\n`;
}

/** The same, fenced for a Markdown file or a GitHub step summary. */
export function renderMermaidMarkdown(input: DiagramInput): string {
  return `## ${input.title}\n\n\`\`\`mermaid\n${renderMermaid(input)}\`\`\`\n`;
}
