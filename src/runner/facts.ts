// The measured inputs of a prediction, taken from TCP_INFO just before the fault and from the
// connection's own calls: when it last heard from the peer, its RTO, its first unacked send.

import { WRITER_INTERVAL_MS } from "../plan/timing.js";
import { sends } from "../plan/watched.js";
import type { Snapshot as Reading } from "../protocol.js";
import type { ConnectionFacts, SocketEvent } from "../types.js";

/** TCP_INFO of each connection just before the fault, and again just after it (`after`). */
export interface Snapshot extends Reading {
  after?: Reading["info"];
}

export function connectionFacts(
  id: string,
  workload: string,
  events: SocketEvent[],
  snapshot: Snapshot,
  faultAt: number,
  side: SocketEvent["side"] = "client",
  rhythm: { sendIntervalMs: number; firstGapMs?: number } = { sendIntervalMs: WRITER_INTERVAL_MS },
): ConnectionFacts {
  const { sendIntervalMs, firstGapMs } = rhythm;
  const info = snapshot.info[id];
  // The keepalive timer counts from the last segment received (data or ACK), best read
  // just after the fault (nothing more arrives from a silent peer).
  const last = snapshot.after?.[id] ?? info;
  const sinceRecv = last ? Math.min(last.lastDataRecvMs, last.lastAckRecvMs) : 0;
  const firstSend = firstSendAfterFault(events, side);
  return {
    workload,
    lastRecvMs: Math.round(((last?.t ?? snapshot.t) - sinceRecv - faultAt) * 10) / 10,
    firstUnackedSendMs: sends(workload) ? (firstSend?.tMs ?? nextSend(events, side, rhythm)) : null,
    rtoMs: info ? info.rtoUs / 1000 : 200,
    srttMs: info ? info.rttUs / 1000 : 0,
    ...(sends(workload) ? { sendIntervalMs } : {}),
    ...(sends(workload) && firstGapMs !== undefined ? { firstGapMs } : {}),
    connectedMs:
      events.find((e) => e.side === side && (e.call === "connect" || e.call === "accept"))?.tMs ??
      null,
  };
}

/** The connection's first send (or write) at or after the fault, if it has made one. */
export function firstSendAfterFault(
  events: SocketEvent[],
  side: SocketEvent["side"],
): SocketEvent | undefined {
  return events.find(
    (e) => e.side === side && (e.call === "send" || e.call === "write") && e.tMs >= 0,
  );
}

/**
 * At scale only a connection's first send is reported: its later sends follow the rhythm (the
 * second firstGapMs after it, then every sendIntervalMs), so the first one after the fault is
 * the next beat after 0.
 */
function nextSend(
  events: SocketEvent[],
  side: SocketEvent["side"],
  { sendIntervalMs, firstGapMs = sendIntervalMs }: { sendIntervalMs: number; firstGapMs?: number },
): number | null {
  const first = events.find((e) => e.side === side && (e.call === "send" || e.call === "write"));
  if (!first) return null;
  if (first.tMs >= 0) return first.tMs;
  const second = first.tMs + firstGapMs;
  const beats = Math.ceil(-second / sendIntervalMs);
  return Math.round((second + Math.max(0, beats) * sendIntervalMs) * 10) / 10;
}
