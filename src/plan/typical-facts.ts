// What a run typically measures, for predicting without a lab (explain).
import type { ConnectionFacts } from "../types.js";
import { PRE_FAULT_MS, WRITER_INTERVAL_MS } from "./timing.js";
import { sends } from "./watched.js";

/**
 * What a run typically measures, for predicting without a lab (explain): the idle socket last
 * heard from the peer when it connected, PRE_FAULT_MS before the fault; the writer's first
 * unacknowledged send falls on its send rhythm after the fault; the RTO is TCP_RTO_MIN plus
 * the lab's negligible RTT, rounded up to the next jiffy.
 */
export function typicalFacts(workload: string, hz: number): ConnectionFacts {
  const jiffyMs = 1000 / hz;
  // The writer sends at connect time and every WRITER_INTERVAL_MS after: -250, -50, +150 ms.
  const lastSendMs =
    -PRE_FAULT_MS + Math.floor(PRE_FAULT_MS / WRITER_INTERVAL_MS) * WRITER_INTERVAL_MS;
  return {
    workload,
    lastRecvMs: sends(workload) ? lastSendMs : -PRE_FAULT_MS,
    firstUnackedSendMs: sends(workload) ? lastSendMs + WRITER_INTERVAL_MS : null,
    rtoMs: Math.ceil(200 / jiffyMs) * jiffyMs + jiffyMs,
    ...(sends(workload) ? { sendIntervalMs: WRITER_INTERVAL_MS } : {}),
    connectedMs: -PRE_FAULT_MS,
  };
}
