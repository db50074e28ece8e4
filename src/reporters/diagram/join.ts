// Several runs in one diagram file, side by side where the format can: HTML puts one section
// per run next to each other, SVG one picture per run next to each other in one SVG, Markdown
// one section per run, and a Mermaid file (one diagram) a note across all lanes heading each
// run's part.
import { escapeXml as esc } from "./escape.js";
import { renderHtml } from "./html.js";
import { renderMermaid } from "./mermaid.js";
import { renderSvg } from "./svg.js";
import type { DiagramInput } from "./types.js";

type Format = "html" | "svg" | "mermaid" | "markdown";

const GAP = 24;

export function joinDiagrams(inputs: DiagramInput[], format: Format, title: string): string {
  if (format === "markdown") {
    const parts = inputs.map((i) => `## ${i.title}\n\n\`\`\`mermaid\n${renderMermaid(i)}\`\`\`\n`);
    return `# ${title}\n\n${parts.join("\n")}`;
  }
  if (format === "mermaid") return joinMermaid(inputs);
  const svgs = inputs.map(renderSvg);
  if (format === "html") {
    const sections = inputs.map(
      (input, i) => `<section><h2>${esc(input.title)}</h2>${svgs[i]}</section>`,
    );
    const body = `<div style="display:flex;gap:${GAP}px;align-items:flex-start">${sections.join("")}</div>`;
    return renderHtml({ ...inputs[0], title }, body);
  }
  let x = 0;
  let height = 0;
  const placed = svgs.map((svg) => {
    const w = Number(/ width="(\d+(?:\.\d+)?)"/.exec(svg)?.[1] ?? 0);
    const h = Number(/ height="(\d+(?:\.\d+)?)"/.exec(svg)?.[1] ?? 0);
    const out = svg.replace("<svg ", `<svg x="${x}" y="0" `);
    x += w + GAP;
    height = Math.max(height, h);
    return out;
  });
  const width = Math.max(0, x - GAP);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${esc(title)}">${placed.join("")}</svg>\n`;
}

/** One Mermaid diagram: the first run's lanes, then each run's lines under a heading note. */
function joinMermaid(inputs: DiagramInput[]): string {
  const lines: string[] = [];
  inputs.forEach((input, i) => {
    const own = renderMermaid(input).trimEnd().split("\n");
    const head = own.filter((l) => /^(sequenceDiagram|\s+title |\s+participant )/.test(l));
    const body = own.filter((l) => !head.includes(l));
    if (i === 0) lines.push(...head.filter((l) => !/^\s+title /.test(l)));
    const all = head.filter((l) => /participant/.test(l)).map((l) => l.trim().split(" ")[1]);
    lines.push(
      `  Note over ${all[0]},${all[all.length - 1]}: ${input.title.replace(/[;#]/g, " ")}`,
    );
    lines.push(...body);
  });
  return `${lines.join("\n")}\n`;
}
