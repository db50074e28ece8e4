// The measured inputs of a prediction, taken from TCP_INFO just before the fault and from the
// connection's own calls: when it last heard from the peer, its RTO, its first unacked send.
import type { TcpInfo } from "../agent/tcpinfo.js";
import type { ConnectionFacts, SocketEvent } from "../types.js";

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
): ConnectionFacts {
  const info = snapshot.info[id];
  // The keepalive timer counts from the last segment received (data or ACK).
  const sinceRecv = info ? Math.min(info.lastDataRecvMs, info.lastAckRecvMs) : 0;
  const firstSend = events.find((e) => e.side === "client" && e.call === "send" && e.tMs >= 0);
  return {
    workload,
    lastRecvMs: Math.round((snapshot.t - sinceRecv - faultAt) * 10) / 10,
    firstUnackedSendMs: workload === "writer" && firstSend ? firstSend.tMs : null,
    rtoMs: info ? info.rtoUs / 1000 : 200,
  };
}
