export { buildReport, renderJson } from "./json.js";
export {
  formatMs,
  formatSignedMs,
  type HintFn,
  type PrettyOptions,
  renderPretty,
} from "./pretty.js";
export { createProgress, formatProgress, type Progress } from "./progress.js";
