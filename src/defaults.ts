// Defaults that more than one part of the tool must agree on, defined once.
import { fromRoot } from "./package-root.js";

/** The built-in scenario files (file name = scenario name). */
export const SCENARIO_DIR = `${fromRoot("scenarios")}/`;

/** --heartbeat when not given: a ping every 500 ms, dead after 3 unanswered. */
export const DEFAULT_HEARTBEAT = { intervalMs: 500, misses: 3 } as const;
export const DEFAULT_HEARTBEAT_FLAG = `${DEFAULT_HEARTBEAT.intervalMs},${DEFAULT_HEARTBEAT.misses}`;

/** What a sending workload writes each time. */
export const PAYLOAD = Buffer.from("ping\n");

/** An application heartbeat ping, and its answer (the server echoes it). */
export const HEARTBEAT = "hb\n";

/** --follow-up-gap when not given: after the first failure a connection makes a few more
 * calls, this far apart. Shorter gaps change some call sequences (docs/phases.md). */
export const FOLLOW_UP_GAP_MS = 10;

/** A pooled connection's request, and the server's answer to it. */
export const REQUEST = "req\n";
export const ANSWER = "resp\n";

/** Middleboxes: how long the router keeps an idle flow (--idle-timeout), in seconds. */
export const DEFAULT_IDLE_TIMEOUT_S = 3;
/** --request-after when not given: this long after the idle timeout, so the flow has expired. */
export const REQUEST_AFTER_TIMEOUT_MS = 500;

/** The idle timeout and the pooled request's time (ms after the connect) of these settings. */
export function middleboxTimes(settings: { idleTimeoutS?: number; requestAfterMs?: number }): {
  idleTimeoutS: number;
  requestAfterMs: number;
} {
  const idleTimeoutS = settings.idleTimeoutS ?? DEFAULT_IDLE_TIMEOUT_S;
  const requestAfterMs = settings.requestAfterMs ?? idleTimeoutS * 1000 + REQUEST_AFTER_TIMEOUT_MS;
  return { idleTimeoutS, requestAfterMs };
}
