// What a run typically measures, for predicting without a lab (explain).
import type { ConnectionFacts } from "../types.js";
import { WRITER_INTERVAL_MS, writerBeats } from "./timing.js";
import { sends } from "./watched.js";

/**
 * What a run typically measures, for predicting without a lab (explain): the idle socket last
 * heard from the peer when it connected, preFaultMs (--pre-fault) before the fault; the
 * writer's first unacknowledged send falls on its send rhythm after the fault; the RTO is
 * TCP_RTO_MIN plus the lab's negligible RTT, rounded up to the next jiffy.
 */
export function typicalFacts(
  workload: string,
  hz: number,
  preFaultMs: number,
  /** A heartbeat's first gap (runner/client-spec.ts: sendRhythm), which explain cannot measure. */
  rhythm: { firstGapMs?: number } = {},
): ConnectionFacts {
  const jiffyMs = 1000 / hz;
  // The writer sends at connect time and on its beat after (timing.ts: -50, +150, +350... with
  // the default pre-fault and any shorter one; -250, -50, +150 with 250 ms).
  const { lastBeforeMs, firstAfterMs } = writerBeats(preFaultMs);
  return {
    workload,
    lastRecvMs: sends(workload) ? lastBeforeMs : -preFaultMs,
    firstUnackedSendMs: sends(workload) ? firstAfterMs : null,
    rtoMs: Math.ceil(200 / jiffyMs) * jiffyMs + jiffyMs,
    ...(sends(workload) ? { sendIntervalMs: WRITER_INTERVAL_MS } : {}),
    ...(sends(workload) && rhythm.firstGapMs !== undefined
      ? { firstGapMs: rhythm.firstGapMs }
      : {}),
    connectedMs: -preFaultMs,
  };
}
