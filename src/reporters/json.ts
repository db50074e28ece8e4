// JSON reporter: the versioned, machine-readable report (schemaVersion 1).
// The output is the same whatever the terminal: no colors, no progress, one document.
import type { Report } from "../types.js";
import type { Reporter } from "./reporter.js";

/** The whole of stdout for `--json`: the report, pretty-printed, and a final newline. */
export function renderJson(report: Report): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

export const jsonReporter: Reporter = { name: "json", render: renderJson };
