// The measured inputs of a prediction, taken from TCP_INFO just before the fault and from the
// connection's own calls: when it last heard from the peer, its RTO, its first unacked send.
import type { TcpInfo } from "../agent/tcpinfo.js";
import type { ConnectionFacts, SocketEvent } from "../types.js";
import { sends } from "./connections.js";
import { PRE_FAULT_MS, WRITER_INTERVAL_MS } from "./timing.js";

export interface Snapshot {
  /** CLOCK_MONOTONIC ms when TCP_INFO was read. */
  t: number;
  info: Record<string, TcpInfo | null>;
}

export function connectionFacts(
  id: string,
  workload: string,
  events: SocketEvent[],
  snapshot: Snapshot,
  faultAt: number,
  side: SocketEvent["side"] = "client",
): ConnectionFacts {
  const info = snapshot.info[id];
  // The keepalive timer counts from the last segment received (data or ACK).
  const sinceRecv = info ? Math.min(info.lastDataRecvMs, info.lastAckRecvMs) : 0;
  const firstSend = events.find(
    (e) => e.side === side && (e.call === "send" || e.call === "write") && e.tMs >= 0,
  );
  return {
    workload,
    lastRecvMs: Math.round((snapshot.t - sinceRecv - faultAt) * 10) / 10,
    firstUnackedSendMs: sends(workload) && firstSend ? firstSend.tMs : null,
    rtoMs: info ? info.rtoUs / 1000 : 200,
  };
}

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
  };
}
