// The diagram renderers on a fixed input: structure (arrows, boxes, marks, compressed
// silences, folded calls) and escaping, asserted element by element rather than by snapshot.
import { describe, expect, it } from "vitest";
import { escapeMermaid, escapeXml } from "../../src/reporters/diagram/escape.js";
import { diagramFormat, renderDiagram } from "../../src/reporters/diagram/index.js";
import { foldCalls, layout } from "../../src/reporters/diagram/layout.js";
import { renderMermaid } from "../../src/reporters/diagram/mermaid.js";
import { renderSvg } from "../../src/reporters/diagram/svg.js";
import { FIXED, TRICKY } from "./diagram-fixture.js";

const count = (text: string, re: RegExp) => (text.match(re) ?? []).length;

describe("escaping", () => {
  it("XML: the five special characters", () => {
    expect(escapeXml(TRICKY)).toBe("a&lt;b &amp; &quot;c&quot; &#39;d&#39; #1; %%x");
  });
  it('Mermaid: one line, entity codes for # ; & < > "', () => {
    expect(escapeMermaid(`${TRICKY}\nnext`)).toBe(
      "a#60;b #38; #quot;c#quot; 'd' #35;1#59; %%x next",
    );
  });
});

describe("layout", () => {
  it("folds identical calls only where no packet of the connection or mark comes between", () => {
    const rows = foldCalls(FIXED.calls, FIXED.packets, FIXED.marks);
    // -4 alone (the fault follows), 200 alone (the 360 ms probe follows), 400 and 600 folded
    expect(rows.map((r) => [r.tMs, r.count])).toEqual([
      [-4, 1],
      [200, 1],
      [400, 2],
      [1807.1, 1],
    ]);
  });
  it("compresses silences longer than the cap into bands, and keeps rows apart", () => {
    const lay = layout(FIXED, 0);
    const gaps = lay.rows.filter((r) => r.row.type === "gap");
    expect(gaps.map((g) => [g.row.tMs, (g.row as { untilMs: number }).untilMs])).toEqual([
      [600, 1010],
      [1010, 1800],
    ]);
    const ys = lay.rows.map((r) => r.y);
    for (let i = 1; i < ys.length; i++) expect(ys[i]).toBeGreaterThan(ys[i - 1]);
    expect(lay.yAt(150)).toBeLessThan(lay.yAt(560));
  });
});

describe("layout with a fold that spans other rows", () => {
  it("keeps every row below the last, and compresses nothing the fold still covers", () => {
    const calls = [0, 2000, 4000, 6000].map((tMs) => ({
      tMs,
      lane: "client",
      conn: "w",
      call: "send",
      result: "OK",
    }));
    const packets = [
      {
        tMs: 3000,
        from: "client",
        to: "server",
        flags: "ACK",
        kind: "keepalive-probe",
        label: "p",
        conn: "idle",
      },
    ];
    const lay = layout({ ...FIXED, calls, packets, marks: [], spans: [], predictions: [] }, 0);
    expect(lay.rows.map((r) => r.row.type)).toEqual(["call", "packet"]);
    expect(lay.rows[1].y).toBeGreaterThan(lay.rows[0].y);
  });
  it("measures a silence from the last call of a fold", () => {
    const calls = [0, 2000, 4000].map((tMs) => ({
      tMs,
      lane: "client",
      conn: "w",
      call: "send",
      result: "OK",
    }));
    const packets = [
      {
        tMs: 4100,
        from: "client",
        to: "server",
        flags: "RST",
        kind: "rst",
        label: "RST",
        conn: "idle",
      },
    ];
    const lay = layout({ ...FIXED, calls, packets, marks: [], spans: [], predictions: [] }, 0);
    expect(lay.rows.map((r) => r.row.type)).toEqual(["call", "packet"]);
  });
});

