// What a run typically measures, for predicting without a lab (explain).
import type { ConnectionFacts } from "../types.js";
import { WRITER_INTERVAL_MS } from "./timing.js";
import { sends } from "./watched.js";

/**
 * What a run typically measures, for predicting without a lab (explain): the idle socket last
 * heard from the peer when it connected, preFaultMs (--pre-fault) before the fault; the
 * writer's first unacknowledged send falls on its send rhythm after the fault; the RTO is
 * TCP_RTO_MIN plus the lab's negligible RTT, rounded up to the next jiffy.
 */
export function typicalFacts(workload: string, hz: number, preFaultMs: number): ConnectionFacts {
  const jiffyMs = 1000 / hz;
  // The writer sends at connect time and every WRITER_INTERVAL_MS after; its last send before
  // the fault is the last of these before t=0 (with a 250 ms pre-fault: -250, -50, then +150).
  const lastSendMs = -preFaultMs + Math.floor(preFaultMs / WRITER_INTERVAL_MS) * WRITER_INTERVAL_MS;
  return {
    workload,
    lastRecvMs: sends(workload) ? lastSendMs : -preFaultMs,
    firstUnackedSendMs: sends(workload) ? lastSendMs + WRITER_INTERVAL_MS : null,
    rtoMs: Math.ceil(200 / jiffyMs) * jiffyMs + jiffyMs,
    ...(sends(workload) ? { sendIntervalMs: WRITER_INTERVAL_MS } : {}),
    connectedMs: -preFaultMs,
  };
}
