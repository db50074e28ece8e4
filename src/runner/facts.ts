// The measured inputs of a prediction, taken from TCP_INFO just before the fault and from the
// connection's own calls: when it last heard from the peer, its RTO, its first unacked send.
import type { TcpInfo } from "../agent/tcpinfo.js";
import type { ConnectionFacts, SocketEvent } from "../types.js";
import { sends } from "./connections.js";
import { PRE_FAULT_MS, WRITER_INTERVAL_MS } from "./timing.js";

export interface Snapshot {
  /** CLOCK_MONOTONIC ms when the snapshot began. */
  t: number;
  /** TCP_INFO of each connection, with the time it was read. */
  info: Record<string, (TcpInfo & { t?: number }) | null>;
  /** The same, read again just after the fault (for the last segment received). */
  after?: Record<string, (TcpInfo & { t?: number }) | null>;
}

export function connectionFacts(
  id: string,
  workload: string,
  events: SocketEvent[],
  snapshot: Snapshot,
  faultAt: number,
  side: SocketEvent["side"] = "client",
  sendIntervalMs = WRITER_INTERVAL_MS,
): ConnectionFacts {
  const info = snapshot.info[id];
  // The keepalive timer counts from the last segment received (data or ACK), best read
  // just after the fault (nothing more arrives from a silent peer).
  const last = snapshot.after?.[id] ?? info;
  const sinceRecv = last ? Math.min(last.lastDataRecvMs, last.lastAckRecvMs) : 0;
  const firstSend = events.find(
    (e) => e.side === side && (e.call === "send" || e.call === "write") && e.tMs >= 0,
  );
  return {
    workload,
    lastRecvMs: Math.round(((last?.t ?? snapshot.t) - sinceRecv - faultAt) * 10) / 10,
    firstUnackedSendMs: sends(workload)
      ? (firstSend?.tMs ?? nextSend(events, side, sendIntervalMs))
      : null,
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

/**
 * At scale only a connection's first send is reported: its later sends follow the rhythm, so
 * the first one after the fault is the next beat after 0.
 */
function nextSend(
  events: SocketEvent[],
  side: SocketEvent["side"],
  intervalMs: number,
): number | null {
  const first = events.find((e) => e.side === side && (e.call === "send" || e.call === "write"));
  if (!first) return null;
  const beats = Math.ceil(-first.tMs / intervalMs);
  return Math.round((first.tMs + Math.max(0, beats) * intervalMs) * 10) / 10;
}
