// `<conn>: predicted [±tolerance]`: does the measured first failure match the kernel-parameter
// prediction? Same result (and call, when the prediction names one), time within tolerance;
// a "never" prediction, or one beyond the observation window, holds iff nothing failed in it.
import type { ConnectionReport, Prediction } from "../types.js";
import { plainSeconds, signedSeconds, windowText } from "./format.js";
import type { Tolerance } from "./model.js";
import { sameCall, toleranceMs } from "./model.js";
import { describeFailure, inWindow, type Outcome, observedFailure } from "./outcome.js";

function basisText(p: Prediction, prefix = ""): string {
  const parts = [prefix, p.basis].filter((part) => part !== "");
  return parts.length === 0 ? "(predicted)" : `(predicted: ${parts.join("; ")})`;
}

export function checkPredicted(
  tolerance: Tolerance | null,
  conn: ConnectionReport,
  windowMs: number,
): Outcome {
  const p = conn.predicted;
  const ff = observedFailure(conn.firstFailure, windowMs);
  if (p === null) {
    return {
      pass: false,
      message: `expected ${conn.id} to match its prediction; got no prediction for ${conn.id} (first failure: ${describeFailure(ff, windowMs)})`,
    };
  }
  const what = `${p.call === null ? "" : `${p.call} `}${p.result}`;
  const label = `${conn.id} ${what}`;
  if (p.result === null || (p.afterMs !== null && p.afterMs > windowMs)) {
    const why =
      p.result === null
        ? "never"
        : `${what} at ${signedSeconds(p.afterMs ?? 0)} s, beyond the ${plainSeconds(windowMs)} window`;
    const expected = `${conn.id} none within ${plainSeconds(windowMs)} ${basisText(p, why)}`;
    if (ff === null) return { pass: true, message: expected };
    return { pass: false, message: `expected ${expected}; got ${describeFailure(ff, windowMs)}` };
  }
  const sameKind =
    ff !== null && ff.result === p.result && (p.call === null || sameCall(ff.call, p.call));
  const got = describeFailure(ff, windowMs, p.call !== null);
  if (p.afterMs === null) {
    // A result without a time: any time in the observation window will do.
    const expected = `${label} within ${windowText({ fromMs: 0, toMs: windowMs })} ${basisText(p)}`;
    if (ff !== null && sameKind) {
      return { pass: true, message: `${conn.id} ${describeFailure(ff, windowMs)}, ${expected}` };
    }
    return { pass: false, message: `expected ${expected}; got ${got}` };
  }
  const tol = toleranceMs(tolerance, p.afterMs);
  const around = `${signedSeconds(p.afterMs)} s ±${(tol / 1000).toFixed(3)} s ${basisText(p)}`;
  const window = { fromMs: p.afterMs - tol, toMs: p.afterMs + tol };
  if (ff !== null && sameKind && inWindow(ff.afterMs, window)) {
    return {
      pass: true,
      message: `${conn.id} ${describeFailure(ff, windowMs)}, within ${around}`,
    };
  }
  let message = `expected ${label} at ${around}; got ${got}`;
  if (ff === null && window.toMs > windowMs) {
    message += ` (the prediction's tolerance reaches past the ${plainSeconds(windowMs)} window; a longer window would tell)`;
  }
  return { pass: false, message };
}
