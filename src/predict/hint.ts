// undetectedHint(): one line telling the user why a connection saw nothing within the run's
// window, and which setting would make the kernel notice sooner.

import type { Prediction, Settings } from "../types.js";
import { IDLE_NEVER_BASIS, isKeepaliveBasis, retries2Of, seconds } from "./basis.js";

/** Suggested settings that detect a dead peer within a few seconds. */
const TRY_KEEPALIVE = "--keepalive 1,1,2";
const USER_TIMEOUT_MS = 3000;
const TRY_USER_TIMEOUT = `--user-timeout ${USER_TIMEOUT_MS}`;

/**
 * A hint when the prediction is "never" or lies beyond the window, else null.
 * Keepalive is suggested only for idle sockets: it never fires while data is in flight, so a
 * writer needs TCP_USER_TIMEOUT (or a lower tcp_retries2) instead.
 */
export function undetectedHint(p: Prediction, settings: Settings, windowS: number): string | null {
  if (p.afterMs !== null && p.afterMs <= windowS * 1000) return null;

  if (p.afterMs === null || p.result === null) {
    if (p.basis === IDLE_NEVER_BASIS || settings.keepalive === null) {
      return `an idle socket without keepalive never notices; try ${TRY_KEEPALIVE}`;
    }
    return `the kernel never notices (${p.basis})`;
  }

  const after = `~${seconds(p.afterMs)} s`;
  const retries2 = retries2Of(p.basis) ?? settings.retries2;
  if (isKeepaliveBasis(p.basis)) {
    const suggestion = settings.keepalive === null ? "try" : "try a shorter keepalive such as";
    return `keepalive notices only after ${after} (${p.basis}); ${suggestion} ${TRY_KEEPALIVE}`;
  }
  if (settings.userTimeoutMs !== null) {
    // The timeout counts from the first retransmission, so the give-up comes a few hundred ms
    // later than the timeout itself; at 3000 ms or less, only a longer window helps.
    const timeout = `TCP_USER_TIMEOUT ${settings.userTimeoutMs} ms`;
    const given = `the kernel gives up after ${after} with ${timeout}`;
    return settings.userTimeoutMs > USER_TIMEOUT_MS
      ? `${given}; try a smaller one such as ${TRY_USER_TIMEOUT}`
      : `${given} (counted from the first retransmission); try a longer --window`;
  }
  const withRetries2 = retries2 !== null ? ` with tcp_retries2=${retries2}` : "";
  return (
    `the kernel gives up after ${after}${withRetries2}; try ${TRY_USER_TIMEOUT} ` +
    "(keepalive does not fire while data is unacknowledged)"
  );
}
