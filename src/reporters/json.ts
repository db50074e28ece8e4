// JSON reporter: the versioned, machine-readable report (schemaVersion 1).
// The output is the same whatever the terminal: no colors, no progress, one document.
import type { Report } from "../types.js";
import { batched, jsonChunks } from "./json-chunks.js";
import type { Reporter } from "./reporter.js";

/** The whole of stdout for `--json`: the report, pretty-printed, and a final newline. */
export function renderJson(report: Report): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

/** renderJson's text, a piece at a time (a report of 10,000 connections is 10 MB). */
export function* renderJsonChunks(report: Report): Generator<string> {
  yield* batched(jsonChunks(report));
  yield "\n";
}

export const jsonReporter: Reporter = {
  name: "json",
  render: renderJson,
  renderChunks: renderJsonChunks,
};