describe("renderMermaid", () => {
  const text = renderMermaid(FIXED);
  const lines = text.trim().split("\n");
  it("is a sequenceDiagram with the three lanes", () => {
    expect(lines[0]).toBe("sequenceDiagram");
    expect(lines.filter((l) => l.trim().startsWith("participant"))).toEqual([
      "  participant L0 as client",
      "  participant L1 as router",
      "  participant L2 as server",
    ]);
  });
  it("has one message per packet: lost ones end in a cross, ICMP dotted", () => {
    expect(count(text, /^ {2}L\d(->>|-x|-->>)L\d: /gm)).toBe(7);
    expect(count(text, /^ {2}L0-xL1: /gm)).toBe(2);
    expect(text).toContain("  L1-->>L0: +1900.0 ms ICMP (ICMP host unreachable)\n");
    expect(text).toContain("  L2->>L0: +1806.7 ms RST\n");
  });
  it("has notes for calls (folded), marks, compressed silences, the prediction and the span", () => {
    expect(text).toContain("  Note over L0: +400.0 ms writer send OK ×2 (until +600.0 ms)\n");
    expect(text).toContain("  Note over L0,L2: +0.0 ms fault: server host crashes\n");
    expect(count(text, /compressed\) ⋯$/gm)).toBe(2);
    expect(text).toMatch(
      /Note over L0: writer: predicted ECONNRESET at \+1800\.0 ms · measured \+1807\.1 ms \(\+7\.1 ms\)/,
    );
    expect(text).toContain("writer RTO #35;1 410 ms (+150.0 ms to +560.0 ms)");
    expect(text).toContain("title crash-reboot #60;test#62;");
  });
  it("never lets text break a line or a statement", () => {
    const texts = lines.slice(1).map((l) => l.slice(l.indexOf(": ") + 2));
    for (const t of texts) expect(t.replace(/#\w+;/g, "")).not.toMatch(/[;<>#]/);
  });
});

describe("renderSvg", () => {
  const svg = renderSvg(FIXED);
  it("draws one arrow per packet, a cross on each lost one", () => {
    expect(count(svg, /<g class="packet /g)).toBe(7);
    expect(count(svg, /marker-end="url\(#head\)"/g)).toBe(5);
    expect(count(svg, /class="cross"/g)).toBe(2);
    expect(svg).toContain('<g class="packet k-rst"');
    expect(svg).toMatch(/>ACK · retransmission #3<\/text>/);
  });
  it("draws calls coloured by result, folded where identical", () => {
    expect(count(svg, /<g class="call r-ok"/g)).toBe(3);
    expect(count(svg, /<g class="call r-error"/g)).toBe(1);
    expect(svg).toContain(">writer send OK ×2 (until +600.0 ms)</text>");
  });
  it("marks the fault, the host's death (dashed lifeline) and reboot, silences and the prediction", () => {
    expect(count(svg, /<g class="mark m-fault"/g)).toBe(1);
    expect(count(svg, /class="lifeline dead"/g)).toBe(1);
    expect(count(svg, /<g class="gap"/g)).toBe(2);
    expect(count(svg, /<g class="prediction"/g)).toBe(1);
    expect(count(svg, /<g class="span s-rto"/g)).toBe(1);
  });
  it("escapes every text and attribute", () => {
    expect(svg).not.toContain(TRICKY);
    expect(svg).toContain("a&lt;b &amp; &quot;c&quot; &#39;d&#39; #1; %%x");
    expect(svg).toContain("crash-reboot &lt;test&gt;");
    const withoutStyle = svg.replace(/<style>[^<]*<\/style>/, "");
    expect(count(withoutStyle, /&(?!amp;|lt;|gt;|quot;|#39;)/g)).toBe(0);
  });
});

describe("renderDiagram", () => {
  it("chooses the format from the file name", () => {
    expect(["a.html", "a.svg", "a.mmd", "a.md", "a.txt"].map(diagramFormat)).toEqual([
      "html",
      "svg",
      "mermaid",
      "markdown",
      null,
    ]);
  });
  it("HTML is self-contained: inline SVG, no external resource", () => {
    const html = renderDiagram(FIXED, "html");
    expect(html.startsWith("<!doctype html>")).toBe(true);
    expect(count(html, /<svg /g)).toBe(1);
    expect(html.replace('xmlns="http://www.w3.org/2000/svg"', "")).not.toMatch(
      /https?:|src=|<link/,
    );
  });
  it("Markdown fences the Mermaid diagram", () => {
    expect(renderDiagram(FIXED, "markdown")).toMatch(
      /^## crash-reboot <test>\n\n```mermaid\nsequenceDiagram\n[\s\S]*```\n$/,
    );
  });
});
