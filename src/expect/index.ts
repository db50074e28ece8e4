// The expectation language (`--expect`): parse, print canonically, evaluate against a run.
export { ExpectSyntaxError } from "./errors.js";
export { evaluate, evaluateAll, type ProgramsById } from "./evaluate.js";
export { formatExpectation } from "./format.js";
export type { Call, Expectation, TimeWindow, Tolerance } from "./model.js";
export {
  CALLS,
  DEFAULT_TOLERANCE_PERCENT,
  MIN_TOLERANCE_MS,
  PROGRAM_IDS,
  toleranceMs,
} from "./model.js";
export { parseExpectation } from "./parse.js";
