// src/reporters: one file per output format, each a Reporter (reporter.ts): a function of the
// report document and the options. registry.ts lists them, one line each, and says which one
// prints to stdout and which file reporters were asked for.
// See CONTRIBUTING.md, "Adding a reporter".

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
export {
  fileReporters,
  loadReporter,
  REPORTERS,
  type ReporterEntry,
  stdoutReporterName,
} from "./registry.js";
export { renderRepeat } from "./repeat.js";
export type { Reporter, ReporterOptions } from "./reporter.js";
