export {
  BEYOND_WINDOW,
  type CompareOptions,
  type CompareRow,
  differenceCell,
  formatDifference,
  formatDuration,
  renderCompare,
  renderRepeat,
} from "./compare.js";
export { buildReport, renderJson } from "./json.js";
export { escapeXml, RUN_COMPLETED, renderJunit, settingsLabel, suiteName } from "./junit.js";
export {
  formatMs,
  formatSignedMs,
  type HintFn,
  type PrettyOptions,
  renderPretty,
} from "./pretty.js";
export { createProgress, formatProgress, type Progress } from "./progress.js";
