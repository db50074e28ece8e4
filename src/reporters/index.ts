// src/reporters: one file per output format, each a Reporter (reporter.ts): a function of the
// report document and the options. The registry below is the list of them, one line each;
// chooseReporter picks the stdout one and fileReporters the ones whose flag was given.
// See CONTRIBUTING.md, "Adding a reporter".
import { compareReporter } from "./compare.js";
import { jsonReporter } from "./json.js";
import { junitReporter } from "./junit.js";
import { prettyReporter } from "./pretty.js";
import { repeatReporter } from "./repeat.js";
import type { Reporter } from "./reporter.js";

export const REPORTERS: readonly Reporter[] = [
  prettyReporter,
  repeatReporter,
  compareReporter,
  jsonReporter,
  junitReporter,
];

export function reporterNamed(name: string): Reporter {
  const found = REPORTERS.find((r) => r.name === name);
  if (!found) throw new Error(`no reporter named ${name}`);
  return found;
}

/** The reporter for stdout: JSON when asked, else the command's human form. */
export function chooseReporter(
  command: "run" | "compare",
  flags: { json?: boolean },
  report: { runs: { repetition?: number }[] },
): Reporter {
  if (flags.json) return jsonReporter;
  if (command === "compare") return compareReporter;
  return report.runs.some((run) => run.repetition !== undefined) ? repeatReporter : prettyReporter;
}

/** File reporters whose flag was given, each with the path it writes to. */
export function fileReporters(
  flags: Record<string, unknown>,
): { reporter: Reporter; path: string }[] {
  return REPORTERS.flatMap((reporter) => {
    const path = reporter.file && flags[reporter.file.flag];
    return typeof path === "string" ? [{ reporter, path }] : [];
  });
}

export {
  BEYOND_WINDOW,
  type CompareOptions,
  type CompareRow,
  differenceCell,
  formatDifference,
  formatDuration,
  renderCompare,
} from "./compare.js";
export { renderHistogram } from "./histogram.js";
export { renderJson } from "./json.js";
export { escapeXml, RUN_COMPLETED, renderJunit, settingsLabel, suiteName } from "./junit.js";
export {
  formatMs,
  formatSignedMs,
  type HintFn,
  type PrettyOptions,
  renderPretty,
} from "./pretty.js";
export { createProgress, formatProgress, type Progress } from "./progress.js";
export { renderRepeat } from "./repeat.js";
export type { Reporter, ReporterOptions } from "./reporter.js";
