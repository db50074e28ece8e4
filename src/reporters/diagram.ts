// --diagram FILE: the run as a sequence diagram (lanes client, router, server; packets as
// arrows, calls as boxes, the fault, timers and predictions), in the format the file name
// asks for: .html (one self-contained page), .svg, .mmd or .md (Mermaid, which GitHub renders).
// Several runs (compare, or several scenarios) go side by side in one file: one section per
// run in HTML and Markdown, one picture per run next to each other in SVG, and one Mermaid
// diagram with a note heading each run's part.
import type { Report, RunReport } from "../types.js";
import { capturedRuns } from "../wire/store.js";
import { diagramOfRun } from "./diagram/from-report.js";
import { type DiagramFormat, diagramFormat, renderDiagram } from "./diagram/index.js";
import { joinDiagrams } from "./diagram/join.js";
import type { DiagramInput } from "./diagram/types.js";
import type { Reporter } from "./reporter.js";

export function renderDiagramFile(report: Report, path: string): string {
  const format: DiagramFormat = diagramFormat(path) ?? "html";
  const inputs = capturedRuns(report.runs, "--diagram").flatMap(({ run }) => {
    const input = diagramOfRun(run, titleOf(run));
    return input ? [input] : [];
  });
  if (inputs.length === 1) return renderDiagram(inputs[0], format);
  return joinDiagrams(inputs, format, `tcpdrop ${report.runs[0]?.scenario ?? ""}`);
}

function titleOf(run: RunReport): string {
  const extra = [run.label, run.repetition && `#${run.repetition}`].filter(Boolean).join(" ");
  return `tcpdrop ${run.scenario}${extra ? ` · ${extra}` : ""}`;
}

export type { DiagramInput };

export const diagramReporter: Reporter = {
  name: "diagram",
  render: (report, { path }) => renderDiagramFile(report, path ?? "diagram.html"),
};
