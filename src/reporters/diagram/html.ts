// The diagram as one self-contained HTML page: the SVG inline, a legend, a little CSS and a
// few lines of script that show the full packet or call under the pointer. No network access:
// no CDN, no font, no external file.
import { escapeXml as esc } from "./escape.js";
import { renderSvg } from "./svg.js";
import type { DiagramInput } from "./types.js";

const PAGE_STYLE = [
  "body{margin:16px;font:14px system-ui,sans-serif;color:#222}",
  "#tip{position:fixed;pointer-events:none;max-width:520px;padding:6px 8px;background:#222;",
  "color:#fff;border-radius:4px;font:12px ui-monospace,monospace;white-space:pre-wrap}",
  ".legend span{display:inline-block;margin-right:14px}",
  ".legend i{display:inline-block;width:18px;height:3px;margin-right:4px;vertical-align:middle}",
].join("");

const LEGEND: [string, string][] = [
  ["#333", "packet"],
  ["#d0700a", "retransmission / tail loss probe"],
  ["#7b3fbf", "keepalive / window probe"],
  ["#c00", "RST, failing call, fault"],
  ["#0a7d8c", "ICMP from the router"],
  ["#bbb", "host dead (dashed lifeline)"],
];

const HOVER_SCRIPT = `
const tip = document.getElementById("tip");
document.addEventListener("mousemove", (e) => {
  const g = e.target.closest && e.target.closest("[data-tip]");
  if (!g) { tip.hidden = true; return; }
  tip.textContent = g.getAttribute("data-tip");
  tip.hidden = false;
  tip.style.left = Math.min(e.clientX + 14, innerWidth - 540) + "px";
  tip.style.top = (e.clientY + 14) + "px";
});`;

/** The page; `body` is the picture (the input's own SVG unless several are joined). */
export function renderHtml(input: DiagramInput, body = renderSvg(input)): string {
  const legend = LEGEND.map(
    ([color, what]) => `<span><i style="background:${color}"></i>${esc(what)}</span>`,
  ).join("");
  return [
    "<!doctype html>",
    '<html lang="en"><head><meta charset="utf-8">',
    `<title>${esc(input.title)}</title>`,
    `<style>${PAGE_STYLE}</style></head><body>`,
    `<p class="legend">${legend}</p>`,
    "<p>Time runs down; t=0 is the fault. Long silences are compressed and say so. Point at anything for the full packet or call.</p>",
    body,
    '<div id="tip" hidden></div>',
    `<script>${HOVER_SCRIPT}</script>`,
    "</body></html>",
    "",
  ].join("\n");
}
