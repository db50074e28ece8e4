// Small pieces shared by the evaluators: the outcome shape and how a first failure is described.
import type { FirstFailure } from "../types.js";
import { plainSeconds, signedSeconds } from "./format.js";
import type { TimeWindow } from "./model.js";

export interface Outcome {
  pass: boolean;
  message: string;
}

export function inWindow(ms: number, window: TimeWindow): boolean {
  return ms >= window.fromMs && ms <= window.toMs;
}

/** The first failure if it happened within the observation window, else null. */
export function observedFailure(ff: FirstFailure | null, windowMs: number): FirstFailure | null {
  return ff !== null && ff.afterMs <= windowMs ? ff : null;
}

/** `recv EOF at +0.003 s`, or `none within 10 s` when nothing failed in the window. */
export function describeFailure(
  ff: FirstFailure | null,
  windowMs: number,
  withCall = true,
): string {
  if (ff === null) return `none within ${plainSeconds(windowMs)}`;
  return `${withCall ? `${ff.call} ` : ""}${ff.result} at ${signedSeconds(ff.afterMs)} s`;
}
