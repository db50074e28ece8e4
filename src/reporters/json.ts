// JSON reporter: the versioned, machine-readable report (schemaVersion 1).
// The output is the same whatever the terminal: no colors, no progress, one document.
import type { Report, RunReport } from "../types.js";

/** Wraps finished runs in the top-level report document. */
export function buildReport(runs: RunReport[], kernel: string, version: string): Report {
  return {
    schemaVersion: 1,
    tool: { name: "tcpdrop", version },
    kernel,
    runs,
  };
}

/** The whole of stdout for `--json`: the report, pretty-printed, and a final newline. */
export function renderJson(report: Report): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
